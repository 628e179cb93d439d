// SPDX-License-Identifier: GPL-2.0
/*
 * xsched_domain_device() on the build host, against a made-up KFD
 * topology under XSCHED_SYSFS_ROOT (no GPU, no xsched needed: the handle
 * is NULL, so only the topology and libdrm_amdgpu are consulted):
 * gpu_id -> node, render node, PCI address, partition and name, exactly;
 * a partitioned device; and libdrm_amdgpu's failure paths, each reported
 * in drm_error with the topology's name kept.
 *
 * Usage: device_names SCRATCH_DIR   (exit 0 pass, 1 fail)
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "libxsched.h"
#include "../user/xtest.h"

static char root[512];

static void put(const char *rel, const char *text)
{
	char path[1024], *p;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (p = path + strlen(root) + 1; (p = strchr(p, '/')); p++) {
		*p = 0;
		mkdir(path, 0755);
		*p = '/';
	}
	f = fopen(path, "w");
	if (!f || fputs(text, f) < 0 || fclose(f)) {
		fprintf(stderr, "device_names: cannot write %s\n", path);
		exit(1);
	}
}

static void node(int n, unsigned int gpu_id, const char *name,
		 unsigned int location, unsigned int domain,
		 unsigned int minor, unsigned long long unique)
{
	char rel[128], text[1024];

	snprintf(rel, sizeof(rel), "sys/class/kfd/kfd/topology/nodes/%d/gpu_id", n);
	snprintf(text, sizeof(text), "%u\n", gpu_id);
	put(rel, text);
	snprintf(rel, sizeof(rel), "sys/class/kfd/kfd/topology/nodes/%d/name", n);
	snprintf(text, sizeof(text), "%s\n", name);
	put(rel, text);
	snprintf(rel, sizeof(rel), "sys/class/kfd/kfd/topology/nodes/%d/properties", n);
	/* The order and neighbours of a real file, as kfd_topology.c prints. */
	snprintf(text, sizeof(text),
		 "cpu_cores_count %u\nsimd_count %u\nmem_banks_count 1\n"
		 "gfx_target_version %u\nvendor_id %u\ndevice_id %u\n"
		 "location_id %u\ndomain %u\ndrm_render_minor %u\n"
		 "hive_id 0\nnum_sdma_engines 2\nunique_id %llu\n"
		 "num_xcc %u\nmax_engine_clk_ccompute 3000\n",
		 gpu_id ? 0 : 64, gpu_id ? 304 : 0, gpu_id ? 90402 : 0,
		 gpu_id ? 0x1002 : 0, gpu_id ? 0x74a1 : 0, location, domain,
		 minor, unique, gpu_id ? 2 : 0);
	put(rel, text);
}

static void check_dev(const char *name, unsigned int gpu_id, int want_node,
		      const char *render, const char *pci, unsigned int part,
		      unsigned int parts, const char *mode, const char *dname)
{
	struct xsched_device d;
	int ret = xsched_domain_device(NULL, gpu_id, &d);

	xt_check(name, !ret && d.gpu_id == gpu_id && d.kfd_node == want_node &&
		 !strcmp(d.render_node, render) && !strcmp(d.pci_address, pci) &&
		 d.partition == part && d.partitions == parts &&
		 !strcmp(d.partition_mode, mode) && !strcmp(d.name, dname) &&
		 d.vendor_id == 0x1002 && d.device_id == 0x74a1 &&
		 !(d.flags & XSCHED_DEVICE_SIMULATED),
		 "ret %d node %d render '%s' pci '%s' part %u/%u mode '%s' name '%s'",
		 ret, d.kfd_node, d.render_node, d.pci_address, d.partition,
		 d.partitions, d.partition_mode, d.name);
}

int main(int argc, char **argv)
{
	struct xsched_device d;
	char lib[600];
	void *dl;
	int ret;

	xt_prog = "device_names";
	if (argc != 2) {
		fprintf(stderr, "usage: %s SCRATCH_DIR\n", argv[0]);
		return 2;
	}
	snprintf(root, sizeof(root), "%s", argv[1]);
	setenv("XSCHED_SYSFS_ROOT", root, 1);

	ret = xsched_domain_device(NULL, 1234, &d);
	xt_check_ret("no-kfd-topology-enoent", ret, -ENOENT);

	/* A CPU node, a whole MI300X at 0000:c1:00.0, one in CPX (2 parts). */
	node(0, 0, "AMD EPYC", 0, 0, 0, 0);
	node(1, 41234, "gfx942", 0xc100, 0, 128, 0x1111);
	node(2, 50001, "gfx942", 0x4100 | 1, 1, 137, 0x2222);
	node(3, 50000, "gfx942", 0x4100 | 0, 1, 136, 0x2222);
	node(4, 50002, "gfx942", 0x8208, 0, 140, 0x3333);	/* 82:01.0 */
	put("sys/bus/pci/devices/0001:41:00.0/current_compute_partition", "CPX\n");
	put("dev/dri/renderD128", "");

	/* Topology only: no libdrm_amdgpu to load. */
	setenv("XSCHED_LIBDRM_AMDGPU", "/nonexistent/libdrm_amdgpu.so.1", 1);
	check_dev("whole-device", 41234, 1, "/dev/dri/renderD128", "0000:c1:00.0",
		  0, 1, "", "gfx942");
	check_dev("partition-0", 50000, 3, "/dev/dri/renderD136", "0001:41:00.0",
		  0, 2, "CPX", "gfx942");
	check_dev("partition-1", 50001, 2, "/dev/dri/renderD137", "0001:41:00.0",
		  1, 2, "CPX", "gfx942");
	check_dev("pci-slot-decoded", 50002, 4, "/dev/dri/renderD140",
		  "0000:82:01.0", 0, 1, "", "gfx942");
	ret = xsched_domain_device(NULL, 41234, &d);
	xt_check("no-libdrm-enosys-reported", !ret && d.drm_error == -ENOSYS &&
		 !(d.flags & XSCHED_DEVICE_DRM_NAME), "ret %d drm_error %d",
		 ret, d.drm_error);
	xt_check_ret("unknown-gpu-id-enoent",
		     xsched_domain_device(NULL, 777, &d), -ENOENT);
	xt_check_ret("cpu-node-gpu-id-0-enoent",
		     xsched_domain_device(NULL, 0, &d), -ENOENT);
	xt_check_ret("null-out-einval", xsched_domain_device(NULL, 41234, NULL),
		     -EINVAL);

	/*
	 * The real libdrm_amdgpu, if installed: it loads, but a regular file
	 * is no DRM device (-EIO), and a missing render node is -ENOENT.
	 */
	unsetenv("XSCHED_LIBDRM_AMDGPU");
	dl = dlopen("libdrm_amdgpu.so.1", RTLD_NOW | RTLD_LOCAL);
	if (!dl) {
		xt_skip("libdrm-not-a-drm-device-eio", "libdrm_amdgpu.so.1 not installed");
		xt_skip("libdrm-no-render-node-enoent", "libdrm_amdgpu.so.1 not installed");
	} else {
		dlclose(dl);
		ret = xsched_domain_device(NULL, 41234, &d);
		xt_check("libdrm-not-a-drm-device-eio", !ret && d.drm_error == -EIO &&
			 !strcmp(d.name, "gfx942"), "ret %d drm_error %d name '%s'",
			 ret, d.drm_error, d.name);
		ret = xsched_domain_device(NULL, 50000, &d);
		xt_check("libdrm-no-render-node-enoent", !ret &&
			 d.drm_error == -ENOENT && !strcmp(d.name, "gfx942"),
			 "ret %d drm_error %d", ret, d.drm_error);
	}
	snprintf(lib, sizeof(lib), "%s/libnot-drm.so", root);
	put("libnot-drm.so", "not an ELF file\n");
	setenv("XSCHED_LIBDRM_AMDGPU", lib, 1);
	ret = xsched_domain_device(NULL, 41234, &d);
	xt_check("libdrm-unloadable-enosys", !ret && d.drm_error == -ENOSYS,
		 "ret %d drm_error %d", ret, d.drm_error);

	/* A node whose properties lack a field KFD always prints. */
	put("sys/class/kfd/kfd/topology/nodes/1/properties", "vendor_id 4098\n");
	xt_check_ret("malformed-properties-einval",
		     xsched_domain_device(NULL, 41234, &d), -EINVAL);
	return xt_exit();
}
