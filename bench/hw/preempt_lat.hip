// SPDX-License-Identifier: GPL-2.0
/*
 * Preemption latency on a real GPU: LOW processes (queue priority
 * LOW_PRIO) keep the GPU saturated with spin kernels of LOW_US, BLOCKS
 * workgroups each (enough to fill every CU), two in flight per stream;
 * one high-priority process (HIGH_PRIO) then, ITER times, sleeps GAP_US
 * plus up to 1 ms of seeded jitter, launches one tiny kernel and waits
 * for it.  Launch-to-start is measured two ways:
 *
 *  - device timestamp: the kernel's first thread writes wall_clock64()
 *    when it starts; the host's CLOCK_MONOTONIC time of the launch is
 *    converted to the device clock with an offset calibrated while the
 *    GPU is idle (the best of 50 launches) and wall_clock64's rate
 *    (hipDeviceAttributeWallClockRate);
 *  - hipEvents: hipEventElapsedTime from an event recorded just before
 *    the launch to one recorded just after it, which is queueing plus
 *    the kernel's own (near zero) run time.
 *
 * -L 0 measures the same without load.  Prints one "PL ..." line with
 * P50/P99/max of both, in microseconds.
 */
#include <signal.h>
#include <sys/wait.h>

#include "hw.h"

#define MAX_LOW	64

static void usage(FILE *f)
{
	fprintf(f, "usage: preempt_lat [-L LOW_PROCS] [-b BLOCKS] [-u LOW_US] [-i ITER] [-g GAP_US] [-P HIGH_PRIO] [-Q LOW_PRIO] [-S SEED] [-l LABEL]\n"
		   "  defaults: -L 4 -b 1216 -u 20000 -i 200 -g 5000 -P 13 -Q 0 -S 1 -l run (-P/-Q -1: no xsched priority)\n");
}

static unsigned int nlow = 4, blocks = 1216, low_us = 20000, iter = 200, gap_us = 5000, seed = 1;
static int high_prio = 13, low_prio = 0;
static const char *label = "run";

static int low_client(unsigned int idx, unsigned int one, struct bench_barrier *b)
{
	unsigned long long ticks;
	hipStream_t s;

	(void)idx;
	(void)one;
	bench_barrier_child(b);
	hw_client_priority(low_prio);
	HW_OK(hipStreamCreate(&s));
	ticks = (unsigned long long)(low_us * hw_ticks_per_us());
	if (bench_barrier_wait(b))
		return 4;
	for (;;) {	/* until killed: two kernels in flight */
		hipLaunchKernelGGL(hw_spin, dim3(blocks), dim3(64), 0, s, ticks,
				   (unsigned long long *)NULL);
		hipLaunchKernelGGL(hw_spin, dim3(blocks), dim3(64), 0, s, ticks,
				   (unsigned long long *)NULL);
		HW_OK(hipStreamSynchronize(s));
	}
}

static void print_pct(const char *key, uint64_t *v, size_t n)
{
	printf(" %s_p50_us=%.1f %s_p99_us=%.1f %s_max_us=%.1f", key,
	       bench_pct(v, n, 50) / 1e3, key, bench_pct(v, n, 99) / 1e3, key,
	       bench_pct(v, n, 100) / 1e3);
}

static int high_client(void)
{
	uint64_t *dev_lat, *ev_lat, t_host, best = UINT64_MAX;
	unsigned long long *start, d0;
	double tpu, offset = 0;
	hipEvent_t e0, e1;
	hipStream_t s;
	unsigned int i;
	float ms;

	hw_client_priority(high_prio);
	HW_OK(hipStreamCreate(&s));
	HW_OK(hipEventCreate(&e0));
	HW_OK(hipEventCreate(&e1));
	HW_OK(hipHostMalloc((void **)&start, sizeof(*start), hipHostMallocDefault));
	tpu = hw_ticks_per_us();
	dev_lat = (uint64_t *)calloc(iter, sizeof(*dev_lat));
	ev_lat = (uint64_t *)calloc(iter, sizeof(*ev_lat));
	if (!dev_lat || !ev_lat)
		return 1;
	/* Calibration, GPU idle: host launch time vs device start time. */
	for (i = 0; i < 50; i++) {
		uint64_t h0 = hw_now_ns(), h1;

		hipLaunchKernelGGL(hw_spin, dim3(1), dim3(64), 0, s, 0ULL, start);
		HW_OK(hipStreamSynchronize(s));
		h1 = hw_now_ns();
		if (h1 - h0 < best) {
			best = h1 - h0;
			/* device ticks at host time 0, assuming start at launch */
			offset = *start - h0 / 1e3 * tpu;
		}
	}
	srand(seed);
	for (i = 0; i < iter; i++) {
		double late;

		usleep(gap_us + rand() % 1000);
		t_host = hw_now_ns();
		HW_OK(hipEventRecord(e0, s));
		hipLaunchKernelGGL(hw_spin, dim3(1), dim3(64), 0, s, 0ULL, start);
		HW_OK(hipEventRecord(e1, s));
		HW_OK(hipEventSynchronize(e1));
		HW_OK(hipEventElapsedTime(&ms, e0, e1));
		ev_lat[i] = (uint64_t)(ms * 1e6);
		d0 = *start;
		/* device start minus launch, in device ticks, then in ns */
		late = ((double)d0 - (offset + t_host / 1e3 * tpu)) / tpu * 1e3;
		dev_lat[i] = late > 0 ? (uint64_t)late : 0;
	}
	printf("PL label=%s status=ok low=%u blocks=%u low_us=%u iter=%u high_prio=%d low_prio=%d calib_us=%.1f",
	       label, nlow, blocks, low_us, iter, high_prio, low_prio, best / 1e3);
	print_pct("start", dev_lat, iter);
	print_pct("event", ev_lat, iter);
	printf("\n");
	return 0;
}

int main(int argc, char **argv)
{
	struct bench_barrier b;
	pid_t pid[MAX_LOW], hp;
	unsigned int i;
	int opt, st, ret = 0;

	hw_prog = "preempt_lat";
	while ((opt = getopt(argc, argv, "L:b:u:i:g:P:Q:S:l:h")) != -1) {
		switch (opt) {
		case 'L': nlow = bench_num(optarg, 0, MAX_LOW, usage); break;
		case 'b': blocks = bench_num(optarg, 1, 1u << 20, usage); break;
		case 'u': low_us = bench_num(optarg, 1, 10000000, usage); break;
		case 'i': iter = bench_num(optarg, 1, 100000, usage); break;
		case 'g': gap_us = bench_num(optarg, 0, 10000000, usage); break;
		case 'P': high_prio = optarg[0] == '-' ? -1 : (int)bench_num(optarg, 0, 15, usage); break;
		case 'Q': low_prio = optarg[0] == '-' ? -1 : (int)bench_num(optarg, 0, 15, usage); break;
		case 'S': seed = bench_num(optarg, 0, 1u << 31, usage); break;
		case 'l': label = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (bench_barrier_init(&b)) {
		fprintf(stderr, "preempt_lat: %s\n", strerror(errno));
		return 1;
	}
	if (bench_spawn(pid, nlow, nlow, low_client, &b, hw_prog))
		return 1;
	if (bench_barrier_ready(&b, nlow)) {
		fprintf(stderr, "preempt_lat: a low-priority client died before the start\n");
		ret = 1;
	}
	bench_barrier_release(&b);
	usleep(200000);	/* the load is running */
	fflush(stdout);
	hp = ret ? -1 : fork();
	if (hp == 0)
		_exit(high_client());
	if (hp < 0 || waitpid(hp, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
		ret = 1;
	for (i = 0; i < nlow; i++)
		kill(pid[i], SIGKILL);
	for (i = 0; i < nlow; i++)
		waitpid(pid[i], NULL, 0);
	if (ret)
		printf("PL label=%s status=failed\n", label);
	return ret;
}
