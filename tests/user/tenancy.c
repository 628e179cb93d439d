// SPDX-License-Identifier: GPL-2.0
/*
 * Tenancy (docs/scheduler.md, "Who may preempt whom"), as root and as
 * unprivileged users, on the simulated GPU:
 *  - an unprivileged priority-15 busy queue never pauses root's work at
 *    the same operator priority, while a user's own queues still order;
 *  - operator priorities from a process rule (renice, at once), a cgroup
 *    rule (at creation, and after a move), a user rule, inherited by
 *    children through fork and exec, and from xschedctl run;
 *  - rules, process priorities, SET_PRIORITY and hints refused with
 *    their exact errors; a malformed rules file changes nothing;
 *  - BEGIN hints expire; the starvation bound is on by default;
 *  - other users' ring addresses stay hidden; hidepid 1 and 2.
 * Re-executes itself with --report-op to show what a process made by
 * fork and exec gets.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "simxsq.h"
#include "xtest.h"

#define MS		1000000ULL
#define NOBODY		65534
#define OTHER		1000
#define CG		"/sys/fs/cgroup"
#define HIDEPID		"/sys/module/xsched/parameters/hidepid"

static int xfd, sfd;
static uint32_t gpu;
static char ddir[128];

static int op_of(int fd, uint32_t id, uint32_t *op, uint32_t *src)
{
	struct xsched_queue_query a;
	int ret = xsq_query(fd, id, &a);

	if (!ret) {
		*op = a.op_priority;
		*src = a.op_source;
	}
	return ret;
}

static int proc_prio(int fd, uint32_t flags, int pid, uint32_t *prio,
		     uint32_t *src)
{
	struct xsched_proc_priority a;
	int ret;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.flags = flags;
	a.pid = pid;
	a.priority = *prio;
	ret = xsq_ioctl(fd, XSCHED_IOC_PROC_PRIORITY, &a);
	if (!ret) {
		*prio = a.priority;
		if (src)
			*src = a.source;
	}
	return ret;
}

static int set_rules(int fd, const struct xsched_rule *r, uint32_t n,
		     uint64_t gen, uint32_t flags)
{
	struct xsched_rules a;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.flags = flags;
	a.entry_size = sizeof(*r);
	a.count = n;
	a.generation = gen;
	a.entries = (uintptr_t)r;
	return xsq_ioctl(fd, XSCHED_IOC_SET_RULES, &a);
}

/* How many rules, and their generation. */
static int get_rules(int fd, uint32_t *n, uint64_t *gen)
{
	struct xsched_rules a;
	int ret;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.entry_size = sizeof(struct xsched_rule);
	ret = xsq_ioctl(fd, XSCHED_IOC_GET_RULES, &a);
	*n = a.count;
	*gen = a.generation;
	return ret;
}

static struct xsched_rule rule(uint32_t kind, uint32_t prio, uint32_t uid,
			       const char *cg)
{
	struct xsched_rule r;

	memset(&r, 0, sizeof(r));
	r.kind = kind;
	r.priority = prio;
	r.uid = uid;
	if (cg)
		snprintf(r.cgroup, sizeof(r.cgroup), "%s", cg);
	return r;
}

static void become(uid_t uid)
{
	if (setresgid(uid, uid, uid) || setresuid(uid, uid, uid))
		_exit(90);
}

/* A queue of this process at KFD priority @prio; its xsched id or < 0. */
static int new_queue(struct simq *q, int fd, int sim, uint32_t prio)
{
	return simxsq_new(q, fd, sim, gpu, prio);
}

static void drop_queue(struct simq *q)
{
	simxsq_drop(q, xfd);
}

/* Keeps @q busy with @n kernels of @ns queued, topping it up. */
static void keep_busy(struct simq *q, uint64_t ns, int n)
{
	if (simq_rdid(q) + (uint64_t)n / 2 >= q->wdid)
		simq_submit(q, ns, (unsigned int)n);
}

/*
 * --report-op: make a queue, print "OP <op> <source>", exit.  What a
 * process started by fork and exec from a ranked one gets.
 */
static int report_op(void)
{
	int fd = xsq_open(), sim = open("/dev/" XSCHED_SIM_DEVICE_NAME, O_RDWR);
	uint32_t op = 99, src = 99;
	struct simq q;
	int id;

	if (fd < 0 || sim < 0 || simq_first_node(sim, &gpu))
		return 2;
	id = new_queue(&q, fd, sim, 5);
	if (id <= 0 || op_of(fd, (uint32_t)id, &op, &src))
		return 3;
	printf("OP %u %u\n", op, src);
	simq_destroy(&q);
	return 0;
}

/* Runs @cmd (a shell line); its first line of output; exit status. */
static int run_out(const char *cmd, char *out, size_t len)
{
	FILE *p = popen(cmd, "r");
	size_t n;
	int st;

	if (!p)
		return -1;
	n = fread(out, 1, len - 1, p);
	out[n] = '\0';
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int waitst(pid_t pid)
{
	int st;

	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* Kernels @q completes in @ms while kept busy. */
static uint64_t progress(struct simq *q, unsigned int ms)
{
	uint64_t r0 = simq_rdid(q), t0 = simq_now_ns();

	while (simq_now_ns() - t0 < ms * MS) {
		keep_busy(q, 1 * MS, 8);
		usleep(2000);
	}
	return simq_rdid(q) - r0;
}

/* A child as @uid keeping a queue of KFD priority @prio busy, until killed. */
static pid_t busy_child(uid_t uid, uint32_t prio, int *idp)
{
	int pfd[2], id = -1;
	pid_t pid;

	if (pipe(pfd))
		return -1;
	pid = fork();
	if (pid == 0) {
		struct simq q;
		int fd, sim;

		close(pfd[0]);
		become(uid);
		fd = xsq_open();
		sim = open("/dev/" XSCHED_SIM_DEVICE_NAME, O_RDWR);
		id = fd < 0 || sim < 0 ? -1 : new_queue(&q, fd, sim, prio);
		if (write(pfd[1], &id, sizeof(id)) != sizeof(id) || id <= 0)
			_exit(1);
		for (;;) {		/* 40 ms queued: busy on a slow guest too */
			keep_busy(&q, 5 * MS, 8);
			usleep(1000);
		}
	}
	close(pfd[1]);
	if (pid < 0 || read(pfd[0], &id, sizeof(id)) != sizeof(id))
		id = -1;
	close(pfd[0]);
	*idp = id;
	return pid;
}

static void stop(pid_t pid)
{
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
}

/* 1. The rule: an unprivileged priority 15 never pauses root's work. */
static void cross_user(void)
{
	struct xsched_queue_info qi;
	uint64_t alone, shared;
	struct simq r, lo;
	int rid, uid_id = -1, loid, st, rpid_q = -1;
	uint32_t prio;
	pid_t u, rp;

	rid = new_queue(&r, xfd, sfd, 7);
	alone = progress(&r, 300);
	u = busy_child(NOBODY, 15, &uid_id);
	XSQ_WAIT_FOR(xsq_state(xfd, uid_id) == XSCHED_QUEUE_BUSY, 2000);
	shared = progress(&r, 300);
	st = xsq_info(xfd, rid, &qi);
	xt_check("cross-user/root-not-paused", rid > 0 && uid_id > 0 && !st &&
		 qi.preempt_count == 0 && qi.state != XSCHED_QUEUE_PAUSED,
		 "rid %d uid %d preemptions %llu state %u", rid, uid_id,
		 (unsigned long long)qi.preempt_count, qi.state);
	/* Two busy queues share the node: root keeps at least 40% of alone. */
	xt_check("cross-user/root-fair-share", shared * 100 >= alone * 40,
		 "alone %llu kernels, shared %llu",
		 (unsigned long long)alone, (unsigned long long)shared);
	xt_check("cross-user/unprivileged-runs",
		 xsq_state(xfd, uid_id) == XSCHED_QUEUE_BUSY, "state %d",
		 xsq_state(xfd, uid_id));

	/* Root's own lower queue is ordered below root's busy one. */
	simq_submit(&r, 10 * MS, 40);
	loid = new_queue(&lo, xfd, sfd, 3);
	simq_submit(&lo, 1 * MS, 8);
	xt_check("own-queues/lower-paused",
		 XSQ_WAIT_FOR(xsq_state(xfd, loid) == XSCHED_QUEUE_PAUSED,
			      2000) &&
		 xsq_state(xfd, rid) != XSCHED_QUEUE_PAUSED,
		 "lower %d higher %d", xsq_state(xfd, loid),
		 xsq_state(xfd, rid));

	/*
	 * renice: a root process (not an ancestor of nobody's) raised above
	 * the default pauses nobody's queue at once.
	 */
	rp = busy_child(0, 7, &rpid_q);
	XSQ_WAIT_FOR(xsq_state(xfd, rpid_q) == XSCHED_QUEUE_BUSY, 2000);
	prio = 11;
	xt_check_ret("renice/root-raises", proc_prio(xfd, XSCHED_PROC_SET, rp,
						     &prio, NULL), 0);
	xt_check("renice/at-once",
		 XSQ_WAIT_FOR(xsq_state(xfd, uid_id) == XSCHED_QUEUE_PAUSED,
			      50), "nobody's queue %d", xsq_state(xfd, uid_id));
	prio = 0;
	xt_check_ret("renice/root-clears", proc_prio(xfd, XSCHED_PROC_CLEAR, rp,
						     &prio, NULL), 0);
	xt_check("renice/clear-resumes",
		 XSQ_WAIT_FOR(xsq_state(xfd, uid_id) == XSCHED_QUEUE_BUSY,
			      2000), "nobody's queue %d", xsq_state(xfd, uid_id));
	stop(rp);
	stop(u);
	drop_queue(&lo);
	drop_queue(&r);
}

/* 2. What an unprivileged user may not do, with the exact errors. */
static void refusals(void)
{
	struct simq r;
	int rid, id;
	pid_t pid;

	rid = new_queue(&r, xfd, sfd, 7);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct xsched_rule ru = rule(XSCHED_RULE_USER, 15, NOBODY, NULL);
		struct xsched_queue_info qi = { 0 };
		uint32_t prio, n, src;
		uint64_t gen;
		struct simq q;
		int fd, sim;

		xt_prog = "tenancy/nobody";
		xt_nfail = 0;	/* this child's own cases */
		become(NOBODY);
		fd = xsq_open();
		sim = open("/dev/" XSCHED_SIM_DEVICE_NAME, O_RDWR);
		id = new_queue(&q, fd, sim, 3);
		xt_check_ret("set-rules-eperm", set_rules(fd, &ru, 1, 0,
					XSCHED_RULES_FORCE), -EPERM);
		xt_check_ret("get-rules-open", get_rules(fd, &n, &gen), 0);
		prio = 12;
		xt_check_ret("renice-raise-eperm",
			     proc_prio(fd, XSCHED_PROC_SET, 0, &prio, NULL),
			     -EPERM);
		prio = 3;
		xt_check_ret("renice-lower-own",
			     proc_prio(fd, XSCHED_PROC_SET, 0, &prio, &src), 0);
		xt_check("renice-lower-own/in-force",
			 prio == 3 && src == XSCHED_SRC_PROCESS,
			 "priority %u source %u", prio, src);
		prio = 5;
		xt_check_ret("renice-raise-back-eperm",
			     proc_prio(fd, XSCHED_PROC_SET, 0, &prio, NULL),
			     -EPERM);
		xt_check_ret("renice-clear-eperm",
			     proc_prio(fd, XSCHED_PROC_CLEAR, 0, &prio, NULL),
			     -EPERM);
		prio = 1;
		xt_check_ret("renice-other-user-eperm",
			     proc_prio(fd, XSCHED_PROC_SET, getppid(), &prio,
				       NULL), -EPERM);
		xt_check_ret("set-priority-own-any", xsq_set_prio(fd, id, 14), 0);
		xt_check_ret("set-priority-other-user-eperm",
			     xsq_set_prio(fd, rid, 1), -EPERM);
		xt_check_ret("hint-other-user-eperm",
			     xsq_hint(fd, rid, XSCHED_HINT_BEGIN), -EPERM);
		xt_check("ring-va-of-other-user-hidden",
			 !xsq_info(fd, rid, &qi) && qi.ring_va == 0,
			 "ring_va %llx", (unsigned long long)qi.ring_va);
		xt_check("own-ring-va-visible",
			 !xsq_info(fd, id, &qi) &&
			 qi.ring_va == (uintptr_t)q.ring, "ring_va %llx",
			 (unsigned long long)qi.ring_va);
		/* Same user, another process: hints are the owner's alone. */
		pid = fork();
		if (pid == 0) {
			int fd2 = xsq_open();

			_exit(xsq_hint(fd2, id, XSCHED_HINT_BEGIN) == -EPERM ?
			      0 : 1);
		}
		xt_check("hint-same-user-other-process-eperm", waitst(pid) == 0,
			 "the sibling's hint was not refused");
		xt_check_ret("hint-own-process", xsq_hint(fd, id,
							 XSCHED_HINT_END), 0);
		simq_destroy(&q);
		_exit(xt_nfail ? 1 : 0);
	}
	xt_check("refusals/child", waitst(pid) == 0, "nobody's cases failed");
	xt_check_ret("hint-root-any", xsq_hint(xfd, rid, XSCHED_HINT_END), 0);
	drop_queue(&r);
}

/* 3. Rules: validation, generations, nothing changed on failure. */
static void rules_ioctls(void)
{
	struct xsched_rule r[XSCHED_RULES_MAX + 1];
	uint32_t n, n2, i;
	uint64_t gen, gen2;

	memset(r, 0, sizeof(r));
	xt_check_ret("rules/clear", set_rules(xfd, NULL, 0, 0,
					      XSCHED_RULES_FORCE), 0);
	get_rules(xfd, &n, &gen);
	r[0] = rule(XSCHED_RULE_USER, 4, OTHER, NULL);
	r[1] = rule(XSCHED_RULE_CGROUP, 9, 0, "/xt-*");
	xt_check_ret("rules/set", set_rules(xfd, r, 2, gen, 0), 0);
	xt_check_ret("rules/stale-generation-eagain",
		     set_rules(xfd, r, 1, gen, 0), -EAGAIN);
	get_rules(xfd, &n, &gen);
	r[2] = rule(7, 1, 0, NULL);
	xt_check_ret("rules/unknown-kind-einval", set_rules(xfd, r, 3, gen, 0),
		     -EINVAL);
	r[2] = rule(XSCHED_RULE_USER, 16, 5, NULL);
	xt_check_ret("rules/priority-16-einval", set_rules(xfd, r, 3, gen, 0),
		     -EINVAL);
	r[2] = rule(XSCHED_RULE_CGROUP, 1, 0, "relative");
	xt_check_ret("rules/relative-cgroup-einval",
		     set_rules(xfd, r, 3, gen, 0), -EINVAL);
	r[2] = rule(XSCHED_RULE_USER, 2, OTHER, NULL);
	xt_check_ret("rules/duplicate-einval", set_rules(xfd, r, 3, gen, 0),
		     -EINVAL);
	for (i = 0; i <= XSCHED_RULES_MAX; i++)
		r[i] = rule(XSCHED_RULE_USER, 1, 2000 + i, NULL);
	xt_check_ret("rules/too-many-e2big",
		     set_rules(xfd, r, XSCHED_RULES_MAX + 1, gen, 0), -E2BIG);
	{
		uint32_t prio = 3;

		xt_check_ret("proc/no-such-process-esrch",
			     proc_prio(xfd, XSCHED_PROC_SET, 4000000, &prio,
				       NULL), -ESRCH);
		xt_check_ret("proc/set-and-clear-einval",
			     proc_prio(xfd, XSCHED_PROC_SET | XSCHED_PROC_CLEAR,
				       0, &prio, NULL), -EINVAL);
		prio = 16;
		xt_check_ret("proc/priority-16-einval",
			     proc_prio(xfd, XSCHED_PROC_SET, 0, &prio, NULL),
			     -EINVAL);
	}
	get_rules(xfd, &n2, &gen2);
	xt_check("rules/refusals-change-nothing", n2 == 2 && gen2 == gen,
		 "%u rules generation %llu, were 2 / %llu", n2,
		 (unsigned long long)gen2, (unsigned long long)gen);
	set_rules(xfd, NULL, 0, 0, XSCHED_RULES_FORCE);
}

/* The "OP <op> <src>" line of a --report-op run under @prefix. */
static int op_line(const char *prefix, uint32_t *op, uint32_t *src)
{
	char cmd[256], out[256];
	int rc;

	snprintf(cmd, sizeof(cmd), "%s /proc/%d/exe --report-op", prefix,
		 getpid());
	rc = run_out(cmd, out, sizeof(out));
	if (rc || sscanf(out, "OP %u %u", op, src) != 2)
		return rc ? rc : -1;
	return 0;
}

/* 4. Children inherit: fork, exec, and xschedctl run. */
static void inheritance(void)
{
	uint32_t op = 0, src = 0, prio;
	char cmd[256], out[256];
	int pfd[2], rc;
	pid_t a;

	/* A at 4; A forks and execs: the new program's queue gets 4. */
	if (pipe(pfd))
		return;
	a = fork();
	if (a == 0) {
		char c;

		close(pfd[1]);
		if (read(pfd[0], &c, 1) != 1)
			_exit(2);
		_exit(op_line("", &op, &src) ? 3 :
		      op == 4 && src == XSCHED_SRC_INHERITED ? 0 : 4);
	}
	close(pfd[0]);
	prio = 4;
	xt_check_ret("inherit/set-parent", proc_prio(xfd, XSCHED_PROC_SET, a,
						     &prio, NULL), 0);
	if (write(pfd[1], "x", 1) != 1)
		xt_fail("inherit/go", "%s", strerror(errno));
	close(pfd[1]);
	rc = waitst(a);
	xt_check("inherit/fork-exec", rc == 0,
		 "status %d (3 no report, 4 wrong priority)", rc);

	rc = op_line("/bin/xschedctl run --priority 3 --", &op, &src);
	xt_check("inherit/xschedctl-run", !rc && op == 3 &&
		 src == XSCHED_SRC_PROCESS, "rc %d op %u source %u", rc, op,
		 src);
	/* The shell forks (a command follows): its child is a descendant. */
	snprintf(cmd, sizeof(cmd),
		 "/bin/xschedctl run --priority 2 -- /bin/sh -c '/proc/%d/exe --report-op; true'",
		 getpid());
	rc = run_out(cmd, out, sizeof(out));
	xt_check("inherit/shell-child", !rc &&
		 sscanf(out, "OP %u %u", &op, &src) == 2 && op == 2 &&
		 src == XSCHED_SRC_INHERITED, "rc %d out %.80s", rc, out);
	snprintf(cmd, sizeof(cmd),
		 "/bin/xschedctl run --priority 2 -- /bin/sh -c '/bin/xschedctl run --priority 1 -- /proc/%d/exe --report-op; true'",
		 getpid());
	rc = run_out(cmd, out, sizeof(out));
	xt_check("inherit/own-rule-wins", !rc &&
		 sscanf(out, "OP %u %u", &op, &src) == 2 && op == 1 &&
		 src == XSCHED_SRC_PROCESS, "rc %d out %.80s", rc, out);
	a = fork();
	if (a == 0) {
		int null = open("/dev/null", O_WRONLY);

		become(NOBODY);
		dup2(null, 2);
		execl("/bin/xschedctl", "xschedctl", "run", "--priority", "12",
		      "--", "/bin/true", (char *)NULL);
		_exit(99);
	}
	rc = waitst(a);
	xt_check("inherit/run-raise-unprivileged-refused", rc == 1,
		 "rc %d", rc);
}

/* 5. Cgroup rules: at creation, and a move re-ranks; user rules. */
static void cgroups(void)
{
	struct xsched_rule r[2];
	char path[128], out[256];
	uint32_t op = 0, src = 0, n;
	uint64_t gen;
	int pfd[2], qfd[2], id = -1, rc;
	pid_t c;

	if (mkdir(CG "/xt-hi", 0755) && errno != EEXIST)
		xt_fail("cgroup/mkdir", "%s", strerror(errno));
	if (mkdir(CG "/xt-lo", 0755) && errno != EEXIST)
		xt_fail("cgroup/mkdir", "%s", strerror(errno));
	get_rules(xfd, &n, &gen);
	r[0] = rule(XSCHED_RULE_CGROUP, 12, 0, "/xt-h?");
	r[1] = rule(XSCHED_RULE_USER, 6, NOBODY, NULL);
	xt_check_ret("cgroup/rules", set_rules(xfd, r, 2, gen, 0), 0);

	if (pipe(pfd) || pipe(qfd))
		return;
	c = fork();
	if (c == 0) {
		struct simq q;
		char ch;

		close(pfd[1]);
		close(qfd[0]);
		if (read(pfd[0], &ch, 1) != 1)
			_exit(2);
		become(NOBODY);
		id = new_queue(&q, xsq_open(),
			       open("/dev/" XSCHED_SIM_DEVICE_NAME, O_RDWR), 5);
		if (write(qfd[1], &id, sizeof(id)) != sizeof(id))
			_exit(3);
		pause();
		_exit(0);
	}
	close(pfd[0]);
	close(qfd[1]);
	snprintf(path, sizeof(path), "%d", c);
	rc = xsq_write(CG "/xt-hi/cgroup.procs", path);
	if (write(pfd[1], "x", 1) != 1 || read(qfd[0], &id, sizeof(id)) !=
	    sizeof(id))
		id = -1;
	xt_check("cgroup/rule-at-creation", !rc && id > 0 &&
		 !op_of(xfd, id, &op, &src) && op == 12 &&
		 src == XSCHED_SRC_CGROUP, "rc %d id %d op %u source %u", rc,
		 id, op, src);
	rc = xsq_write(CG "/xt-lo/cgroup.procs", path);
	xt_check("cgroup/move-reranks", !rc &&
		 XSQ_WAIT_FOR(!op_of(xfd, id, &op, &src) && op == 6 &&
			      src == XSCHED_SRC_USER, 3000),
		 "rc %d op %u source %u (want the user rule's 6)", rc, op,
		 src);
	stop(c);
	/* xschedctl's own view of the rules, in file syntax. */
	rc = run_out("/bin/xschedctl rules list", out, sizeof(out));
	xt_check("cgroup/rules-list", rc == 0 && strstr(out, "cgroup /xt-h? 12") &&
		 strstr(out, "user 65534 6"), "rc %d %.200s", rc, out);
	rmdir(CG "/xt-hi");
	rmdir(CG "/xt-lo");
	set_rules(xfd, NULL, 0, 0, XSCHED_RULES_FORCE);
}

/* 6. The rules file: applied whole, or not at all. */
static void rules_file(void)
{
	char out[512];
	uint32_t n, n2;
	uint64_t gen, gen2;
	FILE *f;
	int rc;

	set_rules(xfd, NULL, 0, 0, XSCHED_RULES_FORCE);
	f = fopen("/tmp/rules.conf", "w");
	if (f) {
		fputs("# ok\nuser 1000 3\ncgroup /a/* 9\n", f);
		fclose(f);
	}
	rc = run_out("/bin/xschedctl rules apply /tmp/rules.conf 2>&1", out,
		     sizeof(out));
	get_rules(xfd, &n, &gen);
	xt_check("rules-file/applies", rc == 0 && n == 2, "rc %d n %u %.200s",
		 rc, n, out);
	f = fopen("/tmp/bad.conf", "w");
	if (f) {
		fputs("user 1000 5\ndefault 4\ncgroup relative 2\nuser 7 1\n", f);
		fclose(f);
	}
	rc = run_out("/bin/xschedctl rules apply /tmp/bad.conf 2>&1", out,
		     sizeof(out));
	get_rules(xfd, &n2, &gen2);
	xt_check("rules-file/malformed-names-line", rc == 1 &&
		 strstr(out, "/tmp/bad.conf:3:") && strstr(out, "not an absolute path"),
		 "rc %d %.200s", rc, out);
	xt_check("rules-file/malformed-changes-nothing",
		 n2 == n && gen2 == gen, "%u rules generation %llu, were %u / %llu",
		 n2, (unsigned long long)gen2, n, (unsigned long long)gen);
	rc = run_out("/bin/xschedctl rules add default 6 && /bin/xschedctl rules remove user 1000 && /bin/xschedctl rules list",
		     out, sizeof(out));
	xt_check("rules-file/add-remove", rc == 0 && strstr(out, "default 6") &&
		 !strstr(out, "user 1000") && strstr(out, "cgroup /a/* 9"),
		 "rc %d %.200s", rc, out);
	set_rules(xfd, NULL, 0, 0, XSCHED_RULES_FORCE);
}

/* 7. Hints expire unless renewed; the starvation bound's defaults. */
static void hints_and_starvation(void)
{
	char p[192];
	struct simq q, hi, lo;
	int id, hid, lid, i, ok = 1;
	uint64_t done, t0;

	snprintf(p, sizeof(p), "%s/hint_ms", ddir);
	xt_check("hint/default-1000ms", xsq_read_ll(p) == 1000, "%lld",
		 xsq_read_ll(p));
	xsq_write(p, "400");
	id = new_queue(&q, xfd, sfd, 5);
	xsq_hint(xfd, id, XSCHED_HINT_BEGIN);
	for (i = 0; i < 8; i++) {	/* renewed every 50 ms: still busy */
		usleep(50000);
		ok &= xsq_state(xfd, id) == XSCHED_QUEUE_BUSY;
		xsq_hint(xfd, id, XSCHED_HINT_BEGIN);
	}
	xt_check("hint/renewed-lasts", ok, "a renewed hint ended");
	xt_check("hint/expires",
		 XSQ_WAIT_FOR(xsq_state(xfd, id) == XSCHED_QUEUE_IDLE, 3000),
		 "state %d", xsq_state(xfd, id));
	xsq_write(p, "1000");
	drop_queue(&q);

	snprintf(p, sizeof(p), "%s/starvation_ms", ddir);
	xt_check("starvation/default-on", xsq_read_ll(p) == 1000, "%lld",
		 xsq_read_ll(p));
	snprintf(p, sizeof(p), "%s/starvation_slice_ms", ddir);
	xt_check("starvation/default-slice", xsq_read_ll(p) == 10, "%lld",
		 xsq_read_ll(p));
	/* The bound at work: a paused busy queue completes kernels. */
	hid = new_queue(&hi, xfd, sfd, 15);
	lid = new_queue(&lo, xfd, sfd, 0);
	/* More low work than runs before the pause (the read index counts
	 * launches). */
	keep_busy(&hi, 5 * MS, 8);
	simq_submit(&lo, 5 * MS, 60);
	XSQ_WAIT_FOR(xsq_state(xfd, lid) == XSCHED_QUEUE_PAUSED, 2000);
	done = simq_rdid(&lo);
	t0 = simq_now_ns();
	while (simq_now_ns() - t0 < 2500 * MS) {	/* the high one stays busy */
		keep_busy(&hi, 5 * MS, 8);
		usleep(2000);
	}
	xt_check("starvation/paused-queue-progresses", hid > 0 && lid > 0 &&
		 done < lo.wdid && simq_rdid(&lo) > done,
		 "low launched %llu -> %llu of %llu",
		 (unsigned long long)done, (unsigned long long)simq_rdid(&lo),
		 (unsigned long long)lo.wdid);
	drop_queue(&lo);
	drop_queue(&hi);
}

/* 8. hidepid: other users' queues without pid (1), or hidden (2). */
static void visibility(void)
{
	int rid, pfd[2], res[3] = { -1, -1, -1 };
	struct simq r;
	pid_t pid;

	rid = new_queue(&r, xfd, sfd, 7);
	if (pipe(pfd))
		return;
	pid = fork();
	if (pid == 0) {
		struct xsched_queue_info qi;

		close(pfd[0]);
		become(NOBODY);
		res[0] = !xsq_info(xsq_open(), rid, &qi) && qi.pid > 0;
		if (write(pfd[1], res, sizeof(res[0])) < 0)
			_exit(1);
		_exit(0);
	}
	close(pfd[1]);
	if (read(pfd[0], &res[0], sizeof(res[0])) != sizeof(res[0]))
		res[0] = -1;
	waitst(pid);
	close(pfd[0]);
	xt_check("hidepid/0-pid-visible", res[0] == 1, "%d (queue %d)", res[0],
		 rid);

	xsq_write(HIDEPID, "1");
	pid = fork();
	if (pid == 0) {
		struct xsched_queue_info qi;
		int fd;

		become(NOBODY);
		fd = xsq_open();
		_exit(!xsq_info(fd, rid, &qi) && qi.pid == 0 &&
		      qi.busy_ns == 0 && qi.ring_va == 0 ? 0 : 1);
	}
	xt_check("hidepid/1-no-pid-no-activity", waitst(pid) == 0, "child");
	xsq_write(HIDEPID, "2");
	pid = fork();
	if (pid == 0) {
		struct xsched_queue_info qi;
		int fd, n;

		become(NOBODY);
		fd = xsq_open();
		n = xsq_count_queues(fd, &n);
		_exit(xsq_info(fd, rid, &qi) == -ENOENT && n == 0 ? 0 : 1);
	}
	xt_check("hidepid/2-hidden", waitst(pid) == 0, "child");
	{
		struct xsched_queue_info qi = { 0 };

		xt_check("hidepid/2-root-sees", !xsq_info(xfd, rid, &qi) &&
			 qi.pid == getpid(), "queue %d pid %d", rid, qi.pid);
	}
	xt_check("hidepid/3-refused", xsq_write(HIDEPID, "3") != 0,
		 "accepted");
	xsq_write(HIDEPID, "0");
	drop_queue(&r);
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "--report-op"))
		return report_op();
	xt_prog = "tenancy";
	xt_plan(62);
	xfd = xsq_open();
	sfd = open("/dev/" XSCHED_SIM_DEVICE_NAME, O_RDWR);
	if (xfd < 0 || sfd < 0 || simq_first_node(sfd, &gpu)) {
		xt_fail("setup", "no xsched or simulator");
		return xt_exit();
	}
	snprintf(ddir, sizeof(ddir), XSQ_SYSFS "/domains/%u", gpu);
	set_rules(xfd, NULL, 0, 0, XSCHED_RULES_FORCE);
	cross_user();
	refusals();
	rules_ioctls();
	inheritance();
	cgroups();
	rules_file();
	hints_and_starvation();
	visibility();
	return xt_exit();
}
