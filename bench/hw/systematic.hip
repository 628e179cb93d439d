// SPDX-License-Identifier: GPL-2.0
/*
 * The "systematic" test on a real GPU: CLIENTS processes (fork, before
 * any HIP call), each with one stream, run TASKS tasks of KERNELS
 * back-to-back N x N sgemms each (2048 and 30 as in the reports this
 * project started from); a task's latency is its wall time from the
 * first launch to the end of hipStreamSynchronize.  The first HIGH
 * clients' queues get xsched priority HIGH_PRIO, the others LOW_PRIO,
 * through libxsched-hsa (XSCHED_PRIORITY; -P -1 and -Q -1: none).  Every
 * client does one untimed sgemm first; all then start together.
 *
 * Prints one "SYS ..." line with the keys of bench/systematic.c, so that
 * bench/report.sh formats both alike (kernel_us=0: the kernels are real).
 */
#include <sys/mman.h>
#include <sys/wait.h>

#include "hw.h"

#define MAX_CLIENTS	64

static void usage(FILE *f)
{
	fprintf(f, "usage: systematic [-n CLIENTS] [-H HIGH] [-t TASKS] [-k KERNELS] [-N SIZE] [-P HIGH_PRIO] [-Q LOW_PRIO] [-l LABEL]\n"
		   "  defaults: -n 16 -H 3 -t 10 -k 30 -N 2048 -P 11 -Q 0 -l run (-P/-Q -1: no xsched priority)\n");
}

static unsigned int nclients = 16, nhigh = 3, ntasks = 10, nkernels = 30, size = 2048;
static int high_prio = 11, low_prio = 0;
static const char *label = "run";
static uint64_t *lat;	/* shared: one latency (ns) per task, 0 = not done */

static int client(unsigned int idx, unsigned int one, struct bench_barrier *b)
{
	float *a, *bm, *c;
	hipStream_t s;
	unsigned int t, k;

	(void)one;
	bench_barrier_child(b);
	hw_client_priority(idx < nhigh ? high_prio : low_prio);
	HW_OK(hipStreamCreate(&s));
	hw_matrices((int)size, &a, &bm, &c);
	hw_sgemm_launch(a, bm, c, (int)size, s);
	HW_OK(hipStreamSynchronize(s));
	if (bench_barrier_wait(b))
		return 4;
	for (t = 0; t < ntasks; t++) {
		uint64_t t0 = hw_now_ns();

		for (k = 0; k < nkernels; k++)
			hw_sgemm_launch(a, bm, c, (int)size, s);
		HW_OK(hipStreamSynchronize(s));
		lat[idx * ntasks + t] = hw_now_ns() - t0;
	}
	return 0;
}

int main(int argc, char **argv)
{
	uint64_t *hi, *lo, t0, total;
	struct bench_barrier b;
	pid_t pid[MAX_CLIENTS];
	size_t nh = 0, nl = 0;
	unsigned int i, t;
	int opt, st, failed = 0;

	hw_prog = "systematic";
	while ((opt = getopt(argc, argv, "n:H:t:k:N:P:Q:l:h")) != -1) {
		switch (opt) {
		case 'n': nclients = bench_num(optarg, 1, MAX_CLIENTS, usage); break;
		case 'H': nhigh = bench_num(optarg, 0, MAX_CLIENTS, usage); break;
		case 't': ntasks = bench_num(optarg, 1, 1000, usage); break;
		case 'k': nkernels = bench_num(optarg, 1, 10000, usage); break;
		case 'N': size = bench_num(optarg, 16, 16384, usage); break;
		case 'P': high_prio = optarg[0] == '-' ? -1 : (int)bench_num(optarg, 0, 15, usage); break;
		case 'Q': low_prio = optarg[0] == '-' ? -1 : (int)bench_num(optarg, 0, 15, usage); break;
		case 'l': label = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc || nhigh > nclients) {
		usage(stderr);
		return 2;
	}
	lat = (uint64_t *)mmap(NULL, sizeof(*lat) * nclients * ntasks,
			       PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (lat == MAP_FAILED || bench_barrier_init(&b)) {
		fprintf(stderr, "systematic: %s\n", strerror(errno));
		return 1;
	}
	memset(lat, 0, sizeof(*lat) * nclients * ntasks);
	/* No HIP in this process: the clients fork before theirs. */
	if (bench_spawn(pid, nclients, nclients, client, &b, hw_prog))
		return 1;
	if (bench_barrier_ready(&b, nclients)) {
		fprintf(stderr, "systematic: a client died before the start\n");
		failed = 1;
	}
	t0 = hw_now_ns();
	bench_barrier_release(&b);
	for (i = 0; i < nclients; i++)
		if (waitpid(pid[i], &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
			failed = 1;
	total = hw_now_ns() - t0;
	if (failed) {
		printf("SYS label=%s status=failed\n", label);
		return 1;
	}
	hi = (uint64_t *)calloc(nclients * ntasks, sizeof(*hi));
	lo = (uint64_t *)calloc(nclients * ntasks, sizeof(*lo));
	if (!hi || !lo)
		return 1;
	for (i = 0; i < nclients; i++)
		for (t = 0; t < ntasks; t++) {
			if (i < nhigh)
				hi[nh++] = lat[i * ntasks + t];
			else
				lo[nl++] = lat[i * ntasks + t];
		}
	printf("SYS label=%s status=ok clients=%u high=%u high_prio=%d tasks=%u kernels=%u kernel_us=0 size=%u high_n=%zu high_p50_us=%llu high_p99_us=%llu low_n=%zu low_p50_us=%llu low_p99_us=%llu total_us=%llu\n",
	       label, nclients, nhigh, high_prio, ntasks, nkernels, size, nh,
	       (unsigned long long)bench_pct(hi, nh, 50) / 1000,
	       (unsigned long long)bench_pct(hi, nh, 99) / 1000, nl,
	       (unsigned long long)bench_pct(lo, nl, 50) / 1000,
	       (unsigned long long)bench_pct(lo, nl, 99) / 1000,
	       (unsigned long long)total / 1000);
	return 0;
}
