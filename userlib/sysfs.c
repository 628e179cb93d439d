// SPDX-License-Identifier: LGPL-2.1 OR MIT
/*
 * libxsched: a domain's policy and knobs in sysfs, the source of truth for
 * them (the ioctls report the policy name but cannot change it).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

static const char *const xs_knobs[] = {
	"poll_us", "resume_delay_us", "starvation_ms",
};

static int xs_domain_path(char *p, size_t len, uint32_t gpu_id,
			  const char *attr)
{
	size_t i;

	if (!attr || !*attr)
		return -EINVAL;
	for (i = 0; attr[i]; i++)	/* a file name, not a path */
		if (attr[i] == '/' || (attr[i] == '.' && i == 0))
			return -EINVAL;
	if ((size_t)snprintf(p, len, XSCHED_SYSFS_PATH "/domains/%" PRIu32 "/%s",
			     gpu_id, attr) >= len)
		return -ENAMETOOLONG;
	return 0;
}

/*
 * Reads a small text file (sysfs, KFD topology) into @buf, without its
 * trailing newline and spaces; 0 or -errno.
 */
int xs_read_file(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	if (len < 2)
		return -EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0)
		n = -errno;
	close(fd);
	if (n < 0)
		return (int)n;
	buf[n] = 0;
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = 0;
	return 0;
}

static int xs_write(const char *path, const char *val)
{
	size_t len = strlen(val);
	ssize_t n;
	int fd;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, val, len);
	if (n < 0)
		n = -errno;
	else if ((size_t)n != len)
		n = -EIO;
	else
		n = 0;
	close(fd);
	return (int)n;
}

XS_EXPORT int xsched_domain_get_policy(uint32_t gpu_id, char *buf, size_t len)
{
	char p[256];
	int ret;

	if (!buf)
		return -EINVAL;
	ret = xs_domain_path(p, sizeof(p), gpu_id, "policy");
	return ret ? ret : xs_read_file(p, buf, len);
}

XS_EXPORT int xsched_domain_set_policy(uint32_t gpu_id, const char *policy)
{
	char p[256];
	int ret;

	if (!policy || !*policy || strchr(policy, '\n'))
		return -EINVAL;
	ret = xs_domain_path(p, sizeof(p), gpu_id, "policy");
	return ret ? ret : xs_write(p, policy);
}

XS_EXPORT int xsched_domain_get_attr(uint32_t gpu_id, const char *attr,
				     uint64_t *val)
{
	char p[256], buf[64], *end;
	unsigned long long v;
	int ret;

	if (!val)
		return -EINVAL;
	ret = xs_domain_path(p, sizeof(p), gpu_id, attr);
	if (!ret)
		ret = xs_read_file(p, buf, sizeof(buf));
	if (ret)
		return ret;
	errno = 0;
	v = strtoull(buf, &end, 0);
	if (end == buf || *end || errno)
		return -EINVAL;	/* not a numeric attribute */
	*val = v;
	return 0;
}

XS_EXPORT int xsched_domain_set_knob(uint32_t gpu_id, const char *knob,
				     uint64_t val)
{
	char p[256], buf[32];
	size_t i;
	int ret;

	for (i = 0; i < sizeof(xs_knobs) / sizeof(xs_knobs[0]); i++)
		if (knob && !strcmp(knob, xs_knobs[i]))
			break;
	if (i == sizeof(xs_knobs) / sizeof(xs_knobs[0]))
		return -EINVAL;
	ret = xs_domain_path(p, sizeof(p), gpu_id, knob);
	if (ret)
		return ret;
	snprintf(buf, sizeof(buf), "%" PRIu64, val);
	return xs_write(p, buf);
}
