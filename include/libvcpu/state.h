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
#define LV_STATE_GPRS	  (1u << 0) /**< #lv_state.regs: general registers, RIP, RFLAGS. */
#define LV_STATE_SEGMENTS (1u << 1) /**< #lv_state.segs: segment registers, GDTR, IDTR. */
#define LV_STATE_CONTROL  (1u << 2) /**< #lv_state.ctrl: CR0/2/3/4/8, EFER, XCR0, APIC base. */
#define LV_STATE_DEBUG	  (1u << 3) /**< #lv_state.debug: DR0-DR3, DR6, DR7. */
#define LV_STATE_MSRS	  (1u << 4) /**< #lv_state.msrs: syscall/sysenter MSRs, PAT, TSC. */
#define LV_STATE_EVENTS	  (1u << 5) /**< #lv_state.events: pending/blocked events. */
#define LV_STATE_FPU	  (1u << 6) /**< #lv_state.fpu: x87/SSE state (FXSAVE image). */
#define LV_STATE_ALL	  0x7fu	    /**< Every group. */
/**@}*/

/** General-purpose registers, RIP and RFLAGS (group #LV_STATE_GPRS). */
struct lv_regs {
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, rsp, rbp;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rip, rflags;
};

/**
 * A segment register with its hidden part, attributes split into fields
 * (the same meaning as the descriptor bits, SDM Vol. 3, 3.4.5).
 */
struct lv_segment {
	uint64_t base;
	uint32_t limit; /**< Byte-granular limit (already scaled when g = 1). */
	uint16_t selector;
	uint8_t type; /**< Descriptor type, 4 bits. */
	uint8_t s;    /**< 1 = code/data, 0 = system. */
	uint8_t dpl;  /**< Descriptor privilege level, 0-3. */
	uint8_t present;
	uint8_t avl;
	uint8_t l;	  /**< 64-bit code segment. */
	uint8_t db;	  /**< Default operation size / big. */
	uint8_t g;	  /**< Granularity. */
	uint8_t unusable; /**< Segment is unusable (null selector loaded). */
	uint8_t pad_;
};

/** A descriptor-table register (GDTR / IDTR). */
struct lv_dtable {
	uint64_t base;
	uint16_t limit;
	uint16_t pad_[3];
};

/** Segment state (group #LV_STATE_SEGMENTS). */
struct lv_segs {
	struct lv_segment cs, ds, es, fs, gs, ss, tr, ldt;
	struct lv_dtable gdt, idt;
};

/** Control registers and mode MSRs (group #LV_STATE_CONTROL). */
struct lv_ctrl {
	uint64_t cr0, cr2, cr3, cr4, cr8;
	uint64_t efer;
	uint64_t xcr0;	    /**< Ignored by backends without XSAVE support (reads 1). */
	uint64_t apic_base; /**< IA32_APIC_BASE as the guest sees it. */
};

/** Debug registers (group #LV_STATE_DEBUG). */
struct lv_debug {
	uint64_t dr0, dr1, dr2, dr3, dr6, dr7;
};

/** System-call and miscellaneous MSRs (group #LV_STATE_MSRS). */
struct lv_msrs {
	uint64_t star, lstar, cstar, sfmask, kernel_gs_base;
	uint64_t sysenter_cs, sysenter_esp, sysenter_eip;
	uint64_t pat;
	uint64_t tsc; /**< Guest TSC value (reads are a snapshot). */
};

/** Pending and blocked events (group #LV_STATE_EVENTS). */
struct lv_events {
	uint8_t interrupt_shadow;  /**< Blocking by STI or MOV SS (1 = blocked). */
	uint8_t nmi_masked;	   /**< NMIs blocked (inside an NMI handler). */
	uint8_t nmi_pending;	   /**< An NMI is waiting for delivery. */
	uint8_t exception_pending; /**< An exception is waiting for delivery. */
	uint8_t exception_vector;
	uint8_t exception_has_error_code;
	uint8_t interrupt_pending; /**< An external interrupt is waiting for delivery. */
	uint8_t interrupt_vector;
	uint32_t exception_error_code;
	uint32_t pad_;
};

/** x87/SSE state as the 512-byte FXSAVE image (group #LV_STATE_FPU). */
struct lv_fpu {
	_Alignas(16) uint8_t fxsave[512];
};

/** The whole vCPU state. Only the groups named in a mask are meaningful. */
struct lv_state {
	struct lv_regs regs;
	struct lv_segs segs;
	struct lv_ctrl ctrl;
	struct lv_debug debug;
	struct lv_msrs msrs;
	struct lv_events events;
	struct lv_fpu fpu;
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
