// SPDX-License-Identifier: GPL-2.0
/*
 * Load for measuring xsched's pause latency on the simulated GPU:
 * QUEUES-1 low-priority queues (priority 0) spread over PROCS processes,
 * each kept busy by one long kernel, and one high-priority queue that,
 * ITER times, waits GAP_US (plus up to 200 us of jitter, so that the
 * doorbell falls anywhere in xsched's poll period), rings its doorbell
 * for one kernel of HIGH_US and waits for it.
 *
 * With -o FILE, writes the CLOCK_MONOTONIC time (ns) of every high
 * doorbell to FILE, one per line, to be matched against the
 * xsched:xsched_pause trace events (trace_clock "mono").  Prints one
 * "PL ..." line with P50/P99 of the high kernel's completion time.
 * Timed on xsched_sim.ko: modelled figures.
 */
#include <signal.h>
#include <sys/wait.h>

#include "bench.h"

#define MAX_PROCS	64
#define PER_PROC	1024	/* the simulator's per-process queue limit */
#define LOW_WORK_NS	(10000ULL * MS)	/* the simulator's maximum */

static void usage(FILE *f)
{
	fprintf(f, "usage: preempt_lat [-q QUEUES] [-p PROCS] [-i ITER] [-u HIGH_US] [-g GAP_US] [-s SETTLE_MS] [-o FILE] [-l LABEL]\n"
		   "  defaults: -q 16 -p 1 -i 100 -u 1000 -g 2000 -s 200 -l run\n");
}

/* Creates @n busy low-priority queues, then sleeps until killed. */
static int low_proc(unsigned int idx, unsigned int n, struct bench_barrier *b)
{
	static const uint32_t low = 0;

	(void)idx;	/* bench_spawn() passes both */
	return bench_hold_queues(b, n, &low, 1, LOW_WORK_NS, "preempt_lat");
}

int main(int argc, char **argv)
{
	unsigned int nq = 16, nprocs = 1, iter = 100, high_us = 1000;
	unsigned int gap_us = 2000, settle_ms = 200, i, nlow;
	const char *label = "run", *out = NULL;
	pid_t pid[MAX_PROCS];
	struct bench_barrier b;
	uint64_t *done;
	struct simq q;
	FILE *of = NULL;
	int opt, fd, ret, failed = 0;

	while ((opt = getopt(argc, argv, "q:p:i:u:g:s:o:l:h")) != -1) {
		switch (opt) {
		case 'q': nq = bench_num(optarg, 2, MAX_PROCS * PER_PROC, usage); break;
		case 'p': nprocs = bench_num(optarg, 1, MAX_PROCS, usage); break;
		case 'i': iter = bench_num(optarg, 1, 100000, usage); break;
		case 'u': high_us = bench_num(optarg, 1, 1000000, usage); break;
		case 'g': gap_us = bench_num(optarg, 0, 10000000, usage); break;
		case 's': settle_ms = bench_num(optarg, 0, 600000, usage); break;
		case 'o': out = optarg; break;
		case 'l': label = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	nlow = nq - 1;
	if (optind != argc || nprocs > nlow ||
	    (nlow + nprocs - 1) / nprocs > PER_PROC) {
		usage(stderr);
		return 2;
	}
	done = calloc(iter, sizeof(*done));
	if (out)
		of = fopen(out, "w");
	if (!done || (out && !of) || bench_barrier_init(&b)) {
		perror("preempt_lat: setup");
		return 1;
	}
	if (bench_spawn(pid, nprocs, nlow, low_proc, &b, "preempt_lat"))
		return 1;
	fd = open("/dev/" XSCHED_SIM_DEVICE_NAME, O_RDWR);
	ret = fd < 0 ? -errno : simq_create(&q, fd, 0, 11);
	if (ret || bench_barrier_ready(&b, nprocs)) {
		fprintf(stderr, "preempt_lat: setup failed: %s\n",
			ret ? strerror(-ret) : "a low process died");
		failed = 1;
		goto out;
	}
	bench_barrier_release(&b);
	usleep(settle_ms * 1000);
	srand(1);
	for (i = 0; i < iter; i++) {
		uint64_t t0;

		usleep(gap_us + rand() % 200);
		t0 = simq_now_ns();
		ret = simq_submit(&q, high_us * US, 1);
		if (!ret)
			ret = simq_wait(&q, q.wdid, 60000 * MS);
		if (ret) {
			fprintf(stderr, "preempt_lat: iteration %u: %s\n", i,
				strerror(-ret));
			failed = 1;
			break;
		}
		done[i] = simq_now_ns() - t0;
		if (of)
			fprintf(of, "%llu\n", (unsigned long long)t0);
	}
out:
	for (i = 0; i < nprocs; i++)
		kill(pid[i], SIGKILL);
	for (i = 0; i < nprocs; i++)
		waitpid(pid[i], NULL, 0);
	if (of)
		fclose(of);
	if (failed) {
		printf("PL label=%s status=failed\n", label);
		return 1;
	}
	printf("PL label=%s status=ok queues=%u procs=%u iter=%u high_us=%u high_p50_us=%llu high_p99_us=%llu\n",
	       label, nq, nprocs, iter, high_us,
	       (unsigned long long)bench_pct(done, iter, 50) / US,
	       (unsigned long long)bench_pct(done, iter, 99) / US);
	return 0;
}
