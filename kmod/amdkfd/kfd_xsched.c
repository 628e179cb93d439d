// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * kfd_xsched.c - amdkfd as an xsched queue provider.
 *
 * Implements struct kfd_xsched_ops (kfd_xsched.h, the contract) for KFD
 * user queues, so that an external scheduler can pause and resume
 * queues of one node with CWSR, as one runlist change per call.
 *
 * A pause is the queue property is_xsched_paused, which QUEUE_IS_ACTIVE()
 * honours.  It is independent of memory eviction (is_evicted) and of the
 * debugger (is_suspended): restore and resume leave a paused queue
 * inactive, and clearing the pause leaves an evicted or suspended queue
 * inactive.  Only HWS (cpsch) without MES, with CWSR, is supported: there
 * "inactive" means "not in the runlist" and one execute_queues_cpsch()
 * saves the waves of every mapped queue of the node.  Anything else is
 * refused with -EOPNOTSUPP, never half done.
 *
 * Only AQL compute queues are shown to the scheduler: they are the ones
 * whose read_ptr/write_ptr are ROCr's amd_queue_t read_dispatch_id and
 * write_dispatch_id, which is what it watches for activity.
 *
 * Lock order: p->mutex -> kfd_xsched_lock -> dqm_lock.
 *  - Lifecycle events are sent under kfd_xsched_lock, taken inside
 *    p->mutex by the queue create/destroy hooks.
 *  - Pause and resume take dqm_lock only (never p->mutex), so that the
 *    listener may call them from its KFD_XSCHED_PROVIDER_GONE callback,
 *    which runs with no KFD lock held (the listener calls set_priority
 *    under its own locks, and set_priority takes p->mutex).
 *  - set_priority takes p->mutex and then dqm_lock inside
 *    pqm_update_queue_properties(), as AMDKFD_IOC_UPDATE_QUEUE does.
 * Fail open: a queue whose pause is cleared for any reason is runnable
 * again unless KFD itself holds it (eviction, debugger, queue reset).
 */
#define pr_fmt(fmt) "kfd_xsched: " fmt

#include <linux/err.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/sched/task.h>
#include <linux/slab.h>

#include "kfd_priv.h"
#include "kfd_device_queue_manager.h"
#include "kfd_xsched.h"

/* struct kfd_node (one per partition) in newer trees, kfd_dev before. */
#define kfd_xsched_node_t typeof(kfd_device_by_id(0))

/* Bounds one batch; a node never has this many user queues. */
#define KFD_XSCHED_MAX_BATCH	65536
#define KFD_XSCHED_MAX_PRIORITY	15

static DEFINE_MUTEX(kfd_xsched_lock);
/* Under kfd_xsched_lock. */
static const struct kfd_xsched_listener *kfd_xsched_listener;
/*
 * Bumped for every registered listener.  A queue whose xsched_gen equals
 * it has been announced to the current listener, by a live event or by
 * the replay, so that it is announced exactly once.
 */
static u32 kfd_xsched_gen;

static bool kfd_xsched_eligible(const struct queue *q)
{
	return q->properties.type == KFD_QUEUE_TYPE_COMPUTE &&
	       q->properties.format == KFD_QUEUE_FORMAT_AQL;
}

static pid_t kfd_xsched_tgid(const struct kfd_process *p)
{
	return p->lead_thread->tgid;
}

/* A snapshot: the active and paused flags change under dqm_lock. */
static void kfd_xsched_fill(const struct queue *q,
			    struct kfd_xsched_queue_info *info)
{
	const struct queue_properties *qp = &q->properties;
	u32 state;

	if (READ_ONCE(qp->is_xsched_paused))
		state = KFD_XSCHED_QUEUE_PAUSED;
	else if (READ_ONCE(qp->is_active))
		state = KFD_XSCHED_QUEUE_ACTIVE;
	else
		state = KFD_XSCHED_QUEUE_INACTIVE;

	*info = (struct kfd_xsched_queue_info) {
		.tgid = kfd_xsched_tgid(q->process),
		.queue_id = qp->queue_id,
		.gpu_id = q->device->id,
		.type = KFD_XSCHED_QUEUE_COMPUTE,
		.state = state,
		.priority = qp->priority,
		.ring_va = qp->queue_address,
		.ring_size = qp->queue_size,
		/* For AQL queues ROCr passes &amd_queue_t.read_dispatch_id ... */
		.rptr_va = (u64)(uintptr_t)qp->read_ptr,
		/* ... and &amd_queue_t.write_dispatch_id (GFX9 and later). */
		.wptr_va = (u64)(uintptr_t)qp->write_ptr,
	};
}

/* Caller holds kfd_xsched_lock. */
static void kfd_xsched_send(enum kfd_xsched_event ev, pid_t tgid,
			    const struct queue *q)
{
	struct kfd_xsched_queue_info info;

	lockdep_assert_held(&kfd_xsched_lock);
	if (q)
		kfd_xsched_fill(q, &info);
	kfd_xsched_listener->event(kfd_xsched_listener, ev, tgid,
				   q ? &info : NULL);
}

/**
 * kfd_xsched_queue_created() - lifecycle hook, end of pqm_create_queue()
 * @q: the new queue; the caller holds its process's mutex
 */
void kfd_xsched_queue_created(struct queue *q)
{
	if (!kfd_xsched_eligible(q))
		return;
	mutex_lock(&kfd_xsched_lock);
	if (kfd_xsched_listener && q->properties.xsched_gen != kfd_xsched_gen) {
		q->properties.xsched_gen = kfd_xsched_gen;
		kfd_xsched_send(KFD_XSCHED_QUEUE_CREATED,
				kfd_xsched_tgid(q->process), q);
	}
	mutex_unlock(&kfd_xsched_lock);
}

/**
 * kfd_xsched_queue_destroyed() - lifecycle hook, pqm_destroy_queue()
 * @q: the queue, already out of the runlist and not yet freed; the
 *     caller holds its process's mutex
 */
void kfd_xsched_queue_destroyed(struct queue *q)
{
	mutex_lock(&kfd_xsched_lock);
	/* Only a queue this listener was told about is news to it. */
	if (kfd_xsched_listener && q->properties.xsched_gen == kfd_xsched_gen)
		kfd_xsched_send(KFD_XSCHED_QUEUE_DESTROYED,
				kfd_xsched_tgid(q->process), q);
	q->properties.xsched_gen = 0;
	mutex_unlock(&kfd_xsched_lock);
}

/**
 * kfd_xsched_process_gone() - lifecycle hook, process notifier release
 * @p: the process, already out of kfd_processes_table
 *
 * Its queues are torn down later, without further events: they can no
 * longer be looked up by tgid, so nothing can pause them again.
 */
void kfd_xsched_process_gone(struct kfd_process *p)
{
	mutex_lock(&kfd_xsched_lock);
	if (kfd_xsched_listener)
		kfd_xsched_send(KFD_XSCHED_PROCESS_GONE, kfd_xsched_tgid(p),
				NULL);
	mutex_unlock(&kfd_xsched_lock);
}

/* A reference on the live process with this (global) tgid, or NULL. */
static struct kfd_process *kfd_xsched_find_process(pid_t tgid)
{
	struct kfd_process *p;
	struct pid *pid;

	if (tgid <= 0)
		return NULL;
	rcu_read_lock();
	pid = get_pid(find_pid_ns(tgid, &init_pid_ns));
	rcu_read_unlock();
	if (!pid)
		return NULL;
	p = kfd_lookup_process_by_pid(pid);
	put_pid(pid);
	return p;
}

/* Caller holds dqm_lock (the qpd's queue list is the dqm's). */
static struct queue *kfd_xsched_find_queue(struct qcm_process_device *qpd,
					   u32 queue_id)
{
	struct queue *q;

	list_for_each_entry(q, &qpd->queues_list, list)
		if (q->properties.queue_id == queue_id)
			return kfd_xsched_eligible(q) ? q : NULL;
	return NULL;
}

/* Looks the node up and checks that it can pause queues. */
static int kfd_xsched_node(u32 gpu_id, kfd_xsched_node_t *out)
{
	kfd_xsched_node_t node = kfd_device_by_id(gpu_id);
	const char *why = NULL;
	int ret;

	if (!node || !node->dqm)
		return -ENODEV;
	ret = dqm_xsched_supported(node->dqm, &why);
	if (ret) {
		pr_warn_ratelimited("gpu_id %u: cannot pause queues: %s\n",
				    gpu_id, why);
		return ret;
	}
	*out = node;
	return 0;
}

/*
 * Clears every xsched pause on @node, as one runlist change.  The
 * provider's own guarantee that nothing stays paused when the scheduler
 * goes, whatever the scheduler did.
 */
static void kfd_xsched_clear_node(kfd_xsched_node_t node)
{
	struct device_queue_manager *dqm = node->dqm;
	struct device_process_node *cur;
	const char *why;
	bool changed = false;
	struct queue *q;
	int ret;

	if (!dqm || dqm_xsched_supported(dqm, &why))
		return;	/* nothing can have been paused */
	dqm_lock(dqm);
	list_for_each_entry(cur, &dqm->queues, list)
		list_for_each_entry(q, &cur->qpd->queues_list, list)
			if (q->properties.is_xsched_paused)
				changed |= dqm_xsched_set_paused(dqm, cur->qpd,
								 q, false);
	ret = changed ? dqm_xsched_execute(dqm) : 0;
	dqm_unlock(dqm);
	if (ret)
		pr_warn("gpu_id %u: runlist update after clearing pauses failed: %d; the queues are marked runnable\n",
			node->id, ret);
}

static void kfd_xsched_clear_all(void)
{
	kfd_xsched_node_t node;
	unsigned int i;

	/* The topology index is a u8: at most 256 nodes. */
	for (i = 0; i <= U8_MAX; i++) {
		if (kfd_topology_enum_kfd_devices(i, &node))
			break;
		if (node)	/* NULL for CPU nodes */
			kfd_xsched_clear_node(node);
	}
}

/**
 * kfd_xsched_provider_gone() - hook: the provider is about to go away
 *
 * Called where amdkfd shuts down (kgd2kfd_exit()) and where a device
 * goes (kgd2kfd_device_exit()).  Tells the listener, which may still
 * pause and resume during the callback and must not call any op after
 * it, then clears every xsched pause itself.  Without a listener it
 * only clears.
 */
void kfd_xsched_provider_gone(void)
{
	const struct kfd_xsched_listener *l;

	mutex_lock(&kfd_xsched_lock);
	l = kfd_xsched_listener;
	kfd_xsched_listener = NULL;
	mutex_unlock(&kfd_xsched_lock);
	/*
	 * Outside kfd_xsched_lock: the listener holds its own locks across
	 * set_priority (which takes p->mutex), and p->mutex is taken outside
	 * kfd_xsched_lock by the create/destroy hooks.  Events from now on
	 * are dropped; the listener is letting go of everything anyway.
	 */
	if (l)
		l->event(l, KFD_XSCHED_PROVIDER_GONE, 0, NULL);
	kfd_xsched_clear_all();
}

/* Caller holds p->mutex and kfd_xsched_lock. */
static void kfd_xsched_replay(struct kfd_process *p, u32 gen)
{
	struct process_queue_node *pqn;

	list_for_each_entry(pqn, &p->pqm.queues, process_queue_list) {
		struct queue *q = pqn->q;

		if (!q || !kfd_xsched_eligible(q) ||
		    q->properties.xsched_gen == gen)
			continue;
		q->properties.xsched_gen = gen;
		kfd_xsched_send(KFD_XSCHED_QUEUE_CREATED, kfd_xsched_tgid(p),
				q);
	}
}

static int kfd_xsched_register_listener(const struct kfd_xsched_listener *l)
{
	struct kfd_process *p;
	unsigned int bkt;
	u32 gen;
	int idx;

	mutex_lock(&kfd_xsched_lock);
	if (kfd_xsched_listener) {
		mutex_unlock(&kfd_xsched_lock);
		return -EBUSY;
	}
	kfd_xsched_listener = l;
	/* 0 is what a new queue starts with: never a listener's. */
	if (!++kfd_xsched_gen)
		++kfd_xsched_gen;
	gen = kfd_xsched_gen;
	mutex_unlock(&kfd_xsched_lock);

	/*
	 * Replay, one process at a time under its mutex (which orders the
	 * replay against its live events).  A queue created meanwhile is
	 * announced by whichever comes first, the other skips it.  SRCU
	 * keeps every listed process valid; those leaving the table are
	 * waited for by their own release, never the other way round.
	 */
	idx = srcu_read_lock(&kfd_processes_srcu);
	hash_for_each_rcu(kfd_processes_table, bkt, p, kfd_processes) {
		mutex_lock(&p->mutex);
		mutex_lock(&kfd_xsched_lock);
		if (kfd_xsched_listener == l && kfd_xsched_gen == gen)
			kfd_xsched_replay(p, gen);
		mutex_unlock(&kfd_xsched_lock);
		mutex_unlock(&p->mutex);
	}
	srcu_read_unlock(&kfd_processes_srcu, idx);
	return 0;
}

static void kfd_xsched_unregister_listener(const struct kfd_xsched_listener *l)
{
	bool mine;

	mutex_lock(&kfd_xsched_lock);
	mine = kfd_xsched_listener == l;
	if (mine)
		kfd_xsched_listener = NULL;
	mutex_unlock(&kfd_xsched_lock);
	/* No scheduler, no pauses: fail open whatever it left behind. */
	if (mine)
		kfd_xsched_clear_all();
}

static int kfd_xsched_walk_nodes(kfd_xsched_node_fn fn, void *ctx)
{
	kfd_xsched_node_t node;
	unsigned int i;
	char name[64];
	int ret;

	for (i = 0; i <= U8_MAX; i++) {
		if (kfd_topology_enum_kfd_devices(i, &node))
			break;
		if (!node)
			continue;
		snprintf(name, sizeof(name), "amdkfd gpu_id %u", node->id);
		ret = fn(ctx, node->id, name);
		if (ret)
			return ret;
	}
	return 0;
}

static struct kfd_xsched_process *kfd_xsched_process_get(pid_t tgid)
{
	struct kfd_process *p = kfd_xsched_find_process(tgid);

	return p ? (struct kfd_xsched_process *)p : ERR_PTR(-ESRCH);
}

static void kfd_xsched_process_put(struct kfd_xsched_process *kp)
{
	kfd_unref_process((struct kfd_process *)kp);
}

/* @fn runs under p->mutex and must not call back into the ops. */
static int kfd_xsched_queue_enum(struct kfd_xsched_process *kp,
				 kfd_xsched_queue_fn fn, void *ctx)
{
	struct kfd_process *p = (struct kfd_process *)kp;
	struct kfd_xsched_queue_info info;
	struct process_queue_node *pqn;
	int ret = 0;

	mutex_lock(&p->mutex);
	list_for_each_entry(pqn, &p->pqm.queues, process_queue_list) {
		if (!pqn->q || !kfd_xsched_eligible(pqn->q))
			continue;
		kfd_xsched_fill(pqn->q, &info);
		ret = fn(ctx, &info);
		if (ret)
			break;
	}
	mutex_unlock(&p->mutex);
	return ret;
}

struct kfd_xsched_slot {
	struct kfd_process *p;		/* reference held */
	struct qcm_process_device *qpd;	/* queue flipped, if q */
	struct queue *q;
};

/*
 * Pause or resume the queues @qs of node @gpu_id as one runlist change.
 *
 * Processes are looked up first (a reference each, no lock), then
 * everything else happens under dqm_lock alone: the qpd queue lists and
 * the active state belong to the dqm, and not taking p->mutex is what
 * lets one batch span processes and lets the PROVIDER_GONE callback
 * resume.  Queues that are gone are skipped.
 *
 * A pause that the runlist update refuses is rolled back (the queues are
 * runnable again in KFD's state; the failed update has already started
 * the recovery that remaps them).  A resume keeps the queues runnable
 * even then and reports the error; repeating it is a no-op.
 */
static int kfd_xsched_set_paused(u32 gpu_id,
				 const struct kfd_xsched_queue_ref *qs,
				 unsigned int n, bool pause)
{
	struct kfd_process_device *pdd;
	struct device_queue_manager *dqm;
	struct kfd_xsched_slot *slot;
	kfd_xsched_node_t node;
	unsigned int i, nr = 0;
	bool changed = false;
	int ret;

	ret = kfd_xsched_node(gpu_id, &node);
	if (ret)
		return ret;
	if (!n)
		return 0;
	if (n > KFD_XSCHED_MAX_BATCH)
		return -E2BIG;
	slot = kvcalloc(n, sizeof(*slot), GFP_KERNEL);
	if (!slot)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		slot[i].p = kfd_xsched_find_process(qs[i].tgid);

	dqm = node->dqm;
	dqm_lock(dqm);
	for (i = 0; i < n; i++) {
		struct queue *q;

		if (!slot[i].p)
			continue;
		pdd = kfd_get_process_device_data(node, slot[i].p);
		if (!pdd)
			continue;
		q = kfd_xsched_find_queue(&pdd->qpd, qs[i].queue_id);
		if (!q || q->properties.is_xsched_paused == pause)
			continue;
		changed |= dqm_xsched_set_paused(dqm, &pdd->qpd, q, pause);
		slot[nr].qpd = &pdd->qpd;
		slot[nr].q = q;
		nr++;
	}
	ret = changed ? dqm_xsched_execute(dqm) : 0;
	if (ret && pause)
		for (i = 0; i < nr; i++)
			dqm_xsched_set_paused(dqm, slot[i].qpd, slot[i].q,
					      false);
	dqm_unlock(dqm);

	for (i = 0; i < n; i++)
		if (slot[i].p)
			kfd_unref_process(slot[i].p);
	kvfree(slot);
	if (ret)
		pr_warn_ratelimited("gpu_id %u: %s of %u queue(s): runlist update failed: %d\n",
				    gpu_id, pause ? "pause" : "resume", nr,
				    ret);
	return ret;
}

static int kfd_xsched_pause_queues(u32 gpu_id,
				   const struct kfd_xsched_queue_ref *qs,
				   unsigned int n)
{
	return kfd_xsched_set_paused(gpu_id, qs, n, true);
}

static int kfd_xsched_resume_queues(u32 gpu_id,
				    const struct kfd_xsched_queue_ref *qs,
				    unsigned int n)
{
	return kfd_xsched_set_paused(gpu_id, qs, n, false);
}

/*
 * The AMDKFD_IOC_UPDATE_QUEUE path with every property but the priority
 * unchanged: p->mutex, then pqm_update_queue_properties(), which takes
 * dqm_lock and rewrites the MQD between an unmap and a map of the node.
 */
static int kfd_xsched_set_priority(u32 gpu_id,
				   const struct kfd_xsched_queue_ref *r,
				   u32 priority)
{
	struct queue_properties props;
	struct process_queue_node *pqn;
	struct queue *q = NULL;
	kfd_xsched_node_t node;
	struct kfd_process *p;
	int ret;

	if (priority > KFD_XSCHED_MAX_PRIORITY)
		return -EINVAL;
	ret = kfd_xsched_node(gpu_id, &node);
	if (ret)
		return ret;
	p = kfd_xsched_find_process(r->tgid);
	if (!p)
		return -ESRCH;

	mutex_lock(&p->mutex);
	list_for_each_entry(pqn, &p->pqm.queues, process_queue_list) {
		if (pqn->q && pqn->q->properties.queue_id == r->queue_id) {
			q = pqn->q;
			break;
		}
	}
	if (!q || q->device != node || !kfd_xsched_eligible(q)) {
		ret = -ENOENT;
	} else if (q->properties.priority != priority) {
		props = q->properties;
		props.priority = priority;
		ret = pqm_update_queue_properties(&p->pqm, r->queue_id, &props);
	}
	mutex_unlock(&p->mutex);
	kfd_unref_process(p);
	return ret;
}

static const struct kfd_xsched_ops kfd_xsched_ops = {
	.version = KFD_XSCHED_OPS_VERSION,
	.size = sizeof(struct kfd_xsched_ops),
	.name = "amdkfd",
	.owner = THIS_MODULE,
	.register_listener = kfd_xsched_register_listener,
	.unregister_listener = kfd_xsched_unregister_listener,
	.walk_nodes = kfd_xsched_walk_nodes,
	.process_get = kfd_xsched_process_get,
	.process_put = kfd_xsched_process_put,
	.queue_enum = kfd_xsched_queue_enum,
	.pause_queues = kfd_xsched_pause_queues,
	.resume_queues = kfd_xsched_resume_queues,
	.set_priority = kfd_xsched_set_priority,
};

/**
 * kfd_xsched_get_ops() - amdkfd's xsched provider ops
 *
 * Return: the ops; valid until kfd_xsched_provider_gone() (see
 * kfd_xsched.h).
 */
const struct kfd_xsched_ops *kfd_xsched_get_ops(void)
{
	return &kfd_xsched_ops;
}
EXPORT_SYMBOL_GPL(kfd_xsched_get_ops);
