// SPDX-License-Identifier: GPL-2.0
/*
 * Attach on a real GPU: with libxsched-hsa loaded by ROCr (HSA_TOOLS_LIB,
 * set by bench/hw/run.sh) and XSCHED_HSA_PRIORITIES=LOW,NORMAL,HIGH set
 * here before HIP starts, creates streams at HIP's lowest and highest
 * priority and NORMAL plain ones, attaches each with
 * xsched_attach_hip_stream() (the fallback off: every answer is the
 * tools library's), and checks against xsched's own list of this
 * process's queues: each answer is a queue of this process, the
 * low/high streams' queues have the xsched priorities of their HIP class,
 * and streams of different classes are on different queues.  Also times
 * each attach and checks that a running kernel on the stream is not
 * held up by it.
 *
 * Prints "ATTACH stream=..." lines and one "ATTACH label=... status=..."
 * summary; exit 0 if every check held, 1 if not.
 */
#include <libxsched.h>

#include "hw.h"

#define NSTREAMS 4

static const unsigned int class_prio[3] = { 2, 7, 12 };	/* LOW, NORMAL, HIGH */

static void usage(FILE *f)
{
	fprintf(f, "usage: attach_check [-l LABEL]\n");
}

/* This process's queue @id in xsched's list: 0 and *out, or -ENOENT. */
static int mine(struct xsched *xs, uint32_t id, struct xsched_queue_info *out)
{
	struct xsched_queue_info *qi;
	uint32_t n, i;
	int ret = xsched_get_queues(xs, XSCHED_LIST_MINE, 0, &qi, &n);

	if (ret)
		return ret;
	ret = -ENOENT;
	for (i = 0; i < n; i++)
		if (qi[i].id == id) {
			*out = qi[i];
			ret = 0;
		}
	free(qi);
	return ret;
}

int main(int argc, char **argv)
{
	const char *name[NSTREAMS] = { "low", "high", "normal-1", "normal-2" };
	struct xsched_queue_info qi[NSTREAMS];
	uint32_t id[NSTREAMS] = { 0 };
	hipStream_t s[NSTREAMS];
	const char *label = "run";
	int least, greatest, i, opt, ret, ok = 1, exact = 0;
	struct xsched *xs;
	unsigned long long *start;
	uint64_t t0, us;

	hw_prog = "attach_check";
	while ((opt = getopt(argc, argv, "l:h")) != -1) {
		switch (opt) {
		case 'l': label = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (!getenv("HSA_TOOLS_LIB")) {
		fprintf(stderr, "attach_check: HSA_TOOLS_LIB is not set (bench/hw/run.sh sets it)\n");
		return 1;
	}
	setenv("XSCHED_HSA_PRIORITIES", "2,7,12", 1);
	setenv("XSCHED_ATTACH_FALLBACK", "0", 1);
	ret = xsched_open(&xs);
	if (ret) {
		fprintf(stderr, "attach_check: /dev/xsched: %s\n", strerror(-ret));
		return 1;
	}
	HW_OK(hipDeviceGetStreamPriorityRange(&least, &greatest));
	HW_OK(hipStreamCreateWithPriority(&s[0], hipStreamDefault, least));
	HW_OK(hipStreamCreateWithPriority(&s[1], hipStreamDefault, greatest));
	HW_OK(hipStreamCreate(&s[2]));
	HW_OK(hipStreamCreate(&s[3]));
	HW_OK(hipHostMalloc((void **)&start, sizeof(*start), hipHostMallocDefault));
	for (i = 0; i < NSTREAMS; i++) {
		/* A queue exists once the stream has run something. */
		hipLaunchKernelGGL(hw_spin, dim3(1), dim3(64), 0, s[i], 0ULL, start);
		HW_OK(hipStreamSynchronize(s[i]));
	}
	for (i = 0; i < NSTREAMS; i++) {
		t0 = hw_now_ns();
		ret = xsched_attach_hip_stream(xs, s[i], &id[i]);
		us = (hw_now_ns() - t0) / 1000;
		if (!ret)
			ret = mine(xs, id[i], &qi[i]);
		printf("ATTACH stream=%s ret=%d id=%u attach_us=%llu", name[i], ret,
		       id[i], (unsigned long long)us);
		if (!ret) {
			exact++;
			printf(" priority=%u ring_va=0x%llx", qi[i].priority,
			       (unsigned long long)qi[i].ring_va);
		} else {
			ok = 0;
		}
		printf("\n");
	}
	if (exact == NSTREAMS) {
		ok &= qi[0].priority == class_prio[0] && qi[1].priority == class_prio[2];
		ok &= id[0] != id[1] && id[0] != id[2] && id[1] != id[2];
	}
	/* Attach while a 100 ms kernel runs: it must not wait for it. */
	hipLaunchKernelGGL(hw_spin, dim3(1), dim3(64), 0, s[2],
			   (unsigned long long)(100000 * hw_ticks_per_us()), start);
	t0 = hw_now_ns();
	ret = xsched_attach_hip_stream(xs, s[2], &id[2]);
	us = (hw_now_ns() - t0) / 1000;
	HW_OK(hipStreamSynchronize(s[2]));
	ok &= us < 50000;
	printf("ATTACH label=%s status=%s streams=%d exact=%d low_prio=%u high_prio=%u busy_attach_ret=%d busy_attach_us=%llu\n",
	       label, ok && !ret ? "ok" : "failed", NSTREAMS, exact,
	       exact == NSTREAMS ? qi[0].priority : 0,
	       exact == NSTREAMS ? qi[1].priority : 0, ret,
	       (unsigned long long)us);
	xsched_close(xs);
	return ok && !ret ? 0 : 1;
}
