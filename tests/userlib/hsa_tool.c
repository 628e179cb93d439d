// SPDX-License-Identifier: GPL-2.0
/*
 * libxsched-hsa's OnLoad() and wrappers on the build host, with made-up
 * ROCr API tables (no GPU, no ROCr, no xsched): which slots it takes for
 * ROCm 6 (AMD extension table major 2) and ROCm 5 (major 1) layouts,
 * that its wrappers call the entries they replaced, the queue record,
 * the per-thread probe, the tables it refuses, and the environment it
 * reports and ignores.
 *
 * Usage: hsa_tool PATH-TO-libxsched-hsa.so.0   (exit 0 pass, 1 fail)
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

#include "../../userlib/hsadecl.h"
#include "../../userlib/hsatool.h"
#include "../user/xtest.h"

#define SLOTS 64

struct table {
	struct xs_api_table_version version;
	void *fn[SLOTS];
};

static struct table core, amd;
static struct xs_hsa_api_table api;
static struct xs_hsa_queue_full queues[2];
static int created, destroyed, added, prio_set;

static int fake_create(uint64_t agent, uint32_t size, uint32_t type,
		       xs_hsa_queue_cb cb, void *data, uint32_t priv,
		       uint32_t group, struct xs_hsa_queue_full **queue)
{
	(void)agent; (void)size; (void)type; (void)cb; (void)data;
	(void)priv; (void)group;
	*queue = &queues[created % 2];
	(*queue)->base_address = 0x100000 * (1 + created % 2);
	created++;
	return XS_HSA_STATUS_SUCCESS;
}

static int fake_destroy(struct xs_hsa_queue_full *q)
{
	(void)q;
	destroyed++;
	return XS_HSA_STATUS_SUCCESS;
}

static uint64_t fake_add(const struct xs_hsa_queue_full *q, uint64_t v)
{
	(void)q;
	added++;
	return v;
}

static int fake_prio(struct xs_hsa_queue_full *q, int p)
{
	(void)q; (void)p;
	prio_set++;
	return XS_HSA_STATUS_SUCCESS;
}

/* A fresh table of ROCm's shape; @amd_major 1 or 2 places set_priority. */
static void tables(uint32_t api_major, uint32_t amd_major, uint32_t core_size)
{
	unsigned int i;

	memset(&core, 0, sizeof(core));
	memset(&amd, 0, sizeof(amd));
	core.version = (struct xs_api_table_version){ 2, core_size, 0, 0 };
	amd.version = (struct xs_api_table_version){ amd_major, sizeof(amd), 0, 0 };
	api.version = (struct xs_api_table_version){ api_major, sizeof(api), 0, 0 };
	api.core = (struct xs_api_table *)&core;
	api.amd_ext = (struct xs_api_table *)&amd;
	core.fn[XS_CORE_QUEUE_CREATE] = (void *)fake_create;
	core.fn[XS_CORE_QUEUE_DESTROY] = (void *)fake_destroy;
	for (i = XS_CORE_ADD_WRITE_SCACQ_SCREL; i <= XS_CORE_ADD_WRITE_SCRELEASE; i++)
		core.fn[i] = (void *)fake_add;
	amd.fn[XS_AMD_QUEUE_SET_PRIORITY(amd_major)] = (void *)fake_prio;
}

int main(int argc, char **argv)
{
	_Bool (*onload)(void *, uint64_t, uint64_t, const char *const *);
	const struct xs_hsa_tool *(*get)(void);
	const struct xs_hsa_tool *t;
	struct xs_hsa_queue_full *q1, *q2;
	uint64_t rings[4], ring = 0;
	char err[4096] = "";
	FILE *mem, *saved;
	void *dl;
	int ok, ret;

	xt_prog = "hsa_tool";
	xt_plan(13);
	if (argc != 2) {
		fprintf(stderr, "usage: hsa_tool PATH-TO-libxsched-hsa.so.0\n");
		return 2;
	}
	dl = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
	*(void **)&onload = dl ? dlsym(dl, "OnLoad") : NULL;
	*(void **)&get = dl ? dlsym(dl, "xsched_hsa_tool") : NULL;
	if (!onload || !get) {
		xt_fail("setup", "%s", dlerror());
		return xt_exit();
	}
	xt_check("inactive-before-onload", !get()->active, "active");

	tables(9, 2, sizeof(core));
	xt_check("refuses-unknown-table-major", !onload(&api, 9, 0, NULL) &&
		 core.fn[XS_CORE_QUEUE_CREATE] == (void *)fake_create,
		 "accepted, or changed the table");
	tables(3, 2, sizeof(core.version) + 10 * sizeof(void *));
	xt_check("refuses-short-core-table", !onload(&api, 3, 0, NULL) &&
		 core.fn[XS_CORE_QUEUE_CREATE] == (void *)fake_create,
		 "accepted, or changed the table");
	tables(3, 3, sizeof(core));
	xt_check("refuses-unknown-amd-ext-major", !onload(&api, 3, 0, NULL),
		 "accepted");

	/* ROCm 6 layout; a bad XSCHED_PRIORITY is reported and ignored. */
	setenv("XSCHED_PRIORITY", "16", 1);
	setenv("XSCHED_HSA_PRIORITIES", "1,2", 1);
	fflush(stderr);
	saved = stderr;
	mem = fmemopen(err, sizeof(err) - 1, "w");
	stderr = mem ? mem : saved;	/* what OnLoad prints */
	tables(3, 2, sizeof(core));
	ok = onload(&api, 3, 0, NULL);
	stderr = saved;
	if (mem)
		fclose(mem);
	xt_check("rocm6-table-wrapped", ok &&
		 core.fn[XS_CORE_QUEUE_CREATE] != (void *)fake_create &&
		 core.fn[XS_CORE_QUEUE_DESTROY] != (void *)fake_destroy &&
		 core.fn[XS_CORE_ADD_WRITE_SCRELEASE] != (void *)fake_add &&
		 amd.fn[XS_AMD_QUEUE_SET_PRIORITY_V2] != (void *)fake_prio &&
		 get()->active && get()->abi == XS_HSA_TOOL_ABI,
		 "OnLoad %d", ok);
	xt_check("bad-env-reported-and-ignored",
		 strstr(err, "XSCHED_PRIORITY=16 is not a priority 0..15; ignored") &&
		 strstr(err, "XSCHED_HSA_PRIORITIES=1,2 is not LOW,NORMAL,HIGH"),
		 "stderr: %s", err);

	t = get();
	((xs_hsa_queue_create_fn)core.fn[XS_CORE_QUEUE_CREATE])(0, 64, 1, NULL, NULL, 0, 0, &q1);
	((xs_hsa_queue_create_fn)core.fn[XS_CORE_QUEUE_CREATE])(0, 64, 1, NULL, NULL, 0, 0, &q2);
	ret = (int)t->rings(rings, 4);
	xt_check("queues-recorded", created == 2 && ret == 2 &&
		 ((rings[0] == 0x100000 && rings[1] == 0x200000) ||
		  (rings[1] == 0x100000 && rings[0] == 0x200000)),
		 "created %d, %d recorded", created, ret);

	t->probe_begin();
	((xs_hsa_add_write_fn)core.fn[XS_CORE_ADD_WRITE_SCRELEASE])(q2, 1);
	ret = t->probe_end(&ring);
	xt_check("probe-one-queue", !ret && ring == 0x200000 && added == 1,
		 "ret %d ring %llx added %d", ret, (unsigned long long)ring, added);
	t->probe_begin();
	((xs_hsa_add_write_fn)core.fn[XS_CORE_ADD_WRITE_RELAXED])(q1, 1);
	((xs_hsa_add_write_fn)core.fn[XS_CORE_ADD_WRITE_SCACQUIRE])(q2, 1);
	ret = t->probe_end(&ring);
	xt_check("probe-two-queues-ebusy", ret == -EBUSY, "ret %d", ret);
	t->probe_begin();
	ret = t->probe_end(&ring);
	xt_check("probe-no-queue-enoent", ret == -ENOENT, "ret %d", ret);

	((xs_hsa_set_priority_fn)amd.fn[XS_AMD_QUEUE_SET_PRIORITY_V2])(q1, 2);
	((xs_hsa_queue_destroy_fn)core.fn[XS_CORE_QUEUE_DESTROY])(q1);
	ret = (int)t->rings(rings, 4);
	xt_check("destroy-forgets-and-calls-through",
		 ret == 1 && rings[0] == 0x200000 && destroyed == 1 && prio_set == 1,
		 "%d recorded, destroyed %d, priority set %d", ret, destroyed, prio_set);

	/* ROCm 5 layout: hsa_amd_queue_set_priority_fn two slots earlier. */
	tables(1, 1, sizeof(core));
	ok = onload(&api, 1, 0, NULL);
	xt_check("rocm5-amd-ext-slot", ok &&
		 amd.fn[XS_AMD_QUEUE_SET_PRIORITY_V1] != (void *)fake_prio &&
		 amd.fn[XS_AMD_QUEUE_SET_PRIORITY_V2] == NULL,
		 "OnLoad %d", ok);

	/* A priority it cannot apply (no xsched here): said once, queue made. */
	setenv("XSCHED_PRIORITY", "5", 1);
	unsetenv("XSCHED_HSA_PRIORITIES");
	tables(3, 2, sizeof(core));
	ok = onload(&api, 3, 0, NULL);
	memset(err, 0, sizeof(err));
	fflush(stderr);
	mem = fmemopen(err, sizeof(err) - 1, "w");
	stderr = mem ? mem : saved;
	ret = ((xs_hsa_queue_create_fn)core.fn[XS_CORE_QUEUE_CREATE])(0, 64, 1, NULL,
			NULL, 0, 0, &q1);
	stderr = saved;
	if (mem)
		fclose(mem);
	xt_check("priority-unavailable-reported-queue-made",
		 ok && ret == XS_HSA_STATUS_SUCCESS && strstr(err, "no priority applied"),
		 "OnLoad %d, create %d, stderr: %s", ok, ret, err);
	return xt_exit();
}
