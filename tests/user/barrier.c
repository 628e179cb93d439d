// SPDX-License-Identifier: GPL-2.0
/*
 * Waiting is not working: a queue whose packet at the read index is a
 * barrier whose dependencies are not met is waiting, not busy, so the
 * work it waits for runs even when it has a lower priority.  On the
 * simulated GPU, with the starvation bound off (nothing but the barrier
 * logic can unblock a dependency on paused work):
 *  - a multi-stream process whose high stream waits on its low stream;
 *  - the other way: a low queue that waits on a high one;
 *  - across processes, through a signal in shared memory, with
 *    barrier-AND and barrier-OR;
 *  - an AMD barrier-value packet released by the CPU.
 * Each must finish (no deadlock), the waiting queue must show as waiting,
 * and the lower queue it waits for must run again within a few poll
 * periods (the bound printed and asserted allows for the guest's timer
 * noise; the figure itself is printed, modelled).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "simxsq.h"
#include "xtest.h"

#define MS		1000000ULL
#define SEC		(1000 * MS)
/*
 * xsched resumes the lower queue this soon after the higher one begins
 * to wait: a poll period (100 us), a decision and the resume itself (a
 * modelled runlist change of about 0.1 ms, which the resume event
 * follows), with room for a TCG guest's timer noise on a busy host.  The
 * figure itself is printed.
 */
#define RESUME_BOUND_MS	20
/*
 * The debug kernel (KASAN, lockdep, kmemleak: it has kmemleak's file)
 * runs the poll and the decider tens of times slower.
 */
#define RESUME_BOUND_DEBUG_MS	200

static uint64_t resume_bound_ns(void)
{
	return (access("/sys/kernel/debug/kmemleak", F_OK) ?
		RESUME_BOUND_MS : RESUME_BOUND_DEBUG_MS) * MS;
}

static int xfd, sfd;
static uint32_t gpu;
static char ddir[128];

static int dom_set(const char *f, const char *v)
{
	char p[192];

	snprintf(p, sizeof(p), "%s/%s", ddir, f);
	return xsq_write(p, v);
}

static int queue(struct simq *q, uint32_t prio)
{
	return simxsq_new(q, xfd, sfd, gpu, prio);
}

static void drop(struct simq *q)
{
	simxsq_drop(q, xfd);
}

static uint32_t flags_of(int id)
{
	struct xsched_queue_info qi;

	return xsq_info(xfd, id, &qi) ? 0 : qi.flags;
}

#define TRACE "/sys/kernel/tracing/instances/xt-barrier"

/* xsched's resume events, stamped by the kernel on CLOCK_MONOTONIC. */
static void trace_start(void)
{
	mkdir(TRACE, 0755);
	xsq_write(TRACE "/trace_clock", "mono");
	xsq_write(TRACE "/trace", "");
	xsq_write(TRACE "/events/xsched/xsched_resume/enable", "1");
}

/*
 * How long after @t0 (CLOCK_MONOTONIC ns) xsched's first resume of the
 * domain came, from the trace: what the waiting queue's owner sees
 * would add its own wake-up to it.  U64_MAX if none came.
 */
static uint64_t trace_first_resume_after(uint64_t t0)
{
	FILE *f = fopen(TRACE "/trace", "r");
	char line[512], *p;
	uint64_t best = UINT64_MAX;
	unsigned long long sec, usec;

	while (f && fgets(line, sizeof(line), f)) {
		p = strstr(line, ": xsched_resume:");
		if (!p)
			continue;
		while (p > line && p[-1] != ' ')
			p--;
		if (sscanf(p, "%llu.%llu:", &sec, &usec) != 2)
			continue;
		if (sec * 1000000000ULL + usec * 1000 >= t0) {
			best = sec * 1000000000ULL + usec * 1000 - t0;
			break;
		}
	}
	if (f)
		fclose(f);
	xsq_write(TRACE "/events/xsched/xsched_resume/enable", "0");
	rmdir(TRACE);
	return best;
}

/*
 * From the moment @hq's packet @before completed (its end_ts, when the
 * high queue began to wait), how long until xsched resumed the lower one.
 */
static uint64_t resumed_after(struct simq *hq, uint64_t before)
{
	simq_wait(hq, before, 5 * SEC);
	usleep(20000);
	return trace_first_resume_after(simq_signal(hq, before)->end_ts);
}

/* 1. A high stream waits on its process's low stream. */
static void high_waits_on_low(void)
{
	struct simq hi, lo;
	int hid, lid, ok;
	uint64_t dep, lat, k1;

	hid = queue(&hi, 11);
	lid = queue(&lo, 0);
	simq_submit(&lo, 2000 * MS, 1);	/* the high one waits most of it */
	simq_submit(&lo, 5 * MS, 1);
	k1 = lo.wdid;
	/* 50 ms of work, then a barrier on the low stream's second kernel. */
	dep = (uintptr_t)simq_signal(&lo, k1);
	trace_start();
	simq_submit(&hi, 50 * MS, 1);
	simq_barrier_deps(&hi, 3, &dep, 1);
	simq_submit(&hi, 2 * MS, 1);
	xt_check("high-waits/low-paused-first",
		 XSQ_WAIT_FOR(xsq_state(xfd, lid) == XSCHED_QUEUE_PAUSED, 2000),
		 "state %d", xsq_state(xfd, lid));
	/*
	 * Shown waiting as soon as it waits: the wait lasts about 1.95 s,
	 * which reading the trace first could use up on a slow guest.
	 */
	simq_wait(&hi, hi.wdid - 2, 5 * SEC);
	ok = XSQ_WAIT_FOR(flags_of(hid) & XSCHED_QUEUE_WAITING, 1000);
	xt_check("high-waits/shown-waiting", ok, "flags 0x%x rdid %llu",
		 flags_of(hid), (unsigned long long)simq_rdid(&hi));
	lat = resumed_after(&hi, hi.wdid - 2);
	printf("barrier: xsched resumed the low stream %llu us after the high one began to wait (modelled)\n",
	       (unsigned long long)(lat / 1000));
	xt_check("high-waits/low-resumed-at-once", lat < resume_bound_ns(),
		 "%llu us", (unsigned long long)(lat / 1000));
	ok = !simq_wait(&hi, hi.wdid, 5 * SEC);
	xt_check("high-waits/no-deadlock", ok, "the high stream never finished");
	xt_check("high-waits/in-order",
		 simq_signal(&hi, hi.wdid)->start_ts >= simq_signal(&lo, k1)->end_ts,
		 "the high kernel started before the one it waits for ended");
	drop(&hi);
	drop(&lo);
}

/* 2. A low queue waits on a high one: it neither blocks nor is lost. */
static void low_waits_on_high(void)
{
	struct simq hi, lo;
	uint64_t dep;
	int ok;

	queue(&hi, 11);
	queue(&lo, 0);
	simq_submit(&hi, 20 * MS, 1);
	dep = (uintptr_t)simq_signal(&hi, hi.wdid);
	simq_barrier_deps(&lo, 3, &dep, 1);
	simq_submit(&lo, 2 * MS, 1);
	ok = !simq_wait(&lo, lo.wdid, 5 * SEC);
	xt_check("low-waits/no-deadlock", ok, "the low queue never finished");
	xt_check("low-waits/in-order",
		 simq_signal(&lo, lo.wdid)->start_ts >=
		 simq_signal(&hi, hi.wdid)->end_ts, "out of order");
	drop(&hi);
	drop(&lo);
}

/*
 * 3. Across processes: a child's low queue writes its completion signals
 * into memory the parent maps too; the parent's high queue waits on one
 * with barrier-AND, then with barrier-OR next to a signal never met.
 */
static void cross_process(void)
{
	struct simq_signal *shared, *never;
	int pfd[2], gfd[2], lid = -1, ok, st;
	struct simq hi;
	uint64_t deps[2], lat;
	pid_t c;

	shared = mmap(NULL, 4096 * 2, PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED || pipe(pfd) || pipe(gfd)) {
		xt_fail("cross-process/setup", "%s", strerror(errno));
		return;
	}
	never = (struct simq_signal *)((char *)shared + 4096);
	never->value = 1;
	fflush(stdout);
	c = fork();
	if (c == 0) {
		struct simq lo;
		char go;

		close(pfd[0]);
		/* The simulator's queues belong to the process that opens it. */
		sfd = open("/dev/" XSCHED_SIM_DEVICE_NAME, O_RDWR);
		if (sfd < 0 || simq_create(&lo, sfd, gpu, 0))
			_exit(2);
		free(lo.signals);
		lo.signals = shared;	/* completion signals the parent sees */
		/* Held until the parent is ready, however slow the guest. */
		simq_barrier(&lo);		/* id 1: released on the go */
		simq_submit(&lo, 2000 * MS, 1);	/* id 2: keeps it busy */
		simq_submit(&lo, 5 * MS, 1);	/* id 3: what the parent waits on */
		simq_submit(&lo, 5 * MS, 1);	/* id 4: for the OR */
		XSQ_WAIT_FOR((lid = xsq_find(xfd, (uintptr_t)lo.ring)) > 0, 2000);
		if (write(pfd[1], &lid, sizeof(lid)) != sizeof(lid) ||
		    read(gfd[0], &go, 1) != 1)
			_exit(3);
		simq_release(&lo, 1);
		_exit(simq_wait(&lo, 4, 30 * SEC) ? 5 : 0);
	}
	close(pfd[1]);
	if (c < 0 || read(pfd[0], &lid, sizeof(lid)) != sizeof(lid))
		lid = -1;
	close(pfd[0]);
	queue(&hi, 11);
	deps[0] = (uintptr_t)&shared[2];	/* the child's kernel 3 */
	trace_start();
	if (write(gfd[1], "g", 1) != 1)
		xt_fail("cross-process/go", "%s", strerror(errno));
	XSQ_WAIT_FOR(lid > 0 && xsq_state(xfd, lid) == XSCHED_QUEUE_BUSY, 2000);
	simq_submit(&hi, 50 * MS, 1);
	simq_barrier_deps(&hi, 3, deps, 1);
	simq_submit(&hi, 2 * MS, 1);
	xt_check("cross-process/other-paused-first",
		 lid > 0 && XSQ_WAIT_FOR(xsq_state(xfd, lid) ==
					 XSCHED_QUEUE_PAUSED, 2000),
		 "queue %d state %d", lid, xsq_state(xfd, lid));
	lat = lid > 0 ? resumed_after(&hi, hi.wdid - 2) : UINT64_MAX;
	xt_check("cross-process/and-resumes-the-other-process",
		 lat < resume_bound_ns(), "%llu us",
		 (unsigned long long)(lat / 1000));
	ok = !simq_wait(&hi, hi.wdid, 5 * SEC);
	xt_check("cross-process/and-no-deadlock", ok, "never finished");
	deps[0] = (uintptr_t)never;
	deps[1] = (uintptr_t)&shared[3];	/* the child's kernel 4 */
	simq_barrier_deps(&hi, 5, deps, 2);
	simq_submit(&hi, 2 * MS, 1);
	ok = !simq_wait(&hi, hi.wdid, 5 * SEC);
	xt_check("cross-process/or-met-by-one", ok, "never finished");
	st = -1;
	if (c > 0)
		waitpid(c, &st, 0);
	xt_check("cross-process/child-finished", WIFEXITED(st) &&
		 !WEXITSTATUS(st), "status 0x%x", st);
	drop(&hi);
	munmap(shared, 4096 * 2);
}

/* 4. A barrier-value released by the CPU, not by another queue. */
static void barrier_value(void)
{
	struct simq_signal *sig = aligned_alloc(64, sizeof(*sig));
	struct simq hi;
	int hid, ok;

	memset(sig, 0, sizeof(*sig));
	sig->value = 7;
	hid = queue(&hi, 11);
	simq_barrier_value(&hi, sig, 0, -1, 0);	/* until value == 0 */
	simq_submit(&hi, 1 * MS, 1);
	ok = XSQ_WAIT_FOR(flags_of(hid) & XSCHED_QUEUE_WAITING, 1000) &&
	     xsq_state(xfd, hid) == XSCHED_QUEUE_IDLE;
	xt_check("barrier-value/waiting-not-busy", ok, "flags 0x%x state %d",
		 flags_of(hid), xsq_state(xfd, hid));
	usleep(50000);
	xt_check("barrier-value/holds", simq_rdid(&hi) == hi.wdid - 2,
		 "rdid %llu", (unsigned long long)simq_rdid(&hi));
	__atomic_store_n(&sig->value, 0, __ATOMIC_RELEASE);
	ok = !simq_wait(&hi, hi.wdid, 5 * SEC);
	xt_check("barrier-value/released-by-cpu", ok, "never finished");
	drop(&hi);
	free(sig);
}

int main(void)
{
	char p[192];

	xt_prog = "barrier";
	xt_plan(16);
	xfd = xsq_open();
	sfd = open("/dev/" XSCHED_SIM_DEVICE_NAME, O_RDWR);
	if (xfd < 0 || sfd < 0 || simq_first_node(sfd, &gpu)) {
		xt_fail("setup", "no xsched or simulator");
		return xt_exit();
	}
	snprintf(ddir, sizeof(ddir), XSQ_SYSFS "/domains/%u", gpu);
	/* Nothing but the barrier logic may unblock a dependency. */
	dom_set("starvation_ms", "0");
	high_waits_on_low();
	low_waits_on_high();
	cross_process();
	barrier_value();
	dom_set("starvation_ms", "1000");
	snprintf(p, sizeof(p), "%s/starvation_ms", ddir);
	xt_check("starvation-restored", xsq_read_ll(p) == 1000, "%lld",
		 xsq_read_ll(p));
	return xt_exit();
}
