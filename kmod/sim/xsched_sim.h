/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xsched_sim.ko internals: the simulated GPU provider.
 *
 * Lock order (outermost first):
 *   xsched_sim_listener_lock (mutex; events are sent under it; pause and
 *   resume take it too, to announce a queue a KILL fault ends; xsched
 *   calls them holding its dom->mutex, which no listener callback takes)
 *   -> xsched_sim_lock (mutex; processes, queues, ioctls)
 *   -> node->lock (spinlock, bh; the timing model and its hrtimer)
 */
#ifndef _XSCHED_SIM_H
#define _XSCHED_SIM_H

#include <linux/hrtimer.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/xarray.h>

#include "kfd_xsched.h"
#include "xsched_sim_engine.h"
#include "../../uapi/xsched_sim.h"

#define XSCHED_SIM_MAX_QUEUES	1024	/* per process, as KFD */

struct xsched_sim_gpu {
	struct xsched_sim_node model;
	spinlock_t lock;
	struct hrtimer timer;
	bool gone;			/* removed (test control), xsched_sim_lock */
	/* Armed faults (XSCHED_SIM_IOC_FAULT), xsched_sim_lock. */
	u32 fail_pause, fail_resume, slow_n, slow_ms, kill_n;
	bool unmapped;			/* a failed resume left queues unmapped */
	u64 reset_until;		/* a reset in progress until then */
	char name[48];
};

/*
 * One per address space, as a KFD process is (amdkfd finds its process
 * by mm): every file opened by one process shares it, so queue ids are
 * unique within the process, and only that process may use its files
 * (amdkfd answers -EBADF to any other, a forked child included).  A
 * queue dies with the file it was created through.
 */
struct xsched_sim_proc {
	struct mm_struct *mm;		/* mmgrab()ed: the owner, for certain */
	pid_t tgid;			/* for people */
	unsigned int nfiles;		/* open files, xsched_sim_lock */
	struct list_head link;		/* in xsched_sim_procs */
	struct list_head queues;
	struct xarray byid;		/* queue_id -> queue, xsched_sim_lock */
	struct kref ref;
	DECLARE_BITMAP(qids, XSCHED_SIM_MAX_QUEUES);
};

struct xsched_sim_q {
	struct xsched_sim_queue model;	/* under gpu->lock */
	struct xsched_sim_gpu *gpu;
	struct xsched_sim_proc *proc;
	struct list_head link;		/* in proc->queues */
	const struct file *file;	/* created through; dies with it */
	struct kref ref;
	u64 handle;			/* never reused (kfd_xsched.h) */
	u32 queue_id;
	u32 priority;
	bool xs_paused;			/* paused through the ops */
	bool dead;
	u64 ring_va, ring_size, amdq_va;
	struct page *amdq_page;
	unsigned int amdq_off;
	struct page **ring_pages;
	unsigned int ring_npages;
	wait_queue_head_t wq;
	struct xsched_sim_kernel fifo[];
};

extern struct mutex xsched_sim_lock;
extern struct mutex xsched_sim_listener_lock;
extern struct list_head xsched_sim_procs;
extern struct xarray xsched_sim_handles;
extern struct xsched_sim_gpu *xsched_sim_gpus;
extern unsigned int xsched_sim_nr_gpus;
extern const struct kfd_xsched_ops xsched_sim_ops;

void xsched_sim_q_info(const struct xsched_sim_q *q,
		       struct kfd_xsched_queue_info *info);
void xsched_sim_notify(enum kfd_xsched_event ev, const struct xsched_sim_q *q);
void xsched_sim_notify_node(enum kfd_xsched_event ev,
			    const struct xsched_sim_gpu *gpu);
void xsched_sim_provider_gone(void);
u64 xsched_sim_kill(struct xsched_sim_q *q);
const struct kfd_xsched_ops *xsched_sim_get_ops(void);
void xsched_sim_rearm(struct xsched_sim_gpu *gpu);
void xsched_sim_runlist_wait(u64 until);
void xsched_sim_proc_put(struct xsched_sim_proc *p);
struct xsched_sim_gpu *xsched_sim_gpu_by_id(u32 gpu_id);

#endif /* _XSCHED_SIM_H */
