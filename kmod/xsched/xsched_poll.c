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
#include <linux/math64.h>
#include <linux/moduleparam.h>

#include "xsched.h"
#include "xsched_compat.h"
#include "xsched_trace.h"

/*
 * A busy domain reads every queue (statistics, lower levels, tenants
 * with no busy queue) at least this often; its other polls read only
 * the queues that can change a decision.
 */
#define XSCHED_FULL_POLL_NS		(10 * NSEC_PER_MSEC)

/*
 * Polls fall on a grid: every poll, fast or idle, is due at a multiple of
 * the domain's poll period on CLOCK_MONOTONIC (xsched_poll_due()).  The
 * polls of domains with the same period then expire at the same instant,
 * which the hrtimer core serves in one timer interrupt per CPU: N busy
 * domains cost one interrupt per poll period rather than N (interrupts,
 * more than reads, were what watching cost).  A doorbell is seen within
 * one poll period, or one and a half after a poll that ran late.
 */
static u64 xsched_grid_next(u64 now, u32 poll_us)
{
	u64 fast = (u64)poll_us * NSEC_PER_USEC;

	return (div64_u64(now, fast) + 1) * fast;
}

u64 xsched_poll_due(const struct xsched_domain *dom, u64 now)
{
	return xsched_grid_next(now, READ_ONCE(dom->poll_us));
}

/*
 * A domain with no busy queue cannot need a pause until a second queue
 * is busy.  So a cold idle domain -- no queue busy for XSCHED_COLD_NS, no
 * decision pending, no timed wake-up asked for -- is polled (a full
 * pass) less often than every poll_us: every idle_poll_us on a host that
 * watches as much as 8 MI300X in CPX mode (64 domains of 64 queues),
 * proportionally more often on a host that watches less, down to
 * poll_us, so that idle polling costs about the same everywhere
 * (xsched_poll_idle_period()).  A domain that was busy within
 * XSCHED_COLD_NS keeps the fast period: a stream that pauses between
 * iterations is seen at once when it resumes, and a higher queue after
 * it is paused within poll_us.  The cost: a higher queue rising soon
 * after the first busy queue of a cold domain is paused up to one idle
 * period after its doorbell (at most idle_poll_us, 0.3 ms for one
 * domain of 16 queues); every doorbell that finds a busy queue known is
 * served within poll_us.  A queue that becomes busy outside a poll (a
 * hint) brings the fast period back at once.  0, or a value not above
 * poll_us, polls idle domains every poll_us.
 */
static unsigned int idle_poll_us = 50000;
module_param(idle_poll_us, uint, 0644);
MODULE_PARM_DESC(idle_poll_us,
		 "Poll period of a domain with no queue busy for 1 s and no pending decision at 64 domains x 64 queues; shorter in proportion on smaller hosts; us (default 50000; 0: poll_us)");

#define XSCHED_COLD_NS		NSEC_PER_SEC

/*
 * The scale of the watching, from what each domain's polls saw lately:
 * one slot per domain (by gpu_id), its cost in queue reads (a poll costs
 * about as much as reading 16 queues, plus one read per queue) and when
 * it was written.  Slots not written for two idle periods (two full
 * passes, if longer) are of domains gone or no longer polled.  Written
 * and read without a lock: a figure a little off only moves an idle
 * period a little.
 */
#define XSCHED_SCALE_SLOTS	64
#define XSCHED_POLL_COST	16
#define XSCHED_SCALE_REF	(64 * (XSCHED_POLL_COST + 64))

static struct {
	u64 at;
	u32 cost;
} xsched_scale[XSCHED_SCALE_SLOTS];

static __always_inline void xsched_scale_note(const struct xsched_domain *dom,
					      u64 now)
{
	unsigned int i = dom->gpu_id % XSCHED_SCALE_SLOTS;

	WRITE_ONCE(xsched_scale[i].cost, XSCHED_POLL_COST + dom->nr_queues);
	WRITE_ONCE(xsched_scale[i].at, now);
}

/* The idle period at this scale: @idle at the reference, at least @fast. */
static u64 xsched_poll_idle_period(u64 now, u64 idle, u64 fast)
{
	/* A busy domain's slot is written by its full pass at least. */
	u64 sum = 0, period, stale = 2 * max_t(u64, idle, XSCHED_FULL_POLL_NS);
	unsigned int i;

	for (i = 0; i < XSCHED_SCALE_SLOTS; i++)
		if ((s64)(now - READ_ONCE(xsched_scale[i].at)) <= (s64)stale)
			sum += READ_ONCE(xsched_scale[i].cost);
	period = div64_u64(idle * sum, XSCHED_SCALE_REF);
	/* Whole fast periods: idle polls stay on the grid. */
	return max(fast, div64_u64(min(period, idle), fast) * fast);
}

/* The first instant after @now that is @phase past a multiple of @period. */
static u64 xsched_poll_next(u64 now, u64 period, u64 phase)
{
	if (now < phase)
		return phase;
	return (div64_u64(now - phase, period) + 1) * period + phase;
}

/*
 * When a cold idle domain polls next.  The idle domains fall into
 * XSCHED_IDLE_GROUPS groups by gpu_id; a group's full passes come at one
 * instant, so that the hrtimer core makes them in one timer interrupt
 * (interrupts, not reads, were most of what idle watching cost), and the
 * groups are spread over the idle period in slots of whole fast periods,
 * so that no interrupt makes the passes of every domain: at most 8
 * domains of 64 queues, 512 queue reads.
 */
#define XSCHED_IDLE_GROUPS	8

static u64 xsched_poll_next_idle(struct xsched_domain *dom, u64 now, u64 idle)
{
	u64 fast = (u64)dom->poll_us * NSEC_PER_USEC;
	u64 period = xsched_poll_idle_period(now, idle, fast);
	u64 slot = div64_u64(div64_u64(period, XSCHED_IDLE_GROUPS), fast) *
		   fast;

	return xsched_poll_next(now, period,
				(dom->gpu_id % XSCHED_IDLE_GROUPS) * slot);
}

/*
 * Called under dom->lock when a queue becomes busy: a domain polled at
 * the idle period goes back to poll_us at once.  (Inside the poll
 * poll_idle is false: the poll re-arms itself.)
 */
static void xsched_poll_wake(struct xsched_domain *dom, u64 now)
{
	if (!dom->poll_idle || dom->dead || !dom->poll_us)
		return;
	dom->poll_idle = false;
	hrtimer_start(&dom->poll, ns_to_ktime(xsched_poll_due(dom, now)),
		      HRTIMER_MODE_ABS_HARD);
}

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
		xsched_poll_wake(dom, now);
	} else {
		dom->busy_until = now;
		q->busy_ns += now - q->busy_since;
		if (!--dom->nbusy[q->tier])
			__clear_bit(q->tier, &dom->busy_levels);
		if (!--t->nbusy[q->prio])
			__clear_bit(q->prio, &t->busy_own);
	}
}

/* What one poll pass found. */
struct xsched_poll_ctx {
	u64 now;
	u64 until;			/* a hint read expires then */
	unsigned int read;		/* queues read */
	bool kick;			/* activity changed: decide */
	bool pin;			/* the decider must pin pages */
	bool fell;			/* a queue went idle */
};

/* Reads one queue, unless it is paused busy. */
static void xsched_poll_queue(struct xsched_queue *q,
			      struct xsched_poll_ctx *c)
{
	bool busy, expired = q->hint && c->now >= q->hint_until;

	if (q->hint)
		c->until = min(c->until, q->hint_until);
	if (expired) {		/* a BEGIN not renewed in time */
		q->hint = false;
		q->hint_owner = NULL;
		c->kick = true;
	} else if (q->busy && READ_ONCE(q->paused)) {
		return;
	}
	busy = xsched_qmem_busy(q) || q->hint;
	/* Waiting on other work: what it paused may be that work. */
	if (q->busy && !busy && q->waiting)
		q->dom->skip_delay = true;
	if (busy != q->busy) {
		c->fell |= !busy;
		xsched_queue_set_busy(q, busy, c->now);
		c->kick = true;
	}
	c->pin |= q->need_pin;
	c->read++;
}

/*
 * The fast pass of one tenant: only the queues whose activity can change
 * a decision made by priority.  Above the highest busy operator priority
 * (@above), every queue: one becoming busy is a rise.  At it, in a tenant
 * with a busy queue, the idle ones above its highest busy own priority
 * (a rise) and the busy ones at it (a fall).  A tenant at it with no busy
 * queue has none: tenants never pause each other, so its first busy queue
 * needs no pause.  A queue below its tenant's top becoming busy is to be
 * paused, not urgent: the next full pass sees it, as it sees the lower
 * operator priorities.
 */
static void xsched_poll_tenant(struct xsched_tenant *t, bool above,
			       struct xsched_poll_ctx *c)
{
	struct xsched_queue *q;
	unsigned int p = XSCHED_LEVELS, top, left;

	while (p--) {
		if (!above) {
			if (!t->busy_own)
				return;
			/* Again at each level: a rise read above moves it. */
			top = __fls(t->busy_own);
			if (p < top)
				return;
			if (p == top) {
				/* Its busy queues only: the list may be long. */
				left = t->nbusy[p];
				list_for_each_entry(q, &t->prios[p], prio_link) {
					if (!left)
						break;
					if (q->busy) {
						left--;
						xsched_poll_queue(q, c);
					}
				}
				return;
			}
		}
		list_for_each_entry(q, &t->prios[p], prio_link)
			xsched_poll_queue(q, c);
	}
}

/*
 * The fast pass: xsched_poll_tenant() for every tenant at or above the
 * highest busy operator priority.  Returns false when a full pass is due:
 * every XSCHED_FULL_POLL_NS, or a queue went idle (the next busy level,
 * of the domain or of a tenant, must be known).
 */
static __always_inline bool xsched_poll_fast_due(const struct xsched_domain *dom,
						 u64 now)
{
	return !dom->policy->watch_all && dom->busy_levels &&
	       now < dom->full_poll_at;
}

static bool xsched_poll_fast(struct xsched_domain *dom,
			     struct xsched_poll_ctx *c)
{
	struct xsched_tenant *t;
	unsigned int top;

	if (!xsched_poll_fast_due(dom, c->now))
		return false;
	top = __fls(dom->busy_levels);
	list_for_each_entry(t, &dom->tenants, link)
		if (t->tier >= top)
			xsched_poll_tenant(t, t->tier > top, c);
	return !c->fell && (dom->busy_levels & BIT(top));
}

/*
 * Whether a memo answers this poll: the memo of the kind of pass due (a
 * fast pass, or a full one) stands, and every word that pass read still
 * holds what it read.  The pass depends on nothing else but state under
 * dom->lock (which no one else has taken since: xsched_dom_lock_irq()),
 * the pauses (changed only while dom->deciding, under which no memo is
 * made) and the clock (which pass is due; the end of a hint it read).
 * So it would read the same words and again find nothing new.  The full
 * pass reads every word the fast one reads: a full pass's memo that
 * holds says the fast pass would find nothing either.  Counted as the
 * pass it stands for.
 */
static __always_inline bool xsched_memo_answers(struct xsched_domain *dom,
						u64 now)
{
	unsigned int kind = xsched_poll_fast_due(dom, now) ? XSCHED_MEMO_FAST :
							      XSCHED_MEMO_FULL;
	const struct xsched_memo *m = &dom->memo[kind];
	unsigned int i;

	if (!(dom->memo_valid & BIT(kind)) || now >= m->until)
		return false;
	for (i = 0; i < m->n; i++)
		if (READ_ONCE(*m->w[i].at) != m->w[i].val)
			return false;
	if (kind == XSCHED_MEMO_FULL) {
		dom->full_polls++;
		dom->full_poll_at = now + XSCHED_FULL_POLL_NS;
	}
	dom->memo_polls++;
	dom->polled += m->read;
	return true;
}

/*
 * The poll: a hard-irq hrtimer, so that neither softirq deferral nor busy
 * user threads delay it.  It reads the watched queues' dispatch ids and,
 * on any change, decides (xsched_poll_settle()); it wakes the domain's
 * decider (a SCHED_FIFO kthread) when the decision changes something.
 *
 * Most polls are fast passes (xsched_poll_fast()); a poll every
 * XSCHED_FULL_POLL_NS, and any poll that sees the top busy level fall,
 * reads every queue, for the statistics and the levels below.
 * A queue xsched paused while it was busy is never read: it cannot make
 * progress while unmapped, so it stays busy until it is resumed.
 * A pass that finds nothing new leaves a memo of the words it read, one
 * for fast passes and one for full passes; while they hold the same
 * values, the next polls of that kind compare them and no more
 * (xsched_memo_answers(); a busy domain's steady state: a few words per
 * poll, and its full pass every 10 ms a compare of every queue's ids).
 *
 * xsched_poll_pass() is one poll, under dom->lock; returns what it found
 * (XSCHED_POLL_CHANGED, XSCHED_POLL_PIN), 0 for nothing.
 */
unsigned int xsched_poll_pass(struct xsched_domain *dom, u64 now)
{
	struct xsched_poll_ctx c = { .now = now, .until = U64_MAX };
	struct xsched_queue *q;
	bool fast;

	lockdep_assert_held(&dom->lock);
	dom->polls++;
	if (xsched_memo_answers(dom, now))
		return 0;
	fast = xsched_poll_fast_due(dom, now);
	if (fast) {
		dom->memo_rec = &dom->memo[XSCHED_MEMO_FAST];
		dom->memo_rec->n = 0;
		if (!xsched_poll_fast(dom, &c)) {
			/* Cut short, it says nothing: its memo is void. */
			dom->memo_valid &= ~BIT(XSCHED_MEMO_FAST);
			fast = false;
		}
	}
	if (!fast) {
		dom->full_polls++;
		dom->full_poll_at = now + XSCHED_FULL_POLL_NS;
		dom->memo_rec = &dom->memo[XSCHED_MEMO_FULL];
		dom->memo_rec->n = 0;
		list_for_each_entry(q, &dom->queues, dom_link)
			xsched_poll_queue(q, &c);
	}
	dom->polled += c.read;
	/* Something new: busy state changed, neither memo stands. */
	if (c.kick || c.pin || dom->deciding)
		dom->memo_valid = 0;
	else if (dom->memo_rec->n <= dom->memo_rec->cap)
		dom->memo_valid |= BIT(dom->memo_rec - dom->memo);
	else
		dom->memo_valid &= ~BIT(dom->memo_rec - dom->memo);
	dom->memo_rec->read = c.read;
	dom->memo_rec->until = c.until;
	/* Reads outside a pass (a hint) go to no memo the tick may read. */
	dom->memo_rec = &dom->memo_none;
	return (c.kick ? XSCHED_POLL_CHANGED : 0) | (c.pin ? XSCHED_POLL_PIN : 0);
}

/**
 * xsched_poll_settle() - make a decision in the poll, if it changes nothing
 * @dom: the domain, dom->lock held
 * @now: the poll's clock
 *
 * Most changes of activity change no queue's state: the top level falls
 * and the policy only starts the resume delay, a queue at the enforced
 * level starts or ends, a timed decision finds nothing due.  Waking the
 * decider for them cost a wake-up and two context switches each, a third
 * of the decider's runs under serving load.  The poll makes such a
 * decision itself: the policy runs here, under dom->lock as always, and
 * if it leaves the enforced level and every tenant's level as they are,
 * its timed wake-up is recorded and the decider stays asleep.  Anything
 * else is left to the decider, which decides again: while a decision is
 * being made or applied (dom->deciding), while the last one is not in
 * force in full (a fault or the limit), when degraded, and when a
 * waiting queue asks for an immediate resume (skip_delay, which the
 * policy consumes).
 *
 * Return: true if the decision was made and changes nothing.
 */
bool xsched_poll_settle(struct xsched_domain *dom, u64 now)
{
	u32 gen = dom->levels_gen;
	unsigned int target;
	u64 next, t0;

	lockdep_assert_held(&dom->lock);
	if (dom->deciding || dom->unsettled || dom->dead ||
	    READ_ONCE(dom->degraded) || dom->skip_delay)
		return false;
	t0 = ktime_get_ns();
	target = dom->policy->decide(dom, now, &next);
	dom->policy_ns += ktime_get_ns() - t0;
	if (target != dom->level || gen != dom->levels_gen)
		return false;
	dom->next_decide = next;
	dom->decisions++;
	dom->poll_decisions++;
	trace_xsched_decide(dom->gpu_id, dom->level, target, dom->busy_levels);
	return true;
}

/*
 * Cold and settled: nothing busy now nor for XSCHED_COLD_NS, the decider
 * not woken by this poll and no timed decision asked for (a resume after
 * the top fell, a retry, a degraded period all ask for one).
 */
static bool xsched_poll_cold(struct xsched_domain *dom, u64 now, bool woke)
{
	return !woke && !dom->busy_levels && dom->next_decide == U64_MAX &&
	       now - dom->busy_until >= XSCHED_COLD_NS;
}

/*
 * One poll of @dom at @now, dom->lock held: the pass, the decision it
 * may settle, the decider woken.  Returns true when the domain is cold,
 * to be polled at the idle period from now on.
 */
static bool xsched_poll_one(struct xsched_domain *dom, u64 now)
{
	unsigned int found, idle = READ_ONCE(idle_poll_us);
	bool wake = false;

	dom->poll_idle = false;
	xsched_scale_note(dom, now);
	found = xsched_poll_pass(dom, now);
	if ((found || now >= dom->next_decide) && !dom->dead)
		wake = (found & XSCHED_POLL_PIN) ||
		       !xsched_poll_settle(dom, now);
	if (wake)
		kthread_queue_work(dom->decider, &dom->decide_work);
	return idle > dom->poll_us && xsched_poll_cold(dom, now, wake);
}

/*
 * A poll the memo answers and that has nothing else to do: no timed
 * decision due, and a busy queue (a domain with none may be turning
 * cold).  Counted as xsched_poll_one() would, in a few loads: the tick's
 * steady state for a busy domain.
 */
static __always_inline bool xsched_poll_quiet(struct xsched_domain *dom,
					      u64 now)
{
	if (!dom->busy_levels || now >= dom->next_decide ||
	    !xsched_memo_answers(dom, now))
		return false;
	xsched_scale_note(dom, now);
	dom->polls++;
	return true;
}

/* The shared tick's lock (xsched_tick_fn()). */
static DEFINE_RAW_SPINLOCK(xsched_tick_lock);

/*
 * xsched_poll_quiet() without dom->lock, for the tick's fast polls: a
 * tick that finds a busy domain's fast memo standing answers it with the
 * loads of the words and of when the next decision and full pass are
 * due, and no lock round trip.  A fast memo is made only when a fast
 * pass is due (a busy domain, a policy that does not watch every queue:
 * what changes that voids it); the locked polls, one at least every full
 * pass, keep the domain's scale slot (xsched_scale_note()) written.
 * Correct because everything it reads is either the tick's own (the
 * memo's words and counters: only the poll, under xsched_tick_lock,
 * writes them) or changed under dom->lock by a holder that voids the
 * memo and bumps memo_seq first (xsched_dom_lock_irq()): a holder that
 * changed anything this check read moved memo_seq before it, which the
 * second read sees; then the locked path decides.  The words' pages
 * stay pinned until no tick can read them: an unpin waits for
 * xsched_tick_lock (xsched_poll_sync()) after voiding the memo.
 */
static __always_inline bool xsched_tick_quiet(struct xsched_domain *dom,
					      u64 now)
{
	const struct xsched_memo *m = &dom->memo[XSCHED_MEMO_FAST];
	u32 seq = READ_ONCE(dom->memo_seq);
	unsigned int i;

	smp_rmb();	/* pairs with the first smp_wmb() of xsched_dom_lock_irq() */
	if (!(READ_ONCE(dom->memo_valid) & BIT(XSCHED_MEMO_FAST)) ||
	    now >= m->until)
		return false;
	smp_rmb();	/* the memo seen valid before the state it stands for */
	if (now >= READ_ONCE(dom->next_decide) ||
	    now >= READ_ONCE(dom->full_poll_at))
		return false;
	for (i = 0; i < m->n; i++)
		if (READ_ONCE(*m->w[i].at) != m->w[i].val)
			return false;
	smp_rmb();	/* pairs with the second smp_wmb(): a change read, seq moved */
	if (READ_ONCE(dom->memo_seq) != seq)
		return false;
	WRITE_ONCE(dom->polls, dom->polls + 1);
	WRITE_ONCE(dom->memo_polls, dom->memo_polls + 1);
	WRITE_ONCE(dom->polled, dom->polled + m->read);
	return true;
}

/* xsched_tick_quiet(), not inlined: for KUnit, under xsched_tick_lock. */
bool xsched_tick_quiet_check(struct xsched_domain *dom, u64 now)
{
	bool quiet;

	raw_spin_lock_irq(&xsched_tick_lock);
	quiet = xsched_tick_quiet(dom, now);
	raw_spin_unlock_irq(&xsched_tick_lock);
	return quiet;
}

/**
 * xsched_poll_sync() - wait for any tick still reading a memo's words
 *
 * For an unpin: the caller has voided the memo that may name the page
 * (xsched_dom_lock_irq()) and holds no spinlock.  A tick that starts
 * after this returns sees the memo void; one in progress held
 * xsched_tick_lock throughout.
 */
void xsched_poll_sync(void)
{
	raw_spin_lock_irq(&xsched_tick_lock);
	raw_spin_unlock_irq(&xsched_tick_lock);
}

/* A domain that has nothing to poll: no queue, no period, or gone. */
static bool xsched_poll_none(const struct xsched_domain *dom)
{
	return !dom->nr_queues || !READ_ONCE(dom->poll_us) || dom->dead;
}

/* The next poll of a cold domain, on its own timer.  dom->lock held. */
static void xsched_poll_go_idle(struct xsched_domain *dom, u64 now)
{
	dom->poll_idle = true;
	hrtimer_start(&dom->poll,
		      ns_to_ktime(xsched_poll_next_idle(dom, now,
				  READ_ONCE(idle_poll_us) * NSEC_PER_USEC)),
		      HRTIMER_MODE_ABS_HARD);
}

/*
 * The tick: one hard-irq hrtimer makes the fast polls of every domain
 * that is not cold (xsched_tick_doms), each on its own grid
 * (dom->poll_at).  N busy domains then cost one timer, one clock read
 * and one re-arm per poll period, not N: with the memo, the hrtimer
 * core's work per timer had become most of what a poll that finds
 * nothing new cost.  A steady busy domain is answered without its lock
 * (xsched_tick_quiet()).  A domain that turns cold leaves the tick for
 * its own timer, at the idle period; its own timer, or a queue becoming
 * busy (xsched_poll_wake()), brings it back.
 *
 * Lock order: xsched_tick_lock -> dom->lock.  Only the two timers'
 * callbacks and xsched_poll_stop() take xsched_tick_lock, and
 * xsched_poll_sync() alone; no holder of dom->lock takes it
 * (xsched_poll_wake() starts the domain's own timer, whose callback
 * moves the domain to the tick).
 */
static LIST_HEAD(xsched_tick_doms);
static struct hrtimer xsched_tick;

/* The next grid instant at least half a period after @end. */
static u64 xsched_poll_after(const struct xsched_domain *dom, u64 end)
{
	return xsched_poll_due(dom, end + READ_ONCE(dom->poll_us) *
				    NSEC_PER_USEC / 2);
}

/*
 * When the tick expires next: queued, or being re-armed by its callback
 * (HRTIMER_RESTART); U64_MAX when it is not armed.  Between an expiry
 * and its callback taking the lock, that expiry (past): the callback
 * sees any domain added meanwhile.  xsched_tick_lock.
 */
static u64 xsched_tick_at = U64_MAX;

/* What one domain's poll cost at the tick's last expiry, ns; tick lock. */
static u64 xsched_tick_share;

/* Puts @dom on the tick; both locks held. */
static void xsched_tick_add(struct xsched_domain *dom, u64 now)
{
	lockdep_assert_held(&xsched_tick_lock);
	dom->poll_at = xsched_poll_after(dom, now);
	list_add_tail(&dom->tick_link, &xsched_tick_doms);
	if (xsched_tick_at <= dom->poll_at)
		return;
	xsched_tick_at = dom->poll_at;
	hrtimer_start(&xsched_tick, ns_to_ktime(xsched_tick_at),
		      HRTIMER_MODE_ABS_HARD);
}

/*
 * Polls every domain on the tick that is due, and sets when each polls
 * next: the first instant of its grid at least half its period on.  A
 * tick that ran late, or long (a debug kernel), is followed by the next
 * one at least half a period after it ends, never at once from the same
 * interrupt.  poll_ns: the time of an expiry, shared equally by the
 * domains it polled, is charged to the domains the next one polls.
 *
 * It re-arms itself by returning HRTIMER_RESTART (no second trip through
 * hrtimer_start()).  Everyone else arms it under xsched_tick_lock, only
 * to move it earlier than xsched_tick_at: never between an expiry and
 * this callback's lock (xsched_tick_at is then past), so it is not
 * queued here; after the lock is dropped, a start that moves it earlier
 * wins over the re-arm (the hrtimer core re-arms only a timer not queued
 * again meanwhile).
 */
static enum hrtimer_restart xsched_tick_fn(struct hrtimer *t)
{
	struct xsched_domain *dom, *tmp;
	u64 now = ktime_get_ns(), end, half = 0, gap = U64_MAX, next = U64_MAX;
	u64 due = 0;
	unsigned int n = 0;
	u32 pu, due_pu = 0;

	raw_spin_lock(&xsched_tick_lock);
	list_for_each_entry_safe(dom, tmp, &xsched_tick_doms, tick_link) {
		if (now >= dom->poll_at) {
			n++;
			pu = READ_ONCE(dom->poll_us);
			if (pu != due_pu && pu) {	/* most share one period */
				due_pu = pu;
				half = (u64)pu * NSEC_PER_USEC / 2;
				gap = min(gap, half);
				due = xsched_grid_next(now + half, pu);
			}
			dom->poll_at = due;
			dom->poll_ns += xsched_tick_share;
			if (xsched_tick_quiet(dom, now)) {
				next = min(next, due);
				continue;
			}
			raw_spin_lock(&dom->lock);
			if (xsched_poll_quiet(dom, now)) {
				/* nothing new */
			} else if (xsched_poll_none(dom)) {
				list_del_init(&dom->tick_link);
			} else if (xsched_poll_one(dom, now)) {
				list_del_init(&dom->tick_link);
				xsched_poll_go_idle(dom, now);
			}
			raw_spin_unlock(&dom->lock);
			if (list_empty(&dom->tick_link))
				continue;
		}
		next = min(next, dom->poll_at);
	}
	end = ktime_get_ns();
	if (n)
		xsched_tick_share = div_u64(end - now, n);
	if (next != U64_MAX && n && next < end + gap)
		next = end + gap;
	xsched_tick_at = next;
	if (next == U64_MAX) {
		raw_spin_unlock(&xsched_tick_lock);
		return HRTIMER_NORESTART;
	}
	hrtimer_set_expires(t, ns_to_ktime(next));
	raw_spin_unlock(&xsched_tick_lock);
	return HRTIMER_RESTART;
}

/*
 * A domain's own timer: its polls while it is cold, at the idle period,
 * and the first poll after a wake-up (a first queue, a queue made busy
 * by a hint), which hands it to the tick unless it is still cold.
 * Re-armed here, never by returning HRTIMER_RESTART: see queue_add.
 */
enum hrtimer_restart xsched_poll_fn(struct hrtimer *t)
{
	struct xsched_domain *dom = container_of(t, struct xsched_domain,
						 poll);
	u64 now = ktime_get_ns();

	raw_spin_lock(&xsched_tick_lock);
	raw_spin_lock(&dom->lock);
	/* On the tick already (a wake-up raced with it), or nothing to do. */
	if (list_empty(&dom->tick_link) && !xsched_poll_none(dom)) {
		if (xsched_poll_one(dom, now))
			xsched_poll_go_idle(dom, now);
		else
			xsched_tick_add(dom, now);
		dom->poll_ns += ktime_get_ns() - now;
	}
	raw_spin_unlock(&dom->lock);
	raw_spin_unlock(&xsched_tick_lock);
	return HRTIMER_NORESTART;
}

/**
 * xsched_poll_stop() - stop polling a domain for good
 * @dom: the domain, dom->dead already set (nothing re-arms it then)
 */
void xsched_poll_stop(struct xsched_domain *dom)
{
	raw_spin_lock_irq(&xsched_tick_lock);
	list_del_init(&dom->tick_link);
	raw_spin_unlock_irq(&xsched_tick_lock);
	hrtimer_cancel(&dom->poll);
}

void xsched_poll_init(void)
{
	xsched_hrtimer_setup(&xsched_tick, xsched_tick_fn, CLOCK_MONOTONIC,
			     HRTIMER_MODE_ABS_HARD);
}

/* Every domain is gone: the tick has nothing left to poll. */
void xsched_poll_exit(void)
{
	hrtimer_cancel(&xsched_tick);
}
