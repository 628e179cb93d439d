// SPDX-License-Identifier: GPL-2.0
/*
 * Lifecycle against the simulated GPU: a process killed while its queue
 * is paused, or while it is inside xsched ioctls, leaves nothing behind;
 * unloading xsched.ko with a queue paused leaves it running; loading it
 * again adopts the queues that exist; the simulator cannot be unloaded
 * while its queues are open.
 */
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "simq.h"
#include "xsq.h"
#include "xtest.h"

#define LIFECYCLE_NS 10000000ULL	/* 10 ms kernels */
#define LIFECYCLE_N 60			/* fits the 64-slot ring */

static int fd, sfd;
static uint32_t gpu;

/* The xsched id of @pid's first queue, or -1. */
static int queue_of(pid_t pid)
{
	struct xsched_queue_info qi[64];
	struct xsched_list l;
	unsigned int i;

	xsq_list_init(&l, sizeof(qi[0]), qi, 64);
	if (xsq_ioctl(fd, XSCHED_IOC_LIST_QUEUES, &l))
		return -1;
	for (i = 0; i < l.count && i < 64; i++)
		if (qi[i].pid == pid)
			return (int)qi[i].id;
	return -1;
}

static int hinted_queues(void)
{
	struct xsched_queue_info qi[64];
	struct xsched_list l;
	unsigned int i;
	int n = 0;

	xsq_list_init(&l, sizeof(qi[0]), qi, 64);
	if (xsq_ioctl(fd, XSCHED_IOC_LIST_QUEUES, &l))
		return -1;
	for (i = 0; i < l.count && i < 64; i++)
		n += !!(qi[i].flags & XSCHED_QUEUE_HINTED);
	return n;
}

static long long dom_ll(const char *f)
{
	char p[128];

	snprintf(p, sizeof(p), XSQ_SYSFS "/domains/%u/%s", gpu, f);
	return xsq_read_ll(p);
}

/* A child with one busy low-priority queue; @hammer: loop on ioctls. */
static pid_t spawn_low(int hammer)
{
	int pfd[2];
	pid_t pid;
	char c;

	if (pipe(pfd))
		return -1;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct simq q;
		int cfd = xsq_open(), csfd = open("/dev/" XSCHED_SIM_DEVICE_NAME,
						  O_RDWR), id = -1;

		if (cfd < 0 || csfd < 0 || simq_create(&q, csfd, 0, 0) ||
		    simq_submit(&q, LIFECYCLE_NS, LIFECYCLE_N))
			_exit(1);
		XSQ_WAIT_FOR((id = xsq_find(cfd, (uintptr_t)q.ring)) > 0, 2000);
		if (write(pfd[1], "r", 1) != 1)
			_exit(1);
		for (;;) {
			if (!hammer) {
				pause();
				continue;
			}
			struct xsched_queue_info qi;

			xsq_hint(cfd, id, XSCHED_HINT_BEGIN);
			xsq_info(cfd, id, &qi);
			xsq_set_prio(cfd, id, 0);
			xsq_hint(cfd, id, XSCHED_HINT_END);
			xsq_hint(cfd, id, XSCHED_HINT_BEGIN);
		}
	}
	close(pfd[1]);
	if (pid < 0 || read(pfd[0], &c, 1) != 1) {
		close(pfd[0]);
		return -1;
	}
	close(pfd[0]);
	return pid;
}

static void kill_paused(struct simq *hi)
{
	pid_t pid = spawn_low(0);
	int id = pid > 0 ? queue_of(pid) : -1, st;

	simq_submit(hi, LIFECYCLE_NS, LIFECYCLE_N);
	xt_check("kill-paused/low-paused", id > 0 &&
		 XSQ_WAIT_FOR(xsq_state(fd, id) == XSCHED_QUEUE_PAUSED, 5000),
		 "id %d state %d", id, xsq_state(fd, id));
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
	}
	xt_check("kill-paused/queue-gone",
		 XSQ_WAIT_FOR(xsq_state(fd, id) < 0, 2000), "still listed");
	xt_check("kill-paused/domain-count", dom_ll("nr_queues") == 1,
		 "nr_queues %lld", dom_ll("nr_queues"));
}

static void kill_mid_ioctl(void)
{
	int i, gone = 0;

	for (i = 0; i < 5; i++) {
		pid_t pid = spawn_low(1);
		int id = pid > 0 ? queue_of(pid) : -1, st;

		usleep(20000 + i * 7000);
		if (pid > 0) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
		}
		gone += id > 0 && XSQ_WAIT_FOR(xsq_state(fd, id) < 0, 2000);
	}
	xt_check("kill-mid-ioctl/queues-gone", gone == 5, "%d of 5", gone);
	xt_check("kill-mid-ioctl/no-hint-left", hinted_queues() == 0,
		 "%d hinted", hinted_queues());
	xt_check("kill-mid-ioctl/domain-count", dom_ll("nr_queues") == 1,
		 "nr_queues %lld", dom_ll("nr_queues"));
}

static void unload_paused(struct simq *hi)
{
	struct simq lo;
	uint64_t r0, r1;
	int id = -1, ok;

	/* The high queue's earlier work drains first: room in its ring. */
	if (simq_wait(hi, hi->wdid, 10000000000ULL) ||
	    simq_create(&lo, sfd, 0, 0) ||
	    simq_submit(hi, LIFECYCLE_NS, LIFECYCLE_N) ||
	    simq_submit(&lo, LIFECYCLE_NS, LIFECYCLE_N)) {
		xt_fail("unload-paused/setup", "no queue or no room");
		return;
	}
	XSQ_WAIT_FOR((id = xsq_find(fd, (uintptr_t)lo.ring)) > 0 &&
		     xsq_state(fd, id) == XSCHED_QUEUE_PAUSED, 2000);
	xt_check("unload-paused/low-paused",
		 id > 0 && xsq_state(fd, id) == XSCHED_QUEUE_PAUSED,
		 "id %d state %d", id, xsq_state(fd, id));
	close(fd);
	ok = system("rmmod xsched") == 0 && access("/sys/module/xsched", F_OK);
	xt_check("unload-paused/rmmod", ok, "rmmod failed");
	/* Runnable again: it shares the node with the high queue. */
	r0 = simq_rdid(&lo);
	usleep(200000);
	r1 = simq_rdid(&lo);
	xt_check("unload-paused/low-runs-after-unload", r1 >= r0 + 3,
		 "dispatch id %llu -> %llu in 200 ms", (unsigned long long)r0,
		 (unsigned long long)r1);
	ok = system("insmod /modules/xsched.ko") == 0;
	fd = xsq_open();
	xt_check("reload/insmod", ok && fd >= 0, "insmod failed");
	id = -1;
	xt_check("reload/adopts-existing-queues",
		 XSQ_WAIT_FOR((id = xsq_find(fd, (uintptr_t)lo.ring)) > 0 &&
			      xsq_find(fd, (uintptr_t)hi->ring) > 0, 2000),
		 "low id %d", id);
	/* A slow kernel (the debug one) may have drained both meanwhile. */
	if (simq_rdid(hi) == hi->wdid)
		simq_submit(hi, LIFECYCLE_NS, LIFECYCLE_N / 2);
	if (simq_rdid(&lo) == lo.wdid)
		simq_submit(&lo, LIFECYCLE_NS, LIFECYCLE_N / 2);
	xt_check("reload/pauses-again",
		 XSQ_WAIT_FOR(xsq_state(fd, id) == XSCHED_QUEUE_PAUSED, 5000),
		 "state %d", xsq_state(fd, id));
	ok = system("rmmod xsched_sim 2>/dev/null") != 0 &&
	     !access("/sys/module/xsched_sim", F_OK);
	xt_check("sim-unload-refused-while-queues-open", ok,
		 "xsched_sim unloaded under open queues");
	simq_destroy(&lo);
}

/* Loads xsched_sim.ko with @params: 0 if it loaded, else the errno. */
static int sim_load_errno(const char *params)
{
	int kfd = open("/modules/xsched_sim.ko", O_RDONLY | O_CLOEXEC), err;

	if (kfd < 0)
		return errno;
	err = syscall(SYS_finit_module, kfd, params, 0) ? errno : 0;
	close(kfd);
	if (!err)
		system("rmmod xsched_sim");
	return err;
}

/*
 * The provider goes while xsched is bound (its listener's gone() callback) and
 * comes back (module notifier): the domain goes and comes with it.
 */
static void provider_cycle(void)
{
	char d[128];
	int ok;

	snprintf(d, sizeof(d), XSQ_SYSFS "/domains/%u", gpu);
	ok = system("rmmod xsched_sim") == 0;
	xt_check("provider-gone/rmmod-sim-while-bound", ok &&
		 access("/sys/module/xsched_sim", F_OK) && access(d, F_OK),
		 "rmmod %d, domain %s", ok, access(d, F_OK) ? "gone" : "left");
	/* The calibration timers' bounds, refused at load with EINVAL. */
	ok = sim_load_errno("calib_tick_us=5") == EINVAL &&
	     sim_load_errno("calib_tick_us=100 calib_timers=0") == EINVAL &&
	     sim_load_errno("calib_tick_us=100 calib_timers=65") == EINVAL &&
	     access("/sys/module/xsched_sim", F_OK);
	xt_check("sim-calib-params-out-of-range-einval", ok,
		 "tick 5: %d, timers 0: %d, timers 65: %d",
		 sim_load_errno("calib_tick_us=5"),
		 sim_load_errno("calib_tick_us=100 calib_timers=0"),
		 sim_load_errno("calib_tick_us=100 calib_timers=65"));
	ok = system("insmod /modules/xsched_sim.ko") == 0;
	xt_check("provider-back/domain-returns",
		 ok && XSQ_WAIT_FOR(!access(d, F_OK), 2000),
		 "insmod %d", ok);
}

/*
 * xsched loaded with queue_sysfs=0: queues are scheduled and reachable
 * through the ioctls, and have no directory under queues/.
 */
static void no_queue_dirs(void)
{
	struct xsched_queue_info qi;
	char d[128], v[8] = "";
	struct simq q;
	int id = -1, ok;

	close(fd);
	ok = system("rmmod xsched") == 0 &&
	     system("insmod /modules/xsched.ko queue_sysfs=0") == 0;
	fd = xsq_open();
	xsq_read("/sys/module/xsched/parameters/queue_sysfs", v, sizeof(v));
	xt_check("queue-sysfs-off/insmod", ok && fd >= 0 && v[0] == 'N',
		 "insmod %d, queue_sysfs '%s'", ok, v);
	sfd = open("/dev/" XSCHED_SIM_DEVICE_NAME, O_RDWR);
	if (sfd < 0 || simq_create(&q, sfd, 0, 4)) {
		xt_fail("queue-sysfs-off/setup", "no queue");
		goto reload;
	}
	XSQ_WAIT_FOR((id = xsq_find(fd, (uintptr_t)q.ring)) > 0, 2000);
	snprintf(d, sizeof(d), XSQ_SYSFS "/queues/%d", id);
	xt_check("queue-sysfs-off/queue-tracked-without-directory",
		 id > 0 && access(d, F_OK) && dom_ll("nr_queues") == 1,
		 "id %d, %s %s", id, d, access(d, F_OK) ? "absent" : "present");
	ok = id > 0 ? xsq_set_prio(fd, id, 2) : -ENOENT;
	if (!ok)
		ok = xsq_info(fd, id, &qi) ?: (int)qi.priority - 2;
	xt_check("queue-sysfs-off/priority-by-ioctl", ok == 0,
		 "id %d: %d", id, ok);
	simq_destroy(&q);
	close(sfd);
reload:
	close(fd);
	ok = system("rmmod xsched") == 0 &&
	     system("insmod /modules/xsched.ko") == 0;
	fd = xsq_open();
	xt_check("queue-sysfs-off/reload-default", ok && fd >= 0,
		 "insmod %d", ok);
}

int main(void)
{
	struct xsched_domain_info di;
	struct xsched_list l;
	struct simq hi;

	xt_prog = "lifecycle";
	xt_plan(20);
	fd = xsq_open();
	sfd = open("/dev/" XSCHED_SIM_DEVICE_NAME, O_RDWR);
	xsq_list_init(&l, sizeof(di), &di, 1);
	if (fd < 0 || sfd < 0 || xsq_ioctl(fd, XSCHED_IOC_LIST_DOMAINS, &l) ||
	    simq_create(&hi, sfd, 0, 11)) {
		xt_fail("setup", "devices, domain or queue unavailable");
		return xt_exit();
	}
	gpu = di.gpu_id;
	XSQ_WAIT_FOR(xsq_find(fd, (uintptr_t)hi.ring) > 0, 2000);
	kill_paused(&hi);
	kill_mid_ioctl();
	unload_paused(&hi);
	simq_destroy(&hi);
	close(sfd);
	provider_cycle();
	no_queue_dirs();
	close(fd);
	return xt_exit();
}
