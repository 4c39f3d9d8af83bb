/* SPDX-License-Identifier: MIT */
/**
 * @file state.h
 * @brief The vCPU architectural state, split into groups for lazy sync.
 *
 * One struct, #lv_state, holds everything a caller can read or write. It is
 * divided into groups (`LV_STATE_*` bits). lv_vcpu_get_state() and
 * lv_vcpu_set_state() take a mask of groups and touch only those fields, so a
 * backend transfers only what was asked for (VMREADs and ioctls are costly).
 * Fields outside the mask are neither read nor written.
 */
#ifndef LIBVCPU_STATE_H
#define LIBVCPU_STATE_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** @name State groups (bits of the mask given to get/set state) */
/**@{*/
#define LV_STATE_GPRS	  (1u << 0) /**< lv_state::regs: general registers, RIP, RFLAGS. */
#define LV_STATE_SEGMENTS (1u << 1) /**< lv_state::segs: segment registers, GDTR, IDTR. */
#define LV_STATE_CONTROL  (1u << 2) /**< lv_state::ctrl: CR0/2/3/4/8, EFER, XCR0, APIC base. */
#define LV_STATE_DEBUG	  (1u << 3) /**< lv_state::debug: DR0-DR3, DR6, DR7. */
#define LV_STATE_MSRS	  (1u << 4) /**< lv_state::msrs: syscall/sysenter MSRs, PAT, TSC. */
#define LV_STATE_EVENTS	  (1u << 5) /**< lv_state::events: pending/blocked events. */
#define LV_STATE_FPU	  (1u << 6) /**< lv_state::fpu: x87/SSE/AVX state (XSAVE image). */
#define LV_STATE_ALL	  0x7fu	    /**< Every group that every VM has. */
/** lv_state::apic: the local APIC's registers (VMs with #LV_VM_IRQCHIP only). */
#define LV_STATE_APIC	  (1u << 8)
/** lv_state::mp_state: runnable, halted, waiting for SIPI (VMs with #LV_VM_IRQCHIP only). */
#define LV_STATE_MP	  (1u << 9)
/**@}*/

/** General-purpose registers, RIP and RFLAGS (group #LV_STATE_GPRS). */
struct lv_regs {
	uint64_t rax;	 /**< RAX. */
	uint64_t rbx;	 /**< RBX. */
	uint64_t rcx;	 /**< RCX. */
	uint64_t rdx;	 /**< RDX. */
	uint64_t rsi;	 /**< RSI. */
	uint64_t rdi;	 /**< RDI. */
	uint64_t rsp;	 /**< RSP. */
	uint64_t rbp;	 /**< RBP. */
	uint64_t r8;	 /**< R8. */
	uint64_t r9;	 /**< R9. */
	uint64_t r10;	 /**< R10. */
	uint64_t r11;	 /**< R11. */
	uint64_t r12;	 /**< R12. */
	uint64_t r13;	 /**< R13. */
	uint64_t r14;	 /**< R14. */
	uint64_t r15;	 /**< R15. */
	uint64_t rip;	 /**< RIP. */
	uint64_t rflags; /**< RFLAGS. */
};

/**
 * A segment register with its hidden part, attributes split into fields
 * (the same meaning as the descriptor bits, SDM Vol. 3, 3.4.5).
 */
struct lv_segment {
	uint64_t base;	   /**< Linear base address. */
	uint32_t limit;	   /**< Byte-granular limit (already scaled when g = 1). */
	uint16_t selector; /**< Visible selector. */
	uint8_t type;	   /**< Descriptor type, 4 bits. */
	uint8_t s;	   /**< 1 = code/data, 0 = system. */
	uint8_t dpl;	   /**< Descriptor privilege level, 0-3. */
	uint8_t present;   /**< Present bit. */
	uint8_t avl;	   /**< Available-for-software bit. */
	uint8_t l;	   /**< 64-bit code segment. */
	uint8_t db;	   /**< Default operation size / big. */
	uint8_t g;	   /**< Granularity. */
	uint8_t unusable;  /**< Segment is unusable (null selector loaded). */
	uint8_t pad_;	   /**< Reserved, 0. */
};

/** A descriptor-table register (GDTR / IDTR). */
struct lv_dtable {
	uint64_t base;	  /**< Linear base address. */
	uint16_t limit;	  /**< Limit in bytes. */
	uint16_t pad_[3]; /**< Reserved, 0. */
};

/** Segment state (group #LV_STATE_SEGMENTS). */
struct lv_segs {
	struct lv_segment cs;  /**< CS. */
	struct lv_segment ds;  /**< DS. */
	struct lv_segment es;  /**< ES. */
	struct lv_segment fs;  /**< FS. */
	struct lv_segment gs;  /**< GS. */
	struct lv_segment ss;  /**< SS. */
	struct lv_segment tr;  /**< TR. */
	struct lv_segment ldt; /**< LDT. */
	struct lv_dtable gdt;  /**< GDT. */
	struct lv_dtable idt;  /**< IDT. */
};

/** Control registers and mode MSRs (group #LV_STATE_CONTROL). */
struct lv_ctrl {
	uint64_t cr0;  /**< CR0. */
	uint64_t cr2;  /**< CR2. */
	uint64_t cr3;  /**< CR3. */
	uint64_t cr4;  /**< CR4. */
	uint64_t cr8;  /**< CR8. */
	uint64_t efer; /**< IA32_EFER. */
	/**
	 * XCR0 (SDM Vol. 1, 13.3). Bit 0 must be set, AVX (bit 2) needs SSE
	 * (bit 1), and only components the vCPU's CPUID leaf 0Dh reports may
	 * be set; otherwise lv_vcpu_set_state() fails with #LV_ERR_INVAL.
	 * Reads 1 where the host CPU has no XSAVE.
	 */
	uint64_t xcr0;
	uint64_t apic_base; /**< IA32_APIC_BASE as the guest sees it. */
};

/** Debug registers (group #LV_STATE_DEBUG). */
struct lv_debug {
	uint64_t dr0; /**< DR0. */
	uint64_t dr1; /**< DR1. */
	uint64_t dr2; /**< DR2. */
	uint64_t dr3; /**< DR3. */
	uint64_t dr6; /**< DR6. */
	uint64_t dr7; /**< DR7. */
};

/** System-call and miscellaneous MSRs (group #LV_STATE_MSRS). */
struct lv_msrs {
	uint64_t star;		 /**< STAR. */
	uint64_t lstar;		 /**< LSTAR. */
	uint64_t cstar;		 /**< CSTAR. */
	uint64_t sfmask;	 /**< SFMASK. */
	uint64_t kernel_gs_base; /**< kernel_gs_base. */
	uint64_t sysenter_cs;	 /**< sysenter_cs. */
	uint64_t sysenter_esp;	 /**< sysenter_esp. */
	uint64_t sysenter_eip;	 /**< sysenter_eip. */
	uint64_t pat;		 /**< IA32_PAT. */
	uint64_t tsc;		 /**< Guest TSC value (reads are a snapshot). */
};

/** Pending and blocked events (group #LV_STATE_EVENTS). */
struct lv_events {
	uint8_t interrupt_shadow;	  /**< Blocking by STI or MOV SS (1 = blocked). */
	uint8_t nmi_masked;		  /**< NMIs blocked (inside an NMI handler). */
	uint8_t nmi_pending;		  /**< An NMI is waiting for delivery. */
	uint8_t exception_pending;	  /**< An exception is waiting for delivery. */
	uint8_t exception_vector;	  /**< Its vector. */
	uint8_t exception_has_error_code; /**< It pushes an error code. */
	uint8_t interrupt_pending;	  /**< An external interrupt is waiting for delivery. */
	uint8_t interrupt_vector;	  /**< Its vector. */
	uint32_t exception_error_code;	  /**< The exception's error code. */
	uint32_t pad_;			  /**< Reserved, 0. */
};

/** Size of struct lv_fpu: the standard-format XSAVE area for XCR0 = x87 | SSE | AVX. */
#define LV_FPU_XSAVE_SIZE 832u

/**
 * x87, SSE and AVX state: the XSAVE area in its standard (non-compacted)
 * format (SDM Vol. 1, 13.4) for the state components x87 (XCR0 bit 0), SSE
 * (bit 1) and AVX (bit 2), which is all libvcpu's backends carry: the
 * vCPU's CPUID leaf 0Dh reports no other component by default (its
 * subleaf 0 EBX gives the size the guest's current XCR0 needs, 576 or
 * 832 bytes; ECX the size for every component it offers).
 *
 * The whole struct is what XSAVE writes at a 64-byte-aligned address with
 * RFBM = 7; where the host CPU has no XSAVE only the FXSAVE image is used
 * and XSTATE_BV reads 3. lv_vcpu_set_state() fails with #LV_ERR_INVAL when
 * XRSTOR would fault on the image: MXCSR reserved bits set, XSTATE_BV with
 * bits other than 0-2, or a nonzero XCOMP_BV / header bytes 16-23
 * (SDM Vol. 1, 13.8.1). A component whose XSTATE_BV bit is 0 is in its
 * initial state (its bytes here are then ignored).
 */
struct lv_fpu {
	/** Legacy region: the FXSAVE image (SDM Vol. 1, 10.5.1), XMM0-15 at byte 160. */
	_Alignas(16) uint8_t fxsave[512];
	/** XSAVE header: XSTATE_BV (8 bytes), XCOMP_BV (8 bytes, 0), 48 reserved bytes. */
	uint8_t xsave_header[64];
	/** AVX component: bits 255:128 of YMM0-15, 16 bytes each (offset 576). */
	uint8_t ymm_hi128[256];
};

/**
 * The local APIC's register page (group #LV_STATE_APIC): the 1 KiB at
 * offsets 0-0x3FF of the xAPIC MMIO page (SDM Vol. 3, 11.4.1, Table
 * 11-1), 32-bit registers on 16-byte boundaries, e.g. ID at 0x20, TPR at
 * 0x80, ISR/TMR/IRR at 0x100/0x180/0x200, timer current count at 0x390. In
 * x2APIC mode the ID register holds the 32-bit x2APIC ID. The APIC base
 * MSR is lv_ctrl::apic_base.
 */
struct lv_apic {
	uint8_t regs[1024]; /**< Register page image, little-endian. */
	/**
	 * IA32_TSC_DEADLINE (MSR 6E0h, SDM Vol. 3, 11.5.4.1): the guest TSC
	 * at which the timer fires in TSC-deadline mode; 0 = disarmed. Read
	 * as 0 and ignored on set in the other timer modes. Set after the
	 * registers, so a page that selects TSC-deadline mode arms it.
	 */
	uint64_t tsc_deadline;
};

/** @name lv_state::mp_state values */
/**@{*/
#define LV_MP_RUNNABLE	0u /**< Runs when lv_vcpu_run() is called. */
#define LV_MP_HALTED	1u /**< In HLT: lv_vcpu_run() waits for an interrupt (or a kick). */
#define LV_MP_WAIT_SIPI 2u /**< After INIT: waits for a start-up IPI. */
/**@}*/

/** The whole vCPU state. Only the groups named in a mask are meaningful. */
struct lv_state {
	struct lv_regs regs;	 /**< #LV_STATE_GPRS */
	struct lv_segs segs;	 /**< #LV_STATE_SEGMENTS */
	struct lv_ctrl ctrl;	 /**< #LV_STATE_CONTROL */
	struct lv_debug debug;	 /**< #LV_STATE_DEBUG */
	struct lv_msrs msrs;	 /**< #LV_STATE_MSRS */
	struct lv_events events; /**< #LV_STATE_EVENTS */
	struct lv_fpu fpu;	 /**< #LV_STATE_FPU */
	struct lv_apic apic;	 /**< #LV_STATE_APIC */
	uint32_t mp_state;	 /**< #LV_STATE_MP: an LV_MP_* value */
	uint32_t pad_mp_;	 /**< Reserved. */
};

/**
 * Fill @p st with the architectural state after RESET/INIT (SDM Vol. 3,
 * 10.1.1): real mode, CS:IP = F000:FFF0 with CS.base = 0xFFFF0000,
 * RFLAGS = 2, CR0 = 0x60000010, DR6/DR7 reset values, PAT = 0x0007040600070406.
 * Every group is filled. Pure function, callable anywhere.
 */
void lv_state_init_reset(struct lv_state *st);

/**
 * Fill the SEGMENTS and CONTROL groups (and RFLAGS) of @p st for a flat
 * 32-bit protected-mode guest without paging: CS = 0x08 (execute/read,
 * base 0, limit 4 GiB, D = 1), DS/ES/FS/GS/SS = 0x10 (read/write, flat),
 * TR = 0x18 (busy 32-bit TSS, base 0, limit 0x67), CR0 = PE | ET | NE.
 * GDTR/IDTR are left as given by the caller (base/limit 0 if unset). Other
 * fields are not touched. Pure function.
 */
void lv_state_init_protected32(struct lv_state *st);

/**
 * Fill the SEGMENTS and CONTROL groups (and RFLAGS) of @p st for a flat
 * 64-bit long-mode guest: CS = 0x08 (64-bit code, L = 1), data segments
 * 0x10, TR = 0x18 (busy 64-bit TSS), CR0 = PE | MP | ET | NE | WP | PG,
 * CR4 = PAE, EFER = LME | LMA, CR3 = @p cr3 (the root
 * of 4-level page tables the caller placed in guest memory). Pure function.
 */
void lv_state_init_long64(struct lv_state *st, uint64_t cr3);

#ifdef __cplusplus
}
#endif

#endif /* LIBVCPU_STATE_H */
