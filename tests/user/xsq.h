/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for tests/user programs that talk to /dev/xsched and to
 * xsched's sysfs directly (the library has its own tests).
 */
#ifndef XSQ_H
#define XSQ_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "../../uapi/xsched.h"

#define XSQ_SYSFS "/sys/class/misc/xsched"

static inline int xsq_open(void)
{
	return open("/dev/" XSCHED_DEVICE_NAME, O_RDWR | O_CLOEXEC);
}

/* ioctl as 0 or -errno. */
static inline int xsq_ioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? -errno : 0;
}

static inline void xsq_list_init(struct xsched_list *l, uint32_t esz,
				 void *entries, uint32_t room)
{
	memset(l, 0, sizeof(*l));
	l->size = sizeof(*l);
	l->entry_size = esz;
	l->entries = (uintptr_t)entries;
	l->count = room;
}

/* The caller's queues (at most @room); returns how many there are or -errno. */
static inline int xsq_my_queues(int fd, struct xsched_queue_info *qi,
				uint32_t room)
{
	struct xsched_list l;
	int ret;

	xsq_list_init(&l, sizeof(*qi), qi, room);
	l.flags = XSCHED_LIST_MINE;
	ret = xsq_ioctl(fd, XSCHED_IOC_LIST_QUEUES, &l);
	return ret ? ret : (int)l.count;
}

/* The xsched id of this process's queue with ring @ring_va, or -errno. */
static inline int xsq_find(int fd, uint64_t ring_va)
{
	struct xsched_queue_info qi[64];
	int i, n = xsq_my_queues(fd, qi, 64);

	for (i = 0; i < n && i < 64; i++)
		if (qi[i].ring_va == ring_va)
			return (int)qi[i].id;
	return n < 0 ? n : -ENOENT;
}

/* QUEUE_INFO whole: the info and the operator priority. */
static inline int xsq_query(int fd, uint32_t id, struct xsched_queue_query *a)
{
	memset(a, 0, sizeof(*a));
	a->size = sizeof(*a);
	a->id = id;
	return xsq_ioctl(fd, XSCHED_IOC_QUEUE_INFO, a);
}

static inline int xsq_info(int fd, uint32_t id, struct xsched_queue_info *qi)
{
	struct xsched_queue_query a;
	int ret = xsq_query(fd, id, &a);

	*qi = a.info;	/* zeroes on failure */
	return ret;
}

static inline int xsq_set_prio(int fd, uint32_t id, uint32_t prio)
{
	struct xsched_set_priority a;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.id = id;
	a.priority = prio;
	return xsq_ioctl(fd, XSCHED_IOC_SET_PRIORITY, &a);
}

static inline int xsq_hint(int fd, uint32_t id, uint32_t hint)
{
	struct xsched_hint a;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.id = id;
	a.hint = hint;
	return xsq_ioctl(fd, XSCHED_IOC_HINT, &a);
}

/* -1 if the queue is gone. */
static inline int xsq_state(int fd, uint32_t id)
{
	struct xsched_queue_info qi;

	return xsq_info(fd, id, &qi) ? -1 : (int)qi.state;
}

/* Reads a sysfs file into @buf (newline stripped); 0 or -errno. */
static inline int xsq_read(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0) {
		n = -errno;
		close(fd);
		return (int)n;
	}
	close(fd);
	buf[n] = 0;
	if (n && buf[n - 1] == '\n')
		buf[n - 1] = 0;
	return 0;
}

/* Writes @val in one write(); 0 or -errno of the write. */
static inline int xsq_write(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	n = n < 0 ? -errno : 0;
	close(fd);
	return (int)n;
}

static inline long long xsq_read_ll(const char *path)
{
	char buf[128];

	return xsq_read(path, buf, sizeof(buf)) ? -1 : atoll(buf);
}

/* Queues xsched tracks (all users'), up to 256; *@paused of them paused. */
static inline int xsq_count_queues(int fd, int *paused)
{
	static struct xsched_queue_info qi[256];
	struct xsched_list l;
	uint32_t i;

	xsq_list_init(&l, sizeof(qi[0]), qi, 256);
	if (xsq_ioctl(fd, XSCHED_IOC_LIST_QUEUES, &l))
		return -1;
	*paused = 0;
	for (i = 0; i < l.count && i < 256; i++)
		*paused += qi[i].state == XSCHED_QUEUE_PAUSED;
	return (int)l.count;
}

/* The "<field>: N kB" line of a /proc file (meminfo, status), or -1. */
static inline long xsq_proc_kb(const char *path, const char *field)
{
	size_t len = strlen(field);
	char line[128];
	long kb = -1;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, field, len) && line[len] == ':') {
			kb = atol(line + len + 1);
			break;
		}
	fclose(f);
	return kb;
}

/* SUnreclaim of /proc/meminfo in kB, or -1: a figure, not a check. */
static inline long xsq_sunreclaim_kb(void)
{
	return xsq_proc_kb("/proc/meminfo", "SUnreclaim");
}

/* Polls @fn until it returns true, for at most @ms milliseconds. */
#define XSQ_WAIT_FOR(cond, ms)						\
	({								\
		int _i, _ok = 0;					\
		for (_i = 0; _i < (ms) && !(_ok = !!(cond)); _i++)	\
			usleep(1000);					\
		_ok;							\
	})

#endif /* XSQ_H */
