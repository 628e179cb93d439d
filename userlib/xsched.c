// SPDX-License-Identifier: LGPL-2.1 OR MIT
/*
 * libxsched: the /dev/xsched ioctls.  One wrapper turns ioctl(2)'s -1/errno
 * into -errno; nothing else looks at errno.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

int xs_ioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? -errno : 0;
}

uint64_t xs_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void xs_sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

XS_EXPORT int xsched_open_path(const char *path, struct xsched **xs)
{
	struct xsched *x;
	int fd;

	if (!path || !xs)
		return -EINVAL;
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	x = calloc(1, sizeof(*x));
	if (!x) {
		close(fd);
		return -ENOMEM;
	}
	x->fd = fd;
	*xs = x;
	return 0;
}

XS_EXPORT int xsched_open(struct xsched **xs)
{
	return xsched_open_path(XSCHED_DEV_PATH, xs);
}

XS_EXPORT void xsched_close(struct xsched *xs)
{
	if (!xs)
		return;
	xs_hip_unload(xs->hip);
	close(xs->fd);
	free(xs);
}

XS_EXPORT int xsched_fd(const struct xsched *xs)
{
	return xs ? xs->fd : -EINVAL;
}

XS_EXPORT int xsched_get_features(struct xsched *xs, uint32_t *abi_version,
				  uint64_t *features)
{
	struct xsched_features f;
	int ret;

	if (!xs)
		return -EINVAL;
	memset(&f, 0, sizeof(f));
	f.size = sizeof(f);
	ret = xs_ioctl(xs->fd, XSCHED_IOC_GET_FEATURES, &f);
	if (ret)
		return ret;
	if (abi_version)
		*abi_version = f.abi_version;
	if (features)
		*features = f.features;
	return 0;
}

static int xs_list(struct xsched *xs, unsigned long cmd, uint32_t flags,
		   uint32_t gpu_id, uint32_t esz, void *arr, uint32_t room,
		   uint32_t *count)
{
	struct xsched_list l;
	int ret;

	if (!xs || !count || (room && !arr))
		return -EINVAL;
	memset(&l, 0, sizeof(l));
	l.size = sizeof(l);
	l.flags = flags;
	l.gpu_id = gpu_id;
	l.entry_size = esz;
	l.count = room;
	l.entries = room ? (uintptr_t)arr : 0;
	ret = xs_ioctl(xs->fd, cmd, &l);
	if (ret)
		return ret;
	*count = l.count;
	return 0;
}

XS_EXPORT int xsched_list_domains(struct xsched *xs,
				  struct xsched_domain_info *arr, uint32_t room,
				  uint32_t *count)
{
	return xs_list(xs, XSCHED_IOC_LIST_DOMAINS, 0, 0, sizeof(*arr), arr,
		       room, count);
}

XS_EXPORT int xsched_list_queues(struct xsched *xs, uint32_t flags,
				 uint32_t gpu_id, struct xsched_queue_info *arr,
				 uint32_t room, uint32_t *count)
{
	return xs_list(xs, XSCHED_IOC_LIST_QUEUES, flags, gpu_id, sizeof(*arr),
		       arr, room, count);
}

/* Grows the array until one call sees everything (entries may come and go). */
static int xs_get(struct xsched *xs, unsigned long cmd, uint32_t flags,
		  uint32_t gpu_id, uint32_t esz, void **arr, uint32_t *count)
{
	uint32_t room = 0, n = 0;
	void *buf = NULL;
	int ret, tries;

	if (!arr || !count)
		return -EINVAL;
	for (tries = 0; tries < 8; tries++) {
		ret = xs_list(xs, cmd, flags, gpu_id, esz, buf, room, &n);
		if (ret)
			break;
		if (n <= room) {
			if (!n) {
				free(buf);
				buf = NULL;
			}
			*arr = buf;
			*count = n;
			return 0;
		}
		room = n + 8;
		free(buf);
		buf = calloc(room, esz);
		if (!buf)
			return -ENOMEM;
	}
	free(buf);
	return ret ? ret : -EAGAIN;
}

XS_EXPORT int xsched_get_domains(struct xsched *xs,
				 struct xsched_domain_info **arr,
				 uint32_t *count)
{
	return xs_get(xs, XSCHED_IOC_LIST_DOMAINS, 0, 0, sizeof(**arr),
		      (void **)arr, count);
}

XS_EXPORT int xsched_get_queues(struct xsched *xs, uint32_t flags,
				uint32_t gpu_id,
				struct xsched_queue_info **arr,
				uint32_t *count)
{
	return xs_get(xs, XSCHED_IOC_LIST_QUEUES, flags, gpu_id, sizeof(**arr),
		      (void **)arr, count);
}

int xs_query(struct xsched *xs, uint32_t id, struct xsched_queue_query *q)
{
	memset(q, 0, sizeof(*q));
	q->size = sizeof(*q);
	q->id = id;
	return xs_ioctl(xs->fd, XSCHED_IOC_QUEUE_INFO, q);
}

XS_EXPORT int xsched_queue_info(struct xsched *xs, uint32_t id,
				struct xsched_queue_info *info)
{
	struct xsched_queue_query q;
	int ret;

	if (!xs || !info)
		return -EINVAL;
	ret = xs_query(xs, id, &q);
	if (!ret)
		*info = q.info;
	return ret;
}

XS_EXPORT int xsched_set_priority(struct xsched *xs, uint32_t id,
				  uint32_t priority)
{
	struct xsched_set_priority p;

	if (!xs)
		return -EINVAL;
	memset(&p, 0, sizeof(p));
	p.size = sizeof(p);
	p.id = id;
	p.priority = priority;
	return xs_ioctl(xs->fd, XSCHED_IOC_SET_PRIORITY, &p);
}

static int xs_hint(struct xsched *xs, uint32_t id, uint32_t hint)
{
	struct xsched_hint h;

	if (!xs)
		return -EINVAL;
	memset(&h, 0, sizeof(h));
	h.size = sizeof(h);
	h.id = id;
	h.hint = hint;
	return xs_ioctl(xs->fd, XSCHED_IOC_HINT, &h);
}

XS_EXPORT int xsched_hint_begin(struct xsched *xs, uint32_t id)
{
	return xs_hint(xs, id, XSCHED_HINT_BEGIN);
}

XS_EXPORT int xsched_hint_end(struct xsched *xs, uint32_t id)
{
	return xs_hint(xs, id, XSCHED_HINT_END);
}

XS_EXPORT const char *xsched_queue_state_name(uint32_t state)
{
	switch (state) {
	case XSCHED_QUEUE_IDLE: return "idle";
	case XSCHED_QUEUE_BUSY: return "busy";
	case XSCHED_QUEUE_PAUSED: return "paused";
	}
	return "unknown";
}
