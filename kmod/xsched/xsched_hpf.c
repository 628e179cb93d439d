// SPDX-License-Identifier: GPL-2.0
/*
 * xsched: HPF, highest priority first (docs/scheduler.md).
 *
 * Two stages.  Let P be the highest operator priority with a busy queue:
 * every queue of a lower operator priority is paused; queues at P and
 * above run.  Then, at P, each tenant (one user's queues at P) orders its
 * own queues: those below the tenant's highest busy own priority are
 * paused.  A tenant never pauses another tenant's queues.
 *
 * When a top level goes down (its queues went idle), what it paused is
 * resumed only after the resume delay (resume_delay_us, or longer when
 * resumes keep being undone at once: xsched_resume_delay_ns()), so that a
 * short gap between two high-priority kernels does not cost two runlist
 * changes that preempt the high-priority queue itself.  With starvation_ms set, once a busy
 * queue has been kept paused that long, every queue runs for
 * starvation_slice_ms, then the decision is made again: two batched
 * runlist changes.
 */
#include <linux/bitops.h>
#include <linux/minmax.h>

#include "xsched.h"

/*
 * Hysteresis of one level: rises at once, falls after the resume delay.
 * @cur is the level in force; @idle_since is when @top first fell below
 * it (0: it has not).  idle_since is cleared only once the lower level
 * is in force, so a fall whose resume failed is made again at once.
 */
static unsigned int hpf_level(unsigned int cur, unsigned int top,
			      u64 *idle_since, u64 delay, u64 now, u64 *next)
{
	if (top >= cur) {
		*idle_since = 0;
		return top;
	}
	if (!*idle_since)
		*idle_since = now;
	if (now - *idle_since >= delay)
		return top;
	*next = min(*next, *idle_since + delay);
	return cur;
}

/*
 * The tenants at operator priority @level order their own queues; every
 * other tenant pauses nothing of its own.  Returns true if a busy queue
 * waits below its tenant's level.
 */
static bool hpf_tenants(struct xsched_domain *dom, unsigned int level,
			u64 delay, u64 now, u64 *next)
{
	struct xsched_tenant *t;
	bool waiting = false;

	list_for_each_entry(t, &dom->tenants, link) {
		if (t->tier != level) {
			xsched_tenant_set_level(dom, t, 0);
			t->idle_since = 0;
			continue;
		}
		xsched_tenant_set_level(dom, t,
					hpf_level(t->level, t->busy_own ?
						  __fls(t->busy_own) : 0,
						  &t->idle_since, delay, now,
						  next));
		waiting |= !!(t->busy_own & (BIT(t->level) - 1));
	}
	return waiting;
}

/* Called under dom->lock: a consistent view of the busy levels. */
static unsigned int hpf_decide(struct xsched_domain *dom, u64 now, u64 *next)
{
	struct xsched_hpf *h = &dom->hpf;
	u64 delay = xsched_resume_delay_ns(dom);
	unsigned int top = dom->busy_levels ? __fls(dom->busy_levels) : 0;
	unsigned int level;
	bool waiting;

	*next = U64_MAX;
	/*
	 * A busy queue began to wait at a barrier: the work it waits for may
	 * be what is paused, so a fall now takes effect at once.
	 */
	if (dom->skip_delay) {
		dom->skip_delay = false;
		delay = 0;
	}
	if (h->slice_until) {
		if (now < h->slice_until) {
			*next = h->slice_until;
			xsched_tenants_clear(dom);
			return 0;
		}
		h->slice_until = 0;
		h->lower_paused_since = now;
	}

	level = hpf_level(dom->level, top, &h->idle_since, delay, now, next);
	waiting = hpf_tenants(dom, level, delay, now, next);
	waiting |= !!(dom->busy_levels & (BIT(level) - 1));
	if (!waiting) {
		h->lower_paused_since = 0;
		return level;
	}
	if (!h->lower_paused_since)
		h->lower_paused_since = now;
	if (dom->starvation_ms) {
		u64 due = h->lower_paused_since +
			  (u64)dom->starvation_ms * NSEC_PER_MSEC;

		if (now >= due) {
			h->slice_until = now + max_t(u64, 1,
					dom->starvation_slice_ms) * NSEC_PER_MSEC;
			*next = h->slice_until;
			xsched_tenants_clear(dom);
			return 0;
		}
		*next = min(*next, due);
	}
	return level;
}

const struct xsched_policy xsched_policy_hpf = {
	.name = "hpf",
	.decide = hpf_decide,
};
