/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Minimal test reporting for tests/user programs.  Each case prints one
 * line "XT PASS|FAIL|SKIP <program>/<case> [reason]" that the QEMU harness
 * collects; the program exits 0 (all passed), 1 (a case failed) or 77
 * (everything skipped).
 */
#ifndef XTEST_H
#define XTEST_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *xt_prog = "test";
static int xt_npass, xt_nfail, xt_nskip;

static __attribute__((unused)) void xt_report(const char *status, const char *name, const char *fmt,
		      va_list ap)
{
	printf("XT %s %s/%s", status, xt_prog, name);
	if (fmt && *fmt) {
		printf(" (");
		vprintf(fmt, ap);
		printf(")");
	}
	printf("\n");
	fflush(stdout);
}

static __attribute__((unused)) void xt_pass(const char *name)
{
	va_list ap;

	xt_npass++;
	xt_report("PASS", name, NULL, ap);
}

static void __attribute__((format(printf, 2, 3)))
__attribute__((unused)) xt_fail(const char *name, const char *fmt, ...)
{
	va_list ap;

	xt_nfail++;
	va_start(ap, fmt);
	xt_report("FAIL", name, fmt, ap);
	va_end(ap);
}

static void __attribute__((format(printf, 2, 3)))
__attribute__((unused)) xt_skip(const char *name, const char *fmt, ...)
{
	va_list ap;

	xt_nskip++;
	va_start(ap, fmt);
	xt_report("SKIP", name, fmt, ap);
	va_end(ap);
}

/* A case passes iff @cond holds. */
static void __attribute__((format(printf, 3, 4)))
__attribute__((unused)) xt_check(const char *name, int cond, const char *fmt, ...)
{
	va_list ap;

	if (cond) {
		xt_pass(name);
		return;
	}
	xt_nfail++;
	va_start(ap, fmt);
	xt_report("FAIL", name, fmt, ap);
	va_end(ap);
}

/* A syscall returning -1/errno must have failed with exactly @want. */
static __attribute__((unused)) void xt_check_errno(const char *name, int ret, int err, int want)
{
	if (ret == -1 && err == want)
		xt_pass(name);
	else
		xt_fail(name, "ret %d errno %s, want -1 errno %s", ret,
			ret == -1 ? strerror(err) : "-", strerror(want));
}

/* A call returning 0 or -errno must have returned exactly @want. */
static __attribute__((unused)) void xt_check_ret(const char *name, int ret, int want)
{
	if (ret == want)
		xt_pass(name);
	else
		xt_fail(name, "returned %d (%s), want %d (%s)", ret,
			ret ? strerror(-ret) : "ok", want,
			want ? strerror(-want) : "ok");
}

/*
 * Declares how many cases the program reports (its children included):
 * the harness fails a run that reports another number, or none.
 */
static __attribute__((unused)) void xt_plan(int n)
{
	printf("XT PLAN %s %d\n", xt_prog, n);
	fflush(stdout);
}

static __attribute__((unused)) int xt_exit(void)
{
	if (xt_nfail)
		return 1;
	if (!xt_npass && xt_nskip)
		return 77;
	return 0;
}

#endif /* XTEST_H */
