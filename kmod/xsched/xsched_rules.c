// SPDX-License-Identifier: GPL-2.0
/*
 * xsched: operator priorities (docs/scheduler.md, "Who may preempt whom").
 *
 * Every queue gets an operator priority when xsched learns of it, from,
 * in this order:
 *   - a process rule on its owner or the nearest ancestor that has one
 *     (xschedctl run / renice; inherited through fork and exec);
 *   - the cgroup rule matching the owner's cgroup v2, or the deepest of
 *     its ancestors that a rule matches (the first such rule in order);
 *   - the user rule of its owner;
 *   - the default rule, or XSCHED_PRIO_DEFAULT.
 * Rules change only with CAP_SYS_NICE (or, for a process rule, by the
 * owner lowering its own process); every change ranks every queue again,
 * and a periodic pass catches processes moved between cgroups.
 *
 * Visibility of other users' queues (hidepid) is decided here too.
 *
 * xsched_rules_lock is a leaf: taken under xsched_lock and dom->mutex,
 * with only RCU and the kernfs rename lock (kernfs_path()) under it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/cgroup.h>
#include <linux/cred.h>
#include <linux/hashtable.h>
#include <linux/kernfs.h>
#include <linux/moduleparam.h>
#include <linux/pid.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>

#include "xsched.h"
#include "xsched_compat.h"

/* Where no rule applies: the middle, HIP's "normal" stream priority. */
#define XSCHED_PRIO_DEFAULT		7
/* Ancestors searched for a process rule. */
#define XSCHED_ANCESTORS_MAX		64
/* How often queues are ranked again (cgroup moves, parents gone). */
#define XSCHED_RERANK_MS		250

struct xsched_krule {
	u8 kind;
	u8 prio;
	kuid_t uid;
	char *cgroup;			/* CGROUP: the pattern */
};

struct xsched_proc_rule {
	struct hlist_node node;		/* xsched_proc_hash */
	struct pid *pid;
	kuid_t owner;			/* the process's euid when set */
	u8 prio;
};

/* Process rules one user may hold without CAP_SYS_NICE. */
#define XSCHED_PROC_RULES_USER_MAX	64

DEFINE_MUTEX(xsched_rules_lock);
/* Everything below is under xsched_rules_lock. */
static struct xsched_krule *xsched_krules;
static unsigned int xsched_nkrules, xsched_ncgroup_rules;
static unsigned int xsched_default_prio = XSCHED_PRIO_DEFAULT;
static u64 xsched_rules_gen = 1;
/* Bumped by every change of any rule, process rules included. */
static atomic64_t xsched_rules_epoch = ATOMIC64_INIT(1);
/* Process rules by their struct pid: O(1) for each ancestor looked at. */
static DEFINE_HASHTABLE(xsched_proc_hash, 7);
static unsigned int xsched_nproc_rules;
static char xsched_path_buf[PATH_MAX];	/* one cgroup path at a time */

static void xsched_rerank_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(xsched_rerank_work, xsched_rerank_fn);
static bool xsched_rules_stopping;

/*
 * hidepid, like /proc's: 0 every user sees every queue; 1 other users'
 * queues are listed without pid and activity; 2 they are not listed at
 * all.  Their owner and callers with CAP_SYS_NICE or CAP_SYS_PTRACE
 * always see them whole.
 */
unsigned int xsched_hidepid;

static int xsched_hidepid_set(const char *val, const struct kernel_param *kp)
{
	unsigned int v;
	int ret = kstrtouint(val, 0, &v);

	if (ret)
		return ret;
	if (v > 2)
		return -EINVAL;
	WRITE_ONCE(xsched_hidepid, v);
	return 0;
}

static const struct kernel_param_ops xsched_hidepid_ops = {
	.set = xsched_hidepid_set,
	.get = param_get_uint,
};
module_param_cb(hidepid, &xsched_hidepid_ops, &xsched_hidepid, 0644);
MODULE_PARM_DESC(hidepid, "other users' queues: 0 visible, 1 without pid and activity, 2 hidden");

static bool xsched_privileged(void)
{
	return ns_capable_noaudit(&init_user_ns, CAP_SYS_NICE) ||
	       ns_capable_noaudit(&init_user_ns, CAP_SYS_PTRACE);
}

/* May the caller see @q's pid and activity? */
bool xsched_may_see(const struct xsched_queue *q)
{
	return !READ_ONCE(xsched_hidepid) ||
	       uid_eq(q->uid, current_euid()) ||
	       uid_eq(q->uid, current_uid()) || xsched_privileged();
}

/*
 * May the caller see @q's ring address?  As ptrace_may_access() in
 * read mode decides for /proc/<pid>/maps, without the LSM hook: the
 * caller is the owner, or its fsuid and fsgid are the owner's every uid
 * and gid and the owner is dumpable, or the caller is privileged.
 */
bool xsched_may_see_va(const struct xsched_queue *q)
{
	const struct cred *me = current_cred(), *tc;
	struct task_struct *task;
	bool ok = false;

	if (q->pid && q->pid == task_tgid(current))
		return true;	/* the owner itself, as for /proc/self */
	if (xsched_privileged())
		return true;
	if (!q->pid || !q->mem.mm || !xsched_mm_dumpable(q->mem.mm))
		return false;
	rcu_read_lock();
	task = pid_task(q->pid, PIDTYPE_TGID);
	if (task) {
		tc = __task_cred(task);
		ok = uid_eq(me->fsuid, tc->euid) &&
		     uid_eq(me->fsuid, tc->suid) &&
		     uid_eq(me->fsuid, tc->uid) &&
		     gid_eq(me->fsgid, tc->egid) &&
		     gid_eq(me->fsgid, tc->sgid) &&
		     gid_eq(me->fsgid, tc->gid);
	}
	rcu_read_unlock();
	return ok;
}

/**
 * xsched_glob_match() - match a cgroup path component-wise
 * @pat: pattern: '*' any run of characters but '/', '?' any one but '/'
 * @str: the path
 *
 * Bounded: each character of @str is tried against at most every
 * character of @pat.
 *
 * Return: true if @pat matches all of @str.
 */
bool xsched_glob_match(const char *pat, const char *str)
{
	const char *star = NULL, *retry = NULL;

	while (*str) {
		if (*pat == '*') {
			star = pat++;
			retry = str;
		} else if (*pat == *str || (*pat == '?' && *str != '/')) {
			pat++;
			str++;
		} else if (star && *retry != '/') {
			pat = star + 1;
			str = ++retry;
		} else {
			return false;
		}
	}
	while (*pat == '*')
		pat++;
	return !*pat;
}

/* The process rule on @p, or NULL.  Under xsched_rules_lock. */
static struct xsched_proc_rule *xsched_proc_rule_find(struct pid *p)
{
	struct xsched_proc_rule *r;

	hash_for_each_possible(xsched_proc_hash, r, node, (unsigned long)p)
		if (r->pid == p)
			return r;
	return NULL;
}

static void xsched_proc_rule_free(struct xsched_proc_rule *r)
{
	hash_del(&r->node);
	put_pid(r->pid);
	kfree(r);
	xsched_nproc_rules--;
	xsched_obj_add(XSCHED_OBJ_PROC_RULE, -1);
}

/*
 * The process rule of @task or its nearest ancestor; under
 * xsched_rules_lock and RCU.  Returns it or NULL, *depth 0 for the
 * process itself.
 */
static struct xsched_proc_rule *xsched_proc_rule_of(struct task_struct *task,
						    unsigned int *depth)
{
	struct xsched_proc_rule *r;
	struct task_struct *parent;
	unsigned int d;

	for (d = 0; d < XSCHED_ANCESTORS_MAX && task; d++) {
		r = xsched_proc_rule_find(task_tgid(task));
		if (r) {
			*depth = d;
			return r;
		}
		parent = rcu_dereference(task->real_parent);
		if (!parent || parent == task || !task_pid_nr(parent))
			break;
		task = parent;
	}
	return NULL;
}

/* The cgroup rule for @task's cgroup; under xsched_rules_lock and RCU. */
static int xsched_cgroup_rule_of(struct task_struct *task)
{
#ifdef CONFIG_CGROUPS
	struct cgroup *cgrp = task_dfl_cgroup(task);
	char *end;
	unsigned int i;
	int len;

	if (!cgrp || !cgrp->kn)
		return -1;
	len = kernfs_path(cgrp->kn, xsched_path_buf, sizeof(xsched_path_buf));
	if (len <= 0 || len >= sizeof(xsched_path_buf))
		return -1;
	/* The cgroup, then each ancestor: the deepest match wins. */
	for (;;) {
		for (i = 0; i < xsched_nkrules; i++)
			if (xsched_krules[i].kind == XSCHED_RULE_CGROUP &&
			    xsched_glob_match(xsched_krules[i].cgroup,
					      xsched_path_buf))
				return i;
		end = strrchr(xsched_path_buf, '/');
		if (!end || (end == xsched_path_buf && !end[1]))
			return -1;
		end[end == xsched_path_buf] = '\0';	/* "/a" -> "/" */
	}
#else
	return -1;
#endif
}

/* The id of @pid's cgroup v2 now (0: none, or no cgroups). */
static u64 xsched_cgroup_id_of(struct pid *pid)
{
	u64 id = 0;
#ifdef CONFIG_CGROUPS
	struct task_struct *task;

	rcu_read_lock();
	task = pid ? pid_task(pid, PIDTYPE_TGID) : NULL;
	if (task)
		id = cgroup_id(task_dfl_cgroup(task));
	rcu_read_unlock();
#endif
	return id;
}

/**
 * xsched_rules_lookup() - the operator priority a queue gets now
 * @pid: its owner (tgid), or NULL if unknown
 * @uid: its owner's uid
 * @src: set to where it comes from (XSCHED_SRC_*)
 *
 * Return: the operator priority.
 */
unsigned int xsched_rules_lookup(struct pid *pid, kuid_t uid,
				 unsigned int *src)
{
	struct xsched_proc_rule *pr = NULL;
	struct task_struct *task;
	unsigned int prio = 0, depth, i;
	int r = -1;

	mutex_lock(&xsched_rules_lock);
	*src = XSCHED_SRC_DEFAULT;
	if (pid && (xsched_nproc_rules || xsched_ncgroup_rules)) {
		rcu_read_lock();
		task = pid_task(pid, PIDTYPE_TGID);
		if (task && xsched_nproc_rules)
			pr = xsched_proc_rule_of(task, &depth);
		if (pr) {
			r = 0;
			prio = pr->prio;
			*src = depth ? XSCHED_SRC_INHERITED :
				       XSCHED_SRC_PROCESS;
		} else if (task && xsched_ncgroup_rules) {
			r = xsched_cgroup_rule_of(task);
			if (r >= 0) {
				prio = xsched_krules[r].prio;
				*src = XSCHED_SRC_CGROUP;
			}
		}
		rcu_read_unlock();
	}
	for (i = 0; r < 0 && i < xsched_nkrules; i++)
		if (xsched_krules[i].kind == XSCHED_RULE_USER &&
		    uid_eq(xsched_krules[i].uid, uid)) {
			r = i;
			prio = xsched_krules[i].prio;
			*src = XSCHED_SRC_USER;
		}
	if (r < 0)
		prio = xsched_default_prio;
	mutex_unlock(&xsched_rules_lock);
	return prio;
}

/*
 * Rank @q again, unless nothing it depends on changed since it was last
 * ranked: no rule (of any kind) and not its cgroup.  The periodic pass
 * costs one cgroup id read per queue.  Caller holds q->dom->mutex.
 */
static bool xsched_rerank_queue(struct xsched_queue *q)
{
	u64 epoch = atomic64_read(&xsched_rules_epoch);
	u64 cg = xsched_cgroup_id_of(q->pid);
	unsigned int tier, src;
	int ret;

	if (q->rules_epoch == epoch && q->cgroup_id == cg)
		return false;
	tier = xsched_rules_lookup(q->pid, q->uid, &src);
	q->rules_epoch = epoch;
	q->cgroup_id = cg;
	ret = xsched_queue_set_tier(q, tier, src);
	if (ret < 0) {
		q->rules_epoch = 0;	/* try again next time */
		pr_warn_ratelimited("%s: queue %u keeps operator priority %u: no memory\n",
				    q->dom->name, q->id, q->tier);
	}
	return ret > 0;
}

/**
 * xsched_rerank_all() - give every queue the operator priority it now has
 *
 * Called after every rule change and periodically (cgroup moves); each
 * domain whose queues moved decides again.  Takes xsched_lock and each
 * dom->mutex.
 */
void xsched_rerank_all(void)
{
	struct xsched_binding *b;
	struct xsched_domain *dom;
	struct xsched_queue *q;
	bool moved;

	mutex_lock(&xsched_lock);
	list_for_each_entry(b, &xsched_bindings, link) {
		list_for_each_entry(dom, &b->domains, link) {
			mutex_lock(&dom->mutex);
			moved = false;
			list_for_each_entry(q, &dom->queues, dom_link)
				moved |= xsched_rerank_queue(q);
			if (moved)
				xsched_decide(dom, ktime_get_ns());
			mutex_unlock(&dom->mutex);
		}
	}
	mutex_unlock(&xsched_lock);
}

/* A queue being made: its operator priority, and what it depends on. */
void xsched_rank_new(struct xsched_queue *q)
{
	unsigned int src;

	q->rules_epoch = atomic64_read(&xsched_rules_epoch);
	q->cgroup_id = xsched_cgroup_id_of(q->pid);
	q->tier = xsched_rules_lookup(q->pid, q->uid, &src);
	q->tier_src = src;
}

/* Forget process rules whose process is gone; under xsched_rules_lock. */
static void xsched_proc_rules_prune(void)
{
	struct xsched_proc_rule *r;
	struct hlist_node *tmp;
	unsigned int b;

	hash_for_each_safe(xsched_proc_hash, b, tmp, r, node)
		if (!pid_has_task(r->pid, PIDTYPE_TGID))
			xsched_proc_rule_free(r);
}

/* Whether anything can change a queue's rank without a rule change. */
static bool xsched_rerank_needed(void)
{
	return xsched_nproc_rules || xsched_ncgroup_rules;
}

static void xsched_rerank_kick(void)
{
	if (!xsched_rules_stopping && xsched_rerank_needed())
		mod_delayed_work(system_wq, &xsched_rerank_work,
				 msecs_to_jiffies(XSCHED_RERANK_MS));
}

static void xsched_rerank_fn(struct work_struct *work)
{
	mutex_lock(&xsched_rules_lock);
	xsched_proc_rules_prune();
	mutex_unlock(&xsched_rules_lock);
	xsched_rerank_all();
	mutex_lock(&xsched_rules_lock);
	xsched_rerank_kick();
	mutex_unlock(&xsched_rules_lock);
}

static void xsched_krules_free(struct xsched_krule *r, unsigned int n)
{
	unsigned int i;

	if (!r)
		return;
	for (i = 0; i < n; i++)
		kfree(r[i].cgroup);
	kfree(r);
	xsched_obj_add(XSCHED_OBJ_RULE_SET, -1);
}

/* Check one rule from userspace and make its kernel form. */
static int xsched_rule_import(const struct xsched_rule *u,
			      struct xsched_krule *k)
{
	size_t len = strnlen(u->cgroup, sizeof(u->cgroup));

	if (u->priority > XSCHED_PRIO_MAX || u->reserved0 ||
	    len == sizeof(u->cgroup) ||
	    memchr_inv(u->cgroup + len, 0, sizeof(u->cgroup) - len))
		return -EINVAL;
	k->kind = u->kind;
	k->prio = u->priority;
	switch (u->kind) {
	case XSCHED_RULE_USER:
		k->uid = make_kuid(current_user_ns(), u->uid);
		if (!uid_valid(k->uid) || len)
			return -EINVAL;
		return 0;
	case XSCHED_RULE_CGROUP:
		if (u->uid || u->cgroup[0] != '/')
			return -EINVAL;
		k->cgroup = kstrdup(u->cgroup, GFP_KERNEL);
		return k->cgroup ? 0 : -ENOMEM;
	case XSCHED_RULE_DEFAULT:
		return u->uid || len ? -EINVAL : 0;
	default:
		return -EINVAL;
	}
}

/* No rule given twice (same user, same cgroup pattern, two defaults). */
static bool xsched_rule_same(const struct xsched_krule *a,
			     const struct xsched_krule *b)
{
	if (a->kind != b->kind)
		return false;
	if (a->kind == XSCHED_RULE_USER)
		return uid_eq(a->uid, b->uid);
	if (a->kind == XSCHED_RULE_CGROUP)
		return !strcmp(a->cgroup, b->cgroup);
	return true;
}

static int xsched_rules_check(const struct xsched_rules *r)
{
	if (r->size != sizeof(*r) || r->entry_size != sizeof(struct xsched_rule) ||
	    r->reserved[0] || r->reserved[1])
		return -EINVAL;
	return 0;
}

long xsched_ioc_get_rules(void __user *uarg)
{
	struct xsched_rule *buf = NULL;
	struct xsched_rules r;
	unsigned int i, n;
	long ret;

	if (copy_from_user(&r, uarg, sizeof(r)))
		return -EFAULT;
	ret = xsched_rules_check(&r);
	if (ret || r.flags || (r.count && !r.entries))
		return -EINVAL;
	n = min_t(u32, r.count, XSCHED_RULES_MAX);
	if (n) {
		buf = kvcalloc(n, sizeof(*buf), GFP_KERNEL);
		if (!buf)
			return -ENOMEM;
	}
	mutex_lock(&xsched_rules_lock);
	n = min(n, xsched_nkrules);
	for (i = 0; i < n; i++) {
		const struct xsched_krule *k = &xsched_krules[i];

		buf[i].kind = k->kind;
		buf[i].priority = k->prio;
		if (k->kind == XSCHED_RULE_USER)
			buf[i].uid = from_kuid_munged(current_user_ns(),
						      k->uid);
		if (k->kind == XSCHED_RULE_CGROUP)
			strscpy(buf[i].cgroup, k->cgroup,
				sizeof(buf[i].cgroup));
	}
	r.count = xsched_nkrules;
	r.generation = xsched_rules_gen;
	mutex_unlock(&xsched_rules_lock);
	ret = 0;
	if (n && copy_to_user(u64_to_user_ptr(r.entries), buf,
			      n * sizeof(*buf)))
		ret = -EFAULT;
	else if (copy_to_user(uarg, &r, sizeof(r)))
		ret = -EFAULT;
	kvfree(buf);
	return ret;
}

long xsched_ioc_set_rules(void __user *uarg)
{
	struct xsched_krule *k = NULL, *old;
	struct xsched_rule *buf = NULL;
	unsigned int i, j, n, ncg = 0, nold, dflt = XSCHED_PRIO_DEFAULT;
	struct xsched_rules r;
	long ret;

	if (copy_from_user(&r, uarg, sizeof(r)))
		return -EFAULT;
	ret = xsched_rules_check(&r);
	if (ret || (r.flags & ~XSCHED_RULES_FORCE) ||
	    (r.count && !r.entries))
		return -EINVAL;
	if (!capable(CAP_SYS_NICE))
		return -EPERM;
	if (r.count > XSCHED_RULES_MAX)
		return -E2BIG;
	n = r.count;
	if (n) {
		buf = kvcalloc(n, sizeof(*buf), GFP_KERNEL);
		k = kcalloc(n, sizeof(*k), GFP_KERNEL);
		if (k)
			xsched_obj_add(XSCHED_OBJ_RULE_SET, 1);
		ret = -ENOMEM;
		if (!buf || !k)
			goto out;
		ret = -EFAULT;
		if (copy_from_user(buf, u64_to_user_ptr(r.entries),
				   n * sizeof(*buf)))
			goto out;
	}
	for (i = 0; i < n; i++) {
		ret = xsched_rule_import(&buf[i], &k[i]);
		if (ret)
			goto out;
		for (j = 0; j < i; j++)
			if (xsched_rule_same(&k[i], &k[j])) {
				ret = -EINVAL;
				goto out;
			}
		ncg += k[i].kind == XSCHED_RULE_CGROUP;
		if (k[i].kind == XSCHED_RULE_DEFAULT)
			dflt = k[i].prio;
	}
	mutex_lock(&xsched_rules_lock);
	if (!(r.flags & XSCHED_RULES_FORCE) &&
	    r.generation != xsched_rules_gen) {
		mutex_unlock(&xsched_rules_lock);
		ret = -EAGAIN;
		goto out;
	}
	old = xsched_krules;
	nold = xsched_nkrules;
	xsched_krules = k;
	xsched_nkrules = n;
	xsched_ncgroup_rules = ncg;
	xsched_default_prio = dflt;
	xsched_rules_gen++;
	atomic64_inc(&xsched_rules_epoch);
	xsched_rerank_kick();
	mutex_unlock(&xsched_rules_lock);
	k = old;
	n = nold;
	xsched_rerank_all();
	ret = 0;
out:
	xsched_krules_free(k, n);
	kvfree(buf);
	return ret;
}

/*
 * Add, change or remove the process rule of @p, owned by @owner; under
 * xsched_rules_lock.  An unprivileged caller's user holds at most
 * XSCHED_PROC_RULES_USER_MAX, so no user can use up the table.
 */
static int xsched_proc_rule_set(struct pid *p, bool clear, unsigned int prio,
				kuid_t owner, bool privileged)
{
	struct xsched_proc_rule *r = xsched_proc_rule_find(p);
	unsigned int b, mine = 0;
	struct xsched_proc_rule *o;

	if (clear) {
		if (r)
			xsched_proc_rule_free(r);
		return 0;
	}
	if (r) {
		r->prio = prio;
		return 0;
	}
	xsched_proc_rules_prune();
	if (!privileged)
		hash_for_each(xsched_proc_hash, b, o, node)
			mine += uid_eq(o->owner, owner);
	if (xsched_nproc_rules >= XSCHED_PROC_RULES_MAX ||
	    (!privileged && mine >= XSCHED_PROC_RULES_USER_MAX))
		return -ENOSPC;
	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	xsched_obj_add(XSCHED_OBJ_PROC_RULE, 1);
	r->pid = get_pid(p);
	r->owner = owner;
	r->prio = prio;
	hash_add(xsched_proc_hash, &r->node, (unsigned long)p);
	xsched_nproc_rules++;
	return 0;
}

/* Like setpriority(2): may the caller renice @task without privilege? */
static bool xsched_same_owner(struct task_struct *task)
{
	const struct cred *me = current_cred(), *tc;
	bool ok;

	rcu_read_lock();
	tc = __task_cred(task);
	ok = uid_eq(tc->euid, me->euid) || uid_eq(tc->euid, me->uid);
	rcu_read_unlock();
	return ok;
}

long xsched_ioc_proc_priority(void __user *uarg)
{
	struct xsched_proc_priority a;
	struct task_struct *task;
	struct pid *p;
	bool set, clear, privileged;
	unsigned int cur, src;
	kuid_t uid;
	long ret;

	if (copy_from_user(&a, uarg, sizeof(a)))
		return -EFAULT;
	ret = xsched_check_args(&a, sizeof(a),
				XSCHED_PROC_SET | XSCHED_PROC_CLEAR,
				a.reserved, sizeof(a.reserved));
	if (ret)
		return ret;
	set = a.flags & XSCHED_PROC_SET;
	clear = a.flags & XSCHED_PROC_CLEAR;
	if (a.reserved0 || (set && clear) ||
	    (set && a.priority > XSCHED_PRIO_MAX) || a.pid < 0)
		return -EINVAL;
	p = a.pid ? find_get_pid(a.pid) : get_pid(task_tgid(current));
	task = p ? get_pid_task(p, PIDTYPE_TGID) : NULL;
	if (!task) {
		put_pid(p);
		return -ESRCH;
	}
	rcu_read_lock();
	uid = __task_cred(task)->euid;
	rcu_read_unlock();
	cur = xsched_rules_lookup(p, uid, &src);
	privileged = (set || clear) && capable(CAP_SYS_NICE);
	if ((set || clear) && !privileged &&
	    (clear || !xsched_same_owner(task) || a.priority > cur)) {
		ret = -EPERM;
		goto out;
	}
	if (set || clear) {
		mutex_lock(&xsched_rules_lock);
		ret = xsched_proc_rule_set(p, clear, a.priority, uid,
					   privileged);
		atomic64_inc(&xsched_rules_epoch);
		xsched_rerank_kick();
		mutex_unlock(&xsched_rules_lock);
		if (ret)
			goto out;
		xsched_rerank_all();
		cur = xsched_rules_lookup(p, uid, &src);
	}
	a.priority = cur;
	a.source = src;
	ret = copy_to_user(uarg, &a, sizeof(a)) ? -EFAULT : 0;
out:
	put_task_struct(task);
	put_pid(p);
	return ret;
}

void xsched_rules_exit(void)
{
	struct xsched_proc_rule *r;
	struct hlist_node *tmp;
	unsigned int b;

	mutex_lock(&xsched_rules_lock);
	xsched_rules_stopping = true;
	mutex_unlock(&xsched_rules_lock);
	cancel_delayed_work_sync(&xsched_rerank_work);
	hash_for_each_safe(xsched_proc_hash, b, tmp, r, node)
		xsched_proc_rule_free(r);
	xsched_krules_free(xsched_krules, xsched_nkrules);
	xsched_krules = NULL;
	xsched_nkrules = xsched_ncgroup_rules = 0;
	xsched_default_prio = XSCHED_PRIO_DEFAULT;
	xsched_rules_stopping = false;
}
