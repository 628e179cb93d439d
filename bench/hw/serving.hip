// SPDX-License-Identifier: GPL-2.0
/*
 * Serving next to training on a real GPU.  One inference process (queue
 * priority INF_PRIO) receives requests with open-loop arrivals:
 * exponential gaps at RATE requests/s from a seeded generator, so every
 * run with the same seed sees the same arrival times.  A request is
 * REQ_KERNELS sgemms of REQ_SIZE; its latency runs from its arrival time
 * to the host seeing the event recorded after its last kernel (a request
 * arriving while earlier ones are pending queues behind them).  TRAIN
 * training processes (TRAIN_PRIO) keep their streams full of TRAIN_SIZE
 * sgemms, three chunks of four in flight.  Training work is the number of
 * training kernels that completed within the window of SECONDS (which
 * starts LEAD_MS after the training) times TRAIN_US, the time of one
 * training kernel alone (bench/hw/run.sh measures it first with -r 0
 * -T 1; 0: each trainer times ten kernels before the start, which is
 * right only alone).  Inference work is the sum of the request latencies,
 * which is the inference's GPU time only in the run where it is alone.
 *
 * -T 0 runs the inference alone, -r 0 the training alone.  Prints one
 * "SERVE ..." line with the keys of bench/serving.c, which
 * bench/report.sh formats; the training kernel time alone is train_kernel_us.
 */
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "hw.h"

#define MAX_TRAIN	8
#define MAX_REQS	100000
#define CHUNK		4
#define INFLIGHT	3

static void usage(FILE *f)
{
	fprintf(f, "usage: serving [-r RATE] [-d SECONDS] [-k REQ_KERNELS] [-n REQ_SIZE] [-T TRAIN] [-N TRAIN_SIZE] [-U TRAIN_US] [-P INF_PRIO] [-Q TRAIN_PRIO] [-S SEED] [-w LEAD_MS] [-l LABEL]\n"
		   "  defaults: -r 10 -d 10 -k 12 -n 512 -T 2 -N 2048 -U 0 -P 11 -Q 7 -S 1 -w 500 -l run (-P/-Q -1: no xsched priority)\n");
}

static unsigned int rate = 10, seconds = 10, req_kernels = 12, req_size = 512;
static unsigned int ntrain = 2, train_size = 2048, train_us, seed = 1, lead_ms = 500;
static int inf_prio = 11, train_prio = 7;
static const char *label = "run";

struct shared {
	uint64_t t_start, ws, we;		/* host ns: start, window */
	uint64_t lat_ns[MAX_REQS];
	unsigned int nreq;
	uint64_t train_kernels[MAX_TRAIN];
	double train_kernel_us[MAX_TRAIN];
	volatile int stop;
};
static struct shared *sh;

static void wait_until(uint64_t t)
{
	uint64_t now = hw_now_ns();

	if (t > now)
		usleep((t - now) / 1000);
}

static int trainer(unsigned int idx, unsigned int one, struct bench_barrier *b)
{
	hipEvent_t ev[INFLIGHT];
	float *a, *bm, *c;
	hipStream_t s;
	unsigned int i, k, head = 0;
	uint64_t t0;

	(void)one;
	bench_barrier_child(b);
	hw_client_priority(train_prio);
	HW_OK(hipStreamCreate(&s));
	hw_matrices((int)train_size, &a, &bm, &c);
	for (i = 0; i < INFLIGHT; i++)
		HW_OK(hipEventCreateWithFlags(&ev[i], hipEventDisableTiming));
	hw_sgemm_launch(a, bm, c, (int)train_size, s);
	HW_OK(hipStreamSynchronize(s));
	t0 = hw_now_ns();
	for (i = 0; i < 10; i++)
		hw_sgemm_launch(a, bm, c, (int)train_size, s);
	HW_OK(hipStreamSynchronize(s));
	sh->train_kernel_us[idx] = (hw_now_ns() - t0) / 1e4;
	if (bench_barrier_wait(b))
		return 4;
	for (i = 0; i < INFLIGHT; i++) {
		for (k = 0; k < CHUNK; k++)
			hw_sgemm_launch(a, bm, c, (int)train_size, s);
		HW_OK(hipEventRecord(ev[i], s));
	}
	while (!sh->stop) {
		uint64_t now;

		HW_OK(hipEventSynchronize(ev[head]));
		now = hw_now_ns();
		if (now >= sh->ws && now <= sh->we)
			sh->train_kernels[idx] += CHUNK;
		for (k = 0; k < CHUNK; k++)
			hw_sgemm_launch(a, bm, c, (int)train_size, s);
		HW_OK(hipEventRecord(ev[head], s));
		head = (head + 1) % INFLIGHT;
	}
	return 0;
}

static uint64_t *arrival;
static hipEvent_t *done;
static unsigned int nsubmitted;

/* Waits for each request in turn; its latency ends when the host sees it. */
static void *completer(void *arg)
{
	unsigned int i;

	(void)arg;
	for (i = 0; i < sh->nreq; i++) {
		while (__atomic_load_n(&nsubmitted, __ATOMIC_ACQUIRE) <= i)
			usleep(50);
		HW_OK(hipEventSynchronize(done[i]));
		sh->lat_ns[i] = hw_now_ns() - arrival[i];
	}
	return NULL;
}

static int inference(void)
{
	float *a, *bm, *c;
	hipStream_t s;
	pthread_t th;
	unsigned int i, k;
	double t = 0;

	hw_client_priority(inf_prio);
	HW_OK(hipStreamCreate(&s));
	hw_matrices((int)req_size, &a, &bm, &c);
	hw_sgemm_launch(a, bm, c, (int)req_size, s);
	HW_OK(hipStreamSynchronize(s));
	arrival = (uint64_t *)calloc(MAX_REQS, sizeof(*arrival));
	done = (hipEvent_t *)calloc(MAX_REQS, sizeof(*done));
	if (!arrival || !done)
		return 1;
	srand(seed);
	for (sh->nreq = 0; sh->nreq < MAX_REQS; sh->nreq++) {
		t += -log((rand() + 1.0) / (RAND_MAX + 2.0)) / rate;
		if (t >= seconds)
			break;
		arrival[sh->nreq] = sh->ws + (uint64_t)(t * 1e9);
		HW_OK(hipEventCreateWithFlags(&done[sh->nreq], hipEventDisableTiming));
	}
	if (pthread_create(&th, NULL, completer, NULL))
		return 1;
	for (i = 0; i < sh->nreq; i++) {
		wait_until(arrival[i]);
		for (k = 0; k < req_kernels; k++)
			hw_sgemm_launch(a, bm, c, (int)req_size, s);
		HW_OK(hipEventRecord(done[i], s));
		__atomic_store_n(&nsubmitted, i + 1, __ATOMIC_RELEASE);
	}
	pthread_join(th, NULL);
	return 0;
}

int main(int argc, char **argv)
{
	uint64_t tw = 0, iw = 0, *lat;
	struct bench_barrier b;
	pid_t pid[MAX_TRAIN], ip = 0;
	double kus = 0;
	unsigned int i;
	int opt, st, failed = 0;

	hw_prog = "serving";
	while ((opt = getopt(argc, argv, "r:d:k:n:T:N:U:P:Q:S:w:l:h")) != -1) {
		switch (opt) {
		case 'r': rate = bench_num(optarg, 0, 10000, usage); break;
		case 'd': seconds = bench_num(optarg, 1, 3600, usage); break;
		case 'k': req_kernels = bench_num(optarg, 1, 1000, usage); break;
		case 'n': req_size = bench_num(optarg, 16, 16384, usage); break;
		case 'T': ntrain = bench_num(optarg, 0, MAX_TRAIN, usage); break;
		case 'N': train_size = bench_num(optarg, 16, 16384, usage); break;
		case 'U': train_us = bench_num(optarg, 0, 10000000, usage); break;
		case 'P': inf_prio = optarg[0] == '-' ? -1 : (int)bench_num(optarg, 0, 15, usage); break;
		case 'Q': train_prio = optarg[0] == '-' ? -1 : (int)bench_num(optarg, 0, 15, usage); break;
		case 'S': seed = bench_num(optarg, 0, 1u << 31, usage); break;
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
	sh = (struct shared *)mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
				   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED || bench_barrier_init(&b)) {
		fprintf(stderr, "serving: %s\n", strerror(errno));
		return 1;
	}
	memset(sh, 0, sizeof(*sh));
	sh->ws = sh->we = UINT64_MAX;
	/* No HIP in this process: every client forks before its own. */
	if (bench_spawn(pid, ntrain, ntrain, trainer, &b, hw_prog))
		return 1;
	if (bench_barrier_ready(&b, ntrain)) {
		fprintf(stderr, "serving: a training client died before the start\n");
		failed = 1;
	}
	sh->t_start = hw_now_ns();
	sh->ws = sh->t_start + lead_ms * 1000000ULL;
	sh->we = sh->ws + seconds * 1000000000ULL;
	bench_barrier_release(&b);
	fflush(stdout);
	if (!failed && rate) {
		ip = fork();
		if (ip == 0)
			_exit(inference());
	}
	if (ip < 0 || (ip > 0 && (waitpid(ip, &st, 0) < 0 || !WIFEXITED(st) ||
				  WEXITSTATUS(st))))
		failed = 1;
	wait_until(sh->we);
	sh->stop = 1;
	for (i = 0; i < ntrain; i++)
		if (waitpid(pid[i], &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
			failed = 1;
	if (failed) {
		printf("SERVE label=%s status=failed\n", label);
		return 1;
	}
	for (i = 0; i < ntrain; i++) {
		kus += sh->train_kernel_us[i] / ntrain;
		tw += sh->train_kernels[i];
	}
	tw = (uint64_t)(tw * (train_us ? train_us : kus));
	lat = sh->lat_ns;
	for (i = 0; i < sh->nreq; i++)
		iw += lat[i] / 1000;
	printf("SERVE label=%s status=ok rate=%u seconds=%u seed=%u requests=%u req_kernels=%u req_size=%u train=%u train_size=%u inf_prio=%d train_prio=%d train_kernel_us=%.1f",
	       label, rate, seconds, seed, sh->nreq, req_kernels, req_size,
	       ntrain, train_size, inf_prio, train_prio, kus);
	if (sh->nreq)
		printf(" inf_p50_us=%.1f inf_p99_us=%.1f inf_max_us=%.1f",
		       bench_pct(lat, sh->nreq, 50) / 1e3,
		       bench_pct(lat, sh->nreq, 99) / 1e3,
		       bench_pct(lat, sh->nreq, 100) / 1e3);
	printf(" inf_work_us=%llu train_work_us=%llu window_us=%llu\n",
	       (unsigned long long)iw, (unsigned long long)tw,
	       (unsigned long long)seconds * 1000000ULL);
	return 0;
}
