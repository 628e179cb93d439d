// SPDX-License-Identifier: GPL-2.0
/*
 * xsched: decisions.  Each domain decides in one place, its decider
 * thread, and applies the decision to the provider as one batch: one
 * runlist change (docs/architecture.md).  Also the policies' registry,
 * priority changes and hints, which decide at once.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitmap.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "xsched.h"

#define CREATE_TRACE_POINTS
#include "xsched_trace.h"

/* A failed resume is made again this much later. */
#define XSCHED_RETRY_NS			NSEC_PER_MSEC
/* How long a fault keeps a domain degraded: doubling while it lasts. */
#define XSCHED_DEGRADED_MIN_NS		(100 * NSEC_PER_MSEC)
#define XSCHED_DEGRADED_MAX_NS		(5 * NSEC_PER_SEC)

/*
 * Bounds of the pause latency buckets: from the tens of microseconds of
 * a poll noticing work to the second of a runlist change that is about
 * to fail.  Fixed, so that readers can compare hosts and versions.
 */
const u64 xsched_lat_bounds_ns[XSCHED_LAT_BUCKETS - 1] = {
	10000, 25000, 50000, 100000, 250000, 500000,
	1000000, 2500000, 5000000, 10000000, 25000000, 50000000,
	100000000, 250000000, 1000000000,
};

static unsigned int xsched_lat_bucket(u64 lat)
{
	unsigned int i;

	for (i = 0; i < XSCHED_LAT_BUCKETS - 1; i++)
		if (lat <= xsched_lat_bounds_ns[i])
			break;
	return i;
}

/*
 * A provider call failed or took longer than slow_op_ms: the domain is
 * degraded.  Until dom->degraded_until every queue runs (the decision is
 * forced to level 0, so whatever xsched paused is resumed, retried every
 * millisecond until the provider maps it) and nothing is paused.  The
 * period doubles each time the fault comes back, up to 5 s, and starts
 * again from 100 ms once a pause works in time.  Reported once per
 * period.  Called under dom->mutex; @now is the decision clock.
 */
static void xsched_degrade(struct xsched_domain *dom, bool pause,
			   unsigned int n, int ret, u64 op_ns, u64 now)
{
	bool first = !dom->degraded;

	if (first)
		dom->backoff_ns = dom->backoff_ns ?
				  min(2 * dom->backoff_ns,
				      XSCHED_DEGRADED_MAX_NS) :
				  XSCHED_DEGRADED_MIN_NS;
	dom->degraded_until = max(dom->degraded_until, now + dom->backoff_ns);
	WRITE_ONCE(dom->degraded, true);
	/*
	 * The counters after the state: sysfs reads both without a lock, and
	 * whoever sees the count of this fault sees the domain degraded.
	 */
	smp_wmb();
	if (ret)
		WRITE_ONCE(dom->errors, dom->errors + 1);
	else
		WRITE_ONCE(dom->slow_ops, dom->slow_ops + 1);
	if (!first)
		return;
	if (ret)
		pr_warn_ratelimited("%s: %s of %u queue(s) failed: %d; every queue runs for %llu ms\n",
				    dom->name, pause ? "pause" : "resume", n,
				    ret, dom->backoff_ns / NSEC_PER_MSEC);
	else
		pr_warn_ratelimited("%s: %s of %u queue(s) took %llu ms; every queue runs for %llu ms\n",
				    dom->name, pause ? "pause" : "resume", n,
				    op_ns / NSEC_PER_MSEC,
				    dom->backoff_ns / NSEC_PER_MSEC);
}

/*
 * The runlist-change limit: a token bucket holding a tenth of a second's
 * worth of changes (at least two), in ns of budget: each change costs
 * NSEC_PER_SEC, and max_changes_per_s of them come back each second.  A
 * pause is never held back and takes nothing: it protects the work that
 * matters.  A resume takes two, its own and the pause that will undo it,
 * so that pauses (at most one more than resumes, besides those of queues
 * just created) and resumes together stay within the limit, and pauses
 * can never use up what resumes need: a resume waits two tokens' time at
 * most.
 */
#define XSCHED_RESUME_COST	(2 * (s64)NSEC_PER_SEC)

static s64 xsched_tokens_cap(const struct xsched_domain *dom)
{
	return max_t(s64, 2, dom->max_changes_per_s / 10) * NSEC_PER_SEC;
}

static void xsched_tokens_refill(struct xsched_domain *dom, u64 now)
{
	u64 limit = dom->max_changes_per_s;
	s64 cap = xsched_tokens_cap(dom);
	u64 dt = now > dom->tokens_at ? now - dom->tokens_at : 0;

	dom->tokens_at = max(now, dom->tokens_at);
	if (dt >= 10 * NSEC_PER_SEC)
		dom->tokens = cap;
	else
		dom->tokens = min_t(s64, cap, dom->tokens + (s64)(dt * limit));
}

/* May a runlist change be made now?  A resume takes its tokens if so. */
static bool xsched_tokens_take(struct xsched_domain *dom, bool pause, u64 now)
{
	if (!dom->max_changes_per_s || pause)
		return true;
	xsched_tokens_refill(dom, now);
	if (dom->tokens < XSCHED_RESUME_COST)
		return false;
	dom->tokens -= XSCHED_RESUME_COST;
	return true;
}

/* When the next resume may be made (the limit's next token). */
static u64 xsched_tokens_next(const struct xsched_domain *dom)
{
	s64 need = XSCHED_RESUME_COST - dom->tokens;

	if (!dom->max_changes_per_s || need <= 0)
		return dom->tokens_at;
	return dom->tokens_at + div64_u64(need + dom->max_changes_per_s - 1,
					  dom->max_changes_per_s);
}

/*
 * The adaptive hysteresis, which keeps the domain under its limit by
 * making fewer changes rather than holding resumes back.  A pause that
 * comes soon after a resume (within four resume delays, at least 1 ms)
 * undid it (an oscillation).  While the limit's bucket is under half full,
 * each oscillation doubles the delay before the next resume (from
 * 2 x resume_delay_us, up to XSCHED_ADAPT_MAX_NS); a second without one
 * halves it again.  Without pressure on the limit nothing adapts: a longer
 * delay keeps paused queues paused longer, and those may matter too.
 */
#define XSCHED_ADAPT_MAX_NS	(20 * NSEC_PER_MSEC)

u64 xsched_resume_delay_ns(const struct xsched_domain *dom)
{
	return max_t(u64, (u64)dom->resume_delay_us * NSEC_PER_USEC,
		     dom->adapt_ns);
}

/* The bucket is under half full: changes come near the limit's rate. */
static bool xsched_tokens_low(const struct xsched_domain *dom)
{
	return dom->max_changes_per_s &&
	       dom->tokens < xsched_tokens_cap(dom) / 2;
}

static void xsched_adapt(struct xsched_domain *dom, bool pause, u64 now)
{
	u64 delay = xsched_resume_delay_ns(dom);

	if (!pause) {
		dom->last_resume_at = now;
		if (dom->adapt_ns && now - dom->last_osc_at > NSEC_PER_SEC) {
			dom->adapt_ns /= 2;
			dom->last_osc_at = now;
			if (dom->adapt_ns <= (u64)dom->resume_delay_us *
					     NSEC_PER_USEC)
				dom->adapt_ns = 0;
		}
		return;
	}
	if (!dom->last_resume_at ||
	    now - dom->last_resume_at > max_t(u64, 4 * delay, NSEC_PER_MSEC))
		return;
	dom->oscillations++;
	if (!xsched_tokens_low(dom))
		return;
	dom->last_osc_at = now;
	dom->adapt_ns = min_t(u64, XSCHED_ADAPT_MAX_NS,
			      max_t(u64, 2 * delay, 2 * NSEC_PER_USEC *
				    (u64)dom->resume_delay_us));
}

/* Whether the decision being applied (dom->target) pauses @q. */
static bool xsched_want_paused(const struct xsched_domain *dom,
			       const struct xsched_queue *q)
{
	return q->tier < dom->target || q->prio < q->tenant->level;
}

/* No tenant orders its own queues (everything runs, or the policy). */
void xsched_tenants_clear(struct xsched_domain *dom)
{
	struct xsched_tenant *t;

	list_for_each_entry(t, &dom->tenants, link) {
		xsched_tenant_set_level(dom, t, 0);
		t->idle_since = 0;
	}
}

/**
 * xsched_apply() - pause (or resume) every queue the decision wants so
 * @dom: the domain, dom->mutex held; dom->target and the tenants' levels
 *       say what the decision is
 * @pause: pause the queues that must be paused, or resume the others
 * @now: the decision clock
 *
 * Every queue not yet in the wanted state changes, as one provider call:
 * one runlist change.  Applying the same decision again changes nothing,
 * so a failed call is simply made again by a later decision.
 *
 * Return: 0 or the provider's error.
 */
int xsched_apply(struct xsched_domain *dom, bool pause, u64 now)
{
	const struct kfd_xsched_ops *ops = dom->b->ops;
	struct xsched_queue *q;
	unsigned int i, n = 0;
	bool rise = pause && dom->rise;
	u64 t0, t1, lat;
	int ret;

	list_for_each_entry(q, &dom->queues, dom_link)
		if (q->paused != pause && !q->stale &&
		    xsched_want_paused(dom, q) == pause &&
		    n < dom->batch_cap) {
			dom->batch_q[n] = q;
			dom->batch[n++] = q->handle;
		}
	if (!n)
		return 0;
	/*
	 * The limit holds resumes back, never a domain letting go: not when
	 * degraded, going, or switched to the none policy.
	 */
	if (!dom->degraded && !dom->dead && dom->policy != &xsched_policy_none &&
	    !xsched_tokens_take(dom, pause, now)) {
		dom->rate_limited++;
		trace_xsched_limit(dom->gpu_id, n, dom->max_changes_per_s,
				   xsched_tokens_next(dom) - now);
		return -EBUSY;
	}
	bitmap_zero(dom->batch_stale, n);
	t0 = ktime_get_ns();
	lat = rise ? t0 - dom->rise_at : 0;
	ret = pause ? ops->pause_queues(dom->gpu_id, dom->batch, n,
					dom->batch_stale) :
		      ops->resume_queues(dom->gpu_id, dom->batch, n,
					 dom->batch_stale);
	t1 = ktime_get_ns();
	if (pause)
		trace_xsched_pause(dom->gpu_id, n, lat, t1 - t0, ret);
	else
		trace_xsched_resume(dom->gpu_id, n, t1 - t0, ret);
	if (ret || t1 - t0 > (u64)dom->slow_op_ms * NSEC_PER_MSEC)
		xsched_degrade(dom, pause, n, ret, t1 - t0, now);
	else if (pause && !dom->degraded)
		dom->backoff_ns = 0;	/* pausing works again */
	if (ret)
		return ret;
	xsched_adapt(dom, pause, now);
	if (pause) {
		dom->pauses++;
		dom->rise = false;
		if (rise) {
			dom->lat_sum_ns += lat;
			dom->lat_count++;
			dom->lat_max_ns = max(dom->lat_max_ns, lat);
			dom->lat_hist[xsched_lat_bucket(lat)]++;
		}
	} else {
		dom->resumes++;
	}
	for (i = 0; i < n; i++) {
		q = dom->batch_q[i];
		if (test_bit(i, dom->batch_stale)) {
			/* Destroyed; its QUEUE_DESTROYED is on its way. */
			q->stale = true;
			if (q->paused)
				q->paused_ns += now - q->paused_since;
			WRITE_ONCE(q->paused, false);
			continue;
		}
		WRITE_ONCE(q->paused, pause);
		if (pause) {
			q->paused_since = now;
			q->preempt_count++;
			if (rise) {
				q->last_lat_ns = lat;
				q->max_lat_ns = max(q->max_lat_ns, lat);
			}
		} else {
			q->paused_ns += now - q->paused_since;
		}
	}
	return 0;
}

/**
 * xsched_decide() - make and apply the domain's scheduling decision
 * @dom: the domain, dom->mutex held
 * @now: current time, ns
 *
 * The policy says which operator priority the domain must enforce and
 * how each tenant orders its own queues; every queue not yet in its
 * wanted state changes, pauses first, as at most two batches.
 */
void xsched_decide(struct xsched_domain *dom, u64 now)
{
	unsigned int old = dom->level;
	u64 next, t0;
	int ret;

	lockdep_assert_held(&dom->mutex);
	if (dom->dead)
		return;
	if (dom->degraded && now >= dom->degraded_until) {
		dom->degraded = false;
		pr_info_ratelimited("%s: scheduling again\n", dom->name);
	}
	xsched_dom_lock_irq(dom);
	dom->deciding = true;	/* the poll keeps off until it is applied */
	t0 = ktime_get_ns();
	dom->target = dom->policy->decide(dom, now, &next);
	dom->policy_ns += ktime_get_ns() - t0;
	if (dom->degraded) {	/* xsched_degrade(): everything runs */
		dom->target = 0;
		xsched_tenants_clear(dom);
		next = min(next, dom->degraded_until);
	}
	dom->next_decide = next;
	dom->decisions++;
	raw_spin_unlock_irq(&dom->lock);
	trace_xsched_decide(dom->gpu_id, old, dom->target, dom->busy_levels);
	ret = xsched_apply(dom, true, now);
	if (!ret)
		ret = xsched_apply(dom, false, now);
	xsched_dom_lock_irq(dom);
	if (ret == -EBUSY) {	/* the limit: resume at its next token */
		dom->next_decide = min(dom->next_decide,
				       xsched_tokens_next(dom));
	} else if (ret) {
		/* Degraded: what a queue created meanwhile finds in force. */
		dom->target = 0;
		xsched_tenants_clear(dom);
		dom->next_decide = min(dom->next_decide, now + XSCHED_RETRY_NS);
	} else {
		dom->level = dom->target;
	}
	dom->unsettled = ret != 0;
	dom->deciding = false;
	raw_spin_unlock_irq(&dom->lock);
}

void xsched_decide_work(struct kthread_work *work)
{
	struct xsched_domain *dom = container_of(work, struct xsched_domain,
						 decide_work);
	struct xsched_queue *q;
	u64 t0;

	mutex_lock(&dom->mutex);
	t0 = ktime_get_ns();
	/*
	 * Decide first: a queue whose signal page is not pinned yet already
	 * counts as busy, and pinning (it may fault) must not delay a pause.
	 */
	xsched_decide(dom, t0);
	dom->decide_ns += ktime_get_ns() - t0;
	list_for_each_entry(q, &dom->queues, dom_link)
		if (q->need_pin)
			xsched_qmem_pin_more(q);
	mutex_unlock(&dom->mutex);
}

void xsched_batch_free(struct xsched_domain *dom)
{
	kvfree(dom->batch);
	kvfree(dom->batch_q);
	bitmap_free(dom->batch_stale);
}

/* Room in the batch buffers for every queue of the domain; dom->mutex. */
int xsched_batch_reserve(struct xsched_domain *dom, unsigned int n)
{
	struct xsched_domain old = {
		.batch = dom->batch,
		.batch_q = dom->batch_q,
		.batch_stale = dom->batch_stale,
	};
	unsigned int cap;

	if (n <= dom->batch_cap)
		return 0;
	cap = max(n, 2 * dom->batch_cap);
	dom->batch = kvmalloc_array(cap, sizeof(*dom->batch), GFP_KERNEL);
	dom->batch_q = kvmalloc_array(cap, sizeof(*dom->batch_q), GFP_KERNEL);
	dom->batch_stale = bitmap_zalloc(cap, GFP_KERNEL);
	if (!dom->batch || !dom->batch_q || !dom->batch_stale) {
		xsched_batch_free(dom);
		dom->batch = old.batch;
		dom->batch_q = old.batch_q;
		dom->batch_stale = old.batch_stale;
		return -ENOMEM;
	}
	xsched_batch_free(&old);
	dom->batch_cap = cap;
	return 0;
}

/* Policies by name; the first is every new domain's. */
static const struct xsched_policy *const xsched_policies[] = {
	&xsched_policy_hpf,
	&xsched_policy_none,
};

/* "none": never pauses anything; every queue runs as without xsched. */
static unsigned int none_decide(struct xsched_domain *dom, u64 now, u64 *next)
{
	*next = U64_MAX;
	xsched_tenants_clear(dom);
	return 0;
}

const struct xsched_policy xsched_policy_none = {
	.name = "none",
	.decide = none_decide,
};

/**
 * xsched_policy_find() - a policy by name
 * @name: as written to sysfs; one trailing newline is ignored
 *
 * Return: the policy or NULL.
 */
const struct xsched_policy *xsched_policy_find(const char *name)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(xsched_policies); i++)
		if (sysfs_streq(name, xsched_policies[i]->name))
			return xsched_policies[i];
	return NULL;
}

/**
 * xsched_domain_set_policy() - switch a domain to another policy
 * @dom: the domain
 * @name: the policy's name
 *
 * The new policy starts from a clean state and decides at once.
 *
 * Return: 0, -EINVAL for an unknown name, -ENODEV if the domain is gone,
 * -EOPNOTSUPP for a policy that pauses on a node that cannot.
 */
int xsched_domain_set_policy(struct xsched_domain *dom, const char *name)
{
	const struct xsched_policy *p = xsched_policy_find(name);
	int ret = 0;

	if (!p)
		return -EINVAL;
	mutex_lock(&dom->mutex);
	if (dom->dead) {
		ret = -ENODEV;
	} else if (!dom->preemptive && p != &xsched_policy_none) {
		ret = -EOPNOTSUPP;	/* sysfs "preemptive" says why */
	} else if (p != dom->policy) {
		xsched_dom_lock_irq(dom);
		dom->policy = p;
		memset(&dom->hpf, 0, sizeof(dom->hpf));
		raw_spin_unlock_irq(&dom->lock);
		xsched_decide(dom, ktime_get_ns());
	}
	mutex_unlock(&dom->mutex);
	return ret;
}

/**
 * xsched_queue_set_prio() - move a queue to another priority level
 * @q: the queue, q->dom->mutex held
 * @prio: the new level, at most XSCHED_PRIO_MAX
 *
 * The provider's own queue priority changes first; if it refuses,
 * nothing changes.  Then the queue is paused or resumed as the policy
 * now demands, in the same decision.
 *
 * Return: 0, -EINVAL, -ENODEV (provider gone) or -EIO.
 */
int xsched_queue_set_prio(struct xsched_queue *q, unsigned int prio)
{
	struct xsched_domain *dom = q->dom;
	u64 now;
	bool busy;
	int ret;

	lockdep_assert_held(&dom->mutex);
	if (prio > XSCHED_PRIO_MAX)
		return -EINVAL;
	if (dom->dead)
		return -ENODEV;
	if (prio == q->prio)
		return 0;
	ret = q->stale ? -ENOENT :
	      dom->b->ops->set_priority(dom->gpu_id, q->handle, prio);
	if (ret == -ENOENT) {
		q->stale = true;	/* destroyed: its event is on its way */
		return -ENODEV;
	}
	if (ret) {
		pr_warn_ratelimited("%s: provider refused priority %u for queue %u: %d\n",
				    dom->name, prio, q->id, ret);
		return -EIO;
	}
	now = ktime_get_ns();
	xsched_dom_lock_irq(dom);
	busy = q->busy;
	xsched_queue_set_busy(q, false, now);
	q->prio = prio;
	list_move_tail(&q->prio_link, &q->tenant->prios[prio]);
	xsched_queue_set_busy(q, busy, now);
	raw_spin_unlock_irq(&dom->lock);
	xsched_decide(dom, now);
	return 0;
}

/**
 * xsched_tenant_get() - the tenant of @uid at operator priority @tier
 * @dom: the domain, dom->mutex held
 * @uid: the owner
 * @tier: the operator priority
 *
 * Return: the tenant, one more queue counted in it, or NULL (no memory).
 */
struct xsched_tenant *xsched_tenant_get(struct xsched_domain *dom,
					kuid_t uid, unsigned int tier)
{
	struct xsched_tenant *t;
	unsigned int p;

	lockdep_assert_held(&dom->mutex);
	list_for_each_entry(t, &dom->tenants, link)
		if (uid_eq(t->uid, uid) && t->tier == tier)
			goto found;
	t = kzalloc(sizeof(*t), GFP_KERNEL);
	if (!t)
		return NULL;
	xsched_obj_add(XSCHED_OBJ_TENANT, 1);
	for (p = 0; p < XSCHED_LEVELS; p++)
		INIT_LIST_HEAD(&t->prios[p]);
	t->uid = uid;
	t->tier = tier;
	xsched_dom_lock_irq(dom);
	list_add_tail(&t->link, &dom->tenants);
	raw_spin_unlock_irq(&dom->lock);
found:
	t->nr_queues++;
	return t;
}

/* One queue less in @t (none of them busy); dom->mutex held. */
void xsched_tenant_put(struct xsched_domain *dom, struct xsched_tenant *t)
{
	lockdep_assert_held(&dom->mutex);
	if (--t->nr_queues)
		return;
	xsched_dom_lock_irq(dom);
	list_del(&t->link);
	raw_spin_unlock_irq(&dom->lock);
	kfree(t);
	xsched_obj_add(XSCHED_OBJ_TENANT, -1);
}

/**
 * xsched_queue_set_tier() - move a queue to another operator priority
 * @q: the queue, q->dom->mutex held
 * @tier: the new operator priority, at most XSCHED_PRIO_MAX
 * @src: where it comes from (enum xsched_prio_source)
 *
 * The caller decides afterwards (one decision for many moves).
 *
 * Return: 1 if the queue moved, 0 if not, -ENOMEM (it keeps its place).
 */
int xsched_queue_set_tier(struct xsched_queue *q, unsigned int tier,
			  unsigned int src)
{
	struct xsched_domain *dom = q->dom;
	struct xsched_tenant *t, *old = q->tenant;
	u64 now;
	bool busy;

	lockdep_assert_held(&dom->mutex);
	q->tier_src = src;
	if (tier == q->tier || tier > XSCHED_PRIO_MAX)
		return 0;
	t = xsched_tenant_get(dom, q->uid, tier);
	if (!t)
		return -ENOMEM;
	now = ktime_get_ns();
	xsched_dom_lock_irq(dom);
	busy = q->busy;
	xsched_queue_set_busy(q, false, now);
	list_move_tail(&q->prio_link, &t->prios[q->prio]);
	q->tier = tier;
	q->tenant = t;
	xsched_queue_set_busy(q, busy, now);
	raw_spin_unlock_irq(&dom->lock);
	xsched_tenant_put(dom, old);
	return 1;
}

/**
 * xsched_queue_hint() - a BEGIN or END hint from userspace
 * @q: the queue, q->dom->mutex held
 * @owner: the file the hint came from; a BEGIN lasts at most as long
 * @begin: BEGIN (true) or END
 *
 * A BEGIN lasts hint_ms unless another renews it (xsched_poll_queue()
 * ends it).  The decision is made at once rather than at the next poll.
 */
void xsched_queue_hint(struct xsched_queue *q, const struct file *owner,
		       bool begin)
{
	struct xsched_domain *dom = q->dom;
	u64 now = ktime_get_ns();

	lockdep_assert_held(&dom->mutex);
	xsched_dom_lock_irq(dom);
	q->hint = begin;
	q->hint_owner = begin ? owner : NULL;
	q->hint_until = now + (u64)dom->hint_ms * NSEC_PER_MSEC;
	xsched_queue_set_busy(q, begin || xsched_qmem_busy(q), now);
	raw_spin_unlock_irq(&dom->lock);
	xsched_decide(dom, now);
}
