/* SPDX-License-Identifier: LGPL-2.1 OR MIT */
/*
 * libxsched's own declarations of the libdrm_amdgpu calls it dlopens to
 * name a device, so that it builds and runs without libdrm; drm-check.c
 * asserts at compile time that they agree with libdrm's amdgpu.h.
 */
#ifndef XS_DRMDECL_H
#define XS_DRMDECL_H

#include <stdint.h>

/* amdgpu_device_handle is a pointer to an opaque struct. */
typedef int (*xs_drm_init_fn)(int fd, uint32_t *major, uint32_t *minor,
			      void **dev);
typedef int (*xs_drm_deinit_fn)(void *dev);
typedef int (*xs_drm_gpu_info_fn)(void *dev, void *info);
typedef const char *(*xs_drm_name_fn)(void *dev);

/*
 * struct amdgpu_gpu_info is written whole by amdgpu_query_gpu_info(); the
 * library passes a buffer of XS_DRM_GPU_INFO_ROOM bytes and reads only
 * asic_id (the PCI device id) at offset 0.
 */
#define XS_DRM_GPU_INFO_ROOM	4096
#define XS_DRM_GPU_INFO_ASIC_ID	0

#endif /* XS_DRMDECL_H */
