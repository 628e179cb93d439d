// SPDX-License-Identifier: GPL-2.0
/*
 * xsched: the lives of queues and domains.  Every provider queue becomes
 * an XQueue of the domain of its node; provider events, processed in
 * order by the binding's event work, make and end them
 * (docs/architecture.md, "the life of a queue").
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/xarray.h>

#include "xsched.h"
#include "xsched_compat.h"

/* Queue ids: allocated cyclically, so an id is not soon reused. */
DEFINE_XARRAY_ALLOC1(xsched_queues);
static u32 xsched_next_id;
static struct kmem_cache *xsched_queue_cache;

#define XSCHED_POLL_US_DEFAULT		100
#define XSCHED_RESUME_DELAY_US_DEFAULT	200
/* amdkfd's runlist change takes well under a millisecond when healthy. */
#define XSCHED_SLOW_OP_MS_DEFAULT	100
/*
 * A busy queue kept paused 1 s runs for 10 ms: a bound, not a share, so
 * that nothing waits forever (runtime watchdogs, collective timeouts)
 * at a cost of about 1% to the work that preempts it (docs/bench.md).
 */
#define XSCHED_STARVATION_MS_DEFAULT	1000
#define XSCHED_STARVATION_SLICE_MS_DEFAULT 10
/* A BEGIN hint not renewed within a second ends. */
#define XSCHED_HINT_MS_DEFAULT		1000
/*
 * Each runlist change stalls the whole node: on amdkfd's HWS path an
 * unmap (CWSR save of every wave), a runlist rebuild and a map (restore),
 * modelled at 20 us + 2 us per queue + 40 + 40 us; and each one risks
 * amdkfd's preemption timeout.  200 a second keep that under about 3% of
 * the node at 16 queues, and serve 100 sparse high-priority requests a
 * second at one pause and one resume each.
 */
#define XSCHED_MAX_CHANGES_PER_S_DEFAULT 200

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
	q->tenant = xsched_tenant_get(dom, q->uid, q->tier);
	if (!q->tenant) {
		ret = -ENOMEM;
		goto out;
	}
	ret = xa_alloc_cyclic(&xsched_queues, &q->id, q, xa_limit_31b,
			      &xsched_next_id, GFP_KERNEL);
	if (ret < 0) {
		xsched_tenant_put(dom, q->tenant);
		q->tenant = NULL;
		goto out;
	}
	ret = 0;
	q->dom = dom;
	xsched_dom_lock_irq(dom);
	list_add_tail(&q->dom_link, &dom->queues);
	list_add_tail(&q->prio_link, &q->tenant->prios[q->prio]);
	if (!dom->nr_queues++ && dom->poll_us)
		hrtimer_start(&dom->poll, ns_to_ktime(xsched_poll_due(dom, now)),
			      HRTIMER_MODE_ABS_HARD);
	dom->deciding = true;	/* the poll keeps off the levels */
	raw_spin_unlock_irq(&dom->lock);
	/*
	 * The provider's state first (it may have the queue paused), then
	 * the decision in force: a queue below the enforced level is
	 * paused at once.
	 */
	dom->target = dom->degraded ? 0 : dom->level;
	ret = xsched_apply(dom, true, now);
	if (!ret)
		ret = xsched_apply(dom, false, now);
	xsched_dom_lock_irq(dom);
	if (ret) {
		/* Degraded now, or the limit: the decider makes it right. */
		dom->next_decide = min(dom->next_decide, now);
		dom->unsettled = true;
	}
	dom->deciding = false;
	raw_spin_unlock_irq(&dom->lock);
	ret = 0;
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
	xsched_dom_lock_irq(dom);
	xsched_queue_set_busy(q, false, ktime_get_ns());
	list_del(&q->dom_link);
	list_del(&q->prio_link);
	dom->nr_queues--;
	dom->next_decide = 0;	/* the busy levels may have changed */
	raw_spin_unlock_irq(&dom->lock);
	xsched_tenant_put(dom, q->tenant);
	mutex_lock(&dom->qlock);	/* no reader has it after this */
	xa_erase(&xsched_queues, q->id);
	mutex_unlock(&dom->qlock);
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
	q->pid = e->pid;
	e->pid = NULL;
	xsched_rank_new(q);
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

	if (!dom)
		return NULL;
	xsched_obj_add(XSCHED_OBJ_DOMAIN, 1);
	/*
	 * The decider: the lowest SCHED_FIFO priority, so that a pause is
	 * not queued behind the very threads that keep the CPUs busy; its
	 * work is bounded (one decision, one provider call per batch).
	 */
	dom->decider = kthread_create_worker(0, "xsched/%u", gpu_id);
	if (IS_ERR(dom->decider)) {
		kfree(dom);
		xsched_obj_add(XSCHED_OBJ_DOMAIN, -1);
		return NULL;
	}
	sched_set_fifo_low(dom->decider->task);
	kobject_init(&dom->kobj, &xsched_domain_ktype);
	dom->gpu_id = gpu_id;
	strscpy(dom->name, name, sizeof(dom->name));
	dom->b = b;
	mutex_init(&dom->mutex);
	mutex_init(&dom->qlock);
	raw_spin_lock_init(&dom->lock);
	INIT_LIST_HEAD(&dom->queues);
	INIT_LIST_HEAD(&dom->tenants);
	INIT_LIST_HEAD(&dom->tick_link);
	dom->memo[XSCHED_MEMO_FAST].w = dom->memo_fast_w;
	dom->memo[XSCHED_MEMO_FAST].cap = XSCHED_MEMO_FAST_WORDS;
	dom->memo[XSCHED_MEMO_FULL].w = dom->memo_full_w;
	dom->memo[XSCHED_MEMO_FULL].cap = XSCHED_MEMO_FULL_WORDS;
	dom->memo_rec = &dom->memo_none;
	dom->preemptive = !why;
	if (why)
		strscpy(dom->why, why, sizeof(dom->why));
	dom->policy = why ? &xsched_policy_none : &xsched_policy_hpf;
	dom->poll_us = XSCHED_POLL_US_DEFAULT;
	dom->resume_delay_us = XSCHED_RESUME_DELAY_US_DEFAULT;
	dom->slow_op_ms = XSCHED_SLOW_OP_MS_DEFAULT;
	dom->starvation_ms = XSCHED_STARVATION_MS_DEFAULT;
	dom->starvation_slice_ms = XSCHED_STARVATION_SLICE_MS_DEFAULT;
	dom->hint_ms = XSCHED_HINT_MS_DEFAULT;
	dom->max_changes_per_s = XSCHED_MAX_CHANGES_PER_S_DEFAULT;
	dom->tokens = S64_MAX / 2;	/* full: refilled (capped) on use */
	dom->next_decide = U64_MAX;
	xsched_hrtimer_setup(&dom->poll, xsched_poll_fn, CLOCK_MONOTONIC,
			     HRTIMER_MODE_ABS_HARD);
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
	/* Every queue xsched paused, whatever the level says, now. */
	dom->target = 0;
	dom->max_changes_per_s = 0;
	xsched_dom_lock_irq(dom);
	dom->deciding = true;	/* for good: the poll decides nothing now */
	xsched_tenants_clear(dom);
	raw_spin_unlock_irq(&dom->lock);
	if (!node_gone && xsched_apply(dom, false, ktime_get_ns()))
		pr_err("%s: could not resume paused queues on release\n",
		       dom->name);
	dom->level = 0;
	xsched_dom_lock_irq(dom);
	dom->dead = true;
	raw_spin_unlock_irq(&dom->lock);
	mutex_unlock(&dom->mutex);
	xsched_poll_stop(dom);
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
		xsched_dom_lock_irq(dom);
		xsched_queue_set_busy(q, false, ktime_get_ns());
		list_del(&q->prio_link);
		raw_spin_unlock_irq(&dom->lock);
		xsched_tenant_put(dom, q->tenant);
		mutex_lock(&dom->qlock);
		xa_erase(&xsched_queues, q->id);
		mutex_unlock(&dom->qlock);
		mutex_unlock(&dom->mutex);
		xsched_qmem_unpin(&q->mem);
		xsched_queue_free(q);
	}
	list_del(&dom->link);
	kobject_put(&dom->kobj);	/* frees it */
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
	xsched_obj_add(XSCHED_OBJ_QUEUE, 1);
	kobject_init(&q->kobj, &xsched_queue_ktype);
	INIT_LIST_HEAD(&q->dom_link);
	INIT_LIST_HEAD(&q->prio_link);
	return q;
}

static void xsched_queue_free_rcu(struct rcu_head *rcu)
{
	kmem_cache_free(xsched_queue_cache,
			container_of(rcu, struct xsched_queue, rcu));
	xsched_obj_add(XSCHED_OBJ_QUEUE, -1);
}

/* The queue kobject's release: after an RCU grace period (ioctl lookups). */
void xsched_queue_release(struct kobject *kobj)
{
	struct xsched_queue *q = container_of(kobj, struct xsched_queue, kobj);

	put_pid(q->pid);
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

/* Either lock of a live queue's domain: dom->qlock to read, dom->mutex. */
static struct xsched_domain *xsched_queue_find_locked(u32 id,
						      struct xsched_queue **qp,
						      bool read)
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
		mutex_lock(read ? &dom->qlock : &dom->mutex);
		/* Queues leave the xarray under both: check again. */
		if (dom->dead || xa_load(&xsched_queues, id) != q) {
			mutex_unlock(read ? &dom->qlock : &dom->mutex);
			dom = NULL;
		}
	}
	mutex_unlock(&xsched_lock);
	*qp = dom ? q : NULL;
	return dom;
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
	return xsched_queue_find_locked(id, qp, false);
}

/**
 * xsched_queue_lock_read() - find a queue by id to read it
 * @id: the xsched queue id
 * @qp: set to the queue
 *
 * Never waits for a decision: the queue stays alive while dom->qlock is
 * held, but its decision state may change meanwhile (read each figure
 * once).
 *
 * Return: the queue's domain with dom->qlock held, or NULL if no live
 * queue has that id.
 */
struct xsched_domain *xsched_queue_lock_read(u32 id, struct xsched_queue **qp)
{
	return xsched_queue_find_locked(id, qp, true);
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
	xsched_obj_add(XSCHED_OBJ_DOMAIN, -1);
}
