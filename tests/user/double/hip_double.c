// SPDX-License-Identifier: GPL-2.0
/*
 * TEST DOUBLE of the HIP runtime -- not HIP.  libhip-double.so exports the
 * four HIP entry points libxsched dlopens for xsched_attach_hip_stream()
 * (hipExtMallocWithFlags, hipFree, hipStreamWaitValue32,
 * hipStreamSynchronize) over the ROCr test double (hsa_double.c,
 * libhsa-double.so), plus test controls (xsd_*) that only the tests call.
 *
 * As HIP does: the first stream initializes ROCr (hsa_init(), which loads
 * HSA_TOOLS_LIB); each stream's queue is made with hsa_queue_create(); a
 * packet is written after hsa_queue_add_write_index_screlease() on the
 * calling thread (direct dispatch; with AMD_DIRECT_DISPATCH=0 in the
 * environment, on a worker thread, as HIP then does), all through ROCr's
 * API table.
 *
 * hipStreamWaitValue32 is, as in ROCclr by default, a kernel that polls
 * the word: a dispatch packet without a completion signal, consumed by
 * the packet processor when it launches, so the queue never has work
 * pending behind it.  The simulator's kernels have fixed durations, so
 * the polling kernel is modelled as XSD_SLICE_NS kernels, one after
 * another, until the word holds (work enqueued on the stream meanwhile
 * is not held back by them, unlike on ROCm).  With GPU_STREAMOPS_CP_WAIT=1
 * in the environment (read at each call), it is what ROCclr then writes:
 * one barrier-value packet, which the packet processor does not consume
 * while the condition is unmet, so exactly one packet stays pending until
 * a watcher thread here sees the word hold and releases it
 * (XSCHED_SIM_IOC_RELEASE), as the packet processor would.
 */
#include <pthread.h>
#include <stdlib.h>

#include "../simq.h"
#include "../../../userlib/hsadecl.h"

#define XSD_ERR_INVALID	1	/* hipErrorInvalidValue */
#define XSD_POLL_NS	100000L	/* the watcher's poll of the word */
#define XSD_SLICE_NS	100000ULL	/* one slice of the polling kernel */
#define XSD_SYNC_NS	10000000000ULL

int hsa_init(void);
int hsa_queue_create(uint64_t agent, uint32_t size, uint32_t type,
		     xs_hsa_queue_cb cb, void *data, uint32_t priv,
		     uint32_t group, struct xs_hsa_queue_full **queue);
uint64_t hsa_queue_add_write_index_screlease(const struct xs_hsa_queue_full *q,
					     uint64_t value);
struct simq *xsh_simq(struct xs_hsa_queue_full *queue);
void xsh_set_create_priority(uint32_t priority);

struct xsd_stream {
	struct xs_hsa_queue_full *hq;
	struct simq *q;
	int has_queue;		/* 0: work goes elsewhere (like SDMA) */
	struct xsd_stream *twin;	/* blocked by the same wait */
	struct xsd_stream *twin_blocked;	/* the twin of the wait in force */
	pthread_t watcher;
	int watching, cp_wait, dispatch_err;
	uint64_t barrier, twin_barrier;	/* dispatch ids; 0 = none */
	uint64_t t_call;
	volatile uint32_t *word;
	uint32_t value, mask;
};

static struct xsd_stream *xsd_null;	/* the null stream, made on first use */
static uint64_t xsd_block_ns;		/* of the last wait that ended */
static unsigned int xsd_syncs;		/* hipStreamSynchronize calls */

struct xsd_stream *xsd_stream_create(uint32_t gpu_id, uint32_t priority,
				     int has_queue)
{
	struct xsd_stream *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->has_queue = has_queue;
	if (hsa_init()) {
		free(s);
		return NULL;
	}
	if (!has_queue)
		return s;
	xsh_set_create_priority(priority);
	if (hsa_queue_create(gpu_id, SIMQ_SLOTS, 1 /* MULTI */, NULL, NULL,
			     ~0u, ~0u, &s->hq)) {
		free(s);
		return NULL;
	}
	s->q = xsh_simq(s->hq);
	return s;
}

static struct xsd_stream *xsd_get(void *stream)
{
	if (stream)
		return stream;
	if (!xsd_null)
		xsd_null = xsd_stream_create(0, 7, 1);
	return xsd_null;
}

uint64_t xsd_stream_ring(void *stream)
{
	struct xsd_stream *s = xsd_get(stream);

	return s && s->has_queue ? (uintptr_t)s->q->ring : 0;
}

/* The stream's hsa_queue_t (NULL without a queue). */
void *xsd_stream_hsa_queue(void *stream)
{
	struct xsd_stream *s = xsd_get(stream);

	return s ? s->hq : NULL;
}

/*
 * From now on every CP-wait hipStreamWaitValue32 on @stream also blocks
 * @twin's queue (NULL: no longer): a second queue of the process that
 * goes busy at the same moment and stays busy as long.
 */
void xsd_stream_set_twin(void *stream, void *twin)
{
	xsd_get(stream)->twin = twin;
}

/* How many times hipStreamSynchronize was called. */
unsigned int xsd_sync_count(void)
{
	return __atomic_load_n(&xsd_syncs, __ATOMIC_ACQUIRE);
}

/* How long the last wait that ended held its stream, in ns. */
uint64_t xsd_last_block_ns(void)
{
	return __atomic_load_n(&xsd_block_ns, __ATOMIC_ACQUIRE);
}

static int xsd_holds(struct xsd_stream *s)
{
	return (__atomic_load_n(s->word, __ATOMIC_ACQUIRE) & s->mask) == s->value;
}

/* One slice of the polling kernel: no completion signal, like a blit. */
static uint64_t xsd_slice(struct xsd_stream *s)
{
	uint64_t work = XSD_SLICE_NS;
	uint8_t *pkt;

	hsa_queue_add_write_index_screlease(s->hq, 1);
	pkt = simq_next_packet(s->q);
	memcpy(pkt + 32, &work, 8);
	memset(pkt + 56, 0, 8);
	simq_ring(s->q);
	return s->q->wdid;
}

/* The packet processor's view of the word: poll, then release. */
static void *xsd_watch(void *arg)
{
	struct xsd_stream *s = arg;
	struct timespec ts = { 0, XSD_POLL_NS };
	uint64_t id = s->barrier;

	while (!xsd_holds(s)) {
		if (s->cp_wait) {
			nanosleep(&ts, NULL);
			continue;
		}
		/* The kernel polls on: the next slice when this one ends. */
		simq_wait(s->q, id, XSD_SYNC_NS);
		if (!xsd_holds(s))
			id = xsd_slice(s);
	}
	__atomic_store_n(&xsd_block_ns, simq_now_ns() - s->t_call,
			 __ATOMIC_RELEASE);
	if (!s->cp_wait)
		return NULL;
	simq_release(s->q, s->barrier);
	if (s->twin_barrier)
		simq_release(s->twin_blocked->q, s->twin_barrier);
	return NULL;
}

int hipExtMallocWithFlags(void **ptr, size_t size, unsigned int flags)
{
	if (!ptr || flags != 0x2)	/* only hipMallocSignalMemory */
		return XSD_ERR_INVALID;
	*ptr = calloc(1, size);
	return *ptr ? 0 : XSD_ERR_INVALID;
}

int hipFree(void *ptr)
{
	free(ptr);
	return 0;
}

static int xsd_cp_wait(void)
{
	const char *e = getenv("GPU_STREAMOPS_CP_WAIT");

	return e && (!strcmp(e, "1") || !strcmp(e, "true"));
}

/* HIP dispatches on the calling thread unless AMD_DIRECT_DISPATCH=0. */
static int xsd_direct(void)
{
	const char *e = getenv("AMD_DIRECT_DISPATCH");

	return !e || strcmp(e, "0");
}

/* The wait's packet: a slice of the polling kernel, or the CP barrier. */
static void *xsd_dispatch(void *arg)
{
	struct xsd_stream *s = arg;

	s->dispatch_err = 0;
	if (!s->cp_wait) {
		s->barrier = xsd_slice(s);
		return NULL;
	}
	hsa_queue_add_write_index_screlease(s->hq, 1);
	if (simq_barrier(s->q)) {
		s->dispatch_err = 1;
		return NULL;
	}
	s->barrier = s->q->wdid;
	s->twin_blocked = s->twin;
	if (s->twin && s->twin->has_queue && !simq_barrier(s->twin->q))
		s->twin_barrier = s->twin->q->wdid;
	return NULL;
}

int hipStreamWaitValue32(void *stream, void *ptr, uint32_t value,
			 unsigned int flags, uint32_t mask)
{
	struct xsd_stream *s = xsd_get(stream);

	if (!s || !ptr || flags != 0x1)	/* Eq only */
		return XSD_ERR_INVALID;
	/* In stream order: the wait before this one ends first. */
	if (s->watching) {
		pthread_join(s->watcher, NULL);
		s->watching = 0;
	}
	s->word = ptr;
	s->value = value & mask;
	s->mask = mask;
	s->t_call = simq_now_ns();
	s->cp_wait = xsd_cp_wait();
	s->twin_barrier = 0;
	if (!s->has_queue)
		return 0;
	if (xsd_direct()) {
		xsd_dispatch(s);
	} else {
		pthread_t worker;

		if (pthread_create(&worker, NULL, xsd_dispatch, s))
			return XSD_ERR_INVALID;
		pthread_join(worker, NULL);
	}
	if (s->dispatch_err)
		return XSD_ERR_INVALID;
	if (!s->cp_wait && xsd_holds(s)) {
		/* The kernel reads the word once and ends. */
		__atomic_store_n(&xsd_block_ns, 0, __ATOMIC_RELEASE);
		return 0;
	}
	if (pthread_create(&s->watcher, NULL, xsd_watch, s)) {
		/* Nothing will watch: release now rather than hang. */
		if (s->cp_wait) {
			simq_release(s->q, s->barrier);
			if (s->twin_barrier)
				simq_release(s->twin_blocked->q, s->twin_barrier);
		}
		return XSD_ERR_INVALID;
	}
	s->watching = 1;
	return 0;
}

int hipStreamSynchronize(void *stream)
{
	struct xsd_stream *s = xsd_get(stream);
	int ret = 0;

	__atomic_add_fetch(&xsd_syncs, 1, __ATOMIC_ACQ_REL);
	if (!s)
		return XSD_ERR_INVALID;
	if (s->watching) {
		pthread_join(s->watcher, NULL);
		s->watching = 0;
		if (s->twin_barrier &&
		    simq_wait(s->twin_blocked->q, s->twin_barrier, XSD_SYNC_NS))
			ret = XSD_ERR_INVALID;
		s->twin_barrier = 0;
	}
	if (s->has_queue && s->q->wdid &&
	    simq_wait(s->q, s->q->wdid, XSD_SYNC_NS))
		ret = XSD_ERR_INVALID;
	return ret;
}
