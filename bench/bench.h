/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared code of the bench/ programs on the simulated GPU (common.h
 * has those of every bench program).  Every figure these programs print
 * is timed on the simulated GPU (xsched_sim.ko), hence modelled.
 */
#ifndef XSCHED_BENCH_H
#define XSCHED_BENCH_H

#include "common.h"
#include "../tests/user/simq.h"

/*
 * A child of bench_spawn() that creates @n queues of the simulated GPU,
 * queue i at priority prio[i % nprio], each given one kernel of @work_ns
 * (none if 0), reports ready and then sleeps until killed.  Returns 3 or
 * 4 (reported as @prog) if it cannot.
 */
static inline int bench_hold_queues(struct bench_barrier *b, unsigned int n,
				    const uint32_t *prio, unsigned int nprio,
				    uint64_t work_ns, const char *prog)
{
	struct simq *q = calloc(n, sizeof(*q));
	unsigned int i;
	int fd, ret = 0;

	bench_barrier_child(b);
	fd = open("/dev/" XSCHED_SIM_DEVICE_NAME, O_RDWR);
	if (fd < 0 || !q)
		return 3;
	for (i = 0; i < n && !ret; i++) {
		ret = simq_create(&q[i], fd, 0, prio[i % nprio]);
		if (!ret && work_ns)
			ret = simq_submit(&q[i], work_ns, 1);
	}
	if (ret) {
		fprintf(stderr, "%s: queue %u: %s\n", prog, i, strerror(-ret));
		return 4;
	}
	bench_barrier_wait(b);
	for (;;)
		pause();
}

#endif /* XSCHED_BENCH_H */
