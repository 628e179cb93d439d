// SPDX-License-Identifier: LGPL-2.1 OR MIT
/*
 * libxsched-hsa: an HSA tools library.  ROCr loads the libraries named
 * in HSA_TOOLS_LIB during hsa_init() and calls their OnLoad() with its
 * API table before any application call goes through that table (every
 * exported hsa_* function of libhsa-runtime64 calls through it).  This
 * one wraps, in that table:
 *
 *   hsa_queue_create, hsa_queue_destroy    every queue the process has,
 *                                          by its ring (base_address),
 *                                          the ring_va xsched knows;
 *   hsa_amd_queue_set_priority             the HSA priority class of each;
 *   hsa_queue_add_write_index_*            which queue a thread writes
 *                                          packets to (the probe that
 *                                          maps a HIP stream to its queue).
 *
 * and, if the environment asks for it (XSCHED_PRIORITY, XSCHED_HSA_PRIORITIES),
 * gives each queue an xsched priority when it is created and when its
 * HSA priority changes.  libxsched finds the record through
 * xsched_hsa_tool() (hsatool.h).  libxsched-hsa(7) has the details.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hsadecl.h"
#include "hsatool.h"
#include "libxsched.h"

#define XS_TOOL_EXPORT __attribute__((visibility("default")))
#define XS_NO_PRIORITY	(-1)

struct xs_rec {
	const struct xs_hsa_queue_full *q;
	uint64_t ring;
	int hsa_priority;
};

static struct {
	pthread_mutex_t lock;
	struct xs_rec *recs;
	uint32_t n, cap;
	xs_hsa_queue_create_fn create;
	xs_hsa_queue_destroy_fn destroy;
	xs_hsa_set_priority_fn set_priority;
	xs_hsa_add_write_fn add[4];
	int prio_all;				/* XSCHED_PRIORITY */
	int prio_class[XS_HSA_QUEUE_PRIORITIES];	/* XSCHED_HSA_PRIORITIES */
	struct xsched *xs;
	int xs_failed;
} xs_tool = { .lock = PTHREAD_MUTEX_INITIALIZER };

static __thread struct {
	int on, many;
	uint64_t ring;
} xs_probe;

static struct xs_hsa_tool xs_tool_iface;

static void xs_tool_warn(const char *fmt, const char *arg, int err)
{
	fprintf(stderr, "libxsched-hsa: ");
	fprintf(stderr, fmt, arg);
	if (err)
		fprintf(stderr, ": %s", strerror(err));
	fprintf(stderr, "\n");
}

/* The xsched priority for a queue of HSA class @cls, or XS_NO_PRIORITY. */
static int xs_tool_priority(int cls)
{
	if (cls >= 0 && cls < XS_HSA_QUEUE_PRIORITIES &&
	    xs_tool.prio_class[cls] != XS_NO_PRIORITY)
		return xs_tool.prio_class[cls];
	return xs_tool.prio_all;
}

/* Called with the lock held: the first failure is reported, then no more. */
static void xs_tool_apply(const struct xs_hsa_queue_full *q, int cls)
{
	int prio = xs_tool_priority(cls), ret;
	uint32_t id;

	if (prio == XS_NO_PRIORITY || xs_tool.xs_failed)
		return;
	if (!xs_tool.xs) {
		ret = xsched_open(&xs_tool.xs);
		if (ret) {
			xs_tool.xs_failed = 1;
			xs_tool_warn("cannot open %s; no priority applied",
				     "/dev/xsched", -ret);
			return;
		}
	}
	ret = xsched_attach_hsa_queue(xs_tool.xs, q, &id);
	if (!ret)
		ret = xsched_set_priority(xs_tool.xs, id, (uint32_t)prio);
	if (ret) {
		xs_tool.xs_failed = 1;
		xs_tool_warn("%s: no priority applied from now on",
			     ret == -ENOENT ? "a queue is unknown to xsched" :
			     "setting a queue's priority failed", -ret);
	}
}

static int xs_tool_queue_create(uint64_t agent, uint32_t size, uint32_t type,
				xs_hsa_queue_cb cb, void *data, uint32_t priv,
				uint32_t group, struct xs_hsa_queue_full **queue)
{
	int st = xs_tool.create(agent, size, type, cb, data, priv, group, queue);
	struct xs_rec *r;

	if (st != XS_HSA_STATUS_SUCCESS || !queue || !*queue)
		return st;
	pthread_mutex_lock(&xs_tool.lock);
	if (xs_tool.n == xs_tool.cap) {
		uint32_t cap = xs_tool.cap ? 2 * xs_tool.cap : 16;

		r = realloc(xs_tool.recs, cap * sizeof(*r));
		if (!r) {
			pthread_mutex_unlock(&xs_tool.lock);
			return st;	/* unrecorded; attach falls back */
		}
		xs_tool.recs = r;
		xs_tool.cap = cap;
	}
	r = &xs_tool.recs[xs_tool.n++];
	r->q = *queue;
	r->ring = (*queue)->base_address;
	r->hsa_priority = XS_HSA_QUEUE_PRIORITY_NORMAL;	/* ROCr's default */
	xs_tool_apply(*queue, r->hsa_priority);
	pthread_mutex_unlock(&xs_tool.lock);
	return st;
}

static struct xs_rec *xs_tool_find(const struct xs_hsa_queue_full *q)
{
	uint32_t i;

	for (i = 0; i < xs_tool.n; i++)
		if (xs_tool.recs[i].q == q)
			return &xs_tool.recs[i];
	return NULL;
}

static int xs_tool_queue_destroy(struct xs_hsa_queue_full *queue)
{
	struct xs_rec *r;

	pthread_mutex_lock(&xs_tool.lock);
	r = xs_tool_find(queue);
	if (r)
		*r = xs_tool.recs[--xs_tool.n];
	pthread_mutex_unlock(&xs_tool.lock);
	return xs_tool.destroy(queue);
}

static int xs_tool_set_priority(struct xs_hsa_queue_full *queue, int priority)
{
	int st = xs_tool.set_priority(queue, priority);
	struct xs_rec *r;

	if (st != XS_HSA_STATUS_SUCCESS)
		return st;
	pthread_mutex_lock(&xs_tool.lock);
	r = xs_tool_find(queue);
	if (r && r->hsa_priority != priority) {
		r->hsa_priority = priority;
		xs_tool_apply(queue, priority);
	}
	pthread_mutex_unlock(&xs_tool.lock);
	return st;
}

static void xs_tool_saw(const struct xs_hsa_queue_full *q)
{
	if (!xs_probe.on || !q)
		return;
	if (!xs_probe.ring)
		xs_probe.ring = q->base_address;
	else if (xs_probe.ring != q->base_address)
		xs_probe.many = 1;
}

#define XS_TOOL_ADD_WRITE(name, i)					\
static uint64_t name(const struct xs_hsa_queue_full *q, uint64_t v)	\
{									\
	xs_tool_saw(q);							\
	return xs_tool.add[i](q, v);					\
}
XS_TOOL_ADD_WRITE(xs_tool_add_scacq_screl, 0)
XS_TOOL_ADD_WRITE(xs_tool_add_scacquire, 1)
XS_TOOL_ADD_WRITE(xs_tool_add_relaxed, 2)
XS_TOOL_ADD_WRITE(xs_tool_add_screlease, 3)

static uint32_t xs_tool_rings(uint64_t *rings, uint32_t max)
{
	uint32_t i, n;

	pthread_mutex_lock(&xs_tool.lock);
	n = xs_tool.n;
	for (i = 0; i < n && i < max; i++)
		rings[i] = xs_tool.recs[i].ring;
	pthread_mutex_unlock(&xs_tool.lock);
	return n;
}

static void xs_tool_probe_begin(void)
{
	xs_probe.ring = 0;
	xs_probe.many = 0;
	xs_probe.on = 1;
}

static int xs_tool_probe_end(uint64_t *ring)
{
	xs_probe.on = 0;
	if (!xs_probe.ring)
		return -ENOENT;
	if (xs_probe.many)
		return -EBUSY;
	*ring = xs_probe.ring;
	return 0;
}

XS_TOOL_EXPORT const struct xs_hsa_tool *xsched_hsa_tool(void)
{
	return &xs_tool_iface;
}

/* An xsched priority 0..15 from @s; XS_NO_PRIORITY for "" or NULL. */
static int xs_tool_parse_prio(const char *s, int *prio)
{
	char *end;
	long v;

	*prio = XS_NO_PRIORITY;
	if (!s || !*s)
		return 0;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 0 || v > 15)
		return -EINVAL;
	*prio = (int)v;
	return 0;
}

/* XSCHED_PRIORITY=N; XSCHED_HSA_PRIORITIES=LOW,NORMAL,HIGH (each may be empty). */
static void xs_tool_env(void)
{
	const char *all = getenv("XSCHED_PRIORITY");
	const char *map = getenv("XSCHED_HSA_PRIORITIES");
	char buf[64], *field, *save = NULL;
	int i = 0;

	for (i = 0; i < XS_HSA_QUEUE_PRIORITIES; i++)
		xs_tool.prio_class[i] = XS_NO_PRIORITY;
	if (xs_tool_parse_prio(all, &xs_tool.prio_all))
		xs_tool_warn("XSCHED_PRIORITY=%s is not a priority 0..15; ignored",
			     all, 0);
	if (!map || !*map)
		return;
	if (strlen(map) >= sizeof(buf))
		goto bad;
	memcpy(buf, map, strlen(map) + 1);
	/* strsep, not strtok: an empty field keeps its place. */
	for (i = 0, save = buf; (field = strsep(&save, ",")); i++) {
		if (i >= XS_HSA_QUEUE_PRIORITIES ||
		    xs_tool_parse_prio(field, &xs_tool.prio_class[i]))
			goto bad;
	}
	if (i == XS_HSA_QUEUE_PRIORITIES)
		return;
bad:
	for (i = 0; i < XS_HSA_QUEUE_PRIORITIES; i++)
		xs_tool.prio_class[i] = XS_NO_PRIORITY;
	xs_tool_warn("XSCHED_HSA_PRIORITIES=%s is not LOW,NORMAL,HIGH (each 0..15 or empty); ignored",
		     map, 0);
}

/* @t has slot @slot, and its major version is one we know. */
static int xs_tool_has(const struct xs_api_table *t, unsigned int slot,
		       uint32_t major_max)
{
	return t && t->version.major_id >= 1 &&
	       t->version.major_id <= major_max &&
	       t->version.minor_id >= sizeof(t->version) +
				     (slot + 1) * sizeof(void *);
}

/*
 * ROCr's tool entry point.  @runtime_version is, in ROCr, the API
 * table's major version; the table itself is checked instead.  false
 * makes ROCr unload this library and report it as failed.
 */
XS_TOOL_EXPORT _Bool OnLoad(void *table, uint64_t runtime_version,
			    uint64_t failed_tool_count,
			    const char *const *failed_tool_names)
{
	struct xs_hsa_api_table *api = table;
	struct xs_api_table *core, *amd;
	unsigned int prio_slot;
	void **fn;

	(void)runtime_version;
	(void)failed_tool_count;
	(void)failed_tool_names;
	if (!api || api->version.major_id < 1 ||
	    api->version.major_id > XS_HSA_API_MAJOR_MAX ||
	    api->version.minor_id < sizeof(*api)) {
		xs_tool_warn("%s: unknown HSA API table version; not loaded",
			     "OnLoad", 0);
		return 0;
	}
	core = api->core;
	amd = api->amd_ext;
	if (!xs_tool_has(core, XS_CORE_ADD_WRITE_SCRELEASE, XS_HSA_CORE_MAJOR_MAX) ||
	    !amd || !xs_tool_has(amd, XS_AMD_QUEUE_SET_PRIORITY(amd->version.major_id),
				 XS_HSA_AMD_EXT_MAJOR_MAX)) {
		xs_tool_warn("%s: unknown core or AMD extension table; not loaded",
			     "OnLoad", 0);
		return 0;
	}
	xs_tool_env();
	fn = core->fn;
	*(void **)&xs_tool.create = fn[XS_CORE_QUEUE_CREATE];
	*(void **)&xs_tool.destroy = fn[XS_CORE_QUEUE_DESTROY];
	*(void **)&xs_tool.add[0] = fn[XS_CORE_ADD_WRITE_SCACQ_SCREL];
	*(void **)&xs_tool.add[1] = fn[XS_CORE_ADD_WRITE_SCACQUIRE];
	*(void **)&xs_tool.add[2] = fn[XS_CORE_ADD_WRITE_RELAXED];
	*(void **)&xs_tool.add[3] = fn[XS_CORE_ADD_WRITE_SCRELEASE];
	prio_slot = XS_AMD_QUEUE_SET_PRIORITY(amd->version.major_id);
	*(void **)&xs_tool.set_priority = amd->fn[prio_slot];
	fn[XS_CORE_QUEUE_CREATE] = (void *)xs_tool_queue_create;
	fn[XS_CORE_QUEUE_DESTROY] = (void *)xs_tool_queue_destroy;
	fn[XS_CORE_ADD_WRITE_SCACQ_SCREL] = (void *)xs_tool_add_scacq_screl;
	fn[XS_CORE_ADD_WRITE_SCACQUIRE] = (void *)xs_tool_add_scacquire;
	fn[XS_CORE_ADD_WRITE_RELAXED] = (void *)xs_tool_add_relaxed;
	fn[XS_CORE_ADD_WRITE_SCRELEASE] = (void *)xs_tool_add_screlease;
	amd->fn[prio_slot] = (void *)xs_tool_set_priority;
	xs_tool_iface = (struct xs_hsa_tool){
		.abi = XS_HSA_TOOL_ABI,
		.active = 1,
		.rings = xs_tool_rings,
		.probe_begin = xs_tool_probe_begin,
		.probe_end = xs_tool_probe_end,
	};
	return 1;
}

/* ROCr resets its table after this; the record is dropped with it. */
XS_TOOL_EXPORT void OnUnload(void)
{
	pthread_mutex_lock(&xs_tool.lock);
	xs_tool_iface.active = 0;
	xs_tool.n = 0;
	if (xs_tool.xs)
		xsched_close(xs_tool.xs);
	xs_tool.xs = NULL;
	pthread_mutex_unlock(&xs_tool.lock);
}
