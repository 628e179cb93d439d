/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note OR MIT */
/*
 * The simulated GPU's own device, /dev/xsched_sim (xsched_sim.ko).
 *
 * It stands in for the KFD queue ioctls and the packet processor: a
 * process creates queues whose ring and amd_queue_t-like header live in
 * its own memory, writes 64-byte AQL-like packets into the ring, bumps
 * write_dispatch_id (header + 56) and rings the doorbell.  The simulated
 * packet processor advances read_dispatch_id (header + 128) when it
 * launches a packet and, when the kernel finishes, writes start_ts (+32)
 * and end_ts (+40, CLOCK_MONOTONIC ns) into the packet's amd_signal_t and
 * decrements its value (+8), as hardware does.  A packet's kernel_object
 * field (+32) is the kernel's duration in ns when alone on the node.
 *
 * Barriers, which stay pending at the head of their queue
 * (read_dispatch_id one short of them) and hold back the packets behind
 * them until their condition holds; then they are consumed and complete at
 * once (their completion signal, if any, as for a kernel):
 *  - barrier-AND and barrier-OR (HSA types 3 and 5 in the header's low
 *    byte): dep_signal[5] at +8..+40, addresses of amd_signal_t-like
 *    signals in the ringing process's memory (0: none).  AND holds when
 *    every signal's value (+8) is 0, OR when one is (or none is given).
 *    Kernels' completions decrement their signals, so a barrier can wait
 *    for another queue's kernel, of another process when the signal is in
 *    memory both map.
 *  - barrier-value (AMD vendor-specific AQL format, as ROCr writes for
 *    hipStreamWaitValue32): header type XSCHED_SIM_PKT_TYPE_VENDOR in the
 *    low byte (+0) and XSCHED_SIM_AMD_FORMAT_BARRIER_VALUE in the byte at
 *    +2; signal +8, value +16, mask +24, cond +32 (0 ==, 1 !=, 2 <, 3 >=).
 *    It holds when (signal value & mask) cond value.  With signal 0 the
 *    simulator does not judge it: XSCHED_SIM_IOC_RELEASE says when it
 *    holds.
 * The simulated packet processor looks at a waiting barrier's signals
 * whenever a kernel of the node completes and every 20 us, while its
 * queue is mapped.
 *
 * Argument structs follow uapi/xsched.h's rules (size, flags, reserved;
 * -EINVAL, -ENOTTY, -EFAULT).  Queues belong to the open file and die
 * with it.
 *
 * XSCHED_SIM_IOC_CREATE_QUEUE: gpu_id (0 = the first node), priority
 *   0..15, ring_va (page aligned), ring_size (power of two, 4 KiB to
 *   64 KiB), amdq_va (8-byte aligned, header within one page) -> queue_id.
 *   Errors: -EINVAL, -ENODEV (no such node), -ENOSPC (1024 queues),
 *   -EFAULT (memory not mapped writable).
 * XSCHED_SIM_IOC_DESTROY_QUEUE: queue_id.  -ENOENT.
 * XSCHED_SIM_IOC_DOORBELL: queue_id; takes packets up to the current
 *   write_dispatch_id.  -ENOENT, -EINVAL (a packet with kernel_object 0
 *   or over 10 s, a signal address not 8-aligned or across a page, a
 *   barrier-value cond over 3), -EFAULT (a signal not mapped writable),
 *   -ENOSPC (more packets than ring slots in flight).
 * XSCHED_SIM_IOC_WAIT: queue_id, dispatch_id, timeout_ns (0 = forever);
 *   returns when that packet completed.  -ENOENT, -ETIMEDOUT, -EINTR.
 * XSCHED_SIM_IOC_RELEASE: queue_id, dispatch_id (non-zero), timeout_ns 0:
 *   the condition of that barrier-value packet without a signal now
 *   holds.  -ENOENT (no such queue), -EINVAL (dispatch_id names no such
 *   waiting packet of the queue: not submitted, a kernel, a barrier with
 *   signals, released already).
 * XSCHED_SIM_IOC_NODES: -> count, gpu_ids[].
 */
#ifndef _UAPI_XSCHED_SIM_H
#define _UAPI_XSCHED_SIM_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define XSCHED_SIM_DEVICE_NAME	"xsched_sim"
#define XSCHED_SIM_MAX_NODES	64	/* 8 MI300X in CPX mode */
#define XSCHED_SIM_RING_MIN	4096
#define XSCHED_SIM_RING_MAX	65536

/* Packet fields the simulator reads (byte offsets in the 64-byte packet). */
#define XSCHED_SIM_PKT_WORK_NS		32	/* kernel_object: duration */
#define XSCHED_SIM_PKT_AMD_FORMAT	2	/* vendor packets: AMD format */
#define XSCHED_SIM_PKT_TYPE_VENDOR	0	/* HSA_PACKET_TYPE_VENDOR_SPECIFIC */
#define XSCHED_SIM_AMD_FORMAT_BARRIER_VALUE	2	/* AMD_AQL_FORMAT_BARRIER_VALUE */

struct xsched_sim_create_queue {
	__u32 size;
	__u32 flags;
	__u32 gpu_id;
	__u32 priority;
	__u64 ring_va;
	__u64 ring_size;
	__u64 amdq_va;
	__u32 queue_id;		/* out */
	__u32 reserved0;
	__u64 reserved[2];
};

struct xsched_sim_queue_op {
	__u32 size;
	__u32 flags;
	__u32 queue_id;
	__u32 reserved0;
	__u64 dispatch_id;	/* WAIT, RELEASE */
	__u64 timeout_ns;	/* WAIT */
	__u64 reserved[2];
};

struct xsched_sim_nodes {
	__u32 size;
	__u32 flags;
	__u32 count;		/* out */
	__u32 reserved0;
	__u32 gpu_ids[XSCHED_SIM_MAX_NODES];	/* out */
	__u64 reserved[2];
};

/*
 * Test control (CAP_SYS_ADMIN): remove a node as a GPU unplug does (its
 * queues die with it; waiters on them return -ENOENT, other calls on them
 * -ENODEV), or add it back.  -EALREADY if it already is so.
 */
#define XSCHED_SIM_NODE_REMOVE	1
#define XSCHED_SIM_NODE_ADD	2

struct xsched_sim_node_ctl {
	__u32 size;
	__u32 flags;
	__u32 gpu_id;
	__u32 op;		/* XSCHED_SIM_NODE_* */
	__u64 reserved0;
	__u64 reserved[2];
};

/*
 * Test control (CAP_SYS_ADMIN): faults of one node's pause and resume,
 * as amdkfd can show them.  @count applies to the next @count calls of
 * that kind; a new FAULT of a kind replaces the armed one; NONE disarms
 * every fault of the node.
 *  FAIL_PAUSE   a pause fails as a preemption timeout does (-ETIME) and
 *               changes nothing;
 *  FAIL_RESUME  a resume fails as a runlist error does (-EIO): the queues
 *               are un-paused but nothing is mapped until a resume
 *               succeeds (it maps them even when no flag changes);
 *  SLOW         a pause or resume takes @ms longer;
 *  KILL         the first queue of a pause dies during it (as its
 *               process exiting would: QUEUE_DESTROYED is sent), so its
 *               handle no longer resolves;
 *  RESET        the node resets now, for @ms: every queue is unmapped and
 *               mapped again afterwards with xsched's pauses kept (as
 *               amdkfd keeps is_xsched_paused); calls meanwhile fail
 *               (-EIO); kernels in flight are resumed, none is lost.
 */
#define XSCHED_SIM_FAULT_NONE		0
#define XSCHED_SIM_FAULT_FAIL_PAUSE	1
#define XSCHED_SIM_FAULT_FAIL_RESUME	2
#define XSCHED_SIM_FAULT_SLOW		3
#define XSCHED_SIM_FAULT_KILL		4
#define XSCHED_SIM_FAULT_RESET		5

struct xsched_sim_fault {
	__u32 size;
	__u32 flags;
	__u32 gpu_id;
	__u32 kind;		/* XSCHED_SIM_FAULT_* */
	__u32 count;		/* FAIL_*, SLOW, KILL: calls affected */
	__u32 ms;		/* SLOW, RESET: 1..10000 */
	__u64 reserved0;
	__u64 reserved[2];
};

#define XSCHED_SIM_IOC_MAGIC	'x'
#define XSCHED_SIM_IOC_CREATE_QUEUE	_IOWR(XSCHED_SIM_IOC_MAGIC, 0x00, struct xsched_sim_create_queue)
#define XSCHED_SIM_IOC_DESTROY_QUEUE	_IOWR(XSCHED_SIM_IOC_MAGIC, 0x01, struct xsched_sim_queue_op)
#define XSCHED_SIM_IOC_DOORBELL		_IOWR(XSCHED_SIM_IOC_MAGIC, 0x02, struct xsched_sim_queue_op)
#define XSCHED_SIM_IOC_WAIT		_IOWR(XSCHED_SIM_IOC_MAGIC, 0x03, struct xsched_sim_queue_op)
#define XSCHED_SIM_IOC_NODES		_IOWR(XSCHED_SIM_IOC_MAGIC, 0x04, struct xsched_sim_nodes)
#define XSCHED_SIM_IOC_RELEASE		_IOWR(XSCHED_SIM_IOC_MAGIC, 0x05, struct xsched_sim_queue_op)
#define XSCHED_SIM_IOC_NODE_CTL		_IOWR(XSCHED_SIM_IOC_MAGIC, 0x06, struct xsched_sim_node_ctl)
#define XSCHED_SIM_IOC_FAULT		_IOWR(XSCHED_SIM_IOC_MAGIC, 0x07, struct xsched_sim_fault)

#endif /* _UAPI_XSCHED_SIM_H */
