/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every difference between the kernel lines xsched builds for (6.1,
 * 6.12 and 7.x today) lives here, and nowhere else; Kbuild finds the
 * kernel's features and defines XSCHED_NO_* for what it lacks.
 */
#ifndef _XSCHED_COMPAT_H
#define _XSCHED_COMPAT_H

#include <linux/hrtimer.h>
#include <linux/mm.h>
#include <linux/version.h>

/* 6.5 dropped the vmas argument of pin_user_pages_remote(). */
static inline long xsched_pin_remote(struct mm_struct *mm, unsigned long va,
				     unsigned long nr, unsigned int flags,
				     struct page **pages)
{
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 5, 0)
	return pin_user_pages_remote(mm, va, nr, flags, pages, NULL, NULL);
#else
	return pin_user_pages_remote(mm, va, nr, flags, pages, NULL);
#endif
}

/*
 * struct user_struct has locked_vm (the RLIMIT_MEMLOCK charge of long-term
 * pins) only when one of its users is built in; as in sched/user.h.
 */
#if defined(CONFIG_NET) || defined(CONFIG_IO_URING) || \
	defined(CONFIG_VFIO_PCI_ZDEV_KVM) || IS_ENABLED(CONFIG_IOMMUFD) || \
	defined(CONFIG_SECRETMEM)
#define XSCHED_HAVE_USER_LOCKED_VM 1
#else
#define XSCHED_HAVE_USER_LOCKED_VM 0
#endif

/*
 * Newer kernels (7.x here) have no hrtimer_init(), only hrtimer_setup(),
 * which takes the callback, and mark the timer's function __private
 * (sparse refuses a direct assignment).  Kbuild defines
 * XSCHED_NO_HRTIMER_INIT when <linux/hrtimer.h> has no hrtimer_init().
 */
static inline void xsched_hrtimer_setup(struct hrtimer *t,
					enum hrtimer_restart (*fn)(struct hrtimer *),
					clockid_t clock, enum hrtimer_mode mode)
{
#ifdef XSCHED_NO_HRTIMER_INIT
	hrtimer_setup(t, fn, clock, mode);
#else
	hrtimer_init(t, clock, mode);
	t->function = fn;
#endif
}

/*
 * Whether @mm's owner may be read by a process of the same user, as
 * ptrace's read mode asks.  7.x keeps dumpability in the task's exec
 * state and exports no getter (Kbuild defines XSCHED_NO_GET_DUMPABLE
 * there): it counts as not dumpable, so only the owner itself and
 * privileged callers are shown what this guards.
 */
#ifdef XSCHED_NO_GET_DUMPABLE
static inline bool xsched_mm_dumpable(struct mm_struct *mm)
{
	return false;
}
#else
#include <linux/sched/coredump.h>

static inline bool xsched_mm_dumpable(struct mm_struct *mm)
{
	return get_dumpable(mm) == SUID_DUMP_USER;
}
#endif

#endif /* _XSCHED_COMPAT_H */
