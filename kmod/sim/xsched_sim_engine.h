/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The simulated GPU's timing model, free of kernel services other than
 * lists so that KUnit drives it in virtual time and xsched_sim.ko in real
 * time.  The caller serialises all calls for one node.
 *
 * Model (docs/simulator.md):
 *  - A queue's kernels run in order, one at a time (HIP streams set the
 *    AQL barrier bit): the packet processor launches the next packet when
 *    the previous one completes, and advances the read dispatch id at
 *    launch, not at completion.
 *  - Mapped queues with a kernel in flight share the node by processor
 *    sharing: with N of them, each progresses at 1/N speed.
 *  - A paused (unmapped) queue makes no progress; its kernel in flight
 *    keeps its remaining work (CWSR saved the waves).
 *  - Every runlist change stalls the whole node: a fixed CP cost, one
 *    per-queue cost for every mapped queue, plus a CWSR save if any
 *    kernel was in flight before and a restore if any is in flight after.
 *  - A barrier (xsched_sim_submit_barrier()) is not consumed while its
 *    condition is unmet: it stays pending at the head of its queue (read
 *    index one short of the write index) and holds back the packets
 *    behind it; then it is consumed and completes at once, taking no
 *    share of the node.  A barrier with dependencies (@deps) is met when
 *    the hooks' barrier_met() says so, asked whenever the node's state
 *    changes and every XSCHED_SIM_DEP_POLL_NS while one waits; one
 *    without is met by xsched_sim_barrier_release().
 */

/* How often a waiting barrier's dependencies are looked at again. */
#define XSCHED_SIM_DEP_POLL_NS	20000
#ifndef _XSCHED_SIM_ENGINE_H
#define _XSCHED_SIM_ENGINE_H

#include <linux/list.h>
#include <linux/types.h>

struct xsched_sim_params {
	u64 cp_overhead_ns;	/* one unmap + map of the runlist */
	u64 per_queue_ns;	/* per mapped queue (MQD save/load) */
	u64 cwsr_save_ns;	/* wave state out, whole node */
	u64 cwsr_restore_ns;	/* wave state back in, whole node */
};

struct xsched_sim_kernel {
	u64 dispatch_id;	/* 1-based, as write_dispatch_id counts */
	u64 work_ns;		/* duration when alone on the node */
	u64 launch_ns;		/* when the packet processor launched it */
	void *cookie;		/* the caller's (e.g. pinned signal page) */
	u64 tag;		/* the caller's (e.g. the signal's offset) */
	bool waiting;		/* barrier whose condition is not yet met */
	void *deps;		/* its dependencies, the caller's; or NULL */
};

struct xsched_sim_queue;
struct xsched_sim_node;

struct xsched_sim_hooks {
	/* A packet was consumed: the read dispatch id is now k->dispatch_id. */
	void (*launched)(struct xsched_sim_queue *q,
			 const struct xsched_sim_kernel *k);
	/* The kernel finished at @t_ns. */
	void (*completed)(struct xsched_sim_queue *q,
			  const struct xsched_sim_kernel *k, u64 t_ns);
	/* Whether barrier @k's dependencies (k->deps) are met now. */
	bool (*barrier_met)(struct xsched_sim_queue *q,
			    const struct xsched_sim_kernel *k);
};

struct xsched_sim_queue {
	struct list_head link;		/* in node->queues */
	struct xsched_sim_node *node;
	bool mapped;			/* false while paused by xsched */
	struct xsched_sim_kernel *fifo;	/* pending + in flight, ring */
	u32 cap, head, count;
	bool running;			/* fifo[head] launched */
	u64 remaining;			/* work left on fifo[head], in ps */
	u64 submitted, launched, completed;	/* dispatch ids */
	void *priv;			/* the caller's */
};

struct xsched_sim_node {
	u32 gpu_id;
	struct list_head queues;
	u64 now;			/* time of the last advance */
	u64 stall_until;		/* runlist change in progress */
	struct xsched_sim_params params;
	const struct xsched_sim_hooks *hooks;
	u64 runlist_changes;
	u64 stall_ns;
	bool dep_waiting;		/* a barrier waits on dependencies */
};

void xsched_sim_node_init(struct xsched_sim_node *n, u32 gpu_id,
			  const struct xsched_sim_params *p,
			  const struct xsched_sim_hooks *hooks, u64 now);
void xsched_sim_queue_init(struct xsched_sim_queue *q,
			   struct xsched_sim_kernel *fifo, u32 cap);
void xsched_sim_queue_add(struct xsched_sim_node *n,
			  struct xsched_sim_queue *q, u64 now);
void xsched_sim_queue_remove(struct xsched_sim_queue *q, u64 now);
int xsched_sim_submit(struct xsched_sim_queue *q, u64 work_ns, void *cookie,
		      u64 tag, u64 now);
int xsched_sim_submit_barrier(struct xsched_sim_queue *q, void *deps,
			      void *cookie, u64 tag, u64 now);
int xsched_sim_barrier_release(struct xsched_sim_queue *q, u64 dispatch_id,
			       u64 now);
void xsched_sim_advance(struct xsched_sim_node *n, u64 t);
void xsched_sim_runlist_change(struct xsched_sim_node *n,
			       struct xsched_sim_queue **qs, unsigned int nr,
			       bool map, u64 now);
u64 xsched_sim_next_event(const struct xsched_sim_node *n);
void xsched_sim_reset(struct xsched_sim_node *n, u64 ns, u64 now);

#endif /* _XSCHED_SIM_ENGINE_H */
