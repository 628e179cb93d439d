// SPDX-License-Identifier: GPL-2.0
/*
 * xsched_sim.ko: struct kfd_xsched_ops for the simulated GPU, following
 * the contract in kfd_xsched.h exactly as the amdkfd provider must.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "xsched_sim.h"

static const struct kfd_xsched_listener *sim_listener;

void xsched_sim_q_info(const struct xsched_sim_q *q,
		       struct kfd_xsched_queue_info *info)
{
	*info = (struct kfd_xsched_queue_info) {
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
	};
}

/* Caller holds xsched_sim_listener_lock (and xsched_sim_lock for @q). */
void xsched_sim_notify(enum kfd_xsched_event ev, pid_t tgid,
		       const struct xsched_sim_q *q)
{
	struct kfd_xsched_queue_info info;

	lockdep_assert_held(&xsched_sim_listener_lock);
	if (!sim_listener)
		return;
	if (q)
		xsched_sim_q_info(q, &info);
	sim_listener->event(sim_listener, ev, tgid, q ? &info : NULL);
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
		l->event(l, KFD_XSCHED_PROVIDER_GONE, 0, NULL);
}

static int sim_register_listener(const struct kfd_xsched_listener *l)
{
	struct xsched_sim_proc *p;
	struct xsched_sim_q *q;
	int ret = 0;

	mutex_lock(&xsched_sim_listener_lock);
	if (sim_listener) {
		ret = -EBUSY;
		goto out;
	}
	sim_listener = l;
	/* Replay what exists, under the lock that orders live events. */
	mutex_lock(&xsched_sim_lock);
	list_for_each_entry(p, &xsched_sim_procs, link)
		list_for_each_entry(q, &p->queues, link)
			xsched_sim_notify(KFD_XSCHED_QUEUE_CREATED, p->tgid, q);
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

static int sim_walk_nodes(kfd_xsched_node_fn fn, void *ctx)
{
	unsigned int i;
	int ret;

	for (i = 0; i < xsched_sim_nr_gpus; i++) {
		ret = fn(ctx, xsched_sim_gpus[i].model.gpu_id,
			 xsched_sim_gpus[i].name);
		if (ret)
			return ret;
	}
	return 0;
}

/* Caller holds xsched_sim_lock. */
static struct xsched_sim_proc *sim_proc_find(pid_t tgid)
{
	struct xsched_sim_proc *p;

	list_for_each_entry(p, &xsched_sim_procs, link)
		if (p->tgid == tgid)
			return p;
	return NULL;
}

static struct kfd_xsched_process *sim_process_get(pid_t tgid)
{
	struct xsched_sim_proc *p;

	mutex_lock(&xsched_sim_lock);
	p = sim_proc_find(tgid);
	if (p)
		kref_get(&p->ref);
	mutex_unlock(&xsched_sim_lock);
	return p ? (struct kfd_xsched_process *)p : ERR_PTR(-ESRCH);
}

static void sim_process_put(struct kfd_xsched_process *kp)
{
	xsched_sim_proc_put((struct xsched_sim_proc *)kp);
}

static int sim_queue_enum(struct kfd_xsched_process *kp,
			  kfd_xsched_queue_fn fn, void *ctx)
{
	struct xsched_sim_proc *p = (struct xsched_sim_proc *)kp;
	struct kfd_xsched_queue_info info;
	struct xsched_sim_q *q;
	int ret = 0;

	mutex_lock(&xsched_sim_lock);
	list_for_each_entry(q, &p->queues, link) {
		xsched_sim_q_info(q, &info);
		ret = fn(ctx, &info);
		if (ret)
			break;
	}
	mutex_unlock(&xsched_sim_lock);
	return ret;
}

/*
 * Caller holds xsched_sim_lock.  *@last caches the process of the
 * previous reference: a batch lists a process's queues together.
 */
static struct xsched_sim_q *sim_ref_find(struct xsched_sim_gpu *gpu,
					 const struct kfd_xsched_queue_ref *r,
					 struct xsched_sim_proc **last)
{
	struct xsched_sim_proc *p = *last;
	struct xsched_sim_q *q;

	if (!p || p->tgid != r->tgid) {
		p = sim_proc_find(r->tgid);
		*last = p;
	}
	if (!p)
		return NULL;
	q = xa_load(&p->byid, r->queue_id);
	return q && q->gpu == gpu && !q->dead ? q : NULL;
}

/* One runlist change for every queue of @qs whose state changes. */
static int sim_set_paused(u32 gpu_id, const struct kfd_xsched_queue_ref *qs,
			  unsigned int n, bool pause)
{
	struct xsched_sim_proc *last = NULL;
	struct xsched_sim_queue **set;
	struct xsched_sim_gpu *gpu;
	unsigned int i, nr = 0;
	u64 until = 0;

	gpu = xsched_sim_gpu_by_id(gpu_id);
	if (!gpu)
		return -ENODEV;
	if (!n)
		return 0;
	set = kmalloc_array(n, sizeof(*set), GFP_KERNEL);
	if (!set)
		return -ENOMEM;

	mutex_lock(&xsched_sim_lock);
	for (i = 0; i < n; i++) {
		struct xsched_sim_q *q = sim_ref_find(gpu, &qs[i], &last);

		if (!q || q->xs_paused == pause)
			continue;
		q->xs_paused = pause;
		set[nr++] = &q->model;
	}
	if (nr) {
		spin_lock_bh(&gpu->lock);
		xsched_sim_runlist_change(&gpu->model, set, nr, !pause,
					  ktime_get_ns());
		xsched_sim_rearm(gpu);
		until = gpu->model.stall_until;
		spin_unlock_bh(&gpu->lock);
	}
	mutex_unlock(&xsched_sim_lock);
	kfree(set);
	xsched_sim_runlist_wait(until);
	return 0;
}

static int sim_pause_queues(u32 gpu_id, const struct kfd_xsched_queue_ref *qs,
			    unsigned int n)
{
	return sim_set_paused(gpu_id, qs, n, true);
}

static int sim_resume_queues(u32 gpu_id, const struct kfd_xsched_queue_ref *qs,
			     unsigned int n)
{
	return sim_set_paused(gpu_id, qs, n, false);
}

/* As AMDKFD_IOC_UPDATE_QUEUE: a new MQD, hence one runlist change. */
static int sim_set_priority(u32 gpu_id, const struct kfd_xsched_queue_ref *r,
			    u32 priority)
{
	struct xsched_sim_gpu *gpu = xsched_sim_gpu_by_id(gpu_id);
	struct xsched_sim_proc *last = NULL;
	struct xsched_sim_q *q;
	u64 until = 0;
	int ret = 0;

	if (!gpu)
		return -ENODEV;
	if (priority > 15)
		return -EINVAL;
	mutex_lock(&xsched_sim_lock);
	q = sim_ref_find(gpu, r, &last);
	if (!q) {
		ret = -ENOENT;
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
	.walk_nodes = sim_walk_nodes,
	.process_get = sim_process_get,
	.process_put = sim_process_put,
	.queue_enum = sim_queue_enum,
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
