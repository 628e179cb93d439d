// SPDX-License-Identifier: GPL-2.0
/*
 * xsched: sysfs, one value per file (docs/ABI/sysfs-class-misc-xsched).
 *
 *   /sys/class/misc/xsched/domains/<gpu_id>/   knobs and counters
 *   /sys/class/misc/xsched/queues/<id>/        priority, state, statistics
 *
 * Stores take dom->mutex, never xsched_lock (lock order in xsched.h).
 * A domain or queue directory is removed before its object is freed, and
 * removal waits for a show or store in flight.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/kernel.h>
#include <linux/moduleparam.h>
#include <linux/pid_namespace.h>
#include <linux/sysfs.h>

#include "xsched.h"

static struct kobject *xsched_domains_kobj, *xsched_queues_kobj;

/*
 * A queue's directory is 12 kernfs nodes, about 1.6 KiB: most of what an
 * XQueue costs.  Hosts with thousands of queues that manage priorities
 * through the ioctls (xschedctl) can do without them.
 */
static bool queue_sysfs = true;
module_param(queue_sysfs, bool, 0444);
MODULE_PARM_DESC(queue_sysfs,
		 "Give each queue a directory under queues/ (default: Y; N saves about 1.6 KiB per queue, priorities are then set through the ioctls)");

/* ---- domains ---- */

#define to_dom(k) container_of(k, struct xsched_domain, kobj)

/*
 * A u64 of the domain that the decider updates under dom->mutex, read
 * without it: the decider holds the mutex across provider calls (a
 * runlist change, seconds when one is slow), and a reader of statistics
 * neither waits for that nor makes the decider wait.  Each is one
 * aligned word, written by one writer at a time; a reader sees the value
 * before or after an update.
 */
#define XSCHED_DOM_U64(_name, _expr)					\
static ssize_t dom_##_name##_show(struct kobject *kobj,			\
			    struct kobj_attribute *attr, char *buf)	\
{									\
	struct xsched_domain *dom = to_dom(kobj);			\
	/* no dom->mutex: a statistic, see above */			\
	u64 v = data_race(_expr);					\
									\
	return sysfs_emit(buf, "%llu\n", (unsigned long long)v);	\
}									\
static struct kobj_attribute dom_attr_##_name =			\
	__ATTR(_name, 0444, dom_##_name##_show, NULL)

/*
 * The same, for what the poll timer updates under dom->lock.  A reader
 * changes nothing: it leaves the poll's memo valid (plain lock).
 */
#define XSCHED_DOM_U64_LOCKED(_name, _expr)					\
static ssize_t dom_##_name##_show(struct kobject *kobj,			\
			    struct kobj_attribute *attr, char *buf)	\
{									\
	struct xsched_domain *dom = to_dom(kobj);			\
	u64 v;								\
									\
	raw_spin_lock_irq(&dom->lock);					\
	v = (_expr);							\
	raw_spin_unlock_irq(&dom->lock);					\
	return sysfs_emit(buf, "%llu\n", (unsigned long long)v);	\
}									\
static struct kobj_attribute dom_attr_##_name =			\
	__ATTR(_name, 0444, dom_##_name##_show, NULL)

XSCHED_DOM_U64(gpu_id, dom->gpu_id);
XSCHED_DOM_U64(nr_queues, dom->nr_queues);
XSCHED_DOM_U64(level, dom->level);
XSCHED_DOM_U64(decisions, dom->decisions);
XSCHED_DOM_U64(poll_decisions, dom->poll_decisions);
XSCHED_DOM_U64(pauses, dom->pauses);
XSCHED_DOM_U64(resumes, dom->resumes);
XSCHED_DOM_U64(errors, dom->errors);
XSCHED_DOM_U64(degraded, dom->degraded);
XSCHED_DOM_U64(slow_ops, dom->slow_ops);
XSCHED_DOM_U64(rate_limited, dom->rate_limited);
XSCHED_DOM_U64(oscillations, dom->oscillations);
XSCHED_DOM_U64(resume_delay_eff_us,
	       div_u64(xsched_resume_delay_ns(dom), NSEC_PER_USEC));
/* The mean of the pause latencies, from one reading of each term. */
static u64 xsched_lat_mean(const struct xsched_domain *dom)
{
	/* no dom->mutex: statistics, as XSCHED_DOM_U64 */
	u64 sum = data_race(dom->lat_sum_ns);
	/* no dom->mutex: as above; only ever grows */
	u64 count = data_race(dom->lat_count);

	return count ? div64_u64(sum, count) : 0;
}

XSCHED_DOM_U64(pause_lat_mean_ns, xsched_lat_mean(dom));
XSCHED_DOM_U64(pause_lat_max_ns, dom->lat_max_ns);
XSCHED_DOM_U64(pause_lat_sum_ns, dom->lat_sum_ns);

/* The bounds of pause_lat_hist's buckets, in ns, one line. */
static ssize_t pause_lat_buckets_ns_show(struct kobject *kobj,
					 struct kobj_attribute *attr, char *buf)
{
	int i, n = 0;

	for (i = 0; i < XSCHED_LAT_BUCKETS - 1; i++)
		n += sysfs_emit_at(buf, n, "%s%llu", i ? " " : "",
				   (unsigned long long)xsched_lat_bounds_ns[i]);
	return n + sysfs_emit_at(buf, n, "\n");
}
static struct kobj_attribute dom_attr_pause_lat_buckets_ns =
	__ATTR_RO(pause_lat_buckets_ns);

/*
 * The pause latencies counted per bucket, one line.  Each count is read
 * on its own, as XSCHED_DOM_U64: while a pause is being recorded, the
 * line may lag pause_lat_sum_ns by that pause.
 */
static ssize_t pause_lat_hist_show(struct kobject *kobj,
				   struct kobj_attribute *attr, char *buf)
{
	struct xsched_domain *dom = to_dom(kobj);
	int i, n = 0;

	for (i = 0; i < XSCHED_LAT_BUCKETS; i++)
		n += sysfs_emit_at(buf, n, "%s%llu", i ? " " : "",
				   /* no dom->mutex: a statistic */
				   (unsigned long long)data_race(dom->lat_hist[i]));
	return n + sysfs_emit_at(buf, n, "\n");
}
static struct kobj_attribute dom_attr_pause_lat_hist =
	__ATTR_RO(pause_lat_hist);
XSCHED_DOM_U64(decide_ns, dom->decide_ns);
/* The poll writes these under xsched_tick_lock, not dom->lock. */
XSCHED_DOM_U64(polls, dom->polls);
XSCHED_DOM_U64(poll_ns, dom->poll_ns);
XSCHED_DOM_U64(polled, dom->polled);
XSCHED_DOM_U64_LOCKED(full_polls, dom->full_polls);
XSCHED_DOM_U64(memo_polls, dom->memo_polls);
XSCHED_DOM_U64_LOCKED(policy_ns, dom->policy_ns);
XSCHED_DOM_U64(preemptive, dom->preemptive);

/* Why the node cannot be preempted; empty when it can. */
static ssize_t not_preemptive_show(struct kobject *kobj,
				   struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%s\n", to_dom(kobj)->why);
}
static struct kobj_attribute dom_attr_not_preemptive =
	__ATTR_RO(not_preemptive);

static ssize_t name_show(struct kobject *kobj, struct kobj_attribute *attr,
			 char *buf)
{
	return sysfs_emit(buf, "%s\n", to_dom(kobj)->name);
}
static struct kobj_attribute dom_attr_name = __ATTR_RO(name);

static ssize_t policy_show(struct kobject *kobj, struct kobj_attribute *attr,
			   char *buf)
{
	/* Policies are static: the pointer alone changes, under the mutex. */
	const struct xsched_policy *p =
		/* no dom->mutex: one pointer, read once */
		data_race(READ_ONCE(to_dom(kobj)->policy));

	return sysfs_emit(buf, "%s\n", p->name);
}

static ssize_t policy_store(struct kobject *kobj, struct kobj_attribute *attr,
			    const char *buf, size_t count)
{
	int ret = xsched_domain_set_policy(to_dom(kobj), buf);

	return ret ? ret : count;
}
static struct kobj_attribute dom_attr_policy = __ATTR_RW(policy);

/*
 * A writable u32 knob with its range.  Anything but a decimal number in
 * range (one trailing newline allowed) is -EINVAL and changes nothing.
 * The policy re-decides at once with the new value.
 */
#define XSCHED_DOM_KNOB(_name, _min, _max)				\
static ssize_t _name##_show(struct kobject *kobj,			\
			    struct kobj_attribute *attr, char *buf)	\
{									\
	return sysfs_emit(buf, "%u\n", READ_ONCE(to_dom(kobj)->_name));	\
}									\
static ssize_t _name##_store(struct kobject *kobj,			\
			     struct kobj_attribute *attr,		\
			     const char *buf, size_t count)		\
{									\
	int ret = xsched_knob_store(to_dom(kobj), &to_dom(kobj)->_name,	\
				    buf, _min, _max);			\
									\
	return ret ? ret : count;					\
}									\
static struct kobj_attribute dom_attr_##_name = __ATTR_RW(_name)

static int xsched_knob_store(struct xsched_domain *dom, u32 *knob,
			     const char *buf, u32 min, u32 max)
{
	u32 v;
	int ret = kstrtou32(buf, 10, &v);

	if (ret)
		return -EINVAL;		/* also for a number out of u32 */
	if (v < min || v > max)
		return -EINVAL;
	mutex_lock(&dom->mutex);
	if (dom->dead) {
		mutex_unlock(&dom->mutex);
		return -ENODEV;
	}
	xsched_dom_lock_irq(dom);
	WRITE_ONCE(*knob, v);	/* the poll timer reads poll_us */
	raw_spin_unlock_irq(&dom->lock);
	xsched_decide(dom, ktime_get_ns());
	mutex_unlock(&dom->mutex);
	return 0;
}

XSCHED_DOM_KNOB(poll_us, 10, 100000);
XSCHED_DOM_KNOB(resume_delay_us, 0, 1000000);
XSCHED_DOM_KNOB(starvation_ms, 0, 60000);
XSCHED_DOM_KNOB(starvation_slice_ms, 1, 10000);
XSCHED_DOM_KNOB(hint_ms, 1, 60000);
XSCHED_DOM_KNOB(max_changes_per_s, 0, 100000);
XSCHED_DOM_KNOB(slow_op_ms, 1, 60000);

static struct attribute *xsched_domain_attrs[] = {
	&dom_attr_name.attr,
	&dom_attr_gpu_id.attr,
	&dom_attr_policy.attr,
	&dom_attr_poll_us.attr,
	&dom_attr_resume_delay_us.attr,
	&dom_attr_starvation_ms.attr,
	&dom_attr_starvation_slice_ms.attr,
	&dom_attr_hint_ms.attr,
	&dom_attr_max_changes_per_s.attr,
	&dom_attr_rate_limited.attr,
	&dom_attr_oscillations.attr,
	&dom_attr_resume_delay_eff_us.attr,
	&dom_attr_slow_op_ms.attr,
	&dom_attr_nr_queues.attr,
	&dom_attr_level.attr,
	&dom_attr_decisions.attr,
	&dom_attr_poll_decisions.attr,
	&dom_attr_pauses.attr,
	&dom_attr_resumes.attr,
	&dom_attr_errors.attr,
	&dom_attr_degraded.attr,
	&dom_attr_slow_ops.attr,
	&dom_attr_pause_lat_mean_ns.attr,
	&dom_attr_pause_lat_max_ns.attr,
	&dom_attr_pause_lat_sum_ns.attr,
	&dom_attr_pause_lat_buckets_ns.attr,
	&dom_attr_pause_lat_hist.attr,
	&dom_attr_decide_ns.attr,
	&dom_attr_polls.attr,
	&dom_attr_poll_ns.attr,
	&dom_attr_polled.attr,
	&dom_attr_full_polls.attr,
	&dom_attr_memo_polls.attr,
	&dom_attr_policy_ns.attr,
	&dom_attr_preemptive.attr,
	&dom_attr_not_preemptive.attr,
	NULL,
};
ATTRIBUTE_GROUPS(xsched_domain);

const struct kobj_type xsched_domain_ktype = {
	.release = xsched_domain_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = xsched_domain_groups,
};

/* ---- queues ---- */

#define to_q(k) container_of(k, struct xsched_queue, kobj)

/*
 * A u64 of the queue, read under its domain's mutex.  @_open: shown to
 * every reader; else, with hidepid set, only to those xsched_may_see().
 */
#define XSCHED_Q_U64_(_name, _expr, _open)				\
static ssize_t q_##_name##_show(struct kobject *kobj,			\
			    struct kobj_attribute *attr, char *buf)	\
{									\
	struct xsched_queue *q = to_q(kobj);				\
	u64 v;								\
									\
	if (!(_open) && !xsched_may_see(q))				\
		return -EACCES;						\
	mutex_lock(&q->dom->mutex);					\
	v = (_expr);							\
	mutex_unlock(&q->dom->mutex);					\
	return sysfs_emit(buf, "%llu\n", (unsigned long long)v);	\
}									\
static struct kobj_attribute q_attr_##_name =				\
	__ATTR(_name, 0444, q_##_name##_show, NULL)
#define XSCHED_Q_U64(_name, _expr) XSCHED_Q_U64_(_name, _expr, false)

static u64 xsched_busy_ns(struct xsched_queue *q)
{
	u64 v;

	raw_spin_lock_irq(&q->dom->lock);	/* reads only */
	v = q->busy_ns + (q->busy ? ktime_get_ns() - q->busy_since : 0);
	raw_spin_unlock_irq(&q->dom->lock);
	return v;
}

XSCHED_Q_U64_(gpu_id, q->dom->gpu_id, true);
XSCHED_Q_U64_(queue_id, q->queue_id, true);
XSCHED_Q_U64_(op_priority, q->tier, true);
XSCHED_Q_U64(busy_ns, xsched_busy_ns(q));
XSCHED_Q_U64(paused_ns, q->paused_ns +
	     (q->paused ? ktime_get_ns() - q->paused_since : 0));
XSCHED_Q_U64(preempt_count, q->preempt_count);
XSCHED_Q_U64(last_lat_ns, q->last_lat_ns);
XSCHED_Q_U64(max_lat_ns, q->max_lat_ns);

/* The owner as this reader's pid namespace sees it (0: not visible). */
static ssize_t pid_show(struct kobject *kobj, struct kobj_attribute *attr,
			char *buf)
{
	struct xsched_queue *q = to_q(kobj);
	pid_t nr;

	if (!xsched_may_see(q))
		return -EACCES;
	rcu_read_lock();
	nr = pid_vnr(find_pid_ns(q->tgid, &init_pid_ns));
	rcu_read_unlock();
	return sysfs_emit(buf, "%d\n", nr);
}
static struct kobj_attribute q_attr_pid = __ATTR_RO(pid);

static ssize_t uid_show(struct kobject *kobj, struct kobj_attribute *attr,
			char *buf)
{
	return sysfs_emit(buf, "%u\n",
			  from_kuid_munged(current_user_ns(), to_q(kobj)->uid));
}
static struct kobj_attribute q_attr_uid = __ATTR_RO(uid);

static const char *const xsched_state_names[] = {
	[XSCHED_QUEUE_IDLE] = "idle",
	[XSCHED_QUEUE_BUSY] = "busy",
	[XSCHED_QUEUE_PAUSED] = "paused",
};

static ssize_t state_show(struct kobject *kobj, struct kobj_attribute *attr,
			  char *buf)
{
	struct xsched_queue *q = to_q(kobj);
	enum xsched_queue_state st;
	bool waiting;

	if (!xsched_may_see(q))
		return -EACCES;
	mutex_lock(&q->dom->mutex);
	raw_spin_lock_irq(&q->dom->lock);	/* reads only */
	st = xsched_queue_state(q);
	waiting = q->waiting && !q->busy;
	raw_spin_unlock_irq(&q->dom->lock);
	mutex_unlock(&q->dom->mutex);
	if (st == XSCHED_QUEUE_IDLE && waiting)
		return sysfs_emit(buf, "waiting\n");
	return sysfs_emit(buf, "%s\n", xsched_state_names[st]);
}
static struct kobj_attribute q_attr_state = __ATTR_RO(state);

static ssize_t priority_show(struct kobject *kobj,
			     struct kobj_attribute *attr, char *buf)
{
	struct xsched_queue *q = to_q(kobj);
	unsigned int prio;

	mutex_lock(&q->dom->mutex);
	prio = q->prio;
	mutex_unlock(&q->dom->mutex);
	return sysfs_emit(buf, "%u\n", prio);
}

/* Root only (mode 0644), so no nice-like check beyond the file's mode. */
static ssize_t priority_store(struct kobject *kobj,
			      struct kobj_attribute *attr, const char *buf,
			      size_t count)
{
	struct xsched_queue *q = to_q(kobj);
	unsigned int prio;
	int ret;

	if (kstrtouint(buf, 10, &prio) || prio > XSCHED_PRIO_MAX)
		return -EINVAL;
	mutex_lock(&q->dom->mutex);
	ret = xsched_queue_set_prio(q, prio);
	mutex_unlock(&q->dom->mutex);
	return ret ? ret : count;
}
static struct kobj_attribute q_attr_priority = __ATTR_RW(priority);

static const char *const xsched_source_names[] = {
	[XSCHED_SRC_DEFAULT] = "default",
	[XSCHED_SRC_USER] = "user",
	[XSCHED_SRC_CGROUP] = "cgroup",
	[XSCHED_SRC_PROCESS] = "process",
	[XSCHED_SRC_INHERITED] = "inherited",
};

/* Where the operator priority comes from. */
static ssize_t op_source_show(struct kobject *kobj,
			      struct kobj_attribute *attr, char *buf)
{
	unsigned int src = READ_ONCE(to_q(kobj)->tier_src);	/* one byte */

	if (src >= ARRAY_SIZE(xsched_source_names))
		return -EIO;
	return sysfs_emit(buf, "%s\n", xsched_source_names[src]);
}
static struct kobj_attribute q_attr_op_source = __ATTR_RO(op_source);

static struct attribute *xsched_queue_attrs[] = {
	&q_attr_priority.attr,
	&q_attr_op_priority.attr,
	&q_attr_op_source.attr,
	&q_attr_pid.attr,
	&q_attr_uid.attr,
	&q_attr_gpu_id.attr,
	&q_attr_queue_id.attr,
	&q_attr_state.attr,
	&q_attr_busy_ns.attr,
	&q_attr_paused_ns.attr,
	&q_attr_preempt_count.attr,
	&q_attr_last_lat_ns.attr,
	&q_attr_max_lat_ns.attr,
	NULL,
};
ATTRIBUTE_GROUPS(xsched_queue);

const struct kobj_type xsched_queue_ktype = {
	.release = xsched_queue_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = xsched_queue_groups,
};

/* ---- registration ---- */

/* A domain without a directory is still scheduled; it just is not shown. */
void xsched_sysfs_domain_add(struct xsched_domain *dom)
{
	int ret = -ENODEV;

	if (xsched_domains_kobj)
		ret = kobject_add(&dom->kobj, xsched_domains_kobj, "%u",
				  dom->gpu_id);
	if (ret)
		pr_warn("%s: no sysfs directory (%d)\n", dom->name, ret);
	dom->in_sysfs = !ret;
}

void xsched_sysfs_queue_add(struct xsched_queue *q)
{
	int ret = -ENODEV;

	if (!queue_sysfs) {
		q->in_sysfs = false;
		return;
	}
	if (xsched_queues_kobj)
		ret = kobject_add(&q->kobj, xsched_queues_kobj, "%u", q->id);
	if (ret)
		pr_warn_ratelimited("queue %u: no sysfs directory (%d)\n",
				    q->id, ret);
	q->in_sysfs = !ret;
}

int xsched_sysfs_init(struct kobject *parent)
{
	xsched_domains_kobj = kobject_create_and_add("domains", parent);
	xsched_queues_kobj = kobject_create_and_add("queues", parent);
	if (xsched_domains_kobj && xsched_queues_kobj)
		return 0;
	xsched_sysfs_exit();
	return -ENOMEM;
}

void xsched_sysfs_exit(void)
{
	kobject_put(xsched_queues_kobj);
	kobject_put(xsched_domains_kobj);
	xsched_queues_kobj = NULL;
	xsched_domains_kobj = NULL;
}
