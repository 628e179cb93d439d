/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A simulated queue as xsched sees it: made and found, and dropped once
 * xsched has forgotten it (so that a new queue whose ring lands at the
 * same address is not taken for the old one).
 */
#ifndef SIMXSQ_H
#define SIMXSQ_H

#include <stdio.h>

#include "simq.h"
#include "xsq.h"

/* A queue at KFD priority @prio on node @gpu; its xsched id or < 0. */
static inline int simxsq_new(struct simq *q, int xfd, int sfd, uint32_t gpu,
			     uint32_t prio)
{
	int id = -1, ret = simq_create(q, sfd, gpu, prio);

	if (ret) {
		printf("simxsq: cannot create a queue: %s\n", strerror(-ret));
		return -1;
	}
	XSQ_WAIT_FOR((id = xsq_find(xfd, (uintptr_t)q->ring)) > 0, 2000);
	return id;
}

static inline void simxsq_drop(struct simq *q, int xfd)
{
	simq_destroy(q);
	XSQ_WAIT_FOR(xsq_find(xfd, (uintptr_t)q->ring) < 0, 2000);
	simq_free(q);
}

#endif /* SIMXSQ_H */
