// SPDX-License-Identifier: GPL-2.0
/*
 * xsched: is a queue busy?  Read from the owner's memory, pinned, with
 * the same code for amdkfd and the simulator (docs/architecture.md, "the
 * life of a queue"; docs/scheduler.md):
 *   write_dispatch_id != read_dispatch_id  -> packets wait: busy, unless
 *   the packet at the read index is a barrier whose dependencies are not
 *   met: then the queue is waiting for other work, not busy;
 *   else the last consumed packet's completion signal > 0 -> its kernel
 *   still runs: busy; else idle.
 * A packet without a completion signal cannot be watched; the policy's
 * resume delay and the runtime's begin/end hints cover that case.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/err.h>
#include <linux/cred.h>
#include <linux/highmem.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/user.h>

#include "xsched.h"
#include "xsched_compat.h"

/*
 * Pages one queue may hold pinned: its dispatch ids, the ring page of
 * the packet at (or just before) the read index, that packet's signal
 * page, and two pages of a waiting barrier's dependency signals.  The
 * owner is charged for all of them from the start.
 */
#define XSCHED_QMEM_PAGES	5

/*
 * Charged as io_uring and RDMA charge their long-term pins: the owner's
 * pinned_vm (VmPin in /proc/PID/status), and its user's locked_vm within
 * RLIMIT_MEMLOCK unless it has CAP_IPC_LOCK.  The user is known only in
 * the creator's own context; a queue replayed at load charges pinned_vm.
 */
#if XSCHED_HAVE_USER_LOCKED_VM
/* Charges @n pages to the calling user within its RLIMIT_MEMLOCK. */
static struct user_struct *xsched_user_charge(unsigned long n)
{
	unsigned long limit = rlimit(RLIMIT_MEMLOCK) >> PAGE_SHIFT;
	struct user_struct *user = get_current_user();
	long cur = atomic_long_read(&user->locked_vm);

	do {
		if (cur + n > limit && !capable(CAP_IPC_LOCK)) {
			free_uid(user);
			return ERR_PTR(-ENOMEM);
		}
	} while (!atomic_long_try_cmpxchg(&user->locked_vm, &cur, cur + n));
	return user;
}

static void xsched_user_uncharge(struct user_struct *user, unsigned long n)
{
	atomic_long_sub(n, &user->locked_vm);
	free_uid(user);
}
#else
static struct user_struct *xsched_user_charge(unsigned long n)
{
	return NULL;
}

static void xsched_user_uncharge(struct user_struct *user, unsigned long n)
{
}
#endif

static int xsched_qmem_charge(struct xsched_qmem *m, bool creator)
{
	if (creator) {
		struct user_struct *user = xsched_user_charge(XSCHED_QMEM_PAGES);

		if (IS_ERR(user))
			return PTR_ERR(user);
		m->user = user;
	}
	atomic64_add(XSCHED_QMEM_PAGES, &m->mm->pinned_vm);
	m->charged = XSCHED_QMEM_PAGES;
	return 0;
}

static void xsched_qmem_uncharge(struct xsched_qmem *m)
{
	if (!m->charged)
		return;
	atomic64_sub(m->charged, &m->mm->pinned_vm);
	if (m->user)
		xsched_user_uncharge(m->user, m->charged);
	m->user = NULL;
	m->charged = 0;
}

/*
 * Pins the page at @va of @m's owner.  In the creator's own context the
 * fast path is used; elsewhere the owner's mm is used only while it still
 * has users, and let go of asynchronously: an exited owner's address
 * space is never torn down in an xsched thread.
 */
static int xsched_pin(struct xsched_qmem *m, u64 va, struct page **page)
{
	struct mm_struct *mm = m->mm;
	long got;

	if (current->mm == mm) {
		got = pin_user_pages_fast(va, 1, FOLL_LONGTERM, page);
	} else {
		if (!mmget_not_zero(mm))
			return -ESRCH;
		mmap_read_lock(mm);
		got = xsched_pin_remote(mm, va, 1, FOLL_LONGTERM, page);
		mmap_read_unlock(mm);
		mmput_async(mm);
	}
	if (got != 1)
		return got < 0 ? got : -EFAULT;
	xsched_obj_add(XSCHED_OBJ_PIN, 1);
	return 0;
}

/* The memo that may name @page is void already: see xsched_poll_sync(). */
static void xsched_unpin(struct page *page)
{
	xsched_poll_sync();
	unpin_user_page(page);
	xsched_obj_add(XSCHED_OBJ_PIN, -1);
}

/**
 * xsched_qmem_pin() - take what activity detection of a new queue reads
 * @m: the queue's activity memory, zeroed
 * @info: the provider's description, in its QUEUE_CREATED callback
 *
 * Pins the dispatch ids in the owner's address space, which the provider
 * names for certain (@info->mm), and charges the owner.  The ring and
 * signal pages are pinned later, one at a time, as detection needs them.
 *
 * Return: 0; or -errno when the dispatch ids cannot be read (the queue is
 * then tracked without activity detection, and @m holds nothing).
 */
int xsched_qmem_pin(struct xsched_qmem *m,
		    const struct kfd_xsched_queue_info *info)
{
	int ret;

	if (!info->mm)
		return -ESRCH;
	if ((info->rptr_va & PAGE_MASK) != (info->wptr_va & PAGE_MASK) ||
	    (info->rptr_va | info->wptr_va) & 7)
		return -EINVAL;
	m->mm = info->mm;
	mmgrab(m->mm);
	ret = xsched_qmem_charge(m, current->mm == m->mm);
	if (!ret)
		ret = xsched_pin(m, info->rptr_va & PAGE_MASK, &m->amdq);
	if (ret) {
		xsched_qmem_unpin(m);
		return ret;
	}
	m->rptr_off = info->rptr_va & ~PAGE_MASK;
	m->wptr_off = info->wptr_va & ~PAGE_MASK;
	/* A ring we cannot index only disables the completion-signal check. */
	if (info->ring_va && !(info->ring_va & ~PAGE_MASK) &&
	    info->ring_size >= PAGE_SIZE && is_power_of_2(info->ring_size)) {
		m->ring_va = info->ring_va;
		m->ring_size = info->ring_size;
	}
	return 0;
}

/* Lets go of everything @m holds; @m is zeroed.  Any context that sleeps. */
void xsched_qmem_unpin(struct xsched_qmem *m)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(m->dep); i++)
		if (m->dep[i])
			xsched_unpin(m->dep[i]);
	if (m->sig)
		xsched_unpin(m->sig);
	if (m->ring)
		xsched_unpin(m->ring);
	if (m->amdq)
		xsched_unpin(m->amdq);
	xsched_qmem_uncharge(m);
	if (m->mm)
		mmdrop(m->mm);
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

/*
 * A read of the poll's: also noted in the domain's memo (the word's
 * address and value), so that the next poll can tell by re-reading the
 * words alone whether this pass would find anything new
 * (xsched_poll_pass()); a read outside the poll goes to dom->memo_none,
 * which keeps nothing.  Under dom->lock.  Pages are mapped for good
 * only without highmem; with it, a pass is never memoised.
 */
static u64 xsched_poll_read(struct xsched_qmem *m, struct page *page,
			    unsigned int off)
{
	struct xsched_memo *memo =
		container_of(m, struct xsched_queue, mem)->dom->memo_rec;
	unsigned int i = memo->n++;
	u64 *p, v;

	if (IS_ENABLED(CONFIG_HIGHMEM)) {
		memo->n = memo->cap + 1;
		return xsched_read_u64(page, off);
	}
	p = page_address(page) + off;
	v = smp_load_acquire(p);	/* as xsched_read_u64() */
	if (i < memo->cap) {
		memo->w[i].at = p;
		memo->w[i].val = v;
	}
	return v;
}

/*
 * Drops the word just read from the memo: one that cannot change while
 * the words read before it hold.
 */
static void xsched_poll_unread(struct xsched_qmem *m)
{
	struct xsched_memo *memo =
		container_of(m, struct xsched_queue, mem)->dom->memo_rec;

	if (memo->n <= memo->cap)
		memo->n--;
}

/* The user VA of packet @id (1-based) in the ring. */
static u64 xsched_packet_va(const struct xsched_qmem *m, u64 id)
{
	return m->ring_va + (((id - 1) * KFD_XSCHED_AQL_PACKET_SIZE) &
			     (m->ring_size - 1));
}

/*
 * The value of the signal at @va, if its page is pinned among the
 * barrier's dependency pages; else asks for it and says false.
 */
static bool xsched_dep_value(struct xsched_qmem *m, u64 va, s64 *v)
{
	unsigned int i;

	if (va & 7 || (va & ~PAGE_MASK) + KFD_XSCHED_SIGNAL_VALUE + 8 > PAGE_SIZE)
		return false;
	for (i = 0; i < ARRAY_SIZE(m->dep); i++)
		if (m->dep[i] && m->dep_va[i] == (va & PAGE_MASK)) {
			*v = (s64)xsched_poll_read(m, m->dep[i], (va & ~PAGE_MASK) +
						  KFD_XSCHED_SIGNAL_VALUE);
			return true;
		}
	if (!m->dep_want)
		m->dep_want = va & PAGE_MASK;
	return false;
}

enum xsched_barrier { XSCHED_NOT_BARRIER, XSCHED_BARRIER_MET,
		      XSCHED_BARRIER_UNMET, XSCHED_BARRIER_UNKNOWN };

/*
 * Whether the packet at @off of the pinned @page is a barrier, and if so
 * whether its condition holds: barrier-AND (every dependency signal 0),
 * barrier-OR (one of them 0), AMD barrier-value (its signal against
 * value and mask).  Unknown when a signal's page is not pinned (yet).
 * Null dependencies are ignored; a barrier-value without a signal is not
 * judged (it is released some other way).
 */
static enum xsched_barrier xsched_barrier_at(struct xsched_qmem *m,
					     struct page *page,
					     unsigned int off)
{
	u64 hdr = xsched_poll_read(m, page, off);
	unsigned int type = hdr & 0xff, i, nnull = 0, nmet = 0;
	bool unknown = false, met;
	s64 v, want, mask;
	u64 sig;

	if (type == KFD_XSCHED_AQL_TYPE_VENDOR &&
	    ((hdr >> (8 * KFD_XSCHED_AQL_AMD_FORMAT)) & 0xff) ==
	    KFD_XSCHED_AMD_FORMAT_BARRIER_VALUE) {
		sig = xsched_poll_read(m, page, off + KFD_XSCHED_AQL_BV_SIGNAL);
		if (!sig)
			return XSCHED_NOT_BARRIER;
		if (!xsched_dep_value(m, sig, &v))
			return XSCHED_BARRIER_UNKNOWN;
		want = xsched_poll_read(m, page, off + KFD_XSCHED_AQL_BV_VALUE);
		mask = xsched_poll_read(m, page, off + KFD_XSCHED_AQL_BV_MASK);
		v &= mask;
		switch ((u32)xsched_poll_read(m, page, off + KFD_XSCHED_AQL_BV_COND)) {
		case 0:		/* HSA_SIGNAL_CONDITION_EQ */
			met = v == want;
			break;
		case 1:		/* NE */
			met = v != want;
			break;
		case 2:		/* LT */
			met = v < want;
			break;
		case 3:		/* GTE */
			met = v >= want;
			break;
		default:
			return XSCHED_BARRIER_UNKNOWN;
		}
		return met ? XSCHED_BARRIER_MET : XSCHED_BARRIER_UNMET;
	}
	if (type != KFD_XSCHED_AQL_TYPE_BARRIER_AND &&
	    type != KFD_XSCHED_AQL_TYPE_BARRIER_OR)
		return XSCHED_NOT_BARRIER;
	for (i = 0; i < KFD_XSCHED_AQL_BARRIER_NDEPS; i++) {
		sig = xsched_poll_read(m, page, off + KFD_XSCHED_AQL_BARRIER_DEPS +
				      8 * i);
		if (!sig)
			nnull++;
		else if (!xsched_dep_value(m, sig, &v))
			unknown = true;
		else
			nmet += v == 0;
	}
	if (type == KFD_XSCHED_AQL_TYPE_BARRIER_OR) {
		if (nmet || nnull == KFD_XSCHED_AQL_BARRIER_NDEPS)
			return XSCHED_BARRIER_MET;
	} else if (nmet + nnull == KFD_XSCHED_AQL_BARRIER_NDEPS) {
		return XSCHED_BARRIER_MET;
	}
	return unknown ? XSCHED_BARRIER_UNKNOWN : XSCHED_BARRIER_UNMET;
}

/*
 * Does the kernel of packet @id, the last consumed, still run?  Only its
 * completion signal can say: a packet without one counts as done, one
 * whose signal page is not pinned yet as running (until it is; the poll
 * asks the decider to pin it).  @last: @id is also the last packet
 * written.  Then a ring page not the one pinned means running (and asks
 * for it), and the packet's slot is written again only after the write
 * index has moved on by a whole ring: the memo needs not the signal's
 * address, only its value.
 */
static bool xsched_still_runs(struct xsched_queue *q, u64 id, bool last)
{
	struct xsched_qmem *m = &q->mem;
	u64 pkt = xsched_packet_va(m, id), sig;

	if (!id)
		return false;
	if ((pkt & PAGE_MASK) != m->ring_page_va) {
		q->need_pin |= last;
		return last;
	}
	if (!m->ring)		/* could not be pinned: indices only */
		return false;
	sig = xsched_poll_read(m, m->ring, (pkt & ~PAGE_MASK) +
			      KFD_XSCHED_AQL_COMPLETION_SIGNAL);
	if (last)
		xsched_poll_unread(m);
	if (!sig || sig & 7 ||
	    (sig & ~PAGE_MASK) + KFD_XSCHED_SIGNAL_VALUE + 8 > PAGE_SIZE)
		return false;
	if ((sig & PAGE_MASK) != m->sig_page_va) {
		q->need_pin = true;
		return true;
	}
	if (!m->sig)		/* could not be pinned */
		return false;
	return (s64)xsched_poll_read(m, m->sig, (sig & ~PAGE_MASK) +
				    KFD_XSCHED_SIGNAL_VALUE) > 0;
}

/*
 * Packets wait: is the one at the read index (@id) a barrier that holds
 * the queue?  A barrier whose dependencies are not met, or whose
 * dependencies cannot be read yet on a queue that runs (the packet
 * processor consumes a met barrier within microseconds, so one still at
 * the read index of a running queue is not met), makes the queue
 * waiting, not busy: once the kernel before it has finished (AQL's
 * barrier bit holds a barrier until then).
 */
static bool xsched_waits(struct xsched_queue *q, u64 id)
{
	struct xsched_qmem *m = &q->mem;
	u64 pkt = xsched_packet_va(m, id);
	bool waits;

	if ((pkt & PAGE_MASK) != m->ring_page_va) {
		q->need_pin = true;
		return false;
	}
	if (!m->ring)
		return false;
	switch (xsched_barrier_at(m, m->ring, pkt & ~PAGE_MASK)) {
	case XSCHED_BARRIER_UNMET:
		waits = true;
		break;
	case XSCHED_BARRIER_UNKNOWN:
		q->need_pin |= !!m->dep_want;
		waits = !READ_ONCE(q->paused);
		break;
	default:
		waits = false;
	}
	return waits && !xsched_still_runs(q, id - 1, false);
}

/**
 * xsched_qmem_busy() - poll one queue's activity
 * @q: the queue; called under dom->lock, in any context
 *
 * Return: true if packets wait (and the first is not a barrier that
 * holds the queue: q->waiting then) or the last launched kernel still
 * runs.  When a page it needs is not pinned yet, says busy and sets
 * q->need_pin so that the decider pins it.
 */
bool xsched_qmem_busy(struct xsched_queue *q)
{
	struct xsched_qmem *m = &q->mem;
	u64 w, r;

	q->waiting = false;
	if (!m->amdq)
		return false;
	w = xsched_poll_read(m, m->amdq, m->wptr_off);
	/*
	 * Nothing written since the last packet seen done: the read index,
	 * between the two, can only equal them (one read, not two).
	 */
	if (w && w == m->done_id)
		return false;
	r = xsched_poll_read(m, m->amdq, m->rptr_off);
	/*
	 * The read index never passes the write index: while the write
	 * index holds, one equal to it holds too (the memo needs one word).
	 */
	if (w == r)
		xsched_poll_unread(m);
	if (w != r) {
		q->waiting = m->ring_size && w > r && xsched_waits(q, r + 1);
		return !q->waiting;
	}
	if (!m->ring_size || r == m->done_id)
		return false;
	/*
	 * An idle queue's last packet, once seen done, stays done: it is not
	 * read again (its signal may be reused by the runtime meanwhile).
	 */
	if (xsched_still_runs(q, r, true))
		return true;
	m->done_id = r;
	return false;
}

/*
 * Makes *@page the pinned page of @va, under dom->lock; the page it
 * replaces is unpinned after.  On failure the VA is remembered with no
 * page, so that the queue is judged by what can be read.
 */
static void xsched_qmem_swap(struct xsched_queue *q, struct page **slot,
			     u64 *slot_va, u64 va)
{
	struct page *page = NULL, *old;

	if (xsched_pin(&q->mem, va, &page))
		page = NULL;
	xsched_dom_lock_irq(q->dom);
	old = *slot;
	*slot = page;
	*slot_va = va;
	raw_spin_unlock_irq(&q->dom->lock);
	if (old)
		xsched_unpin(old);
}

/**
 * xsched_qmem_pin_more() - pin the pages the last poll could not read
 * @q: the queue; called under dom->mutex, in process context
 *
 * The ring page of the packet the poll reads (the one at the read index
 * while packets wait, else the last consumed one), then the page of that
 * packet's completion signal, and a page of a barrier's dependencies:
 * one of each at a time per queue.
 */
void xsched_qmem_pin_more(struct xsched_queue *q)
{
	struct xsched_qmem *m = &q->mem;
	u64 r, w, pkt, sig, dep;
	unsigned int slot;

	q->need_pin = false;
	if (!m->amdq || !m->ring_size)
		return;
	xsched_dom_lock_irq(q->dom);
	dep = m->dep_want;
	m->dep_want = 0;
	raw_spin_unlock_irq(&q->dom->lock);
	if (dep && dep != m->dep_va[0] && dep != m->dep_va[1]) {
		slot = m->dep_next;
		m->dep_next = !slot;
		xsched_qmem_swap(q, &m->dep[slot], &m->dep_va[slot], dep);
	}
	r = xsched_read_u64(m->amdq, m->rptr_off);
	w = xsched_read_u64(m->amdq, m->wptr_off);
	/* The ring page the poll reads: the packet at the read index... */
	pkt = xsched_packet_va(m, w > r ? r + 1 : r);
	if ((w > r || r) && (pkt & PAGE_MASK) != m->ring_page_va)
		xsched_qmem_swap(q, &m->ring, &m->ring_page_va,
				 pkt & PAGE_MASK);
	/* ...and the signal of the last consumed one, on the same page. */
	pkt = xsched_packet_va(m, r);
	if (!r || !m->ring || (pkt & PAGE_MASK) != m->ring_page_va)
		return;
	sig = xsched_read_u64(m->ring, (pkt & ~PAGE_MASK) +
			      KFD_XSCHED_AQL_COMPLETION_SIGNAL) & PAGE_MASK;
	if (sig && sig != m->sig_page_va)
		xsched_qmem_swap(q, &m->sig, &m->sig_page_va, sig);
}
