// SPDX-License-Identifier: GPL-2.0
/*
 * xsched: HPF, highest priority first (docs/scheduler.md).
 *
 * Let P be the highest level with a busy queue.  Every queue below P is
 * paused; queues at P and above run.  When P goes down (its queues went
 * idle), lower levels are resumed only after resume_delay_us, so that a
 * short gap between two high-priority kernels does not cost two runlist
 * changes that preempt the high-priority queue itself.  With
 * starvation_ms set, lower levels that have a busy queue and have been
 * paused that long are all resumed for a slice of starvation_ms / 4
 * (at least 1 ms), then paused again: two batched runlist changes.
 */
#include <linux/bitops.h>
#include <linux/minmax.h>

#include "xsched.h"

static u64 hpf_slice_ns(const struct xsched_domain *dom)
{
	return max_t(u64, NSEC_PER_MSEC,
		     (u64)dom->starvation_ms * NSEC_PER_MSEC / 4);
}

/* Called under dom->lock: a consistent view of the busy levels. */
static unsigned int hpf_decide(struct xsched_domain *dom, u64 now, u64 *next)
{
	struct xsched_hpf *h = &dom->hpf;
	unsigned int top = dom->busy_levels ? __fls(dom->busy_levels) : 0;
	unsigned int level;

	*next = U64_MAX;
	if (h->slice_until) {
		if (now < h->slice_until) {
			*next = h->slice_until;
			return 0;
		}
		h->slice_until = 0;
		h->lower_paused_since = now;
	}

	if (top >= dom->level) {
		h->idle_since = 0;
		level = top;
	} else {
		u64 delay = (u64)dom->resume_delay_us * NSEC_PER_USEC;

		if (!h->idle_since)
			h->idle_since = now;
		/*
		 * idle_since is cleared once the lower level is enforced
		 * (above): a resume that failed is retried at once.
		 */
		if (now - h->idle_since >= delay) {
			level = top;
		} else {
			level = dom->level;
			*next = h->idle_since + delay;
		}
	}

	if (!level) {
		h->lower_paused_since = 0;
		return 0;
	}
	if (!dom->level || !h->lower_paused_since)
		h->lower_paused_since = now;

	if (dom->starvation_ms && (dom->busy_levels & (BIT(level) - 1))) {
		u64 due = h->lower_paused_since +
			  (u64)dom->starvation_ms * NSEC_PER_MSEC;

		if (now >= due) {
			h->slice_until = now + hpf_slice_ns(dom);
			*next = h->slice_until;
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
