// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel memory of simulated queues: snapshots /proc/meminfo (Slab,
 * SUnreclaim, VmallocUsed) and /proc/slabinfo (active objects x object
 * size, per cache), creates QUEUES idle queues in PROCS processes (the
 * simulator allows 1024 per process), waits SETTLE_MS for xsched to
 * register them, snapshots again and prints the differences; then the
 * processes exit and their queues go.
 *
 * What one run counts is every kernel allocation made for those queues:
 * the simulator's own (always) and xsched's (when it is loaded).  Run
 * it with and without xsched.ko loaded; the difference is xsched's.
 * Pinned user pages (rings, headers) are the processes' own memory and
 * appear in neither figure.
 */
#include <signal.h>
#include <sys/wait.h>

#include "bench.h"

#define MAX_PROCS	64
#define PER_PROC	1024
#define MAX_CACHES	512

static void usage(FILE *f)
{
	fprintf(f, "usage: qmem [-q QUEUES] [-p PROCS] [-s SETTLE_MS] [-l LABEL]\n"
		   "  defaults: -q 1024 -p 8 -s 1000 -l run\n");
}

struct snap {
	long long slab_kib, sunreclaim_kib, vmalloc_kib;
	unsigned int ncaches;
	struct { char name[64]; long long active, objsize; } c[MAX_CACHES];
};

static long long meminfo(const char *key)
{
	char line[256];
	size_t kl = strlen(key);
	long long v = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, kl) && line[kl] == ':') {
			v = atoll(line + kl + 1);
			break;
		}
	fclose(f);
	return v;
}

static void snapshot(struct snap *s)
{
	char line[512];
	FILE *f;
	int fd = open("/proc/sys/vm/drop_caches", O_WRONLY);

	/* Fewer reclaimable dentries/inodes moving under the figures. */
	if (fd >= 0) {
		if (write(fd, "2\n", 2) < 0)
			perror("qmem: drop_caches");
		close(fd);
	}
	s->slab_kib = meminfo("Slab");
	s->sunreclaim_kib = meminfo("SUnreclaim");
	s->vmalloc_kib = meminfo("VmallocUsed");
	s->ncaches = 0;
	f = fopen("/proc/slabinfo", "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f) && s->ncaches < MAX_CACHES) {
		long long active, num, size;
		char name[64];

		if (line[0] == '#' || !strncmp(line, "slabinfo", 8))
			continue;
		if (sscanf(line, "%63s %lld %lld %lld", name, &active, &num,
			   &size) != 4)
			continue;
		strcpy(s->c[s->ncaches].name, name);
		s->c[s->ncaches].active = active;
		s->c[s->ncaches].objsize = size;
		s->ncaches++;
	}
	fclose(f);
}

/* Idle queues, half at priority 11 and half at 0. */
static int holder(unsigned int idx, unsigned int n, struct bench_barrier *b)
{
	static const uint32_t prio[] = { 11, 0 };

	(void)idx;	/* bench_spawn() passes both */
	return bench_hold_queues(b, n, prio, 2, 0, "qmem");
}

static struct snap before, after;

int main(int argc, char **argv)
{
	unsigned int nq = 1024, nprocs = 8, settle_ms = 1000, i, j;
	const char *label = "run";
	pid_t pid[MAX_PROCS];
	struct bench_barrier b;
	long long slab_b = 0;
	int opt, failed = 0;

	while ((opt = getopt(argc, argv, "q:p:s:l:h")) != -1) {
		switch (opt) {
		case 'q': nq = bench_num(optarg, 1, MAX_PROCS * PER_PROC, usage); break;
		case 'p': nprocs = bench_num(optarg, 1, MAX_PROCS, usage); break;
		case 's': settle_ms = bench_num(optarg, 0, 600000, usage); break;
		case 'l': label = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc || nprocs > nq || (nq + nprocs - 1) / nprocs > PER_PROC) {
		usage(stderr);
		return 2;
	}
	if (bench_barrier_init(&b)) {
		perror("qmem: setup");
		return 1;
	}
	snapshot(&before);
	if (bench_spawn(pid, nprocs, nq, holder, &b, "qmem"))
		return 1;
	if (bench_barrier_ready(&b, nprocs))
		failed = 1;
	else
		usleep(settle_ms * 1000);
	snapshot(&after);
	bench_barrier_release(&b);
	for (i = 0; i < nprocs; i++)
		kill(pid[i], SIGKILL);
	for (i = 0; i < nprocs; i++)
		waitpid(pid[i], NULL, 0);
	if (failed) {
		printf("MEM label=%s status=failed\n", label);
		return 1;
	}

	/* Per cache: what grew by at least 1/8 object per queue. */
	for (i = 0; i < after.ncaches; i++) {
		long long was = 0, d;

		for (j = 0; j < before.ncaches; j++)
			if (!strcmp(before.c[j].name, after.c[i].name))
				was = before.c[j].active;
		d = (after.c[i].active - was) * after.c[i].objsize;
		slab_b += d;
		if (after.c[i].active - was >= (long long)nq / 8 ||
		    was - after.c[i].active >= (long long)nq / 8)
			printf("MEMCACHE label=%s cache=%s objsize=%lld objs=%+lld bytes=%+lld\n",
			       label, after.c[i].name, after.c[i].objsize,
			       after.c[i].active - was, d);
	}
	printf("MEM label=%s status=ok queues=%u procs=%u slab_kib=%+lld sunreclaim_kib=%+lld vmalloc_kib=%+lld slabinfo_bytes=%+lld slabinfo=%s\n",
	       label, nq, nprocs, after.slab_kib - before.slab_kib,
	       after.sunreclaim_kib - before.sunreclaim_kib,
	       after.vmalloc_kib - before.vmalloc_kib, slab_b,
	       after.ncaches ? "yes" : "no");
	return 0;
}
