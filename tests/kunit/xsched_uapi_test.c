// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: validation of the /dev/xsched ioctls (uapi/xsched.h rules).
 */
#include <kunit/test.h>
#include <linux/string.h>

#include "../../kmod/xsched/xsched.h"

static void xsched_valid_request(struct xsched_features *f)
{
	memset(f, 0, sizeof(*f));
	f->size = sizeof(*f);
}

static void features_valid_request_answers(struct kunit *test)
{
	struct xsched_features f;

	xsched_valid_request(&f);
	/* Output fields are ignored on input. */
	f.abi_version = 0xdead;
	f.features = ~0ULL;
	KUNIT_ASSERT_EQ(test, xsched_features_query(&f), 0);
	KUNIT_EXPECT_EQ(test, f.abi_version, (u32)XSCHED_ABI_VERSION);
	KUNIT_EXPECT_EQ(test, f.features, (u64)XSCHED_FEATURES_SUPPORTED);
	KUNIT_EXPECT_TRUE(test, f.features & XSCHED_FEAT_GET_FEATURES);
	KUNIT_EXPECT_EQ(test, f.size, (u32)sizeof(f));
}

enum xsched_field { XS_SIZE, XS_FLAGS, XS_RESERVED0, XS_RESERVED };

struct xsched_bad_features {
	const char *desc;
	enum xsched_field field;
	int index;		/* for XS_RESERVED */
	u64 value;		/* XS_SIZE: added to the right size */
};

static const struct xsched_bad_features xsched_bad_features_cases[] = {
	{ "size 0", XS_SIZE, 0, -(u64)sizeof(struct xsched_features) },
	{ "size one byte short", XS_SIZE, 0, -1ULL },
	{ "size 8 bytes long", XS_SIZE, 0, 8 },
	{ "size 4 KiB long", XS_SIZE, 0, 4096 },
	{ "unknown flag bit 0", XS_FLAGS, 0, 1 },
	{ "unknown flag bit 31", XS_FLAGS, 0, 1U << 31 },
	{ "reserved0 non-zero", XS_RESERVED0, 0, 1 },
	{ "reserved[0] non-zero", XS_RESERVED, 0, 1 },
	{ "reserved[3] non-zero", XS_RESERVED, 3, 1ULL << 63 },
};

static void xsched_mangle(struct xsched_features *f,
			  const struct xsched_bad_features *c)
{
	switch (c->field) {
	case XS_SIZE:
		f->size += (u32)c->value;
		break;
	case XS_FLAGS:
		f->flags = (u32)c->value;
		break;
	case XS_RESERVED0:
		f->reserved0 = (u32)c->value;
		break;
	case XS_RESERVED:
		f->reserved[c->index] = c->value;
		break;
	}
}

static void xsched_bad_features_desc(const struct xsched_bad_features *c,
				     char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}
KUNIT_ARRAY_PARAM(xsched_bad_features, xsched_bad_features_cases,
		  xsched_bad_features_desc);

static void features_bad_request_einval_unchanged(struct kunit *test)
{
	const struct xsched_bad_features *c = test->param_value;
	struct xsched_features f, before;

	xsched_valid_request(&f);
	xsched_mangle(&f, c);
	before = f;
	KUNIT_EXPECT_EQ(test, xsched_features_query(&f), -EINVAL);
	KUNIT_EXPECT_EQ(test, memcmp(&f, &before, sizeof(f)), 0);
}

static const unsigned int xsched_unknown_cmds[] = {
	_IOWR(XSCHED_IOC_MAGIC, 0x7f, struct xsched_features),
	_IOWR(XSCHED_IOC_MAGIC, 0x00, __u32),	/* right nr, wrong size */
	_IOR(XSCHED_IOC_MAGIC, 0x00, struct xsched_features),
	_IOWR('Y', 0x00, struct xsched_features),
	0,
};

static void xsched_unknown_cmd_desc(const unsigned int *cmd, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "cmd 0x%08x", *cmd);
}
KUNIT_ARRAY_PARAM(xsched_unknown_cmd, xsched_unknown_cmds,
		  xsched_unknown_cmd_desc);

/* Unknown commands are refused before the argument is touched. */
static void ioctl_unknown_cmd_enotty(struct kunit *test)
{
	const unsigned int *cmd = test->param_value;

	KUNIT_EXPECT_EQ(test, xsched_ioctl(NULL, *cmd, 0), (long)-ENOTTY);
}

static void xsched_list_request(struct xsched_list *l)
{
	memset(l, 0, sizeof(*l));
	l->size = sizeof(*l);
	l->entry_size = sizeof(struct xsched_queue_info);
	l->count = 4;
	l->entries = 0x1000;
}

struct xsched_bad_list {
	const char *desc;
	void (*mangle)(struct xsched_list *l);
};

static void bl_size(struct xsched_list *l)
{
	l->size -= 8;
}

static void bl_flag(struct xsched_list *l)
{
	l->flags = 1U << 5;
}

static void bl_esize(struct xsched_list *l)
{
	l->entry_size = 64;
}

static void bl_noarray(struct xsched_list *l)
{
	l->entries = 0;
}

static void bl_gpu(struct xsched_list *l)
{
	l->gpu_id = 7;
}

static void bl_rsv0(struct xsched_list *l)
{
	l->reserved0 = 1;
}

static void bl_rsv(struct xsched_list *l)
{
	l->reserved[1] = 1;
}


static const struct xsched_bad_list xsched_bad_lists[] = {
	{ "size", bl_size }, { "unknown flag", bl_flag },
	{ "entry_size", bl_esize }, { "room without array", bl_noarray },
	{ "gpu_id without XSCHED_LIST_GPU_ID", bl_gpu },
	{ "reserved0", bl_rsv0 }, { "reserved[1]", bl_rsv },
};

static void xsched_bad_list_desc(const struct xsched_bad_list *c, char *d)
{
	strscpy(d, c->desc, KUNIT_PARAM_DESC_SIZE);
}
KUNIT_ARRAY_PARAM(xsched_bad_list, xsched_bad_lists, xsched_bad_list_desc);

static void list_valid_requests_accepted(struct kunit *test)
{
	const u32 both = XSCHED_LIST_GPU_ID | XSCHED_LIST_MINE;
	struct xsched_list l;

	xsched_list_request(&l);
	KUNIT_EXPECT_EQ(test, xsched_check_list(&l, sizeof(struct xsched_queue_info), both), 0);
	l.flags = both;
	l.gpu_id = 7;
	KUNIT_EXPECT_EQ(test, xsched_check_list(&l, sizeof(struct xsched_queue_info), both), 0);
	/* Asking only how many: no room, no array. */
	xsched_list_request(&l);
	l.count = 0;
	l.entries = 0;
	KUNIT_EXPECT_EQ(test, xsched_check_list(&l, sizeof(struct xsched_queue_info), 0), 0);
	/* A flag this list does not define. */
	xsched_list_request(&l);
	l.flags = XSCHED_LIST_MINE;
	KUNIT_EXPECT_EQ(test, xsched_check_list(&l, sizeof(struct xsched_queue_info), 0), -EINVAL);
}

static void list_bad_request_einval(struct kunit *test)
{
	const struct xsched_bad_list *c = test->param_value;
	struct xsched_list l;

	xsched_list_request(&l);
	c->mangle(&l);
	KUNIT_EXPECT_EQ(test, xsched_check_list(&l, sizeof(struct xsched_queue_info),
						XSCHED_LIST_GPU_ID | XSCHED_LIST_MINE),
			-EINVAL);
}

static void args_rules(struct kunit *test)
{
	struct xsched_set_priority a = { .size = sizeof(a), .id = 1 };

	KUNIT_EXPECT_EQ(test, xsched_check_args(&a, sizeof(a), 0, a.reserved,
						sizeof(a.reserved)), 0);
	a.reserved[1] = 1;
	KUNIT_EXPECT_EQ(test, xsched_check_args(&a, sizeof(a), 0, a.reserved,
						sizeof(a.reserved)), -EINVAL);
	a.reserved[1] = 0;
	a.flags = 2;
	KUNIT_EXPECT_EQ(test, xsched_check_args(&a, sizeof(a), 0, a.reserved,
						sizeof(a.reserved)), -EINVAL);
	a.flags = 0;
	a.size++;
	KUNIT_EXPECT_EQ(test, xsched_check_args(&a, sizeof(a), 0, a.reserved,
						sizeof(a.reserved)), -EINVAL);
}

static struct kunit_case xsched_uapi_cases[] = {
	KUNIT_CASE(list_valid_requests_accepted),
	KUNIT_CASE_PARAM(list_bad_request_einval, xsched_bad_list_gen_params),
	KUNIT_CASE(args_rules),
	KUNIT_CASE(features_valid_request_answers),
	KUNIT_CASE_PARAM(features_bad_request_einval_unchanged,
			 xsched_bad_features_gen_params),
	KUNIT_CASE_PARAM(ioctl_unknown_cmd_enotty, xsched_unknown_cmd_gen_params),
	{}
};

static struct kunit_suite xsched_uapi_suite = {
	.name = "xsched_uapi",
	.test_cases = xsched_uapi_cases,
};
kunit_test_suite(xsched_uapi_suite);
