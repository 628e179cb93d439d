// SPDX-License-Identifier: LGPL-2.1 OR MIT
/*
 * libxsched: name a domain's device the way ROCm users know it.
 *
 * A domain is named by its KFD gpu_id.  KFD's topology
 * (/sys/class/kfd/kfd/topology/nodes/<n>/{gpu_id,name,properties}) maps
 * it to its node: drm_render_minor gives the render node; domain and
 * location_id (the PCI bus/devfn, with the partition's index or'ed into
 * the low bits when amdgpu splits a device into several nodes) give the
 * PCI address; nodes sharing a device (same domain, bus, slot and
 * unique_id) are its partitions.  libdrm_amdgpu, loaded with dlopen()
 * and only for this, opens the render node and gives the marketing name
 * after checking that the device behind it is the node's.
 *
 * XSCHED_SYSFS_ROOT, when set, is prefixed to every /sys and /dev path
 * read here (tests feed a made-up topology); XSCHED_LIBDRM_AMDGPU names
 * the libdrm_amdgpu to load instead of libdrm_amdgpu.so.1.
 */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "drmdecl.h"
#include "internal.h"

#define XS_KFD_NODES	"/sys/class/kfd/kfd/topology/nodes"
#define XS_MAX_NODES	256	/* topology nodes looked at */
#define XS_PROPS_MAX	8192

struct xs_node {
	int num;		/* topology node number */
	uint32_t gpu_id;
	uint32_t vendor_id, device_id, location_id, domain, render_minor;
	uint64_t unique_id;
	int bad;		/* properties unreadable or malformed */
	char name[64];
};

static const char *xs_root(void)
{
	const char *r = getenv("XSCHED_SYSFS_ROOT");

	return r ? r : "";
}

/* One "key value" line of a properties file; -ENOENT when absent. */
static int xs_prop(const char *props, const char *key, uint64_t *val)
{
	size_t klen = strlen(key);
	const char *p = props;

	while (p && *p) {
		if (!strncmp(p, key, klen) && p[klen] == ' ') {
			char *end;

			errno = 0;
			*val = strtoull(p + klen + 1, &end, 10);
			return errno || end == p + klen + 1 ? -EINVAL : 0;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return -ENOENT;
}

/*
 * Reads node @num; 0, -ENOENT (no such node), -ENOMEM, or another -errno
 * (properties unreadable or malformed: -EINVAL) with gpu_id set.
 */
static int xs_node_read(int num, struct xs_node *n)
{
	char path[512], buf[64], *props;
	uint64_t v[6] = { 0 };
	static const char *const keys[] = {
		"vendor_id", "device_id", "location_id", "domain",
		"drm_render_minor", "unique_id",
	};
	size_t i;
	int ret;

	memset(n, 0, sizeof(*n));
	n->num = num;
	snprintf(path, sizeof(path), "%s" XS_KFD_NODES "/%d/gpu_id", xs_root(),
		 num);
	ret = xs_read_file(path, buf, sizeof(buf));
	if (ret)
		return ret;
	n->gpu_id = (uint32_t)strtoul(buf, NULL, 10);
	snprintf(path, sizeof(path), "%s" XS_KFD_NODES "/%d/name", xs_root(), num);
	if (xs_read_file(path, n->name, sizeof(n->name)))
		n->name[0] = 0;
	if (!n->gpu_id)
		return 0;	/* a CPU node: nothing more to know */
	props = malloc(XS_PROPS_MAX);
	if (!props)
		return -ENOMEM;
	snprintf(path, sizeof(path), "%s" XS_KFD_NODES "/%d/properties",
		 xs_root(), num);
	ret = xs_read_file(path, props, XS_PROPS_MAX);
	/* unique_id is absent on older kernels; the others are required. */
	for (i = 0; !ret && i < sizeof(keys) / sizeof(keys[0]); i++) {
		ret = xs_prop(props, keys[i], &v[i]);
		if (ret == -ENOENT && i == 5)
			ret = 0;
	}
	free(props);
	if (ret)
		return ret == -ENOENT ? -EINVAL : ret;
	n->vendor_id = (uint32_t)v[0];
	n->device_id = (uint32_t)v[1];
	n->location_id = (uint32_t)v[2];
	n->domain = (uint32_t)v[3];
	n->render_minor = (uint32_t)v[4];
	n->unique_id = v[5];
	return 0;
}

/* Two GPU nodes on one PCI device: partitions of it. */
static int xs_same_device(const struct xs_node *a, const struct xs_node *b)
{
	return a->gpu_id && b->gpu_id && !a->bad && !b->bad &&
	       a->domain == b->domain &&
	       (a->location_id >> 3) == (b->location_id >> 3) &&
	       a->unique_id == b->unique_id && a->device_id == b->device_id;
}

/* Fills @dev from the topology; -ENOENT if no node has @gpu_id. */
static int xs_topology(uint32_t gpu_id, struct xsched_device *dev)
{
	struct xs_node *nodes, *me = NULL, *first = NULL;
	char path[512], dir[400];
	struct dirent *de;
	int n = 0, i, ret = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s" XS_KFD_NODES, xs_root());
	d = opendir(dir);
	if (!d)
		return errno == ENOENT || errno == ENOTDIR ? -ENOENT : -errno;
	nodes = calloc(XS_MAX_NODES, sizeof(*nodes));
	if (!nodes) {
		closedir(d);
		return -ENOMEM;
	}
	while (n < XS_MAX_NODES && (de = readdir(d))) {
		char *end;
		long num = strtol(de->d_name, &end, 10);

		if (end == de->d_name || *end || num < 0 || num > 65535)
			continue;
		ret = xs_node_read((int)num, &nodes[n]);
		if (ret == -ENOENT) {	/* vanished, or not a node */
			ret = 0;
			continue;
		}
		if (ret == -ENOMEM)
			break;
		/* A bad node fails its own lookup, not its neighbours'. */
		nodes[n].bad = ret;
		ret = 0;
		n++;
	}
	closedir(d);
	for (i = 0; !ret && gpu_id && i < n; i++)	/* 0: CPU nodes */
		if (nodes[i].gpu_id == gpu_id)
			me = &nodes[i];
	if (!ret && !me)
		ret = -ENOENT;
	if (!ret && me->bad)
		ret = me->bad;
	if (ret) {
		free(nodes);
		return ret;
	}

	dev->kfd_node = me->num;
	dev->vendor_id = me->vendor_id;
	dev->device_id = me->device_id;
	snprintf(dev->name, sizeof(dev->name), "%s", me->name);
	dev->render_minor = (int32_t)me->render_minor;
	if (me->render_minor)
		snprintf(dev->render_node, sizeof(dev->render_node),
			 "/dev/dri/renderD%" PRIu32, me->render_minor);
	else
		dev->render_minor = -1;
	/* Partitions: ordered by location_id, whose low bits hold the index. */
	dev->partitions = 0;
	for (i = 0; i < n; i++) {
		if (!xs_same_device(&nodes[i], me))
			continue;
		dev->partitions++;
		if (nodes[i].location_id < me->location_id)
			dev->partition++;
		if (!first || nodes[i].location_id < first->location_id)
			first = &nodes[i];
	}
	/* The first partition's location_id is the device's own. */
	snprintf(dev->pci_address, sizeof(dev->pci_address),
		 "%04x:%02x:%02x.%x", first->domain & 0xffff,
		 (first->location_id >> 8) & 0xff,
		 (first->location_id >> 3) & 0x1f, first->location_id & 7);
	snprintf(path, sizeof(path),
		 "%s/sys/bus/pci/devices/%s/current_compute_partition",
		 xs_root(), dev->pci_address);
	if (xs_read_file(path, dev->partition_mode, sizeof(dev->partition_mode)))
		dev->partition_mode[0] = 0;
	free(nodes);
	return 0;
}

/* The marketing name through libdrm_amdgpu; 0 or -errno. */
static int xs_drm_name(struct xsched_device *dev)
{
	const char *lib = getenv("XSCHED_LIBDRM_AMDGPU");
	uint32_t major, minor, asic_id;
	xs_drm_gpu_info_fn gpu_info;
	xs_drm_deinit_fn deinit;
	xs_drm_name_fn get_name;
	xs_drm_init_fn init;
	void *dl, *h = NULL, *info = NULL;
	const char *name;
	char path[512];
	int fd, ret;

	if (dev->render_minor < 0)
		return -ENXIO;
	dl = dlopen(lib && *lib ? lib : "libdrm_amdgpu.so.1",
		    RTLD_NOW | RTLD_LOCAL);
	if (!dl)
		return -ENOSYS;
	*(void **)&init = dlsym(dl, "amdgpu_device_initialize");
	*(void **)&deinit = dlsym(dl, "amdgpu_device_deinitialize");
	*(void **)&gpu_info = dlsym(dl, "amdgpu_query_gpu_info");
	*(void **)&get_name = dlsym(dl, "amdgpu_get_marketing_name");
	if (!init || !deinit || !gpu_info || !get_name) {
		dlclose(dl);
		return -ENOSYS;
	}
	snprintf(path, sizeof(path), "%s%s", xs_root(), dev->render_node);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		dlclose(dl);
		return ret;
	}
	ret = -EIO;
	info = calloc(1, XS_DRM_GPU_INFO_ROOM);
	if (!info) {
		ret = -ENOMEM;
		goto out;
	}
	if (init(fd, &major, &minor, &h) || !h)
		goto out;
	if (gpu_info(h, info))
		goto out;
	memcpy(&asic_id, (char *)info + XS_DRM_GPU_INFO_ASIC_ID,
	       sizeof(asic_id));
	if (asic_id != dev->device_id) {
		ret = -ENODEV;	/* the render node is another device's */
		goto out;
	}
	name = get_name(h);
	if (!name || !*name)
		goto out;
	snprintf(dev->name, sizeof(dev->name), "%s", name);
	ret = 0;
out:
	if (h)
		deinit(h);
	free(info);
	close(fd);
	dlclose(dl);
	return ret;
}

/* xsched_sim.ko's domains: their names say "simulated", nothing to open. */
static int xs_simulated(struct xsched *xs, uint32_t gpu_id,
			struct xsched_device *dev)
{
	struct xsched_domain_info *d;
	uint32_t n, i, nsim = 0;
	int ret, found = 0;

	ret = xsched_get_domains(xs, &d, &n);
	if (ret)
		return ret;
	for (i = 0; i < n; i++) {
		int sim = !strncmp(d[i].name, "simulated", 9);

		if (d[i].gpu_id == gpu_id) {
			found = 1 + sim;
			dev->partition = nsim;
			snprintf(dev->name, sizeof(dev->name), "%s", d[i].name);
		}
		nsim += sim;
	}
	free(d);
	if (!found)
		return -ENOENT;
	if (found == 1)
		return 0;	/* a real domain: look it up */
	dev->flags |= XSCHED_DEVICE_SIMULATED;
	dev->partitions = nsim;
	dev->drm_error = -ENODEV;
	return 1;
}

XS_EXPORT int xsched_domain_device(struct xsched *xs, uint32_t gpu_id,
				   struct xsched_device *dev)
{
	int ret;

	if (!dev)
		return -EINVAL;
	memset(dev, 0, sizeof(*dev));
	dev->gpu_id = gpu_id;
	dev->kfd_node = -1;
	dev->render_minor = -1;
	dev->partitions = 1;
	if (xs) {
		ret = xs_simulated(xs, gpu_id, dev);
		if (ret)
			return ret < 0 ? ret : 0;
		dev->name[0] = 0;
		dev->partition = 0;
	}
	ret = xs_topology(gpu_id, dev);
	if (ret)
		return ret;
	dev->drm_error = xs_drm_name(dev);
	if (!dev->drm_error)
		dev->flags |= XSCHED_DEVICE_DRM_NAME;
	return 0;
}
