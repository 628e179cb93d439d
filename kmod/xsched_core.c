// SPDX-License-Identifier: GPL-2.0
/*
 * xsched: the core.  Every provider queue becomes an XQueue in the
 * domain of its node; a per-domain poll timer watches activity; a
 * per-domain work item makes every decision, in one place, and applies it
 * to the provider as one batch.  No hardware knowledge lives here.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cred.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/xarray.h>

#include "xsched.h"

#define CREATE_TRACE_POINTS
#include "xsched_trace.h"

DEFINE_MUTEX(xsched_lock);
DEFINE_MUTEX(xsched_bind_lock);
/* Queue ids: allocated cyclically, so an id is not soon reused. */
static DEFINE_XARRAY_ALLOC1(xsched_queues);
static u32 xsched_next_id;
static struct kmem_cache *xsched_queue_cache;

#define XSCHED_POLL_US_DEFAULT		100
#define XSCHED_RESUME_DELAY_US_DEFAULT	200
#define XSCHED_RETRY_NS			NSEC_PER_MSEC
/* One poll in this many reads every queue (statistics, lower levels). */
#define XSCHED_FULL_POLL_EVERY		10

/* Called under dom->lock. */
void xsched_queue_set_busy(struct xsched_queue *q, bool busy, u64 now)
{
	struct xsched_domain *dom = q->dom;

	if (q->busy == busy)
		return;
	q->busy = busy;
	if (busy) {
		q->busy_since = now;
		if (!dom->busy_levels || q->prio > __fls(dom->busy_levels))
			dom->rise_at = now;
		if (!dom->nbusy[q->prio]++)
			__set_bit(q->prio, &dom->busy_levels);
	} else {
		q->busy_ns += now - q->busy_since;
		if (!--dom->nbusy[q->prio])
			__clear_bit(q->prio, &dom->busy_levels);
	}
}

/* Reads one queue, unless it is paused busy; returns 1 if it was read. */
static unsigned int xsched_poll_queue(struct xsched_queue *q, u64 now,
				      bool *kick)
{
	bool busy;

	if (q->busy && READ_ONCE(q->paused))
		return 0;
	busy = q->hint || xsched_qmem_busy(q);
	if (busy != q->busy) {
		xsched_queue_set_busy(q, busy, now);
		*kick = true;
	}
	*kick |= q->need_pin;
	return 1;
}

static unsigned int xsched_poll_level(struct xsched_domain *dom,
				      unsigned int l, u64 now, bool *kick)
{
	struct xsched_queue *q;
	unsigned int n = 0;

	list_for_each_entry(q, &dom->levels[l], level_link)
		n += xsched_poll_queue(q, now, kick);
	return n;
}

/*
 * The fast pass: only the queues whose activity can change a decision
 * made by priority.  Those above the highest busy level (one becoming
 * busy is a rise), and those at that level when queues wait below it (all
 * of them going idle is a fall).  Returns false when a full pass is due.
 */
static bool xsched_poll_fast(struct xsched_domain *dom, u64 now,
			     unsigned int *n, bool *kick)
{
	unsigned int top, l;
	bool below = false;

	if (dom->policy->watch_all || !dom->busy_levels ||
	    !dom->full_poll_in--)
		return false;
	top = __fls(dom->busy_levels);
	for (l = XSCHED_LEVELS - 1; l > top; l--)
		*n += xsched_poll_level(dom, l, now, kick);
	for (l = 0; l < top && !below; l++)
		below = !list_empty(&dom->levels[l]);
	if (below)
		*n += xsched_poll_level(dom, top, now, kick);
	/* The top fell: the next busy level must be known, read them all. */
	return dom->busy_levels & BIT(top);
}

/*
 * The poll: a hard-irq hrtimer, so that neither softirq deferral nor busy
 * user threads delay it.  It reads the watched queues' dispatch ids and
 * wakes the domain's decider (a SCHED_FIFO kthread) on any change.
 *
 * Most polls are fast passes (xsched_poll_fast()); every
 * XSCHED_FULL_POLL_EVERY-th poll, and any poll that sees the top busy
 * level fall, reads every queue, for the statistics and the levels below.
 * A queue xsched paused while it was busy is never read: it cannot make
 * progress while unmapped, so it stays busy until it is resumed.
 *
 * xsched_poll_pass() is one poll, under dom->lock; true if the decider
 * must run.
 */
bool xsched_poll_pass(struct xsched_domain *dom, u64 now)
{
	struct xsched_queue *q;
	unsigned int n = 0;
	bool kick = false;

	lockdep_assert_held(&dom->lock);
	dom->polls++;
	if (!xsched_poll_fast(dom, now, &n, &kick)) {
		dom->full_polls++;
		dom->full_poll_in = XSCHED_FULL_POLL_EVERY - 1;
		list_for_each_entry(q, &dom->queues, dom_link)
			n += xsched_poll_queue(q, now, &kick);
	}
	dom->polled += n;
	return kick;
}

static enum hrtimer_restart xsched_poll_fn(struct hrtimer *t)
{
	struct xsched_domain *dom = container_of(t, struct xsched_domain,
						 poll);
	u64 now = ktime_get_ns();
	bool kick;

	raw_spin_lock(&dom->lock);
	kick = xsched_poll_pass(dom, now);
	kick |= now >= dom->next_decide;
	if (kick && !dom->dead)
		kthread_queue_work(dom->decider, &dom->decide_work);
	/* Re-armed here, never by returning HRTIMER_RESTART: see queue_add. */
	if (dom->nr_queues && dom->poll_us && !dom->dead)
		hrtimer_start(&dom->poll,
			      ns_to_ktime(now + dom->poll_us * NSEC_PER_USEC),
			      HRTIMER_MODE_ABS_HARD);
	dom->poll_ns += ktime_get_ns() - now;
	raw_spin_unlock(&dom->lock);
	return HRTIMER_NORESTART;
}

/*
 * Pause or resume every queue of levels [lo, hi) that is not yet in that
 * state, as one provider call.  Called under dom->mutex.
 */
static int xsched_apply(struct xsched_domain *dom, unsigned int lo,
			unsigned int hi, bool pause, bool rise, u64 now)
{
	const struct kfd_xsched_ops *ops = dom->b->ops;
	struct xsched_queue *q;
	unsigned int i, l, n = 0;
	u64 t0, t1, lat;
	int ret;

	for (l = lo; l < hi; l++)
		list_for_each_entry(q, &dom->levels[l], level_link)
			if (q->paused != pause && !q->stale &&
			    n < dom->batch_cap) {
				dom->batch_q[n] = q;
				dom->batch[n++] = q->handle;
			}
	if (!n)
		return 0;
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
	if (ret) {
		dom->errors++;
		dom->degraded = true;
		pr_warn_ratelimited("%s: %s of %u queue(s) failed: %d; queues left as they were\n",
				    dom->name, pause ? "pause" : "resume", n,
				    ret);
		return ret;
	}
	dom->degraded = false;
	if (pause) {
		dom->pauses++;
		if (rise) {
			dom->lat_sum_ns += lat;
			dom->lat_count++;
			dom->lat_max_ns = max(dom->lat_max_ns, lat);
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
 * The policy says which level the domain must enforce; only the queues
 * of the levels between the old and the new one change, as one batch.
 */
void xsched_decide(struct xsched_domain *dom, u64 now)
{
	unsigned int old = dom->level, level;
	u64 next, t0;
	int ret;

	lockdep_assert_held(&dom->mutex);
	if (dom->dead)
		return;
	raw_spin_lock_irq(&dom->lock);
	t0 = ktime_get_ns();
	level = dom->policy->decide(dom, now, &next);
	dom->policy_ns += ktime_get_ns() - t0;
	dom->next_decide = next;
	raw_spin_unlock_irq(&dom->lock);
	dom->decisions++;
	trace_xsched_decide(dom->gpu_id, old, level, dom->busy_levels);
	if (dom->resync) {
		/* Every queue to its place, whatever it was before. */
		ret = xsched_apply(dom, 0, level, true, false, now);
		if (!ret)
			ret = xsched_apply(dom, level, XSCHED_LEVELS, false,
					   false, now);
		if (!ret)
			dom->resync = false;
	} else if (level != old) {
		ret = xsched_apply(dom, min(old, level), max(old, level),
				   level > old, true, now);
	} else {
		return;
	}
	if (ret) {
		raw_spin_lock_irq(&dom->lock);
		dom->next_decide = min(dom->next_decide, now + XSCHED_RETRY_NS);
		raw_spin_unlock_irq(&dom->lock);
		return;
	}
	dom->level = level;
}

static void xsched_decide_work(struct kthread_work *work)
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

static void xsched_batch_free(struct xsched_domain *dom)
{
	kvfree(dom->batch);
	kvfree(dom->batch_q);
	bitmap_free(dom->batch_stale);
}

/* Room in the batch buffers for every queue of the domain; dom->mutex. */
static int xsched_batch_reserve(struct xsched_domain *dom, unsigned int n)
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

/**
 * xsched_queue_add() - make @q an XQueue of @dom
 * @dom: the domain
 * @q: a new queue; its memory already pinned
 *
 * A queue below the level the domain enforces is paused at once.
 *
 * Return: 0 or -ENOMEM / -EBUSY (no id left); @q is then not added.
 */
int xsched_queue_add(struct xsched_domain *dom, struct xsched_queue *q)
{
	u64 now = ktime_get_ns();
	int ret;

	mutex_lock(&dom->mutex);
	ret = dom->dead ? -ENODEV : xsched_batch_reserve(dom, dom->nr_queues + 1);
	if (ret)
		goto out;
	ret = xa_alloc_cyclic(&xsched_queues, &q->id, q, xa_limit_31b,
			      &xsched_next_id, GFP_KERNEL);
	if (ret < 0)
		goto out;
	ret = 0;
	q->dom = dom;
	raw_spin_lock_irq(&dom->lock);
	list_add_tail(&q->dom_link, &dom->queues);
	list_add_tail(&q->level_link, &dom->levels[q->prio]);
	if (!dom->nr_queues++ && dom->poll_us)
		hrtimer_start(&dom->poll,
			      ns_to_ktime(now + dom->poll_us * NSEC_PER_USEC),
			      HRTIMER_MODE_ABS_HARD);
	raw_spin_unlock_irq(&dom->lock);
	/* The provider's state first: it may have the queue paused. */
	if (q->prio < dom->level || q->paused)
		xsched_apply(dom, q->prio, q->prio + 1, q->prio < dom->level,
			     false, now);
out:
	mutex_unlock(&dom->mutex);
	if (!ret)
		xsched_sysfs_queue_add(q);
	return ret;
}

/**
 * xsched_queue_remove() - forget a queue the provider destroyed
 * @q: the queue; freed on return
 */
void xsched_queue_remove(struct xsched_queue *q)
{
	struct xsched_domain *dom = q->dom;

	/* No lock held: this waits for a sysfs store in flight. */
	if (q->in_sysfs)
		kobject_del(&q->kobj);
	mutex_lock(&dom->mutex);
	raw_spin_lock_irq(&dom->lock);
	xsched_queue_set_busy(q, false, ktime_get_ns());
	list_del(&q->dom_link);
	list_del(&q->level_link);
	dom->nr_queues--;
	dom->next_decide = 0;	/* the busy levels may have changed */
	raw_spin_unlock_irq(&dom->lock);
	xa_erase(&xsched_queues, q->id);
	mutex_unlock(&dom->mutex);
	xsched_qmem_unpin(&q->mem);
	xsched_queue_free(q);
}

static struct xsched_domain *xsched_domain_find(struct xsched_binding *b,
						u32 gpu_id)
{
	struct xsched_domain *dom;

	list_for_each_entry(dom, &b->domains, link)
		if (dom->gpu_id == gpu_id)
			return dom;
	return NULL;
}

/* The queue of @handle in @dom, or NULL; caller holds dom->mutex. */
static struct xsched_queue *xsched_domain_queue(struct xsched_domain *dom,
						u64 handle)
{
	struct xsched_queue *q;

	list_for_each_entry(q, &dom->queues, dom_link)
		if (q->handle == handle)
			return q;
	return NULL;
}

static void xsched_queue_created(struct xsched_binding *b,
				 struct xsched_event *e)
{
	const struct kfd_xsched_queue_info *info = &e->info;
	struct xsched_domain *dom = xsched_domain_find(b, info->gpu_id);
	struct xsched_queue *q, *old;
	int ret;

	if (!dom) {
		pr_warn_ratelimited("queue %u of pid %d on unknown node 0x%x: not scheduled\n",
				    info->queue_id, info->tgid, info->gpu_id);
		return;
	}
	mutex_lock(&dom->mutex);
	old = xsched_domain_queue(dom, info->handle);
	mutex_unlock(&dom->mutex);
	if (old) {		/* a provider bug: handles are never reused */
		pr_warn_ratelimited("%s: handle %llu announced twice; the first queue is forgotten\n",
				    dom->name, info->handle);
		xsched_queue_remove(old);
	}

	q = xsched_queue_alloc();
	if (!q)		/* not scheduled, hence never paused by xsched */
		return;
	q->handle = info->handle;
	q->tgid = info->tgid;
	q->uid = e->uid;
	q->ring_va = info->ring_va;
	q->queue_id = info->queue_id;
	q->prio = min_t(u32, info->priority, XSCHED_LEVELS - 1);
	q->paused = info->state == KFD_XSCHED_QUEUE_PAUSED;
	q->paused_since = ktime_get_ns();
	q->dom = dom;
	q->mem = e->mem;
	memset(&e->mem, 0, sizeof(e->mem));
	/* An owner gone before its queue was announced is normal. */
	if (e->pin_err && e->pin_err != -ESRCH)
		pr_warn_ratelimited("queue %u of pid %d: activity not readable (%d); scheduled by hints only\n",
				    info->queue_id, info->tgid, e->pin_err);
	ret = xsched_queue_add(dom, q);
	if (ret) {
		xsched_qmem_unpin(&q->mem);
		xsched_queue_free(q);
	}
}

static void xsched_queue_destroyed(struct xsched_binding *b,
				   const struct kfd_xsched_queue_info *info)
{
	struct xsched_domain *dom = xsched_domain_find(b, info->gpu_id);
	struct xsched_queue *q = NULL;

	if (!dom)
		return;
	mutex_lock(&dom->mutex);
	q = xsched_domain_queue(dom, info->handle);
	mutex_unlock(&dom->mutex);
	/* Only this work removes queues of a live domain: @q stays valid. */
	if (q)
		xsched_queue_remove(q);
}

static void xsched_node_added(struct xsched_binding *b,
			      const struct xsched_event *e)
{
	bool preemptive = e->caps & KFD_XSCHED_NODE_PREEMPTIVE;
	struct xsched_domain *dom;

	mutex_lock(&xsched_lock);
	dom = xsched_domain_find(b, e->info.gpu_id);
	if (dom)
		pr_warn("node 0x%x added twice; kept as it was\n",
			e->info.gpu_id);
	else
		dom = xsched_domain_create(b, e->info.gpu_id, e->name,
					   preemptive ? NULL :
					   e->why[0] ? e->why : "not preemptive");
	mutex_unlock(&xsched_lock);
	if (!dom)
		pr_err("node 0x%x: no memory for its domain; its queues run unscheduled\n",
		       e->info.gpu_id);
	else if (!preemptive)
		pr_info("%s: not scheduled: %s\n", dom->name, dom->why);
}

static void xsched_node_gone(struct xsched_binding *b, u32 gpu_id)
{
	struct xsched_domain *dom;

	mutex_lock(&xsched_lock);
	dom = xsched_domain_find(b, gpu_id);
	if (dom) {
		pr_info("%s: node gone\n", dom->name);
		xsched_domain_destroy(dom, true);
	}
	mutex_unlock(&xsched_lock);
}

/**
 * xsched_event_process() - apply one provider event
 * @b: the binding it came from
 * @e: the event
 *
 * Runs from the binding's event work, in process context, in the order
 * the provider sent the events.
 */
void xsched_event_process(struct xsched_binding *b, struct xsched_event *e)
{
	switch (e->ev) {
	case KFD_XSCHED_QUEUE_CREATED:
		xsched_queue_created(b, e);
		break;
	case KFD_XSCHED_QUEUE_DESTROYED:
		xsched_queue_destroyed(b, &e->info);
		break;
	case KFD_XSCHED_NODE_ADDED:
		xsched_node_added(b, e);
		break;
	case KFD_XSCHED_NODE_GONE:
		xsched_node_gone(b, e->info.gpu_id);
		break;
	}
}

/**
 * xsched_domain_create() - a scheduling domain for one provider node
 * @b: the binding
 * @gpu_id: the node
 * @name: the provider's name for it
 * @why: NULL if the node can be preempted; else the provider's reason,
 *	and the domain runs the "none" policy
 *
 * Return: the domain, or NULL when there is no memory or no thread for
 * its decider.
 */
struct xsched_domain *xsched_domain_create(struct xsched_binding *b,
					   u32 gpu_id, const char *name,
					   const char *why)
{
	struct xsched_domain *dom = kzalloc(sizeof(*dom), GFP_KERNEL);
	unsigned int l;

	if (!dom)
		return NULL;
	/*
	 * The decider: the lowest SCHED_FIFO priority, so that a pause is
	 * not queued behind the very threads that keep the CPUs busy; its
	 * work is bounded (one decision, one provider call per batch).
	 */
	dom->decider = kthread_create_worker(0, "xsched/%u", gpu_id);
	if (IS_ERR(dom->decider)) {
		kfree(dom);
		return NULL;
	}
	sched_set_fifo_low(dom->decider->task);
	kobject_init(&dom->kobj, &xsched_domain_ktype);
	dom->gpu_id = gpu_id;
	strscpy(dom->name, name, sizeof(dom->name));
	dom->b = b;
	mutex_init(&dom->mutex);
	raw_spin_lock_init(&dom->lock);
	INIT_LIST_HEAD(&dom->queues);
	for (l = 0; l < XSCHED_LEVELS; l++)
		INIT_LIST_HEAD(&dom->levels[l]);
	dom->preemptive = !why;
	if (why)
		strscpy(dom->why, why, sizeof(dom->why));
	dom->policy = why ? &xsched_policy_none : &xsched_policy_hpf;
	dom->poll_us = XSCHED_POLL_US_DEFAULT;
	dom->resume_delay_us = XSCHED_RESUME_DELAY_US_DEFAULT;
	dom->next_decide = U64_MAX;
	hrtimer_init(&dom->poll, CLOCK_MONOTONIC, HRTIMER_MODE_ABS_HARD);
	dom->poll.function = xsched_poll_fn;
	kthread_init_work(&dom->decide_work, xsched_decide_work);
	list_add_tail(&dom->link, &b->domains);
	xsched_sysfs_domain_add(dom);
	return dom;
}

/**
 * xsched_domain_destroy() - let go of a domain, leaving every queue runnable
 * @dom: the domain; freed on return
 * @node_gone: the provider removed the node, and its queues with it
 *
 * Resumes whatever xsched paused (one batch), then stops the timer and
 * the work and forgets the queues.  If the provider refuses the resume it
 * is told loudly; the provider clears xsched pauses itself when it goes.
 * A node gone has nothing left to resume.  Caller holds xsched_lock.
 */
void xsched_domain_destroy(struct xsched_domain *dom, bool node_gone)
{
	struct xsched_queue *q, *tmp;

	lockdep_assert_held(&xsched_lock);
	mutex_lock(&dom->mutex);
	/* Every queue xsched paused, whatever the level says. */
	if (!node_gone &&
	    xsched_apply(dom, 0, XSCHED_LEVELS, false, false, ktime_get_ns()))
		pr_err("%s: could not resume paused queues on release\n",
		       dom->name);
	dom->level = 0;
	raw_spin_lock_irq(&dom->lock);
	dom->dead = true;
	raw_spin_unlock_irq(&dom->lock);
	mutex_unlock(&dom->mutex);
	hrtimer_cancel(&dom->poll);
	kthread_cancel_work_sync(&dom->decide_work);
	kthread_destroy_worker(dom->decider);

	/* sysfs first, with no domain lock held: a store may be running. */
	list_for_each_entry(q, &dom->queues, dom_link)
		if (q->in_sysfs)
			kobject_del(&q->kobj);
	if (dom->in_sysfs)
		kobject_del(&dom->kobj);
	list_for_each_entry_safe(q, tmp, &dom->queues, dom_link) {
		mutex_lock(&dom->mutex);
		list_del(&q->dom_link);
		xa_erase(&xsched_queues, q->id);
		mutex_unlock(&dom->mutex);
		xsched_qmem_unpin(&q->mem);
		xsched_queue_free(q);
	}
	list_del(&dom->link);
	kobject_put(&dom->kobj);	/* frees it */
}

static void xsched_event_free(struct xsched_event *e)
{
	xsched_qmem_unpin(&e->mem);
	kfree(e);
}

static void xsched_ev_work(struct work_struct *work)
{
	struct xsched_binding *b = container_of(work, struct xsched_binding,
						ev_work);
	struct xsched_event *e;

	for (;;) {
		spin_lock(&b->ev_lock);
		e = list_first_entry_or_null(&b->events, struct xsched_event,
					     link);
		if (e)
			list_del(&e->link);
		spin_unlock(&b->ev_lock);
		if (!e)
			break;
		xsched_event_process(b, e);
		xsched_event_free(e);
	}
}

/* How far back a QUEUE_DESTROYED looks for the CREATED it cancels. */
#define XSCHED_EV_COALESCE	64

/*
 * Called under b->ev_lock for a QUEUE_DESTROYED about to be queued.  A
 * queue whose CREATED is still pending was never tracked: that CREATED is
 * dropped with it, and true returned (nothing need be queued).  A short-
 * lived queue then costs the event work nothing, and the work cannot
 * fall ever further behind processes that churn queues.  The walk is
 * bounded; what it does not reach is handled in order as before.
 */
static struct xsched_event *xsched_events_coalesce(struct xsched_binding *b,
						   u64 handle)
{
	struct xsched_event *e;
	unsigned int seen = 0;

	list_for_each_entry_reverse(e, &b->events, link) {
		if (++seen > XSCHED_EV_COALESCE)
			break;
		if (e->ev == KFD_XSCHED_QUEUE_CREATED &&
		    e->info.handle == handle) {
			list_del(&e->link);
			b->ev_coalesced += 2;
			return e;
		}
	}
	return NULL;
}

static void xsched_event_queue(struct xsched_binding *b,
			       struct xsched_event *e)
{
	spin_lock(&b->ev_lock);
	list_add_tail(&e->link, &b->events);
	spin_unlock(&b->ev_lock);
	queue_work(xsched_wq, &b->ev_work);
}

/* The owner's effective uid, when the callback runs in its context. */
static kuid_t xsched_owner_uid(const struct kfd_xsched_queue_info *info)
{
	struct task_struct *task;
	kuid_t uid = GLOBAL_ROOT_UID;

	if (current->mm == info->mm)
		return current_euid();
	/* Replayed at load: the best that can be known. */
	rcu_read_lock();
	task = pid_task(find_vpid(info->tgid), PIDTYPE_TGID);
	if (task && task->mm == info->mm)
		uid = __task_cred(task)->euid;
	rcu_read_unlock();
	return uid;
}

/*
 * The provider's queue callback, under its locks.  A CREATED pins what
 * activity detection reads here, where the owner is certain (usually
 * current); the event work does the rest.
 */
static void xsched_listener_queue(const struct kfd_xsched_listener *l,
				  enum kfd_xsched_event ev,
				  const struct kfd_xsched_queue_info *q)
{
	struct xsched_binding *b = container_of(l, struct xsched_binding,
						listener);
	struct xsched_event *e;

	if (ev == KFD_XSCHED_QUEUE_DESTROYED) {
		spin_lock(&b->ev_lock);
		e = xsched_events_coalesce(b, q->handle);
		spin_unlock(&b->ev_lock);
		if (e) {
			xsched_event_free(e);
			return;
		}
		/* Small and never lost: a queue must not outlive its end. */
		e = kzalloc(sizeof(*e), GFP_KERNEL | __GFP_NOFAIL);
	} else {
		e = kzalloc(sizeof(*e), GFP_KERNEL);
		if (!e) {
			/* Fail open: an untracked queue is never paused. */
			spin_lock(&b->ev_lock);
			b->ev_lost++;
			spin_unlock(&b->ev_lock);
			pr_warn_ratelimited("no memory for a provider event; queue %u of pid %d not scheduled\n",
					    q->queue_id, q->tgid);
			return;
		}
		e->uid = xsched_owner_uid(q);
		e->pin_err = xsched_qmem_pin(&e->mem, q);
	}
	e->ev = ev;
	e->info = *q;
	e->info.mm = NULL;
	xsched_event_queue(b, e);
}

static void xsched_listener_node(const struct kfd_xsched_listener *l,
				 enum kfd_xsched_event ev,
				 const struct kfd_xsched_node_info *n)
{
	struct xsched_binding *b = container_of(l, struct xsched_binding,
						listener);
	struct xsched_event *e = kzalloc(sizeof(*e), GFP_KERNEL | __GFP_NOFAIL);

	e->ev = ev;
	e->info.gpu_id = n->gpu_id;
	e->caps = n->caps;
	strscpy(e->name, n->name ? n->name : "", sizeof(e->name));
	strscpy(e->why, n->why ? n->why : "", sizeof(e->why));
	xsched_event_queue(b, e);
}

static void xsched_listener_gone(const struct kfd_xsched_listener *l)
{
	xsched_provider_gone(container_of(l, struct xsched_binding, listener));
}

/**
 * xsched_bind() - start scheduling the queues of a provider
 * @ops: the provider's ops (its module reference held by the caller)
 *
 * The binding is on xsched_bindings before the listener is registered,
 * so that a provider going away at any point finds it.  The provider's
 * replay (its nodes, then its queues) is processed before this returns.
 *
 * Return: the binding or an ERR_PTR; -EPROTO for an ops version this
 * build does not speak, -ENODEV if the provider went while binding.
 */
struct xsched_binding *xsched_bind(const struct kfd_xsched_ops *ops)
{
	struct xsched_binding *b;
	bool gone;
	int ret;

	if (ops->version != KFD_XSCHED_OPS_VERSION ||
	    ops->size < sizeof(*ops)) {
		pr_err("provider %s speaks ops version %u (size %u); this xsched needs %u\n",
		       ops->name, ops->version, ops->size,
		       KFD_XSCHED_OPS_VERSION);
		return ERR_PTR(-EPROTO);
	}
	b = kzalloc(sizeof(*b), GFP_KERNEL);
	if (!b)
		return ERR_PTR(-ENOMEM);
	b->ops = ops;
	b->listener.queue = xsched_listener_queue;
	b->listener.node = xsched_listener_node;
	b->listener.gone = xsched_listener_gone;
	INIT_LIST_HEAD(&b->link);
	INIT_LIST_HEAD(&b->domains);
	INIT_LIST_HEAD(&b->events);
	spin_lock_init(&b->ev_lock);
	INIT_WORK(&b->ev_work, xsched_ev_work);
	init_completion(&b->gone);
	b->binding = true;

	mutex_lock(&xsched_lock);
	list_add_tail(&b->link, &xsched_bindings);
	mutex_unlock(&xsched_lock);
	ret = ops->register_listener(&b->listener);
	if (!ret)
		flush_work(&b->ev_work);

	mutex_lock(&xsched_lock);
	b->binding = false;
	gone = b->detached;
	if (ret && !gone) {
		b->detached = true;
		list_del_init(&b->link);
	}
	mutex_unlock(&xsched_lock);
	if (gone) {
		/* xsched_provider_gone() let go of everything; it ends here. */
		wait_for_completion(&b->gone);
		kfree(b);
		return ERR_PTR(-ENODEV);
	}
	if (ret) {
		xsched_unbind(b);
		kfree(b);
		return ERR_PTR(ret);
	}
	return b;
}

/**
 * xsched_unbind() - stop scheduling a provider's queues, all left runnable
 * @b: the binding; the listener must no longer be able to queue events
 *     (unregistered, or inside its gone() callback)
 */
void xsched_unbind(struct xsched_binding *b)
{
	struct xsched_domain *dom, *tmp;
	struct xsched_event *e, *etmp;

	cancel_work_sync(&b->ev_work);
	list_for_each_entry_safe(e, etmp, &b->events, link) {
		list_del(&e->link);
		xsched_event_free(e);
	}
	mutex_lock(&xsched_lock);
	list_for_each_entry_safe(dom, tmp, &b->domains, link)
		xsched_domain_destroy(dom, false);
	mutex_unlock(&xsched_lock);
	b->unbound = true;
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
		raw_spin_lock_irq(&dom->lock);
		dom->policy = p;
		memset(&dom->hpf, 0, sizeof(dom->hpf));
		raw_spin_unlock_irq(&dom->lock);
		xsched_decide(dom, ktime_get_ns());
	}
	mutex_unlock(&dom->mutex);
	return ret;
}

enum xsched_queue_state xsched_queue_state(const struct xsched_queue *q)
{
	if (q->paused)
		return XSCHED_QUEUE_PAUSED;
	return q->busy ? XSCHED_QUEUE_BUSY : XSCHED_QUEUE_IDLE;
}

struct xsched_queue *xsched_queue_alloc(void)
{
	struct xsched_queue *q = kmem_cache_zalloc(xsched_queue_cache,
						   GFP_KERNEL);

	if (!q)
		return NULL;
	kobject_init(&q->kobj, &xsched_queue_ktype);
	INIT_LIST_HEAD(&q->dom_link);
	INIT_LIST_HEAD(&q->level_link);
	return q;
}

static void xsched_queue_free_rcu(struct rcu_head *rcu)
{
	kmem_cache_free(xsched_queue_cache,
			container_of(rcu, struct xsched_queue, rcu));
}

/* The queue kobject's release: after an RCU grace period (ioctl lookups). */
void xsched_queue_release(struct kobject *kobj)
{
	struct xsched_queue *q = container_of(kobj, struct xsched_queue, kobj);

	call_rcu(&q->rcu, xsched_queue_free_rcu);
}

/* Drop the creation reference: sysfs may still hold one. */
void xsched_queue_free(struct xsched_queue *q)
{
	kobject_put(&q->kobj);
}

int xsched_init_caches(void)
{
	xsched_queue_cache = KMEM_CACHE(xsched_queue, 0);
	return xsched_queue_cache ? 0 : -ENOMEM;
}

void xsched_exit_caches(void)
{
	rcu_barrier();		/* queue frees in flight */
	kmem_cache_destroy(xsched_queue_cache);
}

/**
 * xsched_queue_lock() - find a queue by id and lock its domain
 * @id: the xsched queue id
 * @qp: set to the queue
 *
 * Return: the queue's domain with dom->mutex held, for xsched_queue_unlock(),
 * or NULL if no live queue has that id.
 */
struct xsched_domain *xsched_queue_lock(u32 id, struct xsched_queue **qp)
{
	struct xsched_domain *dom = NULL;
	struct xsched_queue *q;

	/* xsched_lock keeps every domain alive; RCU the queue. */
	mutex_lock(&xsched_lock);
	rcu_read_lock();
	q = xa_load(&xsched_queues, id);
	if (q)
		dom = READ_ONCE(q->dom);
	rcu_read_unlock();
	if (dom) {
		mutex_lock(&dom->mutex);
		/* Queues leave the xarray under dom->mutex: check again. */
		if (dom->dead || xa_load(&xsched_queues, id) != q) {
			mutex_unlock(&dom->mutex);
			dom = NULL;
		}
	}
	mutex_unlock(&xsched_lock);
	*qp = dom ? q : NULL;
	return dom;
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
	raw_spin_lock_irq(&dom->lock);
	busy = q->busy;
	xsched_queue_set_busy(q, false, now);
	list_move_tail(&q->level_link, &dom->levels[prio]);
	q->prio = prio;
	xsched_queue_set_busy(q, busy, now);
	raw_spin_unlock_irq(&dom->lock);
	dom->resync = true;
	xsched_decide(dom, now);
	return 0;
}

/**
 * xsched_queue_hint() - a BEGIN or END hint from userspace
 * @q: the queue, q->dom->mutex held
 * @owner: the file the hint came from; a BEGIN lasts at most as long
 * @begin: BEGIN (true) or END
 *
 * The decision is made at once rather than at the next poll.
 */
void xsched_queue_hint(struct xsched_queue *q, const struct file *owner,
		       bool begin)
{
	struct xsched_domain *dom = q->dom;
	u64 now = ktime_get_ns();

	lockdep_assert_held(&dom->mutex);
	raw_spin_lock_irq(&dom->lock);
	q->hint = begin;
	q->hint_owner = begin ? owner : NULL;
	xsched_queue_set_busy(q, begin || xsched_qmem_busy(q), now);
	raw_spin_unlock_irq(&dom->lock);
	xsched_decide(dom, now);
}

/**
 * xsched_hints_release() - end every BEGIN hint sent through a file
 * @owner: the file being released
 */
void xsched_hints_release(const struct file *owner)
{
	struct xsched_domain *dom;
	struct xsched_queue *q;
	unsigned long id = 0;

	/* Ids only grow in this walk: at most one pass over the queues. */
	for (;;) {
		rcu_read_lock();
		for (q = xa_find(&xsched_queues, &id, ULONG_MAX, XA_PRESENT);
		     q && READ_ONCE(q->hint_owner) != owner;
		     q = xa_find_after(&xsched_queues, &id, ULONG_MAX,
				       XA_PRESENT))
			;
		rcu_read_unlock();
		if (!q)
			break;
		dom = xsched_queue_lock(id, &q);
		if (dom) {
			if (q->hint_owner == owner)
				xsched_queue_hint(q, owner, false);
			mutex_unlock(&dom->mutex);
		}
		id++;
	}
}

/* The domain kobject's release: the last sysfs reader is gone. */
void xsched_domain_release(struct kobject *kobj)
{
	struct xsched_domain *dom = container_of(kobj, struct xsched_domain,
						 kobj);

	xsched_batch_free(dom);
	kfree(dom);
}
