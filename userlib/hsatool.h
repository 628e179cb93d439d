/* SPDX-License-Identifier: LGPL-2.1 OR MIT */
/*
 * Between libxsched and libxsched-hsa (the HSA tools library) in one
 * process: the tools library exports xsched_hsa_tool(), which libxsched
 * looks up with dlsym() in the copy ROCr loaded (dlopen RTLD_NOLOAD).
 * Not a public interface; abi changes with any incompatible change.
 */
#ifndef XS_HSATOOL_H
#define XS_HSATOOL_H

#include <stdint.h>

#define XS_HSA_TOOL_ABI		1
#define XS_HSA_TOOL_SONAME	"libxsched-hsa.so.0"

struct xs_hsa_tool {
	uint32_t abi;		/* XS_HSA_TOOL_ABI */
	uint32_t active;	/* OnLoad() ran and wrapped the table */
	/*
	 * The rings (hsa_queue_t.base_address) of the queues the process
	 * has now, up to @max of them; returns how many there are.
	 */
	uint32_t (*rings)(uint64_t *rings, uint32_t max);
	/*
	 * Between probe_begin() and probe_end() on one thread, the queues
	 * that thread reserves packets on are collected; probe_end() gives
	 * the ring of the one queue (0), -ENOENT (none) or -EBUSY (more).
	 */
	void (*probe_begin)(void);
	int (*probe_end)(uint64_t *ring);
};

typedef const struct xs_hsa_tool *(*xs_hsa_tool_fn)(void);

#endif /* XS_HSATOOL_H */
