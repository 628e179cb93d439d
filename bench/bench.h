/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared helpers of the bench/ programs: option parsing, percentiles,
 * a start barrier for forked clients.  Every figure these programs print
 * is timed on the simulated GPU (xsched_sim.ko), hence modelled.
 */
#ifndef XSCHED_BENCH_H
#define XSCHED_BENCH_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../tests/user/simq.h"

#define MS	1000000ULL
#define US	1000ULL

/* Parses a decimal in [lo, hi] or exits with the usage line. */
static inline unsigned long bench_num(const char *s, unsigned long lo,
				      unsigned long hi, void (*usage)(FILE *))
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || !*s || *end || v < lo || v > hi) {
		usage(stderr);
		exit(2);
	}
	return v;
}

static int bench_cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of @n values (sorted in place); 0 if none. */
static inline uint64_t bench_pct(uint64_t *v, size_t n, unsigned int pct)
{
	size_t rank;

	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), bench_cmp_u64);
	rank = (n * pct + 99) / 100;
	return v[rank ? rank - 1 : 0];
}

/*
 * Start barrier for forked clients: each child reports ready with one
 * byte; the parent releases them all at once by closing the go pipe.
 */
struct bench_barrier {
	int ready[2], go[2];
};

static inline int bench_barrier_init(struct bench_barrier *b)
{
	return pipe(b->ready) || pipe(b->go) ? -errno : 0;
}

/* In the child, right after fork(). */
static inline void bench_barrier_child(struct bench_barrier *b)
{
	close(b->ready[0]);
	close(b->go[1]);
}

/* In the child: report ready, block until released (0) or -1. */
static inline int bench_barrier_wait(struct bench_barrier *b)
{
	char c = 1;

	if (write(b->ready[1], &c, 1) != 1)
		return -1;
	close(b->ready[1]);
	return read(b->go[0], &c, 1) == 0 ? 0 : -1;
}

/* In the parent: wait for @n ready children; 0, or -1 if one died. */
static inline int bench_barrier_ready(struct bench_barrier *b, unsigned int n)
{
	unsigned int got = 0;
	char c;

	close(b->ready[1]);
	close(b->go[0]);
	while (got < n) {
		ssize_t r = read(b->ready[0], &c, 1);

		if (r == 1)
			got++;
		else if (r < 0 && errno == EINTR)
			continue;
		else
			return -1;
	}
	return 0;
}

static inline void bench_barrier_release(struct bench_barrier *b)
{
	close(b->go[1]);
	close(b->ready[0]);
}


/*
 * Forks @n children that share @total items as evenly as possible: child
 * i runs fn(i, its share, @b) and exits with what it returns.  Returns 0,
 * or -1 (reported as @prog) if a fork failed.
 */
static inline int bench_spawn(pid_t *pid, unsigned int n, unsigned int total,
			      int (*fn)(unsigned int i, unsigned int share,
					struct bench_barrier *b),
			      struct bench_barrier *b, const char *prog)
{
	unsigned int i;

	fflush(stdout);
	for (i = 0; i < n; i++) {
		pid[i] = fork();
		if (pid[i] < 0) {
			fprintf(stderr, "%s: fork: %s\n", prog, strerror(errno));
			return -1;
		}
		if (!pid[i])
			_exit(fn(i, total / n + (i < total % n), b));
	}
	return 0;
}


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
