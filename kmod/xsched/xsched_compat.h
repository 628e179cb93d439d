/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every difference between the kernel lines xsched builds for (6.1 and
 * 6.12 today) lives here, and nowhere else.
 */
#ifndef _XSCHED_COMPAT_H
#define _XSCHED_COMPAT_H

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

#endif /* _XSCHED_COMPAT_H */
