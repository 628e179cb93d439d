// SPDX-License-Identifier: GPL-2.0
/*
 * xsched_sim.ko: a simulated HWS GPU implementing struct kfd_xsched_ops,
 * so that the whole of xsched runs, is tested and is demonstrated on any
 * Linux machine.  This file holds the module, its parameters, the nodes'
 * real-time clocks and /dev/xsched_sim; the provider ops are in
 * xsched_sim_ops.c and the timing model in xsched_sim_engine.c.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/highmem.h>
#include <linux/log2.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "xsched_sim.h"
#include "../xsched/xsched_compat.h"

/*
 * Defaults are MI300X-derived estimates; docs/simulator.md gives the
 * reasoning.  All are modelled figures, not measurements.
 */
static unsigned int nodes = 1;
module_param(nodes, uint, 0444);
MODULE_PARM_DESC(nodes, "Simulated KFD nodes (1-64), e.g. MI300X partitions (8 MI300X in CPX mode: 64)");

static unsigned int cp_overhead_us = 20;
module_param(cp_overhead_us, uint, 0444);
MODULE_PARM_DESC(cp_overhead_us,
		 "Fixed cost of one runlist change: HIQ unmap + map round trip (estimate)");

static unsigned int per_queue_us = 2;
module_param(per_queue_us, uint, 0444);
MODULE_PARM_DESC(per_queue_us,
		 "Per mapped queue cost of a runlist change: MQD save/load (estimate)");

static unsigned int cwsr_save_us = 40;
module_param(cwsr_save_us, uint, 0444);
MODULE_PARM_DESC(cwsr_save_us,
		 "CWSR wave save when kernels are in flight: ~22 MiB per XCC at 1/8 of 5.3 TB/s");

static unsigned int cwsr_restore_us = 40;
module_param(cwsr_restore_us, uint, 0444);
MODULE_PARM_DESC(cwsr_restore_us,
		 "CWSR wave restore when kernels are in flight again: same volume read back");

/*
 * Calibration for bench/watch: an empty hard-irq hrtimer every
 * calib_tick_us, due at multiples of it as xsched's polls are, so that
 * the bench can tell what any poll at that period costs this CPU (the
 * timer interrupt itself) from what xsched's polls add to it.
 */
static unsigned int calib_tick_us;
module_param(calib_tick_us, uint, 0444);
MODULE_PARM_DESC(calib_tick_us,
		 "An empty hard-irq timer every this many us (0: none; at least 10), to measure what a timer interrupt costs");

static unsigned int calib_timers = 1;
module_param(calib_timers, uint, 0444);
MODULE_PARM_DESC(calib_timers,
		 "How many such timers, all due at once (1-64; default 1), as the polls of that many busy domains are");

static struct hrtimer calib_timer[XSCHED_SIM_MAX_NODES];

static enum hrtimer_restart calib_fn(struct hrtimer *t)
{
	u64 period = (u64)calib_tick_us * NSEC_PER_USEC;

	hrtimer_set_expires(t, ns_to_ktime((div64_u64(ktime_get_ns(), period) +
					    1) * period));
	return HRTIMER_RESTART;
}

DEFINE_MUTEX(xsched_sim_lock);
DEFINE_MUTEX(xsched_sim_listener_lock);
LIST_HEAD(xsched_sim_procs);
/* Queue handles -> queues, under xsched_sim_lock; a handle is never reused. */
DEFINE_XARRAY(xsched_sim_handles);
static u64 xsched_sim_last_handle;	/* xsched_sim_lock */
struct xsched_sim_gpu *xsched_sim_gpus;
unsigned int xsched_sim_nr_gpus;

#define XSCHED_SIM_GPU_ID_BASE	0x5100
#define XSCHED_SIM_MAX_WORK_NS	(10ULL * NSEC_PER_SEC)
/* Bound on one wait for a runlist change (a model gone wrong). */
#define XSCHED_SIM_RUNLIST_WAIT_MAX_NS	NSEC_PER_SEC

struct xsched_sim_gpu *xsched_sim_gpu_by_id(u32 gpu_id)
{
	unsigned int i;

	for (i = 0; i < xsched_sim_nr_gpus; i++)
		if (xsched_sim_gpus[i].model.gpu_id == gpu_id)
			return &xsched_sim_gpus[i];
	return NULL;
}

/* Called with gpu->lock held; also from the timer callback itself. */
void xsched_sim_rearm(struct xsched_sim_gpu *gpu)
{
	u64 next = xsched_sim_next_event(&gpu->model);

	if (next != U64_MAX)
		hrtimer_start(&gpu->timer, ns_to_ktime(next),
			      HRTIMER_MODE_ABS_SOFT);
}

static enum hrtimer_restart xsched_sim_timer_fn(struct hrtimer *t)
{
	struct xsched_sim_gpu *gpu = container_of(t, struct xsched_sim_gpu,
						  timer);

	spin_lock(&gpu->lock);
	xsched_sim_advance(&gpu->model, ktime_get_ns());
	xsched_sim_rearm(gpu);
	spin_unlock(&gpu->lock);
	return HRTIMER_NORESTART;
}

/**
 * xsched_sim_runlist_wait() - wait until a runlist change is done
 * @until: when the node's model finishes it (its stall_until then)
 *
 * amdkfd makes a runlist change synchronously: execute_queues_cpsch()
 * waits for the preemption fence before queue creation, destruction or
 * an update returns.  Callers of the simulator wait likewise, with no
 * lock held, so that no caller can ask for runlist changes faster than
 * the node makes them: otherwise the node's stall would run ahead of
 * real time without bound, and nothing would run again.
 */
void xsched_sim_runlist_wait(u64 until)
{
	u64 now = ktime_get_ns();
	ktime_t t;

	if (until <= now)
		return;
	t = ns_to_ktime(min(until, now + XSCHED_SIM_RUNLIST_WAIT_MAX_NS));
	set_current_state(TASK_UNINTERRUPTIBLE);
	schedule_hrtimeout_range(&t, 0, HRTIMER_MODE_ABS);
}

static struct xsched_sim_q *sim_q(struct xsched_sim_queue *mq)
{
	return container_of(mq, struct xsched_sim_q, model);
}

static u64 *sim_amdq_u64(struct xsched_sim_q *q, void *kaddr,
			 unsigned int field)
{
	return kaddr + q->amdq_off + field;
}

/*
 * A barrier's dependencies, as the packet processor watches them: the
 * pages of their signals, pinned when the doorbell rang.  barrier-AND is
 * met when every signal is 0, barrier-OR when one is; a barrier-value
 * (one signal) when (value & mask) compares with want as cond says.
 */
struct sim_deps {
	u8 type;			/* KFD_XSCHED_AQL_TYPE_* or VENDOR */
	u8 n;
	u32 cond;
	s64 want, mask;
	struct page *page[KFD_XSCHED_AQL_BARRIER_NDEPS];
	u16 off[KFD_XSCHED_AQL_BARRIER_NDEPS];
};

static void sim_deps_free(struct sim_deps *d)
{
	unsigned int i;

	if (!d)
		return;
	for (i = 0; i < d->n; i++)
		unpin_user_page(d->page[i]);
	kfree(d);
}

/* The packet processor consumed a packet: publish the read index. */
static void sim_hook_launched(struct xsched_sim_queue *mq,
			      const struct xsched_sim_kernel *k)
{
	struct xsched_sim_q *q = sim_q(mq);
	void *kaddr = kmap_local_page(q->amdq_page);

	/* Pairs with readers' acquire: the packet was read before this. */
	smp_store_release(sim_amdq_u64(q, kaddr,
				       KFD_XSCHED_AMDQ_READ_DISPATCH_ID),
			  k->dispatch_id);
	kunmap_local(kaddr);
}

/* The kernel ended: timestamps, then the signal, as the CP writes them. */
static void sim_hook_completed(struct xsched_sim_queue *mq,
			       const struct xsched_sim_kernel *k, u64 t)
{
	struct xsched_sim_q *q = sim_q(mq);
	struct page *page = k->cookie;

	sim_deps_free(k->deps);
	if (page) {
		void *sig = kmap_local_page(page) + k->tag;

		WRITE_ONCE(*(u64 *)(sig + KFD_XSCHED_SIGNAL_START_TS),
			   k->launch_ns);
		WRITE_ONCE(*(u64 *)(sig + KFD_XSCHED_SIGNAL_END_TS), t);
		/* Timestamps are visible before the value says "done". */
		smp_wmb();
		atomic64_dec((atomic64_t *)(sig + KFD_XSCHED_SIGNAL_VALUE));
		kunmap_local(sig);
		unpin_user_page(page);
	}
	wake_up_all(&q->wq);
}

static s64 sim_signal_value(struct page *page, unsigned int off)
{
	void *kaddr = kmap_local_page(page);
	s64 v = READ_ONCE(*(s64 *)(kaddr + off + KFD_XSCHED_SIGNAL_VALUE));

	kunmap_local(kaddr);
	return v;
}

static bool sim_hook_barrier_met(struct xsched_sim_queue *mq,
				 const struct xsched_sim_kernel *k)
{
	const struct sim_deps *d = k->deps;
	unsigned int i, met = 0;
	s64 v;

	if (d->type == KFD_XSCHED_AQL_TYPE_VENDOR) {
		v = sim_signal_value(d->page[0], d->off[0]) & d->mask;
		if (d->cond == 0)
			return v == d->want;
		if (d->cond == 1)
			return v != d->want;
		return d->cond == 2 ? v < d->want : v >= d->want;
	}
	for (i = 0; i < d->n; i++)
		met += !sim_signal_value(d->page[i], d->off[i]);
	if (d->type == KFD_XSCHED_AQL_TYPE_BARRIER_OR)
		return met || !d->n;
	return met == d->n;
}

static const struct xsched_sim_hooks sim_hooks = {
	.launched = sim_hook_launched,
	.completed = sim_hook_completed,
	.barrier_met = sim_hook_barrier_met,
};

static void sim_q_release(struct kref *ref)
{
	struct xsched_sim_q *q = container_of(ref, struct xsched_sim_q, ref);
	u32 i;

	/* Kernels that never completed still hold their signal pages. */
	for (i = 0; i < q->model.count; i++) {
		struct xsched_sim_kernel *k = &q->fifo[(q->model.head + i) %
						       q->model.cap];

		if (k->cookie)
			unpin_user_page(k->cookie);
		sim_deps_free(k->deps);
	}
	if (q->ring_pages)
		unpin_user_pages(q->ring_pages, q->ring_npages);
	kvfree(q->ring_pages);
	if (q->amdq_page)
		unpin_user_page(q->amdq_page);
	kvfree(q);
}

static void sim_q_put(struct xsched_sim_q *q)
{
	kref_put(&q->ref, sim_q_release);
}

static void sim_proc_release(struct kref *ref)
{
	struct xsched_sim_proc *p = container_of(ref, struct xsched_sim_proc,
						 ref);

	xa_destroy(&p->byid);
	mmdrop(p->mm);
	kfree(p);
}

void xsched_sim_proc_put(struct xsched_sim_proc *p)
{
	kref_put(&p->ref, sim_proc_release);
}

/* Caller holds xsched_sim_lock. */
static struct xsched_sim_q *sim_q_find(struct xsched_sim_proc *p, u32 qid)
{
	return xa_load(&p->byid, qid);
}

static int sim_pin(u64 va, unsigned int n, struct page **pages)
{
	int got = pin_user_pages_fast(va, n, FOLL_WRITE | FOLL_LONGTERM,
				      pages);

	if (got == n)
		return 0;
	if (got > 0)
		unpin_user_pages(pages, got);
	return got < 0 ? got : -EFAULT;
}

/* The uapi rules shared by every argument struct (uapi/xsched.h). */
#define SIM_ARGS_BAD(a) ((a)->size != sizeof(*(a)) || (a)->flags || \
			 (a)->reserved0 || \
			 memchr_inv((a)->reserved, 0, sizeof((a)->reserved)))

static int sim_check_create(const struct xsched_sim_create_queue *a)
{
	unsigned int off = a->amdq_va & ~PAGE_MASK;

	if (SIM_ARGS_BAD(a) || a->priority > 15)
		return -EINVAL;
	if (!a->ring_va || a->ring_va & ~PAGE_MASK ||
	    a->ring_size < XSCHED_SIM_RING_MIN ||
	    a->ring_size > XSCHED_SIM_RING_MAX ||
	    !is_power_of_2(a->ring_size))
		return -EINVAL;
	if (!a->amdq_va || a->amdq_va & 7 ||
	    off + KFD_XSCHED_AMDQ_READ_DISPATCH_ID + 8 > PAGE_SIZE)
		return -EINVAL;
	return 0;
}

/*
 * Caller holds both sim locks; *@until is set to when the runlist change
 * of a queue created ends (xsched_sim_runlist_wait()).
 */
static int sim_create(struct xsched_sim_proc *p, const struct file *file,
		      struct xsched_sim_create_queue *a, u64 *until)
{
	u32 nslots = a->ring_size / KFD_XSCHED_AQL_PACKET_SIZE;
	struct xsched_sim_gpu *gpu;
	struct xsched_sim_q *q;
	unsigned long qid;
	int ret;

	ret = sim_check_create(a);
	if (ret)
		return ret;
	gpu = a->gpu_id ? xsched_sim_gpu_by_id(a->gpu_id) : &xsched_sim_gpus[0];
	if (!gpu || gpu->gone)
		return -ENODEV;
	qid = find_first_zero_bit(p->qids, XSCHED_SIM_MAX_QUEUES);
	if (qid >= XSCHED_SIM_MAX_QUEUES)
		return -ENOSPC;

	q = kvzalloc(struct_size(q, fifo, nslots), GFP_KERNEL);
	if (!q)
		return -ENOMEM;
	kref_init(&q->ref);
	init_waitqueue_head(&q->wq);
	INIT_LIST_HEAD(&q->link);
	q->gpu = gpu;
	q->proc = p;
	q->file = file;
	q->queue_id = qid;
	q->priority = a->priority;
	q->ring_va = a->ring_va;
	q->ring_size = a->ring_size;
	q->amdq_va = a->amdq_va;
	q->amdq_off = a->amdq_va & ~PAGE_MASK;
	q->ring_npages = a->ring_size >> PAGE_SHIFT;
	q->ring_pages = kvcalloc(q->ring_npages, sizeof(*q->ring_pages),
				 GFP_KERNEL);
	if (!q->ring_pages) {
		ret = -ENOMEM;
		goto err;
	}
	ret = sim_pin(a->ring_va, q->ring_npages, q->ring_pages);
	if (ret) {
		kvfree(q->ring_pages);
		q->ring_pages = NULL;
		goto err;
	}
	ret = sim_pin(a->amdq_va & PAGE_MASK, 1, &q->amdq_page);
	if (ret)
		goto err;
	q->handle = xsched_sim_last_handle + 1;
	ret = xa_insert(&xsched_sim_handles, q->handle, q, GFP_KERNEL);
	if (ret)
		goto err;
	/* The last step that can fail: nothing below is undone. */
	ret = xa_insert(&p->byid, qid, q, GFP_KERNEL);
	if (ret) {
		xa_erase(&xsched_sim_handles, q->handle);
		goto err;
	}
	xsched_sim_last_handle = q->handle;

	xsched_sim_queue_init(&q->model, q->fifo, nslots);
	spin_lock_bh(&gpu->lock);
	xsched_sim_queue_add(&gpu->model, &q->model, ktime_get_ns());
	xsched_sim_rearm(gpu);
	*until = gpu->model.stall_until;
	spin_unlock_bh(&gpu->lock);

	set_bit(qid, p->qids);
	list_add_tail(&q->link, &p->queues);
	a->queue_id = qid;
	a->gpu_id = gpu->model.gpu_id;
	xsched_sim_notify(KFD_XSCHED_QUEUE_CREATED, q);
	return 0;
err:
	sim_q_put(q);
	return ret;
}

/*
 * Takes @q off its node: no longer resolvable by handle, nothing of it
 * runs, waiters wake.  Caller holds xsched_sim_lock.  Returns when the
 * runlist change that removes it ends (xsched_sim_runlist_wait()).
 */
static u64 sim_detach(struct xsched_sim_q *q)
{
	struct xsched_sim_gpu *gpu = q->gpu;
	u64 until;

	xa_erase(&xsched_sim_handles, q->handle);
	spin_lock_bh(&gpu->lock);
	xsched_sim_queue_remove(&q->model, ktime_get_ns());
	q->dead = true;
	q->xs_paused = false;
	xsched_sim_rearm(gpu);
	until = gpu->model.stall_until;
	spin_unlock_bh(&gpu->lock);
	wake_up_all(&q->wq);
	return until;
}

/*
 * Fault KILL: @q's process dies while a pause is being made.  Caller
 * holds both sim locks; returns when the runlist change ends.
 */
u64 xsched_sim_kill(struct xsched_sim_q *q)
{
	u64 until = sim_detach(q);

	xsched_sim_notify(KFD_XSCHED_QUEUE_DESTROYED, q);
	return until;
}

/*
 * Caller holds both sim locks.  Returns when the runlist change that
 * removes the queue ends (xsched_sim_runlist_wait()).
 */
static u64 sim_destroy(struct xsched_sim_q *q)
{
	u64 until = 0;

	/* A queue of a node removed is already off the node, unannounced. */
	if (!q->dead) {
		until = sim_detach(q);
		xsched_sim_notify(KFD_XSCHED_QUEUE_DESTROYED, q);
	}
	clear_bit(q->queue_id, q->proc->qids);
	xa_erase(&q->proc->byid, q->queue_id);
	list_del_init(&q->link);
	sim_q_put(q);
	return until;
}

/* A signal address the packet processor can use: 8-aligned, in a page. */
static bool sim_signal_ok(u64 va, unsigned int end)
{
	return !(va & 7) && (va & ~PAGE_MASK) + end + 8 <= PAGE_SIZE;
}

/*
 * Reads one packet of the ring: a kernel (its duration), a barrier-value
 * packet, or a barrier-AND / barrier-OR; and its completion signal.  A
 * barrier whose condition the simulator watches gets *deps, its
 * dependency pages pinned here, in the ringing process.
 */
static int sim_read_packet(struct xsched_sim_q *q, u64 id, bool *barrier,
			   u64 *work_ns, u64 *signal_va,
			   struct sim_deps **deps)
{
	u64 off = ((id - 1) * KFD_XSCHED_AQL_PACKET_SIZE) & (q->ring_size - 1);
	void *kaddr = kmap_local_page(q->ring_pages[off >> PAGE_SHIFT]);
	u64 pkt[KFD_XSCHED_AQL_PACKET_SIZE / 8], va[KFD_XSCHED_AQL_BARRIER_NDEPS];
	unsigned int i, nva = 0, type;
	struct sim_deps *d;
	int ret;

	memcpy(pkt, kaddr + (off & ~PAGE_MASK), sizeof(pkt));
	kunmap_local(kaddr);
	type = pkt[0] & 0xff;
	*deps = NULL;
	*barrier = type == KFD_XSCHED_AQL_TYPE_BARRIER_AND ||
		   type == KFD_XSCHED_AQL_TYPE_BARRIER_OR ||
		   (type == XSCHED_SIM_PKT_TYPE_VENDOR &&
		    ((pkt[0] >> (8 * XSCHED_SIM_PKT_AMD_FORMAT)) & 0xff) ==
		    XSCHED_SIM_AMD_FORMAT_BARRIER_VALUE);
	*work_ns = pkt[XSCHED_SIM_PKT_WORK_NS / 8];
	*signal_va = pkt[KFD_XSCHED_AQL_COMPLETION_SIGNAL / 8];
	if (*signal_va && !sim_signal_ok(*signal_va, KFD_XSCHED_SIGNAL_END_TS))
		return -EINVAL;
	if (!*barrier) {
		if (!*work_ns || *work_ns > XSCHED_SIM_MAX_WORK_NS)
			return -EINVAL;
		return 0;
	}
	*work_ns = 0;
	if (type == XSCHED_SIM_PKT_TYPE_VENDOR) {
		/* Without a signal it waits for XSCHED_SIM_IOC_RELEASE. */
		if (!pkt[KFD_XSCHED_AQL_BV_SIGNAL / 8])
			return 0;
		va[nva++] = pkt[KFD_XSCHED_AQL_BV_SIGNAL / 8];
	} else {
		for (i = 0; i < KFD_XSCHED_AQL_BARRIER_NDEPS; i++)
			if (pkt[KFD_XSCHED_AQL_BARRIER_DEPS / 8 + i])
				va[nva++] = pkt[KFD_XSCHED_AQL_BARRIER_DEPS / 8 + i];
	}
	d = kzalloc(sizeof(*d), GFP_KERNEL);
	if (!d)
		return -ENOMEM;
	d->type = type;
	d->want = pkt[KFD_XSCHED_AQL_BV_VALUE / 8];
	d->mask = pkt[KFD_XSCHED_AQL_BV_MASK / 8];
	d->cond = (u32)pkt[KFD_XSCHED_AQL_BV_COND / 8];
	if (type == XSCHED_SIM_PKT_TYPE_VENDOR && d->cond > 3)
		ret = -EINVAL;
	else
		ret = 0;
	for (i = 0; !ret && i < nva; i++) {
		if (!sim_signal_ok(va[i], KFD_XSCHED_SIGNAL_VALUE)) {
			ret = -EINVAL;
			break;
		}
		ret = sim_pin(va[i] & PAGE_MASK, 1, &d->page[i]);
		if (!ret) {
			d->off[i] = va[i] & ~PAGE_MASK;
			d->n++;
		}
	}
	if (ret) {
		sim_deps_free(d);
		return ret;
	}
	*deps = d;
	return 0;
}

/* Caller holds xsched_sim_lock. */
static int sim_doorbell(struct xsched_sim_q *q)
{
	struct xsched_sim_gpu *gpu = q->gpu;
	u64 wdid, id;
	void *kaddr;
	int ret = 0;

	kaddr = kmap_local_page(q->amdq_page);
	wdid = READ_ONCE(*sim_amdq_u64(q, kaddr,
				       KFD_XSCHED_AMDQ_WRITE_DISPATCH_ID));
	kunmap_local(kaddr);
	if (wdid < q->model.submitted)
		return -EINVAL;
	if (wdid - q->model.submitted > q->model.cap - q->model.count)
		return -ENOSPC;

	for (id = q->model.submitted + 1; id <= wdid; id++) {
		struct sim_deps *deps;
		struct page *sig = NULL;
		u64 work_ns, sig_va;
		bool barrier;

		ret = sim_read_packet(q, id, &barrier, &work_ns, &sig_va,
				      &deps);
		if (ret)
			break;
		if (sig_va) {
			ret = sim_pin(sig_va & PAGE_MASK, 1, &sig);
			if (ret) {
				sim_deps_free(deps);
				break;
			}
		}
		spin_lock_bh(&gpu->lock);
		if (barrier)
			ret = xsched_sim_submit_barrier(&q->model, deps, sig,
							sig_va & ~PAGE_MASK,
							ktime_get_ns());
		else
			ret = xsched_sim_submit(&q->model, work_ns, sig,
						sig_va & ~PAGE_MASK,
						ktime_get_ns());
		spin_unlock_bh(&gpu->lock);
		if (ret) {
			if (sig)
				unpin_user_page(sig);
			sim_deps_free(deps);
			break;
		}
	}
	spin_lock_bh(&gpu->lock);
	xsched_sim_rearm(gpu);
	spin_unlock_bh(&gpu->lock);
	return ret;
}

/* Caller holds xsched_sim_lock. */
static int sim_release(struct xsched_sim_q *q, u64 id)
{
	struct xsched_sim_gpu *gpu = q->gpu;
	int ret;

	spin_lock_bh(&gpu->lock);
	ret = xsched_sim_barrier_release(&q->model, id, ktime_get_ns());
	xsched_sim_rearm(gpu);
	spin_unlock_bh(&gpu->lock);
	return ret;
}

static int sim_wait(struct xsched_sim_q *q, u64 id, u64 timeout_ns)
{
	long ret;

#define SIM_WAIT_DONE (READ_ONCE(q->model.completed) >= id || READ_ONCE(q->dead))
	if (!timeout_ns) {
		ret = wait_event_interruptible(q->wq, SIM_WAIT_DONE);
	} else {
		ret = wait_event_interruptible_timeout(q->wq, SIM_WAIT_DONE,
				nsecs_to_jiffies(timeout_ns) + 1);
		if (!ret)
			return -ETIMEDOUT;
		ret = ret < 0 ? ret : 0;
	}
#undef SIM_WAIT_DONE
	if (ret)
		return -EINTR;
	return READ_ONCE(q->model.completed) >= id ? 0 : -ENOENT;
}

static int sim_check_op(const struct xsched_sim_queue_op *a, unsigned int cmd)
{
	if (SIM_ARGS_BAD(a))
		return -EINVAL;
	switch (cmd) {
	case XSCHED_SIM_IOC_WAIT:
		return 0;
	case XSCHED_SIM_IOC_RELEASE:
		return a->dispatch_id && !a->timeout_ns ? 0 : -EINVAL;
	default:
		return a->dispatch_id || a->timeout_ns ? -EINVAL : 0;
	}
}

static long sim_queue_op(struct xsched_sim_proc *p, unsigned int cmd,
			 void __user *uarg)
{
	bool wait = cmd == XSCHED_SIM_IOC_WAIT;
	struct xsched_sim_queue_op a;
	struct xsched_sim_q *q;
	u64 until = 0;
	long ret;

	if (copy_from_user(&a, uarg, sizeof(a)))
		return -EFAULT;
	ret = sim_check_op(&a, cmd);
	if (ret)
		return ret;

	if (cmd == XSCHED_SIM_IOC_DESTROY_QUEUE)
		mutex_lock(&xsched_sim_listener_lock);
	mutex_lock(&xsched_sim_lock);
	q = sim_q_find(p, a.queue_id);
	if (!q)
		ret = -ENOENT;
	else if (cmd == XSCHED_SIM_IOC_DESTROY_QUEUE)
		until = sim_destroy(q);
	else if (q->dead && cmd != XSCHED_SIM_IOC_WAIT)
		ret = -ENODEV;	/* its node was removed */
	else if (cmd == XSCHED_SIM_IOC_DOORBELL)
		ret = sim_doorbell(q);
	else if (cmd == XSCHED_SIM_IOC_RELEASE)
		ret = sim_release(q, a.dispatch_id);
	else
		kref_get(&q->ref);
	mutex_unlock(&xsched_sim_lock);
	if (cmd == XSCHED_SIM_IOC_DESTROY_QUEUE)
		mutex_unlock(&xsched_sim_listener_lock);
	xsched_sim_runlist_wait(until);
	if (wait && q) {
		ret = sim_wait(q, a.dispatch_id, a.timeout_ns);
		sim_q_put(q);
	}
	return ret;
}

static long sim_nodes(void __user *uarg)
{
	struct xsched_sim_nodes a;
	unsigned int i;

	if (copy_from_user(&a, uarg, sizeof(a)))
		return -EFAULT;
	if (SIM_ARGS_BAD(&a))
		return -EINVAL;
	memset(a.gpu_ids, 0, sizeof(a.gpu_ids));
	a.count = 0;
	mutex_lock(&xsched_sim_lock);
	for (i = 0; i < xsched_sim_nr_gpus; i++)
		if (!xsched_sim_gpus[i].gone)
			a.gpu_ids[a.count++] = xsched_sim_gpus[i].model.gpu_id;
	mutex_unlock(&xsched_sim_lock);
	return copy_to_user(uarg, &a, sizeof(a)) ? -EFAULT : 0;
}

/*
 * Test control: remove a node, as a GPU unplugged or a partition change
 * does (its queues die with it; no QUEUE_DESTROYED, one NODE_GONE), or
 * add it back.  CAP_SYS_ADMIN only.
 */
static long sim_node_ctl(void __user *uarg)
{
	struct xsched_sim_node_ctl a;
	struct xsched_sim_gpu *gpu;
	struct xsched_sim_proc *p;
	struct xsched_sim_q *q;
	u64 until = 0;
	long ret = 0;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (copy_from_user(&a, uarg, sizeof(a)))
		return -EFAULT;
	if (SIM_ARGS_BAD(&a) || (a.op != XSCHED_SIM_NODE_REMOVE &&
				 a.op != XSCHED_SIM_NODE_ADD))
		return -EINVAL;
	gpu = xsched_sim_gpu_by_id(a.gpu_id);
	if (!gpu)
		return -ENODEV;
	mutex_lock(&xsched_sim_listener_lock);
	mutex_lock(&xsched_sim_lock);
	if (gpu->gone == (a.op == XSCHED_SIM_NODE_REMOVE)) {
		ret = -EALREADY;
	} else if (a.op == XSCHED_SIM_NODE_REMOVE) {
		list_for_each_entry(p, &xsched_sim_procs, link)
			list_for_each_entry(q, &p->queues, link)
				if (q->gpu == gpu && !q->dead)
					until = max(until, sim_detach(q));
		gpu->gone = true;
		xsched_sim_notify_node(KFD_XSCHED_NODE_GONE, gpu);
	} else {
		gpu->gone = false;
		xsched_sim_notify_node(KFD_XSCHED_NODE_ADDED, gpu);
	}
	mutex_unlock(&xsched_sim_lock);
	mutex_unlock(&xsched_sim_listener_lock);
	xsched_sim_runlist_wait(until);
	return ret;
}

/* Test control: arm, replace or disarm a fault of a node. */
static long sim_fault(void __user *uarg)
{
	struct xsched_sim_fault a;
	struct xsched_sim_gpu *gpu;
	long ret = 0;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (copy_from_user(&a, uarg, sizeof(a)))
		return -EFAULT;
	if (SIM_ARGS_BAD(&a) || a.kind > XSCHED_SIM_FAULT_RESET ||
	    ((a.kind == XSCHED_SIM_FAULT_SLOW ||
	      a.kind == XSCHED_SIM_FAULT_RESET) &&
	     (!a.ms || a.ms > 10000)))
		return -EINVAL;
	gpu = xsched_sim_gpu_by_id(a.gpu_id);
	if (!gpu)
		return -ENODEV;
	mutex_lock(&xsched_sim_lock);
	switch (a.kind) {
	case XSCHED_SIM_FAULT_NONE:
		gpu->fail_pause = gpu->fail_resume = 0;
		gpu->slow_n = gpu->kill_n = 0;
		break;
	case XSCHED_SIM_FAULT_FAIL_PAUSE:
		gpu->fail_pause = a.count;
		break;
	case XSCHED_SIM_FAULT_FAIL_RESUME:
		gpu->fail_resume = a.count;
		break;
	case XSCHED_SIM_FAULT_SLOW:
		gpu->slow_n = a.count;
		gpu->slow_ms = a.ms;
		break;
	case XSCHED_SIM_FAULT_KILL:
		gpu->kill_n = a.count;
		break;
	case XSCHED_SIM_FAULT_RESET:
		if (gpu->gone) {
			ret = -ENODEV;
			break;
		}
		gpu->reset_until = ktime_get_ns() +
				   (u64)a.ms * NSEC_PER_MSEC;
		spin_lock_bh(&gpu->lock);
		xsched_sim_reset(&gpu->model, (u64)a.ms * NSEC_PER_MSEC,
				 ktime_get_ns());
		xsched_sim_rearm(gpu);
		spin_unlock_bh(&gpu->lock);
		break;
	}
	mutex_unlock(&xsched_sim_lock);
	/* A reset goes on in the background: the caller can act meanwhile. */
	return ret;
}

static long xsched_sim_ioctl(struct file *file, unsigned int cmd,
			     unsigned long arg)
{
	struct xsched_sim_proc *p = file->private_data;
	void __user *uarg = (void __user *)arg;
	struct xsched_sim_create_queue c;
	u64 until = 0;
	long ret;

	/* As amdkfd: a process uses only the files it opened itself. */
	if (p->mm != current->mm)
		return -EBADF;
	switch (cmd) {
	case XSCHED_SIM_IOC_CREATE_QUEUE:
		if (copy_from_user(&c, uarg, sizeof(c)))
			return -EFAULT;
		mutex_lock(&xsched_sim_listener_lock);
		mutex_lock(&xsched_sim_lock);
		ret = sim_create(p, file, &c, &until);
		mutex_unlock(&xsched_sim_lock);
		mutex_unlock(&xsched_sim_listener_lock);
		xsched_sim_runlist_wait(until);
		if (!ret && copy_to_user(uarg, &c, sizeof(c)))
			ret = -EFAULT;	/* the queue lives on with the file */
		return ret;
	case XSCHED_SIM_IOC_DESTROY_QUEUE:
	case XSCHED_SIM_IOC_DOORBELL:
	case XSCHED_SIM_IOC_WAIT:
	case XSCHED_SIM_IOC_RELEASE:
		return sim_queue_op(p, cmd, uarg);
	case XSCHED_SIM_IOC_NODES:
		return sim_nodes(uarg);
	case XSCHED_SIM_IOC_NODE_CTL:
		return sim_node_ctl(uarg);
	case XSCHED_SIM_IOC_FAULT:
		return sim_fault(uarg);
	default:
		return -ENOTTY;
	}
}

static int xsched_sim_open(struct inode *inode, struct file *file)
{
	struct xsched_sim_proc *p, *n;

	if (!current->mm)
		return -EINVAL;	/* a kernel thread has no queues */
	n = kzalloc(sizeof(*n), GFP_KERNEL);
	if (!n)
		return -ENOMEM;
	mutex_lock(&xsched_sim_lock);
	list_for_each_entry(p, &xsched_sim_procs, link) {
		if (p->mm == current->mm) {
			kref_get(&p->ref);
			goto found;
		}
	}
	p = n;
	n = NULL;
	p->mm = current->mm;
	mmgrab(p->mm);
	p->tgid = task_tgid_nr(current);
	INIT_LIST_HEAD(&p->queues);
	xa_init(&p->byid);
	kref_init(&p->ref);
	list_add_tail(&p->link, &xsched_sim_procs);
found:
	p->nfiles++;
	mutex_unlock(&xsched_sim_lock);
	kfree(n);
	file->private_data = p;
	return 0;
}

/*
 * A file closed (or its process died): the queues made through it go;
 * with the process's last file, the process goes.
 */
static int xsched_sim_release(struct inode *inode, struct file *file)
{
	struct xsched_sim_proc *p = file->private_data;
	struct xsched_sim_q *q, *tmp;
	u64 until = 0;

	mutex_lock(&xsched_sim_listener_lock);
	mutex_lock(&xsched_sim_lock);
	list_for_each_entry_safe(q, tmp, &p->queues, link)
		if (q->file == file)
			until = max(until, sim_destroy(q));
	if (!--p->nfiles)
		list_del_init(&p->link);
	mutex_unlock(&xsched_sim_lock);
	mutex_unlock(&xsched_sim_listener_lock);
	xsched_sim_runlist_wait(until);
	xsched_sim_proc_put(p);
	return 0;
}

static const struct file_operations xsched_sim_fops = {
	.owner = THIS_MODULE,
	.open = xsched_sim_open,
	.release = xsched_sim_release,
	.unlocked_ioctl = xsched_sim_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice xsched_sim_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = XSCHED_SIM_DEVICE_NAME,
	.fops = &xsched_sim_fops,
	.mode = 0666,
};

static int __init xsched_sim_init(void)
{
	struct xsched_sim_params params = {
		.cp_overhead_ns = cp_overhead_us * NSEC_PER_USEC,
		.per_queue_ns = per_queue_us * NSEC_PER_USEC,
		.cwsr_save_ns = cwsr_save_us * NSEC_PER_USEC,
		.cwsr_restore_ns = cwsr_restore_us * NSEC_PER_USEC,
	};
	unsigned int i;
	int ret;

	if (!nodes || nodes > XSCHED_SIM_MAX_NODES) {
		pr_err("nodes=%u: must be 1..%d\n", nodes, XSCHED_SIM_MAX_NODES);
		return -EINVAL;
	}
	if ((calib_tick_us && calib_tick_us < 10) || !calib_timers ||
	    calib_timers > XSCHED_SIM_MAX_NODES) {
		pr_err("calib_tick_us=%u calib_timers=%u: must be 0 or at least 10, and 1..%d\n",
		       calib_tick_us, calib_timers, XSCHED_SIM_MAX_NODES);
		return -EINVAL;
	}
	xsched_sim_gpus = kcalloc(nodes, sizeof(*xsched_sim_gpus), GFP_KERNEL);
	if (!xsched_sim_gpus)
		return -ENOMEM;
	for (i = 0; i < nodes; i++) {
		struct xsched_sim_gpu *gpu = &xsched_sim_gpus[i];

		spin_lock_init(&gpu->lock);
		xsched_hrtimer_setup(&gpu->timer, xsched_sim_timer_fn,
				     CLOCK_MONOTONIC, HRTIMER_MODE_ABS_SOFT);
		xsched_sim_node_init(&gpu->model, XSCHED_SIM_GPU_ID_BASE + i,
				     &params, &sim_hooks, ktime_get_ns());
		snprintf(gpu->name, sizeof(gpu->name),
			 "simulated MI300X node %u", i);
	}
	xsched_sim_nr_gpus = nodes;

	ret = misc_register(&xsched_sim_misc);
	if (ret) {
		pr_err("cannot register /dev/%s: %d\n", XSCHED_SIM_DEVICE_NAME,
		       ret);
		goto err_free;
	}
	pr_info("%u simulated node(s), runlist change %u+%u/queue us, CWSR save %u us, restore %u us (modelled)\n",
		nodes, cp_overhead_us, per_queue_us, cwsr_save_us,
		cwsr_restore_us);
	for (i = 0; calib_tick_us && i < calib_timers; i++) {
		xsched_hrtimer_setup(&calib_timer[i], calib_fn,
				     CLOCK_MONOTONIC, HRTIMER_MODE_ABS_HARD);
		hrtimer_start(&calib_timer[i],
			      ns_to_ktime(ktime_get_ns() +
					  calib_tick_us * NSEC_PER_USEC),
			      HRTIMER_MODE_ABS_HARD);
	}
	if (calib_tick_us)
		pr_info("%u empty timer(s) every %u us (calibration)\n",
			calib_timers, calib_tick_us);
	return 0;

err_free:
	xsched_sim_nr_gpus = 0;
	kfree(xsched_sim_gpus);
	return ret;
}

static void __exit xsched_sim_exit(void)
{
	unsigned int i;

	/* No file is open (the fops hold the module), so no queue exists. */
	for (i = 0; calib_tick_us && i < calib_timers; i++)
		hrtimer_cancel(&calib_timer[i]);
	xsched_sim_provider_gone();
	misc_deregister(&xsched_sim_misc);
	for (i = 0; i < xsched_sim_nr_gpus; i++)
		hrtimer_cancel(&xsched_sim_gpus[i].timer);
	kfree(xsched_sim_gpus);
	pr_info("unloaded\n");
}

module_init(xsched_sim_init);
module_exit(xsched_sim_exit);

MODULE_DESCRIPTION("Simulated HWS GPU for xsched (modelled timings)");
MODULE_AUTHOR("The xsched authors");
MODULE_LICENSE("GPL");
