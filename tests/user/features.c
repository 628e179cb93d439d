// SPDX-License-Identifier: GPL-2.0
/*
 * XSCHED_IOC_GET_FEATURES: the answer, every bad-input case with its exact
 * errno, unknown commands, and the version in sysfs.
 */
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../uapi/xsched.h"
#include "xtest.h"

#ifndef XSCHED_VERSION_EXPECTED
#error "build with -DXSCHED_VERSION_EXPECTED=\"x.y.z\" (tests/user/Makefile)"
#endif

#define SENTINEL_ABI 0x5a5a5a5aU

static void valid(struct xsched_features *f)
{
	memset(f, 0, sizeof(*f));
	f->size = sizeof(*f);
	f->abi_version = SENTINEL_ABI;	/* output field: ignored on input */
}

/* The ioctl must fail with @want and write nothing back. */
static void expect_einval(int fd, const char *name, struct xsched_features *f)
{
	struct xsched_features before = *f;
	int ret = ioctl(fd, XSCHED_IOC_GET_FEATURES, f);
	int err = errno;

	if (ret == -1 && err == EINVAL && !memcmp(&before, f, sizeof(*f)))
		xt_pass(name);
	else
		xt_fail(name, "ret %d errno %s, want EINVAL and no write-back",
			ret, ret == -1 ? strerror(err) : "-");
}

static int read_line(const char *path, char *buf, size_t len)
{
	FILE *fp = fopen(path, "r");

	if (!fp)
		return -errno;
	if (!fgets(buf, (int)len, fp)) {
		fclose(fp);
		return -EIO;
	}
	fclose(fp);
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

static void check_sysfs(const char *name, const char *path, const char *want)
{
	char buf[64];
	int ret = read_line(path, buf, sizeof(buf));

	if (ret)
		xt_fail(name, "%s: %s", path, strerror(-ret));
	else
		xt_check(name, !strcmp(buf, want), "%s reads '%s', want '%s'",
			 path, buf, want);
}

/* GET_FEATURES needs no privilege: run it as nobody in a child. */
static void check_unprivileged(void)
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		struct xsched_features f;
		int fd;

		if (setgid(65534) || setuid(65534))
			_exit(2);
		fd = open("/dev/" XSCHED_DEVICE_NAME, O_RDWR);
		if (fd < 0)
			_exit(3);
		valid(&f);
		_exit(ioctl(fd, XSCHED_IOC_GET_FEATURES, &f) ? 4 : 0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid) {
		xt_fail("unprivileged-user", "fork/wait: %s", strerror(errno));
		return;
	}
	xt_check("unprivileged-user", WIFEXITED(status) && !WEXITSTATUS(status),
		 "child status 0x%x (2 setuid, 3 open, 4 ioctl)", status);
}

int main(void)
{
	struct xsched_features f;
	char ver[16];
	int fd, ret;

	xt_prog = "features";
	xt_plan(21);
	fd = open("/dev/" XSCHED_DEVICE_NAME, O_RDWR);
	if (fd < 0) {
		xt_fail("open", "/dev/%s: %s", XSCHED_DEVICE_NAME,
			strerror(errno));
		return xt_exit();
	}
	xt_pass("open");

	valid(&f);
	ret = ioctl(fd, XSCHED_IOC_GET_FEATURES, &f);
	xt_check("valid-request", ret == 0, "ret %d errno %s", ret,
		 strerror(errno));
	xt_check("abi-version", f.abi_version == XSCHED_ABI_VERSION,
		 "abi_version %u", f.abi_version);
	xt_check("feature-mask", (f.features & XSCHED_FEAT_GET_FEATURES) != 0,
		 "features 0x%llx", (unsigned long long)f.features);
	xt_check("size-kept", f.size == sizeof(f), "size %u", f.size);

	valid(&f); f.size = 0;
	expect_einval(fd, "size-zero-einval", &f);
	valid(&f); f.size = sizeof(f) - 1;
	expect_einval(fd, "size-short-einval", &f);
	valid(&f); f.size = sizeof(f) + 8;
	expect_einval(fd, "size-long-einval", &f);
	valid(&f); f.flags = 1;
	expect_einval(fd, "flag-bit0-einval", &f);
	valid(&f); f.flags = 1U << 31;
	expect_einval(fd, "flag-bit31-einval", &f);
	valid(&f); f.reserved0 = 1;
	expect_einval(fd, "reserved0-einval", &f);
	valid(&f); f.reserved[0] = 1;
	expect_einval(fd, "reserved-first-einval", &f);
	valid(&f); f.reserved[3] = 1ULL << 63;
	expect_einval(fd, "reserved-last-einval", &f);

	valid(&f);
	ret = ioctl(fd, _IOWR(XSCHED_IOC_MAGIC, 0x7f, struct xsched_features), &f);
	xt_check_errno("unknown-nr-enotty", ret, errno, ENOTTY);
	ret = ioctl(fd, _IOWR(XSCHED_IOC_MAGIC, 0x00, uint32_t), &f);
	xt_check_errno("wrong-encoded-size-enotty", ret, errno, ENOTTY);
	ret = ioctl(fd, _IOWR('Y', 0x00, struct xsched_features), &f);
	xt_check_errno("other-magic-enotty", ret, errno, ENOTTY);
	ret = ioctl(fd, XSCHED_IOC_GET_FEATURES, NULL);
	xt_check_errno("null-arg-efault", ret, errno, EFAULT);

	check_unprivileged();

	snprintf(ver, sizeof(ver), "%d", XSCHED_ABI_VERSION);
	check_sysfs("sysfs-version", "/sys/class/misc/xsched/version",
		    XSCHED_VERSION_EXPECTED);
	check_sysfs("sysfs-abi-version", "/sys/class/misc/xsched/abi_version",
		    ver);
	check_sysfs("module-version", "/sys/module/xsched/version",
		    XSCHED_VERSION_EXPECTED);

	close(fd);
	return xt_exit();
}
