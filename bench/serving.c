// SPDX-License-Identifier: GPL-2.0
/*
 * Serving next to training on the simulated GPU.  One inference client
 * (queue priority INF_PRIO) receives requests with open-loop arrivals:
 * exponential gaps at RATE requests/s drawn from a seeded generator, so
 * that every run with the same seed and duration sees the same arrival
 * times.  Each request is a burst of REQ_KERNELS kernels of REQ_US.  Next
 * to it TRAIN training clients (queue priority TRAIN_PRIO) keep their
 * queues full with kernels of TRAIN_US, in chunks of up to 16, three
 * chunks in flight.  -T 0 runs the inference client alone, -r 0 the
 * training clients alone.
 *
 * A request's latency runs from its arrival time to the end timestamp
 * the packet processor wrote into the completion signal of its last
 * kernel; a request that arrives while earlier ones are still pending
 * queues behind them (open loop).  Training work is the sum of the
 * durations of the training kernels that ended within the window of
 * SECONDS, which starts LEAD_MS after the training clients (so that
 * requests meet training that runs, not its cold start).  When /sys/class/misc/xsched exists, the
 * domains' pauses, resumes, decide_ns and poll_ns are read at the start
 * and the end of the window.
 *
 * Prints one line of key=value pairs ("SERVE ...").  Timed on
 * xsched_sim.ko: modelled, not hardware figures.
 */
#include <dirent.h>
#include <math.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "bench.h"

#define MAX_TRAIN	8
#define MAX_REQS	100000
#define TRAIN_CHUNK	16	/* kernels per doorbell of a training client */
#define TRAIN_INFLIGHT	3	/* chunks in flight (48 of the 64 slots) */
#define XS_DOMAINS	"/sys/class/misc/xsched/domains"

static void usage(FILE *f)
{
	fprintf(f, "usage: serving [-r RATE] [-d SECONDS] [-k REQ_KERNELS] [-u REQ_US] [-T TRAIN] [-U TRAIN_US] [-P INF_PRIO] [-Q TRAIN_PRIO] [-S SEED] [-s SETTLE_MS] [-w LEAD_MS] [-l LABEL]\n"
		   "  defaults: -r 10 -d 10 -k 12 -u 250 -T 2 -U 500 -P 11 -Q 7 -S 1 -s 100 -w 200 -l run\n");
}

static unsigned int rate = 10, seconds = 10, req_kernels = 12, req_us = 250;
static unsigned int ntrain = 2, train_us = 500, inf_prio = 11, train_prio = 7;
static unsigned int seed = 1, settle_ms = 100, lead_ms = 200;
static const char *label = "run";

/* Shared with the children. */
struct shared {
	uint64_t t0, t_end;		/* the window, CLOCK_MONOTONIC */
	uint64_t train_work_ns[MAX_TRAIN];
	uint64_t lat_ns[MAX_REQS];	/* per request */
	unsigned int nreq;
};
static struct shared *sh;
static uint64_t arrival[MAX_REQS];	/* offsets from t0 */

/* A 64-bit xorshift: the same sequence for the same seed everywhere. */
static uint64_t rng_state;

static double rng_unit(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return ((rng_state >> 11) + 0.5) / 9007199254740992.0; /* (0, 1) */
}

/* Exponential gaps at @rate per second, until @seconds; the count. */
static unsigned int make_arrivals(void)
{
	double t = 0;
	unsigned int n = 0;

	rng_state = 0x9e3779b97f4a7c15ULL * (seed + 1);
	if (!rate)
		return 0;
	for (;;) {
		t += -log(rng_unit()) / rate;
		if (t >= seconds || n == MAX_REQS)
			return n;
		arrival[n++] = (uint64_t)(t * 1e9);
	}
}

static void sleep_until(uint64_t t)
{
	struct timespec ts = { .tv_sec = t / 1000000000ULL,
			       .tv_nsec = t % 1000000000ULL };

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

static int open_queue(unsigned int prio, struct simq *q, const char *who)
{
	int fd = open("/dev/" XSCHED_SIM_DEVICE_NAME, O_RDWR);
	int ret = fd < 0 ? -errno : simq_create(q, fd, 0, prio);

	if (ret)
		fprintf(stderr, "serving: %s: queue: %s\n", who, strerror(-ret));
	return ret;
}

/* Request @j is done: its latency from the end timestamp of its last kernel. */
static void inference_done(struct simq *q, const uint64_t *last, unsigned int j)
{
	sh->lat_ns[j] = simq_signal(q, last[j])->end_ts - (sh->t0 + arrival[j]);
}

/*
 * The inference client.  Sleeps until each arrival (an hrtimer sleep,
 * precise) and submits the request, whatever is still pending.  Requests
 * that ended meanwhile are collected from their signals without waiting;
 * the client waits only when the ring has no room, so that a signal is
 * read before its slot is used again.
 */
static int inference(struct bench_barrier *b)
{
	static uint64_t last[MAX_REQS];	/* dispatch id of its last kernel */
	unsigned int i, j = 0, n = sh->nreq;
	struct simq q;
	int ret = 0;

	bench_barrier_child(b);
	if (open_queue(inf_prio, &q, "inference"))
		return 3;
	if (bench_barrier_wait(b))
		return 4;
	for (i = 0; i < n; i++) {
		sleep_until(sh->t0 + arrival[i]);
		while (j < i && !__atomic_load_n(&simq_signal(&q, last[j])->value,
						 __ATOMIC_ACQUIRE))
			inference_done(&q, last, j++);
		while (q.wdid + req_kernels - (j ? last[j - 1] : 0) > SIMQ_SLOTS) {
			ret = simq_wait(&q, last[j], 600000 * MS);
			if (ret)
				goto fail;
			inference_done(&q, last, j++);
		}
		ret = simq_submit(&q, req_us * US, req_kernels);
		if (ret)
			goto fail;
		last[i] = q.wdid;
	}
	for (; j < n; j++) {
		ret = simq_wait(&q, last[j], 600000 * MS);
		if (ret)
			goto fail;
		inference_done(&q, last, j);
	}
	simq_destroy(&q);
	return 0;
fail:
	fprintf(stderr, "serving: inference request %u: %s\n", j, strerror(-ret));
	return 5;
}

/* Adds the work of the chunk ending at @last that ended in the window. */
static void train_account(struct simq *q, uint64_t last, unsigned int idx)
{
	uint64_t id;

	for (id = last - TRAIN_CHUNK + 1; id <= last; id++) {
		uint64_t e = simq_signal(q, id)->end_ts;

		if (e >= sh->t0 && e <= sh->t_end)
			sh->train_work_ns[idx] += train_us * US;
	}
}

/* A training client: chunks of kernels back to back until the window ends. */
static int training(unsigned int idx, struct bench_barrier *b)
{
	uint64_t chunk[TRAIN_INFLIGHT];
	unsigned int head = 0, pending = 0;
	struct simq q;
	int ret = 0;

	bench_barrier_child(b);
	if (open_queue(train_prio, &q, "training"))
		return 3;
	if (bench_barrier_wait(b))
		return 4;
	for (;;) {
		bool more = simq_now_ns() < sh->t_end;

		while (more && pending < TRAIN_INFLIGHT) {
			ret = simq_submit(&q, train_us * US, TRAIN_CHUNK);
			if (ret)
				goto fail;
			chunk[(head + pending++) % TRAIN_INFLIGHT] = q.wdid;
		}
		if (!pending)
			break;
		ret = simq_wait(&q, chunk[head], 600000 * MS);
		if (ret)
			goto fail;
		train_account(&q, chunk[head], idx);
		head = (head + 1) % TRAIN_INFLIGHT;
		pending--;
	}
	simq_destroy(&q);
	return 0;
fail:
	fprintf(stderr, "serving: training client %u: %s\n", idx, strerror(-ret));
	return 5;
}

static int client(unsigned int idx, unsigned int one, struct bench_barrier *b)
{
	(void)one;	/* bench_spawn() passes both */
	return idx < ntrain ? training(idx, b) : inference(b);
}

/* xsched's counters summed over its domains; false if xsched is not loaded. */
struct xs_counters {
	uint64_t pauses, resumes, decide_ns, poll_ns;
};

static uint64_t read_u64(const char *dir, const char *name)
{
	char path[512];
	unsigned long long v = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/%s", XS_DOMAINS, dir, name);
	f = fopen(path, "r");
	if (f) {
		if (fscanf(f, "%llu", &v) != 1)
			v = 0;
		fclose(f);
	}
	return v;
}

static bool xs_read(struct xs_counters *c)
{
	DIR *d = opendir(XS_DOMAINS);
	struct dirent *e;

	memset(c, 0, sizeof(*c));
	if (!d)
		return false;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		c->pauses += read_u64(e->d_name, "pauses");
		c->resumes += read_u64(e->d_name, "resumes");
		c->decide_ns += read_u64(e->d_name, "decide_ns");
		c->poll_ns += read_u64(e->d_name, "poll_ns");
	}
	closedir(d);
	return true;
}

int main(int argc, char **argv)
{
	struct xs_counters c0, c1;
	pid_t pid[MAX_TRAIN + 1];
	struct bench_barrier b;
	unsigned int i, n;
	uint64_t *lat, work = 0;
	bool xs;
	int opt, failed = 0;

	while ((opt = getopt(argc, argv, "r:d:k:u:T:U:P:Q:S:s:w:l:h")) != -1) {
		switch (opt) {
		case 'r': rate = bench_num(optarg, 0, 1000, usage); break;
		case 'd': seconds = bench_num(optarg, 1, 3600, usage); break;
		case 'k': req_kernels = bench_num(optarg, 1, SIMQ_SLOTS, usage); break;
		case 'u': req_us = bench_num(optarg, 1, 1000000, usage); break;
		case 'T': ntrain = bench_num(optarg, 0, MAX_TRAIN, usage); break;
		case 'U': train_us = bench_num(optarg, 1, 1000000, usage); break;
		case 'P': inf_prio = bench_num(optarg, 0, 15, usage); break;
		case 'Q': train_prio = bench_num(optarg, 0, 15, usage); break;
		case 'S': seed = bench_num(optarg, 0, 1000000, usage); break;
		case 's': settle_ms = bench_num(optarg, 0, 60000, usage); break;
		case 'w': lead_ms = bench_num(optarg, 0, 60000, usage); break;
		case 'l': label = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc || (!rate && !ntrain)) {
		usage(stderr);
		return 2;
	}
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED || bench_barrier_init(&b)) {
		perror("serving: setup");
		return 1;
	}
	sh->nreq = make_arrivals();
	n = ntrain + (rate ? 1 : 0);
	if (bench_spawn(pid, n, n, client, &b, "serving"))
		return 1;
	if (bench_barrier_ready(&b, n)) {
		fprintf(stderr, "serving: a client died before the start\n");
		for (i = 0; i < n; i++)
			kill(pid[i], SIGKILL);
		failed = 1;
	}
	/* Time for xsched to register the new queues (an event work). */
	usleep(settle_ms * 1000);
	/*
	 * The training clients start at once, the window and the arrivals
	 * lead_ms later: serving next to training that runs, not a cold
	 * start of both.
	 */
	sh->t0 = simq_now_ns() + lead_ms * MS;
	sh->t_end = sh->t0 + seconds * 1000 * MS;
	bench_barrier_release(&b);
	sleep_until(sh->t0);
	xs = xs_read(&c0);
	sleep_until(sh->t_end);
	xs_read(&c1);
	for (i = 0; i < n; i++) {
		int st;

		if (waitpid(pid[i], &st, 0) < 0 || !WIFEXITED(st) ||
		    WEXITSTATUS(st))
			failed = 1;
	}
	if (failed) {
		printf("SERVE label=%s status=failed\n", label);
		return 1;
	}
	for (i = 0; i < ntrain; i++)
		work += sh->train_work_ns[i];
	lat = sh->lat_ns;
	printf("SERVE label=%s status=ok rate=%u seconds=%u seed=%u requests=%u req_kernels=%u req_us=%u train=%u train_us=%u inf_prio=%u train_prio=%u",
	       label, rate, seconds, seed, sh->nreq, req_kernels, req_us,
	       ntrain, train_us, inf_prio, train_prio);
	if (sh->nreq)
		printf(" inf_p50_us=%.1f inf_p99_us=%.1f inf_max_us=%.1f",
		       bench_pct(lat, sh->nreq, 50) / 1e3,
		       bench_pct(lat, sh->nreq, 99) / 1e3,
		       bench_pct(lat, sh->nreq, 100) / 1e3);
	printf(" inf_work_us=%llu train_work_us=%llu window_us=%llu",
	       (unsigned long long)sh->nreq * req_kernels * req_us,
	       (unsigned long long)work / US,
	       (unsigned long long)(sh->t_end - sh->t0) / US);
	if (xs)
		printf(" xsched=1 pauses=%llu resumes=%llu decide_ns=%llu poll_ns=%llu",
		       (unsigned long long)(c1.pauses - c0.pauses),
		       (unsigned long long)(c1.resumes - c0.resumes),
		       (unsigned long long)(c1.decide_ns - c0.decide_ns),
		       (unsigned long long)(c1.poll_ns - c0.poll_ns));
	else
		printf(" xsched=0");
	printf("\n");
	return 0;
}
