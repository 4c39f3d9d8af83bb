/* SPDX-License-Identifier: MIT */
/*
 * VMCS field encodings and control bits: the one place for every VMCS field
 * and VMX control the backend uses (Intel SDM Vol. 3, Appendix B for the
 * encodings, 25.6-25.8 for the controls, Appendix C for exit reasons).
 *
 * Encoding layout (SDM Vol. 3, 25.11.2): bit 0 access type (1 = high half
 * of a 64-bit field), bits 9:1 index, bits 11:10 type (0 control, 1 exit
 * information, 2 guest state, 3 host state), bits 14:13 width (0 16-bit,
 * 1 64-bit, 2 32-bit, 3 natural width).
 */
#ifndef LV_VMX_VMCS_H
#define LV_VMX_VMCS_H

#include <stdint.h>

#include "../../core/vmx_exit_reasons.h"

#define VMCS_WIDTH(enc) (((enc) >> 13) & 3u)
#define VMCS_TYPE(enc)	(((enc) >> 10) & 3u)

/* ---- 16-bit fields (B.1) ----------------------------------------------- */
#define VMCS_VPID	    0x0000u
#define VMCS_GUEST_ES_SEL   0x0800u
#define VMCS_GUEST_CS_SEL   0x0802u
#define VMCS_GUEST_SS_SEL   0x0804u
#define VMCS_GUEST_DS_SEL   0x0806u
#define VMCS_GUEST_FS_SEL   0x0808u
#define VMCS_GUEST_GS_SEL   0x080au
#define VMCS_GUEST_LDTR_SEL 0x080cu
#define VMCS_GUEST_TR_SEL   0x080eu
#define VMCS_HOST_ES_SEL    0x0c00u
#define VMCS_HOST_CS_SEL    0x0c02u
#define VMCS_HOST_SS_SEL    0x0c04u
#define VMCS_HOST_DS_SEL    0x0c06u
#define VMCS_HOST_FS_SEL    0x0c08u
#define VMCS_HOST_GS_SEL    0x0c0au
#define VMCS_HOST_TR_SEL    0x0c0cu

/* Width bits 14:13 of every field above (a typo in an encoding fails here). */
_Static_assert(VMCS_WIDTH(VMCS_VPID) == 0, "VMCS_VPID is not a 16-bit field");
_Static_assert(VMCS_WIDTH(VMCS_GUEST_ES_SEL) == 0, "VMCS_GUEST_ES_SEL is not a 16-bit field");
_Static_assert(VMCS_WIDTH(VMCS_GUEST_CS_SEL) == 0, "VMCS_GUEST_CS_SEL is not a 16-bit field");
_Static_assert(VMCS_WIDTH(VMCS_GUEST_SS_SEL) == 0, "VMCS_GUEST_SS_SEL is not a 16-bit field");
_Static_assert(VMCS_WIDTH(VMCS_GUEST_DS_SEL) == 0, "VMCS_GUEST_DS_SEL is not a 16-bit field");
_Static_assert(VMCS_WIDTH(VMCS_GUEST_FS_SEL) == 0, "VMCS_GUEST_FS_SEL is not a 16-bit field");
_Static_assert(VMCS_WIDTH(VMCS_GUEST_GS_SEL) == 0, "VMCS_GUEST_GS_SEL is not a 16-bit field");
_Static_assert(VMCS_WIDTH(VMCS_GUEST_LDTR_SEL) == 0, "VMCS_GUEST_LDTR_SEL is not a 16-bit field");
_Static_assert(VMCS_WIDTH(VMCS_GUEST_TR_SEL) == 0, "VMCS_GUEST_TR_SEL is not a 16-bit field");
_Static_assert(VMCS_WIDTH(VMCS_HOST_ES_SEL) == 0, "VMCS_HOST_ES_SEL is not a 16-bit field");
_Static_assert(VMCS_WIDTH(VMCS_HOST_CS_SEL) == 0, "VMCS_HOST_CS_SEL is not a 16-bit field");
_Static_assert(VMCS_WIDTH(VMCS_HOST_SS_SEL) == 0, "VMCS_HOST_SS_SEL is not a 16-bit field");
_Static_assert(VMCS_WIDTH(VMCS_HOST_DS_SEL) == 0, "VMCS_HOST_DS_SEL is not a 16-bit field");
_Static_assert(VMCS_WIDTH(VMCS_HOST_FS_SEL) == 0, "VMCS_HOST_FS_SEL is not a 16-bit field");
_Static_assert(VMCS_WIDTH(VMCS_HOST_GS_SEL) == 0, "VMCS_HOST_GS_SEL is not a 16-bit field");
_Static_assert(VMCS_WIDTH(VMCS_HOST_TR_SEL) == 0, "VMCS_HOST_TR_SEL is not a 16-bit field");
/* ---- 64-bit fields (B.2) ----------------------------------------------- */
#define VMCS_IO_BITMAP_A     0x2000u
#define VMCS_IO_BITMAP_B     0x2002u
#define VMCS_MSR_BITMAP	     0x2004u
#define VMCS_EXIT_MSR_STORE  0x2006u /* VM-exit MSR-store address (25.7.2) */
#define VMCS_EXIT_MSR_LOAD   0x2008u /* VM-exit MSR-load address */
#define VMCS_ENTRY_MSR_LOAD  0x200au /* VM-entry MSR-load address (25.8.2) */
#define VMCS_TSC_OFFSET	     0x2010u
#define VMCS_VIRTUAL_APIC    0x2012u /* virtual-APIC address (TPR shadow, 25.6.8) */
#define VMCS_EPT_POINTER     0x201au
#define VMCS_GUEST_PHYS_ADDR 0x2400u
#define VMCS_LINK_POINTER    0x2800u
#define VMCS_GUEST_DEBUGCTL  0x2802u
#define VMCS_GUEST_PAT	     0x2804u
#define VMCS_GUEST_EFER	     0x2806u
#define VMCS_GUEST_PDPTE0    0x280au
#define VMCS_GUEST_PDPTE1    0x280cu
#define VMCS_GUEST_PDPTE2    0x280eu
#define VMCS_GUEST_PDPTE3    0x2810u
#define VMCS_HOST_PAT	     0x2c00u
#define VMCS_HOST_EFER	     0x2c02u

/* Width bits 14:13 of every field above (a typo in an encoding fails here). */
_Static_assert(VMCS_WIDTH(VMCS_IO_BITMAP_A) == 1, "VMCS_IO_BITMAP_A is not a 64-bit field");
_Static_assert(VMCS_WIDTH(VMCS_IO_BITMAP_B) == 1, "VMCS_IO_BITMAP_B is not a 64-bit field");
_Static_assert(VMCS_WIDTH(VMCS_MSR_BITMAP) == 1, "VMCS_MSR_BITMAP is not a 64-bit field");
_Static_assert(VMCS_WIDTH(VMCS_EXIT_MSR_STORE) == 1, "VMCS_EXIT_MSR_STORE is not a 64-bit field");
_Static_assert(VMCS_WIDTH(VMCS_EXIT_MSR_LOAD) == 1, "VMCS_EXIT_MSR_LOAD is not a 64-bit field");
_Static_assert(VMCS_WIDTH(VMCS_ENTRY_MSR_LOAD) == 1, "VMCS_ENTRY_MSR_LOAD is not a 64-bit field");
_Static_assert(VMCS_WIDTH(VMCS_TSC_OFFSET) == 1, "VMCS_TSC_OFFSET is not a 64-bit field");
_Static_assert(VMCS_WIDTH(VMCS_VIRTUAL_APIC) == 1, "VMCS_VIRTUAL_APIC is not a 64-bit field");
_Static_assert(VMCS_WIDTH(VMCS_EPT_POINTER) == 1, "VMCS_EPT_POINTER is not a 64-bit field");
_Static_assert(VMCS_WIDTH(VMCS_GUEST_PHYS_ADDR) == 1, "VMCS_GUEST_PHYS_ADDR is not a 64-bit field");
_Static_assert(VMCS_WIDTH(VMCS_LINK_POINTER) == 1, "VMCS_LINK_POINTER is not a 64-bit field");
_Static_assert(VMCS_WIDTH(VMCS_GUEST_DEBUGCTL) == 1, "VMCS_GUEST_DEBUGCTL is not a 64-bit field");
_Static_assert(VMCS_WIDTH(VMCS_GUEST_PAT) == 1, "VMCS_GUEST_PAT is not a 64-bit field");
_Static_assert(VMCS_WIDTH(VMCS_GUEST_EFER) == 1, "VMCS_GUEST_EFER is not a 64-bit field");
_Static_assert(VMCS_WIDTH(VMCS_GUEST_PDPTE0) == 1, "VMCS_GUEST_PDPTE0 is not a 64-bit field");
_Static_assert(VMCS_WIDTH(VMCS_GUEST_PDPTE1) == 1, "VMCS_GUEST_PDPTE1 is not a 64-bit field");
_Static_assert(VMCS_WIDTH(VMCS_GUEST_PDPTE2) == 1, "VMCS_GUEST_PDPTE2 is not a 64-bit field");
_Static_assert(VMCS_WIDTH(VMCS_GUEST_PDPTE3) == 1, "VMCS_GUEST_PDPTE3 is not a 64-bit field");
_Static_assert(VMCS_WIDTH(VMCS_HOST_PAT) == 1, "VMCS_HOST_PAT is not a 64-bit field");
_Static_assert(VMCS_WIDTH(VMCS_HOST_EFER) == 1, "VMCS_HOST_EFER is not a 64-bit field");
/* ---- 32-bit fields (B.3) ----------------------------------------------- */
#define VMCS_PIN_CTLS		    0x4000u
#define VMCS_PROC_CTLS		    0x4002u
#define VMCS_EXCEPTION_BITMAP	    0x4004u
#define VMCS_PF_ERRCODE_MASK	    0x4006u
#define VMCS_PF_ERRCODE_MATCH	    0x4008u
#define VMCS_CR3_TARGET_COUNT	    0x400au
#define VMCS_EXIT_CTLS		    0x400cu
#define VMCS_EXIT_MSR_STORE_CNT	    0x400eu
#define VMCS_EXIT_MSR_LOAD_CNT	    0x4010u
#define VMCS_ENTRY_CTLS		    0x4012u
#define VMCS_ENTRY_MSR_LOAD_CNT	    0x4014u
#define VMCS_ENTRY_INTR_INFO	    0x4016u
#define VMCS_ENTRY_EXC_ERRCODE	    0x4018u
#define VMCS_ENTRY_INSN_LEN	    0x401au
#define VMCS_TPR_THRESHOLD	    0x401cu
#define VMCS_PROC_CTLS2		    0x401eu
#define VMCS_VM_INSN_ERROR	    0x4400u
#define VMCS_EXIT_REASON	    0x4402u
#define VMCS_EXIT_INTR_INFO	    0x4404u
#define VMCS_EXIT_INTR_ERRCODE	    0x4406u
#define VMCS_IDT_VECTORING_INFO	    0x4408u
#define VMCS_IDT_VECTORING_ERR	    0x440au
#define VMCS_EXIT_INSN_LEN	    0x440cu
#define VMCS_EXIT_INSN_INFO	    0x440eu
#define VMCS_GUEST_ES_LIMIT	    0x4800u
#define VMCS_GUEST_CS_LIMIT	    0x4802u
#define VMCS_GUEST_SS_LIMIT	    0x4804u
#define VMCS_GUEST_DS_LIMIT	    0x4806u
#define VMCS_GUEST_FS_LIMIT	    0x4808u
#define VMCS_GUEST_GS_LIMIT	    0x480au
#define VMCS_GUEST_LDTR_LIMIT	    0x480cu
#define VMCS_GUEST_TR_LIMIT	    0x480eu
#define VMCS_GUEST_GDTR_LIMIT	    0x4810u
#define VMCS_GUEST_IDTR_LIMIT	    0x4812u
#define VMCS_GUEST_ES_AR	    0x4814u
#define VMCS_GUEST_CS_AR	    0x4816u
#define VMCS_GUEST_SS_AR	    0x4818u
#define VMCS_GUEST_DS_AR	    0x481au
#define VMCS_GUEST_FS_AR	    0x481cu
#define VMCS_GUEST_GS_AR	    0x481eu
#define VMCS_GUEST_LDTR_AR	    0x4820u
#define VMCS_GUEST_TR_AR	    0x4822u
#define VMCS_GUEST_INTERRUPTIBILITY 0x4824u
#define VMCS_GUEST_ACTIVITY	    0x4826u
#define VMCS_GUEST_SYSENTER_CS	    0x482au
#define VMCS_PREEMPT_TIMER	    0x482eu
#define VMCS_HOST_SYSENTER_CS	    0x4c00u

/* Width bits 14:13 of every field above (a typo in an encoding fails here). */
_Static_assert(VMCS_WIDTH(VMCS_PIN_CTLS) == 2, "VMCS_PIN_CTLS is not a 32-bit field");
_Static_assert(VMCS_WIDTH(VMCS_PROC_CTLS) == 2, "VMCS_PROC_CTLS is not a 32-bit field");
_Static_assert(VMCS_WIDTH(VMCS_EXCEPTION_BITMAP) == 2,
	       "VMCS_EXCEPTION_BITMAP is not a 32-bit field");
_Static_assert(VMCS_WIDTH(VMCS_PF_ERRCODE_MASK) == 2, "VMCS_PF_ERRCODE_MASK is not a 32-bit field");
_Static_assert(VMCS_WIDTH(VMCS_PF_ERRCODE_MATCH) == 2,
	       "VMCS_PF_ERRCODE_MATCH is not a 32-bit field");
_Static_assert(VMCS_WIDTH(VMCS_CR3_TARGET_COUNT) == 2,
	       "VMCS_CR3_TARGET_COUNT is not a 32-bit field");
_Static_assert(VMCS_WIDTH(VMCS_EXIT_CTLS) == 2, "VMCS_EXIT_CTLS is not a 32-bit field");
_Static_assert(VMCS_WIDTH(VMCS_EXIT_MSR_STORE_CNT) == 2,
	       "VMCS_EXIT_MSR_STORE_CNT is not a 32-bit field");
_Static_assert(VMCS_WIDTH(VMCS_EXIT_MSR_LOAD_CNT) == 2,
	       "VMCS_EXIT_MSR_LOAD_CNT is not a 32-bit field");
_Static_assert(VMCS_WIDTH(VMCS_ENTRY_CTLS) == 2, "VMCS_ENTRY_CTLS is not a 32-bit field");
_Static_assert(VMCS_WIDTH(VMCS_ENTRY_MSR_LOAD_CNT) == 2,
	       "VMCS_ENTRY_MSR_LOAD_CNT is not a 32-bit field");
_Static_assert(VMCS_WIDTH(VMCS_ENTRY_INTR_INFO) == 2, "VMCS_ENTRY_INTR_INFO is not a 32-bit field");
_Static_assert(VMCS_WIDTH(VMCS_ENTRY_EXC_ERRCODE) == 2,
	       "VMCS_ENTRY_EXC_ERRCODE is not a 32-bit field");
_Static_assert(VMCS_WIDTH(VMCS_ENTRY_INSN_LEN) == 2, "VMCS_ENTRY_INSN_LEN is not a 32-bit field");
_Static_assert(VMCS_WIDTH(VMCS_TPR_THRESHOLD) == 2, "VMCS_TPR_THRESHOLD is not a 32-bit field");
_Static_assert(VMCS_WIDTH(VMCS_PROC_CTLS2) == 2, "VMCS_PROC_CTLS2 is not a 32-bit field");
_Static_assert(VMCS_WIDTH(VMCS_VM_INSN_ERROR) == 2, "VMCS_VM_INSN_ERROR is not a 32-bit field");
_Static_assert(VMCS_WIDTH(VMCS_EXIT_REASON) == 2, "VMCS_EXIT_REASON is not a 32-bit field");
_Static_assert(VMCS_WIDTH(VMCS_EXIT_INTR_INFO) == 2, "VMCS_EXIT_INTR_INFO is not a 32-bit field");
_Static_assert(VMCS_WIDTH(VMCS_EXIT_INTR_ERRCODE) == 2,
	       "VMCS_EXIT_INTR_ERRCODE is not a 32-bit field");
_Static_assert(VMCS_WIDTH(VMCS_IDT_VECTORING_INFO) == 2,
	       "VMCS_IDT_VECTORING_INFO is not a 32-bit field");
_Static_assert(VMCS_WIDTH(VMCS_IDT_VECTORING_ERR) == 2,
	       "VMCS_IDT_VECTORING_ERR is not a 32-bit field");
_Static_assert(VMCS_WIDTH(VMCS_EXIT_INSN_LEN) == 2, "VMCS_EXIT_INSN_LEN is not a 32-bit field");
_Static_assert(VMCS_WIDTH(VMCS_EXIT_INSN_INFO) == 2, "VMCS_EXIT_INSN_INFO is not a 32-bit field");
_Static_assert(VMCS_WIDTH(VMCS_GUEST_ES_LIMIT) == 2, "VMCS_GUEST_ES_LIMIT is not a 32-bit field");
_Static_assert(VMCS_WIDTH(VMCS_GUEST_CS_LIMIT) == 2, "VMCS_GUEST_CS_LIMIT is not a 32-bit field");
_Static_assert(VMCS_WIDTH(VMCS_GUEST_SS_LIMIT) == 2, "VMCS_GUEST_SS_LIMIT is not a 32-bit field");
_Static_assert(VMCS_WIDTH(VMCS_GUEST_DS_LIMIT) == 2, "VMCS_GUEST_DS_LIMIT is not a 32-bit field");
_Static_assert(VMCS_WIDTH(VMCS_GUEST_FS_LIMIT) == 2, "VMCS_GUEST_FS_LIMIT is not a 32-bit field");
_Static_assert(VMCS_WIDTH(VMCS_GUEST_GS_LIMIT) == 2, "VMCS_GUEST_GS_LIMIT is not a 32-bit field");
_Static_assert(VMCS_WIDTH(VMCS_GUEST_LDTR_LIMIT) == 2,
	       "VMCS_GUEST_LDTR_LIMIT is not a 32-bit field");
_Static_assert(VMCS_WIDTH(VMCS_GUEST_TR_LIMIT) == 2, "VMCS_GUEST_TR_LIMIT is not a 32-bit field");
_Static_assert(VMCS_WIDTH(VMCS_GUEST_GDTR_LIMIT) == 2,
	       "VMCS_GUEST_GDTR_LIMIT is not a 32-bit field");
_Static_assert(VMCS_WIDTH(VMCS_GUEST_IDTR_LIMIT) == 2,
	       "VMCS_GUEST_IDTR_LIMIT is not a 32-bit field");
_Static_assert(VMCS_WIDTH(VMCS_GUEST_ES_AR) == 2, "VMCS_GUEST_ES_AR is not a 32-bit field");
_Static_assert(VMCS_WIDTH(VMCS_GUEST_CS_AR) == 2, "VMCS_GUEST_CS_AR is not a 32-bit field");
_Static_assert(VMCS_WIDTH(VMCS_GUEST_SS_AR) == 2, "VMCS_GUEST_SS_AR is not a 32-bit field");
_Static_assert(VMCS_WIDTH(VMCS_GUEST_DS_AR) == 2, "VMCS_GUEST_DS_AR is not a 32-bit field");
_Static_assert(VMCS_WIDTH(VMCS_GUEST_FS_AR) == 2, "VMCS_GUEST_FS_AR is not a 32-bit field");
_Static_assert(VMCS_WIDTH(VMCS_GUEST_GS_AR) == 2, "VMCS_GUEST_GS_AR is not a 32-bit field");
_Static_assert(VMCS_WIDTH(VMCS_GUEST_LDTR_AR) == 2, "VMCS_GUEST_LDTR_AR is not a 32-bit field");
_Static_assert(VMCS_WIDTH(VMCS_GUEST_TR_AR) == 2, "VMCS_GUEST_TR_AR is not a 32-bit field");
_Static_assert(VMCS_WIDTH(VMCS_GUEST_INTERRUPTIBILITY) == 2,
	       "VMCS_GUEST_INTERRUPTIBILITY is not a 32-bit field");
_Static_assert(VMCS_WIDTH(VMCS_GUEST_ACTIVITY) == 2, "VMCS_GUEST_ACTIVITY is not a 32-bit field");
_Static_assert(VMCS_WIDTH(VMCS_GUEST_SYSENTER_CS) == 2,
	       "VMCS_GUEST_SYSENTER_CS is not a 32-bit field");
_Static_assert(VMCS_WIDTH(VMCS_PREEMPT_TIMER) == 2, "VMCS_PREEMPT_TIMER is not a 32-bit field");
_Static_assert(VMCS_WIDTH(VMCS_HOST_SYSENTER_CS) == 2,
	       "VMCS_HOST_SYSENTER_CS is not a 32-bit field");
/* ---- natural-width fields (B.4) ---------------------------------------- */
#define VMCS_CR0_MASK		0x6000u
#define VMCS_CR4_MASK		0x6002u
#define VMCS_CR0_SHADOW		0x6004u
#define VMCS_CR4_SHADOW		0x6006u
#define VMCS_EXIT_QUAL		0x6400u
#define VMCS_GUEST_LINEAR_ADDR	0x640au
#define VMCS_GUEST_CR0		0x6800u
#define VMCS_GUEST_CR3		0x6802u
#define VMCS_GUEST_CR4		0x6804u
#define VMCS_GUEST_ES_BASE	0x6806u
#define VMCS_GUEST_CS_BASE	0x6808u
#define VMCS_GUEST_SS_BASE	0x680au
#define VMCS_GUEST_DS_BASE	0x680cu
#define VMCS_GUEST_FS_BASE	0x680eu
#define VMCS_GUEST_GS_BASE	0x6810u
#define VMCS_GUEST_LDTR_BASE	0x6812u
#define VMCS_GUEST_TR_BASE	0x6814u
#define VMCS_GUEST_GDTR_BASE	0x6816u
#define VMCS_GUEST_IDTR_BASE	0x6818u
#define VMCS_GUEST_DR7		0x681au
#define VMCS_GUEST_RSP		0x681cu
#define VMCS_GUEST_RIP		0x681eu
#define VMCS_GUEST_RFLAGS	0x6820u
#define VMCS_GUEST_PENDING_DBG	0x6822u
#define VMCS_GUEST_SYSENTER_ESP 0x6824u
#define VMCS_GUEST_SYSENTER_EIP 0x6826u
#define VMCS_HOST_CR0		0x6c00u
#define VMCS_HOST_CR3		0x6c02u
#define VMCS_HOST_CR4		0x6c04u
#define VMCS_HOST_FS_BASE	0x6c06u
#define VMCS_HOST_GS_BASE	0x6c08u
#define VMCS_HOST_TR_BASE	0x6c0au
#define VMCS_HOST_GDTR_BASE	0x6c0cu
#define VMCS_HOST_IDTR_BASE	0x6c0eu
#define VMCS_HOST_SYSENTER_ESP	0x6c10u
#define VMCS_HOST_SYSENTER_EIP	0x6c12u
#define VMCS_HOST_RSP		0x6c14u
#define VMCS_HOST_RIP		0x6c16u

_Static_assert(VMCS_WIDTH(VMCS_GUEST_EFER) == 1, "64-bit field");
_Static_assert(VMCS_WIDTH(VMCS_EXIT_REASON) == 2, "32-bit field");
_Static_assert(VMCS_WIDTH(VMCS_GUEST_RIP) == 3 && VMCS_TYPE(VMCS_GUEST_RIP) == 2, "guest natural");
_Static_assert(VMCS_TYPE(VMCS_HOST_RIP) == 3, "host state");

/* Width bits 14:13 of every field above (a typo in an encoding fails here). */
_Static_assert(VMCS_WIDTH(VMCS_CR0_MASK) == 3, "VMCS_CR0_MASK is not a natural-width field");
_Static_assert(VMCS_WIDTH(VMCS_CR4_MASK) == 3, "VMCS_CR4_MASK is not a natural-width field");
_Static_assert(VMCS_WIDTH(VMCS_CR0_SHADOW) == 3, "VMCS_CR0_SHADOW is not a natural-width field");
_Static_assert(VMCS_WIDTH(VMCS_CR4_SHADOW) == 3, "VMCS_CR4_SHADOW is not a natural-width field");
_Static_assert(VMCS_WIDTH(VMCS_EXIT_QUAL) == 3, "VMCS_EXIT_QUAL is not a natural-width field");
_Static_assert(VMCS_WIDTH(VMCS_GUEST_LINEAR_ADDR) == 3,
	       "VMCS_GUEST_LINEAR_ADDR is not a natural-width field");
_Static_assert(VMCS_WIDTH(VMCS_GUEST_CR0) == 3, "VMCS_GUEST_CR0 is not a natural-width field");
_Static_assert(VMCS_WIDTH(VMCS_GUEST_CR3) == 3, "VMCS_GUEST_CR3 is not a natural-width field");
_Static_assert(VMCS_WIDTH(VMCS_GUEST_CR4) == 3, "VMCS_GUEST_CR4 is not a natural-width field");
_Static_assert(VMCS_WIDTH(VMCS_GUEST_ES_BASE) == 3,
	       "VMCS_GUEST_ES_BASE is not a natural-width field");
_Static_assert(VMCS_WIDTH(VMCS_GUEST_CS_BASE) == 3,
	       "VMCS_GUEST_CS_BASE is not a natural-width field");
_Static_assert(VMCS_WIDTH(VMCS_GUEST_SS_BASE) == 3,
	       "VMCS_GUEST_SS_BASE is not a natural-width field");
_Static_assert(VMCS_WIDTH(VMCS_GUEST_DS_BASE) == 3,
	       "VMCS_GUEST_DS_BASE is not a natural-width field");
_Static_assert(VMCS_WIDTH(VMCS_GUEST_FS_BASE) == 3,
	       "VMCS_GUEST_FS_BASE is not a natural-width field");
_Static_assert(VMCS_WIDTH(VMCS_GUEST_GS_BASE) == 3,
	       "VMCS_GUEST_GS_BASE is not a natural-width field");
_Static_assert(VMCS_WIDTH(VMCS_GUEST_LDTR_BASE) == 3,
	       "VMCS_GUEST_LDTR_BASE is not a natural-width field");
_Static_assert(VMCS_WIDTH(VMCS_GUEST_TR_BASE) == 3,
	       "VMCS_GUEST_TR_BASE is not a natural-width field");
_Static_assert(VMCS_WIDTH(VMCS_GUEST_GDTR_BASE) == 3,
	       "VMCS_GUEST_GDTR_BASE is not a natural-width field");
_Static_assert(VMCS_WIDTH(VMCS_GUEST_IDTR_BASE) == 3,
	       "VMCS_GUEST_IDTR_BASE is not a natural-width field");
_Static_assert(VMCS_WIDTH(VMCS_GUEST_DR7) == 3, "VMCS_GUEST_DR7 is not a natural-width field");
_Static_assert(VMCS_WIDTH(VMCS_GUEST_RSP) == 3, "VMCS_GUEST_RSP is not a natural-width field");
_Static_assert(VMCS_WIDTH(VMCS_GUEST_RIP) == 3, "VMCS_GUEST_RIP is not a natural-width field");
_Static_assert(VMCS_WIDTH(VMCS_GUEST_RFLAGS) == 3,
	       "VMCS_GUEST_RFLAGS is not a natural-width field");
_Static_assert(VMCS_WIDTH(VMCS_GUEST_PENDING_DBG) == 3,
	       "VMCS_GUEST_PENDING_DBG is not a natural-width field");
_Static_assert(VMCS_WIDTH(VMCS_GUEST_SYSENTER_ESP) == 3,
	       "VMCS_GUEST_SYSENTER_ESP is not a natural-width field");
_Static_assert(VMCS_WIDTH(VMCS_GUEST_SYSENTER_EIP) == 3,
	       "VMCS_GUEST_SYSENTER_EIP is not a natural-width field");
_Static_assert(VMCS_WIDTH(VMCS_HOST_CR0) == 3, "VMCS_HOST_CR0 is not a natural-width field");
_Static_assert(VMCS_WIDTH(VMCS_HOST_CR3) == 3, "VMCS_HOST_CR3 is not a natural-width field");
_Static_assert(VMCS_WIDTH(VMCS_HOST_CR4) == 3, "VMCS_HOST_CR4 is not a natural-width field");
_Static_assert(VMCS_WIDTH(VMCS_HOST_FS_BASE) == 3,
	       "VMCS_HOST_FS_BASE is not a natural-width field");
_Static_assert(VMCS_WIDTH(VMCS_HOST_GS_BASE) == 3,
	       "VMCS_HOST_GS_BASE is not a natural-width field");
_Static_assert(VMCS_WIDTH(VMCS_HOST_TR_BASE) == 3,
	       "VMCS_HOST_TR_BASE is not a natural-width field");
_Static_assert(VMCS_WIDTH(VMCS_HOST_GDTR_BASE) == 3,
	       "VMCS_HOST_GDTR_BASE is not a natural-width field");
_Static_assert(VMCS_WIDTH(VMCS_HOST_IDTR_BASE) == 3,
	       "VMCS_HOST_IDTR_BASE is not a natural-width field");
_Static_assert(VMCS_WIDTH(VMCS_HOST_SYSENTER_ESP) == 3,
	       "VMCS_HOST_SYSENTER_ESP is not a natural-width field");
_Static_assert(VMCS_WIDTH(VMCS_HOST_SYSENTER_EIP) == 3,
	       "VMCS_HOST_SYSENTER_EIP is not a natural-width field");
_Static_assert(VMCS_WIDTH(VMCS_HOST_RSP) == 3, "VMCS_HOST_RSP is not a natural-width field");
_Static_assert(VMCS_WIDTH(VMCS_HOST_RIP) == 3, "VMCS_HOST_RIP is not a natural-width field");
/* ---- pin-based controls (25.6.1) --------------------------------------- */
#define PIN_EXTINT_EXITING (1u << 0)
#define PIN_NMI_EXITING	   (1u << 3)
#define PIN_VIRTUAL_NMIS   (1u << 5)
#define PIN_PREEMPT_TIMER  (1u << 6)

/* ---- primary processor-based controls (25.6.2) ------------------------- */
#define PROC_INTR_WINDOW     (1u << 2)
#define PROC_TSC_OFFSET	     (1u << 3)
#define PROC_HLT_EXITING     (1u << 7)
#define PROC_INVLPG_EXITING  (1u << 9)
#define PROC_MWAIT_EXITING   (1u << 10)
#define PROC_RDPMC_EXITING   (1u << 11)
#define PROC_RDTSC_EXITING   (1u << 12)
#define PROC_CR3_LOAD	     (1u << 15)
#define PROC_CR3_STORE	     (1u << 16)
#define PROC_CR8_LOAD	     (1u << 19)
#define PROC_CR8_STORE	     (1u << 20)
#define PROC_TPR_SHADOW	     (1u << 21)
#define PROC_NMI_WINDOW	     (1u << 22)
#define PROC_MOV_DR_EXITING  (1u << 23)
#define PROC_UNCOND_IO	     (1u << 24)
#define PROC_USE_IO_BITMAPS  (1u << 25)
#define PROC_MTF	     (1u << 27)
#define PROC_USE_MSR_BITMAPS (1u << 28)
#define PROC_MONITOR_EXITING (1u << 29)
#define PROC_PAUSE_EXITING   (1u << 30)
#define PROC_SECONDARY	     (1u << 31)

/* ---- secondary processor-based controls (25.6.2) ----------------------- */
#define PROC2_ENABLE_EPT   (1u << 1)
#define PROC2_DESC_EXITING (1u << 2)
#define PROC2_RDTSCP	   (1u << 3)
#define PROC2_ENABLE_VPID  (1u << 5)
#define PROC2_UNRESTRICTED (1u << 7)
#define PROC2_INVPCID	   (1u << 12)
#define PROC2_XSAVES	   (1u << 20)

/* ---- VM-exit controls (25.7.1) ------------------------------------------ */
#define EXIT_SAVE_DEBUG (1u << 2)
#define EXIT_HOST_64	(1u << 9)
#define EXIT_ACK_INTR	(1u << 15)
#define EXIT_SAVE_PAT	(1u << 18)
#define EXIT_LOAD_PAT	(1u << 19)
#define EXIT_SAVE_EFER	(1u << 20)
#define EXIT_LOAD_EFER	(1u << 21)

/* ---- VM-entry controls (25.8.1) ----------------------------------------- */
#define ENTRY_LOAD_DEBUG  (1u << 2)
#define ENTRY_IA32E_GUEST (1u << 9)
#define ENTRY_LOAD_PAT	  (1u << 14)
#define ENTRY_LOAD_EFER	  (1u << 15)

/* ---- IA32_VMX_EPT_VPID_CAP (A.10) --------------------------------------- */
#define EPTCAP_WALK4	     (1ull << 6)
#define EPTCAP_WB	     (1ull << 14)
#define EPTCAP_2M	     (1ull << 16)
#define EPTCAP_1G	     (1ull << 17)
#define EPTCAP_INVEPT	     (1ull << 20)
#define EPTCAP_AD	     (1ull << 21)
#define EPTCAP_INVEPT_SINGLE (1ull << 25)
#define EPTCAP_INVEPT_ALL    (1ull << 26)
#define VPIDCAP_INVVPID	     (1ull << 32)
#define VPIDCAP_INDIV	     (1ull << 40)
#define VPIDCAP_SINGLE	     (1ull << 41)
#define VPIDCAP_ALL	     (1ull << 42)

/* INVEPT / INVVPID types (SDM Vol. 3, 30.3): LV_INVEPT_*, LV_INVVPID_* in core/ids.h. */

/* EPTP (25.6.11): memory type 2:0 (6 = WB), walk length - 1 in 5:3, A/D 6. */
#define EPTP_WB	   6ull
#define EPTP_WALK4 (3ull << 3)
#define EPTP_AD	   (1ull << 6)

/* ---- interruption information (25.8.3, 28.2.2) -------------------------- */
#define INTR_INFO_VECTOR(x)   ((x)&0xffu)
#define INTR_INFO_TYPE(x)     (((x) >> 8) & 7u)
#define INTR_INFO_ERRCODE     (1u << 11)
#define INTR_INFO_NMI_UNBLOCK (1u << 12)
#define INTR_INFO_VALID	      (1u << 31)
#define INTR_TYPE_EXTINT      0u
#define INTR_TYPE_NMI	      2u
#define INTR_TYPE_HW_EXC      3u
#define INTR_TYPE_SW_INT      4u
#define INTR_TYPE_PRIV_SW_EXC 5u
#define INTR_TYPE_SW_EXC      6u

/* Guest interruptibility state (25.4.2). */
#define INTERRUPTIBILITY_STI   (1u << 0)
#define INTERRUPTIBILITY_MOVSS (1u << 1)
#define INTERRUPTIBILITY_SMI   (1u << 2)
#define INTERRUPTIBILITY_NMI   (1u << 3)

/* Segment access rights (25.4.1): the descriptor bits plus unusable. */
#define SEG_AR_UNUSABLE (1u << 16)

/* ---- basic exit reasons (Appendix C) ------------------------------------ */

/* Exit qualification for I/O instructions (Table 28-5). */
#define IOQ_SIZE(q) ((uint32_t)((q)&7u) + 1u)
#define IOQ_IN	    (1u << 3)
#define IOQ_STRING  (1u << 4)
#define IOQ_REP	    (1u << 5)
#define IOQ_PORT(q) ((uint16_t)((q) >> 16))

/* Exit qualification for EPT violations (Table 28-7). */
#define EPTQ_READ	    (1u << 0)
#define EPTQ_WRITE	    (1u << 1)
#define EPTQ_FETCH	    (1u << 2)
#define EPTQ_GLA_VALID	    (1u << 7)
#define EPTQ_GLA_TRANSLATED (1u << 8)
#define EPTQ_NMI_UNBLOCK    (1u << 12)

#endif /* LV_VMX_VMCS_H */
