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
	INIT_LIST_HEAD(&dom->tenants);
	dom->resume_delay_us = 200;
	dom->starvation_slice_ms = 10;
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
	dom->starvation_slice_ms = 2;
	dom->busy_levels = BIT(0) | BIT(11);
	KUNIT_EXPECT_EQ(test, hpf_step(dom, t0, &next), 11U);
	KUNIT_EXPECT_EQ(test, next, t0 + 10 * MS);
	/* Paused 10 ms with work: everything resumes for the 2 ms slice. */
	KUNIT_EXPECT_EQ(test, hpf_step(dom, t0 + 10 * MS, &next), 0U);
	KUNIT_EXPECT_EQ(test, next, t0 + 12 * MS);
	KUNIT_EXPECT_EQ(test, hpf_step(dom, t0 + 11 * MS, &next), 0U);
	KUNIT_EXPECT_EQ(test, hpf_step(dom, t0 + 12 * MS, &next), 11U);
	KUNIT_EXPECT_EQ(test, next, t0 + 22 * MS);
}

/* A tenant of @dom: @uid's queues at operator priority @tier. */
static struct xsched_tenant *hpf_tenant(struct kunit *test,
					struct xsched_domain *dom, u32 uid,
					unsigned int tier)
{
	struct xsched_tenant *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, t);
	t->uid = KUIDT_INIT(uid);
	t->tier = tier;
	list_add_tail(&t->link, &dom->tenants);
	return t;
}

/* Two users at one operator priority: each orders only its own queues. */
static void hpf_tenants_do_not_pause_each_other(struct kunit *test)
{
	struct xsched_domain *dom = hpf_dom(test);
	struct xsched_tenant *a = hpf_tenant(test, dom, 1000, 7);
	struct xsched_tenant *b = hpf_tenant(test, dom, 1001, 7);
	u64 next;

	dom->busy_levels = BIT(7);
	a->busy_own = BIT(15) | BIT(3);		/* a's 15 and a's 3 busy */
	b->busy_own = BIT(0);			/* b's 0 busy */
	KUNIT_EXPECT_EQ(test, hpf_step(dom, 1 * MS, &next), 7U);
	KUNIT_EXPECT_EQ(test, (u32)a->level, 15U);	/* a's 3 paused */
	KUNIT_EXPECT_EQ(test, (u32)b->level, 0U);	/* b's 0 runs */
	KUNIT_EXPECT_EQ(test, next, U64_MAX);
}

/* A higher operator priority pauses every tenant below it whole. */
static void hpf_operator_priority_first(struct kunit *test)
{
	struct xsched_domain *dom = hpf_dom(test);
	struct xsched_tenant *a = hpf_tenant(test, dom, 1000, 7);
	struct xsched_tenant *c = hpf_tenant(test, dom, 0, 11);
	u64 next;

	dom->busy_levels = BIT(7) | BIT(11);
	a->busy_own = BIT(15);
	c->busy_own = BIT(0);
	KUNIT_EXPECT_EQ(test, hpf_step(dom, 1 * MS, &next), 11U);
	KUNIT_EXPECT_EQ(test, (u32)c->level, 0U);
	KUNIT_EXPECT_EQ(test, (u32)a->level, 0U);	/* paused by tier */
	/* c idles: a resumes after the delay, and orders its own again. */
	dom->busy_levels = BIT(7);
	c->busy_own = 0;
	KUNIT_EXPECT_EQ(test, hpf_step(dom, 2 * MS, &next), 11U);
	KUNIT_EXPECT_EQ(test, next, 2 * MS + 200 * US);
	KUNIT_EXPECT_EQ(test, hpf_step(dom, 2 * MS + 200 * US, &next), 7U);
	KUNIT_EXPECT_EQ(test, (u32)a->level, 15U);
}

/* A tenant's own level falls only after the resume delay. */
static void hpf_tenant_hysteresis(struct kunit *test)
{
	struct xsched_domain *dom = hpf_dom(test);
	struct xsched_tenant *a = hpf_tenant(test, dom, 1000, 7);
	u64 next;

	dom->busy_levels = BIT(7);
	a->busy_own = BIT(11) | BIT(2);
	hpf_step(dom, 0, &next);
	KUNIT_EXPECT_EQ(test, (u32)a->level, 11U);
	a->busy_own = BIT(2);
	hpf_step(dom, 1 * MS, &next);
	KUNIT_EXPECT_EQ(test, (u32)a->level, 11U);
	KUNIT_EXPECT_EQ(test, next, 1 * MS + 200 * US);
	hpf_step(dom, 1 * MS + 200 * US, &next);
	KUNIT_EXPECT_EQ(test, (u32)a->level, 2U);
}

/* A busy queue paused inside its tenant is not starved either. */
static void hpf_tenant_starvation_slice(struct kunit *test)
{
	struct xsched_domain *dom = hpf_dom(test);
	struct xsched_tenant *a = hpf_tenant(test, dom, 1000, 7);
	u64 next;

	dom->starvation_ms = 10;
	dom->starvation_slice_ms = 3;
	dom->busy_levels = BIT(7);
	a->busy_own = BIT(11) | BIT(2);
	hpf_step(dom, 1 * MS, &next);
	KUNIT_EXPECT_EQ(test, (u32)a->level, 11U);
	KUNIT_EXPECT_EQ(test, next, 11 * MS);
	KUNIT_EXPECT_EQ(test, hpf_step(dom, 11 * MS, &next), 0U);
	KUNIT_EXPECT_EQ(test, (u32)a->level, 0U);	/* everything runs */
	KUNIT_EXPECT_EQ(test, next, 14 * MS);
	hpf_step(dom, 14 * MS, &next);
	KUNIT_EXPECT_EQ(test, (u32)a->level, 11U);
	KUNIT_EXPECT_EQ(test, next, 24 * MS);
}

static void hpf_glob(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, xsched_glob_match("/a/b", "/a/b"));
	KUNIT_EXPECT_FALSE(test, xsched_glob_match("/a/b", "/a/bc"));
	KUNIT_EXPECT_TRUE(test, xsched_glob_match("/kubepods.slice/*",
						  "/kubepods.slice/pod-1"));
	/* '*' stays within one component. */
	KUNIT_EXPECT_FALSE(test, xsched_glob_match("/k/*", "/k/p/c"));
	KUNIT_EXPECT_TRUE(test, xsched_glob_match("/k/*/c", "/k/pod/c"));
	KUNIT_EXPECT_TRUE(test, xsched_glob_match("/k/*-ml-*", "/k/a-ml-b"));
	KUNIT_EXPECT_FALSE(test, xsched_glob_match("/k/*-ml-*", "/k/a-mx-b"));
	KUNIT_EXPECT_TRUE(test, xsched_glob_match("/u?", "/u1"));
	KUNIT_EXPECT_FALSE(test, xsched_glob_match("/u?", "/u12"));
	KUNIT_EXPECT_FALSE(test, xsched_glob_match("/?", "//"));
	KUNIT_EXPECT_TRUE(test, xsched_glob_match("/*", "/"));
	KUNIT_EXPECT_FALSE(test, xsched_glob_match("", "/"));
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
	KUNIT_CASE(hpf_tenants_do_not_pause_each_other),
	KUNIT_CASE(hpf_operator_priority_first),
	KUNIT_CASE(hpf_tenant_hysteresis),
	KUNIT_CASE(hpf_tenant_starvation_slice),
	KUNIT_CASE(hpf_glob),
	{}
};

static struct kunit_suite xsched_hpf_suite = {
	.name = "xsched_hpf",
	.test_cases = xsched_hpf_cases,
};
kunit_test_suite(xsched_hpf_suite);
