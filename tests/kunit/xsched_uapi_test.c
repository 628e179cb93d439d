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

struct xsched_bad_features {
	const char *desc;
	void (*mangle)(struct xsched_features *f);
};

static void size_zero(struct xsched_features *f) { f->size = 0; }
static void size_short(struct xsched_features *f) { f->size -= 1; }
static void size_long(struct xsched_features *f) { f->size += 8; }
static void size_huge(struct xsched_features *f) { f->size = ~0U; }
static void flag_low(struct xsched_features *f) { f->flags = 1; }
static void flag_high(struct xsched_features *f) { f->flags = 1U << 31; }
static void reserved0_set(struct xsched_features *f) { f->reserved0 = 1; }
static void reserved_first(struct xsched_features *f) { f->reserved[0] = 1; }
static void reserved_last(struct xsched_features *f)
{
	f->reserved[ARRAY_SIZE(f->reserved) - 1] = 1ULL << 63;
}

static const struct xsched_bad_features xsched_bad_features_cases[] = {
	{ "size 0", size_zero },
	{ "size one byte short", size_short },
	{ "size 8 bytes long", size_long },
	{ "size ~0", size_huge },
	{ "unknown flag bit 0", flag_low },
	{ "unknown flag bit 31", flag_high },
	{ "reserved0 non-zero", reserved0_set },
	{ "reserved[0] non-zero", reserved_first },
	{ "reserved[last] non-zero", reserved_last },
};

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
	c->mangle(&f);
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
