// SPDX-License-Identifier: GPL-2.0
/*
 * xsched: is a queue busy?  Read from the owner's memory, pinned, with
 * the same code for amdkfd and the simulator (DESIGN.md section 2, "busy
 * is harder than it looks"):
 *   write_dispatch_id != read_dispatch_id  -> packets wait: busy;
 *   else the last consumed packet's completion signal > 0 -> its kernel
 *   still runs: busy; else idle.
 * A packet without a completion signal cannot be watched; the policy's
 * resume delay and the runtime's begin/end hints cover that case.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/pid.h>
#include <linux/sched/mm.h>
#include <linux/sched/task.h>
#include <linux/slab.h>

#include "xsched.h"
#include "xsched_compat.h"

/* Rings larger than this are not pinned; indices alone are then used. */
#define XSCHED_RING_PIN_MAX	(16ULL << 20)

static struct mm_struct *xsched_owner_mm(pid_t tgid)
{
	struct task_struct *task;
	struct mm_struct *mm;
	struct pid *pid;

	pid = find_get_pid(tgid);
	if (!pid)
		return NULL;
	task = get_pid_task(pid, PIDTYPE_TGID);
	put_pid(pid);
	if (!task)
		return NULL;
	mm = get_task_mm(task);
	put_task_struct(task);
	return mm;
}

static int xsched_pin(struct mm_struct *mm, u64 va, unsigned long n,
		      struct page **pages)
{
	long got;

	mmap_read_lock(mm);
	got = xsched_pin_remote(mm, va, n, FOLL_LONGTERM, pages);
	mmap_read_unlock(mm);
	if (got == n)
		return 0;
	if (got > 0)
		unpin_user_pages(pages, got);
	return got < 0 ? got : -EFAULT;
}

/**
 * xsched_qmem_pin() - pin what activity detection reads of a new queue
 * @q: the queue (not yet visible to the poll timer)
 * @info: the provider's description
 *
 * Return: 0, or -errno when the dispatch ids cannot be pinned; the queue
 * is then tracked without activity detection.  A ring that cannot be
 * pinned only disables the completion-signal check.
 */
int xsched_qmem_pin(struct xsched_queue *q,
		    const struct kfd_xsched_queue_info *info)
{
	struct xsched_qmem *m = &q->mem;
	struct mm_struct *mm;
	int ret;

	if ((info->rptr_va & PAGE_MASK) != (info->wptr_va & PAGE_MASK) ||
	    (info->rptr_va | info->wptr_va) & 7)
		return -EINVAL;
	mm = xsched_owner_mm(info->tgid);
	if (!mm)
		return -ESRCH;
	ret = xsched_pin(mm, info->rptr_va & PAGE_MASK, 1, &m->amdq);
	if (ret)
		goto out;
	m->rptr_off = info->rptr_va & ~PAGE_MASK;
	m->wptr_off = info->wptr_va & ~PAGE_MASK;

	if (!info->ring_va || info->ring_va & ~PAGE_MASK ||
	    !info->ring_size || info->ring_size & ~PAGE_MASK ||
	    info->ring_size > XSCHED_RING_PIN_MAX ||
	    !is_power_of_2(info->ring_size))
		goto out;
	m->ring = kvcalloc(info->ring_size >> PAGE_SHIFT, sizeof(*m->ring),
			   GFP_KERNEL);
	if (!m->ring)
		goto out;
	if (xsched_pin(mm, info->ring_va, info->ring_size >> PAGE_SHIFT,
		       m->ring)) {
		kvfree(m->ring);
		m->ring = NULL;
		goto out;
	}
	m->ring_npages = info->ring_size >> PAGE_SHIFT;
	m->ring_size = info->ring_size;
out:
	mmput(mm);
	return ret;
}

void xsched_qmem_unpin(struct xsched_qmem *m)
{
	if (m->sig)
		unpin_user_page(m->sig);
	if (m->ring)
		unpin_user_pages(m->ring, m->ring_npages);
	kvfree(m->ring);
	if (m->amdq)
		unpin_user_page(m->amdq);
	memset(m, 0, sizeof(*m));
}

static u64 xsched_read_u64(struct page *page, unsigned int off)
{
	void *kaddr = kmap_local_page(page);
	/* Pairs with the packet processor's release of the index/signal. */
	u64 v = smp_load_acquire((u64 *)(kaddr + off));

	kunmap_local(kaddr);
	return v;
}

/* The completion signal VA of packet @id (1-based), 0 if none. */
static u64 xsched_packet_signal(const struct xsched_qmem *m, u64 id)
{
	u64 off = ((id - 1) * KFD_XSCHED_AQL_PACKET_SIZE) & (m->ring_size - 1);

	return xsched_read_u64(m->ring[off >> PAGE_SHIFT],
			       (off & ~PAGE_MASK) +
			       KFD_XSCHED_AQL_COMPLETION_SIGNAL);
}

/**
 * xsched_qmem_busy() - poll one queue's activity
 * @q: the queue; called under dom->lock, in any context
 *
 * Return: true if packets wait or the last launched kernel still runs.
 * When that kernel's signal page is not pinned yet, says busy and sets
 * q->need_sig so that the decision work pins it.
 */
bool xsched_qmem_busy(struct xsched_queue *q)
{
	struct xsched_qmem *m = &q->mem;
	u64 w, r, sig;

	if (!m->amdq)
		return false;
	w = xsched_read_u64(m->amdq, m->wptr_off);
	r = xsched_read_u64(m->amdq, m->rptr_off);
	if (w != r)
		return true;
	if (!r || !m->ring)
		return false;
	sig = xsched_packet_signal(m, r);
	if (!sig || sig & 7 ||
	    (sig & ~PAGE_MASK) + KFD_XSCHED_SIGNAL_VALUE + 8 > PAGE_SIZE)
		return false;
	if ((sig & PAGE_MASK) != m->sig_page_va) {
		q->need_sig = true;
		return true;
	}
	if (!m->sig)		/* could not be pinned: indices only */
		return false;
	return (s64)xsched_read_u64(m->sig, (sig & ~PAGE_MASK) +
				    KFD_XSCHED_SIGNAL_VALUE) > 0;
}

/**
 * xsched_qmem_pin_signal() - pin the page of the last packet's signal
 * @q: the queue; called under dom->mutex, in process context
 *
 * Swaps the pinned signal page under dom->lock.  On failure the page is
 * remembered as unreadable, so the queue is judged by its indices.
 */
void xsched_qmem_pin_signal(struct xsched_queue *q)
{
	struct xsched_qmem *m = &q->mem;
	struct page *page = NULL, *old;
	struct mm_struct *mm;
	u64 r, sig;

	q->need_sig = false;
	if (!m->amdq || !m->ring)
		return;
	r = xsched_read_u64(m->amdq, m->rptr_off);
	if (!r)
		return;
	sig = xsched_packet_signal(m, r) & PAGE_MASK;
	if (!sig || sig == m->sig_page_va)
		return;
	mm = xsched_owner_mm(q->tgid);
	if (mm) {
		if (xsched_pin(mm, sig, 1, &page))
			page = NULL;
		mmput(mm);
	}
	raw_spin_lock_irq(&q->dom->lock);
	old = m->sig;
	m->sig = page;
	m->sig_page_va = sig;
	raw_spin_unlock_irq(&q->dom->lock);
	if (old)
		unpin_user_page(old);
}
