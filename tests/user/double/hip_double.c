// SPDX-License-Identifier: GPL-2.0
/*
 * TEST DOUBLE of the HIP runtime -- not HIP.  libhip-double.so exports the
 * four HIP entry points libxsched dlopens for xsched_attach_hip_stream()
 * (hipExtMallocWithFlags, hipFree, hipStreamWaitValue32,
 * hipStreamSynchronize), implemented on queues of the simulated GPU
 * (/dev/xsched_sim, simq.h), plus test controls (xsd_*) that only the
 * tests call.  A "stream" is a simq.
 *
 * hipStreamWaitValue32 does what ROCm does on a hardware queue: it writes
 * one barrier-value packet, which the packet processor does not consume
 * while the condition is unmet, so exactly one packet stays pending
 * (write dispatch id = read dispatch id + 1) until the host writes the
 * word.  The simulator does not read the word itself; a watcher thread
 * here polls it, as the packet processor would, and releases the packet
 * (XSCHED_SIM_IOC_RELEASE) once (*word & mask) == value.
 */
#include <pthread.h>
#include <stdlib.h>

#include "../simq.h"

#define XSD_ERR_INVALID	1	/* hipErrorInvalidValue */
#define XSD_POLL_NS	100000L	/* the watcher's poll of the word */
#define XSD_SYNC_NS	10000000000ULL

struct xsd_stream {
	struct simq q;
	int has_queue;		/* 0: work goes elsewhere (like SDMA) */
	struct xsd_stream *twin;	/* blocked by the same wait */
	struct xsd_stream *twin_blocked;	/* the twin of the wait in force */
	pthread_t watcher;
	int watching;
	uint64_t barrier, twin_barrier;	/* dispatch ids; 0 = none */
	volatile uint32_t *word;
	uint32_t value, mask;
};

static int xsd_fd = -1;
static struct xsd_stream *xsd_null;	/* the null stream, made on first use */

struct xsd_stream *xsd_stream_create(uint32_t gpu_id, uint32_t priority,
				     int has_queue)
{
	struct xsd_stream *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->has_queue = has_queue;
	if (!has_queue)
		return s;
	if (xsd_fd < 0)
		xsd_fd = open("/dev/" XSCHED_SIM_DEVICE_NAME, O_RDWR | O_CLOEXEC);
	if (xsd_fd < 0 || simq_create(&s->q, xsd_fd, gpu_id, priority)) {
		free(s);
		return NULL;
	}
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

	return s && s->has_queue ? (uintptr_t)s->q.ring : 0;
}

/*
 * From now on every hipStreamWaitValue32 on @stream also blocks @twin's
 * queue (NULL: no longer): a second queue of the process that goes busy
 * at the same moment and stays busy as long.
 */
void xsd_stream_set_twin(void *stream, void *twin)
{
	xsd_get(stream)->twin = twin;
}

/* The packet processor's view of the word: poll, then release. */
static void *xsd_watch(void *arg)
{
	struct xsd_stream *s = arg;
	struct timespec ts = { 0, XSD_POLL_NS };

	while ((__atomic_load_n(s->word, __ATOMIC_ACQUIRE) & s->mask) != s->value)
		nanosleep(&ts, NULL);
	simq_release(&s->q, s->barrier);
	if (s->twin_barrier)
		simq_release(&s->twin_blocked->q, s->twin_barrier);
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

int hipStreamWaitValue32(void *stream, void *ptr, uint32_t value,
			 unsigned int flags, uint32_t mask)
{
	struct xsd_stream *s = xsd_get(stream);

	if (!s || !ptr || flags != 0x1 || s->watching)	/* Eq only */
		return XSD_ERR_INVALID;
	s->word = ptr;
	s->value = value & mask;
	s->mask = mask;
	if (!s->has_queue)
		return 0;
	if (simq_barrier(&s->q))
		return XSD_ERR_INVALID;
	s->barrier = s->q.wdid;
	s->twin_barrier = 0;
	s->twin_blocked = s->twin;
	if (s->twin && s->twin->has_queue && !simq_barrier(&s->twin->q))
		s->twin_barrier = s->twin->q.wdid;
	if (pthread_create(&s->watcher, NULL, xsd_watch, s)) {
		/* Nothing will watch: release now rather than hang. */
		simq_release(&s->q, s->barrier);
		if (s->twin_barrier)
			simq_release(&s->twin_blocked->q, s->twin_barrier);
		return XSD_ERR_INVALID;
	}
	s->watching = 1;
	return 0;
}

int hipStreamSynchronize(void *stream)
{
	struct xsd_stream *s = xsd_get(stream);
	int ret = 0;

	if (!s)
		return XSD_ERR_INVALID;
	if (s->watching) {
		pthread_join(s->watcher, NULL);
		s->watching = 0;
		if (s->twin_barrier &&
		    simq_wait(&s->twin_blocked->q, s->twin_barrier, XSD_SYNC_NS))
			ret = XSD_ERR_INVALID;
		s->twin_barrier = 0;
	}
	if (s->has_queue && s->q.wdid &&
	    simq_wait(&s->q, s->q.wdid, XSD_SYNC_NS))
		ret = XSD_ERR_INVALID;
	return ret;
}
