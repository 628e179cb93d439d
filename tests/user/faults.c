// SPDX-License-Identifier: GPL-2.0
/*
 * Faults of the simulated GPU (XSCHED_SIM_IOC_FAULT), as amdkfd can show
 * them, and what xsched does about each: report it once in the kernel
 * log, mark the domain degraded, leave every queue runnable, and schedule
 * again when the fault stops; no kernel of a queue that lives on is lost.
 *
 * A node that disappears with queues paused is tests/user/boundary's.
 */
#define _GNU_SOURCE
#include <sys/klog.h>
#include <sys/wait.h>

#include "simq.h"
#include "xsq.h"
#include "xtest.h"

#define MS 1000000ULL
#define FAULTS_CASES 35

static uint32_t gpu;
static int sfd, xfd;
static char dom_name[64];

static int fault(uint32_t kind, uint32_t count, uint32_t ms)
{
	struct xsched_sim_fault a;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.gpu_id = gpu;
	a.kind = kind;
	a.count = count;
	a.ms = ms;
	return simq_ioctl(sfd, XSCHED_SIM_IOC_FAULT, &a);
}

static long long dom_ll(const char *f)
{
	char p[160];

	snprintf(p, sizeof(p), XSQ_SYSFS "/domains/%u/%s", gpu, f);
	return xsq_read_ll(p);
}

/* Lines of the kernel log that hold "<domain>: <what>". */
static int klog_count(const char *what)
{
	static char buf[1 << 20];
	char needle[128];
	int n, count = 0;
	char *p;

	n = klogctl(3, buf, sizeof(buf) - 1);	/* SYSLOG_ACTION_READ_ALL */
	if (n < 0)
		return -1;
	buf[n] = 0;
	snprintf(needle, sizeof(needle), "%s: %s", dom_name, what);
	for (p = buf; (p = strstr(p, needle)); p++)
		count++;
	return count;
}

static int state_of(struct simq *q)
{
	int id = xsq_find(xfd, (uintptr_t)q->ring);

	return id > 0 ? xsq_state(xfd, id) : -1;
}

/*
 * A low queue busy for @low_ms, tracked by xsched: 0, or which step
 * failed (1 create, 2 not tracked within 3 s, 3 doorbell).
 */
static int make_low(struct simq *lo, uint32_t prio, uint64_t low_ms)
{
	if (simq_create(lo, sfd, gpu, prio))
		return 1;
	if (!XSQ_WAIT_FOR(xsq_find(xfd, (uintptr_t)lo->ring) > 0, 3000))
		return 2;
	return simq_submit(lo, low_ms * MS, 1) ? 3 : 0;
}

/* Everything back to normal before the next case. */
static void settle(void)
{
	fault(XSCHED_SIM_FAULT_NONE, 0, 0);
	XSQ_WAIT_FOR(dom_ll("degraded") == 0, 6000);
}

static void fail_pause_case(void)
{
	long long err0 = dom_ll("errors");
	int log0 = klog_count("pause of"), ok;
	struct simq lo, hi;

	ok = !make_low(&lo, 0, 2000) && !fault(XSCHED_SIM_FAULT_FAIL_PAUSE, 2, 0) &&
	     !simq_create(&hi, sfd, gpu, 13) && !simq_submit(&hi, 1500 * MS, 1);
	xt_check("fail-pause/setup", ok, "setup failed");
	ok = XSQ_WAIT_FOR(dom_ll("degraded") == 1, 2000);
	xt_check("fail-pause/degraded", ok && state_of(&lo) != XSCHED_QUEUE_PAUSED,
		 "degraded %lld, low state %d", dom_ll("degraded"), state_of(&lo));
	ok = XSQ_WAIT_FOR(state_of(&lo) == XSCHED_QUEUE_PAUSED, 3000);
	xt_check("fail-pause/schedules-again", ok && dom_ll("errors") == err0 + 2,
		 "low state %d, errors +%lld", state_of(&lo),
		 dom_ll("errors") - err0);
	xt_check("fail-pause/reported-once-each", klog_count("pause of") == log0 + 2,
		 "%d new lines", klog_count("pause of") - log0);
	ok = !simq_wait(&hi, 1, 5000 * MS) && !simq_wait(&lo, 1, 8000 * MS);
	xt_check("fail-pause/no-kernel-lost", ok, "a kernel did not complete");
	simq_destroy(&hi);
	simq_destroy(&lo);
	settle();
}

static void fail_resume_case(void)
{
	long long err0 = dom_ll("errors");
	struct simq lo, hi;
	int ok;

	ok = !make_low(&lo, 0, 600) && !simq_create(&hi, sfd, gpu, 13) &&
	     !simq_submit(&hi, 300 * MS, 1) &&
	     XSQ_WAIT_FOR(state_of(&lo) == XSCHED_QUEUE_PAUSED, 2000) &&
	     !fault(XSCHED_SIM_FAULT_FAIL_RESUME, 2, 0);
	xt_check("fail-resume/setup", ok, "low state %d", state_of(&lo));
	/* The high kernel ends: the resume fails twice, then maps. */
	ok = XSQ_WAIT_FOR(dom_ll("degraded") == 1, 3000);
	xt_check("fail-resume/degraded", ok, "degraded %lld",
		 dom_ll("degraded"));
	ok = XSQ_WAIT_FOR(state_of(&lo) != XSCHED_QUEUE_PAUSED, 2000) &&
	     dom_ll("errors") == err0 + 2;
	xt_check("fail-resume/retried-until-mapped", ok,
		 "low state %d, errors +%lld", state_of(&lo),
		 dom_ll("errors") - err0);
	ok = !simq_wait(&lo, 1, 5000 * MS) && !simq_wait(&hi, 1, 5000 * MS);
	xt_check("fail-resume/no-kernel-lost", ok, "a kernel did not complete");
	ok = XSQ_WAIT_FOR(dom_ll("degraded") == 0, 2000);
	xt_check("fail-resume/schedules-again", ok, "still degraded");
	simq_destroy(&hi);
	simq_destroy(&lo);
	settle();
}

static void slow_case(void)
{
	long long slow0 = dom_ll("slow_ops");
	int log0 = klog_count("pause of"), ok;
	struct simq lo, hi;

	ok = !make_low(&lo, 0, 2000) && !fault(XSCHED_SIM_FAULT_SLOW, 1, 150) &&
	     !simq_create(&hi, sfd, gpu, 13) && !simq_submit(&hi, 1500 * MS, 1);
	xt_check("slow/setup", ok, "setup failed");
	ok = XSQ_WAIT_FOR(dom_ll("slow_ops") == slow0 + 1, 2000) &&
	     dom_ll("degraded") == 1;
	xt_check("slow/counted-and-degraded", ok, "slow_ops +%lld degraded %lld",
		 dom_ll("slow_ops") - slow0, dom_ll("degraded"));
	/* Degraded: what the slow pause paused runs again. */
	ok = XSQ_WAIT_FOR(state_of(&lo) != XSCHED_QUEUE_PAUSED, 1000);
	xt_check("slow/everything-runs", ok, "low state %d", state_of(&lo));
	xt_check("slow/reported-once", klog_count("pause of") == log0 + 1,
		 "%d new lines", klog_count("pause of") - log0);
	ok = XSQ_WAIT_FOR(state_of(&lo) == XSCHED_QUEUE_PAUSED &&
			  dom_ll("degraded") == 0, 3000);
	xt_check("slow/schedules-again", ok, "low state %d degraded %lld",
		 state_of(&lo), dom_ll("degraded"));
	ok = !simq_wait(&hi, 1, 5000 * MS) && !simq_wait(&lo, 1, 8000 * MS);
	xt_check("slow/no-kernel-lost", ok, "a kernel did not complete");
	simq_destroy(&hi);
	simq_destroy(&lo);
	settle();
}

/*
 * Readers never wait for a decision: while a pause takes a second (the
 * decider holding the domain's mutex), LIST_QUEUES and QUEUE_INFO
 * answer, and the pause is still running when they have.
 */
static void readers_case(void)
{
	long long slow0 = dom_ll("slow_ops");
	struct simq lo, hi;
	int ok, id, state;

	ok = !make_low(&lo, 0, 3000) && !fault(XSCHED_SIM_FAULT_SLOW, 1, 1000) &&
	     !simq_create(&hi, sfd, gpu, 13) && !simq_submit(&hi, 100 * MS, 1);
	xt_check("readers/setup", ok, "setup failed");
	usleep(100 * 1000);	/* the pause has begun: it needs 0.1 ms */
	id = xsq_find(xfd, (uintptr_t)lo.ring);
	state = id > 0 ? xsq_state(xfd, id) : -1;
	ok = id > 0 && state >= 0 && dom_ll("slow_ops") == slow0;
	xt_check("readers/do-not-wait-for-a-pause", ok,
		 "queue %d state %d, slow pause done already: %lld", id, state,
		 dom_ll("slow_ops") - slow0);
	ok = XSQ_WAIT_FOR(dom_ll("slow_ops") == slow0 + 1, 3000) &&
	     !simq_wait(&hi, 1, 5000 * MS) && !simq_wait(&lo, 1, 8000 * MS);
	xt_check("readers/pause-ended-no-kernel-lost", ok,
		 "slow_ops +%lld", dom_ll("slow_ops") - slow0);
	simq_destroy(&hi);
	simq_destroy(&lo);
	settle();
}

static void reset_case(void)
{
	long long err0 = dom_ll("errors");
	struct simq lo, hi, lo2;
	int ok, ret, log0;

	ok = !make_low(&lo, 0, 1000) && !simq_create(&hi, sfd, gpu, 13) &&
	     !simq_submit(&hi, 1500 * MS, 1) &&
	     XSQ_WAIT_FOR(state_of(&lo) == XSCHED_QUEUE_PAUSED, 2000);
	xt_check("reset/setup", ok, "low state %d", state_of(&lo));
	/* A reset with nothing to decide: pauses are kept, as amdkfd does. */
	ok = !fault(XSCHED_SIM_FAULT_RESET, 0, 200);
	usleep(300 * 1000);
	xt_check("reset/pauses-kept", ok && state_of(&lo) == XSCHED_QUEUE_PAUSED &&
		 dom_ll("degraded") == 0, "low state %d degraded %lld",
		 state_of(&lo), dom_ll("degraded"));
	/*
	 * A reset while xsched must act: a new low queue is to be paused;
	 * the pause fails (-EIO), reported once, and the domain degrades.
	 */
	log0 = klog_count("pause of 1 queue(s) failed: -5");
	ret = fault(XSCHED_SIM_FAULT_RESET, 0, 300);
	if (!ret)
		ret = make_low(&lo2, 1, 500);
	ok = !ret && XSQ_WAIT_FOR(dom_ll("errors") > err0, 2000);
	xt_check("reset/op-fails-degraded", ok &&
		 klog_count("pause of 1 queue(s) failed: -5") == log0 + 1,
		 "step %d, errors +%lld, %d new lines", ret,
		 dom_ll("errors") - err0,
		 klog_count("pause of 1 queue(s) failed: -5") - log0);
	ok = XSQ_WAIT_FOR(dom_ll("degraded") == 0 &&
			  state_of(&lo2) == XSCHED_QUEUE_PAUSED, 4000);
	xt_check("reset/schedules-again", ok, "degraded %lld new low state %d",
		 dom_ll("degraded"), state_of(&lo2));
	ok = !simq_wait(&hi, 1, 8000 * MS) && !simq_wait(&lo, 1, 8000 * MS) &&
	     !simq_wait(&lo2, 1, 8000 * MS);
	xt_check("reset/no-kernel-lost", ok, "a kernel did not complete");
	simq_destroy(&hi);
	simq_destroy(&lo);
	simq_destroy(&lo2);
	settle();
}

static void kill_case(void)
{
	long long err0 = dom_ll("errors");
	struct simq lo1, lo2, hi;
	int ok;

	ok = !make_low(&lo1, 0, 2000) && !make_low(&lo2, 0, 800) &&
	     !fault(XSCHED_SIM_FAULT_KILL, 1, 0) &&
	     !simq_create(&hi, sfd, gpu, 13) && !simq_submit(&hi, 500 * MS, 1);
	xt_check("kill/setup", ok, "setup failed");
	/* One of the two dies inside the pause; the other is paused. */
	ok = XSQ_WAIT_FOR((xsq_find(xfd, (uintptr_t)lo1.ring) == -ENOENT) !=
			  (xsq_find(xfd, (uintptr_t)lo2.ring) == -ENOENT), 2000);
	xt_check("kill/dead-queue-forgotten", ok, "lo1 %d lo2 %d",
		 xsq_find(xfd, (uintptr_t)lo1.ring),
		 xsq_find(xfd, (uintptr_t)lo2.ring));
	xt_check("kill/not-a-fault", dom_ll("degraded") == 0 &&
		 dom_ll("errors") == err0, "degraded %lld errors +%lld",
		 dom_ll("degraded"), dom_ll("errors") - err0);
	xt_check_ret("kill/dead-queue-enodev",
		     simq_submit(xsq_find(xfd, (uintptr_t)lo1.ring) == -ENOENT ?
				 &lo1 : &lo2, MS, 1), -ENODEV);
	ok = !simq_wait(&hi, 1, 5000 * MS) &&
	     !simq_wait(xsq_find(xfd, (uintptr_t)lo1.ring) == -ENOENT ?
			&lo2 : &lo1, 1, 8000 * MS);
	xt_check("kill/survivors-complete", ok, "a kernel did not complete");
	simq_destroy(&hi);
	simq_destroy(&lo1);
	simq_destroy(&lo2);
	settle();
}

static void control_cases(void)
{
	struct xsched_sim_fault a;
	uint32_t mine = gpu;
	pid_t pid;
	int st = -1, ok;

	xt_check_ret("control/bad-kind-einval", fault(99, 0, 0), -EINVAL);
	xt_check_ret("control/slow-needs-ms-einval",
		     fault(XSCHED_SIM_FAULT_SLOW, 1, 0), -EINVAL);
	xt_check_ret("control/reset-too-long-einval",
		     fault(XSCHED_SIM_FAULT_RESET, 0, 10001), -EINVAL);
	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.gpu_id = gpu;
	a.reserved[1] = 1;
	xt_check_ret("control/reserved-einval",
		     simq_ioctl(sfd, XSCHED_SIM_IOC_FAULT, &a), -EINVAL);
	gpu = 0x1;
	xt_check_ret("control/unknown-node-enodev",
		     fault(XSCHED_SIM_FAULT_NONE, 0, 0), -ENODEV);
	gpu = mine;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		if (setresuid(65534, 65534, 65534))
			_exit(2);
		sfd = open("/dev/" XSCHED_SIM_DEVICE_NAME, O_RDWR);
		_exit(sfd >= 0 && fault(XSCHED_SIM_FAULT_FAIL_PAUSE, 1, 0) ==
		      -EPERM ? 0 : 1);
	}
	ok = pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
	     !WEXITSTATUS(st);
	xt_check("control/unprivileged-eperm", ok, "status 0x%x", st);
}

int main(void)
{
	char p[160];

	xt_prog = "faults";
	xt_plan(FAULTS_CASES);
	sfd = open("/dev/" XSCHED_SIM_DEVICE_NAME, O_RDWR);
	xfd = xsq_open();
	if (sfd < 0 || xfd < 0 || simq_first_node(sfd, &gpu)) {
		xt_fail("setup", "no simulated node or no /dev/xsched");
		return xt_exit();
	}
	snprintf(p, sizeof(p), XSQ_SYSFS "/domains/%u/name", gpu);
	if (xsq_read(p, dom_name, sizeof(dom_name))) {
		xt_fail("setup", "no domain name");
		return xt_exit();
	}
	control_cases();
	fail_pause_case();
	fail_resume_case();
	slow_case();
	readers_case();
	reset_case();
	kill_case();
	fault(XSCHED_SIM_FAULT_NONE, 0, 0);
	return xt_exit();
}
