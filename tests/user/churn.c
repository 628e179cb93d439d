// SPDX-License-Identifier: GPL-2.0
/*
 * Queue churn next to bursty high-priority work, as hosts with
 * short-lived GPU processes see it (DataLoader workers, multiprocessing
 * pools, serving workers):
 *  - one client at priority 13 runs bursts of four 0.5 ms kernels with
 *    1-3 ms gaps;
 *  - two processes each loop: create 1-3 queues on one fd at random
 *    priorities, sometimes submit a short kernel, sometimes sleep under
 *    0.5 ms, destroy them in reverse order (the simulator reuses a freed
 *    queue id at once, as KFD does);
 *  - one process forks, over and over, a child that opens the device,
 *    creates a queue, submits three 0.3 ms kernels and exits at once
 *    with that queue still busy; pid_max is lowered for the run, so
 *    that pids are reused as they are over days on a busy host.
 * Then, with everything idle: no queue is left paused, none is leaked,
 * and a new low-priority queue runs.
 *
 * Usage: churn [SECONDS]   (default 20; XSCHED_CHURN_SECONDS also sets it)
 * XSCHED_CHURN_PARTS (a list of high, churn, fork; default all three)
 * runs only some of the workers, to narrow a failure down.
 */
#include <signal.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "simq.h"
#include "xsq.h"
#include "xtest.h"

#define CHURN_PLAN	7	/* cases this program reports */
#define CHURN_WORKERS	4	/* high, two churners, forker */
#define CHURN_PID_MAX	"512"	/* pids wrap every few hundred forks */

struct churn_stats {
	atomic_ulong loops[CHURN_WORKERS];
	atomic_ulong errors[CHURN_WORKERS];
	atomic_ulong bursts, late_bursts;
	atomic_ulong children, bad_children;
	atomic_int last_error[CHURN_WORKERS];
	atomic_int stop;
	uint64_t t0;
};

static struct churn_stats *st;
static uint32_t gpu;

static unsigned int rnd(unsigned int *seed, unsigned int n)
{
	*seed = *seed * 1103515245u + 12345u;
	return (*seed >> 16) % n;
}

static void sleep_us(unsigned int us)
{
	struct timespec ts = { us / 1000000, (us % 1000000) * 1000L };

	nanosleep(&ts, NULL);
}

static void fail_op(int w, int err)
{
	atomic_fetch_add(&st->errors[w], 1);
	atomic_store(&st->last_error[w], err);
}

static void dump_domain(const char *when);

/* Priority 13: bursts of four 0.5 ms kernels, each burst waited for. */
static void high_client(void)
{
	unsigned int seed = 13;
	struct simq q;
	int fd, ret;

	fd = open("/dev/" XSCHED_SIM_DEVICE_NAME, O_RDWR | O_CLOEXEC);
	if (fd < 0 || simq_create(&q, fd, gpu, 13)) {
		fail_op(0, fd < 0 ? -errno : -EIO);
		return;
	}
	while (!atomic_load(&st->stop)) {
		ret = simq_submit(&q, 500000, 4);
		if (!ret)
			ret = simq_wait(&q, q.wdid, 2000000000ULL);
		atomic_fetch_add(&st->bursts, 1);
		if (ret == -ETIMEDOUT &&
		    !atomic_fetch_add(&st->late_bursts, 1)) {
			int xfd = xsq_open(), id = xfd < 0 ? -1 :
				  xsq_find(xfd, (uintptr_t)q.ring);

			printf("churn: first late burst after %llu ms, read %llu of %llu, xsched state %d\n",
			       (unsigned long long)(simq_now_ns() - st->t0) / 1000000,
			       (unsigned long long)simq_rdid(&q),
			       (unsigned long long)q.wdid,
			       id < 0 ? id : xsq_state(xfd, (uint32_t)id));
			if (xfd >= 0)
				close(xfd);
			dump_domain("first late burst");
		}
		else if (ret)
			fail_op(0, ret);
		atomic_fetch_add(&st->loops[0], 1);
		sleep_us(1000 + rnd(&seed, 2000));
	}
	simq_destroy(&q);
	close(fd);
	simq_free(&q);
}

/* Create 1-3 queues, maybe submit, maybe sleep, destroy in reverse. */
static void churner(int w)
{
	unsigned int seed = 1000u * (unsigned int)w + (unsigned int)getpid();
	struct simq q[3];
	int fd, i, n, ret;

	fd = open("/dev/" XSCHED_SIM_DEVICE_NAME, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		fail_op(w, -errno);
		return;
	}
	while (!atomic_load(&st->stop)) {
		n = 1 + (int)rnd(&seed, 3);
		for (i = 0; i < n; i++) {
			ret = simq_create(&q[i], fd, gpu, rnd(&seed, 16));
			if (ret) {
				fail_op(w, ret);
				simq_free(&q[i]);
				break;
			}
			if (!rnd(&seed, 2) &&
			    simq_submit(&q[i], 20000 + rnd(&seed, 200000), 1))
				fail_op(w, -EIO);
		}
		n = i;
		if (!rnd(&seed, 2))
			sleep_us(rnd(&seed, 500));
		for (i = n - 1; i >= 0; i--) {
			ret = simq_destroy(&q[i]);
			if (ret)
				fail_op(w, ret);
			simq_free(&q[i]);
		}
		atomic_fetch_add(&st->loops[w], 1);
	}
	close(fd);
}

/* A child: its own fd and queue, three 0.3 ms kernels, gone at once. */
static void short_child(unsigned int prio)
{
	struct simq q;
	int fd;

	fd = open("/dev/" XSCHED_SIM_DEVICE_NAME, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		_exit(2);
	if (simq_create(&q, fd, gpu, prio))
		_exit(3);
	if (simq_submit(&q, 300000, 3))
		_exit(4);
	_exit(0);		/* the queue is still busy */
}

static void forker(void)
{
	unsigned int seed = 77;
	int status;
	pid_t pid;

	while (!atomic_load(&st->stop)) {
		pid = fork();
		if (pid < 0) {
			fail_op(3, -errno);
			sleep_us(1000);
			continue;
		}
		if (!pid)
			short_child(rnd(&seed, 16));
		if (waitpid(pid, &status, 0) != pid ||
		    !WIFEXITED(status) || WEXITSTATUS(status))
			atomic_fetch_add(&st->bad_children, 1);
		atomic_fetch_add(&st->children, 1);
		atomic_fetch_add(&st->loops[3], 1);
	}
}

/* On a failure: what xsched's domain says, for the log. */
static void dump_domain(const char *when)
{
	static const char *const files[] = {
		"level", "nr_queues", "decisions", "pauses", "resumes",
		"errors", "degraded",
	};
	char path[160], val[64];
	unsigned int i;

	printf("churn: %s: domain %u:", when, gpu);
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), XSQ_SYSFS "/domains/%u/%s", gpu,
			 files[i]);
		if (xsq_read(path, val, sizeof(val)))
			strcpy(val, "?");
		printf(" %s=%s", files[i], val);
	}
	printf("\n");
	fflush(stdout);
}

static int first_gpu(void)
{
	struct xsched_sim_nodes a;
	int fd = open("/dev/" XSCHED_SIM_DEVICE_NAME, O_RDWR | O_CLOEXEC);
	int ret;

	if (fd < 0)
		return -errno;
	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	ret = simq_ioctl(fd, XSCHED_SIM_IOC_NODES, &a);
	close(fd);
	if (ret)
		return ret;
	if (!a.count)
		return -ENODEV;
	gpu = a.gpu_ids[0];
	return 0;
}

int main(int argc, char **argv)
{
	const char *env = getenv("XSCHED_CHURN_SECONDS");
	const char *parts = getenv("XSCHED_CHURN_PARTS");
	unsigned long secs = 20, loops;
	pid_t pids[CHURN_WORKERS];
	int xfd, sfd, i, n, paused, status, ok;
	char pid_max[32];
	struct simq low;
	uint64_t t0;

	xt_prog = "churn";
	if (argc > 2 || (argc == 2 && !strcmp(argv[1], "--help"))) {
		fprintf(stderr, "usage: %s [SECONDS]\n", argv[0]);
		return argc == 2 ? 0 : 2;
	}
	if (argc == 2)
		secs = strtoul(argv[1], NULL, 10);
	else if (env)
		secs = strtoul(env, NULL, 10);
	if (!secs || secs > 86400) {
		fprintf(stderr, "usage: %s [SECONDS] (1..86400)\n", argv[0]);
		return 2;
	}
	xt_plan(CHURN_PLAN);
	xfd = xsq_open();
	if (xfd < 0 || first_gpu()) {
		for (i = 0; i < CHURN_PLAN; i++)
			xt_skip("setup", "no /dev/xsched or simulated GPU");
		return xt_exit();
	}
	st = mmap(NULL, sizeof(*st), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (st == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	memset(st, 0, sizeof(*st));

	/*
	 * A small pid space, so that pids (and with them tgids) are reused
	 * within the run, as on a busy host over days.
	 */
	if (xsq_read("/proc/sys/kernel/pid_max", pid_max, sizeof(pid_max)) ||
	    xsq_write("/proc/sys/kernel/pid_max", CHURN_PID_MAX))
		pid_max[0] = 0;
	t0 = simq_now_ns();
	st->t0 = t0;
	for (i = 0; i < CHURN_WORKERS; i++) {
		static const char *const part[CHURN_WORKERS] = {
			"high", "churn", "churn", "fork",
		};

		if (parts && !strstr(parts, part[i])) {
			pids[i] = 0;
			continue;
		}
		pids[i] = fork();
		if (pids[i] < 0) {
			perror("fork");
			atomic_store(&st->stop, 1);
			return 1;
		}
		if (pids[i])
			continue;
		if (i == 0)
			high_client();
		else if (i == 3)
			forker();
		else
			churner(i);
		_exit(0);
	}
	sleep((unsigned int)secs);
	atomic_store(&st->stop, 1);
	ok = 1;
	for (i = 0; i < CHURN_WORKERS; i++)
		if (pids[i] && (waitpid(pids[i], &status, 0) != pids[i] ||
		    !WIFEXITED(status) || WEXITSTATUS(status)))
			ok = 0;
	if (pid_max[0])
		xsq_write("/proc/sys/kernel/pid_max", pid_max);
	printf("churn: %lu s: high %lu bursts (%lu late), churners %lu + %lu loops, %lu children (%lu bad)\n",
	       (unsigned long)((simq_now_ns() - t0) / 1000000000ULL),
	       atomic_load(&st->bursts), atomic_load(&st->late_bursts),
	       atomic_load(&st->loops[1]), atomic_load(&st->loops[2]),
	       atomic_load(&st->children), atomic_load(&st->bad_children));

	xt_check("workers-exited", ok, "a worker died");
	loops = atomic_load(&st->loops[1]) + atomic_load(&st->loops[2]);
	xt_check("churned", (loops >= 100 * secs / 20 ||
			     (parts && !strstr(parts, "churn"))) &&
		 (atomic_load(&st->children) >= 20 * secs / 20 ||
		  (parts && !strstr(parts, "fork"))),
		 "%lu create/destroy loops, %lu children", loops,
		 atomic_load(&st->children));
	n = 0;
	for (i = 0; i < CHURN_WORKERS; i++)
		n += (int)atomic_load(&st->errors[i]);
	xt_check("no-op-failed", !n, "%d failed calls; last: high %d churn %d/%d fork %d",
		 n, st->last_error[0], st->last_error[1], st->last_error[2],
		 st->last_error[3]);
	xt_check("children-ok", !atomic_load(&st->bad_children),
		 "%lu of %lu children failed", atomic_load(&st->bad_children),
		 atomic_load(&st->children));
	xt_check("high-served", (atomic_load(&st->bursts) ||
				 (parts && !strstr(parts, "high"))) &&
		 !atomic_load(&st->late_bursts),
		 "%lu of %lu bursts took over 2 s",
		 atomic_load(&st->late_bursts), atomic_load(&st->bursts));

	/* Everything gone: xsched forgets every queue, none stays paused. */
	n = -1;
	paused = 0;
	ok = XSQ_WAIT_FOR((n = xsq_count_queues(xfd, &paused)) == 0, 5000);
	xt_check("nothing-left", ok, "%d queue(s) still tracked, %d paused",
		 n, paused);

	/* A new queue at the lowest level runs at once. */
	sfd = open("/dev/" XSCHED_SIM_DEVICE_NAME, O_RDWR | O_CLOEXEC);
	ok = sfd >= 0 && !simq_create(&low, sfd, gpu, 0) &&
	     !simq_submit(&low, 100000, 1) &&
	     !simq_wait(&low, low.wdid, 1000000000ULL);
	xt_check("low-runs-after", ok, "a priority-0 kernel did not complete in 1 s");
	if (!ok)
		dump_domain("low queue stuck");
	if (sfd >= 0)
		close(sfd);
	close(xfd);
	return xt_exit();
}
