// SPDX-License-Identifier: GPL-2.0
/*
 * xsched sysfs against the simulated GPU: every documented file exists,
 * knobs take valid values and refuse malformed ones with -EINVAL leaving
 * the value unchanged, the policy switch and per-queue priority writes
 * take effect at once, and the tracepoints report pauses.
 */
#include <sys/mount.h>
#include <sys/stat.h>

#include "simq.h"
#include "xsq.h"
#include "xtest.h"

static int fd;
static char ddir[128];

static const char *const dom_files[] = {
	"name", "gpu_id", "policy", "poll_us", "resume_delay_us",
	"starvation_ms", "starvation_slice_ms", "hint_ms", "max_changes_per_s",
	"rate_limited", "oscillations", "resume_delay_eff_us", "nr_queues", "level", "decisions", "poll_decisions", "pauses",
	"resumes", "errors", "degraded", "pause_lat_mean_ns",
	"pause_lat_max_ns", "pause_lat_sum_ns", "pause_lat_buckets_ns",
	"pause_lat_hist", "decide_ns", "polls", "poll_ns", "polled",
	"policy_ns", "full_polls", "memo_polls",
};

static const char *const queue_files[] = {
	"priority", "op_priority", "op_source", "pid", "uid", "gpu_id", "queue_id", "state", "busy_ns",
	"paused_ns", "preempt_count", "last_lat_ns", "max_lat_ns",
};

static const char *const malformed[] = {
	"\n", "abc", "-1", "12x", "4294967296", " 5", "0x10", "1.5",
};

static void path(char *buf, size_t len, const char *dir, const char *f)
{
	snprintf(buf, len, "%s/%s", dir, f);
}

/* Up to @room numbers of a one-line sysfs list; how many, or -1. */
static int read_list(const char *p, unsigned long long *v, int room)
{
	char buf[512], *s = buf, *end;
	int n = 0;

	if (xsq_read(p, buf, sizeof(buf)))
		return -1;
	while (*s && n < room) {
		v[n++] = strtoull(s, &end, 10);
		if (end == s)
			return -1;
		s = end + strspn(end, " ");
	}
	return *s ? -1 : n;
}

/*
 * The pause latency histogram: 15 ascending bounds, 16 counts, at
 * least one pause counted, and the largest latency (read first: it is
 * recorded with its count) in the highest bucket that has any.
 */
static int lat_hist_ok(const char *dir, char *why, size_t len)
{
	unsigned long long b[16], h[17], max, total = 0;
	char p[256];
	int nb, nh, i, top = -1;

	path(p, sizeof(p), dir, "pause_lat_max_ns");
	max = (unsigned long long)xsq_read_ll(p);
	path(p, sizeof(p), dir, "pause_lat_buckets_ns");
	nb = read_list(p, b, 16);
	path(p, sizeof(p), dir, "pause_lat_hist");
	nh = read_list(p, h, 17);
	snprintf(why, len, "%d bounds, %d counts", nb, nh);
	if (nb != 15 || nh != 16)
		return 0;
	for (i = 1; i < nb; i++)
		if (b[i] <= b[i - 1])
			return 0;
	for (i = 0; i < nh; i++) {
		total += h[i];
		if (h[i])
			top = i;
	}
	snprintf(why, len, "%llu counted, max %llu ns in bucket %d", total,
		 max, top);
	return total >= 1 && (top == 15 || max <= b[top]) &&
	       (top == 0 || max > b[top - 1]);
}

static int files_present(const char *dir, const char *const *names, int n)
{
	char p[256], v[128];
	int i;

	for (i = 0; i < n; i++) {
		path(p, sizeof(p), dir, names[i]);
		if (xsq_read(p, v, sizeof(v)) || !*v) {
			xt_fail("files", "%s unreadable or empty", p);
			return 0;
		}
	}
	return 1;
}

/* Every malformed or out-of-range write is -EINVAL and changes nothing. */
static void knob_case(const char *knob, const char *good, const char *low,
		      const char *high)
{
	char p[256], before[64], after[64], name[96];
	unsigned int i, bad = 0;
	int ret;

	path(p, sizeof(p), ddir, knob);
	xsq_read(p, before, sizeof(before));
	for (i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++) {
		ret = xsq_write(p, malformed[i]);
		xsq_read(p, after, sizeof(after));
		if (ret != -EINVAL || strcmp(before, after)) {
			xt_fail("knob", "%s <- '%s': %d, now %s", knob,
				malformed[i], ret, after);
			bad++;
		}
	}
	snprintf(name, sizeof(name), "%s/malformed-einval-unchanged", knob);
	xt_check(name, !bad, "%u bad", bad);
	for (i = 0; i < 2; i++) {
		const char *v = i ? high : low;

		if (!v)
			continue;
		ret = xsq_write(p, v);
		xsq_read(p, after, sizeof(after));
		snprintf(name, sizeof(name), "%s/out-of-range-%s", knob,
			 i ? "high" : "low");
		xt_check(name, ret == -EINVAL && !strcmp(before, after),
			 "'%s': %d, now %s", v, ret, after);
	}
	ret = xsq_write(p, good);
	xsq_read(p, after, sizeof(after));
	snprintf(name, sizeof(name), "%s/valid-write", knob);
	xt_check(name, !ret && !strcmp(after, good), "%d, now %s", ret, after);
	xsq_write(p, before);
}

static int qstate(uint32_t id)
{
	return xsq_state(fd, id);
}

int main(void)
{
	struct xsched_domain_info di;
	struct xsched_list l;
	struct simq qlo, qhi;
	char qdir[128], p[256], v[128];
	int sfd, idlo = -1, idhi = -1, ret;

	xt_prog = "sysfs_knobs";
	xt_plan(40);
	fd = xsq_open();
	sfd = open("/dev/" XSCHED_SIM_DEVICE_NAME, O_RDWR);
	xsq_list_init(&l, sizeof(di), &di, 1);
	if (fd < 0 || sfd < 0 || xsq_ioctl(fd, XSCHED_IOC_LIST_DOMAINS, &l) ||
	    simq_create(&qlo, sfd, 0, 0) || simq_create(&qhi, sfd, 0, 11)) {
		xt_fail("setup", "devices, domain or queues unavailable");
		return xt_exit();
	}
	snprintf(ddir, sizeof(ddir), XSQ_SYSFS "/domains/%u", di.gpu_id);
	XSQ_WAIT_FOR((idlo = xsq_find(fd, (uintptr_t)qlo.ring)) > 0 &&
		     (idhi = xsq_find(fd, (uintptr_t)qhi.ring)) > 0, 2000);
	if (idlo <= 0 || idhi <= 0) {
		xt_fail("setup", "queues not adopted");
		return xt_exit();
	}
	snprintf(qdir, sizeof(qdir), XSQ_SYSFS "/queues/%d", idlo);

	xt_check("domain/files", files_present(ddir, dom_files,
		 sizeof(dom_files) / sizeof(dom_files[0])), " ");
	xt_check("queue/files", files_present(qdir, queue_files,
		 sizeof(queue_files) / sizeof(queue_files[0])), " ");
	path(p, sizeof(p), qdir, "pid");
	xt_check("queue/pid", xsq_read_ll(p) == getpid(), "%lld",
		 xsq_read_ll(p));
	path(p, sizeof(p), ddir, "policy");
	xt_check("domain/policy-default", !xsq_read(p, v, sizeof(v)) &&
		 !strcmp(v, "hpf"), "%s", v);

	knob_case("poll_us", "250", "9", "100001");
	knob_case("resume_delay_us", "500", NULL, "1000001");
	knob_case("starvation_ms", "40", NULL, "60001");
	knob_case("starvation_slice_ms", "20", "0", "10001");
	knob_case("hint_ms", "200", "0", "60001");
	knob_case("max_changes_per_s", "50", NULL, "100001");
	path(p, sizeof(p), ddir, "policy");
	ret = xsq_write(p, "bogus");
	xsq_read(p, v, sizeof(v));
	xt_check("policy/unknown-einval-unchanged", ret == -EINVAL &&
		 !strcmp(v, "hpf"), "%d %s", ret, v);
	ret = xsq_write(p, "\n");
	xt_check("policy/empty-line-einval", ret == -EINVAL, "%d", ret);

	/* Both busy: the low queue is paused under hpf. */
	simq_submit(&qlo, 10000000, 60);
	simq_submit(&qhi, 10000000, 60);
	xt_check("hpf/low-paused",
		 XSQ_WAIT_FOR(qstate(idlo) == XSCHED_QUEUE_PAUSED, 1000),
		 "state %d", qstate(idlo));
	ret = xsq_write(p, "none\n");
	xt_check("policy/none-resumes-at-once", !ret &&
		 qstate(idlo) == XSCHED_QUEUE_BUSY, "%d state %d", ret,
		 qstate(idlo));
	ret = xsq_write(p, "hpf");
	xt_check("policy/hpf-pauses-at-once", !ret &&
		 qstate(idlo) == XSCHED_QUEUE_PAUSED, "%d state %d", ret,
		 qstate(idlo));

	/* Priority through sysfs: the low queue overtakes the high one. */
	path(p, sizeof(p), qdir, "priority");
	{
		static const char *const badprio[] = {
			"16", "-1", "abc", "\n", "3x", "4294967296",
		};
		unsigned int i, bad = 0;

		for (i = 0; i < sizeof(badprio) / sizeof(badprio[0]); i++) {
			ret = xsq_write(p, badprio[i]);
			if (ret != -EINVAL || xsq_read_ll(p) != 0)
				bad++;
		}
		xt_check("priority/malformed-einval-unchanged", !bad, "%u bad",
			 bad);
	}
	ret = xsq_write(p, "12");
	xt_check("priority/raise-takes-effect", !ret &&
		 xsq_read_ll(p) == 12 && qstate(idlo) == XSCHED_QUEUE_BUSY &&
		 qstate(idhi) == XSCHED_QUEUE_PAUSED, "%d lo %d hi %d", ret,
		 qstate(idlo), qstate(idhi));
	ret = xsq_write(p, "0");
	/* The level comes down after resume_delay_us (hysteresis). */
	xt_check("priority/lower-takes-effect", !ret &&
		 XSQ_WAIT_FOR(qstate(idlo) == XSCHED_QUEUE_PAUSED &&
			      qstate(idhi) == XSCHED_QUEUE_BUSY, 500),
		 "%d lo %d hi %d", ret,
		 qstate(idlo), qstate(idhi));
	path(p, sizeof(p), qdir, "preempt_count");
	xt_check("queue/preempt-count", xsq_read_ll(p) >= 2, "%lld",
		 xsq_read_ll(p));
	path(p, sizeof(p), qdir, "state");
	xt_check("queue/state-file", !xsq_read(p, v, sizeof(v)) &&
		 !strcmp(v, "paused"), "%s", v);
	path(p, sizeof(p), ddir, "pauses");
	xt_check("domain/pauses-counted", xsq_read_ll(p) >= 2, "%lld",
		 xsq_read_ll(p));
	{
		char why[96];

		xt_check("domain/pause-lat-hist", lat_hist_ok(ddir, why,
			 sizeof(why)), "%s", why);
	}
	path(p, sizeof(p), ddir, "level");
	/* One user's queues, all at the default operator priority. */
	xt_check("domain/level", xsq_read_ll(p) == 7, "%lld", xsq_read_ll(p));

	/* Tracepoints: a pause shows up with its latency. */
	mkdir("/sys/kernel/tracing", 0755);
	mount("nodev", "/sys/kernel/tracing", "tracefs", 0, NULL);
	if (access("/sys/kernel/tracing/events/xsched/xsched_pause", F_OK)) {
		xt_fail("trace/events-present", "no xsched events in tracefs");
	} else {
		char buf[8192];
		int tfd;
		ssize_t n;

		xsq_write("/sys/kernel/tracing/trace", "");
		xsq_write("/sys/kernel/tracing/events/xsched/enable", "1");
		path(p, sizeof(p), qdir, "priority");
		xsq_write(p, "12");
		xsq_write(p, "0");
		/* The resume comes after the resume delay, from the decider. */
		XSQ_WAIT_FOR(qstate(idhi) != XSCHED_QUEUE_PAUSED, 2000);
		xsq_write("/sys/kernel/tracing/events/xsched/enable", "0");
		tfd = open("/sys/kernel/tracing/trace", O_RDONLY);
		n = tfd < 0 ? -1 : read(tfd, buf, sizeof(buf) - 1);
		buf[n > 0 ? n : 0] = 0;
		if (tfd >= 0)
			close(tfd);
		xt_check("trace/pause-resume-decide",
			 strstr(buf, "xsched_pause: gpu_id=") &&
			 strstr(buf, "xsched_resume: gpu_id=") &&
			 strstr(buf, "xsched_decide: gpu_id="), "trace: %.200s",
			 buf);
	}
	simq_destroy(&qlo);
	simq_destroy(&qhi);
	xt_check("queue/dir-removed", XSQ_WAIT_FOR(access(qdir, F_OK), 2000),
		 "%s still there", qdir);
	return xt_exit();
}
