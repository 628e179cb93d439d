// SPDX-License-Identifier: GPL-2.0
/*
 * How late a sleeping thread wakes up in this (virtual) machine: ITER
 * times, sleeps SLEEP_US and records the time beyond it.  Under QEMU TCG
 * this is the noise floor under every latency the benchmarks print.
 * Prints one "NOISE ..." line: P50, P99 and maximum lateness in us.
 */
#include <time.h>

#include "bench.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: timer_noise [-i ITER] [-u SLEEP_US] [-l LABEL]\n"
		   "  defaults: -i 2000 -u 100 -l run\n");
}

int main(int argc, char **argv)
{
	unsigned int iter = 2000, sleep_us = 100, i;
	const char *label = "run";
	uint64_t *late;
	int opt;

	while ((opt = getopt(argc, argv, "i:u:l:h")) != -1) {
		switch (opt) {
		case 'i': iter = bench_num(optarg, 1, 1000000, usage); break;
		case 'u': sleep_us = bench_num(optarg, 1, 1000000, usage); break;
		case 'l': label = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	late = calloc(iter, sizeof(*late));
	if (!late)
		return 1;
	for (i = 0; i < iter; i++) {
		struct timespec ts = { 0, sleep_us * 1000L };
		uint64_t t0 = simq_now_ns(), d;

		nanosleep(&ts, NULL);
		d = simq_now_ns() - t0;
		late[i] = d > sleep_us * US ? d - sleep_us * US : 0;
	}
	printf("NOISE label=%s sleep_us=%u iter=%u late_p50_us=%.1f late_p99_us=%.1f late_max_us=%.1f\n",
	       label, sleep_us, iter, bench_pct(late, iter, 50) / 1000.0,
	       bench_pct(late, iter, 99) / 1000.0,
	       bench_pct(late, iter, 100) / 1000.0);
	return 0;
}
