/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xsched tracepoints: every decision, pause and resume, so that perf and
 * trace-cmd show what the scheduler did and how fast.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM xsched

#if !defined(_XSCHED_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _XSCHED_TRACE_H

#include <linux/tracepoint.h>

/* A policy decision: the level below which queues are paused. */
TRACE_EVENT(xsched_decide,
	TP_PROTO(u32 gpu_id, unsigned int old_level, unsigned int level,
		 unsigned long busy_levels),
	TP_ARGS(gpu_id, old_level, level, busy_levels),
	TP_STRUCT__entry(
		__field(u32, gpu_id)
		__field(unsigned int, old_level)
		__field(unsigned int, level)
		__field(unsigned long, busy_levels)
	),
	TP_fast_assign(
		__entry->gpu_id = gpu_id;
		__entry->old_level = old_level;
		__entry->level = level;
		__entry->busy_levels = busy_levels;
	),
	TP_printk("gpu_id=%u old_level=%u level=%u busy_levels=0x%lx",
		  __entry->gpu_id, __entry->old_level, __entry->level,
		  __entry->busy_levels)
);

/*
 * A batched pause as the provider returned it.  latency_ns: from the
 * moment a higher level became busy to the pause being issued (0 when
 * the pause did not follow a rise, e.g. a priority change).
 */
TRACE_EVENT(xsched_pause,
	TP_PROTO(u32 gpu_id, unsigned int queues, u64 latency_ns,
		 u64 op_ns, int ret),
	TP_ARGS(gpu_id, queues, latency_ns, op_ns, ret),
	TP_STRUCT__entry(
		__field(u32, gpu_id)
		__field(unsigned int, queues)
		__field(u64, latency_ns)
		__field(u64, op_ns)
		__field(int, ret)
	),
	TP_fast_assign(
		__entry->gpu_id = gpu_id;
		__entry->queues = queues;
		__entry->latency_ns = latency_ns;
		__entry->op_ns = op_ns;
		__entry->ret = ret;
	),
	TP_printk("gpu_id=%u queues=%u latency_ns=%llu op_ns=%llu ret=%d",
		  __entry->gpu_id, __entry->queues,
		  (unsigned long long)__entry->latency_ns,
		  (unsigned long long)__entry->op_ns, __entry->ret)
);

/* A batched resume as the provider returned it. */
TRACE_EVENT(xsched_resume,
	TP_PROTO(u32 gpu_id, unsigned int queues, u64 op_ns, int ret),
	TP_ARGS(gpu_id, queues, op_ns, ret),
	TP_STRUCT__entry(
		__field(u32, gpu_id)
		__field(unsigned int, queues)
		__field(u64, op_ns)
		__field(int, ret)
	),
	TP_fast_assign(
		__entry->gpu_id = gpu_id;
		__entry->queues = queues;
		__entry->op_ns = op_ns;
		__entry->ret = ret;
	),
	TP_printk("gpu_id=%u queues=%u op_ns=%llu ret=%d",
		  __entry->gpu_id, __entry->queues,
		  (unsigned long long)__entry->op_ns, __entry->ret)
);

/* A resume held back by max_changes_per_s. */
TRACE_EVENT(xsched_limit,
	TP_PROTO(u32 gpu_id, unsigned int queues, u32 max_changes_per_s,
		 u64 wait_ns),
	TP_ARGS(gpu_id, queues, max_changes_per_s, wait_ns),
	TP_STRUCT__entry(
		__field(u32, gpu_id)
		__field(unsigned int, queues)
		__field(u32, max_changes_per_s)
		__field(u64, wait_ns)
	),
	TP_fast_assign(
		__entry->gpu_id = gpu_id;
		__entry->queues = queues;
		__entry->max_changes_per_s = max_changes_per_s;
		__entry->wait_ns = wait_ns;
	),
	TP_printk("gpu_id=%u queues=%u max_changes_per_s=%u wait_ns=%llu",
		  __entry->gpu_id, __entry->queues,
		  __entry->max_changes_per_s,
		  (unsigned long long)__entry->wait_ns)
);

#endif /* _XSCHED_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE xsched_trace
#include <trace/define_trace.h>
