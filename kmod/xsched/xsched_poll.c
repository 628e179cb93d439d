// SPDX-License-Identifier: GPL-2.0
/*
 * xsched: the poll.  A hard-irq hrtimer per domain reads the activity of
 * the queues that can change the domain's decision and wakes its decider
 * on any change (docs/architecture.md, "the life of a decision").
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitops.h>
#include <linux/hrtimer.h>
#include <linux/kthread.h>
#include <linux/ktime.h>

#include "xsched.h"

/* One poll in this many reads every queue (statistics, lower levels). */
#define XSCHED_FULL_POLL_EVERY		10

/*
 * Called under dom->lock.  Counts the queue's activity at its operator
 * priority (dom->busy_levels) and, in its tenant, at its own priority.
 * A rise at either is noted for the latency of the pause it causes.
 */
void xsched_queue_set_busy(struct xsched_queue *q, bool busy, u64 now)
{
	struct xsched_domain *dom = q->dom;
	struct xsched_tenant *t = q->tenant;

	if (q->busy == busy)
		return;
	q->busy = busy;
	if (busy) {
		q->busy_since = now;
		if (!dom->busy_levels || q->tier > __fls(dom->busy_levels) ||
		    (t->busy_own && q->prio > __fls(t->busy_own))) {
			dom->rise_at = now;
			dom->rise = true;
		}
		if (!dom->nbusy[q->tier]++)
			__set_bit(q->tier, &dom->busy_levels);
		if (!t->nbusy[q->prio]++)
			__set_bit(q->prio, &t->busy_own);
	} else {
		q->busy_ns += now - q->busy_since;
		if (!--dom->nbusy[q->tier])
			__clear_bit(q->tier, &dom->busy_levels);
		if (!--t->nbusy[q->prio])
			__clear_bit(q->prio, &t->busy_own);
	}
}

/* Reads one queue, unless it is paused busy; returns 1 if it was read. */
static unsigned int xsched_poll_queue(struct xsched_queue *q, u64 now,
				      bool *kick)
{
	bool busy, expired = q->hint && now >= q->hint_until;

	if (expired) {		/* a BEGIN not renewed in time */
		q->hint = false;
		q->hint_owner = NULL;
		*kick = true;
	} else if (q->busy && READ_ONCE(q->paused)) {
		return 0;
	}
	busy = xsched_qmem_busy(q) || q->hint;
	/* Waiting on other work: what it paused may be that work. */
	if (q->busy && !busy && q->waiting)
		q->dom->skip_delay = true;
	if (busy != q->busy) {
		xsched_queue_set_busy(q, busy, now);
		*kick = true;
	}
	*kick |= q->need_pin;
	return 1;
}

static unsigned int xsched_poll_level(struct xsched_domain *dom,
				      unsigned int l, u64 now, bool *kick)
{
	struct xsched_queue *q;
	unsigned int n = 0;

	list_for_each_entry(q, &dom->levels[l], level_link)
		n += xsched_poll_queue(q, now, kick);
	return n;
}

/*
 * The fast pass: only the queues whose activity can change a decision
 * made by priority.  Those above the highest busy operator priority (one
 * becoming busy is a rise), and those at it: all of them going idle is a
 * fall, and one of them changing moves its tenant's level.  Returns
 * false when a full pass is due.
 */
static bool xsched_poll_fast(struct xsched_domain *dom, u64 now,
			     unsigned int *n, bool *kick)
{
	unsigned int top, l;

	if (dom->policy->watch_all || !dom->busy_levels ||
	    !dom->full_poll_in--)
		return false;
	top = __fls(dom->busy_levels);
	for (l = XSCHED_LEVELS - 1; l > top; l--)
		*n += xsched_poll_level(dom, l, now, kick);
	*n += xsched_poll_level(dom, top, now, kick);
	/* The top fell: the next busy level must be known, read them all. */
	return dom->busy_levels & BIT(top);
}

/*
 * The poll: a hard-irq hrtimer, so that neither softirq deferral nor busy
 * user threads delay it.  It reads the watched queues' dispatch ids and
 * wakes the domain's decider (a SCHED_FIFO kthread) on any change.
 *
 * Most polls are fast passes (xsched_poll_fast()); every
 * XSCHED_FULL_POLL_EVERY-th poll, and any poll that sees the top busy
 * level fall, reads every queue, for the statistics and the levels below.
 * A queue xsched paused while it was busy is never read: it cannot make
 * progress while unmapped, so it stays busy until it is resumed.
 *
 * xsched_poll_pass() is one poll, under dom->lock; true if the decider
 * must run.
 */
bool xsched_poll_pass(struct xsched_domain *dom, u64 now)
{
	struct xsched_queue *q;
	unsigned int n = 0;
	bool kick = false;

	lockdep_assert_held(&dom->lock);
	dom->polls++;
	if (!xsched_poll_fast(dom, now, &n, &kick)) {
		dom->full_polls++;
		dom->full_poll_in = XSCHED_FULL_POLL_EVERY - 1;
		list_for_each_entry(q, &dom->queues, dom_link)
			n += xsched_poll_queue(q, now, &kick);
	}
	dom->polled += n;
	return kick;
}

enum hrtimer_restart xsched_poll_fn(struct hrtimer *t)
{
	struct xsched_domain *dom = container_of(t, struct xsched_domain,
						 poll);
	u64 now = ktime_get_ns();
	bool kick;

	raw_spin_lock(&dom->lock);
	kick = xsched_poll_pass(dom, now);
	kick |= now >= dom->next_decide;
	if (kick && !dom->dead)
		kthread_queue_work(dom->decider, &dom->decide_work);
	/* Re-armed here, never by returning HRTIMER_RESTART: see queue_add. */
	if (dom->nr_queues && dom->poll_us && !dom->dead)
		hrtimer_start(&dom->poll,
			      ns_to_ktime(now + dom->poll_us * NSEC_PER_USEC),
			      HRTIMER_MODE_ABS_HARD);
	dom->poll_ns += ktime_get_ns() - now;
	raw_spin_unlock(&dom->lock);
	return HRTIMER_NORESTART;
}
