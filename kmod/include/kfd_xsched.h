/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * kfd_xsched.h - the one hardware boundary of xsched, version 2.
 *
 * A GPU queue provider (amdkfd with the xsched hook patch, or the
 * simulated GPU xsched_sim.ko) exports one symbol returning a
 * struct kfd_xsched_ops.  xsched.ko finds it with symbol_get() and sees
 * GPU queues only through these ops and the events it is sent.  No
 * provider structure layout crosses this boundary.
 *
 * Versioning: @version is KFD_XSCHED_OPS_VERSION of the provider's build
 * and @size its sizeof(struct kfd_xsched_ops).  A consumer refuses a
 * different version; members are only ever appended within a version.
 *
 * The contract (docs/architecture.md explains it; both providers
 * implement exactly this):
 *
 * Names.  A queue is named by its handle: a u64 the provider assigns at
 * creation, unique for the provider's lifetime and never reused (queue
 * ids are reused at once, exec keeps the tgid, and one tgid may own
 * several KFD contexts).  tgid and queue_id are for people, not identity.
 *
 * Nodes.  A scheduling domain is a provider node, named by gpu_id (for
 * amdkfd the KFD node; every MI300 partition is its own node).  NODE_ADDED
 * says whether the node can be preempted (HWS with CWSR); NODE_GONE says
 * it went with all its queues: no QUEUE_DESTROYED follows for them, and
 * ops on that gpu_id return -ENODEV until a NODE_ADDED names it again
 * (amdkfd derives gpu_ids from the hardware: a rebind or a partition
 * change brings the same one back).  Other nodes go on.
 *
 * Events.  register_listener() sends NODE_ADDED for every node and then
 * QUEUE_CREATED for every queue that exists, under the lock that orders
 * live events, so the listener misses none and sees none twice.  Every
 * queue that goes is announced by QUEUE_DESTROYED, whatever removed it
 * (destroy ioctl, file close, process exit, a secondary context closed),
 * except the queues of a node gone.  The listener's queue and node
 * callbacks run in process context with provider locks held: they may
 * allocate with GFP_KERNEL and pin user pages, and must call no op.
 * QUEUE_CREATED runs in the creator's context when the queue is created
 * (current->mm == @mm); when replayed it does not.
 *
 * Ops.  Ops may sleep; never call them from atomic context or from a
 * queue or node callback.  pause_queues()/resume_queues() act on a set
 * of queues of one node as ONE runlist change (amdkfd's HWS path can do
 * nothing smaller: every mapped queue of the node is preempted, with
 * CWSR, and the new runlist is mapped).  The provider resolves every
 * handle under its own lock; a handle that does not resolve to a queue
 * of that node (destroyed, or never there) is reported in @stale and
 * otherwise skipped: no op ever succeeds silently on a queue it did not
 * touch.  An xsched pause is independent of memory eviction and of the
 * debugger's suspend: neither undoes it, it undoes neither.
 *
 * Failure.  A failed pause changes nothing.  A failed resume leaves the
 * queues un-paused in the provider's state (fail open) and returns the
 * error; the consumer repeats the resume until it returns 0, and the
 * provider then makes the node's runlist map them again even when no
 * flag changes.  A node that cannot be preempted answers -EOPNOTSUPP.
 *
 * Going away.  Before the provider module unloads it unregisters the
 * listener itself and calls its gone() callback holding no provider
 * lock.  The listener may still call ops during that callback (to leave
 * every queue runnable) and none after it returns.  Whatever the
 * consumer does, the provider clears every xsched pause itself when a
 * node or the provider goes: queues are never left paused.
 */
#ifndef _KFD_XSCHED_H
#define _KFD_XSCHED_H

#include <linux/types.h>

struct module;
struct mm_struct;

#define KFD_XSCHED_OPS_VERSION	2

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
/* AQL packet types (the header's low byte) and the barriers' fields. */
#define KFD_XSCHED_AQL_TYPE_VENDOR		0
#define KFD_XSCHED_AQL_TYPE_BARRIER_AND		3
#define KFD_XSCHED_AQL_TYPE_BARRIER_OR		5
#define KFD_XSCHED_AQL_BARRIER_DEPS		8	/* dep_signal[5] */
#define KFD_XSCHED_AQL_BARRIER_NDEPS		5
/* AMD vendor packets: the format byte, and barrier-value's fields. */
#define KFD_XSCHED_AQL_AMD_FORMAT		2
#define KFD_XSCHED_AMD_FORMAT_BARRIER_VALUE	2
#define KFD_XSCHED_AQL_BV_SIGNAL		8
#define KFD_XSCHED_AQL_BV_VALUE			16
#define KFD_XSCHED_AQL_BV_MASK			24
#define KFD_XSCHED_AQL_BV_COND			32	/* hsa_signal_condition_t */

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
	__u64 handle;		/* the queue's name; never reused */
	pid_t tgid;		/* owning process, for display and rules */
	__u32 queue_id;		/* provider's, reused: for display only */
	__u32 gpu_id;		/* node = scheduling domain */
	__u32 type;		/* enum kfd_xsched_queue_type */
	__u32 state;		/* enum kfd_xsched_queue_state, true now */
	__u32 priority;		/* KFD queue priority, 0..15 */
	__u64 ring_va;		/* == hsa_queue_t.base_address */
	__u64 ring_size;	/* bytes */
	__u64 rptr_va;		/* read_dispatch_id (amd_queue_t + 128) */
	__u64 wptr_va;		/* write_dispatch_id (amd_queue_t + 56) */
	/*
	 * The address space the VAs belong to, as the provider knows it
	 * for certain (the creator's); valid during the callback only.
	 * NULL for QUEUE_DESTROYED.  A consumer keeps at most an mmgrab()
	 * reference beyond the callback, and mmget()s only briefly: a held
	 * mm_users would keep the owner's exit, and with it the provider's
	 * QUEUE_DESTROYED, from ever happening.
	 */
	struct mm_struct *mm;
};

/* A node that can be preempted: HWS with CWSR, no MES. */
#define KFD_XSCHED_NODE_PREEMPTIVE	(1U << 0)

struct kfd_xsched_node_info {
	__u32 gpu_id;
	__u32 caps;		/* KFD_XSCHED_NODE_* */
	const char *name;	/* e.g. "AMD Instinct MI300X, partition 0" */
	const char *why;	/* not preemptive: why, for people; or NULL */
};

enum kfd_xsched_event {
	KFD_XSCHED_QUEUE_CREATED,	/* queue(): every field */
	KFD_XSCHED_QUEUE_DESTROYED,	/* queue(): handle, gpu_id, tgid, queue_id */
	KFD_XSCHED_NODE_ADDED,		/* node(): every field */
	KFD_XSCHED_NODE_GONE,		/* node(): gpu_id */
};

struct kfd_xsched_listener {
	void (*queue)(const struct kfd_xsched_listener *l,
		      enum kfd_xsched_event ev,
		      const struct kfd_xsched_queue_info *q);
	void (*node)(const struct kfd_xsched_listener *l,
		     enum kfd_xsched_event ev,
		     const struct kfd_xsched_node_info *n);
	/* The provider goes; see "Going away" above. */
	void (*gone)(const struct kfd_xsched_listener *l);
};

struct kfd_xsched_ops {
	__u32 version;
	__u32 size;
	const char *name;
	struct module *owner;

	/* One listener at a time; -EBUSY if one is registered. */
	int (*register_listener)(const struct kfd_xsched_listener *l);
	/* Returns once no callback of @l runs or will run. */
	void (*unregister_listener)(const struct kfd_xsched_listener *l);

	/*
	 * One runlist change for the set; 0 or -errno (see "Failure").
	 * Bit i of @stale (n bits, cleared by the caller) is set when
	 * @handles[i] no longer resolves to a queue of @gpu_id.
	 */
	int (*pause_queues)(__u32 gpu_id, const __u64 *handles,
			    unsigned int n, unsigned long *stale);
	int (*resume_queues)(__u32 gpu_id, const __u64 *handles,
			     unsigned int n, unsigned long *stale);
	/*
	 * Hardware priority (0..15), as AMDKFD_IOC_UPDATE_QUEUE sets it;
	 * -ENOENT when @handle no longer resolves on @gpu_id.
	 */
	int (*set_priority)(__u32 gpu_id, __u64 handle, __u32 priority);
};

/* The symbol a provider exports (EXPORT_SYMBOL_GPL). */
const struct kfd_xsched_ops *kfd_xsched_get_ops(void);

#endif /* _KFD_XSCHED_H */
