/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by every bench program, on the simulated GPU (bench.h) and on
 * hardware (hw/, compiled as HIP C++ too): option parsing, percentiles,
 * a start barrier for forked clients.
 */
#ifndef XSCHED_BENCH_COMMON_H
#define XSCHED_BENCH_COMMON_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

#endif /* XSCHED_BENCH_COMMON_H */
