// SPDX-License-Identifier: GPL-2.0
/*
 * xsched: finding GPU queue providers and letting go of them.
 *
 * Providers are found with symbol_get() of their one exported symbol, at
 * load and whenever a module that may provide one goes live.  The module
 * reference symbol_get() takes is dropped once the listener is
 * registered: a provider may unload while xsched is bound, and tells us
 * through its listener's gone() callback before it tears anything down.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "xsched.h"

LIST_HEAD(xsched_bindings);	/* under xsched_lock */

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
		kfree(b);
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
		kfree(b);
	}
}
