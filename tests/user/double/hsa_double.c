// SPDX-License-Identifier: GPL-2.0
/*
 * TEST DOUBLE of ROCr (libhsa-runtime64) -- not ROCr.  libhsa-double.so
 * has the parts of ROCr's behaviour that libxsched-hsa and the HIP test
 * double (hip_double.c) depend on, over queues of the simulated GPU
 * (/dev/xsched_sim, simq.h):
 *
 *  - an API table laid out as ROCr's (HsaApiTable with the core and AMD
 *    extension tables, versions as ROCm 6.4 sets them: majors 3, 2, 2,
 *    minor_id = the table's size), its slots where hsadecl.h says;
 *  - every exported hsa_* entry point calls through that table, as ROCr's
 *    do, so a tool that replaced a slot sees the call;
 *  - hsa_init() loads the libraries named in HSA_TOOLS_LIB (separated by
 *    spaces) and calls their OnLoad(table, table major version, failed
 *    count, failed names) before it returns, so before any application
 *    call goes through the table; a library without OnLoad, or whose
 *    OnLoad returns false, is unloaded and counted as failed;
 *  - hsa_queue_create() makes a simulated queue: base_address is its ring,
 *    the ring_va xsched knows;
 *  - hsa_queue_add_write_index_*() return the queue's write index; the
 *    HIP double calls one before each packet it writes, as ROCclr does
 *    (the index itself is kept by simq.h);
 *  - hsa_amd_queue_set_priority() records the class only (no KFD
 *    priority on the simulator).
 *
 * Test controls (xsh_*) are called by the tests and the HIP double only.
 * The table layout comes from userlib/hsadecl.h, which make check
 * compiles against Debian's real ROCr headers (hsa-abi-check.cc).
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>

#include "../simq.h"
#include "../../../userlib/hsadecl.h"

#define XSH_ERR_INVALID_ARGUMENT	0x1001
#define XSH_ERR_OUT_OF_RESOURCES	0x1008
#define XSH_ERR_NOT_INITIALIZED		0x100B
#define XSH_CORE_SLOTS	48	/* at least CoreApiTable's */
#define XSH_AMD_SLOTS	64	/* at least AmdExtTable's */
#define XSH_MAX_TOOLS	8

struct xsh_queue {
	struct xs_hsa_queue_full hq;	/* first: the hsa_queue_t handed out */
	struct simq q;
	int hsa_priority;
};

static struct {
	struct xs_api_table_version version;
	void *fn[XSH_CORE_SLOTS];
} xsh_core;
static struct {
	struct xs_api_table_version version;
	void *fn[XSH_AMD_SLOTS];
} xsh_amd;
static struct xs_hsa_api_table xsh_api;
static pthread_mutex_t xsh_lock = PTHREAD_MUTEX_INITIALIZER;
static int xsh_refs, xsh_fd = -1, xsh_tools_ok, xsh_tools_failed;
static uint32_t xsh_create_priority = 7;
static uint64_t xsh_next_id;

static int xsh_queue_create(uint64_t agent, uint32_t size, uint32_t type,
			    xs_hsa_queue_cb cb, void *data, uint32_t priv,
			    uint32_t group, struct xs_hsa_queue_full **queue)
{
	struct xsh_queue *x;

	(void)size; (void)cb; (void)data; (void)priv; (void)group;
	if (!queue)
		return XSH_ERR_INVALID_ARGUMENT;
	x = calloc(1, sizeof(*x));
	if (!x)
		return XSH_ERR_OUT_OF_RESOURCES;
	if (simq_create(&x->q, xsh_fd, (uint32_t)agent, xsh_create_priority)) {
		free(x);
		return XSH_ERR_OUT_OF_RESOURCES;
	}
	x->hq.type = type;
	x->hq.base_address = (uintptr_t)x->q.ring;
	x->hq.size = SIMQ_SLOTS;
	x->hq.id = __atomic_add_fetch(&xsh_next_id, 1, __ATOMIC_RELAXED);
	x->hsa_priority = XS_HSA_QUEUE_PRIORITY_NORMAL;
	*queue = &x->hq;
	return XS_HSA_STATUS_SUCCESS;
}

static int xsh_queue_destroy(struct xs_hsa_queue_full *queue)
{
	struct xsh_queue *x = (struct xsh_queue *)queue;

	if (!queue)
		return XSH_ERR_INVALID_ARGUMENT;
	simq_destroy(&x->q);
	simq_free(&x->q);
	free(x);
	return XS_HSA_STATUS_SUCCESS;
}

static uint64_t xsh_add_write(const struct xs_hsa_queue_full *queue,
			      uint64_t value)
{
	(void)value;
	return ((const struct xsh_queue *)queue)->q.wdid;
}

static int xsh_set_priority(struct xs_hsa_queue_full *queue, int priority)
{
	if (!queue || priority < 0 || priority >= XS_HSA_QUEUE_PRIORITIES)
		return XSH_ERR_INVALID_ARGUMENT;
	((struct xsh_queue *)queue)->hsa_priority = priority;
	return XS_HSA_STATUS_SUCCESS;
}

static void xsh_tables(void)
{
	xsh_core.version = (struct xs_api_table_version){ 2, sizeof(xsh_core), 0, 0 };
	xsh_amd.version = (struct xs_api_table_version){ 2, sizeof(xsh_amd), 5, 0 };
	xsh_api.version = (struct xs_api_table_version){ 3, sizeof(xsh_api), 1, 0 };
	xsh_api.core = (struct xs_api_table *)&xsh_core;
	xsh_api.amd_ext = (struct xs_api_table *)&xsh_amd;
	xsh_core.fn[XS_CORE_QUEUE_CREATE] = (void *)xsh_queue_create;
	xsh_core.fn[XS_CORE_QUEUE_DESTROY] = (void *)xsh_queue_destroy;
	xsh_core.fn[XS_CORE_ADD_WRITE_SCACQ_SCREL] = (void *)xsh_add_write;
	xsh_core.fn[XS_CORE_ADD_WRITE_SCACQUIRE] = (void *)xsh_add_write;
	xsh_core.fn[XS_CORE_ADD_WRITE_RELAXED] = (void *)xsh_add_write;
	xsh_core.fn[XS_CORE_ADD_WRITE_SCRELEASE] = (void *)xsh_add_write;
	xsh_amd.fn[XS_AMD_QUEUE_SET_PRIORITY_V2] = (void *)xsh_set_priority;
}

/* As ROCr's Runtime::LoadTools(), in the order the names are given. */
static void xsh_load_tools(void)
{
	typedef _Bool (*onload_t)(void *, uint64_t, uint64_t, const char *const *);
	const char *failed[XSH_MAX_TOOLS];
	const char *env = getenv("HSA_TOOLS_LIB");
	char *names, *name, *save;
	onload_t onload;
	void *dl;

	if (!env || !*env)
		return;
	names = strdup(env);	/* kept: failed[] points into it */
	for (name = strtok_r(names, " ", &save); name;
	     name = strtok_r(NULL, " ", &save)) {
		dl = dlopen(name, RTLD_LAZY);
		*(void **)&onload = dl ? dlsym(dl, "OnLoad") : NULL;
		if (onload && onload(&xsh_api, xsh_api.version.major_id,
				     xsh_tools_failed, failed)) {
			xsh_tools_ok++;
			continue;
		}
		if (dl)
			dlclose(dl);
		if (xsh_tools_failed < XSH_MAX_TOOLS)
			failed[xsh_tools_failed] = name;
		xsh_tools_failed++;
	}
}

int hsa_init(void)
{
	int ret = XS_HSA_STATUS_SUCCESS;

	pthread_mutex_lock(&xsh_lock);
	if (xsh_refs++ == 0) {
		xsh_fd = open("/dev/" XSCHED_SIM_DEVICE_NAME, O_RDWR | O_CLOEXEC);
		if (xsh_fd < 0) {
			xsh_refs = 0;
			ret = XSH_ERR_OUT_OF_RESOURCES;
		} else {
			xsh_tables();
			xsh_load_tools();
		}
	}
	pthread_mutex_unlock(&xsh_lock);
	return ret;
}

#define XSH_CORE(slot, type) ((type)xsh_core.fn[slot])

int hsa_queue_create(uint64_t agent, uint32_t size, uint32_t type,
		     xs_hsa_queue_cb cb, void *data, uint32_t priv,
		     uint32_t group, struct xs_hsa_queue_full **queue)
{
	if (!xsh_refs)
		return XSH_ERR_NOT_INITIALIZED;
	return XSH_CORE(XS_CORE_QUEUE_CREATE, xs_hsa_queue_create_fn)
		(agent, size, type, cb, data, priv, group, queue);
}

int hsa_queue_destroy(struct xs_hsa_queue_full *queue)
{
	if (!xsh_refs)
		return XSH_ERR_NOT_INITIALIZED;
	return XSH_CORE(XS_CORE_QUEUE_DESTROY, xs_hsa_queue_destroy_fn)(queue);
}

#define XSH_ADD_WRITE(name, slot)					\
uint64_t name(const struct xs_hsa_queue_full *queue, uint64_t value)	\
{									\
	return XSH_CORE(slot, xs_hsa_add_write_fn)(queue, value);	\
}
XSH_ADD_WRITE(hsa_queue_add_write_index_scacq_screl, XS_CORE_ADD_WRITE_SCACQ_SCREL)
XSH_ADD_WRITE(hsa_queue_add_write_index_scacquire, XS_CORE_ADD_WRITE_SCACQUIRE)
XSH_ADD_WRITE(hsa_queue_add_write_index_relaxed, XS_CORE_ADD_WRITE_RELAXED)
XSH_ADD_WRITE(hsa_queue_add_write_index_screlease, XS_CORE_ADD_WRITE_SCRELEASE)

int hsa_amd_queue_set_priority(struct xs_hsa_queue_full *queue, int priority)
{
	if (!xsh_refs)
		return XSH_ERR_NOT_INITIALIZED;
	return ((xs_hsa_set_priority_fn)xsh_amd.fn[XS_AMD_QUEUE_SET_PRIORITY_V2])
		(queue, priority);
}

/* Test controls. */
struct simq *xsh_simq(struct xs_hsa_queue_full *queue)
{
	return &((struct xsh_queue *)queue)->q;
}

/* The simulator priority (0..15) of the queues created from now on. */
void xsh_set_create_priority(uint32_t priority)
{
	xsh_create_priority = priority;
}

/* How many tool libraries OnLoad() accepted, and how many failed. */
int xsh_tools(int *failed)
{
	if (failed)
		*failed = xsh_tools_failed;
	return xsh_tools_ok;
}
