// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the HPF policy's transitions, hysteresis and starvation slice,
 * in virtual time.
 */
#include <kunit/test.h>

#include "../../kmod/xsched/xsched.h"

#define US 1000ULL
#define MS 1000000ULL

static struct xsched_domain *hpf_dom(struct kunit *test)
{
	struct xsched_domain *dom = kunit_kzalloc(test, sizeof(*dom),
						  GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, dom);
	dom->resume_delay_us = 200;
	return dom;
}

/* One decision, applied as the core would on success. */
static unsigned int hpf_step(struct xsched_domain *dom, u64 now, u64 *next)
{
	dom->level = xsched_policy_hpf.decide(dom, now, next);
	return dom->level;
}

static void hpf_pauses_below_highest_busy_level(struct kunit *test)
{
	struct xsched_domain *dom = hpf_dom(test);
	u64 next;

	dom->busy_levels = BIT(0) | BIT(7) | BIT(11);
	KUNIT_EXPECT_EQ(test, hpf_step(dom, 1 * MS, &next), 11U);
	KUNIT_EXPECT_EQ(test, next, U64_MAX);
}

static void hpf_nothing_paused_when_only_lowest_busy(struct kunit *test)
{
	struct xsched_domain *dom = hpf_dom(test);
	u64 next;

	dom->busy_levels = BIT(0);
	KUNIT_EXPECT_EQ(test, hpf_step(dom, 1 * MS, &next), 0U);
	dom->busy_levels = 0;
	KUNIT_EXPECT_EQ(test, hpf_step(dom, 2 * MS, &next), 0U);
}

static void hpf_resume_waits_resume_delay(struct kunit *test)
{
	struct xsched_domain *dom = hpf_dom(test);
	u64 next;

	dom->busy_levels = BIT(0) | BIT(11);
	hpf_step(dom, 0, &next);
	dom->busy_levels = BIT(0);		/* the high level went idle */
	KUNIT_EXPECT_EQ(test, hpf_step(dom, 1 * MS, &next), 11U);
	KUNIT_EXPECT_EQ(test, next, 1 * MS + 200 * US);
	KUNIT_EXPECT_EQ(test, hpf_step(dom, 1 * MS + 199 * US, &next), 11U);
	KUNIT_EXPECT_EQ(test, hpf_step(dom, 1 * MS + 200 * US, &next), 0U);
}

static void hpf_short_gap_keeps_lower_levels_paused(struct kunit *test)
{
	struct xsched_domain *dom = hpf_dom(test);
	u64 next;

	dom->busy_levels = BIT(0) | BIT(11);
	hpf_step(dom, 0, &next);
	dom->busy_levels = BIT(0);
	hpf_step(dom, 1 * MS, &next);
	dom->busy_levels = BIT(0) | BIT(11);	/* busy again within 100 us */
	KUNIT_EXPECT_EQ(test, hpf_step(dom, 1 * MS + 100 * US, &next), 11U);
	dom->busy_levels = BIT(0);
	/* The delay starts again from the new idle moment. */
	KUNIT_EXPECT_EQ(test, hpf_step(dom, 1 * MS + 250 * US, &next), 11U);
	KUNIT_EXPECT_EQ(test, next, 1 * MS + 450 * US);
}

static void hpf_middle_level_keeps_its_place(struct kunit *test)
{
	struct xsched_domain *dom = hpf_dom(test);
	u64 next;

	dom->busy_levels = BIT(0) | BIT(7) | BIT(11);
	hpf_step(dom, 0, &next);
	dom->busy_levels = BIT(0) | BIT(7);
	hpf_step(dom, 1 * MS, &next);
	/* After the delay only level 7 is protected: level 0 stays paused. */
	KUNIT_EXPECT_EQ(test, hpf_step(dom, 2 * MS, &next), 7U);
}

static void hpf_starvation_slice(struct kunit *test)
{
	struct xsched_domain *dom = hpf_dom(test);
	u64 next, t0 = 5 * MS;

	dom->starvation_ms = 10;
	dom->busy_levels = BIT(0) | BIT(11);
	KUNIT_EXPECT_EQ(test, hpf_step(dom, t0, &next), 11U);
	KUNIT_EXPECT_EQ(test, next, t0 + 10 * MS);
	/* Paused 10 ms with work: everything resumes for 2.5 ms. */
	KUNIT_EXPECT_EQ(test, hpf_step(dom, t0 + 10 * MS, &next), 0U);
	KUNIT_EXPECT_EQ(test, next, t0 + 12500 * US);
	KUNIT_EXPECT_EQ(test, hpf_step(dom, t0 + 11 * MS, &next), 0U);
	KUNIT_EXPECT_EQ(test, hpf_step(dom, t0 + 12500 * US, &next), 11U);
	KUNIT_EXPECT_EQ(test, next, t0 + 22500 * US);
}

static void hpf_no_slice_when_lower_levels_idle(struct kunit *test)
{
	struct xsched_domain *dom = hpf_dom(test);
	u64 next;

	dom->starvation_ms = 10;
	dom->busy_levels = BIT(11);
	KUNIT_EXPECT_EQ(test, hpf_step(dom, 0, &next), 11U);
	KUNIT_EXPECT_EQ(test, next, U64_MAX);
	KUNIT_EXPECT_EQ(test, hpf_step(dom, 50 * MS, &next), 11U);
}

static struct kunit_case xsched_hpf_cases[] = {
	KUNIT_CASE(hpf_pauses_below_highest_busy_level),
	KUNIT_CASE(hpf_nothing_paused_when_only_lowest_busy),
	KUNIT_CASE(hpf_resume_waits_resume_delay),
	KUNIT_CASE(hpf_short_gap_keeps_lower_levels_paused),
	KUNIT_CASE(hpf_middle_level_keeps_its_place),
	KUNIT_CASE(hpf_starvation_slice),
	KUNIT_CASE(hpf_no_slice_when_lower_levels_idle),
	{}
};

static struct kunit_suite xsched_hpf_suite = {
	.name = "xsched_hpf",
	.test_cases = xsched_hpf_cases,
};
kunit_test_suite(xsched_hpf_suite);
