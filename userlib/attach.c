// SPDX-License-Identifier: LGPL-2.1 OR MIT
/*
 * libxsched: find the xsched queue behind an HSA queue or a HIP stream.
 *
 * HSA: hsa_queue_t.base_address is the ring's virtual address, which KFD
 * (and so xsched, as ring_va) knows; LIST_QUEUES with XSCHED_LIST_MINE and
 * a match on ring_va is enough.
 *
 * HIP: there is no public stream -> queue call.  With libxsched-hsa (the
 * HSA tools library, hsa-tool.c) loaded by ROCr, the answer is exact:
 * the library enqueues a stream-wait whose condition already holds
 * (hipStreamWaitValue32 on a word that is 1), which HIP dispatches on the
 * calling thread (direct dispatch, HIP's default on Linux) into the
 * stream's current hardware queue; the tools library saw which queue
 * that thread reserved a packet on.  Nothing waits, nothing is blocked.
 *
 * Without it (or when the probe sees no queue or two), a fallback: the
 * stream is blocked for at most XS_MARK_MS with hipStreamWaitValue32 on
 * a word only the library writes, and the one queue of the process whose
 * xsched busy time grows through that window is taken.  On ROCm the
 * wait is a polling kernel unless GPU_STREAMOPS_CP_WAIT=1, which xsched
 * does not see as pending work, so the fallback mostly answers -ENOENT
 * there; docs/libxsched.md says what each path can and cannot do.
 *
 * HIP is loaded with dlopen(); these are our own declarations of the four
 * public entry points used, checked against ROCm's headers by
 * rocm-check.c in make check.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hipdecl.h"
#include "hsatool.h"
#include "internal.h"

struct xs_hip {
	void *dl;
	xs_hip_malloc_fn ext_malloc;	/* hipExtMallocWithFlags */
	xs_hip_free_fn free;		/* hipFree */
	xs_hip_wait_fn wait_value32;	/* hipStreamWaitValue32 */
	xs_hip_sync_fn sync;		/* hipStreamSynchronize */
	/*
	 * Signal memory kept while the handle lives: [0] is always 1 (the
	 * probe's wait, which may still be in flight when attach returns),
	 * [1] is the fallback's marker.
	 */
	volatile uint32_t *words;
};

/*
 * How long a queue may take to show up in xsched; the fallback's bound
 * on how long it blocks a stream (XS_MARK_MS); its settle time before
 * the marker (XS_SETTLE_MS, or ten of the domain's poll periods, at most
 * XS_SETTLE_MAX_MS); and within the bound, a candidate's work must stay
 * pending for ten poll periods, over XS_STABLE_SAMPLES listings, or
 * over as many as the bound left room for, at least one after the one
 * that found it (on a loaded host one listing can take milliseconds).
 */
#define XS_FIND_MS		2000
#define XS_MARK_MS		10
#define XS_SETTLE_MS		20
#define XS_STABLE_POLLS		10
#define XS_STABLE_SAMPLES	3
#define XS_SETTLE_MAX_MS	1000
#define XS_ATTEMPTS		3
#define XS_MAX_QUEUES		256

static int xs_find_ring(struct xsched *xs, uint64_t ring, uint32_t *id)
{
	struct xsched_queue_info *qi;
	uint32_t n, i;
	int ret;

	ret = xsched_get_queues(xs, XSCHED_LIST_MINE, 0, &qi, &n);
	if (ret)
		return ret;
	ret = -ENOENT;
	for (i = 0; i < n; i++) {
		if (qi[i].ring_va == ring) {
			*id = qi[i].id;
			ret = 0;
			break;
		}
	}
	free(qi);
	return ret;
}

XS_EXPORT int xsched_attach_hsa_queue(struct xsched *xs, const void *hsa_queue,
				      uint32_t *id)
{
	const struct xs_hsa_queue *q = hsa_queue;
	uint64_t t0 = xs_now_ms();
	int ret;

	if (!xs || !q || !id || !q->base_address)
		return -EINVAL;
	/* A queue just created may need a poll period to appear. */
	for (;;) {
		ret = xs_find_ring(xs, q->base_address, id);
		if (ret != -ENOENT || xs_now_ms() - t0 >= XS_FIND_MS)
			return ret;
		xs_sleep_ms(2);
	}
}

void xs_hip_unload(struct xs_hip *hip)
{
	if (!hip)
		return;
	if (hip->words)
		hip->free((void *)hip->words);
	dlclose(hip->dl);
	free(hip);
}

static void *xs_hip_open(void)
{
	static const char *const names[] = {
		"libamdhip64.so", "libamdhip64.so.6", "libamdhip64.so.5",
	};
	const char *env = getenv("XSCHED_HIP_LIBRARY");
	void *dl;
	size_t i;

	if (env && *env)
		return dlopen(env, RTLD_NOW | RTLD_LOCAL);
	/* The stream belongs to the HIP the process already runs. */
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		dl = dlopen(names[i], RTLD_NOW | RTLD_NOLOAD);
		if (dl)
			return dl;
	}
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		dl = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
		if (dl)
			return dl;
	}
	return NULL;
}

static int xs_hip_load(struct xsched *xs)
{
	struct xs_hip *h;

	if (xs->hip)
		return 0;
	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	h->dl = xs_hip_open();
	if (!h->dl) {
		free(h);
		return -ENOSYS;
	}
	*(void **)&h->ext_malloc = dlsym(h->dl, "hipExtMallocWithFlags");
	*(void **)&h->free = dlsym(h->dl, "hipFree");
	*(void **)&h->wait_value32 = dlsym(h->dl, "hipStreamWaitValue32");
	*(void **)&h->sync = dlsym(h->dl, "hipStreamSynchronize");
	if (!h->ext_malloc || !h->free || !h->wait_value32 || !h->sync) {
		xs_hip_unload(h);
		return -ENOSYS;
	}
	if (h->ext_malloc((void **)&h->words, 2 * sizeof(uint32_t),
			  XS_HIP_MALLOC_SIGNAL_MEMORY) || !h->words) {
		h->words = NULL;
		xs_hip_unload(h);
		return -ENOMEM;
	}
	__atomic_store_n(&h->words[0], 1, __ATOMIC_SEQ_CST);
	xs->hip = h;
	return 0;
}

static const struct xsched_queue_info *
xs_by_id(const struct xsched_queue_info *qi, uint32_t n, uint32_t id)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		if (qi[i].id == id)
			return &qi[i];
	return NULL;
}

/*
 * Work pending on @q between listing @prev and now: its busy time grew.
 * The state alone cannot tell: HPF pauses idle queues below a busy level
 * too, so "paused" says nothing about work; busy_ns grows exactly while
 * xsched sees work pending, paused or not.
 */
static int xs_grew(const struct xsched_queue_info *q,
		   const struct xsched_queue_info *prev, uint32_t nprev)
{
	const struct xsched_queue_info *p = xs_by_id(prev, nprev, q->id);

	return p && q->busy_ns > p->busy_ns;
}

/*
 * Ten poll periods of domain @gpu_id, at least @min_ms, at most @max_ms
 * (unreadable, as without sysfs in a container: @min_ms).
 */
static uint64_t xs_window_ms(uint32_t gpu_id, uint64_t min_ms, uint64_t max_ms)
{
	uint64_t poll_us = 0, ms = min_ms;

	if (!xsched_domain_get_attr(gpu_id, "poll_us", &poll_us) &&
	    poll_us * XS_STABLE_POLLS / 1000 > ms)
		ms = poll_us * XS_STABLE_POLLS / 1000;
	return ms < max_ms ? ms : max_ms;
}

static int xs_in(const uint32_t *ids, uint32_t n, uint32_t id)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		if (ids[i] == id)
			return 1;
	return 0;
}

/*
 * After the drain, xsched may count a drained queue busy for a poll or
 * a decision more.  List this process's queues every millisecond until
 * the set of queues with work pending has not changed for the settle
 * time (bounded); that set, in @busy, is excluded from the candidates.
 * *@last is the final listing (the caller frees it).
 */
static int xs_settle(struct xsched *xs, struct xsched_queue_info **last,
		     uint32_t *nlast, uint32_t *busy, uint32_t *nbusy)
{
	uint64_t t0 = xs_now_ms(), tchange = t0, settle = XS_SETTLE_MS;
	struct xsched_queue_info *prev = NULL, *cur;
	uint32_t nprev = 0, n, i, nb = 0;
	int ret;

	*nbusy = 0;
	for (;;) {
		ret = xsched_get_queues(xs, XSCHED_LIST_MINE, 0, &cur, &n);
		if (ret) {
			free(prev);
			return ret;
		}
		if (prev) {
			uint32_t set[XS_MAX_QUEUES];

			for (i = nb = 0; i < n && nb < XS_MAX_QUEUES; i++)
				if (xs_grew(&cur[i], prev, nprev))
					set[nb++] = cur[i].id;
			for (i = 0; i < nb; i++)
				if (!xs_in(busy, *nbusy, set[i]))
					break;
			if (i < nb || nb != *nbusy)
				tchange = xs_now_ms();
			memcpy(busy, set, nb * sizeof(*set));
			*nbusy = nb;
		} else if (n) {
			settle = xs_window_ms(cur[0].gpu_id, XS_SETTLE_MS,
					      XS_SETTLE_MAX_MS);
		}
		free(prev);
		prev = cur;
		nprev = n;
		if (xs_now_ms() - tchange >= settle ||
		    xs_now_ms() - t0 >= XS_SETTLE_MAX_MS)
			break;
		xs_sleep_ms(1);
	}
	*last = prev;
	*nlast = nprev;
	return 0;
}

/*
 * One attempt with the stream blocked since @tmark, for at most
 * XS_MARK_MS from then: 0 and *id, -ENOENT (no queue of ours took work),
 * -EBUSY (more than one did, or the only one stopped, or the bound came
 * before the one had stayed pending for the window), or another error.
 * @prev is the settled listing (freed here); @busy the queues that had
 * work before the marker.
 */
static int xs_observe(struct xsched *xs, struct xsched_queue_info *prev,
		      uint32_t nprev, const uint32_t *busy, uint32_t nbusy,
		      uint64_t tmark, uint32_t *id)
{
	uint32_t cand[XS_MAX_QUEUES], ncand = 0, n, i, j, samples = 0;
	uint64_t tfirst = 0, window = 0;
	struct xsched_queue_info *qi;
	int ret, stable = 0, closed = 0;

	for (;;) {
		ret = xsched_get_queues(xs, XSCHED_LIST_MINE, 0, &qi, &n);
		if (ret) {
			free(prev);
			return ret;
		}
		if (tfirst) {
			/* Keep those whose work stays pending: the blocked one's does. */
			for (i = j = 0; i < ncand; i++) {
				const struct xsched_queue_info *q;

				q = xs_by_id(qi, n, cand[i]);
				if (q && xs_grew(q, prev, nprev))
					cand[j++] = cand[i];
			}
			ncand = j;
			samples++;
		}
		/*
		 * Candidates: taking work now, and none before the marker.  A
		 * queue that starts during the window joins them (xsched may
		 * see two queues blocked together one poll apart): any second
		 * one makes the answer ambiguous.
		 */
		for (i = 0; i < n && ncand < XS_MAX_QUEUES; i++) {
			if (xs_grew(&qi[i], prev, nprev) &&
			    !xs_in(busy, nbusy, qi[i].id) &&
			    !xs_in(cand, ncand, qi[i].id)) {
				if (!tfirst) {
					tfirst = xs_now_ms();
					window = xs_window_ms(qi[i].gpu_id, 1,
							      XS_MARK_MS);
				}
				cand[ncand++] = qi[i].id;
			}
		}
		free(prev);
		prev = qi;
		nprev = n;
		stable = tfirst && xs_now_ms() - tfirst >= window && samples;
		closed = stable && samples >= XS_STABLE_SAMPLES;
		if (closed || (tfirst && !ncand) ||
		    xs_now_ms() - tmark >= XS_MARK_MS)
			break;
		xs_sleep_ms(1);
	}
	free(prev);
	if (!tfirst)
		return -ENOENT;
	if (ncand == 1 && stable) {
		*id = cand[0];
		return 0;
	}
	return -EBUSY;	/* ambiguous, went idle, or the bound came first */
}

/* The tools library ROCr loaded into this process, if it is active. */
static const struct xs_hsa_tool *xs_hsa_tool(void)
{
	const char *env = getenv("HSA_TOOLS_LIB");
	const struct xs_hsa_tool *t = NULL;
	char names[1024], *name, *save;
	xs_hsa_tool_fn fn;
	void *dl = NULL;

	/* ROCr splits HSA_TOOLS_LIB at spaces; a name may be a path. */
	if (env && strlen(env) < sizeof(names)) {
		memcpy(names, env, strlen(env) + 1);
		for (name = strtok_r(names, " ", &save); name && !dl;
		     name = strtok_r(NULL, " ", &save))
			if (strstr(name, "xsched-hsa"))
				dl = dlopen(name, RTLD_NOW | RTLD_NOLOAD);
	}
	if (!dl)
		dl = dlopen(XS_HSA_TOOL_SONAME, RTLD_NOW | RTLD_NOLOAD);
	if (!dl)
		return NULL;
	*(void **)&fn = dlsym(dl, "xsched_hsa_tool");
	if (fn)
		t = fn();
	/* ROCr holds its own reference: the library stays loaded. */
	dlclose(dl);
	return t && t->abi == XS_HSA_TOOL_ABI && t->active ? t : NULL;
}

/*
 * Exact: which queue the calling thread writes a packet to when it
 * enqueues a wait that is already satisfied on @stream.  *@seen is the
 * probe's own verdict (-ENOENT: no queue, -EBUSY: two); only then is the
 * fallback worth trying.
 */
static int xs_attach_probe(struct xsched *xs, const struct xs_hsa_tool *t,
			   void *stream, uint32_t *id, int *seen)
{
	uint64_t ring = 0;
	int ret;

	t->probe_begin();
	ret = xs->hip->wait_value32(stream, (void *)&xs->hip->words[0], 1,
				    XS_HIP_WAIT_VALUE_EQ, 0xffffffffu);
	*seen = t->probe_end(&ring);
	if (ret)
		return -EOPNOTSUPP;
	if (*seen)
		return *seen;
	/* A queue xsched does not know (a GPU it does not manage): -ENOENT. */
	return xs_find_ring(xs, ring, id);
}

static int xs_attach_marker(struct xsched *xs, void *stream, uint32_t *id)
{
	volatile uint32_t *word = &xs->hip->words[1];
	uint32_t busy[XS_MAX_QUEUES], nbusy, nlast;
	struct xsched_queue_info *last;
	int ret = -EBUSY, attempt, hret;

	/* No candidate is retried too: xsched may not have seen it in time. */
	for (attempt = 0; attempt < XS_ATTEMPTS && (ret == -EBUSY || ret == -ENOENT);
	     attempt++) {
		/* Drain the stream so that its queue starts idle. */
		if (xs->hip->sync(stream))
			return -EIO;
		ret = xs_settle(xs, &last, &nlast, busy, &nbusy);
		if (ret)
			break;
		__atomic_store_n(word, 0, __ATOMIC_SEQ_CST);
		if (xs->hip->wait_value32(stream, (void *)word, 1,
					  XS_HIP_WAIT_VALUE_EQ, 0xffffffffu)) {
			__atomic_store_n(word, 1, __ATOMIC_SEQ_CST);
			free(last);
			return -EOPNOTSUPP;
		}
		ret = xs_observe(xs, last, nlast, busy, nbusy, xs_now_ms(), id);
		__atomic_store_n(word, 1, __ATOMIC_SEQ_CST);
		hret = xs->hip->sync(stream);
		if (hret && !ret)
			ret = -EIO;
	}
	return ret;
}

XS_EXPORT int xsched_attach_hip_stream(struct xsched *xs, void *stream,
				       uint32_t *id)
{
	const struct xs_hsa_tool *t;
	const char *fb;
	int ret, seen = 0;

	if (!xs || !id)
		return -EINVAL;
	ret = xs_hip_load(xs);
	if (ret)
		return ret;
	t = xs_hsa_tool();
	if (t) {
		ret = xs_attach_probe(xs, t, stream, id, &seen);
		if (!seen)
			return ret;
	}
	fb = getenv("XSCHED_ATTACH_FALLBACK");
	if (fb && !strcmp(fb, "0"))
		return t ? ret : -ENOENT;
	return xs_attach_marker(xs, stream, id);
}
