// SPDX-License-Identifier: GPL-2.0
/*
 * xsched_attach_hip_stream() through libxsched-hsa, the HSA tools
 * library, against the simulated GPU.  ROCr and HIP here are TEST
 * DOUBLES (double/hsa_double.c, double/hip_double.c): the ROCr double
 * loads HSA_TOOLS_LIB in hsa_init() and calls its OnLoad() with an API
 * table laid out as ROCr's, as ROCr does; the HIP double's
 * hipStreamWaitValue32 is a polling kernel, as ROCclr's is by default,
 * which the old marker heuristic cannot see.  The fallback is turned off
 * (XSCHED_ATTACH_FALLBACK=0), so every answer here comes from the tools
 * library's record, except in "worker-dispatch-falls-back": with HIP
 * dispatching on a worker thread (AMD_DIRECT_DISPATCH=0) the probe sees
 * nothing, and only then does the fallback run.  Also: the xsched priorities it applies from
 * XSCHED_PRIORITY and XSCHED_HSA_PRIORITIES, and OnLoad()'s refusal of
 * tables it does not know.  Dynamically linked, like lib_attach.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>

#include "libxsched.h"
#include "../xtest.h"

#define DIR		"/lib/xsched-test/"
#define PRIO_ALL	11	/* XSCHED_PRIORITY */
#define PRIO_HIGH	13	/* XSCHED_HSA_PRIORITIES=,,13 */
#define HSA_HIGH	2	/* HSA_AMD_QUEUE_PRIORITY_HIGH */
#define PROBE_BLOCK_NS	1000000ULL	/* the probe's wait holds nothing */

static void *(*xsd_stream_create)(uint32_t gpu_id, uint32_t prio, int has_queue);
static uint64_t (*xsd_stream_ring)(void *stream);
static void *(*xsd_stream_hsa_queue)(void *stream);
static uint64_t (*xsd_last_block_ns)(void);
static unsigned int (*xsd_sync_count)(void);
static int (*hip_sync)(void *stream);
static int (*xsh_tools)(int *failed);
static int (*hsa_set_priority)(void *queue, int priority);

/* This process's queue with @ring: its xsched id and priority. */
static uint32_t by_ring(struct xsched *xs, uint64_t ring, uint32_t *prio)
{
	struct xsched_queue_info *qi;
	uint32_t n, i, id = 0;

	if (xsched_get_queues(xs, XSCHED_LIST_MINE, 0, &qi, &n))
		return 0;
	for (i = 0; i < n; i++) {
		if (qi[i].ring_va == ring) {
			id = qi[i].id;
			if (prio)
				*prio = qi[i].priority;
		}
	}
	free(qi);
	return id;
}

static int sym(void *dl, const char *name, void *fn)
{
	*(void **)fn = dlsym(dl, name);
	return *(void **)fn != NULL;
}

/* OnLoad() of the tools library on a made-up table: it must refuse it. */
static void onload_refuses(void *tool)
{
	_Bool (*onload)(void *, uint64_t, uint64_t, const char *const *);
	struct { uint32_t major, minor, step, reserved; void *core, *amd; } api;
	struct { uint32_t major, minor, step, reserved; void *fn[64]; } core, amd;
	_Bool bad_major, short_table;
	int err, null;

	memset(&core, 0, sizeof(core));
	memset(&amd, 0, sizeof(amd));
	core.major = amd.major = 2;
	core.minor = amd.minor = sizeof(core);
	api = (typeof(api)){ 9, sizeof(api), 0, 0, &core, &amd };
	if (!sym(tool, "OnLoad", &onload)) {
		xt_fail("onload-refuses-unknown-major", "no OnLoad");
		xt_fail("onload-refuses-short-table", "no OnLoad");
		return;
	}
	/*
	 * Its refusals go to stderr; kept out of the console, where they
	 * could cut an XT line of stdout in two.
	 */
	fflush(stderr);
	err = dup(2);
	null = open("/dev/null", O_WRONLY);
	if (null >= 0)
		dup2(null, 2);
	bad_major = onload(&api, 9, 0, NULL);
	api.major = 3;
	core.minor = sizeof(core.major) * 4 + 8 * 8;	/* 8 slots only */
	short_table = onload(&api, 3, 0, NULL);
	if (err >= 0)
		dup2(err, 2);
	xt_check("onload-refuses-unknown-major", !bad_major,
		 "accepted an HsaApiTable of major version 9");
	xt_check("onload-refuses-short-table", !short_table,
		 "accepted a core table without hsa_queue_add_write_index_*");
}

int main(void)
{
	void *hip, *hsa, *tool, *a, *b, *sdma;
	uint32_t id = 0, want, prio = 0, syncs;
	struct xsched *xs;
	int failed = -1, ret;

	xt_prog = "lib_attach_tool";
	xt_plan(12);
	printf("lib_attach_tool: ROCr and HIP here are TEST DOUBLES (%s) over /dev/xsched_sim\n",
	       DIR);
	setenv("HSA_TOOLS_LIB", DIR "libxsched-hsa.so.0", 1);
	setenv("XSCHED_PRIORITY", "11", 1);
	setenv("XSCHED_HSA_PRIORITIES", ",,13", 1);
	setenv("XSCHED_ATTACH_FALLBACK", "0", 1);
	setenv("XSCHED_HIP_LIBRARY", DIR "libhip-double.so", 1);
	unsetenv("GPU_STREAMOPS_CP_WAIT");
	hip = dlopen(DIR "libhip-double.so", RTLD_NOW);
	hsa = dlopen(DIR "libhsa-double.so", RTLD_NOW);
	if (!hip || !hsa || xsched_open(&xs) ||
	    !sym(hip, "xsd_stream_create", &xsd_stream_create) ||
	    !sym(hip, "xsd_stream_ring", &xsd_stream_ring) ||
	    !sym(hip, "xsd_stream_hsa_queue", &xsd_stream_hsa_queue) ||
	    !sym(hip, "xsd_last_block_ns", &xsd_last_block_ns) ||
	    !sym(hip, "xsd_sync_count", &xsd_sync_count) ||
	    !sym(hip, "hipStreamSynchronize", &hip_sync) ||
	    !sym(hsa, "xsh_tools", &xsh_tools) ||
	    !sym(hsa, "hsa_amd_queue_set_priority", &hsa_set_priority)) {
		xt_fail("setup", "doubles or /dev/xsched: %s", dlerror());
		return xt_exit();
	}
	/* The first stream initializes ROCr, which loads the tool. */
	a = xsd_stream_create(0, 3, 1);
	b = xsd_stream_create(0, 9, 1);
	sdma = xsd_stream_create(0, 0, 0);
	if (!a || !b || !sdma) {
		xt_fail("setup", "cannot create double streams");
		return xt_exit();
	}
	ret = xsh_tools(&failed);
	xt_check("hsa-tools-lib-onload", ret == 1 && failed == 0,
		 "%d loaded, %d failed", ret, failed);

	ret = xsched_attach_hip_stream(xs, a, &id);
	want = by_ring(xs, xsd_stream_ring(a), &prio);
	xt_check("stream-exact", !ret && id && id == want,
		 "ret %d id %u want %u", ret, id, want);
	hip_sync(a);
	xt_check("probe-blocks-nothing", xsd_last_block_ns() < PROBE_BLOCK_NS,
		 "the probe's wait held the stream %llu ns",
		 (unsigned long long)xsd_last_block_ns());
	xt_check("xsched-priority-from-env", prio == PRIO_ALL,
		 "priority %u, want %u", prio, PRIO_ALL);

	ret = xsched_attach_hip_stream(xs, b, &id);
	want = by_ring(xs, xsd_stream_ring(b), NULL);
	xt_check("second-stream-exact", !ret && id && id == want,
		 "ret %d id %u want %u", ret, id, want);
	ret = xsched_attach_hip_stream(xs, NULL, &id);
	want = by_ring(xs, xsd_stream_ring(NULL), NULL);
	xt_check("null-stream-exact", !ret && id && id == want,
		 "ret %d id %u want %u", ret, id, want);

	ret = hsa_set_priority(xsd_stream_hsa_queue(b), HSA_HIGH);
	by_ring(xs, xsd_stream_ring(b), &prio);
	xt_check("hsa-high-class-priority", !ret && prio == PRIO_HIGH,
		 "ret %d priority %u, want %u", ret, prio, PRIO_HIGH);

	/* No hardware queue behind it: the probe sees none, no fallback. */
	xt_check_ret("stream-without-queue-enoent",
		     xsched_attach_hip_stream(xs, sdma, &id), -ENOENT);

	/*
	 * HIP dispatching on a worker thread: the probe sees no queue.  With
	 * the fallback off, that is -ENOENT; on, the fallback runs (it drains
	 * the stream first: the double counts hipStreamSynchronize) and, held
	 * to its bound, names the stream's queue or none, never another.
	 */
	setenv("AMD_DIRECT_DISPATCH", "0", 1);
	syncs = xsd_sync_count();
	xt_check("worker-dispatch-probe-enoent",
		 xsched_attach_hip_stream(xs, a, &id) == -ENOENT &&
		 xsd_sync_count() == syncs, "no -ENOENT, or the fallback ran");
	unsetenv("XSCHED_ATTACH_FALLBACK");
	setenv("GPU_STREAMOPS_CP_WAIT", "1", 1);
	syncs = xsd_sync_count();
	ret = xsched_attach_hip_stream(xs, a, &id);
	want = by_ring(xs, xsd_stream_ring(a), NULL);
	xt_check("worker-dispatch-falls-back", xsd_sync_count() > syncs &&
		 ((!ret && id == want) || ret == -ENOENT || ret == -EBUSY),
		 "ret %d id %u want %u, %u synchronizes", ret, id, want,
		 xsd_sync_count() - syncs);
	unsetenv("AMD_DIRECT_DISPATCH");
	unsetenv("GPU_STREAMOPS_CP_WAIT");
	setenv("XSCHED_ATTACH_FALLBACK", "0", 1);

	tool = dlopen(DIR "libxsched-hsa.so.0", RTLD_NOW | RTLD_NOLOAD);
	if (!tool) {
		xt_fail("onload-refuses-unknown-major", "tool not loaded");
		xt_fail("onload-refuses-short-table", "tool not loaded");
	} else {
		onload_refuses(tool);
	}
	xsched_close(xs);
	return xt_exit();
}
