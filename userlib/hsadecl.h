/* SPDX-License-Identifier: LGPL-2.1 OR MIT */
/*
 * libxsched-hsa's own declarations of the pieces of ROCr's tools
 * interface it uses (hsa_api_trace.h is C++ only): the API table a tool
 * library gets in OnLoad(), the slots it wraps, and the few HSA types
 * their prototypes need.  hsa-abi-check.cc asserts at compile time, in
 * make check, that they agree with Debian's ROCr headers.
 *
 * A table is a version header followed by function pointers; ROCr sets
 * version.minor_id to the size in bytes of the table it built, so a slot
 * exists if its offset plus a pointer fits in minor_id.
 */
#ifndef XS_HSADECL_H
#define XS_HSADECL_H

#include <stdint.h>

struct xs_api_table_version {		/* ApiTableVersion */
	uint32_t major_id;
	uint32_t minor_id;		/* the table's size in bytes */
	uint32_t step_id;
	uint32_t reserved;
};

struct xs_api_table {			/* CoreApiTable, AmdExtTable: */
	struct xs_api_table_version version;
	void *fn[];			/* ... the entry points, in order */
};

struct xs_hsa_api_table {		/* HsaApiTable, its leading part */
	struct xs_api_table_version version;
	struct xs_api_table *core;	/* core_ */
	struct xs_api_table *amd_ext;	/* amd_ext_ */
};

/* Slots (indices into fn[]) of the entry points wrapped. */
#define XS_CORE_QUEUE_CREATE		7	/* hsa_queue_create_fn */
#define XS_CORE_QUEUE_DESTROY		9	/* hsa_queue_destroy_fn */
#define XS_CORE_ADD_WRITE_SCACQ_SCREL	21	/* hsa_queue_add_write_index_scacq_screl_fn */
#define XS_CORE_ADD_WRITE_SCACQUIRE	22	/* hsa_queue_add_write_index_scacquire_fn */
#define XS_CORE_ADD_WRITE_RELAXED	23	/* hsa_queue_add_write_index_relaxed_fn */
#define XS_CORE_ADD_WRITE_SCRELEASE	24	/* hsa_queue_add_write_index_screlease_fn */
/*
 * hsa_amd_queue_set_priority_fn moved when AmdExtTable's major version
 * went from 1 (ROCm 5.x) to 2 (ROCm 6.x): entries were inserted before it.
 */
#define XS_AMD_QUEUE_SET_PRIORITY_V1	37
#define XS_AMD_QUEUE_SET_PRIORITY_V2	39
#define XS_AMD_QUEUE_SET_PRIORITY(major) \
	((major) == 1 ? XS_AMD_QUEUE_SET_PRIORITY_V1 : XS_AMD_QUEUE_SET_PRIORITY_V2)

/*
 * The table major versions accepted: a new major means a changed layout.
 * ROCm 5.x has 1 for all three; ROCm 6.x has 3 (HsaApiTable) and 2
 * (core, AMD extension).  The core slots are the same in both.
 */
#define XS_HSA_API_MAJOR_MAX		3
#define XS_HSA_CORE_MAJOR_MAX		2
#define XS_HSA_AMD_EXT_MAJOR_MAX	2

#define XS_HSA_STATUS_SUCCESS		0
#define XS_HSA_STATUS_ERROR		0x1000

/* hsa_amd_queue_priority_t */
#define XS_HSA_QUEUE_PRIORITY_LOW	0
#define XS_HSA_QUEUE_PRIORITY_NORMAL	1
#define XS_HSA_QUEUE_PRIORITY_HIGH	2
#define XS_HSA_QUEUE_PRIORITIES		3

/* hsa_queue_t, whole (hsa.h): fixed by the HSA specification. */
struct xs_hsa_queue_full {
	uint32_t type;
	uint32_t features;
	uint64_t base_address;		/* the ring: xsched's ring_va */
	uint64_t doorbell_signal;	/* hsa_signal_t */
	uint32_t size;
	uint32_t reserved1;
	uint64_t id;
};

typedef void (*xs_hsa_queue_cb)(int status, struct xs_hsa_queue_full *source,
				void *data);
/* hsa_agent_t and hsa_status_t are passed as uint64_t and int. */
typedef int (*xs_hsa_queue_create_fn)(uint64_t agent, uint32_t size,
				      uint32_t type, xs_hsa_queue_cb callback,
				      void *data, uint32_t private_segment_size,
				      uint32_t group_segment_size,
				      struct xs_hsa_queue_full **queue);
typedef int (*xs_hsa_queue_destroy_fn)(struct xs_hsa_queue_full *queue);
typedef uint64_t (*xs_hsa_add_write_fn)(const struct xs_hsa_queue_full *queue,
					uint64_t value);
typedef int (*xs_hsa_set_priority_fn)(struct xs_hsa_queue_full *queue,
				      int priority);

#endif /* XS_HSADECL_H */
