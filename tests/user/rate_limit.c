// SPDX-License-Identifier: GPL-2.0
/*
 * The runlist-change limit and the adaptive hysteresis, with the real
 * poll and decider: a high-priority queue that runs 300 us and then idles
 * about 700 us, over and over, next to a busy low-priority one.  Every
 * idle gap is longer than resume_delay_us, so without the limit and the
 * adaptation each costs a resume and a pause.
 */
#include <stdio.h>

#include "simq.h"
#include "xsq.h"
#include "xtest.h"

#define US		1000ULL
#define MS		1000000ULL

static char ddir[128];

static long long dom(const char *f)
{
	char p[192];

	snprintf(p, sizeof(p), "%s/%s", ddir, f);
	return xsq_read_ll(p);
}

static int dom_set(const char *f, const char *v)
{
	char p[192];

	snprintf(p, sizeof(p), "%s/%s", ddir, f);
	return xsq_write(p, v);
}

/*
 * One second of: the high queue runs @run_us, then idles @idle_us.
 * Returns the runlist changes it cost.
 */
static long long pattern(struct simq *hi, uint64_t run_us, uint64_t idle_us,
			 long long *cycles)
{
	long long before = dom("pauses") + dom("resumes");
	uint64_t t0 = simq_now_ns();

	*cycles = 0;
	while (simq_now_ns() - t0 < 1000 * MS) {
		simq_submit(hi, run_us * US, 1);
		simq_wait(hi, hi->wdid, 100 * MS);
		usleep(idle_us);
		++*cycles;
	}
	return dom("pauses") + dom("resumes") - before;
}

int main(void)
{
	long long limited, changes, free_changes, osc, cycles, free_cycles;
	int fd, sfd, lid = -1;
	struct simq hi, lo;
	uint32_t gpu;

	xt_prog = "rate_limit";
	xt_plan(7);
	fd = xsq_open();
	sfd = open("/dev/" XSCHED_SIM_DEVICE_NAME, O_RDWR);
	if (fd < 0 || sfd < 0 || simq_first_node(sfd, &gpu) ||
	    simq_create(&hi, sfd, gpu, 11) || simq_create(&lo, sfd, gpu, 0)) {
		xt_fail("setup", "no xsched or simulator");
		return xt_exit();
	}
	snprintf(ddir, sizeof(ddir), XSQ_SYSFS "/domains/%u", gpu);
	XSQ_WAIT_FOR((lid = xsq_find(fd, (uintptr_t)lo.ring)) > 0, 2000);
	xt_check("default-limit", dom("max_changes_per_s") == 200, "%lld",
		 dom("max_changes_per_s"));
	simq_submit(&lo, 10 * MS, 60);

	/*
	 * Gaps of 700 us at a limit of 100 a second: the resume delay adapts
	 * until they cost nothing, rather than running into the limit.
	 */
	dom_set("max_changes_per_s", "100");
	dom_set("resume_delay_us", "100");
	osc = dom("oscillations");
	pattern(&hi, 300, 700, &cycles);
	/* A slow guest (the debug kernel) may not keep the pattern's pace. */
	if (dom("oscillations") < osc + 3)
		xt_skip("hysteresis-adapts", "the guest did not keep the pattern's pace: %lld oscillations",
			dom("oscillations") - osc);
	else
		xt_check("hysteresis-adapts", dom("resume_delay_eff_us") > 700,
			 "oscillations %lld -> %lld, delay %lld us", osc,
			 dom("oscillations"), dom("resume_delay_eff_us"));

	/*
	 * Gaps of 60 ms, longer than the adaptation goes (20 ms): without a
	 * limit each costs a resume and a pause; at 10 a second, at most 10
	 * + a bucket of 2 (and 2 for the edges).
	 */
	dom_set("max_changes_per_s", "0");
	free_changes = pattern(&hi, 5000, 60000, &free_cycles);
	dom_set("max_changes_per_s", "10");
	limited = dom("rate_limited");
	changes = pattern(&hi, 5000, 60000, &cycles);
	printf("rate_limit: %lld runlist changes in 1 s without a limit, %lld with 10/s (modelled)\n",
	       free_changes, changes);
	/*
	 * Per kernel and gap, a pause and a resume: counted against the
	 * cycles the guest made, as a loaded host makes fewer than 15 in its
	 * second; at least 1.5 a cycle, as a cycle that a loaded guest
	 * stretches (a kernel done before the poll saw it) may cost none.
	 */
	xt_check("unlimited-changes-per-gap",
		 free_cycles >= 4 && 2 * free_changes >= 3 * free_cycles,
		 "%lld changes in %lld kernels and gaps", free_changes,
		 free_cycles);
	xt_check("limit-bounds-changes", changes <= 10 + 1 + 1 + 2,
		 "%lld changes in 1 s", changes);
	xt_check("limit-counted", dom("rate_limited") > limited,
		 "rate_limited %lld -> %lld", limited, dom("rate_limited"));

	/* Nothing is left paused once the high queue stops. */
	xt_check("low-runs-after",
		 XSQ_WAIT_FOR(xsq_state(fd, lid) != XSCHED_QUEUE_PAUSED, 2000),
		 "state %d", xsq_state(fd, lid));
	dom_set("max_changes_per_s", "200");
	dom_set("resume_delay_us", "200");
	xt_check("knobs-restored", dom("max_changes_per_s") == 200 &&
		 dom("resume_delay_us") == 200, "not restored");
	simq_destroy(&lo);
	simq_destroy(&hi);
	return xt_exit();
}
