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
 * Every queue has two priorities (docs/scheduler.md, "Who may preempt
 * whom").  Its operator priority comes from the operator's rules (per
 * process, cgroup or user; XSCHED_IOC_SET_RULES, XSCHED_IOC_PROC_PRIORITY)
 * or the default; queues of a lower operator priority are paused for
 * busy ones of a higher.  Its own priority (struct xsched_queue_info.
 * priority) starts as the KFD queue priority and only orders the queues
 * of one user at one operator priority among themselves.
 *
 * XSCHED_IOC_QUEUE_INFO (struct xsched_queue_query)
 *   One queue's identity, priorities, state and statistics.  Open to
 *   every user, within the module's hidepid setting (docs/scheduler.md,
 *   "Visibility"): with hidepid 2, another user's queue is -ENOENT.
 *   ring_va is reported only to callers that may read the owner's memory
 *   as ptrace would (same user, dumpable) and to callers with
 *   CAP_SYS_PTRACE or CAP_SYS_NICE (0 for everyone else).
 *   in:  id, flags none
 *   out: info, op_priority, op_source (XSCHED_FEAT_TENANCY)
 *   errors: -EINVAL (size, flags, reserved), -ENOENT (no such queue),
 *           -EFAULT.
 *
 * XSCHED_IOC_SET_PRIORITY (struct xsched_set_priority)
 *   Sets a queue's own priority.  The owner (same user) may set any;
 *   another user's queue needs CAP_SYS_NICE.  Takes effect at once: the
 *   queue is paused or resumed as the domain's policy now demands, and
 *   the provider's own queue priority follows.
 *   in:  id, priority
 *   errors: -EINVAL (size, flags, reserved, priority out of range),
 *           -ENOENT (no such queue), -EPERM, -EIO (the provider refused;
 *           nothing changed), -EFAULT.
 *
 * XSCHED_IOC_HINT (struct xsched_hint)
 *   Tells xsched that the queue is about to be busy (XSCHED_HINT_BEGIN)
 *   or is done (XSCHED_HINT_END) without waiting for the next poll.  A
 *   queue with a BEGIN in force counts as busy until END, until the
 *   file descriptor that sent the BEGIN is closed, or until the domain's
 *   hint_ms passes without another BEGIN.  Only the owning process or a
 *   caller with CAP_SYS_NICE may hint.
 *   in:  id, hint
 *   errors: -EINVAL (size, flags, reserved, unknown hint), -ENOENT,
 *           -EPERM, -EFAULT.
 *
 * XSCHED_IOC_GET_RULES (struct xsched_rules, entries of struct
 *   xsched_rule; XSCHED_FEAT_TENANCY)
 *   The operator's user, cgroup and default rules, in order.  Open to
 *   every user.
 *   in:  entry_size = sizeof(struct xsched_rule); count = room at entries
 *        (0 with entries 0 only asks how many); flags none
 *   out: count = number of rules; generation, which changes with every
 *        SET_RULES
 *   errors: -EINVAL (size, flags, entry_size, reserved), -EFAULT.
 *
 * XSCHED_IOC_SET_RULES (struct xsched_rules; XSCHED_FEAT_TENANCY)
 *   Replaces every user, cgroup and default rule at once (process rules
 *   stay), then ranks every queue again.  Needs CAP_SYS_NICE.
 *   in:  entry_size, count (at most XSCHED_RULES_MAX), entries;
 *        generation as GET_RULES last reported it, unless flags has
 *        XSCHED_RULES_FORCE
 *   errors: -EPERM, -EINVAL (size, flags, entry_size, reserved, a rule
 *           that is malformed: unknown kind, priority out of range, a
 *           uid that does not map, a cgroup that is not an absolute
 *           NUL-terminated path, a rule given twice, two defaults),
 *           -E2BIG (too many rules), -EAGAIN (the rules changed since
 *           that generation: nothing replaced), -ENOMEM, -EFAULT.
 *   Nothing changes when it fails.
 *
 * XSCHED_IOC_PROC_PRIORITY (struct xsched_proc_priority;
 *   XSCHED_FEAT_TENANCY)
 *   A process's operator priority, like renice: with flags 0, reports
 *   the operator priority its queues get now and where it comes from;
 *   XSCHED_PROC_SET sets a process rule (for it and, unless they have
 *   their own, every descendant: children, exec, fork), XSCHED_PROC_CLEAR
 *   removes it.  Then its queues and its descendants' are ranked again.
 *   Setting or clearing needs CAP_SYS_NICE, except that the owner (same
 *   user) may set a priority no higher than the one the process has now.
 *   in:  pid (in the caller's pid namespace; 0: the caller), priority
 *   out: priority, source (XSCHED_SRC_*) as they now are
 *   errors: -EINVAL (size, flags, both SET and CLEAR, priority out of
 *           range, reserved), -ESRCH (no such process), -EPERM,
 *           -ENOSPC (XSCHED_PROC_RULES_MAX process rules), -ENOMEM,
 *           -EFAULT.
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
/* Operator priorities: GET_RULES, SET_RULES, PROC_PRIORITY, op_priority. */
#define XSCHED_FEAT_TENANCY		(1ULL << 4)

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
/* At a barrier whose dependencies are not met: not busy (state idle). */
#define XSCHED_QUEUE_WAITING	(1U << 1)

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

/* Where an operator priority comes from. */
#define XSCHED_SRC_DEFAULT	0	/* no rule applies */
#define XSCHED_SRC_USER		1	/* a user rule */
#define XSCHED_SRC_CGROUP	2	/* a cgroup rule */
#define XSCHED_SRC_PROCESS	3	/* a process rule on the process */
#define XSCHED_SRC_INHERITED	4	/* ... on one of its ancestors */

struct xsched_queue_query {
	__u32 size;
	__u32 flags;
	__u32 id;
	__u32 reserved0;
	struct xsched_queue_info info;
	__u32 op_priority;	/* out: its operator priority */
	__u32 op_source;	/* out: XSCHED_SRC_* */
	__u64 reserved;
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

/* struct xsched_rule.kind */
#define XSCHED_RULE_USER	1	/* uid's queues */
#define XSCHED_RULE_CGROUP	2	/* queues made in a cgroup matching */
#define XSCHED_RULE_DEFAULT	3	/* where no rule applies (else 7) */

#define XSCHED_CGROUP_LEN	256
#define XSCHED_RULES_MAX	256
#define XSCHED_PROC_RULES_MAX	1024

struct xsched_rule {
	__u32 kind;
	__u32 priority;		/* the operator priority it gives */
	__u32 uid;		/* USER: in the caller's user namespace */
	__u32 reserved0;
	/*
	 * CGROUP: a cgroup v2 path from the root of the hierarchy, or a
	 * pattern of one ('*' and '?' match within one path component);
	 * NUL-terminated, the rest zero.  Zero for the other kinds.
	 */
	char cgroup[XSCHED_CGROUP_LEN];
};

/* struct xsched_rules.flags */
#define XSCHED_RULES_FORCE	(1U << 0)	/* SET: whatever the generation */

struct xsched_rules {
	__u32 size;
	__u32 flags;
	__u32 entry_size;	/* sizeof(struct xsched_rule) */
	__u32 count;		/* room / how many */
	__u64 generation;
	__u64 entries;		/* user pointer to the array */
	__u64 reserved[2];
};

/* struct xsched_proc_priority.flags */
#define XSCHED_PROC_SET		(1U << 0)
#define XSCHED_PROC_CLEAR	(1U << 1)

struct xsched_proc_priority {
	__u32 size;
	__u32 flags;
	__s32 pid;		/* 0: the caller */
	__u32 priority;		/* SET: in; out: the one in force */
	__u32 source;		/* out: XSCHED_SRC_* */
	__u32 reserved0;
	__u64 reserved[2];
};

#define XSCHED_IOC_MAGIC	'X'
#define XSCHED_IOC_GET_FEATURES	_IOWR(XSCHED_IOC_MAGIC, 0x00, struct xsched_features)
#define XSCHED_IOC_LIST_DOMAINS	_IOWR(XSCHED_IOC_MAGIC, 0x01, struct xsched_list)
#define XSCHED_IOC_LIST_QUEUES	_IOWR(XSCHED_IOC_MAGIC, 0x02, struct xsched_list)
#define XSCHED_IOC_QUEUE_INFO	_IOWR(XSCHED_IOC_MAGIC, 0x03, struct xsched_queue_query)
#define XSCHED_IOC_SET_PRIORITY	_IOWR(XSCHED_IOC_MAGIC, 0x04, struct xsched_set_priority)
#define XSCHED_IOC_HINT		_IOWR(XSCHED_IOC_MAGIC, 0x05, struct xsched_hint)
#define XSCHED_IOC_GET_RULES	_IOWR(XSCHED_IOC_MAGIC, 0x06, struct xsched_rules)
#define XSCHED_IOC_SET_RULES	_IOWR(XSCHED_IOC_MAGIC, 0x07, struct xsched_rules)
#define XSCHED_IOC_PROC_PRIORITY _IOWR(XSCHED_IOC_MAGIC, 0x08, struct xsched_proc_priority)

#endif /* _UAPI_XSCHED_H */
