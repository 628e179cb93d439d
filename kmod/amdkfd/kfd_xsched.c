// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * kfd_xsched.c - amdkfd as an xsched queue provider (kfd_xsched.h, v2).
 *
 * An external scheduler pauses and resumes user queues of one node, a
 * set at a time, as one runlist change: one execute_queues_cpsch(), i.e.
 * a CWSR save of the node's queues and a runlist of the active ones.  A
 * pause is the queue property is_xsched_paused, which QUEUE_IS_ACTIVE()
 * honours; memory eviction and the debugger's suspend neither undo it
 * nor are undone by it.  Only HWS without MES, with CWSR, can pause
 * (dqm_xsched_supported()); elsewhere pause and resume are refused.
 * Only AQL compute queues are shown: their read_ptr and write_ptr are
 * ROCr's amd_queue_t dispatch ids, which the scheduler watches.
 *
 * Lock order: p->mutex -> kfd_xsched_lock -> kfd_xsched_node_sem -> dqm_lock.
 *  - kfd_xsched_lock orders every event and the replay; it guards the
 *    listener, kfd_xsched_gen and each queue's xsched_gen.  Callbacks
 *    run under it (queue events also under the owner's p->mutex, except
 *    from pqm_uninit(), whose process is unreachable) and never under
 *    dqm_lock, so they may pin the owner's pages.
 *  - kfd_xsched_node_sem keeps a node alive: ops hold it shared while
 *    they use one, the node hooks exclusively to add or remove one.
 *  - Ops never take kfd_xsched_lock, and take p->mutex only holding
 *    nothing else (set_priority, as AMDKFD_IOC_UPDATE_QUEUE does).
 *
 * The hooks (kfd_priv.h) and what each guarantees:
 *  - kfd_xsched_queue_init(), init_user_queue(): a handle before the
 *    queue is in any list; unique for amdkfd's lifetime, never reused.
 *  - kfd_xsched_queue_created(), end of pqm_create_queue(): QUEUE_CREATED
 *    in the creator's context, with its state and its owner's mm.
 *  - kfd_xsched_queue_destroyed(), pqm_destroy_queue() and pqm_uninit()
 *    (every user queue is freed by one of them, whatever removed it),
 *    with the queue out of the runlist: QUEUE_DESTROYED if announced.
 *  - kfd_xsched_node_added(), end of kgd2kfd_device_init(): NODE_ADDED.
 *  - kfd_xsched_node_gone(), kgd2kfd_device_exit() before the teardown:
 *    no op reaches the node after it, its pauses are cleared, NODE_GONE.
 *  - kfd_xsched_exit(), kgd2kfd_exit() (amdgpu unload): the listener is
 *    unregistered, gone() called with no lock held, every pause cleared.
 */
#define pr_fmt(fmt) "kfd_xsched: " fmt

#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/rwsem.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/sort.h>

#include "kfd_priv.h"
#include "kfd_device_queue_manager.h"
#include "kfd_xsched.h"

/* Bounds one batch; a node never has this many user queues. */
#define KFD_XSCHED_MAX_BATCH	65536
#define KFD_XSCHED_MAX_PRIORITY	15

static DEFINE_MUTEX(kfd_xsched_lock);
static DECLARE_RWSEM(kfd_xsched_node_sem);
/* The dqm of every usable node; changed under both locks above. */
static LIST_HEAD(kfd_xsched_nodes);
/* Under kfd_xsched_lock. */
static const struct kfd_xsched_listener *kfd_xsched_listener;
static bool kfd_xsched_exiting;
/*
 * Bumped for every registered listener.  A queue whose xsched_gen equals
 * it has been announced to the current listener, by a live event or by
 * the replay: it is announced once, and its end only if it was.
 */
static u64 kfd_xsched_gen;

static bool kfd_xsched_eligible(const struct queue *q)
{
	return q->properties.type == KFD_QUEUE_TYPE_COMPUTE &&
	       q->properties.format == KFD_QUEUE_FORMAT_AQL;
}

/* Caller holds kfd_xsched_lock or kfd_xsched_node_sem. */
static bool kfd_xsched_listed(const struct device_queue_manager *dqm)
{
	const struct device_queue_manager *cur;

	list_for_each_entry(cur, &kfd_xsched_nodes, xsched_node)
		if (cur == dqm)
			return true;
	return false;
}

/* Caller holds kfd_xsched_node_sem. */
static struct device_queue_manager *kfd_xsched_find_node(u32 gpu_id)
{
	struct device_queue_manager *dqm;

	list_for_each_entry(dqm, &kfd_xsched_nodes, xsched_node)
		if (dqm->dev->id == gpu_id)
			return dqm;
	return NULL;
}

/* Caller holds dqm_lock; the queue with @handle on @dqm, or NULL. */
static struct queue *kfd_xsched_find_queue(struct device_queue_manager *dqm,
					   u64 handle)
{
	struct device_process_node *cur;
	struct queue *q;

	list_for_each_entry(cur, &dqm->queues, list)
		list_for_each_entry(q, &cur->qpd->queues_list, list)
			if (q->properties.xsched_handle == handle)
				return kfd_xsched_eligible(q) ? q : NULL;
	return NULL;
}

/* Caller holds kfd_xsched_lock. */
static void kfd_xsched_send_node(struct device_queue_manager *dqm,
				 enum kfd_xsched_event ev)
{
	struct kfd_xsched_node_info info = { .gpu_id = dqm->dev->id };
	char name[64];

	lockdep_assert_held(&kfd_xsched_lock);
	if (!kfd_xsched_listener)
		return;
	if (ev == KFD_XSCHED_NODE_ADDED) {
		if (!dqm_xsched_supported(dqm, &info.why))
			info.caps = KFD_XSCHED_NODE_PREEMPTIVE;
		snprintf(name, sizeof(name), "amdgpu %s",
			 dev_name(dqm->dev->adev->dev));
		info.name = name;
	}
	kfd_xsched_listener->node(kfd_xsched_listener, ev, &info);
}

/*
 * Caller holds kfd_xsched_lock and, for QUEUE_CREATED, a user reference
 * on @mm, the owner's address space.
 */
static void kfd_xsched_send_queue(struct queue *q, enum kfd_xsched_event ev,
				  struct mm_struct *mm)
{
	const struct queue_properties *qp = &q->properties;
	struct kfd_xsched_queue_info info = {
		.handle = qp->xsched_handle,
		.tgid = q->process->lead_thread->tgid,
		.queue_id = qp->queue_id,
		.gpu_id = q->device->id,
		.type = KFD_XSCHED_QUEUE_COMPUTE,
	};

	lockdep_assert_held(&kfd_xsched_lock);
	if (ev == KFD_XSCHED_QUEUE_CREATED) {
		/* The active and paused flags change under dqm_lock. */
		dqm_lock(q->device->dqm);
		if (qp->is_xsched_paused)
			info.state = KFD_XSCHED_QUEUE_PAUSED;
		else if (qp->is_active)
			info.state = KFD_XSCHED_QUEUE_ACTIVE;
		else
			info.state = KFD_XSCHED_QUEUE_INACTIVE;
		dqm_unlock(q->device->dqm);
		info.priority = qp->priority;
		info.ring_va = qp->queue_address;
		info.ring_size = qp->queue_size;
		/* For AQL queues ROCr passes &amd_queue_t.read_dispatch_id ... */
		info.rptr_va = (u64)(uintptr_t)qp->read_ptr;
		/* ... and &amd_queue_t.write_dispatch_id (GFX9 and later). */
		info.wptr_va = (u64)(uintptr_t)qp->write_ptr;
		info.mm = mm;
	}
	kfd_xsched_listener->queue(kfd_xsched_listener, ev, &info);
}

/**
 * kfd_xsched_queue_init() - hook: a user queue is being set up
 * @q: the queue, not yet in any list
 */
void kfd_xsched_queue_init(struct queue *q)
{
	/* 2^64 handles: never wraps, so never reused. */
	static atomic64_t last_handle = ATOMIC64_INIT(0);

	q->properties.xsched_handle = atomic64_inc_return(&last_handle);
	q->properties.is_xsched_paused = false;
	q->properties.xsched_gen = 0;
}

/**
 * kfd_xsched_queue_created() - hook: end of pqm_create_queue()
 * @q: the new queue; the caller holds its process's mutex
 */
void kfd_xsched_queue_created(struct queue *q)
{
	struct mm_struct *mm = current->mm;

	/*
	 * The owner's mm is certain only in the owner's context: every
	 * creation but one through the fd of another address space (a
	 * debugger's).  Such a queue is never paused; a replay shows it.
	 */
	if (!kfd_xsched_eligible(q) || !mm || mm != READ_ONCE(q->process->mm))
		return;
	mutex_lock(&kfd_xsched_lock);
	if (kfd_xsched_listener && q->properties.xsched_gen != kfd_xsched_gen &&
	    kfd_xsched_listed(q->device->dqm)) {
		q->properties.xsched_gen = kfd_xsched_gen;
		kfd_xsched_send_queue(q, KFD_XSCHED_QUEUE_CREATED, mm);
	}
	mutex_unlock(&kfd_xsched_lock);
}

/**
 * kfd_xsched_queue_destroyed() - hook: a user queue is about to be freed
 * @q: the queue (NULL: none), already out of the runlist
 */
void kfd_xsched_queue_destroyed(struct queue *q)
{
	if (!q)
		return;
	mutex_lock(&kfd_xsched_lock);
	/* Only a queue this listener was told about is news to it. */
	if (kfd_xsched_listener && q->properties.xsched_gen == kfd_xsched_gen)
		kfd_xsched_send_queue(q, KFD_XSCHED_QUEUE_DESTROYED, NULL);
	q->properties.xsched_gen = 0;
	mutex_unlock(&kfd_xsched_lock);
}

/*
 * Clears every xsched pause on @dqm, as one runlist change.  With
 * @forget (the node goes) its queues are no news to the listener any
 * more: no QUEUE_DESTROYED follows NODE_GONE.  The caller keeps @dqm
 * alive, and holds kfd_xsched_lock for @forget.
 */
static void kfd_xsched_clear_node(struct device_queue_manager *dqm,
				  bool forget)
{
	struct device_process_node *cur;
	bool changed = false;
	struct queue *q;
	int ret = 0;

	dqm_lock(dqm);
	list_for_each_entry(cur, &dqm->queues, list) {
		list_for_each_entry(q, &cur->qpd->queues_list, list) {
			if (forget)
				q->properties.xsched_gen = 0;
			if (q->properties.is_xsched_paused &&
			    dqm_xsched_set_paused(dqm, cur->qpd, q, false) > 0)
				changed = true;
		}
	}
	/* Only a preemptive node can have had a pause. */
	if (changed)
		ret = dqm_xsched_execute(dqm);
	dqm_unlock(dqm);
	if (ret)
		pr_warn("gpu_id %u: runlist update after clearing pauses failed: %d; the queues are marked runnable\n",
			dqm->dev->id, ret);
}

static void kfd_xsched_clear_all(void)
{
	struct device_queue_manager *dqm;

	down_read(&kfd_xsched_node_sem);
	list_for_each_entry(dqm, &kfd_xsched_nodes, xsched_node)
		kfd_xsched_clear_node(dqm, false);
	up_read(&kfd_xsched_node_sem);
}

/**
 * kfd_xsched_node_added() - hook: a node is ready for user queues
 * @dqm: its queue manager
 */
void kfd_xsched_node_added(struct device_queue_manager *dqm)
{
	if (!dqm)
		return;
	mutex_lock(&kfd_xsched_lock);
	if (!kfd_xsched_listed(dqm)) {
		down_write(&kfd_xsched_node_sem);
		list_add_tail(&dqm->xsched_node, &kfd_xsched_nodes);
		up_write(&kfd_xsched_node_sem);
		kfd_xsched_send_node(dqm, KFD_XSCHED_NODE_ADDED);
	}
	mutex_unlock(&kfd_xsched_lock);
}

/**
 * kfd_xsched_node_gone() - hook: a node is about to be torn down
 * @dqm: its queue manager, still working
 */
void kfd_xsched_node_gone(struct device_queue_manager *dqm)
{
	if (!dqm)
		return;
	mutex_lock(&kfd_xsched_lock);
	if (kfd_xsched_listed(dqm)) {
		/* Waits for the ops using the node; none finds it after. */
		down_write(&kfd_xsched_node_sem);
		list_del_init(&dqm->xsched_node);
		up_write(&kfd_xsched_node_sem);
		kfd_xsched_clear_node(dqm, true);
		kfd_xsched_send_node(dqm, KFD_XSCHED_NODE_GONE);
	}
	mutex_unlock(&kfd_xsched_lock);
}

/**
 * kfd_xsched_exit() - hook: amdkfd shuts down (amdgpu unload)
 *
 * The listener may still call ops from its gone() callback, which runs
 * with no KFD lock held; every pause is cleared after it, whatever it did.
 */
void kfd_xsched_exit(void)
{
	const struct kfd_xsched_listener *l;

	mutex_lock(&kfd_xsched_lock);
	l = kfd_xsched_listener;
	kfd_xsched_listener = NULL;
	kfd_xsched_exiting = true;
	mutex_unlock(&kfd_xsched_lock);
	if (l && l->gone)
		l->gone(l);
	kfd_xsched_clear_all();
}

/*
 * Announces @p's queues to @l unless @l went meanwhile.  Caller is in a
 * kfd_processes_srcu read section that found @p in the table: its
 * notifier release, which drops the mm, waits for it.
 */
static void kfd_xsched_replay(struct kfd_process *p,
			      const struct kfd_xsched_listener *l, u64 gen)
{
	struct mm_struct *mm = READ_ONCE(p->mm);
	struct process_queue_node *pqn;

	/* An address space torn down: the process and its queues go. */
	if (!mm || !mmget_not_zero(mm))
		return;
	mutex_lock(&p->mutex);
	mutex_lock(&kfd_xsched_lock);
	if (kfd_xsched_listener == l && kfd_xsched_gen == gen) {
		list_for_each_entry(pqn, &p->pqm.queues, process_queue_list) {
			struct queue *q = pqn->q;

			if (!q || !kfd_xsched_eligible(q) ||
			    q->properties.xsched_gen == gen ||
			    !kfd_xsched_listed(q->device->dqm))
				continue;
			q->properties.xsched_gen = gen;
			kfd_xsched_send_queue(q, KFD_XSCHED_QUEUE_CREATED, mm);
		}
	}
	mutex_unlock(&kfd_xsched_lock);
	mutex_unlock(&p->mutex);
	/* The last user's mmput() would wait for this SRCU reader. */
	mmput_async(mm);
}

static int kfd_xsched_register_listener(const struct kfd_xsched_listener *l)
{
	struct device_queue_manager *dqm;
	struct kfd_process *p;
	unsigned int bkt;
	u64 gen;
	int idx;

	if (!l || !l->queue || !l->node)
		return -EINVAL;
	mutex_lock(&kfd_xsched_lock);
	if (kfd_xsched_listener || kfd_xsched_exiting) {
		mutex_unlock(&kfd_xsched_lock);
		return kfd_xsched_exiting ? -ENODEV : -EBUSY;
	}
	kfd_xsched_listener = l;
	gen = ++kfd_xsched_gen;
	list_for_each_entry(dqm, &kfd_xsched_nodes, xsched_node)
		kfd_xsched_send_node(dqm, KFD_XSCHED_NODE_ADDED);
	mutex_unlock(&kfd_xsched_lock);

	/*
	 * Then the queues, one process at a time under its mutex, which
	 * orders the replay against its queue hooks: a queue created
	 * meanwhile is announced by whichever comes first (xsched_gen).
	 * A process already out of the table is not replayed; nor is its
	 * end announced.
	 */
	idx = srcu_read_lock(&kfd_processes_srcu);
	hash_for_each_rcu(kfd_processes_table, bkt, p, kfd_processes)
		kfd_xsched_replay(p, l, gen);
	srcu_read_unlock(&kfd_processes_srcu, idx);
	return 0;
}

static void kfd_xsched_unregister_listener(const struct kfd_xsched_listener *l)
{
	bool mine;

	mutex_lock(&kfd_xsched_lock);
	mine = l && kfd_xsched_listener == l;
	if (mine)
		kfd_xsched_listener = NULL;
	mutex_unlock(&kfd_xsched_lock);
	/* No scheduler, no pauses: fail open whatever it left behind. */
	if (mine)
		kfd_xsched_clear_all();
}

/* One handle of a batch; sorted by handle. */
struct kfd_xsched_ref {
	u64 handle;
	unsigned int idx;		/* in the caller's array */
	bool found;
	bool flipped;			/* pause flag changed (first of a handle) */
	struct queue *q;
	struct qcm_process_device *qpd;
};

static int kfd_xsched_ref_cmp(const void *a, const void *b)
{
	const struct kfd_xsched_ref *x = a, *y = b;

	if (x->handle == y->handle)
		return 0;
	return x->handle < y->handle ? -1 : 1;
}

/* The first of the sorted @refs with @handle, or NULL. */
static struct kfd_xsched_ref *kfd_xsched_ref_find(struct kfd_xsched_ref *refs,
						  unsigned int n, u64 handle)
{
	unsigned int lo = 0, hi = n;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (refs[mid].handle < handle)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && refs[lo].handle == handle ? &refs[lo] : NULL;
}

/*
 * Pause or resume the queues @handles of node @gpu_id as one runlist
 * change.  Under dqm_lock alone (the qpd queue lists and the active
 * state are the dqm's), so that a batch spans processes and gone() can
 * resume.  Each queue of the node is looked up among the sorted
 * handles: O((n + queues) log n).
 *
 * A failed pause is rolled back.  A failed resume (the runlist could not
 * be mapped) leaves its queues runnable in KFD's state and reports the
 * error.  It is remembered by the dqm itself: active_runlist stays false
 * until a runlist is mapped, so a resume that finds it false executes
 * even when no flag changes.  Without an active runlist that preempts
 * nothing.  During a GPU reset the execute fails again, and the reset
 * maps the runnable queues when it is done.
 */
static int kfd_xsched_set_paused(u32 gpu_id, const u64 *handles,
				 unsigned int n, unsigned long *stale,
				 bool pause)
{
	struct kfd_xsched_ref *refs = NULL, *r;
	struct device_queue_manager *dqm;
	struct device_process_node *cur;
	bool changed = false;
	unsigned int i;
	const char *why;
	struct queue *q;
	int ret = 0;

	if (n > KFD_XSCHED_MAX_BATCH)
		return -E2BIG;
	if (n && (!handles || !stale))
		return -EINVAL;
	if (n) {
		refs = kvmalloc_array(n, sizeof(*refs), GFP_KERNEL);
		if (!refs)
			return -ENOMEM;
		for (i = 0; i < n; i++)
			refs[i] = (struct kfd_xsched_ref) {
				.handle = handles[i],
				.idx = i,
			};
		sort(refs, n, sizeof(*refs), kfd_xsched_ref_cmp, NULL);
	}

	down_read(&kfd_xsched_node_sem);
	dqm = kfd_xsched_find_node(gpu_id);
	if (!dqm) {
		ret = -ENODEV;
		goto out;
	}
	if (dqm_xsched_supported(dqm, &why)) {
		ret = -EOPNOTSUPP;
		goto out;
	}

	dqm_lock(dqm);
	list_for_each_entry(cur, &dqm->queues, list) {
		list_for_each_entry(q, &cur->qpd->queues_list, list) {
			u64 h = q->properties.xsched_handle;
			int res = 0;

			r = kfd_xsched_ref_find(refs, n, h);
			if (!r || !kfd_xsched_eligible(q))
				continue;
			if (q->properties.is_xsched_paused != pause) {
				res = dqm_xsched_set_paused(dqm, cur->qpd, q,
							    pause);
				if (res < 0)
					continue;	/* being destroyed */
				changed |= res > 0;
				r->flipped = true;
				r->q = q;
				r->qpd = cur->qpd;
			}
			for (; r < refs + n && r->handle == h; r++)
				r->found = true;
		}
	}
	if (changed || (!pause && !dqm->active_runlist))
		ret = dqm_xsched_execute(dqm);
	if (ret && pause) {
		for (i = 0; i < n; i++)
			if (refs[i].flipped)
				dqm_xsched_set_paused(dqm, refs[i].qpd,
						      refs[i].q, false);
		/* Fail open: map what the failed update left unmapped. */
		if (!dqm->active_runlist)
			dqm_xsched_execute(dqm);
	}
	dqm_unlock(dqm);

	for (i = 0; i < n; i++)
		if (!refs[i].found)
			__set_bit(refs[i].idx, stale);
	if (ret)
		pr_warn_ratelimited("gpu_id %u: %s: runlist update failed: %d%s\n",
				    gpu_id, pause ? "pause" : "resume", ret,
				    pause ? "" : "; the queues are runnable, a resume maps them");
out:
	up_read(&kfd_xsched_node_sem);
	kvfree(refs);
	return ret;
}

static int kfd_xsched_pause_queues(u32 gpu_id, const u64 *handles,
				   unsigned int n, unsigned long *stale)
{
	return kfd_xsched_set_paused(gpu_id, handles, n, stale, true);
}

static int kfd_xsched_resume_queues(u32 gpu_id, const u64 *handles,
				    unsigned int n, unsigned long *stale)
{
	return kfd_xsched_set_paused(gpu_id, handles, n, stale, false);
}

/*
 * The AMDKFD_IOC_UPDATE_QUEUE path with every property but the priority
 * unchanged.  The handle is resolved under dqm_lock, which keeps the
 * process alive while we take a reference; then p->mutex, where the
 * queue is looked up again by id and handle, as it may have gone.
 */
static int kfd_xsched_set_priority(u32 gpu_id, u64 handle, u32 priority)
{
	struct device_queue_manager *dqm;
	struct queue_properties props;
	struct kfd_process *p = NULL;
	unsigned int qid = 0;
	struct queue *q;
	int ret = 0;

	if (priority > KFD_XSCHED_MAX_PRIORITY)
		return -EINVAL;
	down_read(&kfd_xsched_node_sem);
	dqm = kfd_xsched_find_node(gpu_id);
	if (dqm) {
		dqm_lock(dqm);
		q = kfd_xsched_find_queue(dqm, handle);
		if (q) {
			p = q->process;
			kref_get(&p->ref);
			qid = q->properties.queue_id;
		}
		dqm_unlock(dqm);
	}
	up_read(&kfd_xsched_node_sem);
	if (!dqm)
		return -ENODEV;
	if (!p)
		return -ENOENT;

	mutex_lock(&p->mutex);
	q = pqm_get_user_queue(&p->pqm, qid);
	if (!q || q->properties.xsched_handle != handle) {
		ret = -ENOENT;
	} else if (q->properties.priority != priority) {
		props = q->properties;
		props.priority = priority;
		ret = pqm_update_queue_properties(&p->pqm, qid, &props);
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
	.pause_queues = kfd_xsched_pause_queues,
	.resume_queues = kfd_xsched_resume_queues,
	.set_priority = kfd_xsched_set_priority,
};

/**
 * kfd_xsched_get_ops() - amdkfd's xsched provider ops
 *
 * Return: the ops, valid while amdgpu is loaded (see kfd_xsched.h).
 */
const struct kfd_xsched_ops *kfd_xsched_get_ops(void)
{
	return &kfd_xsched_ops;
}
EXPORT_SYMBOL_GPL(kfd_xsched_get_ops);
