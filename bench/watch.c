// SPDX-License-Identifier: GPL-2.0
/*
 * The cost of watching: QUEUES queues on each of the simulated GPU's
 * nodes (one process per node); then, over SECONDS, how much CPU is left
 * to applications -- one SCHED_IDLE spinner per CPU counts loops -- and
 * xsched's own poll_ns and decide_ns summed over its domains (when
 * /sys/class/misc/xsched exists).  Run it with and without xsched loaded:
 * the spinners' loss is what watching costs, interrupts included (the
 * guest's /proc/stat counts hard-irq time as idle).
 *
 * Load (-b N): on the first N nodes, queue 1 (priority 7, a training
 * stream) runs one long kernel and queue 0 (priority 11, an inference
 * stream) a 1 ms kernel every -i PERIOD_MS (default 10; 0: none, so that
 * the high queue is watched but nothing is ever preempted); every other
 * queue (priority 7) stays idle.  Prints one "WATCH ..." line.  Timed on xsched_sim.ko:
 * modelled figures; CPU times are those of the emulated CPU.
 */
#include <dirent.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "bench.h"

#define MAX_NODES	XSCHED_SIM_MAX_NODES
#define XS_DOMAINS	"/sys/class/misc/xsched/domains"
#define TRAIN_NS	(10000ULL * MS)	/* the simulator's maximum */
#define MAX_CPUS	64

static void usage(FILE *f)
{
	fprintf(f, "usage: watch [-q QUEUES] [-b LOADED_NODES] [-i PERIOD_MS] [-d SECONDS] [-s SETTLE_MS] [-l LABEL]\n"
		   "  defaults: -q 64 -b 0 -i 10 -d 5 -s 500 -l run\n");
}

static unsigned int nq = 64, load, period_ms = 10, seconds = 5, settle_ms = 500;
static uint32_t gpu_ids[MAX_NODES];

/* One node's queues; with load, rings queue 0 until killed. */
static int node_proc(unsigned int idx, unsigned int one, struct bench_barrier *b)
{
	struct simq *q = calloc(nq, sizeof(*q));
	unsigned int i;
	int fd, ret = 0;

	(void)one;	/* bench_spawn() passes both */
	bench_barrier_child(b);
	fd = open("/dev/" XSCHED_SIM_DEVICE_NAME, O_RDWR);
	if (fd < 0 || !q)
		return 3;
	for (i = 0; i < nq && !ret; i++)
		ret = simq_create(&q[i], fd, gpu_ids[idx], i == 0 ? 11 : 7);
	if (!ret && idx < load)
		ret = simq_submit(&q[1], TRAIN_NS, 8);	/* 80 s */
	if (ret) {
		fprintf(stderr, "watch: node %u queue %u: %s\n", idx, i,
			strerror(-ret));
		return 4;
	}
	bench_barrier_wait(b);
	for (;;) {
		if (idx >= load || !period_ms) {
			pause();
			continue;
		}
		/* 1 ms less than the period, spread over the nodes */
		usleep((period_ms - 1) * 1000 + idx * 7 % 1000);
		if (simq_submit(&q[0], 1000 * US, 1) ||
		    simq_wait(&q[0], q[0].wdid, 60000 * MS))
			return 5;
	}
}

/* Loops per CPU, counted by the spinners. */
static volatile uint64_t *spins;

/* A spinner: SCHED_IDLE on CPU @cpu, counting loops until killed. */
static void spinner(unsigned int cpu)
{
	struct sched_param sp = { 0 };
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
	sched_setscheduler(0, SCHED_IDLE, &sp);
	for (;;)
		spins[cpu]++;
}

static uint64_t spins_sum(unsigned int ncpu)
{
	uint64_t sum = 0;
	unsigned int i;

	for (i = 0; i < ncpu; i++)
		sum += spins[i];
	return sum;
}

static uint64_t xs_sum(const char *name, bool *have)
{
	DIR *d = opendir(XS_DOMAINS);
	struct dirent *e;
	uint64_t sum = 0;

	*have = d != NULL;
	if (!d)
		return 0;
	while ((e = readdir(d))) {
		char path[512];
		unsigned long long v;
		FILE *f;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s/%s", XS_DOMAINS, e->d_name, name);
		f = fopen(path, "r");
		if (f && fscanf(f, "%llu", &v) == 1)
			sum += v;
		if (f)
			fclose(f);
	}
	closedir(d);
	return sum;
}

/* The domains' counters the report uses, summed over the domains. */
enum { XS_POLL_NS, XS_DECIDE_NS, XS_POLLED, XS_POLLS, XS_PAUSES, XS_RESUMES,
       XS_DECISIONS, XS_POLL_DECISIONS, XS_MEMO_POLLS, NR_XS };
static const char *const xs_names[NR_XS] = {
	"poll_ns", "decide_ns", "polled", "polls", "pauses", "resumes",
	"decisions", "poll_decisions", "memo_polls",
};

static void xs_read(uint64_t *v, bool *have)
{
	unsigned int i;

	for (i = 0; i < NR_XS; i++)
		v[i] = xs_sum(xs_names[i], have);
}

/*
 * CPU time (ns, the scheduler's own accounting) of the threads whose name
 * starts with @prefix: xsched's deciders are "xsched/GPU_ID" kthreads.
 */
static uint64_t threads_cpu_ns(const char *prefix)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	uint64_t sum = 0;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		char path[300], comm[64] = "";
		unsigned long long ns;
		FILE *f;

		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (!fgets(comm, sizeof(comm), f))
			comm[0] = 0;
		fclose(f);
		if (strncmp(comm, prefix, strlen(prefix)))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/schedstat", e->d_name);
		f = fopen(path, "r");
		if (f && fscanf(f, "%llu", &ns) == 1)
			sum += ns;
		if (f)
			fclose(f);
	}
	closedir(d);
	return sum;
}

int main(int argc, char **argv)
{
	uint64_t s0 = 0, s1 = 0, c0 = 0, c1 = 0, v[2][NR_XS] = { { 0 } };
	struct xsched_sim_nodes nodes;
	pid_t pid[MAX_NODES], spid[MAX_CPUS];
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	struct bench_barrier b;
	const char *label = "run";
	unsigned int i;
	bool xs = false;
	int opt, fd, failed = 0;

	while ((opt = getopt(argc, argv, "q:b:i:d:s:l:h")) != -1) {
		switch (opt) {
		case 'q': nq = bench_num(optarg, 2, 1024, usage); break;
		case 'b': load = bench_num(optarg, 0, MAX_NODES, usage); break;
		case 'i': period_ms = bench_num(optarg, 0, 10000, usage);
			  if (period_ms == 1) {
				  usage(stderr);
				  return 2;
			  }
			  break;
		case 'd': seconds = bench_num(optarg, 1, 3600, usage); break;
		case 's': settle_ms = bench_num(optarg, 0, 600000, usage); break;
		case 'l': label = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (ncpu < 1 || ncpu > MAX_CPUS)
		ncpu = 1;
	spins = mmap(NULL, MAX_CPUS * sizeof(*spins), PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (spins == MAP_FAILED) {
		perror("watch: mmap");
		return 1;
	}
	memset(&nodes, 0, sizeof(nodes));
	nodes.size = sizeof(nodes);
	fd = open("/dev/" XSCHED_SIM_DEVICE_NAME, O_RDWR);
	if (fd < 0 || simq_ioctl(fd, XSCHED_SIM_IOC_NODES, &nodes) ||
	    !nodes.count || bench_barrier_init(&b)) {
		perror("watch: setup");
		return 1;
	}
	close(fd);
	memcpy(gpu_ids, nodes.gpu_ids, sizeof(gpu_ids));
	if (bench_spawn(pid, nodes.count, nodes.count, node_proc, &b, "watch"))
		return 1;
	if (bench_barrier_ready(&b, nodes.count)) {
		fprintf(stderr, "watch: a node's process died before the start\n");
		failed = 1;
		goto out;
	}
	bench_barrier_release(&b);
	fflush(stdout);
	for (i = 0; i < ncpu; i++) {
		spid[i] = fork();
		if (!spid[i])
			spinner(i);
	}
	usleep(settle_ms * 1000);
	s0 = spins_sum(ncpu);
	xs_read(v[0], &xs);
	c0 = threads_cpu_ns("xsched/");
	usleep(seconds * 1000000ULL);
	s1 = spins_sum(ncpu);
	xs_read(v[1], &xs);
	c1 = threads_cpu_ns("xsched/");
	for (i = 0; i < ncpu; i++)
		if (spid[i] > 0)
			kill(spid[i], SIGKILL);
	for (i = 0; i < ncpu; i++)
		if (spid[i] > 0)
			waitpid(spid[i], NULL, 0);
	for (i = 0; i < nodes.count; i++) {
		int st;

		if (waitpid(pid[i], &st, WNOHANG) != 0)
			failed = 1;	/* a node's process ended early */
	}
out:
	for (i = 0; i < nodes.count; i++)
		kill(pid[i], SIGKILL);
	for (i = 0; i < nodes.count; i++)
		waitpid(pid[i], NULL, 0);
	if (failed) {
		printf("WATCH label=%s status=failed\n", label);
		return 1;
	}
	printf("WATCH label=%s status=ok nodes=%u queues=%u load=%u seconds=%u cpus=%ld spins_per_s=%.0f xsched=%d",
	       label, nodes.count, nq, load, seconds, ncpu,
	       (double)(s1 - s0) / seconds, xs);
#define XS_D(i)	((double)(v[1][i] - v[0][i]))
	if (xs)
		printf(" poll_pct=%.3f decide_pct=%.3f decider_cpu_pct=%.3f polls_per_s=%.0f polled_per_s=%.0f changes_per_s=%.0f decider_runs_per_s=%.0f poll_decisions_per_s=%.0f memo_polls_per_s=%.0f",
		       XS_D(XS_POLL_NS) / (seconds * 1e7),
		       XS_D(XS_DECIDE_NS) / (seconds * 1e7),
		       (c1 - c0) / (seconds * 1e7),
		       XS_D(XS_POLLS) / seconds, XS_D(XS_POLLED) / seconds,
		       (XS_D(XS_PAUSES) + XS_D(XS_RESUMES)) / seconds,
		       (XS_D(XS_DECISIONS) - XS_D(XS_POLL_DECISIONS)) / seconds,
		       XS_D(XS_POLL_DECISIONS) / seconds,
		       XS_D(XS_MEMO_POLLS) / seconds);
	printf("\n");
	return 0;
}
