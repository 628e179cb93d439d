// SPDX-License-Identifier: LGPL-2.1 OR MIT
/*
 * Compile-time check, built by make check against Debian's ROCm headers
 * (libamdhip64-dev, libhsa-runtime-dev): libxsched's own declarations in
 * hipdecl.h match the HIP and HSA ABI it dlopens.  Nothing here runs.
 */
#define __HIP_PLATFORM_AMD__ 1
#include <assert.h>
#include <stddef.h>

#include <hip/hip_runtime_api.h>
#include <hsa/hsa.h>

#include "hipdecl.h"

static_assert(sizeof(hipError_t) == sizeof(int) && hipSuccess == 0,
	      "hipError_t is returned as an int, 0 on success");
static_assert(sizeof(hipStream_t) == sizeof(void *),
	      "hipStream_t is passed as a pointer");
static_assert(hipMallocSignalMemory == XS_HIP_MALLOC_SIGNAL_MEMORY,
	      "hipMallocSignalMemory");
static_assert(hipStreamWaitValueEq == XS_HIP_WAIT_VALUE_EQ,
	      "hipStreamWaitValueEq");
static_assert(offsetof(hsa_queue_t, base_address) ==
	      offsetof(struct xs_hsa_queue, base_address) &&
	      sizeof(((hsa_queue_t *)0)->base_address) ==
	      sizeof(((struct xs_hsa_queue *)0)->base_address),
	      "hsa_queue_t.base_address");

/* The prototypes the typedefs in hipdecl.h mirror, argument for argument. */
hipError_t (*const xs_chk_malloc)(void **, size_t, unsigned int) =
	hipExtMallocWithFlags;
hipError_t (*const xs_chk_free)(void *) = hipFree;
hipError_t (*const xs_chk_wait)(hipStream_t, void *, uint32_t, unsigned int,
				uint32_t) = hipStreamWaitValue32;
hipError_t (*const xs_chk_sync)(hipStream_t) = hipStreamSynchronize;
