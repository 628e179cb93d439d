// SPDX-License-Identifier: GPL-2.0
/*
 * TEST DOUBLE of the HIP runtime -- not HIP.  libhip-double.so exports the
 * four HIP entry points libxsched dlopens for xsched_attach_hip_stream()
 * (hipExtMallocWithFlags, hipFree, hipStreamWaitValue32,
 * hipStreamSynchronize), implemented on queues of the simulated GPU
 * (/dev/xsched_sim, simq.h), plus test controls (xsd_*) that only the
 * tests call.  A "stream" is a simq; a stream waiting on a value keeps its
 * queue fed with short kernels until the word holds the value, which is
 * what a real hipStreamWaitValue32 does to a hardware queue: work stays
 * pending until the host writes the word.
 */
#include <pthread.h>
#include <stdlib.h>

#include "../simq.h"

#define XSD_ERR_INVALID	1	/* hipErrorInvalidValue */
#define XSD_KERNEL_NS	2000000ULL

struct xsd_stream {
	struct simq q;
	int has_queue;		/* 0: work goes elsewhere (like SDMA) */
	struct xsd_stream *twin;	/* fed by the same wait (another thread) */
	pthread_t feeder, twin_feeder;
	int feeding, twin_feeding;
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

void xsd_stream_set_twin(void *stream, void *twin)
{
	xsd_get(stream)->twin = twin;
}

/* Keeps @q with work pending until *word & mask == value. */
struct xsd_feed {
	struct xsd_stream *s;
	struct simq *q;
};

static void *xsd_feeder(void *arg)
{
	struct xsd_stream *s = ((struct xsd_feed *)arg)->s;
	struct simq *q = ((struct xsd_feed *)arg)->q;

	free(arg);
	simq_submit(q, XSD_KERNEL_NS, 2);
	while ((__atomic_load_n(s->word, __ATOMIC_ACQUIRE) & s->mask) != s->value) {
		simq_wait(q, q->wdid - 1, 1000000000ULL);
		simq_submit(q, XSD_KERNEL_NS, 1);
	}
	return NULL;
}

static int xsd_feed(struct xsd_stream *s, struct simq *q, pthread_t *th)
{
	struct xsd_feed *f = malloc(sizeof(*f));

	if (!f)
		return -1;
	f->s = s;
	f->q = q;
	if (pthread_create(th, NULL, xsd_feeder, f)) {
		free(f);
		return -1;
	}
	return 0;
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

	if (!s || !ptr || flags != 0x1 || s->feeding)	/* Eq only */
		return XSD_ERR_INVALID;
	s->word = ptr;
	s->value = value & mask;
	s->mask = mask;
	if (!s->has_queue)
		return 0;
	if (xsd_feed(s, &s->q, &s->feeder))
		return XSD_ERR_INVALID;
	s->feeding = 1;
	if (s->twin && s->twin->has_queue &&
	    !xsd_feed(s, &s->twin->q, &s->twin_feeder))
		s->twin_feeding = 1;
	return 0;
}

int hipStreamSynchronize(void *stream)
{
	struct xsd_stream *s = xsd_get(stream);

	if (!s)
		return XSD_ERR_INVALID;
	if (s->feeding)
		pthread_join(s->feeder, NULL);
	if (s->twin_feeding) {
		pthread_join(s->twin_feeder, NULL);
		simq_wait(&s->twin->q, s->twin->q.wdid, 5000000000ULL);
	}
	s->feeding = s->twin_feeding = 0;
	if (s->has_queue && s->q.wdid &&
	    simq_wait(&s->q, s->q.wdid, 5000000000ULL))
		return XSD_ERR_INVALID;
	return 0;
}
