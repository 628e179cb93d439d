// SPDX-License-Identifier: GPL-2.0
/*
 * The simulated GPU's device: a queue runs kernels in order with the
 * hardware's index and signal semantics; bad input gets its exact errno.
 */
#include <sys/wait.h>

#include "simq.h"
#include "xtest.h"

#define MS 1000000ULL

int main(void)
{
	struct xsched_sim_create_queue c;
	struct xsched_sim_queue_op op;
	struct xsched_sim_nodes nodes;
	struct simq q, q2;
	uint64_t t0, rdid;
	int64_t value;
	int fd, ret, i;

	xt_prog = "sim_queue";
	xt_plan(32);
	fd = open("/dev/" XSCHED_SIM_DEVICE_NAME, O_RDWR);
	if (fd < 0) {
		xt_fail("open", "%s", strerror(errno));
		return xt_exit();
	}
	memset(&nodes, 0, sizeof(nodes));
	nodes.size = sizeof(nodes);
	ret = simq_ioctl(fd, XSCHED_SIM_IOC_NODES, &nodes);
	xt_check("nodes", !ret && nodes.count >= 1 && nodes.gpu_ids[0],
		 "ret %d count %u", ret, nodes.count);

	ret = simq_create(&q, fd, 0, 7);
	xt_check("create", !ret, "ret %d", ret);
	if (ret)
		return xt_exit();
	xt_check("gpu-id-reported", q.gpu_id == nodes.gpu_ids[0],
		 "gpu_id 0x%x", q.gpu_id);

	t0 = simq_now_ns();
	ret = simq_submit(&q, 20 * MS, 3);
	xt_check("doorbell", !ret, "ret %d", ret);
	/*
	 * The read index counts launched packets, not completed ones.  The
	 * launch waits for a runlist change still in progress on the node
	 * (another process's queue coming or going), so allow it 100 ms.
	 */
	for (i = 0; i < 1000 && simq_rdid(&q) < 1; i++)
		usleep(100);
	rdid = simq_rdid(&q);
	value = q.signals[0].value;
	xt_check("rdid-at-launch", rdid == 1 && value == 1,
		 "rdid %llu value %lld", (unsigned long long)rdid,
		 (long long)value);
	ret = simq_wait(&q, 3, 5000 * MS);
	xt_check("wait", !ret, "ret %d", ret);
	xt_check("signals-done", !q.signals[0].value && !q.signals[1].value &&
		 !q.signals[2].value, "values %lld %lld %lld",
		 (long long)q.signals[0].value, (long long)q.signals[1].value,
		 (long long)q.signals[2].value);
	xt_check("in-order-timestamps",
		 q.signals[0].end_ts <= q.signals[1].start_ts &&
		 q.signals[1].end_ts <= q.signals[2].start_ts &&
		 q.signals[2].end_ts - q.signals[0].start_ts >= 60 * MS,
		 "span %llu ns",
		 (unsigned long long)(q.signals[2].end_ts - q.signals[0].start_ts));
	xt_check("timestamps-monotonic-clock", q.signals[0].start_ts >= t0 &&
		 q.signals[2].end_ts <= simq_now_ns(), "start %llu t0 %llu",
		 (unsigned long long)q.signals[0].start_ts,
		 (unsigned long long)t0);

	ret = simq_wait(&q, 4, 10 * MS);
	xt_check("wait-timeout-etimedout", ret == -ETIMEDOUT, "ret %d", ret);

	/* A barrier-value packet stays pending until released. */
	ret = simq_barrier(&q);
	if (!ret)
		ret = simq_submit(&q, 1 * MS, 1);
	xt_check("barrier-doorbell", !ret && q.wdid == 5, "ret %d", ret);
	ret = simq_wait(&q, 4, 50 * MS);
	xt_check("barrier-not-consumed", ret == -ETIMEDOUT && simq_rdid(&q) == 3 &&
		 q.signals[3].value == 1, "ret %d rdid %llu", ret,
		 (unsigned long long)simq_rdid(&q));
	ret = simq_release(&q, 5);
	xt_check("release-kernel-einval", ret == -EINVAL, "ret %d", ret);
	ret = simq_release(&q, 6);
	xt_check("release-unsubmitted-einval", ret == -EINVAL, "ret %d", ret);
	simq_op_init(&op, q.queue_id);
	op.dispatch_id = 4;
	op.timeout_ns = 1;
	ret = simq_ioctl(fd, XSCHED_SIM_IOC_RELEASE, &op);
	xt_check("release-timeout-einval", ret == -EINVAL, "ret %d", ret);
	ret = simq_release(&q, 4);
	xt_check("release", !ret, "ret %d", ret);
	ret = simq_wait(&q, 5, 5000 * MS);
	xt_check("released-barrier-completes", !ret && !q.signals[3].value &&
		 !q.signals[4].value && q.signals[3].end_ts <= q.signals[4].start_ts,
		 "ret %d values %lld %lld", ret, (long long)q.signals[3].value,
		 (long long)q.signals[4].value);
	ret = simq_release(&q, 4);
	xt_check("release-twice-einval", ret == -EINVAL, "ret %d", ret);
	simq_op_init(&op, 999);
	op.dispatch_id = 1;
	ret = simq_ioctl(fd, XSCHED_SIM_IOC_RELEASE, &op);
	xt_check("release-unknown-queue-enoent", ret == -ENOENT, "ret %d", ret);

	memset(&c, 0, sizeof(c));
	c.size = sizeof(c);
	c.ring_va = (uintptr_t)q.ring;
	c.ring_size = 1000;
	c.amdq_va = (uintptr_t)q.amdq;
	ret = simq_ioctl(fd, XSCHED_SIM_IOC_CREATE_QUEUE, &c);
	xt_check("bad-ring-size-einval", ret == -EINVAL, "ret %d", ret);
	c.ring_size = SIMQ_RING_SIZE;
	c.priority = 16;
	ret = simq_ioctl(fd, XSCHED_SIM_IOC_CREATE_QUEUE, &c);
	xt_check("bad-priority-einval", ret == -EINVAL, "ret %d", ret);
	c.priority = 0;
	c.gpu_id = 0xdead;
	ret = simq_ioctl(fd, XSCHED_SIM_IOC_CREATE_QUEUE, &c);
	xt_check("unknown-node-enodev", ret == -ENODEV, "ret %d", ret);
	c.gpu_id = 0;
	c.reserved[1] = 1;
	ret = simq_ioctl(fd, XSCHED_SIM_IOC_CREATE_QUEUE, &c);
	xt_check("reserved-einval", ret == -EINVAL, "ret %d", ret);

	c.reserved[1] = 0;
	c.flags = 1;
	ret = simq_ioctl(fd, XSCHED_SIM_IOC_CREATE_QUEUE, &c);
	xt_check("unknown-flag-einval", ret == -EINVAL, "ret %d", ret);
	nodes.size = sizeof(nodes) - 8;
	ret = simq_ioctl(fd, XSCHED_SIM_IOC_NODES, &nodes);
	xt_check("nodes-bad-size-einval", ret == -EINVAL, "ret %d", ret);
	ret = simq_ioctl(fd, _IOWR(XSCHED_SIM_IOC_MAGIC, 0x7f, struct xsched_sim_queue_op), &op);
	xt_check("unknown-ioctl-enotty", ret == -ENOTTY, "ret %d", ret);
	simq_op_init(&op, q.queue_id);
	op.dispatch_id = 1;	/* only WAIT takes one */
	ret = simq_ioctl(fd, XSCHED_SIM_IOC_DOORBELL, &op);
	xt_check("doorbell-dispatch-id-einval", ret == -EINVAL, "ret %d", ret);

	simq_op_init(&op, 999);
	ret = simq_ioctl(fd, XSCHED_SIM_IOC_DOORBELL, &op);
	xt_check("unknown-queue-enoent", ret == -ENOENT, "ret %d", ret);

	/* A zero-duration packet is malformed. */
	ret = simq_create(&q2, fd, 0, 7);
	if (!ret)
		ret = simq_submit(&q2, 0, 1);
	xt_check("zero-work-einval", ret == -EINVAL, "ret %d", ret);

	/* More packets in flight than the ring has slots. */
	ret = simq_submit(&q, 1000 * MS, SIMQ_SLOTS + 1);
	xt_check("ring-overflow-enospc", ret == -ENOSPC, "ret %d", ret);

	ret = simq_destroy(&q);
	xt_check("destroy", !ret, "ret %d", ret);
	ret = simq_destroy(&q);
	xt_check("destroy-twice-enoent", ret == -ENOENT, "ret %d", ret);
	/* q2 is left for close() to clean up. */
	close(fd);
	return xt_exit();
}
