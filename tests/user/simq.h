/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A tiny HSA-like client of /dev/xsched_sim for tests and benchmarks: the
 * ring, the amd_queue_t-like header and the completion signals live in the
 * process's own memory, as ROCr keeps them.
 */
#ifndef SIMQ_H
#define SIMQ_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "../../uapi/xsched_sim.h"

#define SIMQ_RING_SIZE	4096
#define SIMQ_SLOTS	(SIMQ_RING_SIZE / 64)

struct simq_signal {		/* amd_signal_t layout where it matters */
	int64_t kind;
	volatile int64_t value;		/* +8 */
	uint64_t mailbox;
	uint32_t event_id, reserved1;
	volatile uint64_t start_ts;	/* +32 */
	volatile uint64_t end_ts;	/* +40 */
	uint64_t pad[2];
};

struct simq {
	int fd;
	uint32_t queue_id, gpu_id;
	uint8_t *ring;			/* SIMQ_RING_SIZE, page aligned */
	volatile uint64_t *amdq;	/* 256 bytes: wdid +56, rdid +128 */
	struct simq_signal *signals;	/* one per slot */
	uint64_t wdid;
};

static inline uint64_t simq_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static inline int simq_ioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? -errno : 0;
}

static inline void simq_op_init(struct xsched_sim_queue_op *op, uint32_t qid)
{
	memset(op, 0, sizeof(*op));
	op->size = sizeof(*op);
	op->queue_id = qid;
}

/* Returns 0 or -errno; @fd is an open /dev/xsched_sim. */
static inline int simq_create(struct simq *q, int fd, uint32_t gpu_id,
			      uint32_t priority)
{
	struct xsched_sim_create_queue c;
	int ret;

	memset(q, 0, sizeof(*q));
	q->fd = fd;
	q->ring = aligned_alloc(4096, SIMQ_RING_SIZE);
	q->amdq = aligned_alloc(4096, 4096);
	q->signals = aligned_alloc(4096, SIMQ_SLOTS * sizeof(*q->signals));
	if (!q->ring || !q->amdq || !q->signals)
		return -ENOMEM;
	memset(q->ring, 0, SIMQ_RING_SIZE);
	memset((void *)q->amdq, 0, 4096);
	memset(q->signals, 0, SIMQ_SLOTS * sizeof(*q->signals));
	memset(&c, 0, sizeof(c));
	c.size = sizeof(c);
	c.gpu_id = gpu_id;
	c.priority = priority;
	c.ring_va = (uintptr_t)q->ring;
	c.ring_size = SIMQ_RING_SIZE;
	c.amdq_va = (uintptr_t)q->amdq;
	ret = simq_ioctl(fd, XSCHED_SIM_IOC_CREATE_QUEUE, &c);
	if (ret)
		return ret;
	q->queue_id = c.queue_id;
	q->gpu_id = c.gpu_id;
	return 0;
}

/*
 * The next packet slot, zeroed, with its completion signal armed and
 * recorded in the packet; advances q->wdid (published by simq_ring()).
 */
static inline uint8_t *simq_next_packet(struct simq *q)
{
	uint64_t id = ++q->wdid;
	uint8_t *pkt = q->ring + ((id - 1) % SIMQ_SLOTS) * 64;
	struct simq_signal *s = &q->signals[(id - 1) % SIMQ_SLOTS];
	uint64_t sig = (uintptr_t)s;

	s->value = 1;
	s->start_ts = s->end_ts = 0;
	memset(pkt, 0, 64);
	memcpy(pkt + 56, &sig, 8);
	return pkt;
}

/* Publishes the write dispatch id and rings the doorbell. */
static inline int simq_ring(struct simq *q)
{
	struct xsched_sim_queue_op op;

	__atomic_store_n(&q->amdq[56 / 8], q->wdid, __ATOMIC_RELEASE);
	simq_op_init(&op, q->queue_id);
	return simq_ioctl(q->fd, XSCHED_SIM_IOC_DOORBELL, &op);
}

/* Writes packets for @n kernels of @work_ns each and rings the doorbell. */
static inline int simq_submit(struct simq *q, uint64_t work_ns, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		memcpy(simq_next_packet(q) + 32, &work_ns, 8);
	return simq_ring(q);
}

/*
 * Writes a barrier-value packet (held until simq_release()) and rings the
 * doorbell; its dispatch id is q->wdid afterwards.
 */
static inline int simq_barrier(struct simq *q)
{
	uint8_t *pkt = simq_next_packet(q);

	pkt[0] = XSCHED_SIM_PKT_TYPE_VENDOR;
	pkt[XSCHED_SIM_PKT_AMD_FORMAT] = XSCHED_SIM_AMD_FORMAT_BARRIER_VALUE;
	return simq_ring(q);
}

/*
 * Writes a barrier-AND (@type 3) or barrier-OR (5) packet whose
 * dependency signals are @deps (up to 5 addresses of struct simq_signal;
 * the packet processor reads their value) and rings the doorbell; its
 * dispatch id is q->wdid afterwards.
 */
static inline int simq_barrier_deps(struct simq *q, unsigned int type,
				    const uint64_t *deps, unsigned int n)
{
	uint8_t *pkt = simq_next_packet(q);
	uint16_t hdr = (uint16_t)type;
	unsigned int i;

	memcpy(pkt, &hdr, sizeof(hdr));
	for (i = 0; i < n && i < 5; i++)
		memcpy(pkt + 8 + 8 * i, &deps[i], 8);
	return simq_ring(q);
}

/*
 * Writes an AMD barrier-value packet that holds until
 * (@sig->value & @mask) compares with @want as @cond says (0 ==, 1 !=,
 * 2 <, 3 >=), and rings the doorbell.
 */
static inline int simq_barrier_value(struct simq *q, struct simq_signal *sig,
				     int64_t want, int64_t mask, uint32_t cond)
{
	uint8_t *pkt = simq_next_packet(q);
	uint64_t va = (uintptr_t)sig;

	pkt[0] = XSCHED_SIM_PKT_TYPE_VENDOR;
	pkt[XSCHED_SIM_PKT_AMD_FORMAT] = XSCHED_SIM_AMD_FORMAT_BARRIER_VALUE;
	memcpy(pkt + 8, &va, 8);
	memcpy(pkt + 16, &want, 8);
	memcpy(pkt + 24, &mask, 8);
	memcpy(pkt + 32, &cond, 4);
	return simq_ring(q);
}

/* The condition of barrier packet @id holds. */
static inline int simq_release(struct simq *q, uint64_t id)
{
	struct xsched_sim_queue_op op;

	simq_op_init(&op, q->queue_id);
	op.dispatch_id = id;
	return simq_ioctl(q->fd, XSCHED_SIM_IOC_RELEASE, &op);
}

static inline int simq_wait(struct simq *q, uint64_t id, uint64_t timeout_ns)
{
	struct xsched_sim_queue_op op;

	simq_op_init(&op, q->queue_id);
	op.dispatch_id = id;
	op.timeout_ns = timeout_ns;
	return simq_ioctl(q->fd, XSCHED_SIM_IOC_WAIT, &op);
}

static inline struct simq_signal *simq_signal(struct simq *q, uint64_t id)
{
	return &q->signals[(id - 1) % SIMQ_SLOTS];
}

static inline uint64_t simq_rdid(struct simq *q)
{
	return __atomic_load_n(&q->amdq[128 / 8], __ATOMIC_ACQUIRE);
}

static inline int simq_destroy(struct simq *q)
{
	struct xsched_sim_queue_op op;

	simq_op_init(&op, q->queue_id);
	return simq_ioctl(q->fd, XSCHED_SIM_IOC_DESTROY_QUEUE, &op);
}

/* Frees what simq_create() allocated (the queue itself is destroyed apart). */
static inline void simq_free(struct simq *q)
{
	free(q->ring);
	free((void *)q->amdq);
	free(q->signals);
}

/* The gpu_id of the first simulated node into *@gpu; 0 or -errno. */
static inline int simq_first_node(int sfd, uint32_t *gpu)
{
	struct xsched_sim_nodes n;
	int ret;

	memset(&n, 0, sizeof(n));
	n.size = sizeof(n);
	ret = simq_ioctl(sfd, XSCHED_SIM_IOC_NODES, &n);
	if (!ret && !n.count)
		ret = -ENODEV;
	if (!ret)
		*gpu = n.gpu_ids[0];
	return ret;
}

#endif /* SIMQ_H */
