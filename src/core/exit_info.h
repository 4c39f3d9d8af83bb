/* SPDX-License-Identifier: MIT */
/*
 * What an exit decoder tells its backend beyond the public exit record:
 * what to do with the exit, the instruction length, the event whose
 * delivery the exit interrupted (to be re-injected), and the decoded
 * qualification of exits that never reach the user (CR/DR access, APIC
 * access, task switch). Vendor-neutral; filled by exit_vmx.c / exit_svm.c.
 */
#ifndef LV_CORE_EXIT_INFO_H
#define LV_CORE_EXIT_INFO_H

#include <stdint.h>

/** What the backend should do with a decoded exit. */
enum lv_exit_action {
	/** Deliver the record to the user (backend fills register-derived data, e.g. OUT data). */
	LV_XACT_USER = 0,
	/** Handle inside the backend and re-enter: host interrupt/NMI, PAUSE, CR/DR access, ... */
	LV_XACT_HOST,
	/** Inject the exception in lv_exit.exception (e.g. #UD for VMX/SVM instructions). */
	LV_XACT_INJECT,
	/** Needs the instruction emulator: EPT/NPT fault on a non-RAM GPA, string IO, APIC access. */
	LV_XACT_EMULATE,
};

/** Event types (VMX numbering; SVM's 0/2/3/4 are the same). */
#define LV_XEVT_EXT_INT	    0
#define LV_XEVT_NMI	    2
#define LV_XEVT_HW_EXC	    3
#define LV_XEVT_SW_INT	    4
#define LV_XEVT_PRIV_SW_EXC 5
#define LV_XEVT_SW_EXC	    6

/** An event (interruption information, IDT vectoring, EXITINTINFO). */
struct lv_exit_event {
	uint8_t valid;
	uint8_t type; /**< LV_XEVT_* */
	uint8_t vector;
	uint8_t has_error_code;
	uint32_t error_code;
};

/** Kinds of CR access (VMX Table 28-3 numbering). */
#define LV_CR_MOV_TO   0
#define LV_CR_MOV_FROM 1
#define LV_CR_CLTS     2
#define LV_CR_LMSW     3

struct lv_exit_info {
	uint32_t action;   /**< An #lv_exit_action. */
	uint32_t insn_len; /**< Length of the exiting instruction when known, else 0. */
	uint64_t next_rip; /**< SVM nRIP when the hardware gave it, else 0. */
	struct lv_exit_event vectoring; /**< Event being delivered when the exit happened. */
	union {
		/** CR access. */
		struct {
			uint8_t cr;
			uint8_t type;	   /**< LV_CR_* */
			uint8_t gpr;	   /**< Register number (encoding order). */
			uint8_t gpr_valid; /**< SVM: only with decode assists. */
			uint8_t lmsw_mem;
			uint8_t pad_;
			uint16_t lmsw_data;
		} cr;
		/** DR access. */
		struct {
			uint8_t dr;
			uint8_t to_dr; /**< 1 = MOV to DR (write). */
			uint8_t gpr;
			uint8_t gpr_valid;
		} dr;
		/** Port IO (details beyond lv_exit.io). */
		struct {
			uint8_t imm;	   /**< VMX: port given as an immediate. */
			uint8_t addr_size; /**< String IO: 2/4/8, 0 unknown. */
			uint8_t seg; /**< String IO: Sreg number (SVM: decode assists only), 0xff unknown. */
		} io;
		/** APIC access (VMX reason 44). */
		struct {
			uint16_t offset;
			uint8_t type; /**< LV_VMX_APIC_* */
		} apic;
		/** Task switch. */
		struct {
			uint16_t selector;
			uint8_t source; /**< 0 CALL, 1 IRET, 2 JMP, 3 IDT task gate. */
		} task;
		/** EPT/NPT fault details. */
		struct {
			uint8_t in_walk;   /**< Fault while walking the guest's own tables. */
			uint8_t misconfig; /**< VMX EPT misconfiguration (entry is malformed). */
			uint8_t present; /**< The nested translation existed (permission fault). */
		} npf;
	};
};

#endif /* LV_CORE_EXIT_INFO_H */
