// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/xsched ABI v1 against the simulated GPU: every ioctl, each error
 * with its errno, what an unprivileged process may do to its own queues,
 * hints (synchronous preemption, and their end when the fd closes).
 */
#define _GNU_SOURCE
#include <sys/prctl.h>
#include <sys/wait.h>

#include "simq.h"
#include "xsq.h"
#include "xtest.h"

static int fd, sfd;
static struct simq qlo, qhi;
static int idlo, idhi;

static void list_cases(void)
{
	struct xsched_domain_info di[8];
	struct xsched_queue_info qi[8];
	struct xsched_list l;
	int ret, i, found = 0;

	xsq_list_init(&l, sizeof(di[0]), NULL, 0);
	ret = xsq_ioctl(fd, XSCHED_IOC_LIST_DOMAINS, &l);
	xt_check("list-domains/count-only", !ret && l.count >= 1,
		 "ret %d count %u", ret, l.count);
	xsq_list_init(&l, sizeof(di[0]), di, 8);
	ret = xsq_ioctl(fd, XSCHED_IOC_LIST_DOMAINS, &l);
	xt_check("list-domains/fill", !ret && l.count >= 1 &&
		 di[0].gpu_id == qlo.gpu_id && strstr(di[0].name, "simulated") &&
		 !strcmp(di[0].policy, "hpf") && di[0].nr_queues >= 2,
		 "ret %d gpu %u name '%s' policy '%s' nq %u", ret,
		 di[0].gpu_id, di[0].name, di[0].policy, di[0].nr_queues);

	struct {
		const char *name;
		int field, want;
	} bad[] = {
		{ "size", 0, -EINVAL }, { "flags", 1, -EINVAL },
		{ "entry-size", 2, -EINVAL }, { "room-without-array", 3, -EINVAL },
		{ "reserved0", 4, -EINVAL }, { "reserved", 5, -EINVAL },
		{ "gpu-id-without-flag", 6, -EINVAL }, { "bad-array", 7, -EFAULT },
	};
	for (i = 0; i < (int)(sizeof(bad) / sizeof(bad[0])); i++) {
		char name[64];

		xsq_list_init(&l, sizeof(di[0]), di, 8);
		switch (bad[i].field) {
		case 0: l.size--; break;
		case 1: l.flags = 1U << 7; break;
		case 2: l.entry_size += 8; break;
		case 3: l.entries = 0; break;
		case 4: l.reserved0 = 1; break;
		case 5: l.reserved[1] = 1; break;
		case 6: l.gpu_id = qlo.gpu_id; break;
		case 7: l.entries = 8; break;
		}
		snprintf(name, sizeof(name), "list-domains/bad-%s", bad[i].name);
		l.count = bad[i].field == 3 ? 4 : l.count;
		xt_check_ret(name, xsq_ioctl(fd, XSCHED_IOC_LIST_DOMAINS, &l),
			     bad[i].want);
	}

	ret = xsq_my_queues(fd, qi, 8);
	for (i = 0; i < ret && i < 8; i++)
		found += (qi[i].id == (uint32_t)idlo && qi[i].priority == 0 &&
			  qi[i].ring_va == (uintptr_t)qlo.ring) ||
			 (qi[i].id == (uint32_t)idhi && qi[i].priority == 11 &&
			  qi[i].ring_va == (uintptr_t)qhi.ring);
	xt_check("list-queues/mine", ret == 2 && found == 2 &&
		 qi[0].pid == getpid() && qi[0].uid == 0,
		 "ret %d found %d pid %d", ret, found, qi[0].pid);
	xsq_list_init(&l, sizeof(qi[0]), qi, 8);
	l.flags = XSCHED_LIST_GPU_ID | XSCHED_LIST_MINE;
	l.gpu_id = qlo.gpu_id;
	ret = xsq_ioctl(fd, XSCHED_IOC_LIST_QUEUES, &l);
	xt_check("list-queues/gpu-filter", !ret && l.count == 2,
		 "ret %d count %u", ret, l.count);
	l.gpu_id = 0xdeadbeef;
	xt_check_ret("list-queues/unknown-gpu",
		     xsq_ioctl(fd, XSCHED_IOC_LIST_QUEUES, &l), -ENOENT);
	xsq_list_init(&l, sizeof(qi[0]), qi, 1);
	ret = xsq_ioctl(fd, XSCHED_IOC_LIST_QUEUES, &l);
	xt_check("list-queues/short-room-reports-total",
		 !ret && l.count >= 2, "ret %d count %u", ret, l.count);
	xt_check_ret("list-queues/domain-entry-size",
		     (xsq_list_init(&l, sizeof(struct xsched_domain_info), qi, 1),
		      xsq_ioctl(fd, XSCHED_IOC_LIST_QUEUES, &l)), -EINVAL);
}

static void info_cases(void)
{
	struct xsched_queue_query a;
	struct xsched_queue_info qi;
	int ret = xsq_info(fd, idhi, &qi);

	xt_check("queue-info/fields", !ret && qi.id == (uint32_t)idhi &&
		 qi.gpu_id == qhi.gpu_id && qi.pid == getpid() &&
		 qi.queue_id == qhi.queue_id && qi.priority == 11 &&
		 qi.ring_va == (uintptr_t)qhi.ring,
		 "ret %d id %u prio %u", ret, qi.id, qi.priority);
	xt_check_ret("queue-info/unknown-id", xsq_info(fd, 0x7ffffff0, &qi),
		     -ENOENT);
	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.id = idhi;
	a.reserved0 = 1;
	xt_check_ret("queue-info/reserved0",
		     xsq_ioctl(fd, XSCHED_IOC_QUEUE_INFO, &a), -EINVAL);
	a.reserved0 = 0;
	a.flags = 1;
	xt_check_ret("queue-info/flags",
		     xsq_ioctl(fd, XSCHED_IOC_QUEUE_INFO, &a), -EINVAL);
	xt_check_ret("queue-info/null-arg",
		     xsq_ioctl(fd, XSCHED_IOC_QUEUE_INFO, NULL), -EFAULT);
	xt_check_ret("queue-info/wrong-encoded-size",
		     xsq_ioctl(fd, _IOWR('X', 0x03, struct xsched_list), &a),
		     -ENOTTY);
}

static void priority_cases(void)
{
	struct xsched_set_priority a;
	struct xsched_queue_info qi;
	int ret;

	xt_check_ret("set-priority/out-of-range", xsq_set_prio(fd, idlo, 16),
		     -EINVAL);
	xt_check_ret("set-priority/unknown-id",
		     xsq_set_prio(fd, 0x7ffffff0, 1), -ENOENT);
	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.id = idlo;
	a.reserved[0] = 1;
	xt_check_ret("set-priority/reserved",
		     xsq_ioctl(fd, XSCHED_IOC_SET_PRIORITY, &a), -EINVAL);
	xt_check_ret("set-priority/root-raises", xsq_set_prio(fd, idlo, 3), 0);
	ret = xsq_info(fd, idlo, &qi);
	xt_check("set-priority/visible", !ret && qi.priority == 3,
		 "priority %u", qi.priority);
	xt_check_ret("set-priority/root-lowers", xsq_set_prio(fd, idlo, 0), 0);
}

/* An unprivileged process: its own queues only. */
static void unprivileged_cases(void)
{
	pid_t pid;
	int st;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct xsched_queue_info qi;
		struct simq q;
		int cfd, csfd, id;

		xt_prog = "uapi_v1/nobody";
		if (setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534)) {
			xt_fail("setuid", "%s", strerror(errno));
			_exit(1);
		}
		cfd = xsq_open();
		csfd = open("/dev/" XSCHED_SIM_DEVICE_NAME, O_RDWR);
		if (cfd < 0 || csfd < 0 || simq_create(&q, csfd, 0, 5)) {
			xt_fail("setup", "cannot open or create as nobody");
			_exit(1);
		}
		XSQ_WAIT_FOR((id = xsq_find(cfd, (uintptr_t)q.ring)) > 0, 2000);
		xt_check("own-queue-listed", id > 0, "%d", id);
		xt_check_ret("lower-own", xsq_set_prio(cfd, id, 2), 0);
		xt_check_ret("same-own", xsq_set_prio(cfd, id, 2), 0);
		/* Own priorities order only the owner's queues: any is allowed. */
		xt_check_ret("raise-own", xsq_set_prio(cfd, id, 4), 0);
		st = xsq_info(cfd, id, &qi);
		xt_check("raise-own-visible",
			 !st && qi.priority == 4, "priority %u", qi.priority);
		xt_check_ret("lower-other-users", xsq_set_prio(cfd, idhi, 1),
			     -EPERM);
		xt_check_ret("hint-other-users",
			     xsq_hint(cfd, idhi, XSCHED_HINT_BEGIN), -EPERM);
		xt_check_ret("hint-own", xsq_hint(cfd, id, XSCHED_HINT_END), 0);
		st = xsq_info(cfd, idhi, &qi);
		xt_check("other-users-ring-va-hidden",
			 !st && qi.ring_va == 0 &&
			 qi.uid == 0, "ring_va %llx uid %u",
			 (unsigned long long)qi.ring_va, qi.uid);
		simq_destroy(&q);
		_exit(xt_nfail ? 1 : 0);
	}
	xt_check("unprivileged/exit", pid > 0 && waitpid(pid, &st, 0) == pid &&
		 WIFEXITED(st) && WEXITSTATUS(st) == 0, "child failed");
}

static void hint_cases(void)
{
	struct xsched_queue_info qi;
	int fd2, ret;

	/* Low priority: busy for a while; nothing above it is busy. */
	ret = simq_submit(&qlo, 10000000, 40);
	XSQ_WAIT_FOR(xsq_state(fd, idlo) == XSCHED_QUEUE_BUSY, 1000);
	xt_check("hint/low-busy-runs", !ret &&
		 xsq_state(fd, idlo) == XSCHED_QUEUE_BUSY, "state %d",
		 xsq_state(fd, idlo));
	/* The decision is made inside the ioctl: no poll to wait for. */
	ret = xsq_hint(fd, idhi, XSCHED_HINT_BEGIN);
	xt_check("hint/begin-preempts-at-once", !ret &&
		 xsq_state(fd, idlo) == XSCHED_QUEUE_PAUSED,
		 "ret %d low state %d", ret, xsq_state(fd, idlo));
	ret = xsq_info(fd, idhi, &qi);
	xt_check("hint/begin-flag", !ret && qi.flags & XSCHED_QUEUE_HINTED &&
		 qi.state == XSCHED_QUEUE_BUSY, "flags %x state %u", qi.flags,
		 qi.state);
	ret = xsq_info(fd, idlo, &qi);
	xt_check("hint/preempt-counted", !ret && qi.preempt_count >= 1 && qi.last_lat_ns > 0,
		 "count %llu lat %llu", (unsigned long long)qi.preempt_count,
		 (unsigned long long)qi.last_lat_ns);
	xt_check_ret("hint/end", xsq_hint(fd, idhi, XSCHED_HINT_END), 0);
	xt_check("hint/end-resumes",
		 XSQ_WAIT_FOR(xsq_state(fd, idlo) == XSCHED_QUEUE_BUSY, 500),
		 "low state %d", xsq_state(fd, idlo));
	xt_check_ret("hint/unknown-hint", xsq_hint(fd, idhi, 3), -EINVAL);
	xt_check_ret("hint/zero-hint", xsq_hint(fd, idhi, 0), -EINVAL);
	xt_check_ret("hint/unknown-id",
		     xsq_hint(fd, 0x7ffffff0, XSCHED_HINT_BEGIN), -ENOENT);

	/* A BEGIN ends with the file it came through. */
	fd2 = xsq_open();
	ret = xsq_hint(fd2, idhi, XSCHED_HINT_BEGIN);
	xt_check("hint/second-fd-preempts", !ret &&
		 xsq_state(fd, idlo) == XSCHED_QUEUE_PAUSED, "ret %d", ret);
	close(fd2);
	ret = xsq_info(fd, idhi, &qi);
	xt_check("hint/ends-with-fd", !ret && !(qi.flags & XSCHED_QUEUE_HINTED) &&
		 XSQ_WAIT_FOR(xsq_state(fd, idlo) == XSCHED_QUEUE_BUSY, 500),
		 "flags %x low state %d", qi.flags, xsq_state(fd, idlo));
}

int main(void)
{
	struct xsched_features f;

	xt_prog = "uapi_v1";
	xt_plan(51);
	fd = xsq_open();
	sfd = open("/dev/" XSCHED_SIM_DEVICE_NAME, O_RDWR);
	if (fd < 0 || sfd < 0 || simq_create(&qlo, sfd, 0, 0) ||
	    simq_create(&qhi, sfd, 0, 11)) {
		xt_fail("setup", "devices or queues unavailable");
		return xt_exit();
	}
	memset(&f, 0, sizeof(f));
	f.size = sizeof(f);
	xt_check("features/v1-bits", !xsq_ioctl(fd, XSCHED_IOC_GET_FEATURES, &f) &&
		 (f.features & (XSCHED_FEAT_QUERY | XSCHED_FEAT_SET_PRIORITY |
				XSCHED_FEAT_HINTS)) ==
		 (XSCHED_FEAT_QUERY | XSCHED_FEAT_SET_PRIORITY |
		  XSCHED_FEAT_HINTS), "features %llx",
		 (unsigned long long)f.features);
	/* Queues become XQueues through the provider's events. */
	XSQ_WAIT_FOR((idlo = xsq_find(fd, (uintptr_t)qlo.ring)) > 0 &&
		     (idhi = xsq_find(fd, (uintptr_t)qhi.ring)) > 0, 2000);
	xt_check("queues-adopted", idlo > 0 && idhi > 0, "lo %d hi %d", idlo,
		 idhi);
	if (idlo <= 0 || idhi <= 0)
		return xt_exit();
	list_cases();
	info_cases();
	priority_cases();
	unprivileged_cases();
	hint_cases();
	simq_destroy(&qlo);
	simq_destroy(&qhi);
	xt_check("destroyed-queues-leave",
		 XSQ_WAIT_FOR(xsq_state(fd, idlo) < 0 && xsq_state(fd, idhi) < 0,
			      2000), "still listed");
	return xt_exit();
}
