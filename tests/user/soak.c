// SPDX-License-Identifier: GPL-2.0
/*
 * Mixed load for a while: a priority-13 client in bursts, three clients
 * at priorities 0, 4 and 8 with back-to-back kernels, a process churning
 * queues, and root changing queue priorities (SET_PRIORITY), switching
 * the domain's policy between hpf and none and moving resume_delay_us.
 *
 * Checks, once everything is idle: the clients exited, every kernel they
 * submitted completed, the provider reported no error, nothing is left
 * tracked or paused, the policy is back.  Prints the figures (kernels,
 * pauses, resumes, errors, SUnreclaim before and after) for bench/soak.sh.
 *
 * Usage: soak [SECONDS]   (default XSCHED_SOAK_SECONDS or 5)
 */
#define _GNU_SOURCE
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "simq.h"
#include "xsq.h"
#include "xtest.h"

#define SOAK_PLAN	6
#define SOAK_CLIENTS	4	/* high, three low */
#define MS		1000000ULL

static uint32_t gpu;

struct soak_shared {
	atomic_int stop;
	atomic_ulong submitted[SOAK_CLIENTS], completed[SOAK_CLIENTS];
	atomic_ulong churn_loops, failed_calls;
	atomic_int last_error;
};
static struct soak_shared *sh;

static unsigned int rnd(unsigned int *seed, unsigned int n)
{
	*seed = *seed * 1103515245u + 12345u;
	return (*seed >> 16) % n;
}

static void failed(int err)
{
	atomic_fetch_add(&sh->failed_calls, 1);
	atomic_store(&sh->last_error, err);
}

static long long dom_ll(const char *f)
{
	char p[160];

	snprintf(p, sizeof(p), XSQ_SYSFS "/domains/%u/%s", gpu, f);
	return xsq_read_ll(p);
}

static void dom_write(const char *f, const char *v)
{
	char p[160];

	snprintf(p, sizeof(p), XSQ_SYSFS "/domains/%u/%s", gpu, f);
	if (xsq_write(p, v))
		failed(-EIO);
}

/* Client @c: batches of kernels, each batch waited for to the end. */
static void client(int c)
{
	static const unsigned int prio[SOAK_CLIENTS] = { 13, 0, 4, 8 };
	unsigned int seed = 7u + (unsigned int)c, n;
	struct simq q;
	int fd, ret;

	fd = open("/dev/" XSCHED_SIM_DEVICE_NAME, O_RDWR);
	if (fd < 0 || simq_create(&q, fd, gpu, prio[c]))
		_exit(3);
	while (!atomic_load(&sh->stop)) {
		n = c ? 1 + rnd(&seed, 3) : 4;
		ret = simq_submit(&q, c ? (1 + rnd(&seed, 5)) * MS : MS / 2, n);
		if (ret) {
			failed(ret);
			continue;
		}
		atomic_fetch_add(&sh->submitted[c], n);
		/* Generous: a low client may wait out the high one. */
		ret = simq_wait(&q, q.wdid, 60000 * MS);
		if (ret)
			failed(ret);
		else
			atomic_fetch_add(&sh->completed[c], n);
		if (!c)
			usleep(1000 + rnd(&seed, 2000));
	}
	simq_destroy(&q);
	_exit(0);
}

static void churner(void)
{
	unsigned int seed = 99;
	struct simq q;
	int fd = open("/dev/" XSCHED_SIM_DEVICE_NAME, O_RDWR);

	if (fd < 0)
		_exit(3);
	while (!atomic_load(&sh->stop)) {
		if (simq_create(&q, fd, gpu, rnd(&seed, 16))) {
			failed(-EIO);
			simq_free(&q);
			continue;
		}
		if (rnd(&seed, 2))
			simq_submit(&q, 20000 + rnd(&seed, 200000), 1);
		if (simq_destroy(&q))
			failed(-EIO);
		simq_free(&q);
		atomic_fetch_add(&sh->churn_loops, 1);
	}
	_exit(0);
}

/* Root: priorities, policy switches, resume delay; every 50 ms. */
static void admin(int xfd, unsigned int secs)
{
	uint64_t end = simq_now_ns() + secs * 1000 * MS;
	unsigned int seed = 5, i = 0;
	char v[16];

	while (simq_now_ns() < end) {
		struct xsched_queue_info qi[64];
		struct xsched_list l;

		xsq_list_init(&l, sizeof(qi[0]), qi, 64);
		if (!xsq_ioctl(xfd, XSCHED_IOC_LIST_QUEUES, &l) && l.count) {
			uint32_t k = rnd(&seed, l.count < 64 ? l.count : 64);

			/* A queue may be gone by now: ENOENT is expected. */
			int ret = xsq_set_prio(xfd, qi[k].id, rnd(&seed, 16));

			if (ret && ret != -ENOENT && ret != -ENODEV)
				failed(ret);
		}
		if (++i % 20 == 0)
			dom_write("policy", (i / 20) % 2 ? "none" : "hpf");
		if (i % 7 == 0) {
			snprintf(v, sizeof(v), "%u", 100 + rnd(&seed, 900));
			dom_write("resume_delay_us", v);
		}
		usleep(50 * 1000);
	}
}

int main(int argc, char **argv)
{
	const char *env = getenv("XSCHED_SOAK_SECONDS");
	unsigned long sub = 0, done = 0;
	unsigned int secs = 5, i, bad = 0;
	pid_t pids[SOAK_CLIENTS + 1];
	long long err0, pauses0, resumes0;
	char delay0[16] = "";
	int xfd, sfd, st, n = -1, paused = 0, ok;
	long slab0;

	if (argc == 2)
		secs = (unsigned int)strtoul(argv[1], NULL, 10);
	else if (env)
		secs = (unsigned int)strtoul(env, NULL, 10);
	if (argc > 2 || !secs || secs > 86400) {
		fprintf(stderr, "usage: %s [SECONDS] (1..86400)\n", argv[0]);
		return 2;
	}
	xt_prog = "soak";
	xt_plan(SOAK_PLAN);
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	xfd = xsq_open();
	sfd = open("/dev/" XSCHED_SIM_DEVICE_NAME, O_RDWR);
	if (sh == MAP_FAILED || xfd < 0 || sfd < 0 ||
	    simq_first_node(sfd, &gpu)) {
		xt_fail("setup", "no simulated node or no /dev/xsched");
		return xt_exit();
	}
	{
		char p[160];

		snprintf(p, sizeof(p), XSQ_SYSFS "/domains/%u/resume_delay_us",
			 gpu);
		xsq_read(p, delay0, sizeof(delay0));
	}
	err0 = dom_ll("errors");
	pauses0 = dom_ll("pauses");
	resumes0 = dom_ll("resumes");
	slab0 = xsq_sunreclaim_kb();

	fflush(stdout);
	for (i = 0; i <= SOAK_CLIENTS; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			if (i < SOAK_CLIENTS)
				client((int)i);
			churner();
		}
	}
	admin(xfd, secs);
	atomic_store(&sh->stop, 1);
	for (i = 0; i <= SOAK_CLIENTS; i++)
		if (pids[i] < 0 || waitpid(pids[i], &st, 0) != pids[i] ||
		    !WIFEXITED(st) || WEXITSTATUS(st))
			bad++;
	dom_write("policy", "hpf");
	if (delay0[0])
		dom_write("resume_delay_us", delay0);
	xt_check("clients-exited", !bad, "%u did not exit cleanly", bad);

	for (i = 0; i < SOAK_CLIENTS; i++) {
		sub += atomic_load(&sh->submitted[i]);
		done += atomic_load(&sh->completed[i]);
	}
	xt_check("every-kernel-completed", sub && sub == done &&
		 !atomic_load(&sh->failed_calls),
		 "%lu of %lu; %lu failed calls, last %d", done, sub,
		 atomic_load(&sh->failed_calls), atomic_load(&sh->last_error));
	xt_check("no-provider-error", dom_ll("errors") == err0,
		 "errors +%lld", dom_ll("errors") - err0);
	ok = XSQ_WAIT_FOR((n = xsq_count_queues(xfd, &paused)) == 0, 5000);
	xt_check("nothing-left", ok && !paused, "%d tracked, %d paused", n,
		 paused);
	{
		char p[160], v[16] = "";

		snprintf(p, sizeof(p), XSQ_SYSFS "/domains/%u/policy", gpu);
		xsq_read(p, v, sizeof(v));
		xt_check("policy-restored", !strcmp(v, "hpf"), "policy %s", v);
	}
	xt_pass("figures");
	sleep(1);
	printf("soak: %u s: kernels %lu submitted, %lu completed (high %lu); churn %lu loops; pauses %lld, resumes %lld, errors %lld; paused at the end %d; SUnreclaim %ld kB before, %ld kB after\n",
	       secs, sub, done, atomic_load(&sh->completed[0]),
	       atomic_load(&sh->churn_loops), dom_ll("pauses") - pauses0,
	       dom_ll("resumes") - resumes0, dom_ll("errors") - err0, paused,
	       slab0, xsq_sunreclaim_kb());
	return xt_exit();
}
