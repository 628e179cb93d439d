// SPDX-License-Identifier: LGPL-2.1 OR MIT
/*
 * libxsched: find the xsched queue behind an HSA queue or a HIP stream.
 *
 * HSA: hsa_queue_t.base_address is the ring's virtual address, which KFD
 * (and so xsched, as ring_va) knows; LIST_QUEUES with XSCHED_LIST_MINE and
 * a match on ring_va is enough.
 *
 * HIP: there is no public stream -> queue call.  The library blocks the
 * stream with hipStreamWaitValue32() on a word only it writes, so the
 * stream's hardware queue has work pending (write dispatch id != read
 * dispatch id) for as long as the library wants; xsched's poll then shows
 * that queue non-idle.  The queue that was idle before the marker and stays
 * non-idle for the whole observation window, alone among this process's
 * queues, is the stream's.  Then the word is written and the stream
 * synchronized.  docs/libxsched.md lists what this cannot handle.
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
#include "internal.h"

struct xs_hip {
	void *dl;
	xs_hip_malloc_fn ext_malloc;	/* hipExtMallocWithFlags */
	xs_hip_free_fn free;		/* hipFree */
	xs_hip_wait_fn wait_value32;	/* hipStreamWaitValue32 */
	xs_hip_sync_fn sync;		/* hipStreamSynchronize */
};

/* How long a queue may take to show up in xsched, and the marker window. */
#define XS_FIND_MS	2000
#define XS_STABLE_MS	20
#define XS_ATTEMPTS	3
#define XS_MAX_QUEUES	256

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
	xs->hip = h;
	return 0;
}

static int xs_busy(const struct xsched_queue_info *q)
{
	return q->state != XSCHED_QUEUE_IDLE;
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
 * One attempt with the stream blocked: 0 and *id, -ENOENT (no queue of
 * ours went busy), -EBUSY (more than one did), or another error.
 */
static int xs_observe(struct xsched *xs, const struct xsched_queue_info *before,
		      uint32_t nbefore, uint32_t *id)
{
	uint32_t cand[XS_MAX_QUEUES], ncand = 0, n, i, j;
	struct xsched_queue_info *qi;
	uint64_t t0 = xs_now_ms(), tfirst = 0;
	int ret;

	for (;;) {
		ret = xsched_get_queues(xs, XSCHED_LIST_MINE, 0, &qi, &n);
		if (ret)
			return ret;
		if (!tfirst) {
			/* Candidates: busy now, idle (or absent) before. */
			for (i = 0; i < n && ncand < XS_MAX_QUEUES; i++) {
				const struct xsched_queue_info *b;

				b = xs_by_id(before, nbefore, qi[i].id);
				if (xs_busy(&qi[i]) && (!b || !xs_busy(b)))
					cand[ncand++] = qi[i].id;
			}
			if (ncand)
				tfirst = xs_now_ms();
		} else {
			/* Keep those that stay busy: the blocked one does. */
			for (i = j = 0; i < ncand; i++) {
				const struct xsched_queue_info *q;

				q = xs_by_id(qi, n, cand[i]);
				if (q && xs_busy(q))
					cand[j++] = cand[i];
			}
			ncand = j;
		}
		free(qi);
		if (tfirst && (!ncand || xs_now_ms() - tfirst >= XS_STABLE_MS))
			break;
		if (!tfirst && xs_now_ms() - t0 >= XS_FIND_MS)
			return -ENOENT;
		xs_sleep_ms(1);
	}
	if (ncand == 1) {
		*id = cand[0];
		return 0;
	}
	return -EBUSY;	/* ambiguous, or the only one went idle */
}

XS_EXPORT int xsched_attach_hip_stream(struct xsched *xs, void *stream,
				       uint32_t *id)
{
	struct xsched_queue_info *before;
	volatile uint32_t *word = NULL;
	uint32_t nbefore;
	int ret, attempt, hret;

	if (!xs || !id)
		return -EINVAL;
	ret = xs_hip_load(xs);
	if (ret)
		return ret;
	if (xs->hip->ext_malloc((void **)&word, sizeof(uint64_t),
				XS_HIP_MALLOC_SIGNAL_MEMORY) || !word)
		return -ENOMEM;
	ret = -EBUSY;
	for (attempt = 0; attempt < XS_ATTEMPTS && ret == -EBUSY; attempt++) {
		/* Drain the stream so that its queue starts idle. */
		if (xs->hip->sync(stream)) {
			ret = -EIO;
			break;
		}
		ret = xsched_get_queues(xs, XSCHED_LIST_MINE, 0, &before,
					&nbefore);
		if (ret)
			break;
		__atomic_store_n(word, 0, __ATOMIC_SEQ_CST);
		if (xs->hip->wait_value32(stream, (void *)word, 1,
					  XS_HIP_WAIT_VALUE_EQ, 0xffffffffu)) {
			free(before);
			ret = -EOPNOTSUPP;
			break;
		}
		ret = xs_observe(xs, before, nbefore, id);
		free(before);
		__atomic_store_n(word, 1, __ATOMIC_SEQ_CST);
		hret = xs->hip->sync(stream);
		if (hret && !ret)
			ret = -EIO;
	}
	xs->hip->free((void *)word);
	return ret;
}
