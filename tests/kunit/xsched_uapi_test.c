// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: validation of the /dev/xsched ioctls (uapi/xsched.h rules).
 */
#include <kunit/test.h>
#include <linux/string.h>

#include "../../kmod/xsched.h"

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

static struct kunit_case xsched_uapi_cases[] = {
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
