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

struct xsched_features {
	__u32 size;
	__u32 flags;
	__u32 abi_version;
	__u32 reserved0;
	__u64 features;
	__u64 reserved[4];
};

#define XSCHED_IOC_MAGIC	'X'
#define XSCHED_IOC_GET_FEATURES	_IOWR(XSCHED_IOC_MAGIC, 0x00, struct xsched_features)

#endif /* _UAPI_XSCHED_H */
