// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the simulated GPU's timing model, in virtual time.
 */
#include <kunit/test.h>

#include "../../kmod/sim/xsched_sim_engine.h"

#define US 1000ULL
#define MS 1000000ULL

struct sim_fixture {
	struct xsched_sim_node node;
	struct xsched_sim_queue q[4];
	struct xsched_sim_kernel fifo[4][8];
	u64 done_at[4][8];	/* completion time per queue, per dispatch id */
	u64 launched_id[4];
};

static struct sim_fixture *sim_fx(struct xsched_sim_queue *q)
{
	return q->priv;
}

static void fx_launched(struct xsched_sim_queue *q,
			const struct xsched_sim_kernel *k)
{
	struct sim_fixture *fx = sim_fx(q);

	fx->launched_id[q - fx->q] = k->dispatch_id;
}

static void fx_completed(struct xsched_sim_queue *q,
			 const struct xsched_sim_kernel *k, u64 t)
{
	struct sim_fixture *fx = sim_fx(q);

	if (k->dispatch_id < 8)
		fx->done_at[q - fx->q][k->dispatch_id] = t;
}

/* A barrier's "dependencies" here: a flag the test sets. */
static bool fx_barrier_met(struct xsched_sim_queue *q,
			   const struct xsched_sim_kernel *k)
{
	return READ_ONCE(*(bool *)k->deps);
}

static const struct xsched_sim_hooks fx_hooks = {
	.launched = fx_launched,
	.completed = fx_completed,
	.barrier_met = fx_barrier_met,
};

static const struct xsched_sim_params fx_free = { 0 };
static const struct xsched_sim_params fx_costly = {
	.cp_overhead_ns = 20 * US,
	.per_queue_ns = 2 * US,
	.cwsr_save_ns = 40 * US,
	.cwsr_restore_ns = 40 * US,
};

static struct sim_fixture *sim_setup(struct kunit *test,
				     const struct xsched_sim_params *p,
				     int nq)
{
	struct sim_fixture *fx = kunit_kzalloc(test, sizeof(*fx), GFP_KERNEL);
	int i;

	KUNIT_ASSERT_NOT_NULL(test, fx);
	/* Queue creation is free here so that tests start from a clean 0. */
	xsched_sim_node_init(&fx->node, 1, &fx_free, &fx_hooks, 0);
	for (i = 0; i < nq; i++) {
		xsched_sim_queue_init(&fx->q[i], fx->fifo[i], 8);
		fx->q[i].priv = fx;
		xsched_sim_queue_add(&fx->node, &fx->q[i], 0);
	}
	fx->node.params = *p;
	fx->node.runlist_changes = 0;
	return fx;
}

static void sim_alone_runs_at_full_speed(struct kunit *test)
{
	struct sim_fixture *fx = sim_setup(test, &fx_free, 1);

	KUNIT_ASSERT_EQ(test, xsched_sim_submit(&fx->q[0], 10 * MS, NULL, 0, 0), 0);
	KUNIT_ASSERT_EQ(test, xsched_sim_submit(&fx->q[0], 5 * MS, NULL, 0, 0), 0);
	/* Read index advances at launch: packet 1 consumed, still running. */
	KUNIT_EXPECT_EQ(test, fx->q[0].launched, 1ULL);
	KUNIT_EXPECT_EQ(test, fx->q[0].completed, 0ULL);
	KUNIT_EXPECT_EQ(test, xsched_sim_next_event(&fx->node), 10 * MS);
	xsched_sim_advance(&fx->node, 10 * MS);
	KUNIT_EXPECT_EQ(test, fx->done_at[0][1], 10 * MS);
	KUNIT_EXPECT_EQ(test, fx->q[0].launched, 2ULL);
	xsched_sim_advance(&fx->node, 100 * MS);
	KUNIT_EXPECT_EQ(test, fx->done_at[0][2], 15 * MS);
	KUNIT_EXPECT_EQ(test, fx->q[0].completed, 2ULL);
	KUNIT_EXPECT_EQ(test, xsched_sim_next_event(&fx->node), U64_MAX);
}

static void sim_busy_queues_share_the_node(struct kunit *test)
{
	struct sim_fixture *fx = sim_setup(test, &fx_free, 2);

	xsched_sim_submit(&fx->q[0], 10 * MS, NULL, 0, 0);
	xsched_sim_submit(&fx->q[1], 20 * MS, NULL, 0, 0);
	xsched_sim_advance(&fx->node, 100 * MS);
	/* Both at half speed until q0 ends at 20 ms; q1 then alone. */
	KUNIT_EXPECT_EQ(test, fx->done_at[0][1], 20 * MS);
	KUNIT_EXPECT_EQ(test, fx->done_at[1][1], 30 * MS);
}

static void sim_paused_queue_makes_no_progress(struct kunit *test)
{
	struct sim_fixture *fx = sim_setup(test, &fx_free, 2);
	struct xsched_sim_queue *low = &fx->q[1];

	xsched_sim_submit(&fx->q[0], 10 * MS, NULL, 0, 0);
	xsched_sim_submit(low, 10 * MS, NULL, 0, 0);
	xsched_sim_runlist_change(&fx->node, &low, 1, false, 2 * MS);
	/* 0-2 ms shared: each did 1 ms; then q0 alone for its last 9 ms. */
	xsched_sim_advance(&fx->node, 11 * MS);
	KUNIT_EXPECT_EQ(test, fx->done_at[0][1], 11 * MS);
	KUNIT_EXPECT_EQ(test, low->completed, 0ULL);
	xsched_sim_advance(&fx->node, 50 * MS);
	KUNIT_EXPECT_EQ(test, low->completed, 0ULL);
	xsched_sim_runlist_change(&fx->node, &low, 1, true, 50 * MS);
	xsched_sim_advance(&fx->node, 100 * MS);
	KUNIT_EXPECT_EQ(test, fx->done_at[1][1], 59 * MS);
	KUNIT_EXPECT_EQ(test, fx->node.runlist_changes, 2ULL);
}

static void sim_runlist_change_stalls_everyone(struct kunit *test)
{
	struct sim_fixture *fx = sim_setup(test, &fx_costly, 2);
	struct xsched_sim_queue *low = &fx->q[1];
	u64 pause_cost = 20 * US + 2 * US * 1 + 40 * US + 40 * US;

	xsched_sim_submit(&fx->q[0], 10 * MS, NULL, 0, 0);
	xsched_sim_submit(low, 10 * MS, NULL, 0, 0);
	/* Pause low at 0: CP + one mapped queue + save + restore of q0. */
	xsched_sim_runlist_change(&fx->node, &low, 1, false, 0);
	KUNIT_EXPECT_EQ(test, fx->node.stall_until, pause_cost);
	KUNIT_EXPECT_EQ(test, xsched_sim_next_event(&fx->node), pause_cost);
	xsched_sim_advance(&fx->node, 100 * MS);
	KUNIT_EXPECT_EQ(test, fx->done_at[0][1], pause_cost + 10 * MS);
	KUNIT_EXPECT_EQ(test, fx->node.stall_ns, pause_cost);
}

static void sim_ring_full_enospc(struct kunit *test)
{
	struct sim_fixture *fx = sim_setup(test, &fx_free, 1);
	int i;

	for (i = 0; i < 8; i++)
		KUNIT_ASSERT_EQ(test, xsched_sim_submit(&fx->q[0], MS, NULL, 0, 0), 0);
	KUNIT_EXPECT_EQ(test, xsched_sim_submit(&fx->q[0], MS, NULL, 0, 0), -ENOSPC);
	KUNIT_EXPECT_EQ(test, fx->q[0].submitted, 8ULL);
}

static void sim_barrier_holds_queue_until_released(struct kunit *test)
{
	struct sim_fixture *fx = sim_setup(test, &fx_free, 1);
	struct xsched_sim_queue *q = &fx->q[0];

	KUNIT_ASSERT_EQ(test, xsched_sim_submit(q, MS, NULL, 0, 0), 0);
	KUNIT_ASSERT_EQ(test, xsched_sim_submit_barrier(q, NULL, NULL, 0, 0), 0);
	KUNIT_ASSERT_EQ(test, xsched_sim_submit(q, 2 * MS, NULL, 0, 0), 0);
	xsched_sim_advance(&fx->node, 50 * MS);
	/* Kernel 1 done; the barrier (2) is pending, not consumed. */
	KUNIT_EXPECT_EQ(test, q->completed, 1ULL);
	KUNIT_EXPECT_EQ(test, q->launched, 1ULL);
	KUNIT_EXPECT_EQ(test, q->submitted, 3ULL);
	KUNIT_EXPECT_EQ(test, xsched_sim_next_event(&fx->node), U64_MAX);
	KUNIT_EXPECT_EQ(test, xsched_sim_barrier_release(q, 2, 60 * MS), 0);
	/* Consumed and completed at the release; kernel 3 launched. */
	KUNIT_EXPECT_EQ(test, fx->done_at[0][2], 60 * MS);
	KUNIT_EXPECT_EQ(test, q->launched, 3ULL);
	xsched_sim_advance(&fx->node, 100 * MS);
	KUNIT_EXPECT_EQ(test, fx->done_at[0][3], 62 * MS);
}

static void sim_barrier_release_bad_id_einval(struct kunit *test)
{
	struct sim_fixture *fx = sim_setup(test, &fx_free, 1);
	struct xsched_sim_queue *q = &fx->q[0];

	KUNIT_EXPECT_EQ(test, xsched_sim_submit(q, 0, NULL, 0, 0), -EINVAL);
	xsched_sim_submit(q, 10 * MS, NULL, 0, 0);
	xsched_sim_submit_barrier(q, NULL, NULL, 0, 0);
	KUNIT_EXPECT_EQ(test, xsched_sim_barrier_release(q, 0, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, xsched_sim_barrier_release(q, 1, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, xsched_sim_barrier_release(q, 3, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, xsched_sim_barrier_release(q, 2, 0), 0);
	KUNIT_EXPECT_EQ(test, xsched_sim_barrier_release(q, 2, 0), -EINVAL);
	xsched_sim_advance(&fx->node, 100 * MS);
	KUNIT_EXPECT_EQ(test, q->completed, 2ULL);
	KUNIT_EXPECT_EQ(test, xsched_sim_barrier_release(q, 2, 100 * MS), -EINVAL);
}

static void sim_released_barrier_waits_for_resume(struct kunit *test)
{
	struct sim_fixture *fx = sim_setup(test, &fx_free, 1);
	struct xsched_sim_queue *q = &fx->q[0];

	xsched_sim_submit_barrier(q, NULL, NULL, 0, 0);
	xsched_sim_runlist_change(&fx->node, &q, 1, false, MS);
	KUNIT_EXPECT_EQ(test, xsched_sim_barrier_release(q, 1, 2 * MS), 0);
	xsched_sim_advance(&fx->node, 10 * MS);
	/* An unmapped queue's packets are not processed. */
	KUNIT_EXPECT_EQ(test, q->launched, 0ULL);
	xsched_sim_runlist_change(&fx->node, &q, 1, true, 10 * MS);
	xsched_sim_advance(&fx->node, 11 * MS);
	KUNIT_EXPECT_EQ(test, q->completed, 1ULL);
	KUNIT_EXPECT_EQ(test, fx->done_at[0][1], 10 * MS);
}

/*
 * A barrier with dependencies: consumed when the hook says they are met,
 * looked at again every XSCHED_SIM_DEP_POLL_NS while it waits, and when
 * another queue's kernel completes.
 */
static void sim_dep_barrier_consumed_when_met(struct kunit *test)
{
	struct sim_fixture *fx = sim_setup(test, &fx_free, 2);
	struct xsched_sim_queue *q = &fx->q[0];
	bool met = false;

	KUNIT_ASSERT_EQ(test, xsched_sim_submit_barrier(q, &met, NULL, 0, 0), 0);
	KUNIT_ASSERT_EQ(test, xsched_sim_submit(q, MS, NULL, 0, 0), 0);
	xsched_sim_advance(&fx->node, 5 * MS);
	KUNIT_EXPECT_EQ(test, q->launched, 0ULL);
	KUNIT_EXPECT_TRUE(test, fx->node.dep_waiting);
	KUNIT_EXPECT_EQ(test, xsched_sim_next_event(&fx->node),
			5 * MS + XSCHED_SIM_DEP_POLL_NS);
	/* Not released by the ioctl's path: its dependencies decide. */
	KUNIT_EXPECT_EQ(test, xsched_sim_barrier_release(q, 1, 5 * MS), -EINVAL);
	/* Met: the next advance (the re-check) consumes it at its start. */
	met = true;
	xsched_sim_advance(&fx->node, 5 * MS + XSCHED_SIM_DEP_POLL_NS);
	KUNIT_EXPECT_EQ(test, fx->done_at[0][1], 5 * MS);
	KUNIT_EXPECT_EQ(test, q->launched, 2ULL);
	KUNIT_EXPECT_FALSE(test, fx->node.dep_waiting);
	xsched_sim_advance(&fx->node, 10 * MS);
	KUNIT_EXPECT_EQ(test, q->completed, 2ULL);
}

static struct kunit_case xsched_sim_engine_cases[] = {
	KUNIT_CASE(sim_dep_barrier_consumed_when_met),
	KUNIT_CASE(sim_alone_runs_at_full_speed),
	KUNIT_CASE(sim_busy_queues_share_the_node),
	KUNIT_CASE(sim_paused_queue_makes_no_progress),
	KUNIT_CASE(sim_runlist_change_stalls_everyone),
	KUNIT_CASE(sim_ring_full_enospc),
	KUNIT_CASE(sim_barrier_holds_queue_until_released),
	KUNIT_CASE(sim_barrier_release_bad_id_einval),
	KUNIT_CASE(sim_released_barrier_waits_for_resume),
	{}
};

static struct kunit_suite xsched_sim_engine_suite = {
	.name = "xsched_sim_engine",
	.test_cases = xsched_sim_engine_cases,
};
kunit_test_suite(xsched_sim_engine_suite);
