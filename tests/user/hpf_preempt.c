// SPDX-License-Identifier: GPL-2.0
/*
 * End to end, several real processes on the simulated GPU: a
 * high-priority process keeps its latency while low-priority processes
 * saturate the node, because xsched pauses them (CWSR, modelled).
 */
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>

#include "simq.h"
#include "xtest.h"

#define MS		1000000ULL
#define KERNEL_NS	(5 * MS)
#define TASK_KERNELS	10
#define TASKS		5
#define NLOW		3

/* Keeps its queue full until killed. */
static void low_loop(void)
{
	struct simq q;
	int fd = open("/dev/" XSCHED_SIM_DEVICE_NAME, O_RDWR);

	if (fd < 0 || simq_create(&q, fd, 0, 0))
		_exit(2);
	if (simq_submit(&q, KERNEL_NS, 16))
		_exit(3);
	for (;;) {
		if (simq_wait(&q, q.wdid - 8, 0) || simq_submit(&q, KERNEL_NS, 8))
			_exit(4);
	}
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Median wall time of TASKS tasks of TASK_KERNELS kernels, or 0. */
static uint64_t high_tasks(struct simq *q)
{
	uint64_t lat[TASKS];
	int i;

	for (i = 0; i < TASKS; i++) {
		uint64_t t0 = simq_now_ns();

		if (simq_submit(q, KERNEL_NS, TASK_KERNELS) ||
		    simq_wait(q, q->wdid, 10000 * MS))
			return 0;
		lat[i] = simq_now_ns() - t0;
		usleep(2000);
	}
	qsort(lat, TASKS, sizeof(lat[0]), cmp_u64);
	return lat[TASKS / 2];
}

int main(void)
{
	pid_t low[NLOW];
	uint64_t alone, loaded;
	struct simq q;
	int fd, i, ret;

	xt_prog = "hpf_preempt";
	xt_plan(3);
	fd = open("/dev/" XSCHED_SIM_DEVICE_NAME, O_RDWR);
	ret = fd < 0 ? -errno : simq_create(&q, fd, 0, 11);
	if (ret) {
		xt_fail("setup", "%s", strerror(-ret));
		return xt_exit();
	}
	alone = high_tasks(&q);
	xt_check("alone", alone > 0, "task failed");

	for (i = 0; i < NLOW; i++) {
		low[i] = fork();
		if (!low[i])
			low_loop();
	}
	usleep(100000);		/* the low processes saturate the node */
	loaded = high_tasks(&q);
	for (i = 0; i < NLOW; i++)
		kill(low[i], SIGKILL);
	for (i = 0; i < NLOW; i++)
		waitpid(low[i], NULL, 0);

	printf("hpf_preempt: high task median alone %llu us, with %d low-priority processes %llu us (%.2fx; processor sharing alone would give ~%dx) [modelled]\n",
	       (unsigned long long)alone / 1000, NLOW,
	       (unsigned long long)loaded / 1000,
	       alone ? (double)loaded / alone : 0.0, NLOW + 1);
	xt_check("loaded", loaded > 0, "task failed");
	/* Generous for TCG timing noise; the benchmark holds the 1.10x target. */
	xt_check("high-priority-keeps-latency", loaded && loaded < alone * 3 / 2,
		 "alone %llu us, loaded %llu us",
		 (unsigned long long)alone / 1000,
		 (unsigned long long)loaded / 1000);
	close(fd);
	return xt_exit();
}
