// SPDX-License-Identifier: GPL-2.0
/*
 * xsched: the /dev/xsched ioctl layer.  Validation lives here and nowhere
 * else; the rules are stated at the top of uapi/xsched.h.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

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
	default:
		return -ENOTTY;
	}
}
