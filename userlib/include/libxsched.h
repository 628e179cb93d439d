/* SPDX-License-Identifier: LGPL-2.1 OR MIT */
/*
 * libxsched: a thin library over xsched's /dev/xsched ioctls (ABI v1) and
 * its sysfs knobs, and a way to find the xsched queue behind a HIP stream
 * or an HSA queue.
 *
 * Every function that returns int returns 0 (or a count where documented)
 * on success and a negative errno on failure; none of them reports through
 * errno.  The structures are the kernel's own, from <xsched.h> (the uapi
 * header, installed next to this one).  docs/libxsched.md and the man
 * pages describe every call.
 */
#ifndef LIBXSCHED_H
#define LIBXSCHED_H

#include <stddef.h>
#include <stdint.h>

#include "xsched.h"	/* the uapi: struct xsched_*, XSCHED_* */

#ifdef __cplusplus
extern "C" {
#endif

#define LIBXSCHED_VERSION_MAJOR	0
#define LIBXSCHED_VERSION_MINOR	2

/* The default device node and sysfs directory. */
#define XSCHED_DEV_PATH		"/dev/" XSCHED_DEVICE_NAME
#define XSCHED_SYSFS_PATH	"/sys/class/misc/xsched"

/* A handle on /dev/xsched; opaque. One per thread, or lock around it. */
struct xsched;

int xsched_open(struct xsched **xs);
int xsched_open_path(const char *path, struct xsched **xs);
void xsched_close(struct xsched *xs);
int xsched_fd(const struct xsched *xs);

int xsched_get_features(struct xsched *xs, uint32_t *abi_version,
			uint64_t *features);

/*
 * Caller-provided arrays: @room entries at @arr (@arr may be NULL with
 * @room 0); *@count receives how many exist, which may exceed @room.
 */
int xsched_list_domains(struct xsched *xs, struct xsched_domain_info *arr,
			uint32_t room, uint32_t *count);
int xsched_list_queues(struct xsched *xs, uint32_t flags, uint32_t gpu_id,
		       struct xsched_queue_info *arr, uint32_t room,
		       uint32_t *count);

/* Allocated arrays: *@arr is malloc()ed (NULL when *@count is 0); free(). */
int xsched_get_domains(struct xsched *xs, struct xsched_domain_info **arr,
		       uint32_t *count);
int xsched_get_queues(struct xsched *xs, uint32_t flags, uint32_t gpu_id,
		      struct xsched_queue_info **arr, uint32_t *count);

int xsched_queue_info(struct xsched *xs, uint32_t id,
		      struct xsched_queue_info *info);
int xsched_set_priority(struct xsched *xs, uint32_t id, uint32_t priority);
int xsched_hint_begin(struct xsched *xs, uint32_t id);
int xsched_hint_end(struct xsched *xs, uint32_t id);

/* "idle", "busy", "paused" or "unknown"; never NULL. */
const char *xsched_queue_state_name(uint32_t state);

/*
 * Operator priorities (XSCHED_FEAT_TENANCY; docs/scheduler.md, "Who may
 * preempt whom").  A queue's operator priority and where it comes from
 * (XSCHED_SRC_*).
 */
int xsched_queue_op_priority(struct xsched *xs, uint32_t id,
			     uint32_t *op_priority, uint32_t *source);
/* "default", "user", "cgroup", "process", "inherited" or "unknown". */
const char *xsched_source_name(uint32_t source);

/*
 * A process's operator priority, like renice: @pid 0 is the caller.  Its
 * children, through fork and exec, inherit it unless they have their own.
 */
int xsched_proc_priority(struct xsched *xs, int pid, uint32_t *priority,
			 uint32_t *source);
int xsched_set_proc_priority(struct xsched *xs, int pid, uint32_t priority);
int xsched_clear_proc_priority(struct xsched *xs, int pid);

/*
 * The operator's user, cgroup and default rules, replaced whole.
 * *@arr is malloc()ed (NULL when *@count is 0); free().  Pass the
 * @generation xsched_get_rules() reported, or XSCHED_RULES_FORCE in
 * @flags: -EAGAIN if the rules changed in between.
 */
int xsched_get_rules(struct xsched *xs, struct xsched_rule **arr,
		     uint32_t *count, uint64_t *generation);
int xsched_set_rules(struct xsched *xs, const struct xsched_rule *arr,
		     uint32_t count, uint64_t generation, uint32_t flags);

/*
 * The rules file: one rule a line, "user NAME|UID PRIO", "cgroup PATH
 * PRIO" or "default PRIO"; '#' starts a comment.  Parsed whole: on
 * error, nothing is returned, *@bad_line is the line and @why the reason.
 */
int xsched_rules_parse(const char *text, struct xsched_rule **arr,
		       uint32_t *count, unsigned int *bad_line, char *why,
		       size_t whylen);
int xsched_rule_parse(const char *line, struct xsched_rule *r, char *why,
		      size_t whylen);
/* Nonzero if @a and @b are rules for the same target. */
int xsched_rule_same(const struct xsched_rule *a,
		     const struct xsched_rule *b);
/* One rule as a line of the file; returns its length or -ENOSPC. */
int xsched_rule_format(const struct xsched_rule *r, char *buf, size_t len);

/*
 * Domain sysfs (XSCHED_SYSFS_PATH/domains/<gpu_id>/).  A knob is one of
 * "poll_us", "resume_delay_us", "starvation_ms"; xsched_domain_get_attr
 * also reads any read-only numeric attribute (e.g. "pause_lat_max_ns").
 */
int xsched_domain_get_policy(uint32_t gpu_id, char *buf, size_t len);
int xsched_domain_set_policy(uint32_t gpu_id, const char *policy);
int xsched_domain_get_attr(uint32_t gpu_id, const char *attr, uint64_t *val);
int xsched_domain_set_knob(uint32_t gpu_id, const char *knob, uint64_t val);

/*
 * The xsched id of the calling process's queue behind an HSA queue
 * (@hsa_queue is an hsa_queue_t *) or a HIP stream (@stream is a
 * hipStream_t; NULL is the null stream).  See docs/libxsched.md for the
 * mechanism and its limits.
 */
int xsched_attach_hsa_queue(struct xsched *xs, const void *hsa_queue,
			    uint32_t *id);
int xsched_attach_hip_stream(struct xsched *xs, void *stream, uint32_t *id);

/* struct xsched_device.flags */
#define XSCHED_DEVICE_SIMULATED	(1U << 0)	/* xsched_sim.ko: no hardware */
#define XSCHED_DEVICE_DRM_NAME	(1U << 1)	/* name from libdrm_amdgpu */

/*
 * How ROCm users know a domain's device: from KFD's topology
 * (/sys/class/kfd/kfd/topology/nodes) and, when it can be loaded,
 * libdrm_amdgpu.  Empty strings and -1 mean "none" or "unknown".
 */
struct xsched_device {
	uint32_t gpu_id;
	uint32_t flags;			/* XSCHED_DEVICE_* */
	int32_t kfd_node;		/* topology node number */
	int32_t render_minor;		/* e.g. 128 */
	char render_node[32];		/* e.g. "/dev/dri/renderD128" */
	char pci_address[16];		/* e.g. "0000:c1:00.0" */
	uint32_t vendor_id;
	uint32_t device_id;
	uint32_t partition;		/* index among the nodes of one device */
	uint32_t partitions;		/* 1 when the device is not partitioned */
	char partition_mode[8];		/* amdgpu's e.g. "CPX", when readable */
	char name[64];			/* marketing name, else topology's */
	int32_t drm_error;		/* 0 iff XSCHED_DEVICE_DRM_NAME, else
					 * why not, as -errno */
	uint32_t reserved[7];
};

int xsched_domain_device(struct xsched *xs, uint32_t gpu_id,
			 struct xsched_device *dev);

#ifdef __cplusplus
}
#endif

#endif /* LIBXSCHED_H */
