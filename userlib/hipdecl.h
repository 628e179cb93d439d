/* SPDX-License-Identifier: LGPL-2.1 OR MIT */
/*
 * libxsched's own declarations of the HIP and HSA pieces it uses, so that
 * it builds and runs without ROCm; rocm-check.c asserts at compile time
 * that they agree with ROCm's headers.
 */
#ifndef XS_HIPDECL_H
#define XS_HIPDECL_H

#include <stddef.h>
#include <stdint.h>

/* hipError_t is an enum whose hipSuccess is 0; int has its size. */
typedef int (*xs_hip_malloc_fn)(void **ptr, size_t size, unsigned int flags);
typedef int (*xs_hip_free_fn)(void *ptr);
typedef int (*xs_hip_wait_fn)(void *stream, void *ptr, uint32_t value,
			      unsigned int flags, uint32_t mask);
typedef int (*xs_hip_sync_fn)(void *stream);

#define XS_HIP_MALLOC_SIGNAL_MEMORY	0x2	/* hipMallocSignalMemory */
#define XS_HIP_WAIT_VALUE_EQ		0x1	/* hipStreamWaitValueEq */

/* The leading, ABI-fixed fields of hsa_queue_t (hsa.h). */
struct xs_hsa_queue {
	uint32_t type;
	uint32_t features;
	uint64_t base_address;
};

#endif /* XS_HIPDECL_H */
