// SPDX-License-Identifier: GPL-2.0
/*
 * libxsched against the simulated GPU: every library call, and each error
 * path with its exact return (no device, unknown queue, bad priority,
 * another user's queue, bad sysfs names and values).
 */
#define _GNU_SOURCE
#include <sys/wait.h>

#include "libxsched.h"
#include "simq.h"
#include "xtest.h"

#define BAD_ID 0x7ffffff0u

static struct xsched *xs;
static struct simq qlo, qhi;
static uint32_t idlo, idhi;

struct fake_hsa_queue {		/* hsa_queue_t's leading fields */
	uint32_t type, features;
	void *base_address;
	uint64_t doorbell;
	uint32_t size, reserved1;
	uint64_t id;
};

static void open_cases(void)
{
	struct xsched *x = NULL;
	uint32_t abi = 0;
	uint64_t feat = 0;

	xt_check_ret("open-path/no-device",
		     xsched_open_path("/dev/xsched-missing", &x), -ENOENT);
	xt_check_ret("open-path/null", xsched_open_path(NULL, &x), -EINVAL);
	xt_check_ret("open", xsched_open(&xs), 0);
	xt_check("fd", xsched_fd(xs) >= 0, "%d", xsched_fd(xs));
	xt_check_ret("fd/null", xsched_fd(NULL), -EINVAL);
	xt_check("get-features", !xsched_get_features(xs, &abi, &feat) &&
		 abi == XSCHED_ABI_VERSION &&
		 (feat & (XSCHED_FEAT_GET_FEATURES | XSCHED_FEAT_QUERY |
			  XSCHED_FEAT_SET_PRIORITY | XSCHED_FEAT_HINTS)) ==
		 (XSCHED_FEAT_GET_FEATURES | XSCHED_FEAT_QUERY |
		  XSCHED_FEAT_SET_PRIORITY | XSCHED_FEAT_HINTS),
		 "abi %u features %llx", abi, (unsigned long long)feat);
	xt_check_ret("get-features/null-ctx",
		     xsched_get_features(NULL, &abi, &feat), -EINVAL);
	xsched_close(NULL);	/* must not crash */
	xt_pass("close/null");
}

static void attach_hsa_cases(void)
{
	struct fake_hsa_queue h = { .base_address = qlo.ring };
	uint32_t id = 0;
	uint64_t t0;

	xt_check("attach-hsa/lo", !xsched_attach_hsa_queue(xs, &h, &idlo) &&
		 idlo > 0, "id %u", idlo);
	h.base_address = qhi.ring;
	xt_check("attach-hsa/hi", !xsched_attach_hsa_queue(xs, &h, &idhi) &&
		 idhi > 0 && idhi != idlo, "id %u", idhi);
	h.base_address = (void *)0x1000;
	t0 = simq_now_ns();
	xt_check_ret("attach-hsa/unknown-ring-enoent",
		     xsched_attach_hsa_queue(xs, &h, &id), -ENOENT);
	xt_check("attach-hsa/unknown-ring-gives-up",
		 simq_now_ns() - t0 < 5000000000ULL, "took %llu ms",
		 (unsigned long long)(simq_now_ns() - t0) / 1000000);
	h.base_address = NULL;
	xt_check_ret("attach-hsa/null-ring", xsched_attach_hsa_queue(xs, &h, &id),
		     -EINVAL);
	xt_check_ret("attach-hsa/null-queue",
		     xsched_attach_hsa_queue(xs, NULL, &id), -EINVAL);
}

static void list_cases(void)
{
	struct xsched_domain_info di[8], *dp = NULL;
	struct xsched_queue_info qi[8], *qp = NULL;
	uint32_t n = 0, m = 0, i;
	int found = 0, ret;

	ret = xsched_list_domains(xs, NULL, 0, &n);
	xt_check("list-domains/count", !ret && n >= 1, "ret %d n %u", ret, n);
	ret = xsched_list_domains(xs, di, 8, &n);
	xt_check("list-domains/fill", !ret && n >= 1 && di[0].gpu_id == qlo.gpu_id &&
		 !strcmp(di[0].policy, "hpf"), "ret %d gpu %u", ret, di[0].gpu_id);
	xt_check_ret("list-domains/room-without-array",
		     xsched_list_domains(xs, NULL, 4, &n), -EINVAL);
	xt_check_ret("list-domains/null-count",
		     xsched_list_domains(xs, di, 8, NULL), -EINVAL);
	ret = xsched_get_domains(xs, &dp, &m);
	xt_check("get-domains", !ret && m == n && dp &&
		 dp[0].gpu_id == di[0].gpu_id, "ret %d m %u n %u", ret, m, n);
	free(dp);

	ret = xsched_list_queues(xs, XSCHED_LIST_MINE, 0, qi, 8, &n);
	for (i = 0; !ret && i < n && i < 8; i++)
		found += (qi[i].id == idlo && qi[i].ring_va == (uintptr_t)qlo.ring) +
			 (qi[i].id == idhi && qi[i].priority == 11);
	xt_check("list-queues/mine", !ret && n == 2 && found == 2,
		 "ret %d n %u found %d", ret, n, found);
	ret = xsched_list_queues(xs, XSCHED_LIST_GPU_ID, qlo.gpu_id, NULL, 0, &n);
	xt_check("list-queues/gpu-count", !ret && n >= 2, "ret %d n %u", ret, n);
	xt_check_ret("list-queues/unknown-gpu-enoent",
		     xsched_list_queues(xs, XSCHED_LIST_GPU_ID, 0xdead, qi, 8, &n),
		     -ENOENT);
	xt_check_ret("list-queues/unknown-flag-einval",
		     xsched_list_queues(xs, 1u << 9, 0, qi, 8, &n), -EINVAL);
	ret = xsched_get_queues(xs, XSCHED_LIST_MINE, 0, &qp, &m);
	xt_check("get-queues/mine", !ret && m == 2 && qp, "ret %d m %u", ret, m);
	free(qp);
	xt_check_ret("get-queues/null-out",
		     xsched_get_queues(xs, 0, 0, NULL, &m), -EINVAL);
}

/* The simulator's domains: names say "simulated", nothing to open. */
static void device_cases(void)
{
	struct xsched_device d;
	int ret;

	ret = xsched_domain_device(xs, qlo.gpu_id, &d);
	xt_check("domain-device/simulated", !ret && d.gpu_id == qlo.gpu_id &&
		 (d.flags & XSCHED_DEVICE_SIMULATED) &&
		 !(d.flags & XSCHED_DEVICE_DRM_NAME) &&
		 !strncmp(d.name, "simulated MI300X node ", 22) &&
		 !d.render_node[0] && !d.pci_address[0] && d.render_minor == -1 &&
		 d.kfd_node == -1 && d.partition == 0 && d.partitions >= 1 &&
		 d.drm_error == -ENODEV,
		 "ret %d flags %x name '%s' part %u/%u", ret, d.flags, d.name,
		 d.partition, d.partitions);
	xt_check_ret("domain-device/unknown-gpu-enoent",
		     xsched_domain_device(xs, 0xdead, &d), -ENOENT);
	xt_check_ret("domain-device/null-out-einval",
		     xsched_domain_device(xs, qlo.gpu_id, NULL), -EINVAL);
	/* Without a handle only KFD's topology is asked; the guest has none. */
	xt_check_ret("domain-device/no-handle-no-kfd-enoent",
		     xsched_domain_device(NULL, qlo.gpu_id, &d), -ENOENT);
}

static void queue_cases(void)
{
	struct xsched_queue_info qi;
	int ret;

	ret = xsched_queue_info(xs, idlo, &qi);
	xt_check("queue-info", !ret && qi.id == idlo && qi.pid == getpid() &&
		 qi.priority == 0 && qi.ring_va == (uintptr_t)qlo.ring,
		 "ret %d prio %u", ret, qi.priority);
	xt_check_ret("queue-info/unknown-enoent",
		     xsched_queue_info(xs, BAD_ID, &qi), -ENOENT);
	xt_check_ret("queue-info/null", xsched_queue_info(xs, idlo, NULL),
		     -EINVAL);

	xt_check_ret("set-priority", xsched_set_priority(xs, idlo, 5), 0);
	ret = xsched_queue_info(xs, idlo, &qi);
	xt_check("set-priority/took-effect", !ret && qi.priority == 5,
		 "priority %u", qi.priority);
	xt_check_ret("set-priority/too-high-einval",
		     xsched_set_priority(xs, idlo, XSCHED_PRIO_MAX + 1), -EINVAL);
	xt_check_ret("set-priority/unknown-enoent",
		     xsched_set_priority(xs, BAD_ID, 3), -ENOENT);
	xt_check_ret("set-priority/restore", xsched_set_priority(xs, idlo, 0), 0);

	xt_check_ret("hint-begin", xsched_hint_begin(xs, idlo), 0);
	ret = xsched_queue_info(xs, idlo, &qi);
	xt_check("hint-begin/hinted", !ret && (qi.flags & XSCHED_QUEUE_HINTED),
		 "flags %x", qi.flags);
	xt_check_ret("hint-end", xsched_hint_end(xs, idlo), 0);
	ret = xsched_queue_info(xs, idlo, &qi);
	xt_check("hint-end/cleared", !ret && !(qi.flags & XSCHED_QUEUE_HINTED),
		 "flags %x", qi.flags);
	xt_check_ret("hint-begin/unknown-enoent", xsched_hint_begin(xs, BAD_ID),
		     -ENOENT);
	xt_check_ret("hint-end/unknown-enoent", xsched_hint_end(xs, BAD_ID),
		     -ENOENT);

	xt_check("state-names", !strcmp(xsched_queue_state_name(0), "idle") &&
		 !strcmp(xsched_queue_state_name(1), "busy") &&
		 !strcmp(xsched_queue_state_name(2), "paused") &&
		 !strcmp(xsched_queue_state_name(9), "unknown"), "names");
}

static void nobody_cases(void)
{
	pid_t pid;
	int st;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct xsched *x;

		xt_prog = "lib_calls/nobody";
		if (setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534) || xsched_open(&x)) {
			xt_fail("setup", "cannot drop to nobody or open");
			_exit(1);
		}
		xt_check_ret("set-priority/other-user-eperm",
			     xsched_set_priority(x, idhi, 1), -EPERM);
		xt_check_ret("hint-begin/other-user-eperm",
			     xsched_hint_begin(x, idhi), -EPERM);
		xt_check_ret("set-policy/not-root-eacces",
			     xsched_domain_set_policy(qlo.gpu_id, "none"), -EACCES);
		xsched_close(x);
		_exit(xt_nfail ? 1 : 0);
	}
	xt_check("nobody/exit", pid > 0 && waitpid(pid, &st, 0) == pid &&
		 WIFEXITED(st) && WEXITSTATUS(st) == 0, "child failed");
}

static void sysfs_cases(void)
{
	uint32_t g = qlo.gpu_id;
	uint64_t v = 0, old = 0;
	char pol[32];
	int ret;

	ret = xsched_domain_get_policy(g, pol, sizeof(pol));
	xt_check("get-policy", !ret && !strcmp(pol, "hpf"), "ret %d '%s'", ret, pol);
	xt_check_ret("set-policy/none", xsched_domain_set_policy(g, "none"), 0);
	ret = xsched_domain_get_policy(g, pol, sizeof(pol));
	xt_check("set-policy/took-effect", !ret && !strcmp(pol, "none"), "'%s'", pol);
	xt_check_ret("set-policy/unknown-einval",
		     xsched_domain_set_policy(g, "fifo"), -EINVAL);
	xt_check_ret("set-policy/newline-einval",
		     xsched_domain_set_policy(g, "hpf\n"), -EINVAL);
	xt_check_ret("set-policy/restore", xsched_domain_set_policy(g, "hpf"), 0);
	xt_check_ret("get-policy/unknown-gpu-enoent",
		     xsched_domain_get_policy(0xdead, pol, sizeof(pol)), -ENOENT);

	ret = xsched_domain_get_attr(g, "resume_delay_us", &old);
	xt_check("get-attr/knob", !ret && old == 200, "ret %d v %llu", ret,
		 (unsigned long long)old);
	xt_check_ret("set-knob", xsched_domain_set_knob(g, "resume_delay_us", 345), 0);
	ret = xsched_domain_get_attr(g, "resume_delay_us", &v);
	xt_check("set-knob/took-effect", !ret && v == 345, "v %llu",
		 (unsigned long long)v);
	xt_check_ret("set-knob/restore",
		     xsched_domain_set_knob(g, "resume_delay_us", old), 0);
	xt_check_ret("set-knob/read-only-einval",
		     xsched_domain_set_knob(g, "decisions", 1), -EINVAL);
	xt_check_ret("set-knob/unknown-einval",
		     xsched_domain_set_knob(g, "bogus", 1), -EINVAL);
	ret = xsched_domain_get_attr(g, "decisions", &v);
	xt_check("get-attr/counter", !ret, "ret %d", ret);
	xt_check_ret("get-attr/non-numeric-einval",
		     xsched_domain_get_attr(g, "name", &v), -EINVAL);
	xt_check_ret("get-attr/path-einval",
		     xsched_domain_get_attr(g, "../version", &v), -EINVAL);
	xt_check_ret("get-attr/missing-enoent",
		     xsched_domain_get_attr(g, "no_such_attr", &v), -ENOENT);
}

int main(void)
{
	int sfd;

	xt_prog = "lib_calls";
	xt_plan(65);
	open_cases();
	sfd = open("/dev/" XSCHED_SIM_DEVICE_NAME, O_RDWR);
	if (!xs || sfd < 0 || simq_create(&qlo, sfd, 0, 0) ||
	    simq_create(&qhi, sfd, 0, 11)) {
		xt_fail("setup", "no xsched or simulator");
		return xt_exit();
	}
	attach_hsa_cases();
	list_cases();
	device_cases();
	queue_cases();
	nobody_cases();
	sysfs_cases();
	simq_destroy(&qlo);
	simq_destroy(&qhi);
	close(sfd);
	xsched_close(xs);
	return xt_exit();
}
