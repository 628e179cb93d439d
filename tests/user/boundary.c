// SPDX-License-Identifier: GPL-2.0
/*
 * The provider boundary seen from userspace (docs/architecture.md):
 *  - a node removed with queues paused takes its domain and queues with
 *    it, and once added back is scheduled again, nothing left paused;
 *  - the pages xsched pins to watch a queue are charged to the owner
 *    (VmPin) and the charge goes with the queue; over RLIMIT_MEMLOCK the
 *    queue is still scheduled, without activity reading;
 *  - a simulated-GPU file is usable only by the process that opened it,
 *    as amdkfd's /dev/kfd (-EBADF).
 */
#define _GNU_SOURCE
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "simq.h"
#include "xsq.h"
#include "xtest.h"

#define MS 1000000ULL
#define BOUNDARY_CASES 20
#define NOBODY 65534

static uint32_t gpu;

static int node_ctl(int fd, uint32_t gpu_id, uint32_t op)
{
	struct xsched_sim_node_ctl a;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.gpu_id = gpu_id;
	a.op = op;
	return simq_ioctl(fd, XSCHED_SIM_IOC_NODE_CTL, &a);
}

static int domain_exists(void)
{
	char d[128];
	struct stat st;

	snprintf(d, sizeof(d), XSQ_SYSFS "/domains/%u", gpu);
	return stat(d, &st) == 0;
}

/* VmPin of this process in kB, or -1. */
static long vm_pin_kb(void)
{
	return xsq_proc_kb("/proc/self/status", "VmPin");
}

/* Both queues busy for a while; the low one paused by xsched. */
static int busy_pair(struct simq *hi, struct simq *lo, int sfd, int xfd,
		     int *lo_id)
{
	if (simq_create(lo, sfd, gpu, 0) || simq_create(hi, sfd, gpu, 13))
		return -1;
	if (!XSQ_WAIT_FOR((*lo_id = xsq_find(xfd, (uintptr_t)lo->ring)) > 0 &&
			  xsq_find(xfd, (uintptr_t)hi->ring) > 0, 2000))
		return -1;
	if (simq_submit(lo, 2000 * MS, 1) || simq_submit(hi, 2000 * MS, 1))
		return -1;
	return XSQ_WAIT_FOR(xsq_state(xfd, *lo_id) == XSCHED_QUEUE_PAUSED,
			    2000) ? 0 : -1;
}

static void node_cases(int sfd, int xfd)
{
	struct simq hi, lo, hi2, lo2;
	int lo_id = -1, ret, ok;
	pid_t pid;
	int st;

	xt_check_ret("node-ctl/bad-op-einval", node_ctl(sfd, gpu, 7), -EINVAL);
	xt_check_ret("node-ctl/unknown-node-enodev", node_ctl(sfd, 0x1, 1),
		     -ENODEV);
	xt_check_ret("node-ctl/add-present-ealready",
		     node_ctl(sfd, gpu, XSCHED_SIM_NODE_ADD), -EALREADY);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		int cfd;

		if (setresuid(NOBODY, NOBODY, NOBODY))
			_exit(2);
		cfd = open("/dev/" XSCHED_SIM_DEVICE_NAME, O_RDWR);
		_exit(cfd >= 0 &&
		      node_ctl(cfd, gpu, XSCHED_SIM_NODE_REMOVE) == -EPERM ?
		      0 : 1);
	}
	st = -1;
	ok = pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
	     !WEXITSTATUS(st);
	xt_check("node-ctl/unprivileged-eperm", ok, "status 0x%x", st);

	ok = !busy_pair(&hi, &lo, sfd, xfd, &lo_id);
	xt_check("node-gone/low-paused-before", ok, "low state %d",
		 xsq_state(xfd, lo_id));
	ret = node_ctl(sfd, gpu, XSCHED_SIM_NODE_REMOVE);
	xt_check_ret("node-gone/remove", ret, 0);
	xt_check("node-gone/domain-gone", XSQ_WAIT_FOR(!domain_exists(), 2000),
		 "domains/%u still there", gpu);
	xt_check("node-gone/queues-forgotten",
		 XSQ_WAIT_FOR(xsq_find(xfd, (uintptr_t)lo.ring) == -ENOENT &&
			      xsq_find(xfd, (uintptr_t)hi.ring) == -ENOENT, 2000),
		 "still listed");
	xt_check_ret("node-gone/doorbell-enodev", simq_submit(&lo, MS, 1),
		     -ENODEV);
	xt_check_ret("node-gone/wait-enoent", simq_wait(&lo, 1, 10 * MS),
		     -ENOENT);
	xt_check_ret("node-gone/create-enodev", simq_create(&lo2, sfd, gpu, 1),
		     -ENODEV);
	xt_check("node-gone/destroy-dead-queues",
		 !simq_destroy(&lo) && !simq_destroy(&hi), "destroy failed");

	ret = node_ctl(sfd, gpu, XSCHED_SIM_NODE_ADD);
	xt_check_ret("node-back/add", ret, 0);
	xt_check("node-back/domain-back", XSQ_WAIT_FOR(domain_exists(), 2000),
		 "domains/%u missing", gpu);
	ok = !busy_pair(&hi2, &lo2, sfd, xfd, &lo_id);
	xt_check("node-back/scheduled-again", ok, "low state %d",
		 xsq_state(xfd, lo_id));
	/* Everything idle again: the low queue runs, nothing stays paused. */
	simq_destroy(&hi2);
	ok = XSQ_WAIT_FOR(xsq_state(xfd, lo_id) != XSCHED_QUEUE_PAUSED, 2000) &&
	     !simq_wait(&lo2, 1, 5000 * MS);
	xt_check("node-back/nothing-left-paused", ok, "low state %d",
		 xsq_state(xfd, lo_id));
	simq_destroy(&lo2);
}

static void charge_cases(int sfd, int xfd)
{
	long before = -1, with, after = -1;
	struct simq q;
	pid_t pid;
	int st, ok;

	/* The queues of the cases before have gone; nothing else pins. */
	XSQ_WAIT_FOR((before = vm_pin_kb()) == 0, 2000);
	ok = !simq_create(&q, sfd, gpu, 3) &&
	     XSQ_WAIT_FOR(xsq_find(xfd, (uintptr_t)q.ring) > 0, 2000);
	with = vm_pin_kb();
	/* Five pages: dispatch ids, ring, signal, two barrier dependencies. */
	xt_check("charge/owner-vmpin", ok && before == 0 && with == 20, "VmPin %ld kB -> %ld kB", before, with);
	simq_destroy(&q);
	ok = XSQ_WAIT_FOR((after = vm_pin_kb()) == before, 2000);
	xt_check("charge/returns-to-zero", ok, "VmPin %ld kB after, %ld before",
		 after, before);

	/* Over RLIMIT_MEMLOCK (and no CAP_IPC_LOCK): scheduled, not read. */
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct rlimit rl = { 4096, 4096 };
		int cs, cx;

		if (setrlimit(RLIMIT_MEMLOCK, &rl) ||
		    setresuid(NOBODY, NOBODY, NOBODY))
			_exit(2);
		cs = open("/dev/" XSCHED_SIM_DEVICE_NAME, O_RDWR);
		cx = xsq_open();
		if (cs < 0 || cx < 0 || simq_create(&q, cs, gpu, 3))
			_exit(3);
		if (!XSQ_WAIT_FOR(xsq_find(cx, (uintptr_t)q.ring) > 0, 2000))
			_exit(4);
		_exit(vm_pin_kb() == 0 ? 0 : 5);
	}
	st = -1;
	ok = pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
	     !WEXITSTATUS(st);
	xt_check("charge/over-memlock-tracked-unpinned", ok,
		 "child status 0x%x", st);
}

static void owner_cases(int sfd)
{
	struct xsched_sim_nodes n;
	pid_t pid;
	int st, ok;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		memset(&n, 0, sizeof(n));
		n.size = sizeof(n);
		_exit(simq_ioctl(sfd, XSCHED_SIM_IOC_NODES, &n) == -EBADF ?
		      0 : 1);
	}
	st = -1;
	ok = pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
	     !WEXITSTATUS(st);
	xt_check("fd-of-parent-ebadf", ok, "status 0x%x", st);
}

int main(void)
{
	int sfd, xfd;

	xt_prog = "boundary";
	xt_plan(BOUNDARY_CASES);
	sfd = open("/dev/" XSCHED_SIM_DEVICE_NAME, O_RDWR);
	xfd = xsq_open();
	if (sfd < 0 || xfd < 0 || simq_first_node(sfd, &gpu)) {
		xt_fail("setup", "no simulated node or no /dev/xsched");
		return xt_exit();
	}
	node_cases(sfd, xfd);
	charge_cases(sfd, xfd);
	owner_cases(sfd);
	return xt_exit();
}
