// SPDX-License-Identifier: GPL-2.0
/*
 * The simulated GPU's timing model; see xsched_sim_engine.h.
 */
#include <linux/errno.h>
#include <linux/limits.h>
#include <linux/math64.h>
#include <linux/minmax.h>

#include "xsched_sim_engine.h"

/* Remaining work is kept in picoseconds so that sharing rounds finely. */
#define PS_PER_NS 1000ULL

void xsched_sim_node_init(struct xsched_sim_node *n, u32 gpu_id,
			  const struct xsched_sim_params *p,
			  const struct xsched_sim_hooks *hooks, u64 now)
{
	*n = (struct xsched_sim_node) {
		.gpu_id = gpu_id,
		.params = *p,
		.hooks = hooks,
		.now = now,
		.stall_until = now,
	};
	INIT_LIST_HEAD(&n->queues);
}

void xsched_sim_queue_init(struct xsched_sim_queue *q,
			   struct xsched_sim_kernel *fifo, u32 cap)
{
	*q = (struct xsched_sim_queue) {
		.fifo = fifo,
		.cap = cap,
		.mapped = true,
	};
	INIT_LIST_HEAD(&q->link);
}

static bool sim_stalled(const struct xsched_sim_node *n)
{
	return n->stall_until > n->now;
}

static void sim_complete_head(struct xsched_sim_node *n,
			      struct xsched_sim_queue *q);

/*
 * The packet processor takes the next packet of every idle mapped queue.
 * A released barrier is consumed and completes on the spot, so the packet
 * behind it is taken in the same pass; a waiting one stops its queue.
 * Each turn of the inner loop retires a packet or ends the loop, so it
 * runs at most q->count + 1 times.
 */
static void sim_launch_ready(struct xsched_sim_node *n)
{
	struct xsched_sim_queue *q;

	if (sim_stalled(n))
		return;
	n->dep_waiting = false;
	list_for_each_entry(q, &n->queues, link) {
		while (q->mapped && !q->running && q->count) {
			struct xsched_sim_kernel *k = &q->fifo[q->head];

			if (k->waiting && k->deps && n->hooks &&
			    n->hooks->barrier_met && n->hooks->barrier_met(q, k))
				k->waiting = false;
			if (k->waiting) {
				n->dep_waiting |= !!k->deps;
				break;
			}
			k->launch_ns = n->now;
			q->launched = k->dispatch_id;
			if (n->hooks && n->hooks->launched)
				n->hooks->launched(q, k);
			if (!k->work_ns) {
				sim_complete_head(n, q);
				continue;
			}
			q->running = true;
			q->remaining = k->work_ns * PS_PER_NS;
		}
	}
}

static unsigned int sim_nr_running(const struct xsched_sim_node *n,
				   u64 *min_remaining)
{
	const struct xsched_sim_queue *q;
	unsigned int nr = 0;

	*min_remaining = U64_MAX;
	list_for_each_entry(q, &n->queues, link) {
		if (!q->mapped || !q->running)
			continue;
		nr++;
		*min_remaining = min(*min_remaining, q->remaining);
	}
	return nr;
}

/* Time (ns) until the first in-flight kernel completes. */
static u64 sim_time_to_finish(u64 min_remaining, unsigned int nr)
{
	return DIV_ROUND_UP_ULL(min_remaining * nr, PS_PER_NS);
}

static void sim_complete_head(struct xsched_sim_node *n,
			      struct xsched_sim_queue *q)
{
	struct xsched_sim_kernel k = q->fifo[q->head];

	q->head = (q->head + 1) % q->cap;
	q->count--;
	q->running = false;
	q->remaining = 0;
	q->completed = k.dispatch_id;
	if (n->hooks && n->hooks->completed)
		n->hooks->completed(q, &k, n->now);
}

/**
 * xsched_sim_advance() - run the node's model up to time @t
 * @n: the node
 * @t: target time in ns; earlier than the node's time is a no-op
 *
 * Each step either reaches @t, ends a stall or completes at least one
 * kernel, so the loop ends after at most (kernels queued + 2) steps.
 */
void xsched_sim_advance(struct xsched_sim_node *n, u64 t)
{
	while (n->now < t) {
		struct xsched_sim_queue *q;
		u64 min_rem, dt, share;
		unsigned int nr;

		if (sim_stalled(n)) {
			n->now = min(t, n->stall_until);
			continue;
		}
		sim_launch_ready(n);
		nr = sim_nr_running(n, &min_rem);
		if (!nr) {
			n->now = t;
			break;
		}
		dt = sim_time_to_finish(min_rem, nr);
		if (n->now + dt > t)
			dt = t - n->now;
		share = div_u64(dt * PS_PER_NS, nr);
		n->now += dt;
		list_for_each_entry(q, &n->queues, link) {
			if (!q->mapped || !q->running)
				continue;
			q->remaining -= min(q->remaining, share);
			if (!q->remaining)
				sim_complete_head(n, q);
		}
	}
	sim_launch_ready(n);
}

/**
 * xsched_sim_next_event() - when the model next changes by itself
 * @n: the node, advanced to its current time
 *
 * Return: the time of the next stall end or kernel completion, or
 * U64_MAX when nothing runs.
 */
u64 xsched_sim_next_event(const struct xsched_sim_node *n)
{
	u64 min_rem;
	unsigned int nr;

	u64 next = U64_MAX;

	if (sim_stalled(n))
		return n->stall_until;
	nr = sim_nr_running(n, &min_rem);
	if (nr)
		next = n->now + max_t(u64, 1, sim_time_to_finish(min_rem, nr));
	/* Dependencies may be met from elsewhere (the CPU, other nodes). */
	if (n->dep_waiting)
		next = min(next, n->now + XSCHED_SIM_DEP_POLL_NS);
	return next;
}

static unsigned int sim_count(const struct xsched_sim_node *n, bool running)
{
	const struct xsched_sim_queue *q;
	unsigned int nr = 0;

	list_for_each_entry(q, &n->queues, link)
		if (q->mapped && (!running || q->running))
			nr++;
	return nr;
}

/*
 * One runlist change: unmap everything (saving the waves of every kernel
 * in flight), apply @apply, map the new runlist (restoring waves).
 */
static void sim_runlist_change(struct xsched_sim_node *n, u64 now,
			       void (*apply)(void *ctx), void *ctx)
{
	const struct xsched_sim_params *p = &n->params;
	bool saved, restored;
	u64 cost, start;

	xsched_sim_advance(n, now);
	saved = sim_count(n, true) > 0;
	apply(ctx);
	restored = sim_count(n, true) > 0;
	cost = p->cp_overhead_ns + p->per_queue_ns * sim_count(n, false);
	if (saved)
		cost += p->cwsr_save_ns;
	if (restored)
		cost += p->cwsr_restore_ns;
	start = max(n->now, n->stall_until);
	n->stall_until = start + cost;
	n->stall_ns += cost;
	n->runlist_changes++;
}

struct sim_map_args {
	struct xsched_sim_queue **qs;
	unsigned int nr;
	bool map;
};

static void sim_apply_map(void *ctx)
{
	struct sim_map_args *a = ctx;
	unsigned int i;

	for (i = 0; i < a->nr; i++)
		a->qs[i]->mapped = a->map;
}

/**
 * xsched_sim_runlist_change() - pause or resume a set of queues at once
 * @n: their node
 * @qs: the queues
 * @nr: how many
 * @map: true to resume (map), false to pause (unmap)
 * @now: current time
 *
 * Costs one runlist change whatever @nr is, as on amdkfd's HWS path.
 */
void xsched_sim_runlist_change(struct xsched_sim_node *n,
			       struct xsched_sim_queue **qs, unsigned int nr,
			       bool map, u64 now)
{
	struct sim_map_args a = { .qs = qs, .nr = nr, .map = map };

	sim_runlist_change(n, now, sim_apply_map, &a);
}

static void sim_apply_add(void *ctx)
{
	struct xsched_sim_queue *q = ctx;

	list_add_tail(&q->link, &q->node->queues);
}

static void sim_apply_remove(void *ctx)
{
	struct xsched_sim_queue *q = ctx;

	list_del_init(&q->link);
}

/* Creating or destroying a queue also rebuilds the runlist on HWS. */
void xsched_sim_queue_add(struct xsched_sim_node *n,
			  struct xsched_sim_queue *q, u64 now)
{
	q->node = n;
	sim_runlist_change(n, now, sim_apply_add, q);
}

void xsched_sim_queue_remove(struct xsched_sim_queue *q, u64 now)
{
	sim_runlist_change(q->node, now, sim_apply_remove, q);
}

static int sim_submit(struct xsched_sim_queue *q, u64 work_ns, bool waiting,
		      void *deps, void *cookie, u64 tag, u64 now)
{
	struct xsched_sim_node *n = q->node;
	struct xsched_sim_kernel *k;

	if (q->count == q->cap)
		return -ENOSPC;
	xsched_sim_advance(n, now);
	k = &q->fifo[(q->head + q->count) % q->cap];
	*k = (struct xsched_sim_kernel) {
		.dispatch_id = ++q->submitted,
		.work_ns = work_ns,
		.cookie = cookie,
		.tag = tag,
		.waiting = waiting,
		.deps = deps,
	};
	q->count++;
	sim_launch_ready(n);
	return 0;
}

/**
 * xsched_sim_submit() - a kernel's packet written and its doorbell rung
 * @q: the queue
 * @work_ns: the kernel's duration alone on the node, > 0
 * @cookie: kept with the kernel, handed back to the hooks
 * @tag: likewise
 * @now: current time
 *
 * Return: 0, or -EINVAL for a zero duration, -ENOSPC when the ring is full
 * (nothing submitted either way).
 */
int xsched_sim_submit(struct xsched_sim_queue *q, u64 work_ns, void *cookie,
		      u64 tag, u64 now)
{
	if (!work_ns)
		return -EINVAL;
	return sim_submit(q, work_ns, false, NULL, cookie, tag, now);
}

/**
 * xsched_sim_submit_barrier() - a barrier packet
 * @q: the queue
 * @deps: its dependencies, for the hooks' barrier_met(); NULL for one
 *        that xsched_sim_barrier_release() releases
 * @cookie: kept with the packet, handed back to the hooks
 * @tag: likewise
 * @now: current time
 *
 * The packet stays pending, unconsumed, until its condition holds.
 *
 * Return: 0, or -ENOSPC when the ring is full (nothing submitted).
 */
int xsched_sim_submit_barrier(struct xsched_sim_queue *q, void *deps,
			      void *cookie, u64 tag, u64 now)
{
	return sim_submit(q, 0, true, deps, cookie, tag, now);
}

/**
 * xsched_sim_barrier_release() - a barrier's condition now holds
 * @q: the queue
 * @dispatch_id: the barrier packet's dispatch id
 * @now: current time
 *
 * The barrier is consumed and completes as soon as it reaches the head of
 * a mapped queue (at once if it is there already).
 *
 * Return: 0, or -EINVAL if @dispatch_id names no waiting barrier of @q
 * (never submitted, a kernel, already released or completed).
 */
int xsched_sim_barrier_release(struct xsched_sim_queue *q, u64 dispatch_id,
			       u64 now)
{
	struct xsched_sim_kernel *k;

	if (dispatch_id <= q->completed || dispatch_id > q->submitted)
		return -EINVAL;
	/* Pending packets hold consecutive ids from completed + 1. */
	k = &q->fifo[(q->head + (dispatch_id - q->completed - 1)) % q->cap];
	if (k->dispatch_id != dispatch_id || !k->waiting || k->deps)
		return -EINVAL;
	xsched_sim_advance(q->node, now);
	k->waiting = false;
	sim_launch_ready(q->node);
	return 0;
}

/**
 * xsched_sim_reset() - a reset of the node
 * @n: the node
 * @ns: how long it takes
 * @now: current time
 *
 * Every queue is unmapped (the waves of kernels in flight are saved) and
 * mapped again @ns later as it was: nothing runs meanwhile, no kernel is
 * lost, and queues paused stay paused.  Counted as two runlist changes.
 */
void xsched_sim_reset(struct xsched_sim_node *n, u64 ns, u64 now)
{
	u64 start;

	xsched_sim_advance(n, now);
	start = max(n->now, n->stall_until);
	n->stall_until = start + ns;
	n->stall_ns += ns;
	n->runlist_changes += 2;
}
