// SPDX-License-Identifier: GPL-2.0
/*
 * xsched: module entry points, the /dev/xsched misc device and its
 * read-only sysfs attributes (/sys/class/misc/xsched/).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/sysfs.h>

#include "xsched.h"

static ssize_t version_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%s\n", XSCHED_VERSION);
}
static DEVICE_ATTR_RO(version);

static ssize_t abi_version_show(struct device *dev,
				struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", XSCHED_ABI_VERSION);
}
static DEVICE_ATTR_RO(abi_version);

/* The providers xsched is bound to, by name, space-separated. */
static ssize_t providers_show(struct device *dev,
			      struct device_attribute *attr, char *buf)
{
	struct xsched_binding *b;
	int n = 0;

	mutex_lock(&xsched_lock);
	list_for_each_entry(b, &xsched_bindings, link)
		n += sysfs_emit_at(buf, n, "%s%s", n ? " " : "",
				   b->ops->name);
	mutex_unlock(&xsched_lock);
	return n + sysfs_emit_at(buf, n, "\n");
}
static DEVICE_ATTR_RO(providers);

static struct attribute *xsched_dev_attrs[] = {
	&dev_attr_version.attr,
	&dev_attr_abi_version.attr,
	&dev_attr_providers.attr,
	NULL,
};
ATTRIBUTE_GROUPS(xsched_dev);

/* misc_open() points private_data at the miscdevice; we use it as a mark. */
static int xsched_open(struct inode *inode, struct file *file)
{
	file->private_data = NULL;
	return 0;
}

static const struct file_operations xsched_fops = {
	.owner = THIS_MODULE,
	.open = xsched_open,
	.release = xsched_release,
	.unlocked_ioctl = xsched_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

/*
 * Anyone may open /dev/xsched: GET_FEATURES is harmless, and every
 * ioctl that changes a queue checks its caller's rights itself.
 */
static struct miscdevice xsched_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = XSCHED_DEVICE_NAME,
	.fops = &xsched_fops,
	.groups = xsched_dev_groups,
	.mode = 0666,
};

struct workqueue_struct *xsched_wq;

atomic_long_t xsched_objs[XSCHED_NR_OBJ];

static const char *const xsched_obj_names[XSCHED_NR_OBJ] = {
	[XSCHED_OBJ_BINDING] = "bindings",
	[XSCHED_OBJ_DOMAIN] = "domains",
	[XSCHED_OBJ_QUEUE] = "queues",
	[XSCHED_OBJ_TENANT] = "tenants",
	[XSCHED_OBJ_EVENT] = "events",
	[XSCHED_OBJ_PROC_RULE] = "proc_rules",
	[XSCHED_OBJ_RULE_SET] = "rule_sets",
	[XSCHED_OBJ_PIN] = "pinned_pages",
};

static struct dentry *xsched_debugfs;

static int xsched_objs_show(struct seq_file *m, void *unused)
{
	unsigned int i;

	for (i = 0; i < XSCHED_NR_OBJ; i++)
		seq_printf(m, "%s %ld\n", xsched_obj_names[i],
			   atomic_long_read(&xsched_objs[i]));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(xsched_objs);

/* debugfs xsched/objects: what xsched holds now (tests compare it). */
void xsched_objs_init(void)
{
	xsched_debugfs = debugfs_create_dir("xsched", NULL);
	debugfs_create_file("objects", 0400, xsched_debugfs, NULL,
			    &xsched_objs_fops);
}

/* After everything is freed: anything still counted leaked. */
void xsched_objs_exit(void)
{
	unsigned int i;
	long n;

	debugfs_remove_recursive(xsched_debugfs);
	for (i = 0; i < XSCHED_NR_OBJ; i++) {
		n = atomic_long_read(&xsched_objs[i]);
		if (n)
			pr_err("%ld %s not freed at unload\n", n,
			       xsched_obj_names[i]);
	}
}

static int __init xsched_init(void)
{
	int ret;

	xsched_objs_init();
	xsched_poll_init();
	ret = xsched_init_caches();
	if (ret)
		goto err_objs;
	/* Decisions must not wait behind unrelated work: a dedicated queue. */
	xsched_wq = alloc_workqueue("xsched", WQ_HIGHPRI | WQ_UNBOUND, 0);
	if (!xsched_wq) {
		ret = -ENOMEM;
		goto err_caches;
	}
	/* misc_register() adds the attribute groups before the uevent. */
	ret = misc_register(&xsched_misc);
	if (ret) {
		pr_err("cannot register /dev/%s: %d\n", XSCHED_DEVICE_NAME, ret);
		goto err_wq;
	}
	ret = xsched_sysfs_init(&xsched_misc.this_device->kobj);
	if (ret)
		goto err_misc;
	ret = xsched_provider_init();
	if (ret)
		goto err_sysfs;
	pr_info("version %s loaded (ABI %d)\n", XSCHED_VERSION,
		XSCHED_ABI_VERSION);
	return 0;

err_sysfs:
	xsched_sysfs_exit();
err_misc:
	misc_deregister(&xsched_misc);
err_wq:
	destroy_workqueue(xsched_wq);
err_caches:
	xsched_exit_caches();
err_objs:
	xsched_objs_exit();
	return ret;
}

static void __exit xsched_exit(void)
{
	xsched_rules_exit();
	xsched_provider_exit();
	xsched_poll_exit();	/* no domain left */
	xsched_sysfs_exit();
	misc_deregister(&xsched_misc);
	destroy_workqueue(xsched_wq);
	xsched_exit_caches();
	xsched_objs_exit();
	pr_info("unloaded\n");
}

/* Built in, providers (device initcalls) must be up before we bind. */
late_initcall(xsched_init);
module_exit(xsched_exit);

MODULE_DESCRIPTION("Preemptive priority scheduling of AMD GPU compute queues");
MODULE_AUTHOR("The xsched authors");
MODULE_LICENSE("GPL");
MODULE_VERSION(XSCHED_VERSION);
