// SPDX-License-Identifier: GPL-2.0
/*
 * xsched_sim.ko: struct kfd_xsched_ops for the simulated GPU, following
 * the contract in kfd_xsched.h exactly as the amdkfd provider must.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/err.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "xsched_sim.h"

static const struct kfd_xsched_listener *sim_listener;

void xsched_sim_q_info(const struct xsched_sim_q *q,
		       struct kfd_xsched_queue_info *info)
{
	*info = (struct kfd_xsched_queue_info) {
		.handle = q->handle,
		.tgid = q->proc->tgid,
		.queue_id = q->queue_id,
		.gpu_id = q->gpu->model.gpu_id,
		.type = KFD_XSCHED_QUEUE_COMPUTE,
		.state = q->xs_paused ? KFD_XSCHED_QUEUE_PAUSED :
					KFD_XSCHED_QUEUE_ACTIVE,
		.priority = q->priority,
		.ring_va = q->ring_va,
		.ring_size = q->ring_size,
		.rptr_va = q->amdq_va + KFD_XSCHED_AMDQ_READ_DISPATCH_ID,
		.wptr_va = q->amdq_va + KFD_XSCHED_AMDQ_WRITE_DISPATCH_ID,
		.mm = q->proc->mm,
	};
}

/* Caller holds xsched_sim_listener_lock and xsched_sim_lock. */
void xsched_sim_notify(enum kfd_xsched_event ev, const struct xsched_sim_q *q)
{
	struct kfd_xsched_queue_info info;

	lockdep_assert_held(&xsched_sim_listener_lock);
	if (!sim_listener)
		return;
	xsched_sim_q_info(q, &info);
	if (ev == KFD_XSCHED_QUEUE_DESTROYED)
		info.mm = NULL;
	sim_listener->queue(sim_listener, ev, &info);
}

/* Caller holds xsched_sim_listener_lock. */
void xsched_sim_notify_node(enum kfd_xsched_event ev,
			    const struct xsched_sim_gpu *gpu)
{
	const struct kfd_xsched_node_info info = {
		.gpu_id = gpu->model.gpu_id,
		.caps = KFD_XSCHED_NODE_PREEMPTIVE,
		.name = gpu->name,
	};

	lockdep_assert_held(&xsched_sim_listener_lock);
	if (sim_listener)
		sim_listener->node(sim_listener, ev, &info);
}

void xsched_sim_provider_gone(void)
{
	const struct kfd_xsched_listener *l;

	/* As amdkfd must: the callback runs with no provider lock held. */
	mutex_lock(&xsched_sim_listener_lock);
	l = sim_listener;
	sim_listener = NULL;
	mutex_unlock(&xsched_sim_listener_lock);
	if (l)
		l->gone(l);
}

static int sim_register_listener(const struct kfd_xsched_listener *l)
{
	struct xsched_sim_proc *p;
	struct xsched_sim_q *q;
	unsigned int i;
	int ret = 0;

	mutex_lock(&xsched_sim_listener_lock);
	if (sim_listener) {
		ret = -EBUSY;
		goto out;
	}
	sim_listener = l;
	/* Replay what exists, under the locks that order live events. */
	mutex_lock(&xsched_sim_lock);
	for (i = 0; i < xsched_sim_nr_gpus; i++)
		if (!xsched_sim_gpus[i].gone)
			xsched_sim_notify_node(KFD_XSCHED_NODE_ADDED,
					       &xsched_sim_gpus[i]);
	list_for_each_entry(p, &xsched_sim_procs, link)
		list_for_each_entry(q, &p->queues, link)
			if (!q->dead)
				xsched_sim_notify(KFD_XSCHED_QUEUE_CREATED, q);
	mutex_unlock(&xsched_sim_lock);
out:
	mutex_unlock(&xsched_sim_listener_lock);
	return ret;
}

static void sim_unregister_listener(const struct kfd_xsched_listener *l)
{
	mutex_lock(&xsched_sim_listener_lock);
	if (sim_listener == l)
		sim_listener = NULL;
	mutex_unlock(&xsched_sim_listener_lock);
}

/* Caller holds xsched_sim_lock: the queue of @handle on @gpu, or NULL. */
static struct xsched_sim_q *sim_handle_find(struct xsched_sim_gpu *gpu,
					    u64 handle)
{
	struct xsched_sim_q *q = xa_load(&xsched_sim_handles, handle);

	return q && q->gpu == gpu && !q->dead ? q : NULL;
}

/*
 * After a resume failed (fault FAIL_RESUME), the node's runlist is not
 * mapped: adds to @set every queue of @gpu that is un-paused but still
 * unmapped, so that the next resume maps it even if no flag changes, as
 * amdkfd executes a runlist that is not active.  Caller holds
 * xsched_sim_lock; @set has room for every queue of the node.
 */
static unsigned int sim_unmapped(struct xsched_sim_gpu *gpu,
				 struct xsched_sim_queue **set, unsigned int nr,
				 unsigned int room)
{
	struct xsched_sim_proc *p;
	struct xsched_sim_q *q;

	list_for_each_entry(p, &xsched_sim_procs, link)
		list_for_each_entry(q, &p->queues, link)
			if (q->gpu == gpu && !q->dead && !q->xs_paused &&
			    !q->model.mapped && nr < room)
				set[nr++] = &q->model;
	return nr;
}

/* Queues of @gpu, an upper bound for sim_unmapped(); xsched_sim_lock. */
static unsigned int sim_nr_queues(struct xsched_sim_gpu *gpu)
{
	struct xsched_sim_proc *p;
	struct xsched_sim_q *q;
	unsigned int n = 0;

	list_for_each_entry(p, &xsched_sim_procs, link)
		list_for_each_entry(q, &p->queues, link)
			n += q->gpu == gpu;
	return n;
}

/*
 * One runlist change for every queue of @handles whose state changes;
 * handles that do not resolve on the node are reported in @stale.  The
 * faults armed on the node (XSCHED_SIM_IOC_FAULT) apply here.
 */
static int sim_set_paused(u32 gpu_id, const u64 *handles, unsigned int n,
			  unsigned long *stale, bool pause)
{
	struct xsched_sim_queue **set = NULL;
	struct xsched_sim_gpu *gpu;
	unsigned int i, nr = 0, room = 0, slow_ms = 0;
	bool map_all = false;
	u64 until = 0;
	int ret = 0;

	gpu = xsched_sim_gpu_by_id(gpu_id);
	if (!gpu)
		return -ENODEV;
	if (!n)
		return 0;

	/* The listener lock first: a queue killed here is announced. */
	mutex_lock(&xsched_sim_listener_lock);
	mutex_lock(&xsched_sim_lock);
	if (gpu->gone) {
		ret = -ENODEV;
		goto out;
	}
	if (gpu->reset_until > ktime_get_ns()) {
		ret = -EIO;		/* a reset in progress */
		goto out;
	}
	if (pause && gpu->fail_pause) {
		gpu->fail_pause--;
		ret = -ETIME;		/* a preemption timeout: no change */
		goto out;
	}
	if (gpu->slow_n) {
		gpu->slow_n--;
		slow_ms = gpu->slow_ms;
	}
	map_all = !pause && gpu->unmapped;
	room = n + (map_all ? sim_nr_queues(gpu) : 0);
	set = kmalloc_array(room, sizeof(*set), GFP_KERNEL);
	if (!set) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		struct xsched_sim_q *q = sim_handle_find(gpu, handles[i]);

		if (q && pause && gpu->kill_n) {
			/* Its process dies during the pause. */
			gpu->kill_n--;
			until = max(until, xsched_sim_kill(q));
			q = NULL;
		}
		if (!q) {
			__set_bit(i, stale);
			continue;
		}
		if (q->xs_paused == pause)
			continue;
		q->xs_paused = pause;
		set[nr++] = &q->model;
	}
	if (!pause && gpu->fail_resume) {
		/* Un-paused, but the runlist is not mapped again. */
		gpu->fail_resume--;
		gpu->unmapped = true;
		ret = -EIO;
		goto out;
	}
	if (map_all) {
		nr = sim_unmapped(gpu, set, nr, room);
		gpu->unmapped = false;
	}
	if (nr) {
		spin_lock_bh(&gpu->lock);
		xsched_sim_runlist_change(&gpu->model, set, nr, !pause,
					  ktime_get_ns());
		xsched_sim_rearm(gpu);
		until = gpu->model.stall_until;
		spin_unlock_bh(&gpu->lock);
	}
out:
	mutex_unlock(&xsched_sim_lock);
	mutex_unlock(&xsched_sim_listener_lock);
	kfree(set);
	xsched_sim_runlist_wait(until);
	if (slow_ms)
		msleep(slow_ms);
	return ret;
}

static int sim_pause_queues(u32 gpu_id, const u64 *handles, unsigned int n,
			    unsigned long *stale)
{
	return sim_set_paused(gpu_id, handles, n, stale, true);
}

static int sim_resume_queues(u32 gpu_id, const u64 *handles, unsigned int n,
			     unsigned long *stale)
{
	return sim_set_paused(gpu_id, handles, n, stale, false);
}

/* As AMDKFD_IOC_UPDATE_QUEUE: a new MQD, hence one runlist change. */
static int sim_set_priority(u32 gpu_id, u64 handle, u32 priority)
{
	struct xsched_sim_gpu *gpu = xsched_sim_gpu_by_id(gpu_id);
	struct xsched_sim_q *q;
	u64 until = 0;
	int ret = 0;

	if (!gpu)
		return -ENODEV;
	if (priority > 15)
		return -EINVAL;
	mutex_lock(&xsched_sim_lock);
	q = gpu->gone ? NULL : sim_handle_find(gpu, handle);
	if (!q) {
		ret = gpu->gone ? -ENODEV : -ENOENT;
	} else if (q->priority != priority) {
		q->priority = priority;
		spin_lock_bh(&gpu->lock);
		xsched_sim_runlist_change(&gpu->model, NULL, 0, true,
					  ktime_get_ns());
		xsched_sim_rearm(gpu);
		until = gpu->model.stall_until;
		spin_unlock_bh(&gpu->lock);
	}
	mutex_unlock(&xsched_sim_lock);
	xsched_sim_runlist_wait(until);
	return ret;
}

const struct kfd_xsched_ops xsched_sim_ops = {
	.version = KFD_XSCHED_OPS_VERSION,
	.size = sizeof(struct kfd_xsched_ops),
	.name = "xsched_sim",
	.owner = THIS_MODULE,
	.register_listener = sim_register_listener,
	.unregister_listener = sim_unregister_listener,
	.pause_queues = sim_pause_queues,
	.resume_queues = sim_resume_queues,
	.set_priority = sim_set_priority,
};

/**
 * xsched_sim_get_ops() - the simulated GPU's provider ops
 *
 * Return: the ops; valid until the module unloads (see kfd_xsched.h).
 */
const struct kfd_xsched_ops *xsched_sim_get_ops(void)
{
	return &xsched_sim_ops;
}
EXPORT_SYMBOL_GPL(xsched_sim_get_ops);
