/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note OR MIT */
/*
 * xsched userspace ABI: ioctls on /dev/xsched.
 *
 * Rules that hold for every ioctl in this file:
 *  - Commands are _IOWR('X', nr, struct); an unknown command fails with
 *    -ENOTTY.
 *  - Every argument struct starts with __u32 size and __u32 flags.  size
 *    must be the sizeof() of the struct as this header defines it for
 *    XSCHED_ABI_VERSION; any other value fails with -EINVAL.  flags holds
 *    only the bits defined for that ioctl; any other bit fails with -EINVAL.
 *  - reserved fields must be zero on input; anything else fails with
 *    -EINVAL.  They may gain a meaning in a later ABI version, announced by
 *    a feature bit.
 *  - Output fields are ignored on input.  When an ioctl fails, nothing is
 *    written back to userspace.
 *  - Types have fixed sizes and every struct is padded to 64 bits; pointers,
 *    where they appear, travel as __u64.
 *  - An argument that cannot be read or written fails with -EFAULT.
 *
 * XSCHED_IOC_GET_FEATURES (struct xsched_features)
 *   Reports the ABI version and the features this module supports.  Open
 *   to every user.
 *   in:  size, flags (none defined, must be 0), reserved (must be 0)
 *   out: abi_version (XSCHED_ABI_VERSION of the running module),
 *        features (mask of XSCHED_FEAT_*)
 *   errors: -EINVAL (size, flags, reserved), -EFAULT.
 *
 * Queues are named by an xsched-wide id (struct xsched_queue_info.id),
 * stable for the queue's life; ids are not reused until the id space
 * wraps.  Domains (one per GPU node) are named by their KFD gpu_id.
 * Priorities run from XSCHED_PRIO_MIN to XSCHED_PRIO_MAX; higher wins.
 *
 * XSCHED_IOC_LIST_DOMAINS (struct xsched_list, entries of
 *   struct xsched_domain_info)
 *   Open to every user.
 *   in:  entry_size = sizeof(struct xsched_domain_info); count = room in
 *        the array at entries (0 with entries 0 only asks how many);
 *        flags none
 *   out: count = number of domains; the first min(room, count) entries
 *        are filled in.  A caller whose room was short calls again.
 *   errors: -EINVAL (size, flags, entry_size, reserved, room without an
 *           array), -EFAULT.
 *
 * XSCHED_IOC_LIST_QUEUES (struct xsched_list, entries of
 *   struct xsched_queue_info)
 *   Open to every user.  As LIST_DOMAINS, with two filters:
 *   flags XSCHED_LIST_GPU_ID: only the queues of domain gpu_id;
 *   flags XSCHED_LIST_MINE: only the calling process's queues.
 *   errors: as LIST_DOMAINS; -ENOENT for a gpu_id that names no domain.
 *
 * XSCHED_IOC_QUEUE_INFO (struct xsched_queue_query)
 *   One queue's identity, priority, state and statistics.  Open to every
 *   user; ring_va is reported only to the owning process and to callers
 *   with CAP_SYS_NICE (0 for everyone else).
 *   in:  id, flags none
 *   out: info
 *   errors: -EINVAL (size, flags, reserved), -ENOENT (no such queue),
 *           -EFAULT.
 *
 * XSCHED_IOC_SET_PRIORITY (struct xsched_set_priority)
 *   Sets a queue's priority, as nice(2) does for a task: the owner (same
 *   user) may lower it; raising it, or changing another user's queue,
 *   needs CAP_SYS_NICE.  Takes effect at once: the queue is paused or
 *   resumed as the domain's policy now demands, and the provider's own
 *   queue priority follows.
 *   in:  id, priority
 *   errors: -EINVAL (size, flags, reserved, priority out of range),
 *           -ENOENT (no such queue), -EPERM, -EIO (the provider refused;
 *           nothing changed), -EFAULT.
 *
 * XSCHED_IOC_HINT (struct xsched_hint)
 *   Tells xsched that the queue is about to be busy (XSCHED_HINT_BEGIN)
 *   or is done (XSCHED_HINT_END) without waiting for the next poll.  A
 *   queue with a BEGIN in force counts as busy until END, or until the
 *   file descriptor that sent the BEGIN is closed.  Only the queue's
 *   owner (same user) or a caller with CAP_SYS_NICE may hint.
 *   in:  id, hint
 *   errors: -EINVAL (size, flags, reserved, unknown hint), -ENOENT,
 *           -EPERM, -EFAULT.
 */
#ifndef _UAPI_XSCHED_H
#define _UAPI_XSCHED_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define XSCHED_DEVICE_NAME	"xsched"
#define XSCHED_ABI_VERSION	1

/* Feature bits reported by XSCHED_IOC_GET_FEATURES. */
/* The GET_FEATURES ioctl itself, with the validation rules above. */
#define XSCHED_FEAT_GET_FEATURES	(1ULL << 0)
/* LIST_DOMAINS, LIST_QUEUES and QUEUE_INFO. */
#define XSCHED_FEAT_QUERY		(1ULL << 1)
/* SET_PRIORITY. */
#define XSCHED_FEAT_SET_PRIORITY	(1ULL << 2)
/* HINT with XSCHED_HINT_BEGIN and XSCHED_HINT_END. */
#define XSCHED_FEAT_HINTS		(1ULL << 3)

#define XSCHED_PRIO_MIN		0
#define XSCHED_PRIO_MAX		15

struct xsched_features {
	__u32 size;
	__u32 flags;
	__u32 abi_version;
	__u32 reserved0;
	__u64 features;
	__u64 reserved[4];
};

#define XSCHED_NAME_LEN		64

/* struct xsched_domain_info.flags */
#define XSCHED_DOMAIN_DEGRADED	(1U << 0)	/* the provider failed an op */

struct xsched_domain_info {
	__u32 gpu_id;
	__u32 flags;
	__u32 nr_queues;
	__u32 level;		/* queues below this priority are paused */
	char name[XSCHED_NAME_LEN];	/* the provider's name, NUL-terminated */
	char policy[16];		/* e.g. "hpf", NUL-terminated */
	__u64 decisions;
	__u64 pauses;		/* batched pause operations */
	__u64 resumes;		/* batched resume operations */
	__u64 errors;		/* provider operations that failed */
};

enum xsched_queue_state {
	XSCHED_QUEUE_IDLE = 0,		/* nothing submitted, runnable */
	XSCHED_QUEUE_BUSY = 1,		/* work pending, running */
	XSCHED_QUEUE_PAUSED = 2		/* preempted by xsched */
};

/* struct xsched_queue_info.flags */
#define XSCHED_QUEUE_HINTED	(1U << 0)	/* a BEGIN hint is in force */

struct xsched_queue_info {
	__u32 id;		/* xsched queue id */
	__u32 gpu_id;		/* its domain */
	__s32 pid;		/* owning process (tgid), as the caller sees it */
	__u32 uid;		/* owner, as the caller's user namespace sees it */
	__u32 queue_id;		/* the provider's (KFD's) queue id */
	__u32 priority;
	__u32 state;		/* enum xsched_queue_state */
	__u32 flags;
	__u64 ring_va;		/* == hsa_queue_t.base_address; see above */
	__u64 busy_ns;		/* time with work pending */
	__u64 paused_ns;	/* time paused by xsched */
	__u64 preempt_count;	/* times paused */
	__u64 last_lat_ns;	/* busy higher queue -> pause issued, last */
	__u64 max_lat_ns;	/* ... and the largest seen */
};

/* struct xsched_list.flags */
#define XSCHED_LIST_GPU_ID	(1U << 0)	/* only domain gpu_id's queues */
#define XSCHED_LIST_MINE	(1U << 1)	/* only the caller's queues */

struct xsched_list {
	__u32 size;
	__u32 flags;
	__u32 entry_size;	/* sizeof() one entry */
	__u32 count;		/* in: room; out: how many there are */
	__u32 gpu_id;		/* with XSCHED_LIST_GPU_ID */
	__u32 reserved0;
	__u64 entries;		/* user pointer to the array */
	__u64 reserved[2];
};

struct xsched_queue_query {
	__u32 size;
	__u32 flags;
	__u32 id;
	__u32 reserved0;
	struct xsched_queue_info info;
	__u64 reserved[2];
};

struct xsched_set_priority {
	__u32 size;
	__u32 flags;
	__u32 id;
	__u32 priority;
	__u64 reserved[2];
};

#define XSCHED_HINT_BEGIN	1
#define XSCHED_HINT_END		2

struct xsched_hint {
	__u32 size;
	__u32 flags;
	__u32 id;
	__u32 hint;
	__u64 reserved[2];
};

#define XSCHED_IOC_MAGIC	'X'
#define XSCHED_IOC_GET_FEATURES	_IOWR(XSCHED_IOC_MAGIC, 0x00, struct xsched_features)
#define XSCHED_IOC_LIST_DOMAINS	_IOWR(XSCHED_IOC_MAGIC, 0x01, struct xsched_list)
#define XSCHED_IOC_LIST_QUEUES	_IOWR(XSCHED_IOC_MAGIC, 0x02, struct xsched_list)
#define XSCHED_IOC_QUEUE_INFO	_IOWR(XSCHED_IOC_MAGIC, 0x03, struct xsched_queue_query)
#define XSCHED_IOC_SET_PRIORITY	_IOWR(XSCHED_IOC_MAGIC, 0x04, struct xsched_set_priority)
#define XSCHED_IOC_HINT		_IOWR(XSCHED_IOC_MAGIC, 0x05, struct xsched_hint)

#endif /* _UAPI_XSCHED_H */
