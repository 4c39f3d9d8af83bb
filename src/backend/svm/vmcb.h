/* SPDX-License-Identifier: MIT */
/*
 * The VMCB (Virtual Machine Control Block) layout and the SVM constants the
 * backend uses. AMD64 APM Vol. 2 (rev. 3.42), Appendix B "Layout of VMCB"
 * (control area: Table B-1, offsets 0x000-0x3FF; state save area: Table B-2,
 * from 0x400) and Appendix C "SVM Intercept Exit Codes". Every field offset
 * is checked at compile time.
 */
#ifndef LV_SVM_VMCB_H
#define LV_SVM_VMCB_H

#include <stddef.h>
#include <stdint.h>

#include "../../core/svm_exitcodes.h"
#include "../../core/x86_arch.h"

/* ---- control area (APM Vol. 2, Table B-1) ------------------------------ */

struct vmcb_control {
	uint32_t intercept_cr;	/* 0x000: CR0-15 reads (bits 0-15), writes (16-31) */
	uint32_t intercept_dr;	/* 0x004: DR0-15 reads, writes */
	uint32_t intercept_exc; /* 0x008: exception vectors 0-31 */
	uint32_t intercept1;	/* 0x00C: INTR .. SHUTDOWN (VMCB_I1_*) */
	uint32_t intercept2;	/* 0x010: VMRUN .. (VMCB_I2_*) */
	uint32_t intercept3;	/* 0x014: INVLPGB etc. */
	uint8_t rsvd1[0x3c - 0x18];
	uint16_t pause_filter_thresh; /* 0x03C */
	uint16_t pause_filter_count;  /* 0x03E */
	uint64_t iopm_base_pa;	      /* 0x040 */
	uint64_t msrpm_base_pa;	      /* 0x048 */
	uint64_t tsc_offset;	      /* 0x050 */
	uint32_t asid;		      /* 0x058 */
	uint8_t tlb_control;	      /* 0x05C */
	uint8_t rsvd2[3];
	uint64_t vintr;		/* 0x060: V_TPR, V_IRQ, V_INTR_PRIO, V_INTR_MASKING, vector */
	uint64_t int_state;	/* 0x068: bit 0 interrupt shadow, bit 1 guest IF (GIF) */
	uint64_t exitcode;	/* 0x070 */
	uint64_t exitinfo1;	/* 0x078 */
	uint64_t exitinfo2;	/* 0x080 */
	uint64_t exitintinfo;	/* 0x088 */
	uint64_t np_control;	/* 0x090: bit 0 NP_ENABLE */
	uint64_t avic_apic_bar; /* 0x098 */
	uint64_t ghcb_pa;	/* 0x0A0 */
	uint64_t eventinj;	/* 0x0A8 */
	uint64_t n_cr3;		/* 0x0B0 */
	uint64_t virt_ext;	/* 0x0B8: LBR virtualization, virtual VMLOAD/VMSAVE */
	uint32_t clean;		/* 0x0C0: VMCB clean bits */
	uint32_t rsvd3;		/* 0x0C4 */
	uint64_t nrip;		/* 0x0C8: next sequential RIP (NRIPS) */
	uint8_t insn_len;	/* 0x0D0: bytes fetched (decode assists) */
	uint8_t insn_bytes[15]; /* 0x0D1 */
	uint8_t rsvd4[0x400 - 0xe0];
};

/* ---- state save area (APM Vol. 2, Table B-2) ---------------------------- */

/* A segment register: attributes are descriptor bits 40-47 and 52-55 packed. */
struct vmcb_seg {
	uint16_t selector;
	uint16_t attrib;
	uint32_t limit;
	uint64_t base;
};

struct vmcb_save {
	struct vmcb_seg es, cs, ss, ds, fs, gs; /* 0x400 .. 0x45F */
	struct vmcb_seg gdtr, ldtr, idtr, tr;	/* 0x460 .. 0x49F */
	uint8_t rsvd1[0x4cb - 0x4a0];
	uint8_t cpl; /* 0x4CB */
	uint32_t rsvd2;
	uint64_t efer; /* 0x4D0 */
	uint8_t rsvd3[0x548 - 0x4d8];
	uint64_t cr4;	 /* 0x548 */
	uint64_t cr3;	 /* 0x550 */
	uint64_t cr0;	 /* 0x558 */
	uint64_t dr7;	 /* 0x560 */
	uint64_t dr6;	 /* 0x568 */
	uint64_t rflags; /* 0x570 */
	uint64_t rip;	 /* 0x578 */
	uint8_t rsvd4[0x5d8 - 0x580];
	uint64_t rsp; /* 0x5D8 */
	uint64_t s_cet, ssp, isst_addr;
	uint64_t rax;		 /* 0x5F8 */
	uint64_t star;		 /* 0x600 */
	uint64_t lstar;		 /* 0x608 */
	uint64_t cstar;		 /* 0x610 */
	uint64_t sfmask;	 /* 0x618 */
	uint64_t kernel_gs_base; /* 0x620 */
	uint64_t sysenter_cs;	 /* 0x628 */
	uint64_t sysenter_esp;	 /* 0x630 */
	uint64_t sysenter_eip;	 /* 0x638 */
	uint64_t cr2;		 /* 0x640 */
	uint8_t rsvd5[0x668 - 0x648];
	uint64_t g_pat;	 /* 0x668 */
	uint64_t dbgctl; /* 0x670 */
	uint8_t rsvd6[0x1000 - 0x678];
};

struct vmcb {
	struct vmcb_control c;
	struct vmcb_save s;
};

#define VMCB_CHECK(t, f, off) _Static_assert(offsetof(struct t, f) == (off), #t "." #f)
VMCB_CHECK(vmcb_control, intercept_cr, 0x000);
VMCB_CHECK(vmcb_control, intercept_dr, 0x004);
VMCB_CHECK(vmcb_control, intercept_exc, 0x008);
VMCB_CHECK(vmcb_control, intercept1, 0x00c);
VMCB_CHECK(vmcb_control, intercept2, 0x010);
VMCB_CHECK(vmcb_control, intercept3, 0x014);
VMCB_CHECK(vmcb_control, pause_filter_thresh, 0x03c);
VMCB_CHECK(vmcb_control, pause_filter_count, 0x03e);
VMCB_CHECK(vmcb_control, iopm_base_pa, 0x040);
VMCB_CHECK(vmcb_control, msrpm_base_pa, 0x048);
VMCB_CHECK(vmcb_control, tsc_offset, 0x050);
VMCB_CHECK(vmcb_control, asid, 0x058);
VMCB_CHECK(vmcb_control, tlb_control, 0x05c);
VMCB_CHECK(vmcb_control, vintr, 0x060);
VMCB_CHECK(vmcb_control, int_state, 0x068);
VMCB_CHECK(vmcb_control, exitcode, 0x070);
VMCB_CHECK(vmcb_control, exitinfo1, 0x078);
VMCB_CHECK(vmcb_control, exitinfo2, 0x080);
VMCB_CHECK(vmcb_control, exitintinfo, 0x088);
VMCB_CHECK(vmcb_control, np_control, 0x090);
VMCB_CHECK(vmcb_control, avic_apic_bar, 0x098);
VMCB_CHECK(vmcb_control, ghcb_pa, 0x0a0);
VMCB_CHECK(vmcb_control, eventinj, 0x0a8);
VMCB_CHECK(vmcb_control, n_cr3, 0x0b0);
VMCB_CHECK(vmcb_control, virt_ext, 0x0b8);
VMCB_CHECK(vmcb_control, clean, 0x0c0);
VMCB_CHECK(vmcb_control, nrip, 0x0c8);
VMCB_CHECK(vmcb_control, insn_len, 0x0d0);
VMCB_CHECK(vmcb_control, insn_bytes, 0x0d1);
_Static_assert(sizeof(struct vmcb_control) == 0x400, "control area is 1 KiB");
_Static_assert(sizeof(struct vmcb_seg) == 16, "VMCB segment is 16 bytes");
#define VMCB_SAVE_CHECK(f, off) _Static_assert(offsetof(struct vmcb, s.f) == (off), "vmcb." #f)
VMCB_SAVE_CHECK(es, 0x400);
VMCB_SAVE_CHECK(cs, 0x410);
VMCB_SAVE_CHECK(ss, 0x420);
VMCB_SAVE_CHECK(ds, 0x430);
VMCB_SAVE_CHECK(fs, 0x440);
VMCB_SAVE_CHECK(gs, 0x450);
VMCB_SAVE_CHECK(gdtr, 0x460);
VMCB_SAVE_CHECK(ldtr, 0x470);
VMCB_SAVE_CHECK(idtr, 0x480);
VMCB_SAVE_CHECK(tr, 0x490);
VMCB_SAVE_CHECK(cpl, 0x4cb);
VMCB_SAVE_CHECK(efer, 0x4d0);
VMCB_SAVE_CHECK(cr4, 0x548);
VMCB_SAVE_CHECK(cr3, 0x550);
VMCB_SAVE_CHECK(cr0, 0x558);
VMCB_SAVE_CHECK(dr7, 0x560);
VMCB_SAVE_CHECK(dr6, 0x568);
VMCB_SAVE_CHECK(rflags, 0x570);
VMCB_SAVE_CHECK(rip, 0x578);
VMCB_SAVE_CHECK(rsp, 0x5d8);
VMCB_SAVE_CHECK(rax, 0x5f8);
VMCB_SAVE_CHECK(star, 0x600);
VMCB_SAVE_CHECK(lstar, 0x608);
VMCB_SAVE_CHECK(cstar, 0x610);
VMCB_SAVE_CHECK(sfmask, 0x618);
VMCB_SAVE_CHECK(kernel_gs_base, 0x620);
VMCB_SAVE_CHECK(sysenter_cs, 0x628);
VMCB_SAVE_CHECK(sysenter_esp, 0x630);
VMCB_SAVE_CHECK(sysenter_eip, 0x638);
VMCB_SAVE_CHECK(cr2, 0x640);
VMCB_SAVE_CHECK(g_pat, 0x668);
VMCB_SAVE_CHECK(dbgctl, 0x670);
_Static_assert(sizeof(struct vmcb) == 4096, "VMCB is one 4 KiB page");

/* ---- intercept bits (APM Vol. 2, 15.9-15.14; Table B-1) ----------------- */

#define VMCB_I1_INTR	   (1u << 0)
#define VMCB_I1_NMI	   (1u << 1)
#define VMCB_I1_SMI	   (1u << 2)
#define VMCB_I1_INIT	   (1u << 3)
#define VMCB_I1_VINTR	   (1u << 4)
#define VMCB_I1_CPUID	   (1u << 18)
#define VMCB_I1_IRET	   (1u << 20)
#define VMCB_I1_SWINT	   (1u << 21)
#define VMCB_I1_INVD	   (1u << 22)
#define VMCB_I1_HLT	   (1u << 24)
#define VMCB_I1_INVLPGA	   (1u << 26)
#define VMCB_I1_IOIO	   (1u << 27)
#define VMCB_I1_MSR	   (1u << 28)
#define VMCB_I1_TASKSWITCH (1u << 29)
#define VMCB_I1_SHUTDOWN   (1u << 31)

/* intercept_cr bits (APM Vol. 2, 15.9): reads of CRn at bit n, writes at 16 + n. */
#define VMCB_CR_READ(n)	 (1u << (n))
#define VMCB_CR_WRITE(n) (1u << (16 + (n)))

#define VMCB_I2_VMRUN	(1u << 0)
#define VMCB_I2_VMMCALL (1u << 1)
#define VMCB_I2_VMLOAD	(1u << 2)
#define VMCB_I2_VMSAVE	(1u << 3)
#define VMCB_I2_STGI	(1u << 4)
#define VMCB_I2_CLGI	(1u << 5)
#define VMCB_I2_SKINIT	(1u << 6)
#define VMCB_I2_XSETBV	(1u << 13)

/* VINTR field (offset 0x60), APM Vol. 2, 15.21.4. */
#define VMCB_VINTR_TPR_MASK  0xffull
#define VMCB_VINTR_IRQ	     (1ull << 8)
#define VMCB_VINTR_PRIO(p)   ((uint64_t)(p) << 16)
#define VMCB_VINTR_IGN_TPR   (1ull << 20)
#define VMCB_VINTR_MASKING   (1ull << 24)
#define VMCB_VINTR_VECTOR(v) ((uint64_t)(v) << 32)

#define VMCB_INT_SHADOW (1ull << 0)
#define VMCB_NP_ENABLE	(1ull << 0)

/* EVENTINJ / EXITINTINFO (APM Vol. 2, 15.20). */
#define VMCB_EVT_VECTOR(e)  ((uint8_t)(e))
#define VMCB_EVT_TYPE_SHIFT 8
#define VMCB_EVT_TYPE_INTR  (0ull << 8)
#define VMCB_EVT_TYPE_NMI   (2ull << 8)
#define VMCB_EVT_TYPE_EXC   (3ull << 8)
#define VMCB_EVT_TYPE_SOFT  (4ull << 8)
#define VMCB_EVT_TYPE_MASK  (7ull << 8)
#define VMCB_EVT_EV	    (1ull << 11)
#define VMCB_EVT_VALID	    (1ull << 31)
#define VMCB_EVT_ERR_SHIFT  32

/* ---- exit codes (APM Vol. 2, Appendix C) -------------------------------- */

/* IOIO EXITINFO1 (APM Vol. 2, 15.10.2, Figure 15-2). */
#define SVM_IOIO_IN	    (1ull << 0)
#define SVM_IOIO_STR	    (1ull << 2)
#define SVM_IOIO_REP	    (1ull << 3)
#define SVM_IOIO_SZ_SHIFT   4 /* bits 4-6: SZ8, SZ16, SZ32 */
#define SVM_IOIO_PORT_SHIFT 16

/* NPF EXITINFO1 (APM Vol. 2, 15.25.6): a #PF error code plus two bits. */
#define SVM_NPF_P	 (1ull << 0)
#define SVM_NPF_RW	 (1ull << 1)
#define SVM_NPF_US	 (1ull << 2)
#define SVM_NPF_ID	 (1ull << 4)
#define SVM_NPF_FINAL	 (1ull << 32) /* fault on the final guest-physical address */
#define SVM_NPF_PAGEWALK (1ull << 33) /* fault during the guest's own page walk */

/* ---- MSRs and CPUID bits ----------------------------------------------- */

#define VM_CR_SVMDIS (1ull << 4)

/* CPUID Fn8000_000A_EDX (APM Vol. 3, E.4.9). */

/* Sizes of the permission maps (APM Vol. 2, 15.10.1 and 15.11). */
#define SVM_IOPM_PAGES	3 /* 12 KiB: one bit per port, 64 K ports + 3 bytes */
#define SVM_MSRPM_PAGES 2 /* 8 KiB: two bits per MSR in three ranges */

#endif /* LV_SVM_VMCB_H */
