// SPDX-License-Identifier: GPL-2.0
/*
 * xsched: the /dev/xsched ioctl layer.  Validation lives here and nowhere
 * else; the rules are stated at the top of uapi/xsched.h.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/pid_namespace.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "xsched.h"

/**
 * xsched_features_query() - validate and answer a GET_FEATURES request
 * @f: the request as copied from userspace; output fields are filled in
 *
 * Kept free of user copies so that KUnit can drive every validation path.
 *
 * Return: 0, or -EINVAL for a wrong size, an unknown flag or a non-zero
 * reserved field; @f is left untouched on error.
 */
int xsched_features_query(struct xsched_features *f)
{
	if (f->size != sizeof(*f))
		return -EINVAL;
	if (f->flags)
		return -EINVAL;
	if (f->reserved0 || memchr_inv(f->reserved, 0, sizeof(f->reserved)))
		return -EINVAL;

	f->abi_version = XSCHED_ABI_VERSION;
	f->features = XSCHED_FEATURES_SUPPORTED;
	return 0;
}

static long xsched_ioc_get_features(void __user *uarg)
{
	struct xsched_features f;
	int ret;

	if (copy_from_user(&f, uarg, sizeof(f)))
		return -EFAULT;
	ret = xsched_features_query(&f);
	if (ret)
		return ret;
	if (copy_to_user(uarg, &f, sizeof(f)))
		return -EFAULT;
	return 0;
}

/**
 * xsched_check_args() - the rules every argument struct follows
 * @hdr: the struct as copied in; it starts with __u32 size, __u32 flags
 * @size: sizeof() the struct in this ABI
 * @flags_ok: the flags this ioctl defines
 * @rsv: the reserved bytes, which must all be zero
 * @rsv_len: their length
 *
 * Return: 0 or -EINVAL.
 */
int xsched_check_args(const void *hdr, u32 size, u32 flags_ok,
		      const void *rsv, size_t rsv_len)
{
	const u32 *h = hdr;

	if (h[0] != size || h[1] & ~flags_ok)
		return -EINVAL;
	return memchr_inv(rsv, 0, rsv_len) ? -EINVAL : 0;
}

/**
 * xsched_check_list() - validate a LIST_DOMAINS or LIST_QUEUES request
 * @l: the request
 * @entry_size: sizeof() one entry of that list
 * @flags_ok: the flags that list defines
 *
 * Return: 0 or -EINVAL.
 */
int xsched_check_list(const struct xsched_list *l, u32 entry_size,
		      u32 flags_ok)
{
	if (xsched_check_args(l, sizeof(*l), flags_ok, l->reserved,
			      sizeof(l->reserved)) || l->reserved0)
		return -EINVAL;
	if (l->entry_size != entry_size || (l->count && !l->entries))
		return -EINVAL;
	if (!(l->flags & XSCHED_LIST_GPU_ID) && l->gpu_id)
		return -EINVAL;
	return 0;
}

/* Copy a request in and check its rules; the reserved tail is @rsv. */
#define XSCHED_COPY_IN(_k, _u, _flags, _rsv)				\
	(copy_from_user(&(_k), (_u), sizeof(_k)) ? -EFAULT :		\
	 xsched_check_args(&(_k), sizeof(_k), (_flags), (_rsv),	\
			   sizeof(_rsv)))

/* The queue's owner is the user the caller runs as. */
static bool xsched_owner(const struct xsched_queue *q)
{
	return uid_eq(q->uid, current_euid()) || uid_eq(q->uid, current_uid());
}

/* The caller is the process that owns the queue. */
static bool xsched_owner_process(const struct xsched_queue *q)
{
	return q->pid && q->pid == task_tgid(current);
}

/* Caller holds q->dom->mutex. */
static void xsched_queue_fill(struct xsched_queue *q,
			      struct xsched_queue_info *qi)
{
	struct xsched_domain *dom = q->dom;
	bool whole = xsched_may_see(q);

	lockdep_assert_held(&dom->qlock);
	u64 now = ktime_get_ns();

	memset(qi, 0, sizeof(*qi));
	qi->id = q->id;
	qi->gpu_id = dom->gpu_id;
	qi->uid = from_kuid_munged(current_user_ns(), q->uid);
	qi->queue_id = q->queue_id;
	qi->priority = READ_ONCE(q->prio);
	if (!whole)	/* hidepid 1: no pid, no state, no activity */
		return;
	rcu_read_lock();
	qi->pid = pid_vnr(find_pid_ns(q->tgid, &init_pid_ns));
	rcu_read_unlock();
	if (xsched_may_see_va(q))
		qi->ring_va = q->ring_va;
	/*
	 * Written by decisions under dom->mutex, which readers do not take
	 * (they hold dom->qlock): each figure is read once.
	 */
	qi->preempt_count = READ_ONCE(q->preempt_count);
	qi->last_lat_ns = READ_ONCE(q->last_lat_ns);
	qi->max_lat_ns = READ_ONCE(q->max_lat_ns);
	qi->paused_ns = READ_ONCE(q->paused_ns);
	if (READ_ONCE(q->paused))
		qi->paused_ns += now - min(now, READ_ONCE(q->paused_since));
	raw_spin_lock_irq(&dom->lock);	/* reads only: the memo stands */
	qi->state = xsched_queue_state(q);
	if (q->hint)
		qi->flags |= XSCHED_QUEUE_HINTED;
	if (q->waiting && !q->busy)
		qi->flags |= XSCHED_QUEUE_WAITING;
	qi->busy_ns = q->busy_ns + (q->busy ? now - q->busy_since : 0);
	raw_spin_unlock_irq(&dom->lock);
}

/* With hidepid 2, other users' queues do not exist for the caller. */
static bool xsched_listed(const struct xsched_queue *q)
{
	return READ_ONCE(xsched_hidepid) < 2 || xsched_may_see(q);
}

/* Caller holds dom->mutex. */
static void xsched_domain_fill(struct xsched_domain *dom,
			       struct xsched_domain_info *di)
{
	memset(di, 0, sizeof(*di));
	di->gpu_id = dom->gpu_id;
	di->flags = dom->degraded ? XSCHED_DOMAIN_DEGRADED : 0;
	di->nr_queues = dom->nr_queues;
	di->level = dom->level;
	strscpy(di->name, dom->name, sizeof(di->name));
	strscpy(di->policy, dom->policy->name, sizeof(di->policy));
	di->decisions = dom->decisions;
	di->pauses = dom->pauses;
	di->resumes = dom->resumes;
	di->errors = dom->errors;
}

/* Answer a list: @n entries of @esz bytes at @buf, @total in all. */
static long xsched_list_answer(void __user *uarg, struct xsched_list *l,
			       const void *buf, u32 n, u32 total, u32 esz)
{
	if (n && copy_to_user(u64_to_user_ptr(l->entries), buf,
			      (size_t)n * esz))
		return -EFAULT;
	l->count = total;
	if (copy_to_user(uarg, l, sizeof(*l)))
		return -EFAULT;
	return 0;
}

/*
 * Lists are gathered into a kernel buffer under the locks and copied out
 * after them, so a slow or faulting user buffer never holds a lock.
 */
static long xsched_ioc_list_domains(void __user *uarg)
{
	struct xsched_domain_info *buf = NULL;
	struct xsched_binding *b;
	struct xsched_domain *dom;
	struct xsched_list l;
	u32 total = 0, n = 0;
	long ret;

	if (copy_from_user(&l, uarg, sizeof(l)))
		return -EFAULT;
	ret = xsched_check_list(&l, sizeof(*buf), 0);
	if (ret)
		return ret;
	mutex_lock(&xsched_lock);
	list_for_each_entry(b, &xsched_bindings, link)
		list_for_each_entry(dom, &b->domains, link)
			total++;
	if (l.count && total) {
		buf = kvcalloc(min(l.count, total), sizeof(*buf), GFP_KERNEL);
		if (!buf) {
			mutex_unlock(&xsched_lock);
			return -ENOMEM;
		}
	}
	list_for_each_entry(b, &xsched_bindings, link) {
		list_for_each_entry(dom, &b->domains, link) {
			if (n >= min(l.count, total))
				break;
			mutex_lock(&dom->mutex);
			xsched_domain_fill(dom, &buf[n++]);
			mutex_unlock(&dom->mutex);
		}
	}
	mutex_unlock(&xsched_lock);
	ret = xsched_list_answer(uarg, &l, buf, n, total, sizeof(*buf));
	kvfree(buf);
	return ret;
}

/* LIST_QUEUES: does @dom pass the request's domain filter? */
static bool xsched_list_wants(const struct xsched_list *l,
			      const struct xsched_domain *dom)
{
	return !(l->flags & XSCHED_LIST_GPU_ID) || dom->gpu_id == l->gpu_id;
}

/*
 * Queue by queue in id order, each under its domain's mutex for as long
 * as one entry takes, so that no caller of this world-open ioctl holds
 * the lock the decider needs for a whole list.  xsched_lock keeps every
 * domain alive and RCU the queue until its domain is known; queues leave
 * the xarray under dom->mutex, so one found there again under it is
 * whole.
 */
static long xsched_ioc_list_queues(void __user *uarg)
{
	pid_t me = task_tgid_nr(current);
	struct xsched_queue_info *buf = NULL;
	struct xsched_binding *b;
	struct xsched_domain *dom;
	struct xsched_queue *q;
	struct xsched_list l;
	u32 bound = 0, total = 0, n = 0, room;
	unsigned long id = 0;
	bool found = false;
	long ret;

	if (copy_from_user(&l, uarg, sizeof(l)))
		return -EFAULT;
	ret = xsched_check_list(&l, sizeof(*buf),
				XSCHED_LIST_GPU_ID | XSCHED_LIST_MINE);
	if (ret)
		return ret;
	mutex_lock(&xsched_lock);
	/* An upper bound on the answer: queues come and go meanwhile. */
	list_for_each_entry(b, &xsched_bindings, link) {
		list_for_each_entry(dom, &b->domains, link) {
			if (!xsched_list_wants(&l, dom))
				continue;
			found = true;
			bound += READ_ONCE(dom->nr_queues);
		}
	}
	if (l.flags & XSCHED_LIST_GPU_ID && !found) {
		mutex_unlock(&xsched_lock);
		return -ENOENT;
	}
	room = min(l.count, bound);
	if (room) {
		buf = kvcalloc(room, sizeof(*buf), GFP_KERNEL);
		if (!buf) {
			mutex_unlock(&xsched_lock);
			return -ENOMEM;
		}
	}
	for (;;) {
		rcu_read_lock();
		q = xa_find(&xsched_queues, &id, ULONG_MAX, XA_PRESENT);
		dom = q ? READ_ONCE(q->dom) : NULL;
		rcu_read_unlock();
		if (!q)
			break;
		if (dom && xsched_list_wants(&l, dom)) {
			/* Not dom->mutex: never wait for a decision. */
			mutex_lock(&dom->qlock);
			if (xa_load(&xsched_queues, id) == q &&
			    !(l.flags & XSCHED_LIST_MINE && q->tgid != me) &&
			    xsched_listed(q)) {
				total++;
				if (n < room)
					xsched_queue_fill(q, &buf[n++]);
			}
			mutex_unlock(&dom->qlock);
		}
		if (id++ == ULONG_MAX)
			break;
		cond_resched();
	}
	mutex_unlock(&xsched_lock);
	ret = xsched_list_answer(uarg, &l, buf, n, total, sizeof(*buf));
	kvfree(buf);
	return ret;
}

static long xsched_ioc_queue_info(void __user *uarg)
{
	struct xsched_queue_query a;
	struct xsched_domain *dom;
	struct xsched_queue *q;
	long ret;

	/* op_priority and op_source are output fields. */
	if (copy_from_user(&a, uarg, sizeof(a)))
		return -EFAULT;
	ret = xsched_check_args(&a, sizeof(a), 0, &a.reserved,
				sizeof(a.reserved));
	if (ret)
		return ret;
	if (a.reserved0)
		return -EINVAL;
	dom = xsched_queue_lock_read(a.id, &q);
	if (!dom)
		return -ENOENT;
	if (!xsched_listed(q)) {
		mutex_unlock(&dom->qlock);
		return -ENOENT;
	}
	xsched_queue_fill(q, &a.info);
	a.op_priority = READ_ONCE(q->tier);
	a.op_source = READ_ONCE(q->tier_src);
	mutex_unlock(&dom->qlock);
	return copy_to_user(uarg, &a, sizeof(a)) ? -EFAULT : 0;
}

static long xsched_ioc_set_priority(void __user *uarg)
{
	struct xsched_set_priority a;
	struct xsched_domain *dom;
	struct xsched_queue *q;
	long ret = XSCHED_COPY_IN(a, uarg, 0, a.reserved);

	if (ret)
		return ret;
	if (a.priority > XSCHED_PRIO_MAX)
		return -EINVAL;
	dom = xsched_queue_lock(a.id, &q);
	if (!dom)
		return -ENOENT;
	/* Own priorities order only the owner's queues: theirs to set. */
	if (!xsched_owner(q) && !capable(CAP_SYS_NICE))
		ret = -EPERM;
	else
		ret = xsched_queue_set_prio(q, a.priority);
	mutex_unlock(&dom->mutex);
	return ret;
}

static long xsched_ioc_hint(struct file *file, void __user *uarg)
{
	struct xsched_domain *dom;
	struct xsched_queue *q;
	struct xsched_hint a;
	long ret = XSCHED_COPY_IN(a, uarg, 0, a.reserved);

	if (ret)
		return ret;
	if (a.hint != XSCHED_HINT_BEGIN && a.hint != XSCHED_HINT_END)
		return -EINVAL;
	dom = xsched_queue_lock(a.id, &q);
	if (!dom)
		return -ENOENT;
	if (!xsched_owner_process(q) && !capable(CAP_SYS_NICE)) {
		ret = -EPERM;
	} else {
		/* Marks the file for xsched_release(). */
		WRITE_ONCE(file->private_data, file);
		xsched_queue_hint(q, file, a.hint == XSCHED_HINT_BEGIN);
	}
	mutex_unlock(&dom->mutex);
	return ret;
}

/* Objects made through a file die with it: its BEGIN hints end. */
int xsched_release(struct inode *inode, struct file *file)
{
	if (READ_ONCE(file->private_data) == file)
		xsched_hints_release(file);
	return 0;
}

/**
 * xsched_ioctl() - entry point of every /dev/xsched ioctl
 * @file: the open /dev/xsched
 * @cmd: the full command number; a command whose encoded size differs
 *       from this ABI's struct is an unknown command
 * @arg: user pointer to the command's struct
 *
 * Return: 0 or a negative errno; -ENOTTY for an unknown command.
 */
long xsched_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case XSCHED_IOC_GET_FEATURES:
		return xsched_ioc_get_features(uarg);
	case XSCHED_IOC_LIST_DOMAINS:
		return xsched_ioc_list_domains(uarg);
	case XSCHED_IOC_LIST_QUEUES:
		return xsched_ioc_list_queues(uarg);
	case XSCHED_IOC_QUEUE_INFO:
		return xsched_ioc_queue_info(uarg);
	case XSCHED_IOC_SET_PRIORITY:
		return xsched_ioc_set_priority(uarg);
	case XSCHED_IOC_HINT:
		return xsched_ioc_hint(file, uarg);
	case XSCHED_IOC_GET_RULES:
		return xsched_ioc_get_rules(uarg);
	case XSCHED_IOC_SET_RULES:
		return xsched_ioc_set_rules(uarg);
	case XSCHED_IOC_PROC_PRIORITY:
		return xsched_ioc_proc_priority(uarg);
	default:
		return -ENOTTY;
	}
}
