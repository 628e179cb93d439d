// SPDX-License-Identifier: GPL-2.0
/*
 * xsched: providers and bindings.  A binding is xsched's tie to one
 * provider: its listener, its pending events (processed in order by one
 * work item), its domains.
 *
 * Providers are found with symbol_get() of their one exported symbol, at
 * load and whenever a module that may provide one goes live.  The module
 * reference symbol_get() takes is dropped once the listener is
 * registered: a provider may unload while xsched is bound, and tells us
 * through its listener's gone() callback before it tears anything down.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cred.h>
#include <linux/err.h>
#include <linux/module.h>
#include <linux/pid.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "xsched.h"

DEFINE_MUTEX(xsched_lock);
DEFINE_MUTEX(xsched_bind_lock);
LIST_HEAD(xsched_bindings);	/* under xsched_lock */

static void xsched_binding_free(struct xsched_binding *b)
{
	kfree(b);
	xsched_obj_add(XSCHED_OBJ_BINDING, -1);
}

static void xsched_event_free(struct xsched_event *e)
{
	xsched_qmem_unpin(&e->mem);
	put_pid(e->pid);
	kfree(e);
	xsched_obj_add(XSCHED_OBJ_EVENT, -1);
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
 * taken off the list and returned, to be freed with nothing queued.  A short-
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

/*
 * The owner's effective uid and its process, from the callback's
 * context when that is the owner's (the usual case: it creates the
 * queue).
 */
static void xsched_owner_of(const struct kfd_xsched_queue_info *info,
			    struct xsched_event *e)
{
	struct task_struct *task;

	e->uid = GLOBAL_ROOT_UID;
	if (current->mm == info->mm) {
		e->uid = current_euid();
		e->pid = get_pid(task_tgid(current));
		return;
	}
	/* Replayed at load: the best that can be known. */
	rcu_read_lock();
	task = pid_task(find_pid_ns(info->tgid, &init_pid_ns), PIDTYPE_TGID);
	if (task && task->mm == info->mm) {
		e->uid = __task_cred(task)->euid;
		e->pid = get_pid(task_tgid(task));
	}
	rcu_read_unlock();
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
		xsched_obj_add(XSCHED_OBJ_EVENT, 1);
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
		xsched_obj_add(XSCHED_OBJ_EVENT, 1);
		xsched_owner_of(q, e);
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

	xsched_obj_add(XSCHED_OBJ_EVENT, 1);
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
	xsched_obj_add(XSCHED_OBJ_BINDING, 1);
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
		xsched_binding_free(b);
		return ERR_PTR(-ENODEV);
	}
	if (ret) {
		xsched_unbind(b);
		xsched_binding_free(b);
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

/* Caller holds xsched_lock. */
static bool xsched_bound(const struct kfd_xsched_ops *ops)
{
	struct xsched_binding *b;

	list_for_each_entry(b, &xsched_bindings, link)
		if (b->ops == ops)
			return true;
	return false;
}

/*
 * Caller holds xsched_bind_lock and a module reference on the provider.
 * Binding registers a listener, which takes the provider's listener lock:
 * that must not happen under xsched_lock (see the lock order in xsched.h).
 */
static void xsched_try_bind(const struct kfd_xsched_ops *(*get_ops)(void))
{
	const struct kfd_xsched_ops *ops = get_ops();
	struct xsched_binding *b;
	bool bound;

	if (!ops)
		return;
	mutex_lock(&xsched_lock);
	bound = xsched_bound(ops);
	mutex_unlock(&xsched_lock);
	if (bound)
		return;
	b = xsched_bind(ops);	/* on xsched_bindings when it returns */
	if (IS_ERR(b)) {
		pr_err("cannot bind provider %s: %ld\n", ops->name, PTR_ERR(b));
		return;
	}
	pr_info("bound to provider %s\n", ops->name);
}

static void xsched_bind_all(void)
{
	const struct kfd_xsched_ops *(*get_ops)(void);

	mutex_lock(&xsched_bind_lock);
	get_ops = symbol_get(kfd_xsched_get_ops);
	if (get_ops) {
		xsched_try_bind(get_ops);
		symbol_put(kfd_xsched_get_ops);
	}
	get_ops = symbol_get(xsched_sim_get_ops);
	if (get_ops) {
		xsched_try_bind(get_ops);
		symbol_put(xsched_sim_get_ops);
	}
	mutex_unlock(&xsched_bind_lock);
}

/**
 * xsched_provider_gone() - a provider is going away
 * @b: its binding
 *
 * Called by the provider (its listener's gone() callback) holding no
 * provider lock.  Leaves every queue runnable before returning; from
 * then on xsched calls none of its ops.  Whoever took @b off
 * xsched_bindings frees it: this function, unless xsched_bind() or
 * xsched's exit holds it, which then wait for b->gone.
 */
void xsched_provider_gone(struct xsched_binding *b)
{
	bool owner = false;

	mutex_lock(&xsched_lock);
	if (!b->detached) {
		b->detached = true;
		list_del_init(&b->link);
		owner = !b->binding;
	}
	mutex_unlock(&xsched_lock);
	if (!b->unbound)
		xsched_unbind(b);
	pr_info("provider %s gone\n", b->ops->name);
	/* Not the owner: xsched's exit waits for this, then frees @b. */
	complete_all(&b->gone);
	if (owner)
		xsched_binding_free(b);
}

#ifdef CONFIG_MODULES
static int xsched_module_event(struct notifier_block *nb, unsigned long ev,
			       void *data)
{
	struct module *mod = data;

	if (ev == MODULE_STATE_LIVE &&
	    (!strcmp(mod->name, "amdgpu") || !strcmp(mod->name, "xsched_sim")))
		xsched_bind_all();
	return NOTIFY_DONE;
}

static struct notifier_block xsched_module_nb = {
	.notifier_call = xsched_module_event,
};

static int xsched_watch_modules(bool on)
{
	return on ? register_module_notifier(&xsched_module_nb) :
		    unregister_module_notifier(&xsched_module_nb);
}
#else
/* Built in: providers are built in too and initialised before us. */
static int xsched_watch_modules(bool on)
{
	return 0;
}
#endif

int xsched_provider_init(void)
{
	int ret = xsched_watch_modules(true);

	if (ret)
		return ret;
	xsched_bind_all();
	return 0;
}

/* Unbinds every provider, leaving all their queues runnable. */
void xsched_provider_exit(void)
{
	struct xsched_binding *b, *tmp;
	LIST_HEAD(mine);

	xsched_watch_modules(false);
	mutex_lock(&xsched_lock);
	list_for_each_entry_safe(b, tmp, &xsched_bindings, link) {
		b->detached = true;
		list_move_tail(&b->link, &mine);
	}
	mutex_unlock(&xsched_lock);

	list_for_each_entry_safe(b, tmp, &mine, link) {
		list_del_init(&b->link);
		if (try_module_get(b->ops->owner)) {
			/* The provider cannot go while we hold it. */
			b->ops->unregister_listener(&b->listener);
			xsched_unbind(b);
			module_put(b->ops->owner);
		} else {
			/* It is going: it calls gone(), if not yet. */
			wait_for_completion(&b->gone);
		}
		xsched_binding_free(b);
	}
}
