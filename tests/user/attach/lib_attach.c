// SPDX-License-Identifier: GPL-2.0
/*
 * xsched_attach_hip_stream()'s fallback (no HSA tools library loaded)
 * against the simulated GPU, through TEST DOUBLES of HIP and ROCr
 * (double/hip_double.c, libhip-double.so, over double/hsa_double.c): the
 * library dlopens the HIP double by the path in XSCHED_HIP_LIBRARY
 * exactly as it would dlopen libamdhip64.so, so the dlopen/dlsym path
 * runs for real.  Most cases run with GPU_STREAMOPS_CP_WAIT=1, where the
 * wait is a barrier the packet processor holds, the one case where the
 * fallback can see the stream's queue; "polling-kernel-wait-bounded"
 * runs ROCm's default, a polling kernel, and checks that the fallback
 * never names a wrong queue and holds the stream for a bounded time.
 * This program is dynamically linked (dlopen needs the dynamic loader);
 * the QEMU harness copies its shared libraries into the guest.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>

#include "libxsched.h"
#include "../simq.h"
#include "../xtest.h"

#define DOUBLE_PATH "/lib/xsched-test/libhip-double.so"

static void *(*xsd_stream_create)(uint32_t gpu_id, uint32_t prio, int has_queue);
static uint64_t (*xsd_stream_ring)(void *stream);
static void (*xsd_stream_set_twin)(void *stream, void *twin);
static uint64_t (*xsd_last_block_ns)(void);

/*
 * The fallback holds a stream for at most 10 ms (attach.c, XS_MARK_MS)
 * by its own clock, checked after each listing; the double sees the word
 * up to its poll (0.1 ms) later.  In a guest on a loaded host one
 * listing, or the watcher's wake-up, has taken tens of milliseconds (the
 * debug kernel: up to 115 ms over).  Bounded still, and far below what
 * an unbounded wait would show: the settle time (up to 1 s) or a
 * synchronize (10 s).
 */
#define FALLBACK_BLOCK_NS	(10000000ULL + 190000000ULL)

/* The xsched id of this process's queue with @ring, found by ring_va. */
static uint32_t by_ring(struct xsched *xs, uint64_t ring)
{
	struct xsched_queue_info *qi;
	uint32_t n, i, id = 0;

	if (xsched_get_queues(xs, XSCHED_LIST_MINE, 0, &qi, &n))
		return 0;
	for (i = 0; i < n; i++)
		if (qi[i].ring_va == ring)
			id = qi[i].id;
	free(qi);
	return id;
}

/* On a failure, what the library saw: this process's queues. */
/*
 * The fallback is bounded (10 ms per attempt): on a loaded host, or on
 * the debug kernel while kmemleak scans, an attempt can end inconclusive
 * (-EBUSY, -ENOENT), never wrong.  The positive cases try again for up
 * to 5 s (at least 5 attempts); an answer must come, and be right.
 */
#define ATTACH_RETRY_NS	5000000000ULL

static int attach_retry(struct xsched *xs, void *stream, uint32_t *id)
{
	uint64_t t0 = simq_now_ns();
	int ret = -EBUSY, i;

	for (i = 0; (i < 5 || simq_now_ns() - t0 < ATTACH_RETRY_NS) &&
		    (ret == -EBUSY || ret == -ENOENT); i++)
		ret = xsched_attach_hip_stream(xs, stream, id);
	return ret;
}

static void dump(struct xsched *xs, const char *what, void *stream)
{
	struct xsched_queue_info *qi;
	uint32_t n, i;

	printf("lib_attach_double: %s: stream ring %llx\n", what,
	       (unsigned long long)xsd_stream_ring(stream));
	if (xsched_get_queues(xs, XSCHED_LIST_MINE, 0, &qi, &n))
		return;
	for (i = 0; i < n; i++)
		printf("lib_attach_double:   queue %u ring %llx prio %u %s busy %llu ns\n",
		       qi[i].id, (unsigned long long)qi[i].ring_va,
		       qi[i].priority, xsched_queue_state_name(qi[i].state),
		       (unsigned long long)qi[i].busy_ns);
	free(qi);
}

int main(void)
{
	struct xsched *xs, *xs2;
	void *dl, *a, *b, *c, *sdma;
	uint32_t id = 0, want;
	struct simq busy;
	int sfd, ret;

	xt_prog = "lib_attach";
	xt_plan(10);
	printf("lib_attach_double: HIP here is a TEST DOUBLE (%s) over /dev/xsched_sim\n",
	       DOUBLE_PATH);
	if (xsched_open(&xs) || xsched_open(&xs2)) {
		xt_fail("setup", "cannot open /dev/xsched");
		return xt_exit();
	}

	setenv("XSCHED_HIP_LIBRARY", "/lib/xsched-test/no-such-hip.so", 1);
	xt_check_ret("no-hip-runtime-enosys",
		     xsched_attach_hip_stream(xs2, NULL, &id), -ENOSYS);
	xsched_close(xs2);
	xt_check_ret("null-id-einval", xsched_attach_hip_stream(xs, NULL, NULL),
		     -EINVAL);

	setenv("XSCHED_HIP_LIBRARY", DOUBLE_PATH, 1);
	dl = dlopen(DOUBLE_PATH, RTLD_NOW);
	if (!dl) {
		xt_fail("setup", "dlopen %s: %s", DOUBLE_PATH, dlerror());
		return xt_exit();
	}
	*(void **)&xsd_stream_create = dlsym(dl, "xsd_stream_create");
	*(void **)&xsd_stream_ring = dlsym(dl, "xsd_stream_ring");
	*(void **)&xsd_stream_set_twin = dlsym(dl, "xsd_stream_set_twin");
	*(void **)&xsd_last_block_ns = dlsym(dl, "xsd_last_block_ns");
	a = xsd_stream_create(0, 3, 1);
	b = xsd_stream_create(0, 9, 1);
	c = xsd_stream_create(0, 1, 1);
	sdma = xsd_stream_create(0, 0, 0);
	sfd = open("/dev/" XSCHED_SIM_DEVICE_NAME, O_RDWR);
	if (!a || !b || !c || !sdma || sfd < 0 || simq_create(&busy, sfd, 0, 2)) {
		xt_fail("setup", "cannot create double streams");
		return xt_exit();
	}

	/* ROCm's default: a polling kernel, which xsched does not see pending. */
	unsetenv("GPU_STREAMOPS_CP_WAIT");
	ret = xsched_attach_hip_stream(xs, a, &id);
	want = by_ring(xs, xsd_stream_ring(a));
	xt_check("polling-kernel-wait-bounded",
		 (ret == -ENOENT || ret == -EBUSY || (!ret && id == want)) &&
		 xsd_last_block_ns() <= FALLBACK_BLOCK_NS,
		 "ret %d id %u want %u, stream held %llu ns", ret, id, want,
		 (unsigned long long)xsd_last_block_ns());

	setenv("GPU_STREAMOPS_CP_WAIT", "1", 1);
	ret = attach_retry(xs, a, &id);
	want = by_ring(xs, xsd_stream_ring(a));
	xt_check("stream-a", !ret && id && id == want, "ret %d id %u want %u",
		 ret, id, want);
	if (ret || id != want)
		dump(xs, "stream-a", a);
	ret = attach_retry(xs, b, &id);
	want = by_ring(xs, xsd_stream_ring(b));
	xt_check("stream-b", !ret && id && id == want, "ret %d id %u want %u",
		 ret, id, want);
	ret = attach_retry(xs, a, &id);
	xt_check("stream-a-again", !ret && id == by_ring(xs, xsd_stream_ring(a)),
		 "ret %d id %u", ret, id);

	/* A queue of ours already busy before the marker is not a candidate. */
	simq_submit(&busy, 3000000000ULL, 1);
	ret = attach_retry(xs, c, &id);
	want = by_ring(xs, xsd_stream_ring(c));
	xt_check("other-busy-queue-ignored", !ret && id == want,
		 "ret %d id %u want %u", ret, id, want);

	ret = attach_retry(xs, NULL, &id);
	want = by_ring(xs, xsd_stream_ring(NULL));
	xt_check("null-stream", !ret && id && id == want, "ret %d id %u want %u",
		 ret, id, want);

	/*
	 * The marker's wait also blocks a second queue: the answer is
	 * ambiguous (-EBUSY).  On a loaded host the bounded window can close
	 * having seen none (-ENOENT) or only one of the two; the fallback then
	 * names that one, the stream's or its twin's (its documented limit),
	 * never a third.
	 */
	xsd_stream_set_twin(a, b);
	ret = xsched_attach_hip_stream(xs, a, &id);
	want = by_ring(xs, xsd_stream_ring(a));
	xt_check("concurrent-submit-ebusy",
		 ret == -EBUSY || ret == -ENOENT ||
		 (!ret && (id == want || id == by_ring(xs, xsd_stream_ring(b)))),
		 "ret %d id %u want -EBUSY, -ENOENT, %u or %u", ret, id, want,
		 by_ring(xs, xsd_stream_ring(b)));
	xsd_stream_set_twin(a, NULL);

	/*
	 * A stream with no queue: never an id.  -ENOENT, or, when another
	 * queue of ours started work within the window (the busy queue's
	 * long kernel, paused and resumed by the cases above, ends at some
	 * point), inconclusive -EBUSY: the fallback's documented limit.
	 * Which queue that was is printed.
	 */
	ret = xsched_attach_hip_stream(xs, sdma, &id);
	xt_check("stream-without-xsched-queue-enoent",
		 ret == -ENOENT || ret == -EBUSY,
		 "returned %d, want -ENOENT (or -EBUSY)", ret);
	if (ret == -EBUSY)
		dump(xs, "stream-without-xsched-queue: -EBUSY", sdma);

	simq_wait(&busy, busy.wdid, 10000000000ULL);
	xsched_close(xs);
	return xt_exit();
}
