/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * kfd_xsched.h - the one hardware boundary of xsched.
 *
 * A GPU queue provider (amdkfd with the xsched hook patch, or the
 * simulated GPU xsched_sim.ko) exports one symbol returning a
 * struct kfd_xsched_ops.  xsched.ko finds it with symbol_get() and sees
 * GPU queues only through these ops.  Handles are opaque; no provider
 * structure layout crosses this boundary.
 *
 * Versioning: @version is KFD_XSCHED_OPS_VERSION of the provider's build
 * and @size its sizeof(struct kfd_xsched_ops).  A consumer refuses a
 * different major version; members are only ever appended, so a larger
 * @size from a newer provider is accepted.
 *
 * Contract (both providers implement exactly this):
 *  - Scheduling domains are provider nodes, named by gpu_id (for amdkfd
 *    the KFD node's gpu_id; every MI300 partition is its own node).
 *  - pause_queues()/resume_queues() act on a set of queues of one node as
 *    ONE runlist change, as amdkfd's HWS path can only do: every mapped
 *    queue of the node is preempted (CWSR save) and the new runlist is
 *    mapped.  A pause set by xsched is independent of memory eviction and
 *    of the debugger's suspend: neither undoes it, it undoes neither.
 *    References to queues that no longer exist are skipped, not errors.
 *  - Ops may sleep.  Never call them from atomic context, and never from
 *    inside a listener callback (the provider holds its own locks there),
 *    with the one exception of KFD_XSCHED_PROVIDER_GONE.
 *  - Listener callbacks run in process context with provider locks held
 *    (for amdkfd: the process mutex).  They may allocate with GFP_KERNEL
 *    but must not sleep on anything that could be waiting for an op.
 *  - register_listener() replays KFD_XSCHED_QUEUE_CREATED for every queue
 *    that already exists, under the same lock as live events, so the
 *    consumer misses none and sees none twice.
 *  - Before a provider goes away (module unload, device removal) it
 *    unregisters the listener itself and then sends
 *    KFD_XSCHED_PROVIDER_GONE holding no provider lock (the consumer holds
 *    its own locks around set_priority, which may take the provider's
 *    process locks).  Events racing with it are dropped.  The listener may still call ops during that callback (to leave
 *    every queue runnable) and must not call any op after it returns.
 *    Whatever the consumer does, the provider also clears every xsched
 *    pause itself when it goes: queues are never left paused.
 */
#ifndef _KFD_XSCHED_H
#define _KFD_XSCHED_H

#include <linux/types.h>

struct module;

#define KFD_XSCHED_OPS_VERSION	1

/* Offsets inside ROCr's amd_queue_t (and the simulator's equivalent). */
#define KFD_XSCHED_AMDQ_WRITE_DISPATCH_ID	56
#define KFD_XSCHED_AMDQ_READ_DISPATCH_ID	128
/* AQL packets are 64 bytes; completion_signal is the last member. */
#define KFD_XSCHED_AQL_PACKET_SIZE		64
#define KFD_XSCHED_AQL_COMPLETION_SIGNAL	56
/* amd_signal_t: the value the packet processor decrements at completion. */
#define KFD_XSCHED_SIGNAL_VALUE			8
#define KFD_XSCHED_SIGNAL_START_TS		32
#define KFD_XSCHED_SIGNAL_END_TS		40

enum kfd_xsched_queue_type {
	KFD_XSCHED_QUEUE_COMPUTE = 0,
	KFD_XSCHED_QUEUE_SDMA = 1,
	KFD_XSCHED_QUEUE_OTHER = 2,
};

enum kfd_xsched_queue_state {
	KFD_XSCHED_QUEUE_ACTIVE = 0,	/* in the runlist when the node runs */
	KFD_XSCHED_QUEUE_INACTIVE = 1,	/* evicted, suspended or empty */
	KFD_XSCHED_QUEUE_PAUSED = 2,	/* paused by xsched */
};

/* Everything xsched may know about one queue; user VAs are the owner's. */
struct kfd_xsched_queue_info {
	pid_t tgid;		/* owning process */
	__u32 queue_id;		/* per process, reused after destroy */
	__u32 gpu_id;		/* node = scheduling domain */
	__u32 type;		/* enum kfd_xsched_queue_type */
	__u32 state;		/* enum kfd_xsched_queue_state */
	__u32 priority;		/* KFD queue priority, 0..15 */
	__u64 ring_va;		/* == hsa_queue_t.base_address */
	__u64 ring_size;	/* bytes */
	__u64 rptr_va;		/* read_dispatch_id (amd_queue_t + 128) */
	__u64 wptr_va;		/* write_dispatch_id (amd_queue_t + 56) */
};

/* A queue named across processes. */
struct kfd_xsched_queue_ref {
	pid_t tgid;
	__u32 queue_id;
};

enum kfd_xsched_event {
	KFD_XSCHED_QUEUE_CREATED,	/* @q valid */
	KFD_XSCHED_QUEUE_DESTROYED,	/* @q valid (tgid, queue_id, gpu_id) */
	KFD_XSCHED_PROCESS_GONE,	/* @tgid: all its queues are gone */
	KFD_XSCHED_PROVIDER_GONE,	/* see the contract above */
};

struct kfd_xsched_listener {
	void (*event)(const struct kfd_xsched_listener *l,
		      enum kfd_xsched_event ev, pid_t tgid,
		      const struct kfd_xsched_queue_info *q);
};

struct kfd_xsched_process;

typedef int (*kfd_xsched_node_fn)(void *ctx, __u32 gpu_id, const char *name);
typedef int (*kfd_xsched_queue_fn)(void *ctx,
				   const struct kfd_xsched_queue_info *q);

struct kfd_xsched_ops {
	__u32 version;
	__u32 size;
	const char *name;
	struct module *owner;

	/* One listener at a time; -EBUSY if one is registered. */
	int (*register_listener)(const struct kfd_xsched_listener *l);
	/* Returns once no callback of @l runs or will run. */
	void (*unregister_listener)(const struct kfd_xsched_listener *l);

	/* Calls @fn for every node; stops at and returns a non-zero result. */
	int (*walk_nodes)(kfd_xsched_node_fn fn, void *ctx);

	/* A reference on a process by tgid; ERR_PTR(-ESRCH) if none. */
	struct kfd_xsched_process *(*process_get)(pid_t tgid);
	void (*process_put)(struct kfd_xsched_process *p);
	/* Calls @fn for each queue of @p; stops at a non-zero result. */
	int (*queue_enum)(struct kfd_xsched_process *p, kfd_xsched_queue_fn fn,
			  void *ctx);

	/*
	 * One runlist change for the set; 0 or -errno.  A failed pause
	 * changes nothing.  A failed resume still leaves the queues
	 * runnable in the provider's state (fail open; the provider's
	 * recovery maps them) and only reports the error: repeating it
	 * succeeds without a runlist change.
	 */
	int (*pause_queues)(__u32 gpu_id, const struct kfd_xsched_queue_ref *qs,
			    unsigned int n);
	int (*resume_queues)(__u32 gpu_id,
			     const struct kfd_xsched_queue_ref *qs,
			     unsigned int n);
	/* Hardware priority (0..15), as AMDKFD_IOC_UPDATE_QUEUE sets it. */
	int (*set_priority)(__u32 gpu_id, const struct kfd_xsched_queue_ref *q,
			    __u32 priority);
};

/* The symbols providers export (EXPORT_SYMBOL_GPL). */
const struct kfd_xsched_ops *kfd_xsched_get_ops(void);
const struct kfd_xsched_ops *xsched_sim_get_ops(void);

#endif /* _KFD_XSCHED_H */
