// SPDX-License-Identifier: GPL-2.0
/*
 * xsched: the core.  Every provider queue becomes an XQueue in the
 * domain of its node; a per-domain poll timer watches activity; a
 * per-domain work item makes every decision, in one place, and applies it
 * to the provider as one batch.  No hardware knowledge lives here.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ktime.h>
#include <linux/slab.h>
#include <linux/xarray.h>

#include "xsched.h"

DEFINE_MUTEX(xsched_lock);
static DEFINE_XARRAY_ALLOC1(xsched_queues);

#define XSCHED_POLL_US_DEFAULT		100
#define XSCHED_RESUME_DELAY_US_DEFAULT	200
#define XSCHED_RETRY_NS			NSEC_PER_MSEC

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

static enum hrtimer_restart xsched_poll_fn(struct hrtimer *t)
{
	struct xsched_domain *dom = container_of(t, struct xsched_domain,
						 poll);
	struct xsched_queue *q;
	u64 now = ktime_get_ns();
	bool kick = false;

	spin_lock(&dom->lock);
	list_for_each_entry(q, &dom->queues, dom_link) {
		bool busy = q->hint || xsched_qmem_busy(q);

		if (busy != q->busy) {
			xsched_queue_set_busy(q, busy, now);
			kick = true;
		}
		kick |= q->need_sig;
	}
	kick |= now >= dom->next_decide;
	if (kick && !dom->dead)
		queue_work(xsched_wq, &dom->decide_work);
	/* Re-armed here, never by returning HRTIMER_RESTART: see queue_add. */
	if (dom->nr_queues && dom->poll_us && !dom->dead)
		hrtimer_start(&dom->poll,
			      ns_to_ktime(now + dom->poll_us * NSEC_PER_USEC),
			      HRTIMER_MODE_ABS_SOFT);
	spin_unlock(&dom->lock);
	return HRTIMER_NORESTART;
}

/*
 * Pause or resume every queue of levels [lo, hi) that is not yet in that
 * state, as one provider call.  Called under dom->mutex.
 */
static int xsched_apply(struct xsched_domain *dom, unsigned int lo,
			unsigned int hi, bool pause, u64 now)
{
	const struct kfd_xsched_ops *ops = dom->b->ops;
	struct xsched_queue *q;
	unsigned int l, n = 0;
	u64 t0, lat;
	int ret;

	for (l = lo; l < hi; l++)
		list_for_each_entry(q, &dom->levels[l], level_link)
			if (q->paused != pause && n < dom->batch_cap)
				dom->batch[n++] = (struct kfd_xsched_queue_ref) {
					.tgid = q->tgid,
					.queue_id = q->queue_id,
				};
	if (!n)
		return 0;
	t0 = ktime_get_ns();
	ret = pause ? ops->pause_queues(dom->gpu_id, dom->batch, n) :
		      ops->resume_queues(dom->gpu_id, dom->batch, n);
	if (ret) {
		dom->errors++;
		dom->degraded = true;
		pr_warn_ratelimited("%s: %s of %u queue(s) failed: %d; queues left as they were\n",
				    dom->name, pause ? "pause" : "resume", n,
				    ret);
		return ret;
	}
	dom->degraded = false;
	lat = t0 - dom->rise_at;
	if (pause) {
		dom->pauses++;
		dom->lat_sum_ns += lat;
		dom->lat_count++;
		dom->lat_max_ns = max(dom->lat_max_ns, lat);
	} else {
		dom->resumes++;
	}
	for (l = lo; l < hi; l++) {
		list_for_each_entry(q, &dom->levels[l], level_link) {
			if (q->paused == pause)
				continue;
			q->paused = pause;
			if (pause) {
				q->paused_since = now;
				q->preempt_count++;
				q->last_lat_ns = lat;
				q->max_lat_ns = max(q->max_lat_ns, lat);
			} else {
				q->paused_ns += now - q->paused_since;
			}
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
	u64 next;
	int ret;

	lockdep_assert_held(&dom->mutex);
	if (dom->dead)
		return;
	spin_lock_bh(&dom->lock);
	level = dom->policy->decide(dom, now, &next);
	dom->next_decide = next;
	spin_unlock_bh(&dom->lock);
	dom->decisions++;
	if (level == old)
		return;
	ret = xsched_apply(dom, min(old, level), max(old, level), level > old,
			   now);
	if (ret) {
		spin_lock_bh(&dom->lock);
		dom->next_decide = min(dom->next_decide, now + XSCHED_RETRY_NS);
		spin_unlock_bh(&dom->lock);
		return;
	}
	dom->level = level;
}

static void xsched_decide_work(struct work_struct *work)
{
	struct xsched_domain *dom = container_of(work, struct xsched_domain,
						 decide_work);
	struct xsched_queue *q;

	mutex_lock(&dom->mutex);
	list_for_each_entry(q, &dom->queues, dom_link)
		if (q->need_sig)
			xsched_qmem_pin_signal(q);
	xsched_decide(dom, ktime_get_ns());
	mutex_unlock(&dom->mutex);
}

/* Room in the batch buffer for every queue of the domain; dom->mutex. */
static int xsched_batch_reserve(struct xsched_domain *dom, unsigned int n)
{
	struct kfd_xsched_queue_ref *b;
	unsigned int cap;

	if (n <= dom->batch_cap)
		return 0;
	cap = max(n, 2 * dom->batch_cap);
	b = kvmalloc_array(cap, sizeof(*b), GFP_KERNEL);
	if (!b)
		return -ENOMEM;
	kvfree(dom->batch);
	dom->batch = b;
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
	ret = xa_alloc(&xsched_queues, &q->id, q, xa_limit_31b, GFP_KERNEL);
	if (ret)
		goto out;
	q->dom = dom;
	spin_lock_bh(&dom->lock);
	list_add_tail(&q->dom_link, &dom->queues);
	list_add_tail(&q->level_link, &dom->levels[q->prio]);
	if (!dom->nr_queues++ && dom->poll_us)
		hrtimer_start(&dom->poll,
			      ns_to_ktime(now + dom->poll_us * NSEC_PER_USEC),
			      HRTIMER_MODE_ABS_SOFT);
	spin_unlock_bh(&dom->lock);
	if (q->prio < dom->level)
		xsched_apply(dom, q->prio, q->prio + 1, true, now);
out:
	mutex_unlock(&dom->mutex);
	return ret;
}

/**
 * xsched_queue_remove() - forget a queue the provider destroyed
 * @q: the queue; freed on return
 */
void xsched_queue_remove(struct xsched_queue *q)
{
	struct xsched_domain *dom = q->dom;

	mutex_lock(&dom->mutex);
	spin_lock_bh(&dom->lock);
	xsched_queue_set_busy(q, false, ktime_get_ns());
	list_del(&q->dom_link);
	list_del(&q->level_link);
	dom->nr_queues--;
	dom->next_decide = 0;	/* the busy levels may have changed */
	spin_unlock_bh(&dom->lock);
	xa_erase(&xsched_queues, q->id);
	mutex_unlock(&dom->mutex);
	xsched_qmem_unpin(&q->mem);
	kfree(q);
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

static struct xsched_queue *xsched_domain_queue(struct xsched_domain *dom,
						pid_t tgid, u32 queue_id)
{
	struct xsched_queue *q;

	list_for_each_entry(q, &dom->queues, dom_link)
		if (q->tgid == tgid && q->queue_id == queue_id)
			return q;
	return NULL;
}

static void xsched_queue_created(struct xsched_binding *b,
				 const struct kfd_xsched_queue_info *info)
{
	struct xsched_domain *dom = xsched_domain_find(b, info->gpu_id);
	struct xsched_queue *q, *old;
	const struct cred *cred;
	struct task_struct *task;
	int ret;

	if (!dom) {
		pr_warn_ratelimited("queue %u of pid %d on unknown node 0x%x: not scheduled\n",
				    info->queue_id, info->tgid, info->gpu_id);
		return;
	}
	mutex_lock(&dom->mutex);
	old = xsched_domain_queue(dom, info->tgid, info->queue_id);
	mutex_unlock(&dom->mutex);
	if (old)		/* a destroy event was lost: id reused */
		xsched_queue_remove(old);

	q = kzalloc(sizeof(*q), GFP_KERNEL);
	if (!q)		/* not scheduled, hence never paused: fail open */
		return;
	q->tgid = info->tgid;
	q->queue_id = info->queue_id;
	q->prio = min_t(u32, info->priority, XSCHED_LEVELS - 1);
	q->uid = GLOBAL_ROOT_UID;
	rcu_read_lock();
	task = pid_task(find_vpid(info->tgid), PIDTYPE_TGID);
	if (task) {
		cred = __task_cred(task);
		q->uid = cred->euid;
	}
	rcu_read_unlock();
	INIT_LIST_HEAD(&q->dom_link);
	INIT_LIST_HEAD(&q->level_link);
	q->dom = dom;
	ret = xsched_qmem_pin(q, info);
	if (ret)
		pr_warn_ratelimited("queue %u of pid %d: activity not readable (%d); scheduled by hints only\n",
				    info->queue_id, info->tgid, ret);
	ret = xsched_queue_add(dom, q);
	if (ret) {
		xsched_qmem_unpin(&q->mem);
		kfree(q);
	}
}

/* Forget @tgid's queues on the node of @info (all its queues if NULL). */
static void xsched_queues_gone(struct xsched_binding *b, pid_t tgid,
			       const struct kfd_xsched_queue_info *info)
{
	struct xsched_domain *dom;

	list_for_each_entry(dom, &b->domains, link) {
		unsigned int budget;

		if (info && dom->gpu_id != info->gpu_id)
			continue;
		mutex_lock(&dom->mutex);
		budget = dom->nr_queues;
		mutex_unlock(&dom->mutex);
		/* One at a time: removal takes dom->mutex itself. */
		for (; budget; budget--) {
			struct xsched_queue *q = NULL, *it;

			mutex_lock(&dom->mutex);
			list_for_each_entry(it, &dom->queues, dom_link) {
				if (it->tgid == tgid &&
				    (!info || it->queue_id == info->queue_id)) {
					q = it;
					break;
				}
			}
			mutex_unlock(&dom->mutex);
			if (!q)
				break;
			xsched_queue_remove(q);
		}
	}
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
		xsched_queue_created(b, &e->info);
		break;
	case KFD_XSCHED_QUEUE_DESTROYED:
		xsched_queues_gone(b, e->tgid, &e->info);
		break;
	case KFD_XSCHED_PROCESS_GONE:
		xsched_queues_gone(b, e->tgid, NULL);
		break;
	case KFD_XSCHED_PROVIDER_GONE:
		break;		/* handled synchronously */
	}
}

/**
 * xsched_domain_create() - a scheduling domain for one provider node
 * @b: the binding
 * @gpu_id: the node
 * @name: the provider's name for it
 *
 * Return: the domain, or NULL without memory.
 */
struct xsched_domain *xsched_domain_create(struct xsched_binding *b,
					   u32 gpu_id, const char *name)
{
	struct xsched_domain *dom = kzalloc(sizeof(*dom), GFP_KERNEL);
	unsigned int l;

	if (!dom)
		return NULL;
	dom->gpu_id = gpu_id;
	strscpy(dom->name, name, sizeof(dom->name));
	dom->b = b;
	mutex_init(&dom->mutex);
	spin_lock_init(&dom->lock);
	INIT_LIST_HEAD(&dom->queues);
	for (l = 0; l < XSCHED_LEVELS; l++)
		INIT_LIST_HEAD(&dom->levels[l]);
	dom->policy = &xsched_policy_hpf;
	dom->poll_us = XSCHED_POLL_US_DEFAULT;
	dom->resume_delay_us = XSCHED_RESUME_DELAY_US_DEFAULT;
	dom->next_decide = U64_MAX;
	hrtimer_init(&dom->poll, CLOCK_MONOTONIC, HRTIMER_MODE_ABS_SOFT);
	dom->poll.function = xsched_poll_fn;
	INIT_WORK(&dom->decide_work, xsched_decide_work);
	list_add_tail(&dom->link, &b->domains);
	return dom;
}

/**
 * xsched_domain_destroy() - let go of a domain, leaving every queue runnable
 * @dom: the domain; freed on return
 *
 * Resumes whatever xsched paused (one batch), then stops the timer and
 * the work and forgets the queues.  If the provider refuses the resume it
 * is told loudly; the provider clears xsched pauses itself when it goes.
 */
void xsched_domain_destroy(struct xsched_domain *dom)
{
	struct xsched_queue *q, *tmp;

	mutex_lock(&dom->mutex);
	if (dom->level && xsched_apply(dom, 0, dom->level, false,
				       ktime_get_ns()))
		pr_err("%s: could not resume paused queues on release\n",
		       dom->name);
	dom->level = 0;
	spin_lock_bh(&dom->lock);
	dom->dead = true;
	spin_unlock_bh(&dom->lock);
	mutex_unlock(&dom->mutex);
	hrtimer_cancel(&dom->poll);
	cancel_work_sync(&dom->decide_work);

	list_for_each_entry_safe(q, tmp, &dom->queues, dom_link) {
		list_del(&q->dom_link);
		xa_erase(&xsched_queues, q->id);
		xsched_qmem_unpin(&q->mem);
		kfree(q);
	}
	list_del(&dom->link);
	kvfree(dom->batch);
	kfree(dom);
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
		kfree(e);
	}
}

static void xsched_listener_event(const struct kfd_xsched_listener *l,
				  enum kfd_xsched_event ev, pid_t tgid,
				  const struct kfd_xsched_queue_info *q)
{
	struct xsched_binding *b = container_of(l, struct xsched_binding,
						listener);
	struct xsched_event *e;

	if (ev == KFD_XSCHED_PROVIDER_GONE) {
		xsched_provider_gone(b);
		return;
	}
	e = kzalloc(sizeof(*e), GFP_KERNEL);
	if (!e) {
		/* Fail open: an event we miss never leaves a queue paused. */
		pr_warn_ratelimited("no memory for a provider event; queue of pid %d not tracked\n",
				    tgid);
		return;
	}
	e->ev = ev;
	e->tgid = tgid;
	if (q)
		e->info = *q;
	spin_lock(&b->ev_lock);
	list_add_tail(&e->link, &b->events);
	spin_unlock(&b->ev_lock);
	queue_work(xsched_wq, &b->ev_work);
}

static int xsched_bind_node(void *ctx, u32 gpu_id, const char *name)
{
	return xsched_domain_create(ctx, gpu_id, name) ? 0 : -ENOMEM;
}

/**
 * xsched_bind() - start scheduling the queues of a provider
 * @ops: the provider's ops (its module reference held by the caller)
 *
 * Return: the binding or an ERR_PTR; -EPROTO for an ops version this
 * build does not speak.
 */
struct xsched_binding *xsched_bind(const struct kfd_xsched_ops *ops)
{
	struct xsched_binding *b;
	struct xsched_domain *dom, *tmp;
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
	b->listener.event = xsched_listener_event;
	INIT_LIST_HEAD(&b->link);
	INIT_LIST_HEAD(&b->domains);
	INIT_LIST_HEAD(&b->events);
	spin_lock_init(&b->ev_lock);
	INIT_WORK(&b->ev_work, xsched_ev_work);
	init_completion(&b->gone);

	ret = ops->walk_nodes(xsched_bind_node, b);
	if (!ret)
		ret = ops->register_listener(&b->listener);
	if (ret)
		goto err;
	return b;
err:
	list_for_each_entry_safe(dom, tmp, &b->domains, link)
		xsched_domain_destroy(dom);
	kfree(b);
	return ERR_PTR(ret);
}

/**
 * xsched_unbind() - stop scheduling a provider's queues, all left runnable
 * @b: the binding; the listener must no longer be able to queue events
 *     (unregistered, or inside KFD_XSCHED_PROVIDER_GONE)
 */
void xsched_unbind(struct xsched_binding *b)
{
	struct xsched_domain *dom, *tmp;
	struct xsched_event *e, *etmp;

	cancel_work_sync(&b->ev_work);
	list_for_each_entry_safe(e, etmp, &b->events, link) {
		list_del(&e->link);
		kfree(e);
	}
	list_for_each_entry_safe(dom, tmp, &b->domains, link)
		xsched_domain_destroy(dom);
	b->unbound = true;
}
