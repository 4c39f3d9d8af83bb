/* SPDX-License-Identifier: MIT */
/**
 * @file exit.h
 * @brief The normalized VM-exit record returned by lv_vcpu_run().
 *
 * Every backend reports exits through one record, #lv_exit. The kind is in
 * lv_exit::reason; the matching member of the union holds the details; and
 * lv_exit::raw always keeps the hardware's own values (VMX exit reason and
 * qualification, SVM EXITCODE/EXITINFO1/EXITINFO2, KVM exit reason) for
 * experts. An exit the library cannot classify is still delivered, as
 * #LV_EXIT_UNKNOWN with the raw values.
 *
 * Completing an exit: for an IO or MMIO read, a CPUID exit and an RDMSR exit,
 * the caller writes the result into the record and calls lv_vcpu_run()
 * again; the library completes the guest instruction (register written, RIP
 * advanced) before re-entering. For writes the data is in the record and
 * nothing needs to be filled in.
 */
#ifndef LIBVCPU_EXIT_H
#define LIBVCPU_EXIT_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Exit kinds. */
enum lv_exit_reason {
	LV_EXIT_NONE = 0,  /**< No exit has happened yet. */
	LV_EXIT_IO,	   /**< Port IO: lv_exit::io. */
	LV_EXIT_MMIO,	   /**< Access to guest-physical memory that is not RAM: lv_exit::mmio. */
	LV_EXIT_CPUID,	   /**< CPUID the caller asked to see: lv_exit::cpuid. */
	LV_EXIT_RDMSR,	   /**< RDMSR the caller asked to see: lv_exit::msr. */
	LV_EXIT_WRMSR,	   /**< WRMSR the caller asked to see: lv_exit::msr. */
	LV_EXIT_HLT,	   /**< HLT executed (RIP is past the HLT). */
	LV_EXIT_SHUTDOWN,  /**< Triple fault / shutdown; the vCPU must be reset by state. */
	LV_EXIT_EXCEPTION, /**< An intercepted exception: lv_exit::exception. */
	LV_EXIT_NPF, /**< A nested-page fault that is not MMIO (e.g. execute of NX memory): lv_exit::npf. */
	LV_EXIT_IRQ_WINDOW, /**< The guest can now take an external interrupt. */
	LV_EXIT_NMI_WINDOW, /**< The guest can now take an NMI. */
	LV_EXIT_HYPERCALL,  /**< VMCALL / VMMCALL: lv_exit::hypercall. */
	LV_EXIT_DEBUG,	    /**< Single-step or debug trap the caller asked for: lv_exit::debug. */
	LV_EXIT_ENTRY_FAILED, /**< VM entry failed: lv_exit::entry_failed. */
	LV_EXIT_INTERNAL_ERROR, /**< The backend could not continue (e.g. KVM emulation failure): lv_exit::internal. */
	LV_EXIT_SYSTEM_EVENT, /**< Reset/shutdown/crash request reported by the platform: lv_exit::system_event. */
	LV_EXIT_CANCELLED, /**< lv_vcpu_kick() was called; the guest did not run or was interrupted. */
	LV_EXIT_UNKNOWN, /**< An exit the library cannot classify; see lv_exit::raw. */
	LV_EXIT_REASON_COUNT
};

/** lv_exit::internal suberror: an instruction could not be emulated (as KVM's 1). */
#define LV_INTERNAL_EMULATION 1u

/** Access bits used by lv_exit::npf and lv_exit::mmio. */
#define LV_ACCESS_READ	(1u << 0) /**< Data read. */
#define LV_ACCESS_WRITE (1u << 1) /**< Data write. */
#define LV_ACCESS_EXEC	(1u << 2) /**< Instruction fetch. */

/** Why an RDMSR/WRMSR exit reached the caller. */
enum lv_msr_exit_reason {
	LV_MSR_EXIT_FILTER = 0,	 /**< The caller asked to see this MSR (lv_vm_set_msr_exits()). */
	LV_MSR_EXIT_UNKNOWN = 1, /**< The backend does not implement this MSR. */
};

/** Kinds of entry failure (lv_exit::entry_failed kind). */
enum lv_entry_fail_kind {
	LV_ENTRY_FAIL_GUEST_STATE =
		0,		    /**< VMX exit reason 33/34 with bit 31; SVM VMEXIT_INVALID. */
	LV_ENTRY_FAIL_VMFAIL_VALID, /**< VMX VMfailValid; vm_instruction_error holds the number. */
	LV_ENTRY_FAIL_VMFAIL_INVALID, /**< VMX VMfailInvalid (no current VMCS). */
	LV_ENTRY_FAIL_KVM, /**< KVM_EXIT_FAIL_ENTRY; hw_reason holds hardware_entry_failure_reason. */
};

/** Kinds of system event (lv_exit::system_event type). */
enum lv_system_event_type {
	LV_SYSTEM_EVENT_SHUTDOWN = 1,
	LV_SYSTEM_EVENT_RESET = 2,
	LV_SYSTEM_EVENT_CRASH = 3,
	LV_SYSTEM_EVENT_OTHER = 4,
};

/** The backend's own, unnormalized description of the exit. */
struct lv_exit_raw {
	uint32_t backend; /**< The #lv_backend_kind that produced it. */
	uint32_t pad_;	  /**< Reserved. */
	uint64_t
		reason; /**< VMX basic exit reason (full 32 bits), SVM EXITCODE, or KVM exit_reason. */
	uint64_t qual;	  /**< VMX exit qualification; SVM EXITINFO1; KVM: suberror / hw reason. */
	uint64_t info1;	  /**< VMX guest-physical address; SVM EXITINFO2. */
	uint64_t info2;	  /**< VMX guest-linear address; SVM nRIP. */
	uint64_t intinfo; /**< VMX exit interruption info; SVM EXITINTINFO. */
	uint64_t vectoring; /**< VMX IDT-vectoring info (0 elsewhere). */
};

/** The exit record. Valid until the next lv_vcpu_run() on the same vCPU. */
struct lv_exit {
	uint32_t reason; /**< An #lv_exit_reason. */
	uint32_t flags;	 /**< Reserved, 0. */
	union {
		/** #LV_EXIT_IO. The accesses are @c count elements of @c size bytes. */
		struct {
			uint16_t port;
			uint8_t size; /**< 1, 2 or 4. */
			uint8_t is_write; /**< 1 = OUT/OUTS (data valid), 0 = IN/INS (caller fills data). */
			uint8_t is_string; /**< INS/OUTS. */
			uint8_t is_rep;	   /**< With a REP prefix. */
			uint8_t pad_[2];
			uint32_t count; /**< Number of elements in @c data (>= 1). */
			uint32_t pad2_;
			/** @c size * @c count bytes, element 0 first; owned by the library. */
			uint8_t *data;
		} io;
		/** #LV_EXIT_MMIO. One access of @c size bytes (1, 2, 4 or 8). */
		struct {
			uint64_t gpa;
			uint8_t size;
			uint8_t is_write; /**< 1 = write (data valid), 0 = read (caller fills data). */
			uint8_t pad_[6];
			uint8_t data[8]; /**< Little-endian value of the access. */
		} mmio;
		/** #LV_EXIT_CPUID. The caller writes eax..edx. */
		struct {
			uint32_t leaf, subleaf;
			uint32_t eax, ebx, ecx, edx;
		} cpuid;
		/** #LV_EXIT_RDMSR / #LV_EXIT_WRMSR. */
		struct {
			uint32_t index;
			uint32_t reason; /**< An #lv_msr_exit_reason. */
			uint64_t
				value; /**< WRMSR: the value written. RDMSR: the caller writes it. */
			uint8_t error; /**< Caller sets 1 to inject \#GP(0) instead of completing. */
			uint8_t pad_[7];
		} msr;
		/** #LV_EXIT_EXCEPTION. The exception has NOT been delivered. */
		struct {
			uint8_t vector;
			uint8_t has_error_code;
			uint8_t pad_[2];
			uint32_t error_code;
			uint64_t cr2; /**< Faulting address for \#PF, else 0. */
		} exception;
		/** #LV_EXIT_NPF. */
		struct {
			uint64_t gpa;
			uint64_t gva;	 /**< Guest-linear address when known, else 0. */
			uint32_t access; /**< LV_ACCESS_* of the faulting access. */
			uint32_t gva_valid;
		} npf;
		/** #LV_EXIT_HYPERCALL. RIP is already past the instruction. */
		struct {
			uint64_t nr;	  /**< RAX at the call. */
			uint64_t args[5]; /**< RBX, RCX, RDX, RSI, RDI at the call. */
		} hypercall;
		/** #LV_EXIT_DEBUG. */
		struct {
			uint64_t dr6;
			uint64_t dr7;
			uint64_t pc;
		} debug;
		/** #LV_EXIT_ENTRY_FAILED. */
		struct {
			uint32_t kind; /**< An #lv_entry_fail_kind. */
			uint32_t
				vm_instruction_error; /**< VMX VM-instruction error number, else 0. */
			uint64_t hw_reason; /**< Raw exit reason / EXITCODE / KVM failure reason. */
			uint64_t qualification;
		} entry_failed;
		/**
		 * #LV_EXIT_INTERNAL_ERROR. On the SVM and VMX backends the only
		 * suberror is #LV_INTERNAL_EMULATION, with ndata 2: data[0] the
		 * guest-physical address of the MMIO access (0 for string IO),
		 * data[1] the RIP of the instruction. KVM passes its own.
		 */
		struct {
			uint32_t suberror; /**< #LV_INTERNAL_EMULATION, or KVM's suberror. */
			uint32_t ndata;
			uint64_t data[4];
		} internal;
		/** #LV_EXIT_SYSTEM_EVENT. */
		struct {
			uint32_t type; /**< An #lv_system_event_type. */
			uint32_t pad_;
			uint64_t data;
		} system_event;
	};
	struct lv_exit_raw raw; /**< Always filled. */
};

/**
 * Name of an exit reason, e.g. "MMIO".
 * @return a static string; "UNKNOWN" for a value out of range.
 */
const char *lv_exit_reason_name(uint32_t reason);

#ifdef __cplusplus
}
#endif

#endif /* LIBVCPU_EXIT_H */
