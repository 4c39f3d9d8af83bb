/* SPDX-License-Identifier: MIT */
/*
 * Guest page walker: guest-linear -> guest-physical for every x86 paging
 * mode (SDM Vol. 3, chapter 4): none (real mode, protected mode without
 * paging), 32-bit (4 MiB pages with CR4.PSE, PSE-36), PAE, 4-level and
 * 5-level. Access rights are checked as the CPU checks them (4.6: U/S,
 * R/W with CR0.WP, NX, SMEP, SMAP with RFLAGS.AC and implicit supervisor
 * accesses), reserved bits are detected (4.7 RSVD), and the #PF error code
 * the CPU would deliver is returned (4.7). Accessed/dirty flags are set
 * when asked (4.8). The guest's tables are read through the memory-slot
 * table. Freestanding, no allocation.
 *
 * Not modelled: protection keys, CET shadow stacks, HLAT, the PDPTE
 * register cache of PAE paging (PDPTEs are read from memory), TLBs.
 */
#ifndef LV_CORE_GUEST_WALK_H
#define LV_CORE_GUEST_WALK_H

#include <stdint.h>

#include <libvcpu/state.h>

#include "memmap.h"
#include "x86_emul.h"

/** The guest's paging controls (CR0, CR3, CR4, EFER, CPL, RFLAGS.AC). */
struct lv_guest_paging {
	uint64_t cr0, cr3, cr4, efer;
	uint8_t cpl;	    /**< 0-3; CPL 3 accesses are user-mode accesses. */
	uint8_t ac;	    /**< RFLAGS.AC (SMAP override for explicit accesses). */
	uint8_t maxphyaddr; /**< CPUID.80000008H:EAX[7:0]; 0 means 52. */
	uint8_t pad_[5];
};

/** Access flags for lv_guest_walk(): LV_ACCESS_READ/WRITE/EXEC from exit.h, plus: */
#define LV_WALK_IMPLICIT_SV (1u << 8) /**< Implicit supervisor access (GDT, IDT, TSS). */
#define LV_WALK_SET_AD	    (1u << 9) /**< Set accessed (and dirty on write) flags. */

/** #PF error-code bits (SDM Vol. 3, 4.7, Figure 4-12). */
#define LV_PFEC_P    (1u << 0)
#define LV_PFEC_W    (1u << 1)
#define LV_PFEC_U    (1u << 2)
#define LV_PFEC_RSVD (1u << 3)
#define LV_PFEC_I    (1u << 4)

/** lv_guest_walk() result besides the negative LV_ERR_* codes. */
#define LV_WALK_OK    0
#define LV_WALK_FAULT 1 /**< The access faults: #PF with res->pf_error, CR2 = gva. */

struct lv_walk_result {
	uint64_t gpa;	    /**< Translation (when LV_WALK_OK). */
	uint64_t page_size; /**< 4 KiB, 2/4 MiB or 1 GiB; the whole 4 GiB range without paging. */
	uint64_t leaf;	    /**< The leaf entry (0 without paging). */
	uint32_t pf_error;  /**< #PF error code (when LV_WALK_FAULT). */
	uint8_t level;	    /**< Level of the leaf / of the faulting entry (1 = PTE). */
	uint8_t user;	    /**< Effective U/S of the translation. */
	uint8_t writable;   /**< Effective R/W. */
	uint8_t nx;	    /**< Effective execute-disable. */
};

/**
 * Translate @p gva for an access of kind @p access (one of LV_ACCESS_READ,
 * WRITE, EXEC, optionally with LV_WALK_* flags).
 * @return LV_WALK_OK, LV_WALK_FAULT, LV_ERR_NOENT when a paging-structure
 *         entry lies outside guest RAM (the walk cannot be done), or
 *         LV_ERR_PERM when an A/D update is asked for a table in read-only RAM.
 */
int lv_guest_walk(const struct lv_memmap *mm, const struct lv_guest_paging *pg, uint64_t gva,
		  uint32_t access, struct lv_walk_result *res);

/**
 * Paging controls from a vCPU state (CONTROL, SEGMENTS and GPRS groups):
 * CR0/CR3/CR4/EFER, CPL = SS.DPL (3 in virtual-8086 mode), RFLAGS.AC.
 * maxphyaddr is left 0 (52): set it from the guest's CPUID if smaller.
 */
void lv_guest_paging_from_state(struct lv_guest_paging *pg, const struct lv_state *st);

/**
 * The emulator's translate step on top of lv_guest_walk() (x86_emul.h,
 * lv_x86_emul_ops.translate): sets A/D as the CPU would, turns a fault
 * into #PF with CR2 in @p fault.
 * @return 0, LV_X86_EMUL_FAULT, or LV_X86_EMUL_UNHANDLEABLE (tables not in RAM).
 */
int lv_guest_walk_x86(const struct lv_memmap *mm, const struct lv_guest_paging *pg, uint64_t gla,
		      uint32_t access, uint64_t *gpa, struct lv_x86_fault *fault);

#endif /* LV_CORE_GUEST_WALK_H */
