/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xsched: internal declarations shared by the module's files.
 */
#ifndef _XSCHED_H
#define _XSCHED_H

#include <linux/fs.h>
#include <linux/types.h>

#include "../uapi/xsched.h"

/* Keep in step with PACKAGE_VERSION in dkms.conf (make check compares). */
#define XSCHED_VERSION "0.1.0"

/* Every feature bit this build of the module implements. */
#define XSCHED_FEATURES_SUPPORTED	XSCHED_FEAT_GET_FEATURES

int xsched_features_query(struct xsched_features *f);
long xsched_ioctl(struct file *file, unsigned int cmd, unsigned long arg);

#endif /* _XSCHED_H */
