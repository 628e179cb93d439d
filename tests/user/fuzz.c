// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzzing: several processes at once, two as root and two as an
 * unprivileged user, make random calls: /dev/xsched ioctls (valid
 * commands with random fields, and random commands), sysfs writes to the
 * domain's knobs and queues' priorities, /dev/xsched_sim calls (queues
 * created with good and bad arguments, doorbells, waits, destroys), file
 * closes, children that fork, make a queue and exit or are killed.
 *
 * Afterwards: every worker exited normally, the calls were made, nothing
 * is left tracked or paused, and the domain's knobs are as before.  The
 * harness fails the run on any kernel report (and kmemleak on the debug
 * kernel).  bench/fuzz.sh runs it with 10^6 calls per kernel.
 *
 * Usage: fuzz [CALLS]   (total; default XSCHED_FUZZ_CALLS or 20000)
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "simq.h"
#include "xsq.h"
#include "xtest.h"

#define FUZZ_PLAN	7
#define FUZZ_WORKERS	4
#define FUZZ_MAXQ	4
#define NOBODY		65534

static const char *const knobs[] = {
	"poll_us", "resume_delay_us", "starvation_ms", "slow_op_ms", "policy",
};
#define NKNOBS (sizeof(knobs) / sizeof(knobs[0]))

static uint32_t gpu;
static char saved[NKNOBS][64];

struct fuzz_shared {
	atomic_ulong calls;
	atomic_ulong errors;		/* calls that returned an error */
	atomic_ulong children;
};
static struct fuzz_shared *sh;

static unsigned int rnd(unsigned int *seed, unsigned int n)
{
	*seed = *seed * 1103515245u + 12345u;
	return (*seed >> 16) % n;
}

static void knob_path(char *p, size_t len, unsigned int k)
{
	snprintf(p, len, XSQ_SYSFS "/domains/%u/%s", gpu, knobs[k]);
}

static unsigned long my_calls;		/* this worker's */

/* Slab caches' bytes in use (active objects x size), for the figures. */
#define FUZZ_CACHES	512
struct fuzz_slab {
	char name[48];
	long long bytes;
};

static int slab_read(struct fuzz_slab *c)
{
	char line[512];
	int n = 0;
	FILE *f = fopen("/proc/slabinfo", "r");

	if (!f)
		return 0;
	while (n < FUZZ_CACHES && fgets(line, sizeof(line), f)) {
		long long active, total, size;

		if (sscanf(line, "%47s %lld %lld %lld", c[n].name, &active,
			   &total, &size) == 4) {
			c[n].bytes = active * size;
			n++;
		}
	}
	fclose(f);
	return n;
}

/* Prints the caches that grew most between @a and now: figures only. */
static void slab_growth(const struct fuzz_slab *a, int na)
{
	static struct fuzz_slab b[FUZZ_CACHES];
	long long best[3] = { 0, 0, 0 };
	int idx[3] = { -1, -1, -1 }, nb = slab_read(b), i, j, k;

	for (i = 0; i < nb; i++) {
		long long d = b[i].bytes;

		for (j = 0; j < na; j++)
			if (!strcmp(a[j].name, b[i].name)) {
				d -= a[j].bytes;
				break;
			}
		for (k = 0; k < 3; k++)
			if (d > best[k]) {
				memmove(&best[k + 1], &best[k],
					(2 - k) * sizeof(best[0]));
				memmove(&idx[k + 1], &idx[k],
					(2 - k) * sizeof(idx[0]));
				best[k] = d;
				idx[k] = i;
				break;
			}
	}
	printf("fuzz: slab caches grown most:");
	for (k = 0; k < 3 && idx[k] >= 0; k++)
		printf(" %s +%lld kB", b[idx[k]].name, best[k] / 1024);
	printf("\n");
}

static void count(long ret)
{
	my_calls++;
	atomic_fetch_add(&sh->calls, 1);
	if (ret < 0)
		atomic_fetch_add(&sh->errors, 1);
}

/* A random /dev/xsched call: a known command with random fields, or not. */
static void fuzz_xsched(int xfd, unsigned int *seed)
{
	static const unsigned long cmds[] = {
		XSCHED_IOC_GET_FEATURES, XSCHED_IOC_LIST_DOMAINS,
		XSCHED_IOC_LIST_QUEUES, XSCHED_IOC_QUEUE_INFO,
		XSCHED_IOC_SET_PRIORITY, XSCHED_IOC_HINT,
		XSCHED_IOC_GET_RULES, XSCHED_IOC_SET_RULES,
		XSCHED_IOC_PROC_PRIORITY,
	};
	static const char *const cgroups[] = { "/", "/xf-*", "/a/?", "/*/*" };
	struct xsched_rule rules[4];
	struct xsched_rules rs;
	struct xsched_proc_priority pp;
	union {
		unsigned char raw[512];
		struct xsched_list l;
		struct xsched_set_priority p;
		struct xsched_hint h;
		struct xsched_queue_query q;
	} u;
	struct xsched_queue_info qi[8];
	unsigned long cmd;
	unsigned int i;

	for (i = 0; i < sizeof(u.raw); i++)
		u.raw[i] = (unsigned char)rnd(seed, 256);
	switch (rnd(seed, 10)) {
	case 8:		/* a well-formed rule set, sometimes a bad one */
		memset(rules, 0, sizeof(rules));
		for (i = 0; i < 4; i++) {
			rules[i].kind = 1 + rnd(seed, 3);
			rules[i].priority = rnd(seed, 17);
			if (rules[i].kind == XSCHED_RULE_USER)
				rules[i].uid = rnd(seed, 3) ? 0 : NOBODY;
			if (rules[i].kind == XSCHED_RULE_CGROUP)
				strcpy(rules[i].cgroup, cgroups[rnd(seed, 4)]);
		}
		memset(&rs, 0, sizeof(rs));
		rs.size = sizeof(rs);
		rs.flags = rnd(seed, 4) ? XSCHED_RULES_FORCE : 0;
		rs.entry_size = sizeof(rules[0]);
		rs.count = rnd(seed, 5);
		rs.entries = (uintptr_t)rules;
		count(xsq_ioctl(xfd, rnd(seed, 3) ? XSCHED_IOC_SET_RULES :
				XSCHED_IOC_GET_RULES, &rs));
		return;
	case 9:		/* a process priority: own, parent's, anyone's */
		memset(&pp, 0, sizeof(pp));
		pp.size = sizeof(pp);
		pp.flags = rnd(seed, 4);
		pp.pid = rnd(seed, 3) == 0 ? 0 : rnd(seed, 2) ? (int)getppid() :
			 (int)rnd(seed, 400);
		pp.priority = rnd(seed, 17);
		count(xsq_ioctl(xfd, XSCHED_IOC_PROC_PRIORITY, &pp));
		return;
	case 0:		/* well-formed list of this process's queues */
		xsq_list_init(&u.l, sizeof(qi[0]), qi, 8);
		u.l.flags = rnd(seed, 2) ? XSCHED_LIST_MINE : 0;
		count(xsq_ioctl(xfd, XSCHED_IOC_LIST_QUEUES, &u.l));
		return;
	case 1:		/* priority of some queue id */
		count(xsq_set_prio(xfd, 1 + rnd(seed, 64), rnd(seed, 20)));
		return;
	case 2:		/* a hint, BEGIN or END or garbage */
		count(xsq_hint(xfd, 1 + rnd(seed, 64), rnd(seed, 4)));
		return;
	case 3:
		count(xsq_info(xfd, 1 + rnd(seed, 64), &qi[0]));
		return;
	case 4:		/* a random command number */
		cmd = _IOC(rnd(seed, 4), rnd(seed, 2) ? 'X' : rnd(seed, 256),
			   rnd(seed, 16), rnd(seed, 512));
		count(ioctl(xfd, cmd, u.raw) ? -errno : 0);
		return;
	default:	/* a known command, random bytes */
		cmd = cmds[rnd(seed, sizeof(cmds) / sizeof(cmds[0]))];
		if (rnd(seed, 2)) {	/* sometimes a sane size field */
			uint32_t size = _IOC_SIZE(cmd);

			memcpy(u.raw, &size, 4);
		}
		count(ioctl(xfd, cmd, u.raw) ? -errno : 0);
		return;
	}
}

/* A random sysfs write: a domain knob (root only) or a queue's priority. */
static void fuzz_sysfs(unsigned int *seed)
{
	static const char *const vals[] = {
		"0", "1", "10", "100", "1000", "60001", "-1", "abc", "hpf",
		"none", "4294967296", "",
	};
	char p[160];

	if (rnd(seed, 2)) {
		knob_path(p, sizeof(p), rnd(seed, NKNOBS));
	} else {
		snprintf(p, sizeof(p), XSQ_SYSFS "/queues/%u/priority",
			 1 + rnd(seed, 64));
	}
	count(xsq_write(p, vals[rnd(seed, sizeof(vals) / sizeof(vals[0]))]));
}

/* A child that makes a queue and exits with it busy, or is killed. */
static void fuzz_child(unsigned int *seed)
{
	unsigned int s = rnd(seed, 1u << 30);
	pid_t pid = fork();

	if (pid == 0) {
		struct simq q;
		int fd = open("/dev/" XSCHED_SIM_DEVICE_NAME, O_RDWR);

		if (fd >= 0 && !simq_create(&q, fd, gpu, rnd(&s, 16)))
			simq_submit(&q, 100000 + rnd(&s, 1000000), 2);
		if (rnd(&s, 2))
			usleep(rnd(&s, 3000));
		_exit(0);
	}
	if (pid < 0) {
		count(-errno);
		return;
	}
	if (rnd(seed, 3) == 0)
		kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	atomic_fetch_add(&sh->children, 1);
	count(0);
}

static void worker(unsigned int w, unsigned long calls)
{
	unsigned int seed = 1000 + w, i;
	struct simq q[FUZZ_MAXQ];
	bool live[FUZZ_MAXQ] = { false };
	int sfd, xfd, ret;
	unsigned long n;

	if (w >= 2 && (setresgid(NOBODY, NOBODY, NOBODY) ||
		       setresuid(NOBODY, NOBODY, NOBODY)))
		_exit(2);
	sfd = open("/dev/" XSCHED_SIM_DEVICE_NAME, O_RDWR);
	xfd = xsq_open();
	if (sfd < 0 || xfd < 0)
		_exit(3);
	/* Until this worker made its calls; steps that make none are few. */
	for (n = 0; my_calls < calls && n < 20 * calls; n++) {
		unsigned int k = rnd(&seed, FUZZ_MAXQ);

		switch (rnd(&seed, 10)) {
		case 0:
			if (live[k])
				break;
			if (rnd(&seed, 8) == 0) {	/* bad arguments */
				struct xsched_sim_create_queue c;

				memset(&c, 0, sizeof(c));
				c.size = rnd(&seed, 2) ? sizeof(c) : 8;
				c.priority = rnd(&seed, 32);
				c.ring_va = rnd(&seed, 2) ? 4096 : 0;
				c.ring_size = 1u << rnd(&seed, 20);
				count(simq_ioctl(sfd, XSCHED_SIM_IOC_CREATE_QUEUE,
						 &c));
				break;
			}
			ret = simq_create(&q[k], sfd, gpu, rnd(&seed, 16));
			count(ret);
			live[k] = !ret;
			if (ret)
				simq_free(&q[k]);
			break;
		case 1:
			if (!live[k])
				break;
			count(simq_destroy(&q[k]));
			simq_free(&q[k]);
			live[k] = false;
			break;
		case 2:
		case 3:
			if (live[k])
				count(simq_submit(&q[k], 20000 + rnd(&seed, 500000),
						  1 + rnd(&seed, 3)));
			break;
		case 4:
			if (live[k])
				count(simq_wait(&q[k], q[k].wdid, rnd(&seed, 3) *
						1000000ULL));
			break;
		case 5:
		case 6:
			fuzz_xsched(xfd, &seed);
			break;
		case 7:
			fuzz_sysfs(&seed);
			break;
		case 8:
			if (rnd(&seed, 4) == 0)
				fuzz_child(&seed);
			else
				fuzz_xsched(xfd, &seed);
			break;
		case 9:		/* close both files: their queues and hints go */
			if (rnd(&seed, 16))
				break;
			close(sfd);
			close(xfd);
			for (i = 0; i < FUZZ_MAXQ; i++)
				if (live[i]) {
					simq_free(&q[i]);
					live[i] = false;
				}
			sfd = open("/dev/" XSCHED_SIM_DEVICE_NAME, O_RDWR);
			xfd = xsq_open();
			count(sfd < 0 || xfd < 0 ? -1 : 0);
			if (sfd < 0 || xfd < 0)
				_exit(4);
			break;
		}
	}
	_exit(0);
}

/*
 * xsched's own live objects and pinned pages (debugfs xsched/objects), on
 * one line; "" when they cannot be read.
 */
#define XS_OBJECTS	"/sys/kernel/debug/xsched/objects"

static void objs_read(char *buf, size_t n)
{
	FILE *f = fopen(XS_OBJECTS, "r");
	size_t got = f ? fread(buf, 1, n - 1, f) : 0;
	size_t i;

	if (f)
		fclose(f);
	buf[got] = 0;
	for (i = 0; i < got; i++)
		if (buf[i] == '\n')
			buf[i] = i + 1 < got ? ',' : 0;
}

int main(int argc, char **argv)
{
	const char *env = getenv("XSCHED_FUZZ_CALLS");
	unsigned long calls = 20000;
	pid_t pids[FUZZ_WORKERS];
	int xfd, sfd, paused, ok, st, n;
	static struct fuzz_slab slab_before[FUZZ_CACHES];
	char objs0[512], objs1[512];
	long slab0;
	int nslab0;
	unsigned int i, bad = 0;
	char p[160], v[64];

	if (argc == 2)
		calls = strtoul(argv[1], NULL, 10);
	else if (env)
		calls = strtoul(env, NULL, 10);
	if (argc > 2 || !calls || calls > 100000000UL) {
		fprintf(stderr, "usage: %s [CALLS] (1..100000000)\n", argv[0]);
		return 2;
	}
	xt_prog = "fuzz";
	xt_plan(FUZZ_PLAN);
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	xfd = xsq_open();
	sfd = open("/dev/" XSCHED_SIM_DEVICE_NAME, O_RDWR);
	if (sh == MAP_FAILED || xfd < 0 || sfd < 0 ||
	    simq_first_node(sfd, &gpu)) {
		xt_fail("setup", "no simulated node or no /dev/xsched");
		return xt_exit();
	}
	for (i = 0; i < NKNOBS; i++) {
		knob_path(p, sizeof(p), i);
		xsq_read(p, saved[i], sizeof(saved[i]));
	}
	xt_pass("setup");
	slab0 = xsq_sunreclaim_kb();
	nslab0 = slab_read(slab_before);
	objs_read(objs0, sizeof(objs0));

	fflush(stdout);
	for (i = 0; i < FUZZ_WORKERS; i++) {
		pids[i] = fork();
		if (pids[i] == 0)
			worker(i, calls / FUZZ_WORKERS);
	}
	for (i = 0; i < FUZZ_WORKERS; i++)
		if (pids[i] < 0 || waitpid(pids[i], &st, 0) != pids[i] ||
		    !WIFEXITED(st) || WEXITSTATUS(st))
			bad++;
	xt_check("workers-exited", !bad, "%u of %d did not exit cleanly", bad,
		 FUZZ_WORKERS);
	xt_check("calls-made", atomic_load(&sh->calls) >= calls,
		 "%lu of %lu", atomic_load(&sh->calls), calls);
	printf("fuzz: %lu calls (%lu returned an error), %lu children\n",
	       atomic_load(&sh->calls), atomic_load(&sh->errors),
	       atomic_load(&sh->children));

	/* Restore what the root workers wrote. */
	ok = 1;
	for (i = 0; i < NKNOBS; i++) {
		knob_path(p, sizeof(p), i);
		xsq_write(p, saved[i]);
		ok &= !xsq_read(p, v, sizeof(v)) && !strcmp(v, saved[i]);
	}
	/* The rules too (process rules ended with the workers). */
	{
		struct xsched_rules rs;

		memset(&rs, 0, sizeof(rs));
		rs.size = sizeof(rs);
		rs.flags = XSCHED_RULES_FORCE;
		rs.entry_size = sizeof(struct xsched_rule);
		ok &= !xsq_ioctl(xfd, XSCHED_IOC_SET_RULES, &rs);
	}
	/* Process rules on processes still alive: this one, pids < 400. */
	for (i = 0; i <= 400; i++) {
		struct xsched_proc_priority pp;

		memset(&pp, 0, sizeof(pp));
		pp.size = sizeof(pp);
		pp.flags = XSCHED_PROC_CLEAR;
		pp.pid = i == 400 ? (int)getpid() : (int)i;
		if (xsq_ioctl(xfd, XSCHED_IOC_PROC_PRIORITY, &pp) &&
		    errno != ESRCH)
			ok = 0;
	}
	xt_check("knobs-restored", ok, "a knob or the rules differ");

	paused = 0;
	ok = XSQ_WAIT_FOR((n = xsq_count_queues(xfd, &paused)) == 0, 5000);
	xt_check("nothing-left-tracked", ok, "%d queue(s) tracked, %d paused",
		 n, paused);
	xt_check("nothing-left-paused", !paused, "%d paused", paused);
	/*
	 * Every object xsched made for the run freed again: queues (freed
	 * after RCU), tenants, events, process rules (pruned once their
	 * process is gone, by the 250 ms re-rank) and pinned pages.
	 */
	ok = XSQ_WAIT_FOR((objs_read(objs1, sizeof(objs1)),
			   objs0[0] && !strcmp(objs0, objs1)), 5000);
	xt_check("objects-back-to-baseline", ok, "before: %s; after: %s",
		 objs0[0] ? objs0 : "(no " XS_OBJECTS ")", objs1);
	printf("fuzz: xsched objects before: %s; after: %s\n", objs0, objs1);
	sleep(1);	/* RCU-freed queues of the kernel's own */
	printf("fuzz: SUnreclaim %ld kB before, %ld kB after\n", slab0,
	       xsq_sunreclaim_kb());
	slab_growth(slab_before, nslab0);
	return xt_exit();
}
