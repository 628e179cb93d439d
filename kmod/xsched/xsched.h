/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xsched: internal declarations shared by the module's files.
 *
 * Lock order (outermost first):
 *   xsched_bind_lock (mutex: one binding attempt at a time)
 *     -> provider listener lock (inside register_listener)
 *   xsched_lock (mutex: the binding list; every domain is created and
 *   destroyed under it, so it keeps domains alive for the ioctls)
 *     -> dom->mutex (decisions; every provider op on a domain is made
 *        under it; queues are removed under it)
 *        -> provider locks (taken inside the ops)
 *        -> dom->qlock (mutex: a queue leaving the id xarray; readers
 *           take it under xsched_lock without dom->mutex, and take
 *           dom->lock inside it)
 *        -> dom->lock (raw spinlock, irq: queue lists, busy state; the
 *           poll timer, a hard-irq hrtimer, takes it; nothing under it
 *           sleeps or allocates; taken outside the poll to change
 *           anything, it is taken with xsched_dom_lock_irq())
 *   xsched_tick_lock (raw spinlock, irq: the domains on the shared poll
 *   timer, xsched_poll.c) -> dom->lock: taken only by the two poll
 *   timers' callbacks and xsched_poll_stop(), never under dom->lock;
 *   and alone, under no spinlock, by an unpin (xsched_poll_sync()).
 *   b->ev_lock (spinlock: pending provider events) is a leaf.
 *   xsched_rules_lock (mutex: operator rules, xsched_rules.c) is a leaf
 *   taken under xsched_lock and dom->mutex; only RCU and the kernfs
 *   rename lock (a cgroup's path) are taken under it.
 * Provider listener callbacks run under provider locks and therefore take
 * only b->ev_lock (and pin user pages: mmap_lock of the owner); the
 * gone() callback is the exception: the provider holds no lock then, and
 * it takes xsched_lock and dom->mutex.  The event work takes xsched_lock
 * for node events and dom->mutex for queue events.
 * dom->mutex is held across provider ops, set_priority included (amdkfd:
 * p->mutex -> dqm_lock inside it).
 * sysfs: a store on a queue or a domain takes dom->mutex but never
 * xsched_lock, and sysfs directories are removed with no xsched lock but
 * xsched_lock held, so removal can wait for a store in flight.
 */
#ifndef _XSCHED_H
#define _XSCHED_H

#include <linux/completion.h>
#include <linux/fs.h>
#include <linux/hrtimer.h>
#include <linux/kobject.h>
#include <linux/kthread.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/uidgid.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include "kfd_xsched.h"
#include "../../uapi/xsched.h"

/* Keep in step with PACKAGE_VERSION in dkms.conf (make check compares). */
#define XSCHED_VERSION "0.1.0"

/* Every feature bit this build of the module implements. */
#define XSCHED_FEATURES_SUPPORTED	(XSCHED_FEAT_GET_FEATURES | \
					 XSCHED_FEAT_QUERY | \
					 XSCHED_FEAT_SET_PRIORITY | \
					 XSCHED_FEAT_HINTS | \
					 XSCHED_FEAT_TENANCY)

#define XSCHED_LEVELS		(XSCHED_PRIO_MAX + 1)	/* higher wins */

enum xsched_qstate { XSCHED_IDLE, XSCHED_RUNNING, XSCHED_PAUSED };

struct xsched_domain;

/*
 * A tenant: the queues of one user at one operator priority in a domain.
 * Its queues order among themselves by their own priority; they never
 * pause another tenant's queues of the same operator priority
 * (docs/scheduler.md, "Who may preempt whom").
 */
struct xsched_tenant {
	struct list_head link;		/* dom->tenants, under both locks */
	kuid_t uid;
	u8 tier;			/* operator priority */
	u8 level;			/* own priorities below it paused */
	unsigned int nr_queues;		/* dom->mutex */
	u32 nbusy[XSCHED_LEVELS];	/* by own priority, dom->lock */
	unsigned long busy_own;		/* bit P: one at own P busy */
	u64 idle_since;			/* its top went idle (0: not) */
	/* its queues by own priority, under both locks: the poll's view */
	struct list_head prios[XSCHED_LEVELS];
};

/*
 * Where a queue's activity is read: the owner's memory, at most three
 * pages pinned and charged to the owner (xsched_activity.c).  The pages
 * are swapped under dom->lock; the rest is set once at creation.
 */
struct xsched_qmem {
	struct mm_struct *mm;		/* the owner's, mmgrab()ed */
	struct user_struct *user;	/* charged, or NULL */
	unsigned int charged;		/* pages */
	struct page *amdq;		/* header: both dispatch ids */
	unsigned int rptr_off, wptr_off;
	u64 ring_va, ring_size;		/* ring_size 0: not indexable */
	struct page *ring;		/* page of the last consumed packet */
	u64 ring_page_va;
	struct page *sig;		/* page of that packet's signal */
	u64 sig_page_va;
	/* pages of a waiting barrier's dependency signals, two at most */
	struct page *dep[2];
	u64 dep_va[2];
	u64 dep_want;			/* a dependency page to pin */
	unsigned int dep_next;		/* the slot it goes into */
	u64 done_id;			/* last packet seen done, dom->lock */
};

struct xsched_queue {
	struct kobject kobj;		/* queues/<id>; its release frees */
	struct rcu_head rcu;		/* ioctls look ids up under RCU */
	u32 id;				/* xsched-wide, for the uapi */
	pid_t tgid;
	kuid_t uid;
	struct pid *pid;		/* the owner (tgid), or NULL */
	struct xsched_tenant *tenant;	/* set while in a domain */
	u8 tier;			/* operator priority (rules) */
	u8 tier_src;			/* enum xsched_prio_source */
	u64 rules_epoch;		/* the rules it was ranked by */
	u64 cgroup_id;			/* its owner's cgroup then */
	u64 handle;			/* the provider's name for it */
	u32 queue_id;			/* provider's, per process: display */
	struct xsched_domain *dom;
	struct list_head dom_link;	/* dom->queues, under both locks */
	struct list_head prio_link;	/* tenant->prios[prio], both locks */
	u8 prio;			/* own priority: KFD's, SET_PRIORITY */
	bool busy;			/* polled or hinted, dom->lock */
	bool hint;			/* a BEGIN hint is in force, dom->lock */
	bool paused;			/* as the provider has it, dom->mutex */
	bool need_pin;			/* ring or signal page to (re)pin */
	bool waiting;			/* at a barrier not met, dom->lock */
	bool stale;			/* the provider no longer knows it */
	bool in_sysfs;
	const struct file *hint_owner;	/* fd that sent BEGIN, dom->lock */
	u64 hint_until;			/* a BEGIN expires then, dom->lock */
	u64 ring_va;
	u64 busy_since, paused_since;
	u64 busy_ns, paused_ns;
	u32 preempt_count;
	u64 last_lat_ns, max_lat_ns;
	struct xsched_qmem mem;
};

struct xsched_binding;

/* Policies are looked up by name (the domain's policy file). */
struct xsched_policy {
	const char *name;
	/*
	 * Called under dom->lock, by the decider (dom->mutex held) or by
	 * the poll while no decision is being applied (dom->deciding
	 * false; xsched_poll_settle()).  Set tenant levels with
	 * xsched_tenant_set_level().  Returns the operator
	 * priority below which every queue must be paused, sets each
	 * tenant's level (own priorities below it paused; 0 for none) and
	 * *next to when it wants to be called again (U64_MAX: only on a
	 * change of activity).
	 */
	unsigned int (*decide)(struct xsched_domain *dom, u64 now, u64 *next);
	/*
	 * Read every queue at every poll.  Leave false for a policy that
	 * decides by the highest busy priority alone: polls then mostly
	 * read the queues that can change that (see xsched_poll_fast()).
	 */
	bool watch_all;
};

struct xsched_hpf {
	u64 idle_since;			/* top level went idle (0: not) */
	u64 lower_paused_since;
	u64 slice_until;
};

/*
 * The pause latency histogram: bucket i counts latencies up to
 * xsched_lat_bounds_ns[i], the last one those above every bound.
 */
#define XSCHED_LAT_BUCKETS	16
extern const u64 xsched_lat_bounds_ns[XSCHED_LAT_BUCKETS - 1];

/*
 * A memo of the poll (xsched_poll.c): the words of user memory one pass
 * read and their values, when that pass found nothing new.  A domain
 * keeps two: one of its last fast pass, one of its last full pass.  An
 * idle queue takes one or two words, a busy one up to four (more at a
 * barrier): a full pass of 64 queues fits.  A pass that reads more
 * leaves no memo (the next one is made in full).
 */
#define XSCHED_MEMO_FAST	0
#define XSCHED_MEMO_FULL	1
#define XSCHED_MEMO_FAST_WORDS	32
#define XSCHED_MEMO_FULL_WORDS	256

struct xsched_memo_word {
	const u64 *at;
	u64 val;
};

struct xsched_memo {
	unsigned int n;			/* words read; > cap: too many */
	unsigned int cap;
	unsigned int read;		/* queues read */
	u64 until;			/* no longer stands then (a hint) */
	struct xsched_memo_word *w;	/* cap of them, in the domain */
};

struct xsched_domain {
	struct kobject kobj;		/* domains/<gpu_id>; release frees */
	bool in_sysfs;
	u32 gpu_id;
	char name[64];
	struct xsched_binding *b;
	struct list_head link;		/* b->domains */
	struct mutex mutex;
	/*
	 * Readers' lock: LIST_QUEUES and QUEUE_INFO hold it while they read
	 * a queue, xsched_queue_remove() across the queue's xa_erase(), so
	 * that a reader never waits for a decision (dom->mutex is held
	 * across runlist changes, up to amdkfd's preemption timeout).
	 */
	struct mutex qlock;
	raw_spinlock_t lock;
	bool dead;			/* provider or node gone: no more ops */
	bool preemptive;		/* the node can pause queues */
	char why[80];			/* if not: the provider's reason */
	struct list_head queues;
	struct list_head tenants;
	unsigned int nr_queues;
	u32 nbusy[XSCHED_LEVELS];
	unsigned long busy_levels;	/* bit L: a queue at op. L is busy */
	unsigned int level;		/* enforced: below it all paused */
	unsigned int target;		/* the level being applied */
	/*
	 * dom->lock: a decision is being made or applied under dom->mutex
	 * (the poll then leaves every decision to the decider); the last
	 * one was not applied in full (a fault, the limit); tenant levels
	 * changed (bumped on every change).
	 */
	bool deciding, unsettled;
	u32 levels_gen;
	bool rise;			/* a rise since the last pause */
	bool skip_delay;		/* a top queue waits: resume now */
	const struct xsched_policy *policy;
	struct xsched_hpf hpf;
	u64 next_decide;		/* policy's timed wake-up */
	struct hrtimer poll;		/* hard irq: its polls while cold */
	/* on the tick (xsched_poll.c), and its next poll there: tick lock */
	struct list_head tick_link;
	u64 poll_at;
	struct kthread_worker *decider;	/* SCHED_FIFO, one per domain */
	struct kthread_work decide_work;
	u64 *batch;			/* handles of one provider call */
	struct xsched_queue **batch_q;	/* their queues */
	unsigned long *batch_stale;	/* bitmap the provider fills */
	unsigned int batch_cap;
	/* knobs */
	u32 poll_us;			/* 0: no polling (KUnit drives time) */
	u32 resume_delay_us;
	u32 starvation_ms;		/* a busy queue paused this long... */
	u32 starvation_slice_ms;	/* ...runs for this long */
	u32 hint_ms;			/* a BEGIN lasts this long */
	u32 max_changes_per_s;		/* runlist changes; 0: no limit */
	/* the limit: a token bucket in ns of budget, dom->mutex */
	s64 tokens;
	u64 tokens_at;
	/* adaptive hysteresis, dom->mutex (read by the policy) */
	u64 adapt_ns;			/* resume delay learnt, 0: none */
	u64 last_resume_at, last_osc_at;
	u32 slow_op_ms;			/* an op slower than this is a fault */
	/* counters */
	u64 decisions, pauses, resumes, errors;	/* decisions: dom->lock */
	u64 poll_decisions;		/* made by the poll, dom->lock */
	u64 decide_ns;			/* time spent deciding and applying */
	/* written by the poll alone (its timers, under xsched_tick_lock) */
	u64 polls;
	u64 poll_ns;
	u64 polled;			/* queues read by polls */
	u64 full_polls;			/* polls that read every queue */
	u64 full_poll_at;		/* the next full pass is due, dom->lock */
	bool poll_idle;			/* polled at idle_poll_us, dom->lock */
	/*
	 * The poll's memos, dom->lock (xsched_poll_pass()): bit i of
	 * memo_valid says memo[i] stands.  Every other holder of dom->lock
	 * clears them, then bumps memo_seq (xsched_dom_lock_irq()), for the
	 * tick's check without the lock (xsched_tick_quiet()); memo_rec is
	 * the one the pass being made writes, and memo_none between passes:
	 * reads outside the poll (a hint) go there and are kept nowhere
	 * (cap 0), as the tick reads the memos without dom->lock.
	 */
	struct xsched_memo memo[2];
	unsigned int memo_valid;
	u32 memo_seq;
	struct xsched_memo *memo_rec;
	struct xsched_memo memo_none;
	struct xsched_memo_word memo_fast_w[XSCHED_MEMO_FAST_WORDS];
	struct xsched_memo_word memo_full_w[XSCHED_MEMO_FULL_WORDS];
	u64 memo_polls;			/* polls the memo answered (poll) */
	u64 busy_until;			/* a queue last went idle, dom->lock */
	u64 policy_ns;			/* in the policy alone */
	bool degraded;			/* a fault: everything runs until */
	u64 degraded_until;		/* ...this time (decision clock) */
	u64 backoff_ns;			/* the next degraded period */
	u64 slow_ops;			/* ops slower than slow_op_ms */
	u64 rate_limited;		/* resumes held back by the limit */
	u64 oscillations;		/* pauses right after a resume */
	u64 rise_at;			/* the top busy level last rose */
	u64 lat_sum_ns, lat_count, lat_max_ns;
	u64 lat_hist[XSCHED_LAT_BUCKETS];	/* pause latencies, counted */
};

/*
 * dom->lock, taken anywhere but in the poll: whatever the holder changes
 * (queues, hints, pinned pages, a decision), the poll's memo no longer
 * says what a pass would find.  The memo is voided before memo_seq
 * moves, and memo_seq before anything else changes: the tick's lockless
 * check (xsched_tick_quiet()) that sees the old memo_seq sees the memo
 * still valid only if nothing it reads has changed yet, and reads
 * memo_seq again after.
 */
static inline void xsched_dom_lock_irq(struct xsched_domain *dom)
{
	raw_spin_lock_irq(&dom->lock);
	WRITE_ONCE(dom->memo_valid, 0);
	smp_wmb();	/* memo void before memo_seq moves: xsched_tick_quiet() */
	WRITE_ONCE(dom->memo_seq, dom->memo_seq + 1);
	smp_wmb();	/* memo_seq moves before anything the tick reads */
}

/* A provider event waiting for the binding's event work. */
struct xsched_event {
	struct list_head link;
	enum kfd_xsched_event ev;
	struct kfd_xsched_queue_info info;	/* queue events; mm NULL */
	int pin_err;			/* CREATED: result of the pin */
	kuid_t uid;			/* CREATED: the owner's euid */
	struct pid *pid;		/* CREATED: the owner, or NULL */
	struct xsched_qmem mem;		/* CREATED: pinned in the callback */
	u32 caps;			/* node events */
	char name[64], why[80];
};

struct xsched_binding {
	const struct kfd_xsched_ops *ops;
	struct kfd_xsched_listener listener;
	struct list_head link;		/* xsched_bindings */
	struct list_head domains;
	spinlock_t ev_lock;
	struct list_head events;
	u64 ev_coalesced;		/* events dropped in pairs, ev_lock */
	u64 ev_lost;			/* events not queued: no memory */
	struct work_struct ev_work;
	struct completion gone;
	bool binding;			/* xsched_bind() runs, xsched_lock */
	bool detached;			/* off xsched_bindings, xsched_lock */
	bool unbound;
};

extern struct mutex xsched_lock;
extern struct mutex xsched_bind_lock;
extern struct list_head xsched_bindings;
extern struct workqueue_struct *xsched_wq;
extern const struct xsched_policy xsched_policy_hpf;
extern const struct xsched_policy xsched_policy_none;

int xsched_features_query(struct xsched_features *f);
long xsched_ioctl(struct file *file, unsigned int cmd, unsigned long arg);

int xsched_release(struct inode *inode, struct file *file);
int xsched_check_args(const void *hdr, u32 size, u32 flags_ok,
		      const void *rsv, size_t rsv_len);
int xsched_check_list(const struct xsched_list *l, u32 entry_size,
		      u32 flags_ok);

/* xsched_sysfs.c */
int xsched_sysfs_init(struct kobject *parent);
void xsched_sysfs_exit(void);
void xsched_sysfs_domain_add(struct xsched_domain *dom);
void xsched_sysfs_queue_add(struct xsched_queue *q);
extern const struct kobj_type xsched_domain_ktype, xsched_queue_ktype;

/* The simulated GPU's provider symbol, found like amdkfd's. */
const struct kfd_xsched_ops *xsched_sim_get_ops(void);

/* xsched_bind.c: providers and bindings */
int xsched_provider_init(void);
void xsched_provider_exit(void);
struct xsched_binding *xsched_bind(const struct kfd_xsched_ops *ops);
void xsched_unbind(struct xsched_binding *b);
void xsched_provider_gone(struct xsched_binding *b);

/* xsched_queue.c: the lives of queues and domains */
/* Every queue by id; queues leave it under their domain's mutex. */
extern struct xarray xsched_queues;
void xsched_event_process(struct xsched_binding *b, struct xsched_event *e);
struct xsched_domain *xsched_domain_create(struct xsched_binding *b,
					   u32 gpu_id, const char *name,
					   const char *why);
void xsched_domain_destroy(struct xsched_domain *dom, bool node_gone);
void xsched_domain_release(struct kobject *kobj);
int xsched_queue_add(struct xsched_domain *dom, struct xsched_queue *q);
void xsched_queue_remove(struct xsched_queue *q);
struct xsched_queue *xsched_queue_alloc(void);
void xsched_queue_free(struct xsched_queue *q);
void xsched_queue_release(struct kobject *kobj);
struct xsched_domain *xsched_queue_lock(u32 id, struct xsched_queue **qp);
struct xsched_domain *xsched_queue_lock_read(u32 id, struct xsched_queue **qp);
enum xsched_queue_state xsched_queue_state(const struct xsched_queue *q);
void xsched_hints_release(const struct file *owner);
int xsched_init_caches(void);
void xsched_exit_caches(void);

/*
 * Live objects of each kind xsched allocates and keeps beyond a call,
 * and the user pages it holds pinned: shown in debugfs (xsched/objects)
 * and checked at unload, where any left is reported as a leak.
 */
enum xsched_obj {
	XSCHED_OBJ_BINDING, XSCHED_OBJ_DOMAIN, XSCHED_OBJ_QUEUE,
	XSCHED_OBJ_TENANT, XSCHED_OBJ_EVENT, XSCHED_OBJ_PROC_RULE,
	XSCHED_OBJ_RULE_SET, XSCHED_OBJ_PIN, XSCHED_NR_OBJ
};
extern atomic_long_t xsched_objs[XSCHED_NR_OBJ];

static inline void xsched_obj_add(enum xsched_obj o, long n)
{
	atomic_long_add(n, &xsched_objs[o]);
}

void xsched_objs_init(void);
void xsched_objs_exit(void);

/* xsched_decide.c: decisions, policies, priorities and hints */
void xsched_decide(struct xsched_domain *dom, u64 now);
void xsched_decide_work(struct kthread_work *work);
int xsched_apply(struct xsched_domain *dom, bool pause, u64 now);
void xsched_tenants_clear(struct xsched_domain *dom);

/* Under dom->lock: @t's own priorities below @level are to be paused. */
static inline void xsched_tenant_set_level(struct xsched_domain *dom,
					   struct xsched_tenant *t,
					   unsigned int level)
{
	if (t->level == level)
		return;
	t->level = level;
	dom->levels_gen++;
}

u64 xsched_resume_delay_ns(const struct xsched_domain *dom);
struct xsched_tenant *xsched_tenant_get(struct xsched_domain *dom,
					kuid_t uid, unsigned int tier);
void xsched_tenant_put(struct xsched_domain *dom, struct xsched_tenant *t);
int xsched_queue_set_tier(struct xsched_queue *q, unsigned int tier,
			  unsigned int src);
int xsched_batch_reserve(struct xsched_domain *dom, unsigned int n);
void xsched_batch_free(struct xsched_domain *dom);
const struct xsched_policy *xsched_policy_find(const char *name);
int xsched_domain_set_policy(struct xsched_domain *dom, const char *name);
int xsched_queue_set_prio(struct xsched_queue *q, unsigned int prio);
void xsched_queue_hint(struct xsched_queue *q, const struct file *owner,
		       bool begin);

/* xsched_poll.c: the poll */
void xsched_queue_set_busy(struct xsched_queue *q, bool busy, u64 now);
/* What a poll pass found: activity changed; a queue has pages to pin. */
#define XSCHED_POLL_CHANGED	BIT(0)
#define XSCHED_POLL_PIN		BIT(1)
unsigned int xsched_poll_pass(struct xsched_domain *dom, u64 now);
bool xsched_poll_settle(struct xsched_domain *dom, u64 now);
u64 xsched_poll_due(const struct xsched_domain *dom, u64 now);
enum hrtimer_restart xsched_poll_fn(struct hrtimer *t);
void xsched_poll_stop(struct xsched_domain *dom);
void xsched_poll_sync(void);
bool xsched_tick_quiet_check(struct xsched_domain *dom, u64 now);
void xsched_poll_init(void);
void xsched_poll_exit(void);

/* xsched_rules.c: operator priorities */
extern struct mutex xsched_rules_lock;
extern unsigned int xsched_hidepid;
void xsched_rules_exit(void);
unsigned int xsched_rules_lookup(struct pid *pid, kuid_t uid,
				 unsigned int *src);
void xsched_rerank_all(void);
void xsched_rank_new(struct xsched_queue *q);
long xsched_ioc_get_rules(void __user *uarg);
long xsched_ioc_set_rules(void __user *uarg);
long xsched_ioc_proc_priority(void __user *uarg);
bool xsched_glob_match(const char *pat, const char *str);
bool xsched_may_see(const struct xsched_queue *q);
bool xsched_may_see_va(const struct xsched_queue *q);

/* xsched_activity.c */
int xsched_qmem_pin(struct xsched_qmem *m,
		    const struct kfd_xsched_queue_info *info);
void xsched_qmem_unpin(struct xsched_qmem *m);
bool xsched_qmem_busy(struct xsched_queue *q);
void xsched_qmem_pin_more(struct xsched_queue *q);

#endif /* _XSCHED_H */
