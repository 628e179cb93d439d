// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the xsched core with HPF behind a mock provider, and a replay of
 * one high-priority queue next to fifteen saturating low-priority ones on
 * the simulated GPU's timing model, all in virtual time.
 *
 * Each test binds the core to a mock struct kfd_xsched_ops with one node,
 * sends it provider events through the listener it registers, and drives
 * time itself: the domain's poll period is set to 0 (no poll timer), busy
 * state is set with xsched_queue_set_busy() under dom->lock and decisions
 * are made with xsched_decide() under dom->mutex, at chosen times.
 *
 * The mock's queues have no address space (info.mm NULL), so the core
 * pins nothing and tracks them all the same.  The mock names its queues
 * by handles it never reuses, as kfd_xsched.h requires.
 */
#include <kunit/test.h>
#include <linux/cred.h>
#include <linux/delay.h>
#include <linux/err.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/workqueue.h>

#include "../../kmod/xsched/xsched.h"
#include "../../kmod/sim/xsched_sim_engine.h"

#define US 1000ULL
#define MS 1000000ULL

#define MOCK_GPU_ID	0x7100
#define MOCK_GPU_ID2	0x7101	/* the second node, when there is one */
#define MOCK_MAX_Q	32
#define MOCK_TGID	1000000
#define MOCK_HANDLE0	0x1000	/* the first handle the mock hands out */

/* Virtual time at which the tests start; 0 has no special meaning. */
#define T0		(1 * MS)

struct mock_queue {
	u64 handle;
	pid_t tgid;
	u32 queue_id;
	u32 gpu_id;
	bool live;		/* created, not yet destroyed */
	bool paused;		/* by xsched */
};

struct rp;

struct mock_provider {
	const struct kfd_xsched_listener *listener;
	struct mock_queue q[MOCK_MAX_Q];
	unsigned int nq;
	unsigned int nodes;		/* 1 (default) or 2 */
	bool node_gone[2];
	u64 last_handle;
	int fail;			/* pause/resume fail with it if set */
	unsigned int fail_resumes;	/* the next ones fail (-EIO)... */
	bool unmapped;			/* ...leaving the runlist unmapped */
	bool gone_in_register;		/* gone() while registering */
	bool not_preemptive;		/* node 0 says it cannot pause */
	unsigned int calls;		/* of every op */
	bool gone;			/* gone() was called */
	unsigned int calls_after_gone;
	unsigned int registers, unregisters;
	unsigned int pause_calls, resume_calls;
	unsigned int redundant;		/* paused twice or resumed unpaused */
	unsigned int unknown;		/* references to no live queue */
	unsigned int wrong_node;	/* queue of another or a gone node */
	u64 batch[MOCK_MAX_Q];		/* the last one */
	unsigned int batch_n;
	struct rp *rp;			/* replay: forward to the engine */
};

/* The ops carry no context: the mock of the running test. */
static struct mock_provider *mock;

static void rp_forward(struct rp *rp, const u64 *handles, unsigned int n,
		       bool pause);

static void mock_op(void)
{
	mock->calls++;
	if (mock->gone)
		mock->calls_after_gone++;
}

static struct mock_queue *mock_find(u64 handle)
{
	unsigned int i;

	for (i = 0; i < mock->nq; i++)
		if (mock->q[i].live && mock->q[i].handle == handle)
			return &mock->q[i];
	return NULL;
}

static u32 mock_gpu(unsigned int node)
{
	return node ? MOCK_GPU_ID2 : MOCK_GPU_ID;
}

static bool mock_node_live(u32 gpu_id)
{
	unsigned int i;

	for (i = 0; i < mock->nodes; i++)
		if (mock_gpu(i) == gpu_id)
			return !mock->node_gone[i];
	return false;
}

static unsigned int mock_paused(void)
{
	unsigned int i, n = 0;

	for (i = 0; i < mock->nq; i++)
		n += mock->q[i].live && mock->q[i].paused;
	return n;
}

static int mock_register_listener(const struct kfd_xsched_listener *l)
{
	struct kfd_xsched_node_info node = { .caps = KFD_XSCHED_NODE_PREEMPTIVE };
	unsigned int i;

	mock_op();
	mock->registers++;
	if (mock->listener)
		return -EBUSY;
	mock->listener = l;
	for (i = 0; i < max(mock->nodes, 1U); i++) {
		node.gpu_id = mock_gpu(i);
		node.name = i ? "mock node 2" : "mock node";
		node.caps = !i && mock->not_preemptive ? 0 :
			    KFD_XSCHED_NODE_PREEMPTIVE;
		node.why = node.caps ? NULL : "mock: no hardware scheduler";
		l->node(l, KFD_XSCHED_NODE_ADDED, &node);
	}
	if (mock->gone_in_register) {
		/* As a provider going away at that moment would. */
		mock->listener = NULL;
		mock->gone = true;
		l->gone(l);
	}
	return 0;
}

static void mock_unregister_listener(const struct kfd_xsched_listener *l)
{
	mock_op();
	mock->unregisters++;
	if (mock->listener == l)
		mock->listener = NULL;
}

/*
 * Pause or resume as kfd_xsched.h says: handles that do not resolve on
 * the node are reported stale; a failed resume leaves the queues
 * un-paused but the node unmapped until a resume succeeds.
 */
static int mock_set(u32 gpu_id, const u64 *handles, unsigned int n,
		    unsigned long *stale, bool pause)
{
	bool failed = false;
	unsigned int i;

	mock_op();
	if (pause)
		mock->pause_calls++;
	else
		mock->resume_calls++;
	if (!mock_node_live(gpu_id)) {
		mock->wrong_node++;
		return -ENODEV;
	}
	mock->batch_n = min_t(unsigned int, n, MOCK_MAX_Q);
	memcpy(mock->batch, handles, mock->batch_n * sizeof(*handles));
	if (mock->fail)
		return mock->fail;
	if (!pause && mock->fail_resumes) {
		mock->fail_resumes--;
		failed = true;
	}
	for (i = 0; i < n; i++) {
		struct mock_queue *mq = mock_find(handles[i]);

		if (!mq || mq->gpu_id != gpu_id) {
			mock->unknown++;
			__set_bit(i, stale);
			continue;
		}
		if (mq->paused == pause)
			mock->redundant++;
		mq->paused = pause;
	}
	mock->unmapped = failed;
	if (failed)
		return -EIO;
	if (mock->rp)
		rp_forward(mock->rp, handles, n, pause);
	return 0;
}

static int mock_pause_queues(u32 gpu_id, const u64 *handles, unsigned int n,
			     unsigned long *stale)
{
	return mock_set(gpu_id, handles, n, stale, true);
}

static int mock_resume_queues(u32 gpu_id, const u64 *handles, unsigned int n,
			      unsigned long *stale)
{
	return mock_set(gpu_id, handles, n, stale, false);
}

static int mock_set_priority(u32 gpu_id, u64 handle, u32 priority)
{
	mock_op();
	return mock_find(handle) ? 0 : -ENOENT;
}

static const struct kfd_xsched_ops mock_ops = {
	.version = KFD_XSCHED_OPS_VERSION,
	.size = sizeof(struct kfd_xsched_ops),
	.name = "mock",
	.register_listener = mock_register_listener,
	.unregister_listener = mock_unregister_listener,
	.pause_queues = mock_pause_queues,
	.resume_queues = mock_resume_queues,
	.set_priority = mock_set_priority,
};

struct core_fx {
	struct mock_provider mock;
	struct xsched_binding *b;	/* NULL once let go of */
	struct xsched_domain *dom;
};

/**
 * fx_bind() - bind the core to a fresh mock provider
 * @test: the test; its priv becomes the fixture, unbound on exit
 *
 * Return: the fixture, its domain's poll timer disabled.
 */
static struct core_fx *fx_bind_nodes(struct kunit *test, unsigned int nodes)
{
	struct core_fx *fx = kunit_kzalloc(test, sizeof(*fx), GFP_KERNEL);
	struct xsched_binding *b;

	KUNIT_ASSERT_NOT_NULL(test, fx);
	mock = &fx->mock;
	mock->nodes = nodes;
	mock->last_handle = MOCK_HANDLE0 - 1;
	test->priv = fx;
	b = xsched_bind(&mock_ops);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, b);
	fx->b = b;
	KUNIT_ASSERT_FALSE(test, list_empty(&b->domains));
	fx->dom = list_first_entry(&b->domains, struct xsched_domain, link);
	/* Before any queue exists: no poll timer, the test drives time. */
	list_for_each_entry(fx->dom, &b->domains, link)
		fx->dom->poll_us = 0;
	fx->dom = list_first_entry(&b->domains, struct xsched_domain, link);
	return fx;
}

static struct core_fx *fx_bind(struct kunit *test)
{
	return fx_bind_nodes(test, 1);
}

/* As the provider's module does when it lets go of xsched. */
static void fx_unbind(struct core_fx *fx)
{
	mutex_lock(&xsched_lock);
	fx->b->detached = true;
	list_del_init(&fx->b->link);
	mutex_unlock(&xsched_lock);
	fx->b->ops->unregister_listener(&fx->b->listener);
	xsched_unbind(fx->b);
	kfree(fx->b);
	fx->b = NULL;
}

static void core_test_exit(struct kunit *test)
{
	struct core_fx *fx = test->priv;

	if (fx && fx->b) {
		fx->mock.rp = NULL;
		fx_unbind(fx);
	}
	mock = NULL;
}

/* One provider event, processed by the core before this returns. */
static void mock_event(enum kfd_xsched_event ev,
		       const struct kfd_xsched_queue_info *info)
{
	mock->listener->queue(mock->listener, ev, info);
	flush_workqueue(xsched_wq);
}

/* The mock's description of its queue @mq. */
static struct kfd_xsched_queue_info mock_info(const struct mock_queue *mq,
					      u32 prio)
{
	return (struct kfd_xsched_queue_info) {
		.handle = mq->handle,
		.tgid = mq->tgid,
		.queue_id = mq->queue_id,
		.gpu_id = mq->gpu_id,
		.type = KFD_XSCHED_QUEUE_COMPUTE,
		.state = mq->paused ? KFD_XSCHED_QUEUE_PAUSED :
				      KFD_XSCHED_QUEUE_ACTIVE,
		.priority = prio,
	};
}

/* The provider makes a queue (no event yet); returns the mock's record. */
static struct mock_queue *mock_new(struct kunit *test, pid_t tgid,
				   u32 queue_id, u32 gpu_id)
{
	struct mock_queue *mq;

	KUNIT_ASSERT_LT(test, mock->nq, (unsigned int)MOCK_MAX_Q);
	mq = &mock->q[mock->nq++];
	*mq = (struct mock_queue) {
		.handle = ++mock->last_handle,
		.tgid = tgid,
		.queue_id = queue_id,
		.gpu_id = gpu_id,
		.live = true,
	};
	return mq;
}

/* The XQueue of a mock queue, in whichever domain; NULL if none. */
static struct xsched_queue *fx_xq_of(struct core_fx *fx, u64 handle)
{
	struct xsched_domain *dom;
	struct xsched_queue *q, *found = NULL;

	list_for_each_entry(dom, &fx->b->domains, link) {
		mutex_lock(&dom->mutex);
		list_for_each_entry(q, &dom->queues, dom_link)
			if (q->handle == handle)
				found = q;
		mutex_unlock(&dom->mutex);
	}
	return found;
}

static struct xsched_queue *fx_xq(struct core_fx *fx, pid_t tgid,
				  u32 queue_id)
{
	struct xsched_queue *q, *found = NULL;

	mutex_lock(&fx->dom->mutex);
	list_for_each_entry(q, &fx->dom->queues, dom_link) {
		if (q->tgid == tgid && q->queue_id == queue_id) {
			found = q;
			break;
		}
	}
	mutex_unlock(&fx->dom->mutex);
	return found;
}

/**
 * mock_create() - the provider creates a queue and tells the core
 * @test: the test
 * @fx: the fixture
 * @tgid: owner
 * @queue_id: per owner
 * @prio: KFD queue priority
 *
 * Return: the XQueue the core made of it.
 */
static struct xsched_queue *mock_create(struct kunit *test,
					struct core_fx *fx, pid_t tgid,
					u32 queue_id, u32 prio)
{
	struct mock_queue *mq = mock_new(test, tgid, queue_id, MOCK_GPU_ID);
	struct kfd_xsched_queue_info info = mock_info(mq, prio);
	struct xsched_queue *q;

	mock_event(KFD_XSCHED_QUEUE_CREATED, &info);
	q = fx_xq_of(fx, mq->handle);
	KUNIT_ASSERT_NOT_NULL(test, q);
	return q;
}

/* The provider destroys one queue (@queue_id >= 0) or all of @tgid's. */
static void mock_destroy(struct core_fx *fx, pid_t tgid, int queue_id)
{
	unsigned int i;

	for (i = 0; i < fx->mock.nq; i++) {
		struct mock_queue *mq = &fx->mock.q[i];
		struct kfd_xsched_queue_info info;

		if (!mq->live || mq->tgid != tgid ||
		    (queue_id >= 0 && mq->queue_id != queue_id))
			continue;
		mq->live = false;
		info = mock_info(mq, 0);
		mock_event(KFD_XSCHED_QUEUE_DESTROYED, &info);
	}
}

/*
 * The level the domain enforces on its queues' own priorities.  Every
 * queue here is root's at the default operator priority: one tenant,
 * whose level says below which own priority its queues are paused.
 */
static unsigned int fx_level(struct xsched_domain *dom)
{
	struct xsched_tenant *t;
	unsigned int level = 0;

	/* Called with or without dom->mutex: the test drives the domain. */
	list_for_each_entry(t, &dom->tenants, link)
		level = max_t(unsigned int, level, t->level);
	return level;
}

static void fx_busy(struct core_fx *fx, struct xsched_queue *q, bool busy,
		    u64 now)
{
	xsched_dom_lock_irq(fx->dom);
	xsched_queue_set_busy(q, busy, now);
	raw_spin_unlock_irq(&fx->dom->lock);
}

static void fx_decide(struct core_fx *fx, u64 now)
{
	mutex_lock(&fx->dom->mutex);
	xsched_decide(fx->dom, now);
	mutex_unlock(&fx->dom->mutex);
}

static bool mock_in_batch(const struct xsched_queue *q)
{
	unsigned int i;

	for (i = 0; i < mock->batch_n; i++)
		if (mock->batch[i] == q->handle)
			return true;
	return false;
}

/* The last batch holds exactly the @n queues of @qs. */
static void expect_batch(struct kunit *test, struct xsched_queue **qs,
			 unsigned int n)
{
	unsigned int i, j;

	KUNIT_EXPECT_EQ(test, mock->batch_n, n);
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_TRUE_MSG(test, mock_in_batch(qs[i]),
				      "queue %u of %d (level %u) not in the batch",
				      qs[i]->queue_id, qs[i]->tgid,
				      qs[i]->prio);
	for (j = 0; j < mock->batch_n; j++) {
		bool known = false;

		for (i = 0; i < n; i++)
			known |= mock->batch[j] == qs[i]->handle;
		KUNIT_EXPECT_TRUE_MSG(test, known,
				      "handle %llu in the batch unexpectedly",
				      mock->batch[j]);
	}
}

static void core_binds_mock_provider(struct kunit *test)
{
	struct core_fx *fx = fx_bind(test);
	static const u32 prio[] = { 0, 7, 11 };
	struct xsched_queue *q[3];
	unsigned int i;

	KUNIT_EXPECT_EQ(test, fx->mock.registers, 1U);
	KUNIT_EXPECT_PTR_EQ(test, fx->mock.listener,
			    (const struct kfd_xsched_listener *)&fx->b->listener);
	KUNIT_EXPECT_EQ(test, fx->dom->gpu_id, (u32)MOCK_GPU_ID);
	KUNIT_EXPECT_STREQ(test, fx->dom->name, "mock node");
	KUNIT_EXPECT_EQ(test, fx->dom->nr_queues, 0U);

	for (i = 0; i < ARRAY_SIZE(q); i++)
		q[i] = mock_create(test, fx, MOCK_TGID + i / 2, i % 2, prio[i]);
	KUNIT_EXPECT_EQ(test, fx->dom->nr_queues, 3U);
	for (i = 0; i < ARRAY_SIZE(q); i++) {
		KUNIT_EXPECT_PTR_EQ(test, q[i]->dom, fx->dom);
		KUNIT_EXPECT_EQ(test, q[i]->tgid, MOCK_TGID + (int)i / 2);
		KUNIT_EXPECT_EQ(test, q[i]->queue_id, i % 2);
		KUNIT_EXPECT_EQ(test, (u32)q[i]->prio, prio[i]);
		KUNIT_EXPECT_FALSE(test, q[i]->busy);
		KUNIT_EXPECT_FALSE(test, q[i]->paused);
	}
	/* Nothing busy: nothing to enforce, nothing asked of the provider. */
	KUNIT_EXPECT_EQ(test, fx_level(fx->dom), 0U);
	KUNIT_EXPECT_EQ(test, fx->mock.pause_calls, 0U);
	KUNIT_EXPECT_EQ(test, fx->mock.resume_calls, 0U);
}

static void core_busy_high_pauses_all_lower_in_one_batch(struct kunit *test)
{
	struct core_fx *fx = fx_bind(test);
	struct xsched_queue *high, *peer, *top, *low[4];
	static const u32 low_prio[] = { 0, 0, 5, 10 };
	unsigned int i;

	high = mock_create(test, fx, MOCK_TGID, 0, 11);
	peer = mock_create(test, fx, MOCK_TGID, 1, 11);
	top = mock_create(test, fx, MOCK_TGID + 1, 0, 13);
	for (i = 0; i < ARRAY_SIZE(low); i++)
		low[i] = mock_create(test, fx, MOCK_TGID + 2 + i, 0,
				     low_prio[i]);

	/* Lower queues busy and idle alike; the level-13 queue idle. */
	fx_busy(fx, high, true, T0);
	fx_busy(fx, low[0], true, T0);
	fx_busy(fx, low[2], true, T0);
	fx_decide(fx, T0);

	KUNIT_EXPECT_EQ(test, fx_level(fx->dom), 11U);
	KUNIT_EXPECT_EQ(test, fx->mock.pause_calls, 1U);
	KUNIT_EXPECT_EQ(test, fx->mock.resume_calls, 0U);
	expect_batch(test, low, ARRAY_SIZE(low));
	KUNIT_EXPECT_FALSE(test, mock_in_batch(high));
	KUNIT_EXPECT_FALSE(test, mock_in_batch(peer));
	KUNIT_EXPECT_FALSE(test, mock_in_batch(top));
	for (i = 0; i < ARRAY_SIZE(low); i++)
		KUNIT_EXPECT_TRUE(test, low[i]->paused);
	KUNIT_EXPECT_FALSE(test, high->paused);
	KUNIT_EXPECT_FALSE(test, peer->paused);
	KUNIT_EXPECT_FALSE(test, top->paused);
	KUNIT_EXPECT_EQ(test, mock_paused(), 4U);
	KUNIT_EXPECT_EQ(test, fx->mock.redundant, 0U);
	KUNIT_EXPECT_EQ(test, fx->mock.unknown, 0U);
	KUNIT_EXPECT_EQ(test, fx->mock.wrong_node, 0U);

	/* Nothing changed: no second call. */
	fx_decide(fx, T0 + 100 * US);
	KUNIT_EXPECT_EQ(test, fx->mock.pause_calls, 1U);
}

static void core_only_changed_levels_are_touched(struct kunit *test)
{
	struct core_fx *fx = fx_bind(test);
	static const u32 prio[] = { 0, 3, 5, 5, 6, 8, 9 };
	struct xsched_queue *q[ARRAY_SIZE(prio)];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(q); i++)
		q[i] = mock_create(test, fx, MOCK_TGID + i, 0, prio[i]);

	fx_busy(fx, q[2], true, T0);			/* level 5 */
	fx_decide(fx, T0);
	KUNIT_EXPECT_EQ(test, fx_level(fx->dom), 5U);
	KUNIT_EXPECT_EQ(test, fx->mock.pause_calls, 1U);
	expect_batch(test, q, 2);			/* levels 0 and 3 */

	fx_busy(fx, q[6], true, T0 + 100 * US);	/* level 9 */
	fx_decide(fx, T0 + 100 * US);
	KUNIT_EXPECT_EQ(test, fx_level(fx->dom), 9U);
	KUNIT_EXPECT_EQ(test, fx->mock.pause_calls, 2U);
	/* Levels 5..8 only, in one call; 0 and 3 are not asked again. */
	expect_batch(test, &q[2], 4);
	KUNIT_EXPECT_EQ(test, fx->mock.resume_calls, 0U);
	KUNIT_EXPECT_EQ(test, fx->mock.redundant, 0U);
	KUNIT_EXPECT_EQ(test, mock_paused(), 6U);
	KUNIT_EXPECT_FALSE(test, q[6]->paused);
}

static void core_queue_created_below_level_is_paused(struct kunit *test)
{
	struct core_fx *fx = fx_bind(test);
	struct xsched_queue *high, *low, *same, *above;

	high = mock_create(test, fx, MOCK_TGID, 0, 11);
	fx_busy(fx, high, true, T0);
	fx_decide(fx, T0);
	KUNIT_EXPECT_EQ(test, fx_level(fx->dom), 11U);
	/* Nobody below the level yet: no call was needed. */
	KUNIT_EXPECT_EQ(test, fx->mock.pause_calls, 0U);

	low = mock_create(test, fx, MOCK_TGID + 1, 0, 3);
	KUNIT_EXPECT_TRUE(test, low->paused);
	KUNIT_EXPECT_EQ(test, fx->mock.pause_calls, 1U);
	expect_batch(test, &low, 1);
	KUNIT_EXPECT_EQ(test, mock_paused(), 1U);

	same = mock_create(test, fx, MOCK_TGID + 2, 0, 11);
	above = mock_create(test, fx, MOCK_TGID + 2, 1, 12);
	KUNIT_EXPECT_FALSE(test, same->paused);
	KUNIT_EXPECT_FALSE(test, above->paused);
	KUNIT_EXPECT_EQ(test, fx->mock.pause_calls, 1U);
	KUNIT_EXPECT_EQ(test, mock_paused(), 1U);
}

static void core_destroyed_queues_and_gone_process(struct kunit *test)
{
	struct core_fx *fx = fx_bind(test);
	const pid_t a = MOCK_TGID, b = MOCK_TGID + 1, c = MOCK_TGID + 2;
	struct xsched_queue *high, *b0;
	u64 idle_at = T0 + 5 * MS;
	u64 delay;

	high = mock_create(test, fx, a, 0, 11);
	b0 = mock_create(test, fx, b, 0, 0);
	mock_create(test, fx, b, 1, 0);
	mock_create(test, fx, c, 0, 0);
	mock_create(test, fx, c, 1, 4);
	fx_busy(fx, high, true, T0);
	fx_decide(fx, T0);
	KUNIT_EXPECT_EQ(test, mock_paused(), 4U);

	mock_destroy(fx, b, 1);
	KUNIT_EXPECT_EQ(test, fx->dom->nr_queues, 4U);
	KUNIT_EXPECT_NULL(test, fx_xq(fx, b, 1));
	KUNIT_EXPECT_PTR_EQ(test, fx_xq(fx, b, 0), b0);

	mock_destroy(fx, c, -1);
	KUNIT_EXPECT_EQ(test, fx->dom->nr_queues, 2U);
	KUNIT_EXPECT_NULL(test, fx_xq(fx, c, 0));
	KUNIT_EXPECT_NULL(test, fx_xq(fx, c, 1));

	/* The high queue goes idle: lower levels wait resume_delay. */
	delay = (u64)fx->dom->resume_delay_us * US;
	fx_busy(fx, high, false, idle_at);
	fx_decide(fx, idle_at);
	KUNIT_EXPECT_EQ(test, fx_level(fx->dom), 11U);
	fx_decide(fx, idle_at + delay - 1);
	KUNIT_EXPECT_EQ(test, fx->mock.resume_calls, 0U);
	fx_decide(fx, idle_at + delay);
	KUNIT_EXPECT_EQ(test, fx_level(fx->dom), 0U);
	KUNIT_EXPECT_EQ(test, fx->mock.resume_calls, 1U);
	/* Only the queue that still exists is named. */
	expect_batch(test, &b0, 1);
	KUNIT_EXPECT_FALSE(test, b0->paused);
	KUNIT_EXPECT_EQ(test, mock_paused(), 0U);
	KUNIT_EXPECT_EQ(test, fx->mock.unknown, 0U);
	KUNIT_EXPECT_EQ(test, fx->mock.redundant, 0U);
}

static void core_provider_failure_degrades_then_retries(struct kunit *test)
{
	struct core_fx *fx = fx_bind(test);
	struct xsched_queue *high, *low[2];
	u64 next;

	high = mock_create(test, fx, MOCK_TGID, 0, 11);
	low[0] = mock_create(test, fx, MOCK_TGID + 1, 0, 0);
	low[1] = mock_create(test, fx, MOCK_TGID + 1, 1, 2);

	fx->mock.fail = -ETIMEDOUT;
	fx_busy(fx, high, true, T0);
	fx_decide(fx, T0);
	KUNIT_EXPECT_EQ(test, fx->mock.pause_calls, 1U);
	KUNIT_EXPECT_EQ(test, fx->dom->errors, 1ULL);
	KUNIT_EXPECT_TRUE(test, fx->dom->degraded);
	KUNIT_EXPECT_EQ(test, fx_level(fx->dom), 0U);
	KUNIT_EXPECT_FALSE(test, low[0]->paused);
	KUNIT_EXPECT_FALSE(test, low[1]->paused);
	KUNIT_EXPECT_FALSE(test, high->paused);
	KUNIT_EXPECT_EQ(test, mock_paused(), 0U);
	xsched_dom_lock_irq(fx->dom);
	next = fx->dom->next_decide;
	raw_spin_unlock_irq(&fx->dom->lock);
	KUNIT_EXPECT_EQ(test, next, T0 + 1 * MS);

	/* Degraded for 100 ms: everything runs, nothing is paused. */
	fx->mock.fail = 0;
	fx_decide(fx, T0 + 1 * MS);
	KUNIT_EXPECT_EQ(test, fx->mock.pause_calls, 1U);
	KUNIT_EXPECT_TRUE(test, fx->dom->degraded);
	xsched_dom_lock_irq(fx->dom);
	next = fx->dom->next_decide;
	raw_spin_unlock_irq(&fx->dom->lock);
	KUNIT_EXPECT_EQ(test, next, T0 + 100 * MS);
	fx_decide(fx, T0 + 100 * MS - 1);
	KUNIT_EXPECT_EQ(test, fx->mock.pause_calls, 1U);

	/* The period is over: scheduling again. */
	fx_decide(fx, T0 + 100 * MS);
	KUNIT_EXPECT_EQ(test, fx->mock.pause_calls, 2U);
	KUNIT_EXPECT_FALSE(test, fx->dom->degraded);
	KUNIT_EXPECT_EQ(test, fx->dom->errors, 1ULL);
	KUNIT_EXPECT_EQ(test, fx_level(fx->dom), 11U);
	expect_batch(test, low, 2);
	KUNIT_EXPECT_TRUE(test, low[0]->paused);
	KUNIT_EXPECT_TRUE(test, low[1]->paused);
	KUNIT_EXPECT_EQ(test, mock_paused(), 2U);
	KUNIT_EXPECT_EQ(test, fx->dom->backoff_ns, 0ULL);
}

/*
 * A pause that keeps failing: each degraded period doubles (100, 200,
 * 400 ms), every queue runs through all of them, and the first pause
 * that works ends it.
 */
static void core_repeated_pause_failure_backs_off(struct kunit *test)
{
	struct core_fx *fx = fx_bind(test);
	struct xsched_queue *high, *low;
	u64 t = T0, period = 100 * MS;
	unsigned int i;

	high = mock_create(test, fx, MOCK_TGID, 0, 11);
	low = mock_create(test, fx, MOCK_TGID + 1, 0, 0);
	fx->mock.fail = -ETIME;
	fx_busy(fx, high, true, t);
	for (i = 0; i < 3; i++) {
		fx_decide(fx, t);
		KUNIT_EXPECT_EQ(test, fx->mock.pause_calls, i + 1);
		KUNIT_EXPECT_TRUE(test, fx->dom->degraded);
		KUNIT_EXPECT_EQ(test, fx->dom->degraded_until, t + period);
		KUNIT_EXPECT_FALSE(test, low->paused);
		fx_decide(fx, t + period / 2);	/* inside: no call */
		KUNIT_EXPECT_EQ(test, fx->mock.pause_calls, i + 1);
		t += period;
		period *= 2;
	}
	fx->mock.fail = 0;
	fx_decide(fx, t);
	KUNIT_EXPECT_TRUE(test, low->paused);
	KUNIT_EXPECT_FALSE(test, fx->dom->degraded);
	KUNIT_EXPECT_EQ(test, fx->dom->errors, 3ULL);
}

/*
 * Three lower queues paused by two decisions (level 7, then 11): the
 * state fail-open must undo in one batch.
 */
static void fx_pause_three(struct kunit *test, struct core_fx *fx)
{
	struct xsched_queue *mid, *high;

	mock_create(test, fx, MOCK_TGID, 0, 0);
	mock_create(test, fx, MOCK_TGID, 1, 3);
	mid = mock_create(test, fx, MOCK_TGID + 1, 0, 7);
	high = mock_create(test, fx, MOCK_TGID + 2, 0, 11);
	fx_busy(fx, mid, true, T0);
	fx_decide(fx, T0);
	fx_busy(fx, high, true, T0 + 100 * US);
	fx_decide(fx, T0 + 100 * US);
	KUNIT_ASSERT_EQ(test, fx->mock.pause_calls, 2U);
	KUNIT_ASSERT_EQ(test, mock_paused(), 3U);
}

static void core_unbind_fails_open(struct kunit *test)
{
	struct core_fx *fx = fx_bind(test);

	fx_pause_three(test, fx);
	fx_unbind(fx);
	KUNIT_EXPECT_EQ(test, fx->mock.resume_calls, 1U);
	KUNIT_EXPECT_EQ(test, fx->mock.batch_n, 3U);
	KUNIT_EXPECT_EQ(test, mock_paused(), 0U);
	KUNIT_EXPECT_EQ(test, fx->mock.redundant, 0U);
	KUNIT_EXPECT_EQ(test, fx->mock.pause_calls, 2U);
}

static void core_provider_gone_resumes_then_calls_nothing(struct kunit *test)
{
	struct core_fx *fx = fx_bind(test);
	const struct kfd_xsched_listener *l;

	fx_pause_three(test, fx);
	l = fx->mock.listener;
	l->gone(l);
	/* The core let go of the binding; the provider drops the listener. */
	fx->b = NULL;
	fx->mock.listener = NULL;
	fx->mock.gone = true;

	KUNIT_EXPECT_EQ(test, fx->mock.resume_calls, 1U);
	KUNIT_EXPECT_EQ(test, fx->mock.batch_n, 3U);
	KUNIT_EXPECT_EQ(test, mock_paused(), 0U);
	/* Anything still queued or armed would run by now. */
	flush_workqueue(xsched_wq);
	msleep(20);
	flush_workqueue(xsched_wq);
	KUNIT_EXPECT_EQ(test, fx->mock.calls_after_gone, 0U);
	KUNIT_EXPECT_EQ(test, fx->mock.unregisters, 0U);
}

/*
 * The replay: one priority-11 queue runs periodic tasks next to fifteen
 * priority-0 queues with back-to-back work, on one simulated node with
 * its modelled runlist-change costs.  Three runs of the same workload:
 * the high queue alone, all sixteen without a scheduler (every queue
 * mapped, processor sharing), and the core deciding every poll period
 * with the mock forwarding each batch to the model's runlist.
 *
 * High: 100 tasks of 8 kernels of 500 us, one every 20 ms.  Low: 120
 * kernels each (15 tasks of 8), 0.66 to 1.5 ms long, queued at time 0.
 */
#define RP_NQ		16
#define RP_HIGH		0		/* index of the high queue */
#define RP_HIGH_PRIO	11
#define RP_POLL		(100 * US)
#define RP_TASKS	100
#define RP_TASK_KERNELS	8
#define RP_HIGH_KERNEL	(500 * US)	/* task: 4 ms alone */
#define RP_FIRST	(2 * MS)
#define RP_PERIOD	(20 * MS)
#define RP_LOW_KERNELS	120		/* 15 tasks of 8 kernels */
#define RP_HIGH_CAP	(RP_TASKS * RP_TASK_KERNELS)
#define RP_LIMIT	(60000 * MS)	/* virtual; a hang guard */

/* docs/simulator.md: the simulator's default, MI300X-derived costs. */
static const struct xsched_sim_params rp_params = {
	.cp_overhead_ns = 20 * US,
	.per_queue_ns = 2 * US,
	.cwsr_save_ns = 40 * US,
	.cwsr_restore_ns = 40 * US,
};

static const struct xsched_sim_params rp_free = { 0 };

struct rp {
	struct xsched_sim_node node;
	struct xsched_sim_queue sq[RP_NQ];
	struct xsched_sim_kernel *fifo[RP_NQ];
	struct xsched_queue *xq[RP_NQ];	/* with the scheduler */
	unsigned int nq;
	u64 now;			/* of the decision being applied */
	u64 arrival[RP_TASKS];
	u64 task_ns[RP_TASKS];
	u64 sorted[RP_TASKS];
	unsigned int tasks_done;
	u64 last_done;
};

struct rp_result {
	u64 median, p99, total, changes, stall_ns;
	u64 task_ns[RP_TASKS];
};

/* Low queue i (1..15) runs kernels of 0.66..1.5 ms, all different. */
static u64 rp_low_kernel(unsigned int i)
{
	return (600 + 60 * i) * US;
}

/* Arrivals fall at every phase of the poll period, deterministically. */
static u64 rp_arrival(unsigned int k)
{
	return RP_FIRST + k * RP_PERIOD + (k * 37 * US) % RP_POLL;
}

static void rp_completed(struct xsched_sim_queue *sq,
			 const struct xsched_sim_kernel *k, u64 t)
{
	struct rp *rp = sq->priv;

	rp->last_done = max(rp->last_done, t);
	if (sq == &rp->sq[RP_HIGH] && !(k->dispatch_id % RP_TASK_KERNELS)) {
		rp->task_ns[k->tag] = t - rp->arrival[k->tag];
		rp->tasks_done++;
	}
}

static const struct xsched_sim_hooks rp_hooks = {
	.completed = rp_completed,
};

/* The mock's pause/resume: one runlist change of the model. */
static void rp_forward(struct rp *rp, const u64 *handles, unsigned int n,
		       bool pause)
{
	struct xsched_sim_queue *sqs[RP_NQ];
	unsigned int i, m = 0;

	for (i = 0; i < n && m < RP_NQ; i++) {
		struct mock_queue *mq = mock_find(handles[i]);
		u32 idx = mq ? mq->tgid - MOCK_TGID : RP_NQ;

		if (idx < rp->nq)
			sqs[m++] = &rp->sq[idx];
	}
	xsched_sim_runlist_change(&rp->node, sqs, m, !pause, rp->now);
}

/**
 * rp_setup() - a fresh node with @nq queues, every low queue loaded
 * @rp: the replay state (fifos allocated)
 * @nq: 1 (the high queue alone) or RP_NQ
 *
 * Queues are created free of cost so that every run starts at time 0
 * with no runlist change behind it.
 */
static void rp_setup(struct rp *rp, unsigned int nq)
{
	unsigned int i, j;

	xsched_sim_node_init(&rp->node, MOCK_GPU_ID, &rp_free, &rp_hooks, 0);
	rp->nq = nq;
	for (i = 0; i < nq; i++) {
		xsched_sim_queue_init(&rp->sq[i], rp->fifo[i],
				      i == RP_HIGH ? RP_HIGH_CAP :
						     RP_LOW_KERNELS);
		rp->sq[i].priv = rp;
		xsched_sim_queue_add(&rp->node, &rp->sq[i], 0);
	}
	rp->node.params = rp_params;
	rp->node.runlist_changes = 0;
	rp->node.stall_ns = 0;
	for (i = 1; i < nq; i++)
		for (j = 0; j < RP_LOW_KERNELS; j++)
			xsched_sim_submit(&rp->sq[i], rp_low_kernel(i), NULL, 0,
					  0);
	for (i = 0; i < RP_TASKS; i++) {
		rp->arrival[i] = rp_arrival(i);
		rp->task_ns[i] = 0;
	}
	rp->tasks_done = 0;
	rp->last_done = 0;
	rp->now = 0;
}

static bool rp_done(const struct rp *rp)
{
	unsigned int i;

	if (rp->tasks_done < RP_TASKS)
		return false;
	for (i = 0; i < rp->nq; i++)
		if (rp->sq[i].completed != rp->sq[i].submitted)
			return false;
	return true;
}

/*
 * One poll period of the core: busy state from the model, then a
 * decision.  A queue is busy while a kernel of it waits or runs, as its
 * dispatch ids and its last packet's completion signal tell the poll.
 */
static void rp_decide(struct rp *rp, struct core_fx *fx, u64 t)
{
	unsigned int i;

	rp->now = t;
	xsched_dom_lock_irq(fx->dom);
	for (i = 0; i < rp->nq; i++)
		xsched_queue_set_busy(rp->xq[i], rp->sq[i].completed !=
						 rp->sq[i].submitted, t);
	raw_spin_unlock_irq(&fx->dom->lock);
	fx_decide(fx, t);
}

static int rp_cmp(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/**
 * rp_run() - one run of the workload
 * @test: the test
 * @rp: state from rp_setup()
 * @fx: the bound core whose queues are rp->xq, or NULL for no scheduler
 * @res: figures of the run
 *
 * High-priority tasks (all their kernels at once) arrive as scheduled;
 * with a scheduler the core decides at every poll period.  The run ends
 * when every kernel of every queue has completed.
 */
static void rp_run(struct kunit *test, struct rp *rp, struct core_fx *fx,
		   struct rp_result *res)
{
	u64 tick = 0, *sorted = rp->sorted;
	unsigned int k = 0, i;

	while (tick < RP_LIMIT) {
		if (k < RP_TASKS && rp->arrival[k] <= tick) {
			for (i = 0; i < RP_TASK_KERNELS; i++)
				KUNIT_ASSERT_EQ(test,
						xsched_sim_submit(&rp->sq[RP_HIGH],
								  RP_HIGH_KERNEL,
								  NULL, k,
								  rp->arrival[k]),
						0);
			k++;
			continue;
		}
		xsched_sim_advance(&rp->node, tick);
		if (rp_done(rp))
			break;
		if (fx)
			rp_decide(rp, fx, tick);
		tick += RP_POLL;
	}
	KUNIT_ASSERT_TRUE_MSG(test, rp_done(rp), "replay did not finish");

	memcpy(res->task_ns, rp->task_ns, sizeof(res->task_ns));
	memcpy(sorted, rp->task_ns, sizeof(rp->sorted));
	sort(sorted, RP_TASKS, sizeof(sorted[0]), rp_cmp, NULL);
	res->median = sorted[(RP_TASKS - 1) / 2];
	/* Nearest rank. */
	res->p99 = sorted[DIV_ROUND_UP(99 * RP_TASKS, 100) - 1];
	res->total = rp->last_done;
	res->changes = rp->node.runlist_changes;
	res->stall_ns = rp->node.stall_ns;
}

/* The run with the core: a fresh binding, its queues as the model's. */
static void rp_run_scheduled(struct kunit *test, struct rp *rp,
			     struct rp_result *res, unsigned int run)
{
	struct core_fx *fx = fx_bind(test);
	unsigned int i;

	rp_setup(rp, RP_NQ);
	for (i = 0; i < RP_NQ; i++)
		rp->xq[i] = mock_create(test, fx, MOCK_TGID + i, 0,
					i == RP_HIGH ? RP_HIGH_PRIO : 0);
	fx->mock.rp = rp;
	rp_run(test, rp, fx, res);
	KUNIT_EXPECT_EQ(test, fx->dom->errors, 0ULL);
	KUNIT_EXPECT_EQ(test, fx->mock.redundant, 0U);
	KUNIT_EXPECT_EQ(test, fx->mock.unknown, 0U);
	/* Tasks are far apart: each costs one pause and one resume. */
	KUNIT_EXPECT_EQ(test, fx->dom->pauses, (u64)RP_TASKS);
	KUNIT_EXPECT_EQ(test, fx->dom->resumes, (u64)RP_TASKS);
	kunit_info(test, "scheduled run %u: %llu pauses, %llu resumes, %llu runlist changes, %llu us stalled\n",
		   run, fx->dom->pauses, fx->dom->resumes, res->changes,
		   div_u64(res->stall_ns, US));
	fx->mock.rp = NULL;
	fx_unbind(fx);
}

/* @a / @b in thousandths, printed as "x.yyy". */
static u64 rp_milli(u64 a, u64 b)
{
	return div64_u64(a * 1000, b);
}

static void core_replay_one_high_fifteen_low(struct kunit *test)
{
	struct rp *rp = kunit_kzalloc(test, sizeof(*rp), GFP_KERNEL);
	struct rp_result *alone, *shared, *sched, *again;
	u64 med_x, total_x;
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, rp);
	alone = kunit_kcalloc(test, 4, sizeof(*alone), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, alone);
	shared = alone + 1;
	sched = alone + 2;
	again = alone + 3;
	for (i = 0; i < RP_NQ; i++) {
		rp->fifo[i] = kunit_kcalloc(test, i == RP_HIGH ? RP_HIGH_CAP :
							    RP_LOW_KERNELS,
					    sizeof(*rp->fifo[i]), GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, rp->fifo[i]);
	}

	rp_setup(rp, 1);
	rp_run(test, rp, NULL, alone);
	rp_setup(rp, RP_NQ);
	rp_run(test, rp, NULL, shared);
	rp_run_scheduled(test, rp, sched, 1);
	rp_run_scheduled(test, rp, again, 2);

	med_x = rp_milli(sched->median, alone->median);
	total_x = rp_milli(sched->total, shared->total);
	kunit_info(test, "high task (8 x 500 us), modelled: alone median %llu us P99 %llu us; no scheduler median %llu us P99 %llu us; scheduled median %llu us P99 %llu us (median %llu.%03llux alone)\n",
		   div_u64(alone->median, US), div_u64(alone->p99, US),
		   div_u64(shared->median, US), div_u64(shared->p99, US),
		   div_u64(sched->median, US), div_u64(sched->p99, US),
		   med_x / 1000, med_x % 1000);
	kunit_info(test, "all work done, modelled: no scheduler %llu us, scheduled %llu us (%llu.%03llux)\n",
		   div_u64(shared->total, US), div_u64(sched->total, US),
		   total_x / 1000, total_x % 1000);

	KUNIT_EXPECT_EQ(test, shared->changes, 0ULL);
	KUNIT_EXPECT_LE(test, sched->median * 100, alone->median * 110);
	KUNIT_EXPECT_LE(test, sched->total * 100, shared->total * 105);
	/* Deterministic: the same figures, task by task, twice. */
	KUNIT_EXPECT_EQ(test, again->total, sched->total);
	KUNIT_EXPECT_EQ(test, again->changes, sched->changes);
	KUNIT_EXPECT_EQ(test, memcmp(again->task_ns, sched->task_ns,
				     sizeof(sched->task_ns)), 0);
}

/* One poll at @now; *@read: how many queues it read. */
static bool fx_poll(struct core_fx *fx, u64 now, u64 *read)
{
	u64 before = fx->dom->polled;
	bool kick;

	raw_spin_lock_irq(&fx->dom->lock);
	kick = xsched_poll_pass(fx->dom, now);
	raw_spin_unlock_irq(&fx->dom->lock);
	*read = fx->dom->polled - before;
	return kick;
}

/* xsched_poll_settle() at @now, as the poll calls it. */
static bool fx_settle(struct core_fx *fx, u64 now)
{
	bool settled;

	raw_spin_lock_irq(&fx->dom->lock);
	settled = xsched_poll_settle(fx->dom, now);
	raw_spin_unlock_irq(&fx->dom->lock);
	return settled;
}

/*
 * The poll makes the decisions that change nothing (a fall starting the
 * resume delay, a queue at the enforced level starting) without waking
 * the decider, and leaves every other one to it: a rise, the resume once
 * the delay is over, a decision in progress, one not in force in full.
 */
static void core_poll_settles_what_changes_nothing(struct kunit *test)
{
	struct core_fx *fx = fx_bind(test);
	struct xsched_queue *high, *peer, *low;
	u64 delay = (u64)fx->dom->resume_delay_us * US, t = T0;
	u64 decisions;

	high = mock_create(test, fx, MOCK_TGID, 0, 11);
	peer = mock_create(test, fx, MOCK_TGID, 1, 11);
	low = mock_create(test, fx, MOCK_TGID + 1, 0, 0);
	fx_busy(fx, low, true, t);
	fx_decide(fx, t);
	KUNIT_EXPECT_EQ(test, fx->mock.pause_calls, 0U);
	/* Nothing new: the level stays. */
	KUNIT_EXPECT_TRUE(test, fx_settle(fx, t + 100 * US));
	KUNIT_EXPECT_EQ(test, fx->dom->poll_decisions, 1ULL);

	/* A rise changes the level: the decider's, and it pauses. */
	t += 100 * US;
	fx_busy(fx, high, true, t);
	decisions = fx->dom->decisions;
	KUNIT_EXPECT_FALSE(test, fx_settle(fx, t));
	KUNIT_EXPECT_EQ(test, fx->dom->decisions, decisions);
	fx_decide(fx, t);
	KUNIT_EXPECT_EQ(test, fx_level(fx->dom), 11U);
	KUNIT_EXPECT_TRUE(test, low->paused);
	KUNIT_EXPECT_EQ(test, fx->mock.pause_calls, 1U);

	/* A second queue at level 11 starts: nothing to change. */
	t += 100 * US;
	fx_busy(fx, peer, true, t);
	KUNIT_EXPECT_TRUE(test, fx_settle(fx, t));

	/* Both fall: the poll starts the resume delay, nothing is resumed. */
	t += 100 * US;
	fx_busy(fx, high, false, t);
	fx_busy(fx, peer, false, t);
	KUNIT_EXPECT_TRUE(test, fx_settle(fx, t));
	KUNIT_EXPECT_EQ(test, fx->dom->poll_decisions, 3ULL);
	KUNIT_EXPECT_EQ(test, fx->dom->next_decide, t + delay);
	KUNIT_EXPECT_EQ(test, fx_level(fx->dom), 11U);
	KUNIT_EXPECT_TRUE(test, low->paused);
	KUNIT_EXPECT_EQ(test, fx->mock.resume_calls, 0U);

	/* The delay is over: that decision resumes, so it is the decider's. */
	KUNIT_EXPECT_TRUE(test, fx_settle(fx, t + delay - 1));
	KUNIT_EXPECT_FALSE(test, fx_settle(fx, t + delay));
	fx_decide(fx, t + delay);
	KUNIT_EXPECT_EQ(test, fx_level(fx->dom), 0U);
	KUNIT_EXPECT_FALSE(test, low->paused);
	KUNIT_EXPECT_EQ(test, fx->mock.resume_calls, 1U);

	/* While the decider decides, the poll decides nothing. */
	xsched_dom_lock_irq(fx->dom);
	fx->dom->deciding = true;
	raw_spin_unlock_irq(&fx->dom->lock);
	KUNIT_EXPECT_FALSE(test, fx_settle(fx, t + delay));
	xsched_dom_lock_irq(fx->dom);
	fx->dom->deciding = false;
	raw_spin_unlock_irq(&fx->dom->lock);

	/*
	 * A pause that failed: degraded and not in force, the decider's
	 * until a decision is applied in full again.
	 */
	t += delay + 100 * US;
	fx->mock.fail = -ETIMEDOUT;
	fx_busy(fx, high, true, t);
	fx_decide(fx, t);
	KUNIT_EXPECT_TRUE(test, fx->dom->unsettled);
	KUNIT_EXPECT_FALSE(test, fx_settle(fx, t + 100 * US));
	fx->mock.fail = 0;
	t += 200 * MS;
	fx_decide(fx, t);
	KUNIT_EXPECT_FALSE(test, fx->dom->degraded);
	KUNIT_EXPECT_FALSE(test, fx->dom->unsettled);
	KUNIT_EXPECT_TRUE(test, low->paused);
	KUNIT_EXPECT_TRUE(test, fx_settle(fx, t + 100 * US));
}

static void fx_hint_flag(struct core_fx *fx, struct xsched_queue *q, bool on)
{
	xsched_dom_lock_irq(fx->dom);
	q->hint = on;
	q->hint_until = U64_MAX;	/* these tests are not about expiry */
	raw_spin_unlock_irq(&fx->dom->lock);
}

/* Gives @q dispatch ids in @page (read 0, write 8); NULL takes them away. */
static void fx_ids(struct core_fx *fx, struct xsched_queue *q,
		   struct page *page)
{
	xsched_dom_lock_irq(fx->dom);
	q->mem.amdq = page;
	q->mem.rptr_off = 0;
	q->mem.wptr_off = 8;
	raw_spin_unlock_irq(&fx->dom->lock);
}

/*
 * A pass that finds nothing new leaves a memo (of a full pass while the
 * queue is idle, of a fast one while it is busy); the next polls compare
 * its words and read nothing else, until a word changes, anyone else
 * takes dom->lock, a decision is being made, or a hint it read ends.
 */
static void core_poll_memo_answers_only_what_is_unchanged(struct kunit *test)
{
	struct core_fx *fx = fx_bind(test);
	struct page *page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	u64 *ids, read, full, t = T0;
	struct xsched_queue *q;

	KUNIT_ASSERT_NOT_NULL(test, page);
	ids = page_address(page);
	q = mock_create(test, fx, MOCK_TGID, 0, 7);
	fx_ids(fx, q, page);

	/*
	 * Idle: the pass reads both ids, and the memo keeps the write index
	 * alone (the read index cannot move while it holds); the memo
	 * answers the next poll.
	 */
	KUNIT_EXPECT_FALSE(test, fx_poll(fx, t, &read));
	KUNIT_EXPECT_EQ(test, read, 1ULL);
	KUNIT_EXPECT_NE(test, fx->dom->memo_valid, 0U);
	KUNIT_EXPECT_EQ(test, fx->dom->memo[XSCHED_MEMO_FULL].n, 1U);
	KUNIT_EXPECT_FALSE(test, fx_poll(fx, t += 100 * US, &read));
	KUNIT_EXPECT_EQ(test, read, 1ULL);
	KUNIT_EXPECT_EQ(test, fx->dom->memo_polls, 1ULL);

	/* A doorbell: the write index moved, so the pass runs and sees it. */
	WRITE_ONCE(ids[1], 1);
	KUNIT_EXPECT_TRUE(test, fx_poll(fx, t += 100 * US, &read));
	KUNIT_EXPECT_TRUE(test, q->busy);
	KUNIT_EXPECT_EQ(test, fx->dom->memo_polls, 1ULL);
	/* A pass that found something leaves no memo... */
	KUNIT_EXPECT_EQ(test, fx->dom->memo_valid, 0U);
	KUNIT_EXPECT_FALSE(test, fx_poll(fx, t += 100 * US, &read));
	/* ...the next one, which found nothing, does: both indices now. */
	KUNIT_EXPECT_FALSE(test, fx_poll(fx, t += 100 * US, &read));
	KUNIT_EXPECT_EQ(test, fx->dom->memo_polls, 2ULL);
	KUNIT_EXPECT_EQ(test, fx->dom->memo[XSCHED_MEMO_FAST].n, 2U);

	/*
	 * A full pass is due every 10 ms: made once (nothing new), then
	 * its memo stands for the next one; fast polls keep theirs.
	 */
	full = fx->dom->full_polls;
	KUNIT_EXPECT_FALSE(test, fx_poll(fx, t += 10 * MS, &read));
	KUNIT_EXPECT_EQ(test, fx->dom->full_polls, full + 1);
	KUNIT_EXPECT_EQ(test, fx->dom->memo_polls, 2ULL);
	KUNIT_EXPECT_FALSE(test, fx_poll(fx, t += 100 * US, &read));
	KUNIT_EXPECT_EQ(test, fx->dom->memo_polls, 3ULL);
	KUNIT_EXPECT_FALSE(test, fx_poll(fx, t += 10 * MS, &read));
	KUNIT_EXPECT_EQ(test, fx->dom->full_polls, full + 2);
	KUNIT_EXPECT_EQ(test, fx->dom->memo_polls, 4ULL);
	KUNIT_EXPECT_TRUE(test, q->busy);

	/* The packet consumed: idle again, seen at once. */
	WRITE_ONCE(ids[0], 1);
	KUNIT_EXPECT_TRUE(test, fx_poll(fx, t += 100 * US, &read));
	KUNIT_EXPECT_FALSE(test, q->busy);
	KUNIT_EXPECT_FALSE(test, fx_poll(fx, t += 100 * US, &read));
	KUNIT_EXPECT_NE(test, fx->dom->memo_valid, 0U);

	/* Anyone else under dom->lock (a hint here) voids the memo. */
	fx_hint_flag(fx, q, true);
	KUNIT_EXPECT_EQ(test, fx->dom->memo_valid, 0U);
	KUNIT_EXPECT_TRUE(test, fx_poll(fx, t += 100 * US, &read));
	KUNIT_EXPECT_TRUE(test, q->busy);

	/* A hint read by the pass bounds the memo: its end is seen. */
	xsched_dom_lock_irq(fx->dom);
	q->hint_until = t + 150 * US;
	raw_spin_unlock_irq(&fx->dom->lock);
	KUNIT_EXPECT_FALSE(test, fx_poll(fx, t += 100 * US, &read));
	KUNIT_EXPECT_NE(test, fx->dom->memo_valid, 0U);
	KUNIT_EXPECT_EQ(test, fx->dom->memo[XSCHED_MEMO_FAST].until, t + 50 * US);
	KUNIT_EXPECT_TRUE(test, fx_poll(fx, t += 100 * US, &read));
	KUNIT_EXPECT_FALSE(test, q->hint);
	KUNIT_EXPECT_FALSE(test, q->busy);

	/* While a decision is made, no memo: pauses change outside the lock. */
	xsched_dom_lock_irq(fx->dom);
	fx->dom->deciding = true;
	raw_spin_unlock_irq(&fx->dom->lock);
	KUNIT_EXPECT_FALSE(test, fx_poll(fx, t += 100 * US, &read));
	KUNIT_EXPECT_EQ(test, fx->dom->memo_valid, 0U);
	xsched_dom_lock_irq(fx->dom);
	fx->dom->deciding = false;
	raw_spin_unlock_irq(&fx->dom->lock);

	fx_ids(fx, q, NULL);
	__free_page(page);
}

/*
 * A running kernel, the last packet written: the memo keeps the write
 * index and the completion signal's value, not the read index nor the
 * signal's address (neither changes while the write index holds), and
 * the kernel's end is still seen at the next poll.
 */
static void core_poll_memo_of_a_running_kernel(struct kunit *test)
{
	struct core_fx *fx = fx_bind(test);
	struct page *ids_pg = alloc_page(GFP_KERNEL | __GFP_ZERO);
	struct page *ring_pg = alloc_page(GFP_KERNEL | __GFP_ZERO);
	struct page *sig_pg = alloc_page(GFP_KERNEL | __GFP_ZERO);
	const u64 ring_va = 0x100000, sig_va = 0x200040;
	u64 *ids, *sig_value, read, t = T0;
	struct xsched_queue *q;

	KUNIT_ASSERT_TRUE(test, ids_pg && ring_pg && sig_pg);
	ids = page_address(ids_pg);
	q = mock_create(test, fx, MOCK_TGID, 0, 7);
	fx_ids(fx, q, ids_pg);
	/* Packet 1 written and consumed; its signal at sig_va, still 1. */
	*(u64 *)(page_address(ring_pg) + KFD_XSCHED_AQL_COMPLETION_SIGNAL) =
		sig_va;
	sig_value = page_address(sig_pg) + (sig_va & ~PAGE_MASK) +
		    KFD_XSCHED_SIGNAL_VALUE;
	*sig_value = 1;
	ids[0] = 1;
	ids[1] = 1;
	xsched_dom_lock_irq(fx->dom);
	q->mem.ring_va = ring_va;
	q->mem.ring_size = PAGE_SIZE;
	q->mem.ring = ring_pg;
	q->mem.ring_page_va = ring_va;
	q->mem.sig = sig_pg;
	q->mem.sig_page_va = sig_va & PAGE_MASK;
	raw_spin_unlock_irq(&fx->dom->lock);

	KUNIT_EXPECT_TRUE(test, fx_poll(fx, t, &read));
	KUNIT_EXPECT_TRUE(test, q->busy);
	KUNIT_EXPECT_FALSE(test, fx_poll(fx, t += 100 * US, &read));
	KUNIT_ASSERT_TRUE(test, fx->dom->memo_valid & BIT(XSCHED_MEMO_FAST));
	KUNIT_EXPECT_EQ(test, fx->dom->memo[XSCHED_MEMO_FAST].n, 2U);
	KUNIT_EXPECT_PTR_EQ(test, fx->dom->memo[XSCHED_MEMO_FAST].w[1].at,
			    sig_value);
	KUNIT_EXPECT_FALSE(test, fx_poll(fx, t += 100 * US, &read));
	KUNIT_EXPECT_EQ(test, fx->dom->memo_polls, 1ULL);

	/* The kernel ends: its signal drops to 0, seen at once. */
	WRITE_ONCE(*sig_value, 0);
	KUNIT_EXPECT_TRUE(test, fx_poll(fx, t += 100 * US, &read));
	KUNIT_EXPECT_FALSE(test, q->busy);

	xsched_dom_lock_irq(fx->dom);
	q->mem.ring = NULL;
	q->mem.sig = NULL;
	raw_spin_unlock_irq(&fx->dom->lock);
	fx_ids(fx, q, NULL);
	__free_page(ids_pg);
	__free_page(ring_pg);
	__free_page(sig_pg);
}

/*
 * A hint's END reads the queue before the domain's first poll pass: its
 * reads go to no memo (there was none to go to; this read through NULL).
 */
static void core_hint_before_first_poll(struct kunit *test)
{
	struct core_fx *fx = fx_bind(test);
	struct page *page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	struct xsched_queue *q;
	u64 *ids;

	KUNIT_ASSERT_NOT_NULL(test, page);
	ids = page_address(page);
	q = mock_create(test, fx, MOCK_TGID, 0, 7);
	fx_ids(fx, q, page);
	ids[1] = 1;		/* one packet written, none consumed */
	KUNIT_ASSERT_EQ(test, fx->dom->polls, 0ULL);
	mutex_lock(&fx->dom->mutex);
	xsched_queue_hint(q, NULL, false);
	mutex_unlock(&fx->dom->mutex);
	KUNIT_EXPECT_TRUE(test, q->busy);
	KUNIT_EXPECT_EQ(test, fx->dom->memo_valid, 0U);
	fx_ids(fx, q, NULL);
	__free_page(page);
}

/*
 * The tick answers a steady busy domain without dom->lock: only while its
 * fast memo stands, every word holds, no full pass and no timed decision
 * is due, and no other holder of dom->lock has been (memo_seq).
 */
static void core_tick_quiet_without_lock_only_when_unchanged(struct kunit *test)
{
	struct core_fx *fx = fx_bind(test);
	struct page *page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	struct xsched_domain *dom = fx->dom;
	u64 *ids, *at, read, polls, t = T0;
	struct xsched_queue *q;
	unsigned int i, n;
	u32 seq;

	KUNIT_ASSERT_NOT_NULL(test, page);
	ids = page_address(page);
	q = mock_create(test, fx, MOCK_TGID, 0, 7);
	fx_ids(fx, q, page);

	xsched_dom_lock_irq(dom);
	dom->next_decide = U64_MAX;	/* no timed decision pending */
	raw_spin_unlock_irq(&dom->lock);

	/* Idle: not the tick's to answer (the domain may be turning cold). */
	fx_poll(fx, t, &read);
	KUNIT_EXPECT_FALSE(test, xsched_tick_quiet_check(dom, t += 100 * US));

	/* Busy, then polled until a fast pass leaves its memo. */
	WRITE_ONCE(ids[1], 1);
	KUNIT_EXPECT_TRUE(test, fx_poll(fx, t += 100 * US, &read));
	KUNIT_ASSERT_TRUE(test, q->busy);
	for (i = 0; i < 3 && !(dom->memo_valid & BIT(XSCHED_MEMO_FAST)); i++)
		fx_poll(fx, t += 100 * US, &read);
	KUNIT_ASSERT_TRUE(test, dom->memo_valid & BIT(XSCHED_MEMO_FAST));

	polls = dom->polls;
	KUNIT_EXPECT_TRUE(test, xsched_tick_quiet_check(dom, t += 100 * US));
	KUNIT_EXPECT_EQ(test, dom->polls, polls + 1);

	/* A second doorbell moves a word: the locked pass must run. */
	WRITE_ONCE(ids[1], 2);
	KUNIT_EXPECT_FALSE(test, xsched_tick_quiet_check(dom, t += 100 * US));
	WRITE_ONCE(ids[1], 1);
	KUNIT_EXPECT_TRUE(test, xsched_tick_quiet_check(dom, t += 100 * US));

	/* Any other holder of dom->lock: void, and memo_seq moved. */
	seq = dom->memo_seq;
	xsched_dom_lock_irq(dom);
	raw_spin_unlock_irq(&dom->lock);
	KUNIT_EXPECT_NE(test, dom->memo_seq, seq);
	KUNIT_EXPECT_FALSE(test, xsched_tick_quiet_check(dom, t += 100 * US));
	for (i = 0; i < 3 && !(dom->memo_valid & BIT(XSCHED_MEMO_FAST)); i++)
		fx_poll(fx, t += 100 * US, &read);
	KUNIT_ASSERT_TRUE(test, xsched_tick_quiet_check(dom, t += 100 * US));

	/* A timed decision due, or the full pass: the locked path. */
	xsched_dom_lock_irq(dom);
	dom->next_decide = t + 150 * US;
	raw_spin_unlock_irq(&dom->lock);
	for (i = 0; i < 3 && !(dom->memo_valid & BIT(XSCHED_MEMO_FAST)); i++)
		fx_poll(fx, t += 10 * US, &read);
	KUNIT_EXPECT_FALSE(test, xsched_tick_quiet_check(dom, t + 200 * US));
	xsched_dom_lock_irq(dom);
	dom->next_decide = U64_MAX;
	raw_spin_unlock_irq(&dom->lock);
	for (i = 0; i < 3 && !(dom->memo_valid & BIT(XSCHED_MEMO_FAST)); i++)
		fx_poll(fx, t += 10 * US, &read);
	KUNIT_EXPECT_TRUE(test, xsched_tick_quiet_check(dom, t += 10 * US));
	KUNIT_EXPECT_FALSE(test, xsched_tick_quiet_check(dom, dom->full_poll_at));

	/*
	 * A hint reads the queue outside the poll: into no memo, so the
	 * words the tick reads without the lock stay as the poll left them.
	 */
	n = dom->memo[XSCHED_MEMO_FAST].n;
	at = dom->memo[XSCHED_MEMO_FAST].w[0].at;
	mutex_lock(&dom->mutex);
	xsched_queue_hint(q, NULL, false);
	mutex_unlock(&dom->mutex);
	KUNIT_EXPECT_PTR_EQ(test, dom->memo_rec, &dom->memo_none);
	KUNIT_EXPECT_EQ(test, dom->memo[XSCHED_MEMO_FAST].n, n);
	KUNIT_EXPECT_PTR_EQ(test, dom->memo[XSCHED_MEMO_FAST].w[0].at, at);

	fx_ids(fx, q, NULL);
	__free_page(page);
}

/* An operator's rule moves @q to operator priority @tier. */
static void fx_tier(struct kunit *test, struct core_fx *fx,
		    struct xsched_queue *q, unsigned int tier)
{
	mutex_lock(&fx->dom->mutex);
	KUNIT_EXPECT_GE(test, xsched_queue_set_tier(q, tier,
						    XSCHED_SRC_PROCESS), 0);
	mutex_unlock(&fx->dom->mutex);
}

/*
 * Fast passes read only what can change the decision: the queues above
 * the highest busy operator priority, and those at it; a fall of the
 * top level, a poll every 10 ms, and an all-idle domain read all.
 */
static void core_poll_fast_pass_reads_only_what_decides(struct kunit *test)
{
	struct core_fx *fx = fx_bind(test);
	struct xsched_queue *high, *low[6];
	u64 read, full;
	unsigned int i;

	high = mock_create(test, fx, MOCK_TGID, 0, 11);
	fx_tier(test, fx, high, 11);
	for (i = 0; i < ARRAY_SIZE(low); i++) {
		low[i] = mock_create(test, fx, MOCK_TGID + 1, i, 0);
		fx_tier(test, fx, low[i], 0);
		fx_hint_flag(fx, low[i], true);
	}

	/* Nothing busy yet: a full pass, which sees the lows busy. */
	KUNIT_EXPECT_TRUE(test, fx_poll(fx, T0, &read));
	KUNIT_EXPECT_EQ(test, read, 7ULL);
	KUNIT_EXPECT_EQ(test, fx->dom->busy_levels, BIT(0));
	full = fx->dom->full_polls;

	/* Top level 0: the idle high and the level-0 queues are read. */
	KUNIT_EXPECT_FALSE(test, fx_poll(fx, T0 + 100 * US, &read));
	KUNIT_EXPECT_EQ(test, read, 7ULL);
	KUNIT_EXPECT_EQ(test, fx->dom->full_polls, full);

	/* The high rises: seen by a fast pass; the lows are paused. */
	fx_hint_flag(fx, high, true);
	KUNIT_EXPECT_TRUE(test, fx_poll(fx, T0 + 200 * US, &read));
	KUNIT_EXPECT_EQ(test, read, 7ULL);
	fx_decide(fx, T0 + 200 * US);
	KUNIT_EXPECT_EQ(test, fx->dom->level, 11U);
	KUNIT_EXPECT_TRUE(test, low[0]->paused);

	/* Top 11 with queues below: the high is watched for its fall. */
	KUNIT_EXPECT_FALSE(test, fx_poll(fx, T0 + 300 * US, &read));
	KUNIT_EXPECT_EQ(test, read, 1ULL);
	KUNIT_EXPECT_EQ(test, fx->dom->full_polls, full);

	/* The high falls: a full pass, the paused busy lows still skipped. */
	fx_hint_flag(fx, high, false);
	KUNIT_EXPECT_TRUE(test, fx_poll(fx, T0 + 400 * US, &read));
	KUNIT_EXPECT_EQ(test, fx->dom->full_polls, full + 1);
	KUNIT_EXPECT_EQ(test, read, 2ULL);	/* high, fast then full */
	KUNIT_EXPECT_EQ(test, fx->dom->busy_levels, BIT(0));

	/* Fast passes for 10 ms, then a poll reads every queue again. */
	for (i = 0; i < 99; i++) {
		fx_poll(fx, T0 + (500 + 100 * i) * US, &read);
		KUNIT_EXPECT_EQ(test, fx->dom->full_polls, full + 1);
	}
	fx_poll(fx, T0 + 10400 * US, &read);
	KUNIT_EXPECT_EQ(test, fx->dom->full_polls, full + 2);
}

/*
 * One user's queues at one operator priority (a serving process and a
 * training job of root): a fast pass reads at that priority only the
 * idle queues above the user's highest busy own priority and the busy
 * ones at it; a fall brings a full pass.
 */
static void core_poll_fast_pass_per_tenant(struct kunit *test)
{
	struct core_fx *fx = fx_bind(test);
	struct xsched_queue *inf, *train, *other[4];
	u64 read, full;
	unsigned int i;

	inf = mock_create(test, fx, MOCK_TGID, 0, 11);
	train = mock_create(test, fx, MOCK_TGID + 1, 0, 7);
	for (i = 0; i < ARRAY_SIZE(other); i++)
		other[i] = mock_create(test, fx, MOCK_TGID + 2, i, 7);

	/* Nothing busy: a full pass; it sees the training queue busy. */
	fx_hint_flag(fx, train, true);
	KUNIT_EXPECT_TRUE(test, fx_poll(fx, T0, &read));
	KUNIT_EXPECT_EQ(test, read, 6ULL);
	full = fx->dom->full_polls;

	/* Watched: the training queue (a fall) and the inference (a rise). */
	KUNIT_EXPECT_FALSE(test, fx_poll(fx, T0 + 100 * US, &read));
	KUNIT_EXPECT_EQ(test, read, 2ULL);

	/*
	 * The inference rises: seen (read first, it raises the user's top,
	 * so the training queue is no longer watched in the same pass),
	 * and the training queue is paused.
	 */
	fx_hint_flag(fx, inf, true);
	KUNIT_EXPECT_TRUE(test, fx_poll(fx, T0 + 200 * US, &read));
	KUNIT_EXPECT_EQ(test, read, 1ULL);
	fx_decide(fx, T0 + 200 * US);
	KUNIT_EXPECT_TRUE(test, train->paused);
	KUNIT_EXPECT_FALSE(test, inf->paused);

	/* Only the inference queue can change anything now. */
	KUNIT_EXPECT_FALSE(test, fx_poll(fx, T0 + 300 * US, &read));
	KUNIT_EXPECT_EQ(test, read, 1ULL);
	KUNIT_EXPECT_EQ(test, fx->dom->full_polls, full);

	/* Its fall: a full pass (the paused training queue is not read). */
	fx_hint_flag(fx, inf, false);
	KUNIT_EXPECT_TRUE(test, fx_poll(fx, T0 + 400 * US, &read));
	KUNIT_EXPECT_EQ(test, read, 1ULL + 5ULL);
	KUNIT_EXPECT_EQ(test, fx->dom->full_polls, full + 1);
}

/* Sends one event of @mq without waiting for the core to process it. */
static void mock_event_nowait(enum kfd_xsched_event ev,
			      const struct mock_queue *mq, u32 prio)
{
	struct kfd_xsched_queue_info info = mock_info(mq, prio);

	mock->listener->queue(mock->listener, ev, &info);
}

/* The provider destroys @mq; the event is sent but not yet processed. */
static void mock_destroy_nowait(struct mock_queue *mq)
{
	mq->live = false;
	mock_event_nowait(KFD_XSCHED_QUEUE_DESTROYED, mq, 0);
}

/*
 * Events of queues that end before the core handled their creation are
 * dropped in pairs, so that queue churn cannot build an ever longer
 * backlog; what was already tracked is still removed in order.
 */
static void core_pending_events_of_short_queues_coalesce(struct kunit *test)
{
	struct core_fx *fx = fx_bind(test);
	const pid_t a = MOCK_TGID, b = MOCK_TGID + 1, c = MOCK_TGID + 2;
	struct mock_queue *a0, *b0, *b0again, *c0, *c1;
	struct xsched_queue *a1;

	a1 = mock_create(test, fx, a, 1, 3);
	a0 = mock_new(test, a, 0, MOCK_GPU_ID);
	b0 = mock_new(test, b, 0, MOCK_GPU_ID);
	/* The event work blocks on the first event it takes. */
	mutex_lock(&fx->dom->mutex);
	mock_event_nowait(KFD_XSCHED_QUEUE_CREATED, a0, 0);
	mock_event_nowait(KFD_XSCHED_QUEUE_CREATED, b0, 0);
	mock_destroy_nowait(b0);				/* pair */
	b0again = mock_new(test, b, 0, MOCK_GPU_ID);		/* id reused */
	mock_event_nowait(KFD_XSCHED_QUEUE_CREATED, b0again, 0);
	c0 = mock_new(test, c, 0, MOCK_GPU_ID);
	c1 = mock_new(test, c, 1, MOCK_GPU_ID);
	mock_event_nowait(KFD_XSCHED_QUEUE_CREATED, c0, 0);
	mock_event_nowait(KFD_XSCHED_QUEUE_CREATED, c1, 0);
	mock_destroy_nowait(c0);				/* pair */
	mock_destroy_nowait(c1);				/* pair */
	mock_destroy_nowait(&fx->mock.q[0]);			/* tracked */
	mutex_unlock(&fx->dom->mutex);
	flush_workqueue(xsched_wq);

	KUNIT_EXPECT_EQ(test, fx->b->ev_coalesced, 6ULL);
	KUNIT_EXPECT_NOT_NULL(test, fx_xq_of(fx, a0->handle));
	KUNIT_EXPECT_NULL(test, fx_xq_of(fx, a1->handle));
	KUNIT_EXPECT_NULL(test, fx_xq_of(fx, b0->handle));
	KUNIT_EXPECT_NOT_NULL(test, fx_xq_of(fx, b0again->handle));
	KUNIT_EXPECT_NULL(test, fx_xq_of(fx, c0->handle));
	KUNIT_EXPECT_NULL(test, fx_xq_of(fx, c1->handle));
	KUNIT_EXPECT_EQ(test, fx->dom->nr_queues, 2U);
	KUNIT_EXPECT_TRUE(test, list_empty(&fx->b->events));
}

/*
 * Queue A (pid P, id 3) is destroyed and queue B takes its id at once;
 * a decision is made before the core has seen either event.  It may name
 * only A, which the provider reports stale; B (busy, priority 12) is
 * never paused and runs once the events are handled.
 */
static void core_reused_id_decision_between_events(struct kunit *test)
{
	struct core_fx *fx = fx_bind(test);
	struct xsched_queue *high, *a, *b;
	struct mock_queue *ma, *mb;
	u64 delay;

	high = mock_create(test, fx, MOCK_TGID, 0, 11);
	a = mock_create(test, fx, MOCK_TGID + 1, 3, 0);
	ma = &fx->mock.q[1];

	mutex_lock(&fx->dom->mutex);		/* holds the event work */
	mock_destroy_nowait(ma);
	mb = mock_new(test, MOCK_TGID + 1, 3, MOCK_GPU_ID);
	mock_event_nowait(KFD_XSCHED_QUEUE_CREATED, mb, 12);
	xsched_dom_lock_irq(fx->dom);
	xsched_queue_set_busy(high, true, T0);
	raw_spin_unlock_irq(&fx->dom->lock);
	xsched_decide(fx->dom, T0);
	KUNIT_EXPECT_EQ(test, fx_level(fx->dom), 11U);
	KUNIT_EXPECT_EQ(test, fx->mock.pause_calls, 1U);
	KUNIT_EXPECT_EQ(test, fx->mock.batch_n, 1U);
	KUNIT_EXPECT_EQ(test, fx->mock.batch[0], ma->handle);
	KUNIT_EXPECT_EQ(test, fx->mock.unknown, 1U);	/* reported stale */
	KUNIT_EXPECT_TRUE(test, a->stale);
	KUNIT_EXPECT_FALSE(test, a->paused);
	KUNIT_EXPECT_FALSE(test, mb->paused);
	mutex_unlock(&fx->dom->mutex);
	flush_workqueue(xsched_wq);

	b = fx_xq_of(fx, mb->handle);
	KUNIT_ASSERT_NOT_NULL(test, b);
	KUNIT_EXPECT_NULL(test, fx_xq_of(fx, ma->handle));
	KUNIT_EXPECT_EQ(test, (u32)b->prio, 12U);
	fx_busy(fx, b, true, T0 + 10 * US);
	fx_decide(fx, T0 + 10 * US);
	KUNIT_EXPECT_FALSE(test, b->paused);
	KUNIT_EXPECT_FALSE(test, mb->paused);
	/* B, busy at 12, outranks the level-11 queue: that one pauses. */
	KUNIT_EXPECT_TRUE(test, high->paused);
	KUNIT_EXPECT_EQ(test, mock_paused(), 1U);

	/* Everything idle: nothing is left paused. */
	delay = (u64)fx->dom->resume_delay_us * US;
	fx_busy(fx, b, false, T0 + 1 * MS);
	fx_busy(fx, high, false, T0 + 1 * MS);
	fx_decide(fx, T0 + 1 * MS);
	fx_decide(fx, T0 + 1 * MS + delay);
	KUNIT_EXPECT_EQ(test, fx_level(fx->dom), 0U);
	KUNIT_EXPECT_EQ(test, mock_paused(), 0U);
	KUNIT_EXPECT_EQ(test, fx->mock.redundant, 0U);
}

/*
 * A queue the provider already has paused (xsched reloaded while it was)
 * is tracked as paused: resumed when nothing outranks it, left paused
 * without a new call when something does.
 */
static void core_created_paused_queue(struct kunit *test)
{
	struct core_fx *fx = fx_bind(test);
	struct xsched_queue *q, *high, *low;
	struct kfd_xsched_queue_info info;
	struct mock_queue *mq;

	mq = mock_new(test, MOCK_TGID, 0, MOCK_GPU_ID);
	mq->paused = true;
	info = mock_info(mq, 5);
	mock_event(KFD_XSCHED_QUEUE_CREATED, &info);
	q = fx_xq_of(fx, mq->handle);
	KUNIT_ASSERT_NOT_NULL(test, q);
	KUNIT_EXPECT_EQ(test, fx->mock.resume_calls, 1U);
	expect_batch(test, &q, 1);
	KUNIT_EXPECT_FALSE(test, q->paused);
	KUNIT_EXPECT_FALSE(test, mq->paused);

	high = mock_create(test, fx, MOCK_TGID + 1, 0, 11);
	fx_busy(fx, high, true, T0);
	fx_decide(fx, T0);
	KUNIT_EXPECT_EQ(test, fx->mock.pause_calls, 1U);
	mq = mock_new(test, MOCK_TGID + 2, 0, MOCK_GPU_ID);
	mq->paused = true;
	info = mock_info(mq, 2);
	mock_event(KFD_XSCHED_QUEUE_CREATED, &info);
	low = fx_xq_of(fx, mq->handle);
	KUNIT_ASSERT_NOT_NULL(test, low);
	KUNIT_EXPECT_TRUE(test, low->paused);
	KUNIT_EXPECT_EQ(test, fx->mock.pause_calls, 1U);
	KUNIT_EXPECT_EQ(test, fx->mock.resume_calls, 1U);
	KUNIT_EXPECT_EQ(test, mock_paused(), 2U);
}

/*
 * A queue the provider has paused, whose resume at creation fails: the
 * next decision resumes it although the level (0) does not change.
 */
static void core_created_paused_resume_fails_then_runs(struct kunit *test)
{
	struct core_fx *fx = fx_bind(test);
	struct kfd_xsched_queue_info info;
	struct xsched_queue *q;
	struct mock_queue *mq;

	mq = mock_new(test, MOCK_TGID, 0, MOCK_GPU_ID);
	mq->paused = true;
	fx->mock.fail_resumes = 1;
	info = mock_info(mq, 5);
	mock_event(KFD_XSCHED_QUEUE_CREATED, &info);
	q = fx_xq_of(fx, mq->handle);
	KUNIT_ASSERT_NOT_NULL(test, q);
	KUNIT_EXPECT_EQ(test, fx->mock.resume_calls, 1U);
	KUNIT_EXPECT_TRUE(test, q->paused);
	KUNIT_EXPECT_TRUE(test, fx->dom->degraded);
	KUNIT_EXPECT_TRUE(test, fx->mock.unmapped);

	fx_decide(fx, T0);
	KUNIT_EXPECT_EQ(test, fx->mock.resume_calls, 2U);
	KUNIT_EXPECT_FALSE(test, q->paused);
	KUNIT_EXPECT_FALSE(test, fx->mock.unmapped);
	KUNIT_EXPECT_EQ(test, mock_paused(), 0U);
}

/*
 * The provider goes away while xsched registers its listener: the
 * binding is let go of once, no op is called after gone(), and binding
 * reports that the provider is gone.
 */
static void core_provider_gone_during_binding(struct kunit *test)
{
	struct core_fx *fx = kunit_kzalloc(test, sizeof(*fx), GFP_KERNEL);
	struct xsched_binding *b, *it;
	bool listed = false;

	KUNIT_ASSERT_NOT_NULL(test, fx);
	mock = &fx->mock;
	test->priv = fx;
	mock->nodes = 1;
	mock->gone_in_register = true;
	b = xsched_bind(&mock_ops);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(b), -ENODEV);
	mutex_lock(&xsched_lock);
	list_for_each_entry(it, &xsched_bindings, link)
		listed |= it->ops == &mock_ops;
	mutex_unlock(&xsched_lock);
	KUNIT_EXPECT_FALSE(test, listed);
	flush_workqueue(xsched_wq);
	KUNIT_EXPECT_TRUE(test, mock->gone);
	KUNIT_EXPECT_EQ(test, mock->calls_after_gone, 0U);
	KUNIT_EXPECT_NULL(test, mock->listener);
}

/*
 * One of two nodes goes with queues paused on both: its domain goes
 * without a call to it, and the other domain goes on scheduling.
 */
static void core_node_gone_other_domain_schedules(struct kunit *test)
{
	struct core_fx *fx = fx_bind_nodes(test, 2);
	struct xsched_domain *dom1 = fx->dom, *dom2, *it;
	struct xsched_queue *h1, *h2, *l2;
	struct kfd_xsched_queue_info info;
	struct kfd_xsched_node_info node = { .gpu_id = MOCK_GPU_ID };
	struct mock_queue *mq;
	unsigned int ndom = 0, resumes;
	u64 delay;

	dom2 = list_last_entry(&fx->b->domains, struct xsched_domain, link);
	KUNIT_ASSERT_EQ(test, dom2->gpu_id, (u32)MOCK_GPU_ID2);
	h1 = mock_create(test, fx, MOCK_TGID, 0, 11);
	mock_create(test, fx, MOCK_TGID, 1, 0);
	mq = mock_new(test, MOCK_TGID + 1, 0, MOCK_GPU_ID2);
	info = mock_info(mq, 11);
	mock_event(KFD_XSCHED_QUEUE_CREATED, &info);
	h2 = fx_xq_of(fx, mq->handle);
	mq = mock_new(test, MOCK_TGID + 1, 1, MOCK_GPU_ID2);
	info = mock_info(mq, 0);
	mock_event(KFD_XSCHED_QUEUE_CREATED, &info);
	l2 = fx_xq_of(fx, mq->handle);
	KUNIT_ASSERT_NOT_NULL(test, h2);
	KUNIT_ASSERT_NOT_NULL(test, l2);
	KUNIT_ASSERT_PTR_EQ(test, l2->dom, dom2);

	fx_busy(fx, h1, true, T0);
	fx_decide(fx, T0);
	xsched_dom_lock_irq(dom2);
	xsched_queue_set_busy(h2, true, T0);
	raw_spin_unlock_irq(&dom2->lock);
	mutex_lock(&dom2->mutex);
	xsched_decide(dom2, T0);
	mutex_unlock(&dom2->mutex);
	KUNIT_ASSERT_EQ(test, mock_paused(), 2U);

	/* Node 1 goes with its queues (the provider cleared its pauses). */
	fx->mock.node_gone[0] = true;
	fx->mock.q[0].live = fx->mock.q[1].live = false;
	resumes = fx->mock.resume_calls;
	fx->mock.listener->node(fx->mock.listener, KFD_XSCHED_NODE_GONE, &node);
	flush_workqueue(xsched_wq);
	list_for_each_entry(it, &fx->b->domains, link)
		ndom++;
	KUNIT_EXPECT_EQ(test, ndom, 1U);
	KUNIT_EXPECT_PTR_EQ(test, list_first_entry(&fx->b->domains,
						   struct xsched_domain, link),
			    dom2);
	KUNIT_EXPECT_EQ(test, fx->mock.resume_calls, resumes);
	KUNIT_EXPECT_EQ(test, fx->mock.wrong_node, 0U);
	fx->dom = dom2;
	(void)dom1;		/* freed with its node */

	/* Node 2 still schedules: its high queue idles, the low resumes. */
	delay = (u64)dom2->resume_delay_us * US;
	fx_busy(fx, h2, false, T0 + 1 * MS);
	fx_decide(fx, T0 + 1 * MS);
	fx_decide(fx, T0 + 1 * MS + delay);
	KUNIT_EXPECT_EQ(test, fx_level(dom2), 0U);
	KUNIT_EXPECT_FALSE(test, l2->paused);
	KUNIT_EXPECT_EQ(test, mock_paused(), 0U);
	KUNIT_EXPECT_EQ(test, fx->mock.wrong_node, 0U);
}

/*
 * A node that cannot pause queues gets a domain that runs "none", says
 * why, refuses a pausing policy, and never asks the provider for
 * anything, whatever is busy.
 */
static void core_non_preemptive_node_runs_none(struct kunit *test)
{
	struct core_fx *fx = kunit_kzalloc(test, sizeof(*fx), GFP_KERNEL);
	struct xsched_queue *high, *low;
	struct xsched_binding *b;

	KUNIT_ASSERT_NOT_NULL(test, fx);
	mock = &fx->mock;
	test->priv = fx;
	mock->nodes = 1;
	mock->not_preemptive = true;
	mock->last_handle = MOCK_HANDLE0 - 1;
	b = xsched_bind(&mock_ops);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, b);
	fx->b = b;
	fx->dom = list_first_entry(&b->domains, struct xsched_domain, link);
	fx->dom->poll_us = 0;

	KUNIT_EXPECT_FALSE(test, fx->dom->preemptive);
	KUNIT_EXPECT_STREQ(test, fx->dom->why, "mock: no hardware scheduler");
	KUNIT_EXPECT_PTR_EQ(test, fx->dom->policy, &xsched_policy_none);
	KUNIT_EXPECT_EQ(test, xsched_domain_set_policy(fx->dom, "hpf"),
			-EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, xsched_domain_set_policy(fx->dom, "none"), 0);

	high = mock_create(test, fx, MOCK_TGID, 0, 13);
	low = mock_create(test, fx, MOCK_TGID + 1, 0, 0);
	fx_busy(fx, high, true, T0);
	fx_busy(fx, low, true, T0);
	fx_decide(fx, T0);
	fx_decide(fx, T0 + 10 * MS);
	KUNIT_EXPECT_EQ(test, fx_level(fx->dom), 0U);
	KUNIT_EXPECT_FALSE(test, low->paused);
	KUNIT_EXPECT_EQ(test, fx->mock.pause_calls, 0U);
	KUNIT_EXPECT_EQ(test, fx->mock.resume_calls, 0U);
	/* Nothing to retry: no timed wake-up is asked for. */
	KUNIT_EXPECT_EQ(test, fx->dom->next_decide, U64_MAX);
}

/*
 * A resume fails the way a pm_send_runlist error does: the provider has
 * the queues un-paused but nothing mapped.  The core keeps asking, once a
 * millisecond, until the provider says it mapped them.
 */
static void core_failed_resume_retried_until_mapped(struct kunit *test)
{
	struct core_fx *fx = fx_bind(test);
	struct xsched_queue *high, *low;
	u64 delay, t;
	unsigned int i;

	high = mock_create(test, fx, MOCK_TGID, 0, 11);
	low = mock_create(test, fx, MOCK_TGID + 1, 0, 0);
	fx_busy(fx, high, true, T0);
	fx_decide(fx, T0);
	KUNIT_ASSERT_TRUE(test, low->paused);

	fx->mock.fail_resumes = 3;
	delay = (u64)fx->dom->resume_delay_us * US;
	fx_busy(fx, high, false, T0 + 1 * MS);
	fx_decide(fx, T0 + 1 * MS);
	t = T0 + 1 * MS + delay;
	fx_decide(fx, t);
	KUNIT_EXPECT_EQ(test, fx->mock.resume_calls, 1U);
	KUNIT_EXPECT_TRUE(test, fx->mock.unmapped);
	KUNIT_EXPECT_TRUE(test, fx->dom->degraded);
	for (i = 0; i < 3; i++) {
		u64 next;

		xsched_dom_lock_irq(fx->dom);
		next = fx->dom->next_decide;
		raw_spin_unlock_irq(&fx->dom->lock);
		KUNIT_EXPECT_EQ(test, next, t + 1 * MS);
		t = next;
		fx_decide(fx, t);
	}
	KUNIT_EXPECT_EQ(test, fx->mock.resume_calls, 4U);
	KUNIT_EXPECT_FALSE(test, fx->mock.unmapped);
	KUNIT_EXPECT_FALSE(test, low->paused);
	KUNIT_EXPECT_EQ(test, fx->dom->errors, 3ULL);
	/* Mapped: no more calls; degraded until its period ends. */
	fx_decide(fx, t + 5 * MS);
	KUNIT_EXPECT_EQ(test, fx->mock.resume_calls, 4U);
	KUNIT_EXPECT_TRUE(test, fx->dom->degraded);
	fx_decide(fx, fx->dom->degraded_until);
	KUNIT_EXPECT_FALSE(test, fx->dom->degraded);
}

/*
 * A queue whose QUEUE_DESTROYED has not arrived: the provider reports
 * its handle stale once; it is then left out of every batch, and a
 * priority change on it fails with -ENODEV without a provider call.
 */
/* As mock_create(), but the queue's creator runs as @uid. */
static struct xsched_queue *mock_create_as(struct kunit *test,
					   struct core_fx *fx, u32 uid,
					   pid_t tgid, u32 prio)
{
	struct cred *c = prepare_creds();
	const struct cred *old;
	struct xsched_queue *q;

	KUNIT_ASSERT_NOT_NULL(test, c);
	c->euid = KUIDT_INIT(uid);
	old = override_creds(c);
	q = mock_create(test, fx, tgid, 0, prio);
	revert_creds(old);
	put_cred(c);
	KUNIT_EXPECT_TRUE(test, uid_eq(q->uid, KUIDT_INIT(uid)));
	return q;
}

/*
 * Two users at the default operator priority: a user's priority-15
 * queue pauses that user's own lower queue, never the other user's.  An
 * operator priority above theirs pauses both users' queues.
 */
static void core_users_do_not_preempt_each_other(struct kunit *test)
{
	struct core_fx *fx = fx_bind(test);
	struct xsched_queue *root_q, *hi, *lo;

	root_q = mock_create(test, fx, MOCK_TGID, 0, 7);
	hi = mock_create_as(test, fx, 1000, MOCK_TGID + 1, 15);
	lo = mock_create_as(test, fx, 1000, MOCK_TGID + 2, 3);
	KUNIT_EXPECT_EQ(test, (u32)root_q->tier, 7U);
	KUNIT_EXPECT_EQ(test, (u32)hi->tier, 7U);
	KUNIT_EXPECT_PTR_EQ(test, hi->tenant, lo->tenant);
	KUNIT_EXPECT_PTR_NE(test, hi->tenant, root_q->tenant);

	fx_busy(fx, root_q, true, T0);
	fx_busy(fx, hi, true, T0);
	fx_busy(fx, lo, true, T0);
	fx_decide(fx, T0);
	KUNIT_EXPECT_FALSE(test, root_q->paused);
	KUNIT_EXPECT_FALSE(test, hi->paused);
	KUNIT_EXPECT_TRUE(test, lo->paused);
	KUNIT_EXPECT_EQ(test, fx->mock.pause_calls, 1U);

	/* An operator ranks root's queue higher: the user's queues pause. */
	fx_tier(test, fx, root_q, 11);
	fx_decide(fx, T0 + 1 * MS);
	KUNIT_EXPECT_EQ(test, fx->dom->level, 11U);
	KUNIT_EXPECT_FALSE(test, root_q->paused);
	KUNIT_EXPECT_TRUE(test, hi->paused);
	KUNIT_EXPECT_TRUE(test, lo->paused);

	/* And back: after the delay, the user's own order again. */
	fx_tier(test, fx, root_q, 7);
	fx_decide(fx, T0 + 2 * MS);
	fx_decide(fx, T0 + 3 * MS);
	KUNIT_EXPECT_FALSE(test, root_q->paused);
	KUNIT_EXPECT_FALSE(test, hi->paused);
	KUNIT_EXPECT_TRUE(test, lo->paused);
	KUNIT_EXPECT_EQ(test, fx->mock.redundant, 0U);
}

/*
 * A high-priority queue that goes idle every millisecond for longer than
 * the resume delay: without a limit every gap costs a resume and a pause.
 * At max_changes_per_s 100 the changes over 200 ms stay within the
 * bucket (10) plus the refill (20) plus one pause of debt, resumes are
 * held back (counted), and the low queue still runs once the high one
 * stays idle.
 */
static void core_rate_limit_bounds_changes(struct kunit *test)
{
	struct core_fx *fx = fx_bind(test);
	struct xsched_queue *high, *low;
	unsigned int i, changes;
	u64 t = T0, next;

	high = mock_create(test, fx, MOCK_TGID, 0, 11);
	low = mock_create(test, fx, MOCK_TGID + 1, 0, 0);
	fx->dom->resume_delay_us = 0;	/* no hysteresis: the limit alone */
	fx->dom->max_changes_per_s = 100;
	fx_busy(fx, low, true, t);
	for (i = 0; i < 200; i++, t += 1 * MS) {
		fx_busy(fx, high, true, t);
		fx_decide(fx, t);
		fx_busy(fx, high, false, t + 500 * US);
		fx_decide(fx, t + 500 * US);
	}
	changes = fx->mock.pause_calls + fx->mock.resume_calls;
	kunit_info(test, "200 ms, 200 busy/idle cycles: %u runlist changes, %llu resumes held back\n",
		   changes, fx->dom->rate_limited);
	KUNIT_EXPECT_LE(test, changes, 10U + 20U + 1U);
	KUNIT_EXPECT_GT(test, fx->dom->rate_limited, 0ULL);
	/* The high queue stays idle: the low one runs at the next token. */
	xsched_dom_lock_irq(fx->dom);
	next = fx->dom->next_decide;
	raw_spin_unlock_irq(&fx->dom->lock);
	KUNIT_EXPECT_LE(test, next, t + 10 * MS);
	fx_decide(fx, max(next, t));
	KUNIT_EXPECT_FALSE(test, low->paused);
	KUNIT_EXPECT_EQ(test, mock_paused(), 0U);
}

/*
 * Gaps of 500 us against a 200 us resume delay: each resume is undone by
 * a pause 300 us later.  Near the limit (100 a second, bucket 10), the
 * delay adapts (doubling) until the gaps no longer cause resumes, and
 * comes back down once the pattern stops.
 */
static void core_hysteresis_adapts(struct kunit *test)
{
	struct core_fx *fx = fx_bind(test);
	struct xsched_queue *high, *low;
	unsigned int i, resumes_late = 0;
	u64 t = T0, next;

	high = mock_create(test, fx, MOCK_TGID, 0, 11);
	low = mock_create(test, fx, MOCK_TGID + 1, 0, 0);
	fx->dom->max_changes_per_s = 100;
	fx_busy(fx, low, true, t);
	for (i = 0; i < 40; i++, t += 1500 * US) {
		fx_busy(fx, high, true, t);
		fx_decide(fx, t);
		fx_busy(fx, high, false, t + 1 * MS);
		fx_decide(fx, t + 1 * MS);
		/* The decider wakes when the policy asked, before the rise. */
		xsched_dom_lock_irq(fx->dom);
		next = fx->dom->next_decide;
		raw_spin_unlock_irq(&fx->dom->lock);
		if (next < t + 1500 * US)
			fx_decide(fx, next);
		if (i == 19)
			resumes_late = fx->mock.resume_calls;
	}
	kunit_info(test, "40 cycles: %u resumes, %llu oscillations, delay now %llu us\n",
		   fx->mock.resume_calls, fx->dom->oscillations,
		   div_u64(xsched_resume_delay_ns(fx->dom), 1000));
	KUNIT_EXPECT_GE(test, fx->dom->oscillations, 1ULL);
	KUNIT_EXPECT_GE(test, xsched_resume_delay_ns(fx->dom), 500 * US);
	/* The second half of the run made no resume at all. */
	KUNIT_EXPECT_EQ(test, fx->mock.resume_calls, resumes_late);
	/* The high queue stops: the low one resumes after the delay. */
	fx_decide(fx, t + 100 * MS);
	KUNIT_EXPECT_FALSE(test, low->paused);
	/* Calm for seconds: the delay halves back to resume_delay_us. */
	for (i = 0; i < 8; i++) {
		t += 2 * NSEC_PER_SEC;
		fx_busy(fx, high, true, t);
		fx_decide(fx, t);
		fx_busy(fx, high, false, t + 1 * MS);
		fx_decide(fx, t + 1 * MS);
		fx_decide(fx, t + 200 * MS);
	}
	KUNIT_EXPECT_EQ(test, xsched_resume_delay_ns(fx->dom), 200 * US);
	KUNIT_EXPECT_FALSE(test, low->paused);
}

/* Far from the limit, oscillations are counted but nothing adapts. */
static void core_no_adaptation_without_pressure(struct kunit *test)
{
	struct core_fx *fx = fx_bind(test);
	struct xsched_queue *high, *low;
	unsigned int i;
	u64 t = T0;

	high = mock_create(test, fx, MOCK_TGID, 0, 11);
	low = mock_create(test, fx, MOCK_TGID + 1, 0, 0);
	fx->dom->max_changes_per_s = 0;
	fx_busy(fx, low, true, t);
	for (i = 0; i < 10; i++, t += 1500 * US) {
		fx_busy(fx, high, true, t);
		fx_decide(fx, t);
		fx_busy(fx, high, false, t + 1 * MS);
		fx_decide(fx, t + 1 * MS);
		fx_decide(fx, t + 1 * MS + 250 * US);
	}
	KUNIT_EXPECT_GE(test, fx->dom->oscillations, 9ULL);
	KUNIT_EXPECT_EQ(test, xsched_resume_delay_ns(fx->dom), 200 * US);
	KUNIT_EXPECT_EQ(test, fx->mock.resume_calls, 10U);
}

static void core_stale_handle_is_not_named_again(struct kunit *test)
{
	struct core_fx *fx = fx_bind(test);
	struct xsched_queue *high, *gone, *low;
	unsigned int calls;

	high = mock_create(test, fx, MOCK_TGID, 0, 11);
	gone = mock_create(test, fx, MOCK_TGID + 1, 0, 0);
	low = mock_create(test, fx, MOCK_TGID + 1, 1, 0);
	fx->mock.q[1].live = false;		/* no event sent */

	fx_busy(fx, high, true, T0);
	fx_decide(fx, T0);
	KUNIT_EXPECT_EQ(test, fx->mock.unknown, 1U);
	KUNIT_EXPECT_TRUE(test, gone->stale);
	KUNIT_EXPECT_FALSE(test, gone->paused);
	KUNIT_EXPECT_TRUE(test, low->paused);

	fx_busy(fx, high, false, T0 + 1 * MS);
	fx_decide(fx, T0 + 1 * MS);
	fx_decide(fx, T0 + 1 * MS + (u64)fx->dom->resume_delay_us * US);
	expect_batch(test, &low, 1);
	KUNIT_EXPECT_EQ(test, fx->mock.unknown, 1U);

	calls = fx->mock.calls;
	mutex_lock(&fx->dom->mutex);
	KUNIT_EXPECT_EQ(test, xsched_queue_set_prio(gone, 3), -ENODEV);
	mutex_unlock(&fx->dom->mutex);
	KUNIT_EXPECT_EQ(test, fx->mock.calls, calls);
}

/* Sets or clears a BEGIN-like hint without deciding: the poll must see it. */
static void fx_hint_quiet(struct core_fx *fx, struct xsched_queue *q, bool on)
{
	xsched_dom_lock_irq(fx->dom);
	q->hint = on;
	q->hint_until = U64_MAX;	/* these tests are not about expiry */
	raw_spin_unlock_irq(&fx->dom->lock);
}

/* Waits up to 2 s of real time for @cond; returns it. */
#define FX_WAIT(cond)							\
	({								\
		int _i;							\
		for (_i = 0; _i < 2000 && !(cond); _i++)		\
			usleep_range(500, 1000);			\
		!!(cond);						\
	})

/*
 * The real machinery, not virtual time: the hard-irq poll timer sees a
 * queue become busy, wakes the SCHED_FIFO decider, which pauses the lower
 * queue through the provider; when the queue goes idle, the timer's
 * timed wake-up brings the resume after resume_delay.  Lockdep watches
 * the timer, the decider and the test thread together.
 */
static void core_real_poll_timer_and_decider(struct kunit *test)
{
	struct core_fx *fx = fx_bind(test);
	struct xsched_queue *high, *low;
	bool paused;

	fx->dom->poll_us = 100;		/* the timer starts with a queue */
	high = mock_create(test, fx, MOCK_TGID, 0, 11);
	low = mock_create(test, fx, MOCK_TGID + 1, 0, 0);
	KUNIT_ASSERT_TRUE(test, hrtimer_active(&fx->dom->poll));

	fx_hint_quiet(fx, high, true);
	KUNIT_EXPECT_TRUE(test, FX_WAIT(READ_ONCE(fx->mock.pause_calls) == 1));
	mutex_lock(&fx->dom->mutex);
	paused = low->paused;
	mutex_unlock(&fx->dom->mutex);
	KUNIT_EXPECT_TRUE(test, paused);
	KUNIT_EXPECT_EQ(test, mock_paused(), 1U);

	fx_hint_quiet(fx, high, false);
	KUNIT_EXPECT_TRUE(test, FX_WAIT(READ_ONCE(fx->mock.resume_calls) == 1));
	KUNIT_EXPECT_EQ(test, mock_paused(), 0U);
	KUNIT_EXPECT_EQ(test, fx->mock.redundant, 0U);
	KUNIT_EXPECT_GT(test, fx->dom->polls, 0ULL);
}

/*
 * A domain idle for a second is polled less often than every poll_us
 * (for one domain of two queues, about every 180 us); a queue that
 * becomes busy through a hint brings poll_us back at once, and a higher
 * queue rising next to it is paused by the fast polls.
 */
static void core_real_idle_domain_polls_slowly_then_wakes(struct kunit *test)
{
	struct core_fx *fx = fx_bind(test);
	struct xsched_queue *high, *low;
	u64 polls;

	fx->dom->poll_us = 100;
	high = mock_create(test, fx, MOCK_TGID, 0, 11);
	low = mock_create(test, fx, MOCK_TGID + 1, 0, 0);
	KUNIT_ASSERT_TRUE(test, FX_WAIT(READ_ONCE(fx->dom->poll_idle)));
	xsched_dom_lock_irq(fx->dom);
	polls = fx->dom->polls;
	raw_spin_unlock_irq(&fx->dom->lock);
	usleep_range(20000, 21000);
	xsched_dom_lock_irq(fx->dom);
	/* 200 polls at poll_us; about 110 here (other domains add up) */
	KUNIT_EXPECT_LE(test, fx->dom->polls, polls + 150);
	raw_spin_unlock_irq(&fx->dom->lock);

	mutex_lock(&fx->dom->mutex);
	xsched_queue_hint(low, NULL, true);
	mutex_unlock(&fx->dom->mutex);
	KUNIT_EXPECT_FALSE(test, READ_ONCE(fx->dom->poll_idle));
	xsched_dom_lock_irq(fx->dom);
	polls = fx->dom->polls;
	raw_spin_unlock_irq(&fx->dom->lock);
	KUNIT_EXPECT_TRUE(test, FX_WAIT(READ_ONCE(fx->dom->polls) >= polls + 5));

	fx_hint_quiet(fx, high, true);
	KUNIT_EXPECT_TRUE(test, FX_WAIT(READ_ONCE(fx->mock.pause_calls) == 1));
	fx_hint_quiet(fx, high, false);
	mutex_lock(&fx->dom->mutex);
	xsched_queue_hint(low, NULL, false);
	mutex_unlock(&fx->dom->mutex);
	KUNIT_EXPECT_TRUE(test, FX_WAIT(READ_ONCE(fx->mock.resume_calls) == 1));
	KUNIT_EXPECT_EQ(test, mock_paused(), 0U);
}

/*
 * Let go of the domain while its timer polls every 10 us and the decider
 * pauses and resumes as hints flip: twenty times, every queue ends
 * runnable, and nothing runs after the binding is gone.
 */
static void core_real_timers_unbind_while_busy(struct kunit *test)
{
	struct core_fx *fx = kunit_kzalloc(test, sizeof(*fx), GFP_KERNEL);
	unsigned int round, i;

	KUNIT_ASSERT_NOT_NULL(test, fx);
	test->priv = fx;
	for (round = 0; round < 20; round++) {
		struct xsched_queue *q[4];
		struct xsched_binding *b;

		memset(&fx->mock, 0, sizeof(fx->mock));
		mock = &fx->mock;
		mock->nodes = 1;
		mock->last_handle = MOCK_HANDLE0 - 1;
		b = xsched_bind(&mock_ops);
		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, b);
		fx->b = b;
		fx->dom = list_first_entry(&b->domains, struct xsched_domain,
					   link);
		fx->dom->poll_us = 10;
		fx->dom->resume_delay_us = 0;
		for (i = 0; i < ARRAY_SIZE(q); i++)
			q[i] = mock_create(test, fx, MOCK_TGID + i, 0, 4 * i);
		for (i = 0; i < 40; i++) {
			fx_hint_quiet(fx, q[(i + round) % 4], i & 1);
			usleep_range(50, 100);
		}
		fx_unbind(fx);
		KUNIT_EXPECT_EQ(test, mock_paused(), 0U);
		fx->mock.gone = true;	/* count any call from here on */
		usleep_range(2000, 3000);
		KUNIT_EXPECT_EQ(test, fx->mock.calls_after_gone, 0U);
	}
}

static struct kunit_case xsched_core_cases[] = {
	KUNIT_CASE(core_binds_mock_provider),
	KUNIT_CASE(core_busy_high_pauses_all_lower_in_one_batch),
	KUNIT_CASE(core_only_changed_levels_are_touched),
	KUNIT_CASE(core_poll_fast_pass_reads_only_what_decides),
	KUNIT_CASE(core_poll_fast_pass_per_tenant),
	KUNIT_CASE(core_poll_settles_what_changes_nothing),
	KUNIT_CASE(core_poll_memo_answers_only_what_is_unchanged),
	KUNIT_CASE(core_poll_memo_of_a_running_kernel),
	KUNIT_CASE(core_tick_quiet_without_lock_only_when_unchanged),
	KUNIT_CASE(core_hint_before_first_poll),
	KUNIT_CASE(core_queue_created_below_level_is_paused),
	KUNIT_CASE(core_destroyed_queues_and_gone_process),
	KUNIT_CASE(core_pending_events_of_short_queues_coalesce),
	KUNIT_CASE(core_reused_id_decision_between_events),
	KUNIT_CASE(core_created_paused_queue),
	KUNIT_CASE(core_created_paused_resume_fails_then_runs),
	KUNIT_CASE(core_provider_gone_during_binding),
	KUNIT_CASE(core_node_gone_other_domain_schedules),
	KUNIT_CASE(core_non_preemptive_node_runs_none),
	KUNIT_CASE(core_failed_resume_retried_until_mapped),
	KUNIT_CASE(core_stale_handle_is_not_named_again),
	KUNIT_CASE(core_users_do_not_preempt_each_other),
	KUNIT_CASE(core_rate_limit_bounds_changes),
	KUNIT_CASE(core_hysteresis_adapts),
	KUNIT_CASE(core_no_adaptation_without_pressure),
	KUNIT_CASE(core_provider_failure_degrades_then_retries),
	KUNIT_CASE(core_repeated_pause_failure_backs_off),
	KUNIT_CASE(core_unbind_fails_open),
	KUNIT_CASE(core_provider_gone_resumes_then_calls_nothing),
	KUNIT_CASE(core_real_poll_timer_and_decider),
	KUNIT_CASE(core_real_idle_domain_polls_slowly_then_wakes),
	KUNIT_CASE(core_real_timers_unbind_while_busy),
	KUNIT_CASE(core_replay_one_high_fifteen_low),
	{}
};

static struct kunit_suite xsched_core_suite = {
	.name = "xsched_core",
	.exit = core_test_exit,
	.test_cases = xsched_core_cases,
};
kunit_test_suite(xsched_core_suite);
