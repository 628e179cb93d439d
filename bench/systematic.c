// SPDX-License-Identifier: GPL-2.0
/*
 * The "systematic" scenario on the simulated GPU: CLIENTS processes
 * (fork), each with one queue, run TASKS tasks of KERNELS back-to-back
 * kernels each; a task's latency is its wall time from submission to the
 * completion of its last kernel.  The first HIGH clients' queues have
 * priority HIGH_PRIO, the others 0.  All clients start together.
 *
 * Prints one line of key=value pairs ("SYS ...") with P50/P99 of the
 * high and the low clients' task latencies and the total wall time until
 * the last client finished, in microseconds.  Timed on xsched_sim.ko:
 * modelled, not hardware figures.
 */
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "bench.h"

#define MAX_CLIENTS	256

static void usage(FILE *f)
{
	fprintf(f, "usage: systematic [-n CLIENTS] [-H HIGH] [-t TASKS] [-k KERNELS] [-u KERNEL_US] [-P HIGH_PRIO] [-s SETTLE_MS] [-l LABEL]\n"
		   "  defaults: -n 16 -H 3 -t 5 -k 30 -u 1000 -P 11 -s 100 -l run\n");
}

static unsigned int nclients = 16, nhigh = 3, ntasks = 5, nkernels = 30;
static unsigned int kernel_us = 1000, high_prio = 11, settle_ms = 100;
static const char *label = "run";

/* Shared with the children: one latency (ns) per task, 0 = not done. */
static uint64_t *lat;

static int client(unsigned int idx, unsigned int one, struct bench_barrier *b)
{
	unsigned int prio = idx < nhigh ? high_prio : 0, t;
	struct simq q;
	int fd, ret;

	(void)one;	/* bench_spawn() passes both */
	bench_barrier_child(b);
	fd = open("/dev/" XSCHED_SIM_DEVICE_NAME, O_RDWR);
	ret = fd < 0 ? -errno : simq_create(&q, fd, 0, prio);
	if (ret) {
		fprintf(stderr, "systematic: client %u: queue: %s\n", idx,
			strerror(-ret));
		return 3;
	}
	if (bench_barrier_wait(b))
		return 4;
	for (t = 0; t < ntasks; t++) {
		uint64_t t0 = simq_now_ns();

		ret = simq_submit(&q, kernel_us * US, nkernels);
		if (!ret)
			ret = simq_wait(&q, q.wdid, 600000 * MS);
		if (ret) {
			fprintf(stderr, "systematic: client %u task %u: %s\n",
				idx, t, strerror(-ret));
			return 5;
		}
		lat[idx * ntasks + t] = simq_now_ns() - t0;
	}
	simq_destroy(&q);
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	uint64_t *hv, *lv, t0, total;
	size_t nh = 0, nl = 0;
	pid_t pid[MAX_CLIENTS];
	struct bench_barrier b;
	unsigned int i, t;
	int opt, failed = 0;

	while ((opt = getopt(argc, argv, "n:H:t:k:u:P:s:l:h")) != -1) {
		switch (opt) {
		case 'n': nclients = bench_num(optarg, 1, MAX_CLIENTS, usage); break;
		case 'H': nhigh = bench_num(optarg, 0, MAX_CLIENTS, usage); break;
		case 't': ntasks = bench_num(optarg, 1, 100000, usage); break;
		case 'k': nkernels = bench_num(optarg, 1, SIMQ_SLOTS, usage); break;
		case 'u': kernel_us = bench_num(optarg, 1, 10000000, usage); break;
		case 'P': high_prio = bench_num(optarg, 0, 15, usage); break;
		case 's': settle_ms = bench_num(optarg, 0, 60000, usage); break;
		case 'l': label = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc || nhigh > nclients) {
		usage(stderr);
		return 2;
	}

	lat = mmap(NULL, sizeof(*lat) * nclients * ntasks,
		   PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	hv = calloc((size_t)nclients * ntasks, sizeof(*hv));
	lv = calloc((size_t)nclients * ntasks, sizeof(*lv));
	if (lat == MAP_FAILED || !hv || !lv || bench_barrier_init(&b)) {
		perror("systematic: setup");
		return 1;
	}
	if (bench_spawn(pid, nclients, nclients, client, &b, "systematic"))
		return 1;
	if (bench_barrier_ready(&b, nclients)) {
		fprintf(stderr, "systematic: a client died before the start\n");
		for (i = 0; i < nclients; i++)
			kill(pid[i], SIGKILL);
		failed = 1;
	}
	/* Time for xsched to register the new queues (an event work). */
	usleep(settle_ms * 1000);
	t0 = simq_now_ns();
	bench_barrier_release(&b);
	for (i = 0; i < nclients; i++) {
		int st;

		if (waitpid(pid[i], &st, 0) < 0 || !WIFEXITED(st) ||
		    WEXITSTATUS(st))
			failed = 1;
	}
	total = simq_now_ns() - t0;
	if (failed) {
		printf("SYS label=%s status=failed\n", label);
		return 1;
	}

	for (i = 0; i < nclients; i++)
		for (t = 0; t < ntasks; t++) {
			if (i < nhigh)
				hv[nh++] = lat[i * ntasks + t];
			else
				lv[nl++] = lat[i * ntasks + t];
		}
	printf("SYS label=%s status=ok clients=%u high=%u high_prio=%u tasks=%u kernels=%u kernel_us=%u high_n=%zu high_p50_us=%llu high_p99_us=%llu low_n=%zu low_p50_us=%llu low_p99_us=%llu total_us=%llu\n",
	       label, nclients, nhigh, high_prio, ntasks, nkernels, kernel_us,
	       nh, (unsigned long long)bench_pct(hv, nh, 50) / US,
	       (unsigned long long)bench_pct(hv, nh, 99) / US,
	       nl, (unsigned long long)bench_pct(lv, nl, 50) / US,
	       (unsigned long long)bench_pct(lv, nl, 99) / US,
	       (unsigned long long)total / US);
	return 0;
}
