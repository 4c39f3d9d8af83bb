/* SPDX-License-Identifier: MIT */
/*
 * AMD SVM exit codes (APM Vol. 2, Appendix C, Table C-1) and the
 * EXITINFO1/EXITINFO2/EXITINTINFO formats (15.7.2 EXITINTINFO, 15.10.2
 * IOIO, 15.11 MSR, 15.12 exceptions, 15.25.6 NPF, 15.33 decode assists).
 * Hardware constants only; shared by the exit decoder and the SVM backend.
 */
#ifndef LV_CORE_SVM_EXITCODES_H
#define LV_CORE_SVM_EXITCODES_H

#define LV_SVM_EXIT_READ_CR0		0x000 /* ... READ_CR15 = 0x00f */
#define LV_SVM_EXIT_WRITE_CR0		0x010 /* ... WRITE_CR15 = 0x01f */
#define LV_SVM_EXIT_READ_DR0		0x020 /* ... READ_DR15 = 0x02f */
#define LV_SVM_EXIT_WRITE_DR0		0x030 /* ... WRITE_DR15 = 0x03f */
#define LV_SVM_EXIT_EXCP0		0x040 /* ... EXCP31 = 0x05f */
#define LV_SVM_EXIT_INTR		0x060
#define LV_SVM_EXIT_NMI			0x061
#define LV_SVM_EXIT_SMI			0x062
#define LV_SVM_EXIT_INIT		0x063
#define LV_SVM_EXIT_VINTR		0x064
#define LV_SVM_EXIT_CR0_SEL_WRITE	0x065
#define LV_SVM_EXIT_IDTR_READ		0x066
#define LV_SVM_EXIT_GDTR_READ		0x067
#define LV_SVM_EXIT_LDTR_READ		0x068
#define LV_SVM_EXIT_TR_READ		0x069
#define LV_SVM_EXIT_IDTR_WRITE		0x06a
#define LV_SVM_EXIT_GDTR_WRITE		0x06b
#define LV_SVM_EXIT_LDTR_WRITE		0x06c
#define LV_SVM_EXIT_TR_WRITE		0x06d
#define LV_SVM_EXIT_RDTSC		0x06e
#define LV_SVM_EXIT_RDPMC		0x06f
#define LV_SVM_EXIT_PUSHF		0x070
#define LV_SVM_EXIT_POPF		0x071
#define LV_SVM_EXIT_CPUID		0x072
#define LV_SVM_EXIT_RSM			0x073
#define LV_SVM_EXIT_IRET		0x074
#define LV_SVM_EXIT_SWINT		0x075
#define LV_SVM_EXIT_INVD		0x076
#define LV_SVM_EXIT_PAUSE		0x077
#define LV_SVM_EXIT_HLT			0x078
#define LV_SVM_EXIT_INVLPG		0x079
#define LV_SVM_EXIT_INVLPGA		0x07a
#define LV_SVM_EXIT_IOIO		0x07b
#define LV_SVM_EXIT_MSR			0x07c
#define LV_SVM_EXIT_TASK_SWITCH		0x07d
#define LV_SVM_EXIT_FERR_FREEZE		0x07e
#define LV_SVM_EXIT_SHUTDOWN		0x07f
#define LV_SVM_EXIT_VMRUN		0x080
#define LV_SVM_EXIT_VMMCALL		0x081
#define LV_SVM_EXIT_VMLOAD		0x082
#define LV_SVM_EXIT_VMSAVE		0x083
#define LV_SVM_EXIT_STGI		0x084
#define LV_SVM_EXIT_CLGI		0x085
#define LV_SVM_EXIT_SKINIT		0x086
#define LV_SVM_EXIT_RDTSCP		0x087
#define LV_SVM_EXIT_ICEBP		0x088
#define LV_SVM_EXIT_WBINVD		0x089
#define LV_SVM_EXIT_MONITOR		0x08a
#define LV_SVM_EXIT_MWAIT		0x08b
#define LV_SVM_EXIT_MWAIT_CONDITIONAL	0x08c
#define LV_SVM_EXIT_XSETBV		0x08d
#define LV_SVM_EXIT_RDPRU		0x08e
#define LV_SVM_EXIT_EFER_WRITE_TRAP	0x08f
#define LV_SVM_EXIT_CR0_WRITE_TRAP	0x090 /* ... CR15_WRITE_TRAP = 0x09f */
#define LV_SVM_EXIT_INVLPGB		0x0a0
#define LV_SVM_EXIT_INVLPGB_ILLEGAL	0x0a1
#define LV_SVM_EXIT_INVPCID		0x0a2
#define LV_SVM_EXIT_MCOMMIT		0x0a3
#define LV_SVM_EXIT_TLBSYNC		0x0a4
#define LV_SVM_EXIT_BUSLOCK		0x0a5
#define LV_SVM_EXIT_NPF			0x400
#define LV_SVM_EXIT_AVIC_INCOMPLETE_IPI 0x401
#define LV_SVM_EXIT_AVIC_NOACCEL	0x402
#define LV_SVM_EXIT_VMGEXIT		0x403
#define LV_SVM_EXIT_INVALID		0xffffffffu /* -1: VMRUN with invalid guest state */
#define LV_SVM_EXIT_BUSY		0xfffffffeu /* -2 */

/* ---- IOIO EXITINFO1 (15.10.2, Figure 15-2) ---- */
#define LV_SVM_IO_IN	  (1u << 0)
#define LV_SVM_IO_STR	  (1u << 2)
#define LV_SVM_IO_REP	  (1u << 3)
#define LV_SVM_IO_SZ8	  (1u << 4)
#define LV_SVM_IO_SZ16	  (1u << 5)
#define LV_SVM_IO_SZ32	  (1u << 6)
#define LV_SVM_IO_A16	  (1u << 7)
#define LV_SVM_IO_A32	  (1u << 8)
#define LV_SVM_IO_A64	  (1u << 9)
#define LV_SVM_IO_SEG(i)  ((unsigned)(((i) >> 10) & 7u))
#define LV_SVM_IO_PORT(i) ((unsigned)(((i) >> 16) & 0xffffu))

/* ---- NPF EXITINFO1: #PF-style error code plus (15.25.6) ---- */
#define LV_SVM_NPF_P	 (1ull << 0)
#define LV_SVM_NPF_RW	 (1ull << 1)
#define LV_SVM_NPF_US	 (1ull << 2)
#define LV_SVM_NPF_RSV	 (1ull << 3)
#define LV_SVM_NPF_ID	 (1ull << 4)
#define LV_SVM_NPF_FINAL (1ull << 32) /* fault on the final guest-physical address */
#define LV_SVM_NPF_WALK	 (1ull << 33) /* fault during the guest's table walk */

/* ---- CR/DR intercepts with decode assists (15.33.1) ---- */
#define LV_SVM_CRDR_VALID  (1ull << 63) /* MOV CRx/DRx: GPR field valid */
#define LV_SVM_CRDR_GPR(i) ((unsigned)((i)&0xfu))

/* ---- EXITINTINFO / EVENTINJ (15.20, 15.7.2) ---- */
#define LV_SVM_INT_VECTOR(i)	  ((unsigned)((i)&0xffu))
#define LV_SVM_INT_TYPE(i)	  ((unsigned)(((i) >> 8) & 7u))
#define LV_SVM_INT_EV		  (1ull << 11)
#define LV_SVM_INT_V		  (1ull << 31)
#define LV_SVM_INT_ERRCODE(i)	  ((uint32_t)((i) >> 32))
#define LV_SVM_INT_TYPE_INTR	  0
#define LV_SVM_INT_TYPE_NMI	  2
#define LV_SVM_INT_TYPE_EXCEPTION 3
#define LV_SVM_INT_TYPE_SOFT_INT  4

/* ---- task switch EXITINFO2 (15.14) ---- */
#define LV_SVM_TS_IRET	    (1ull << 36)
#define LV_SVM_TS_JMP	    (1ull << 38)
#define LV_SVM_TS_HAS_ERROR (1ull << 44)

#endif /* LV_CORE_SVM_EXITCODES_H */
