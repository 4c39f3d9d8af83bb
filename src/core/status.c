/* SPDX-License-Identifier: MIT */
/* Names of status codes and exit reasons. */
#include <libvcpu/libvcpu.h>

#include "lvlib.h"

static const struct {
	const char *name;
	const char *text;
} status_names[LV_STATUS_COUNT] = {
	{ "LV_OK", "success" },
	{ "LV_ERR_INVAL", "invalid argument" },
	{ "LV_ERR_NOMEM", "out of memory" },
	{ "LV_ERR_NOTSUP", "not supported by this backend" },
	{ "LV_ERR_NODEV", "backend not available on this host" },
	{ "LV_ERR_DISABLED", "virtualization disabled by firmware" },
	{ "LV_ERR_BUSY", "object busy" },
	{ "LV_ERR_STATE", "invalid in the object's current state" },
	{ "LV_ERR_STALE", "object has been destroyed" },
	{ "LV_ERR_EXIST", "overlaps an existing object" },
	{ "LV_ERR_NOENT", "nothing mapped or registered there" },
	{ "LV_ERR_ALIGN", "address or size not aligned" },
	{ "LV_ERR_RANGE", "address or size out of range" },
	{ "LV_ERR_LIMIT", "limit reached" },
	{ "LV_ERR_HW", "hardware or kernel refused the operation" },
	{ "LV_ERR_PERM", "permission denied" },
	{ "LV_ERR_INTR", "interrupted" },
	{ "LV_ERR_EMULATION", "instruction cannot be emulated" },
};

_Static_assert(LV_ERR_EMULATION == -(LV_STATUS_COUNT - 1), "status table out of date");

const char *lv_status_name(int status)
{
	if (status > 0 || status <= -LV_STATUS_COUNT)
		return "LV_ERR_UNKNOWN";
	return status_names[-status].name;
}

const char *lv_strerror(int status)
{
	if (status > 0 || status <= -LV_STATUS_COUNT)
		return "unknown status";
	return status_names[-status].text;
}

static const char *const exit_names[LV_EXIT_REASON_COUNT] = {
	[LV_EXIT_NONE] = "NONE",
	[LV_EXIT_IO] = "IO",
	[LV_EXIT_MMIO] = "MMIO",
	[LV_EXIT_CPUID] = "CPUID",
	[LV_EXIT_RDMSR] = "RDMSR",
	[LV_EXIT_WRMSR] = "WRMSR",
	[LV_EXIT_HLT] = "HLT",
	[LV_EXIT_SHUTDOWN] = "SHUTDOWN",
	[LV_EXIT_EXCEPTION] = "EXCEPTION",
	[LV_EXIT_NPF] = "NPF",
	[LV_EXIT_IRQ_WINDOW] = "IRQ_WINDOW",
	[LV_EXIT_NMI_WINDOW] = "NMI_WINDOW",
	[LV_EXIT_HYPERCALL] = "HYPERCALL",
	[LV_EXIT_DEBUG] = "DEBUG",
	[LV_EXIT_ENTRY_FAILED] = "ENTRY_FAILED",
	[LV_EXIT_INTERNAL_ERROR] = "INTERNAL_ERROR",
	[LV_EXIT_SYSTEM_EVENT] = "SYSTEM_EVENT",
	[LV_EXIT_CANCELLED] = "CANCELLED",
	[LV_EXIT_UNKNOWN] = "UNKNOWN",
};

const char *lv_exit_reason_name(uint32_t reason)
{
	if (reason >= LV_EXIT_REASON_COUNT || !exit_names[reason])
		return "UNKNOWN";
	return exit_names[reason];
}

const char *lv_feature_name(uint64_t feature)
{
	static const char *const names[] = {
		"unrestricted-guest", "dirty-log",  "readonly-mem", "noexec-mem", "cpuid-exit",
		"msr-exit",	      "irq-window", "nmi-window",   "singlestep", "hypercall-exit",
		"nested-paging",      "tlb-tagged", "sync-regs",    "ring0",	  "irqchip",
	};
	unsigned i;

	if (!feature || (feature & (feature - 1)))
		return "unknown";
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (feature == 1ull << i)
			return names[i];
	return "unknown";
}

const char *lv_backend_kind_name(uint32_t kind)
{
	switch (kind) {
	case LV_BACKEND_ANY:
		return "any";
	case LV_BACKEND_KVM:
		return "kvm";
	case LV_BACKEND_SVM:
		return "svm";
	case LV_BACKEND_VMX:
		return "vmx";
	default:
		return "unknown";
	}
}
