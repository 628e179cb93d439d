// SPDX-License-Identifier: LGPL-2.1 OR MIT
/*
 * Compile-time check, built by make check against Debian's ROCr headers
 * (libhsa-runtime-dev; ROCm 6.4 from sid, in the chroot of
 * scripts/rocm-sid.sh): libxsched-hsa's own declarations (hsadecl.h)
 * match the tools interface ROCr calls it through -- the OnLoad()
 * signature, the HsaApiTable layout and versions, the CoreApiTable and
 * AmdExtTable slots it wraps, and the prototypes of the wrapped entry
 * points.  C++ because hsa_api_trace.h is.  Nothing here runs.
 */
#define AMD_INTERNAL_BUILD 1	/* hsa_api_trace.h's includes, from hsa/ */
#include <cstddef>
#include <type_traits>

#include <hsa/hsa.h>
#include <hsa/hsa_api_trace.h>
#include <hsa/hsa_ext_amd.h>

extern "C" {
#include "hsadecl.h"
}

#define XS_SLOT_OFF(i) (sizeof(ApiTableVersion) + (i) * sizeof(void *))

/* The tool entry point ROCr looks up and calls (Runtime::LoadTools). */
typedef bool (*rocr_tool_init_t)(HsaApiTable *, uint64_t, uint64_t,
				 const char *const *);
extern "C" bool OnLoad(void *table, uint64_t runtime_version,
		       uint64_t failed_tool_count,
		       const char *const *failed_tool_names);
/* C's _Bool and C++'s bool are one byte on x86-64 (the psABI). */
static_assert(sizeof(bool) == 1 && sizeof(HsaApiTable *) == sizeof(void *),
	      "OnLoad: bool and the table pointer");
static_assert(std::is_same<decltype(&OnLoad),
	      bool (*)(void *, uint64_t, uint64_t, const char *const *)>::value &&
	      std::is_same<std::remove_pointer<rocr_tool_init_t>::type,
	      bool(HsaApiTable *, uint64_t, uint64_t, const char *const *)>::value,
	      "OnLoad(table, runtime_version, failed_tool_count, failed_tool_names)");

/* Table headers. */
static_assert(sizeof(ApiTableVersion) == sizeof(xs_api_table_version) &&
	      offsetof(ApiTableVersion, minor_id) ==
	      offsetof(xs_api_table_version, minor_id), "ApiTableVersion");
static_assert(offsetof(HsaApiTable, version) == offsetof(xs_hsa_api_table, version) &&
	      offsetof(HsaApiTable, core_) == offsetof(xs_hsa_api_table, core) &&
	      offsetof(HsaApiTable, amd_ext_) == offsetof(xs_hsa_api_table, amd_ext),
	      "HsaApiTable: version, core_, amd_ext_");
static_assert(offsetof(CoreApiTable, version) == 0 &&
	      offsetof(AmdExtTable, version) == 0, "tables start with their version");
static_assert(HSA_API_TABLE_MAJOR_VERSION >= 1 &&
	      HSA_API_TABLE_MAJOR_VERSION <= XS_HSA_API_MAJOR_MAX,
	      "HsaApiTable major version unknown to libxsched-hsa");
static_assert(HSA_CORE_API_TABLE_MAJOR_VERSION >= 1 &&
	      HSA_CORE_API_TABLE_MAJOR_VERSION <= XS_HSA_CORE_MAJOR_MAX,
	      "CoreApiTable major version unknown to libxsched-hsa");
static_assert(HSA_AMD_EXT_API_TABLE_MAJOR_VERSION >= 1 &&
	      HSA_AMD_EXT_API_TABLE_MAJOR_VERSION <= XS_HSA_AMD_EXT_MAJOR_MAX,
	      "AmdExtTable major version unknown to libxsched-hsa");

/* The slots wrapped. */
#define XS_SAME_SLOT(table, member, slot)				\
	static_assert(offsetof(table, member) == XS_SLOT_OFF(slot), #member)
XS_SAME_SLOT(CoreApiTable, hsa_queue_create_fn, XS_CORE_QUEUE_CREATE);
XS_SAME_SLOT(CoreApiTable, hsa_queue_destroy_fn, XS_CORE_QUEUE_DESTROY);
XS_SAME_SLOT(CoreApiTable, hsa_queue_add_write_index_scacq_screl_fn,
	     XS_CORE_ADD_WRITE_SCACQ_SCREL);
XS_SAME_SLOT(CoreApiTable, hsa_queue_add_write_index_scacquire_fn,
	     XS_CORE_ADD_WRITE_SCACQUIRE);
XS_SAME_SLOT(CoreApiTable, hsa_queue_add_write_index_relaxed_fn,
	     XS_CORE_ADD_WRITE_RELAXED);
XS_SAME_SLOT(CoreApiTable, hsa_queue_add_write_index_screlease_fn,
	     XS_CORE_ADD_WRITE_SCRELEASE);
/* At its slot for this header's AmdExtTable major version. */
XS_SAME_SLOT(AmdExtTable, hsa_amd_queue_set_priority_fn,
	     XS_AMD_QUEUE_SET_PRIORITY(HSA_AMD_EXT_API_TABLE_MAJOR_VERSION));

/* The prototypes behind those slots, and the types passed as integers. */
static_assert(std::is_same<decltype(hsa_queue_create),
	      hsa_status_t(hsa_agent_t, uint32_t, hsa_queue_type32_t,
			   void (*)(hsa_status_t, hsa_queue_t *, void *), void *,
			   uint32_t, uint32_t, hsa_queue_t **)>::value,
	      "hsa_queue_create");
static_assert(std::is_same<decltype(hsa_queue_destroy),
	      hsa_status_t(hsa_queue_t *)>::value, "hsa_queue_destroy");
static_assert(std::is_same<decltype(hsa_queue_add_write_index_screlease),
	      uint64_t(const hsa_queue_t *, uint64_t)>::value &&
	      std::is_same<decltype(hsa_queue_add_write_index_scacq_screl),
	      uint64_t(const hsa_queue_t *, uint64_t)>::value &&
	      std::is_same<decltype(hsa_queue_add_write_index_scacquire),
	      uint64_t(const hsa_queue_t *, uint64_t)>::value &&
	      std::is_same<decltype(hsa_queue_add_write_index_relaxed),
	      uint64_t(const hsa_queue_t *, uint64_t)>::value,
	      "hsa_queue_add_write_index_*");
static_assert(std::is_same<decltype(hsa_amd_queue_set_priority),
	      hsa_status_t(hsa_queue_t *, hsa_amd_queue_priority_t)>::value,
	      "hsa_amd_queue_set_priority");
static_assert(sizeof(hsa_agent_t) == sizeof(uint64_t) &&
	      std::is_trivially_copyable<hsa_agent_t>::value,
	      "hsa_agent_t is passed as one 64-bit integer");
static_assert(sizeof(hsa_status_t) == sizeof(int) &&
	      HSA_STATUS_SUCCESS == XS_HSA_STATUS_SUCCESS &&
	      HSA_STATUS_ERROR == XS_HSA_STATUS_ERROR, "hsa_status_t");
static_assert(sizeof(hsa_amd_queue_priority_t) == sizeof(int) &&
	      HSA_AMD_QUEUE_PRIORITY_LOW == XS_HSA_QUEUE_PRIORITY_LOW &&
	      HSA_AMD_QUEUE_PRIORITY_NORMAL == XS_HSA_QUEUE_PRIORITY_NORMAL &&
	      HSA_AMD_QUEUE_PRIORITY_HIGH == XS_HSA_QUEUE_PRIORITY_HIGH,
	      "hsa_amd_queue_priority_t");

/* hsa_queue_t, field by field. */
#define XS_SAME_FIELD(f)						\
	static_assert(offsetof(hsa_queue_t, f) ==			\
		      offsetof(xs_hsa_queue_full, f) &&			\
		      sizeof(((hsa_queue_t *)0)->f) ==			\
		      sizeof(((xs_hsa_queue_full *)0)->f), "hsa_queue_t." #f)
XS_SAME_FIELD(type);
XS_SAME_FIELD(features);
XS_SAME_FIELD(base_address);
XS_SAME_FIELD(doorbell_signal);
XS_SAME_FIELD(size);
XS_SAME_FIELD(id);
static_assert(sizeof(hsa_queue_t) == sizeof(xs_hsa_queue_full), "hsa_queue_t size");
