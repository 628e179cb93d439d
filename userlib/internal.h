/* SPDX-License-Identifier: LGPL-2.1 OR MIT */
/* Private to libxsched. */
#ifndef XS_INTERNAL_H
#define XS_INTERNAL_H

#include "libxsched.h"

struct xs_hip;

struct xsched {
	int fd;
	struct xs_hip *hip;	/* loaded on the first HIP attach */
};

int xs_ioctl(int fd, unsigned long cmd, void *arg);
int xs_query(struct xsched *xs, uint32_t id, struct xsched_queue_query *q);
void xs_hip_unload(struct xs_hip *hip);
uint64_t xs_now_ms(void);
void xs_sleep_ms(unsigned int ms);
int xs_read_file(const char *path, char *buf, size_t len);

#define XS_EXPORT __attribute__((visibility("default")))

#endif /* XS_INTERNAL_H */
