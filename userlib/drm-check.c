// SPDX-License-Identifier: LGPL-2.1 OR MIT
/*
 * Compile-time check, built by make check against Debian's libdrm-dev:
 * libxsched's own declarations in drmdecl.h match the libdrm_amdgpu ABI
 * it dlopens.  Nothing here runs.
 */
#include <assert.h>
#include <stddef.h>

#include <amdgpu.h>

#include "drmdecl.h"

static_assert(sizeof(amdgpu_device_handle) == sizeof(void *),
	      "amdgpu_device_handle is passed as a pointer");
static_assert(sizeof(struct amdgpu_gpu_info) <= XS_DRM_GPU_INFO_ROOM,
	      "the gpu_info buffer is large enough");
static_assert(offsetof(struct amdgpu_gpu_info, asic_id) ==
	      XS_DRM_GPU_INFO_ASIC_ID &&
	      sizeof(((struct amdgpu_gpu_info *)0)->asic_id) == sizeof(uint32_t),
	      "amdgpu_gpu_info.asic_id");

/* The prototypes the typedefs in drmdecl.h mirror, argument for argument. */
int (*const xs_chk_init)(int, uint32_t *, uint32_t *, amdgpu_device_handle *) =
	amdgpu_device_initialize;
int (*const xs_chk_deinit)(amdgpu_device_handle) = amdgpu_device_deinitialize;
int (*const xs_chk_info)(amdgpu_device_handle, struct amdgpu_gpu_info *) =
	amdgpu_query_gpu_info;
const char *(*const xs_chk_name)(amdgpu_device_handle) =
	amdgpu_get_marketing_name;
