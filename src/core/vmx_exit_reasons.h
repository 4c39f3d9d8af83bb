/* SPDX-License-Identifier: MIT */
/*
 * Intel VMX exit information: basic exit reasons (SDM Vol. 3, Appendix C),
 * exit-reason field bits (28.2.1), exit-qualification formats (28.2.1,
 * Tables 28-1 to 28-7) and the interruption-information format (25.9.2,
 * 25.9.3). Hardware constants only; shared by the exit decoder and the VMX
 * backend.
 */
#ifndef LV_CORE_VMX_EXIT_REASONS_H
#define LV_CORE_VMX_EXIT_REASONS_H

/* ---- basic exit reasons (exit reason bits 15:0) ---- */
#define LV_VMX_EXIT_EXCEPTION_NMI	   0
#define LV_VMX_EXIT_EXTERNAL_INTERRUPT	   1
#define LV_VMX_EXIT_TRIPLE_FAULT	   2
#define LV_VMX_EXIT_INIT		   3
#define LV_VMX_EXIT_SIPI		   4
#define LV_VMX_EXIT_IO_SMI		   5
#define LV_VMX_EXIT_OTHER_SMI		   6
#define LV_VMX_EXIT_INTERRUPT_WINDOW	   7
#define LV_VMX_EXIT_NMI_WINDOW		   8
#define LV_VMX_EXIT_TASK_SWITCH		   9
#define LV_VMX_EXIT_CPUID		   10
#define LV_VMX_EXIT_GETSEC		   11
#define LV_VMX_EXIT_HLT			   12
#define LV_VMX_EXIT_INVD		   13
#define LV_VMX_EXIT_INVLPG		   14
#define LV_VMX_EXIT_RDPMC		   15
#define LV_VMX_EXIT_RDTSC		   16
#define LV_VMX_EXIT_RSM			   17
#define LV_VMX_EXIT_VMCALL		   18
#define LV_VMX_EXIT_VMCLEAR		   19
#define LV_VMX_EXIT_VMLAUNCH		   20
#define LV_VMX_EXIT_VMPTRLD		   21
#define LV_VMX_EXIT_VMPTRST		   22
#define LV_VMX_EXIT_VMREAD		   23
#define LV_VMX_EXIT_VMRESUME		   24
#define LV_VMX_EXIT_VMWRITE		   25
#define LV_VMX_EXIT_VMXOFF		   26
#define LV_VMX_EXIT_VMXON		   27
#define LV_VMX_EXIT_CR_ACCESS		   28
#define LV_VMX_EXIT_DR_ACCESS		   29
#define LV_VMX_EXIT_IO_INSTRUCTION	   30
#define LV_VMX_EXIT_RDMSR		   31
#define LV_VMX_EXIT_WRMSR		   32
#define LV_VMX_EXIT_ENTRY_FAIL_GUEST_STATE 33
#define LV_VMX_EXIT_ENTRY_FAIL_MSR_LOADING 34
#define LV_VMX_EXIT_MWAIT		   36
#define LV_VMX_EXIT_MTF			   37
#define LV_VMX_EXIT_MONITOR		   39
#define LV_VMX_EXIT_PAUSE		   40
#define LV_VMX_EXIT_ENTRY_FAIL_MCE	   41
#define LV_VMX_EXIT_TPR_BELOW_THRESHOLD	   43
#define LV_VMX_EXIT_APIC_ACCESS		   44
#define LV_VMX_EXIT_VIRTUALIZED_EOI	   45
#define LV_VMX_EXIT_GDTR_IDTR		   46
#define LV_VMX_EXIT_LDTR_TR		   47
#define LV_VMX_EXIT_EPT_VIOLATION	   48
#define LV_VMX_EXIT_EPT_MISCONFIG	   49
#define LV_VMX_EXIT_INVEPT		   50
#define LV_VMX_EXIT_RDTSCP		   51
#define LV_VMX_EXIT_PREEMPTION_TIMER	   52
#define LV_VMX_EXIT_INVVPID		   53
#define LV_VMX_EXIT_WBINVD		   54
#define LV_VMX_EXIT_XSETBV		   55
#define LV_VMX_EXIT_APIC_WRITE		   56
#define LV_VMX_EXIT_RDRAND		   57
#define LV_VMX_EXIT_INVPCID		   58
#define LV_VMX_EXIT_VMFUNC		   59
#define LV_VMX_EXIT_ENCLS		   60
#define LV_VMX_EXIT_RDSEED		   61
#define LV_VMX_EXIT_PML_FULL		   62
#define LV_VMX_EXIT_XSAVES		   63
#define LV_VMX_EXIT_XRSTORS		   64
#define LV_VMX_EXIT_PCONFIG		   65
#define LV_VMX_EXIT_SPP_EVENT		   66
#define LV_VMX_EXIT_UMWAIT		   67
#define LV_VMX_EXIT_TPAUSE		   68
#define LV_VMX_EXIT_LOADIWKEY		   69
#define LV_VMX_EXIT_ENCLV		   70
#define LV_VMX_EXIT_ENQCMD_PASID_FAIL	   72
#define LV_VMX_EXIT_ENQCMDS_PASID_FAIL	   73
#define LV_VMX_EXIT_BUS_LOCK		   74
#define LV_VMX_EXIT_INSTRUCTION_TIMEOUT	   75
#define LV_VMX_EXIT_SEAMCALL		   76
#define LV_VMX_EXIT_TDCALL		   77
#define LV_VMX_EXIT_RDMSRLIST		   78
#define LV_VMX_EXIT_WRMSRLIST		   79
#define LV_VMX_EXIT_MAX			   79 /* highest number this library knows */

/* ---- exit-reason field (SDM Vol. 3, 28.2.1, Table 28-?) ---- */
#define LV_VMX_EXIT_REASON_BASIC(r)    ((r)&0xffffu)
#define LV_VMX_EXIT_REASON_ENCLAVE     (1u << 27)
#define LV_VMX_EXIT_REASON_PENDING_MTF (1u << 28)
#define LV_VMX_EXIT_REASON_FROM_ROOT   (1u << 29)
#define LV_VMX_EXIT_REASON_ENTRY_FAIL  (1u << 31)

/* ---- I/O instruction qualification (Table 28-5) ---- */
#define LV_VMX_IO_SIZE(q) ((unsigned)((q)&7u) + 1u) /* 0 -> 1, 1 -> 2, 3 -> 4 */
#define LV_VMX_IO_IN	  (1u << 3)
#define LV_VMX_IO_STRING  (1u << 4)
#define LV_VMX_IO_REP	  (1u << 5)
#define LV_VMX_IO_IMM	  (1u << 6)
#define LV_VMX_IO_PORT(q) ((unsigned)(((q) >> 16) & 0xffffu))

/* ---- VM-exit instruction information for INS/OUTS (Table 28-8) ---- */
#define LV_VMX_IOINFO_ADDR_SIZE(i) (2u << (((i) >> 7) & 7u)) /* 0: 16, 1: 32, 2: 64 bits */
#define LV_VMX_IOINFO_SEG(i)	   ((unsigned)(((i) >> 15) & 7u))

/* ---- control-register access qualification (Table 28-3) ---- */
#define LV_VMX_CR_NUM(q)	((unsigned)((q)&0xfu))
#define LV_VMX_CR_TYPE(q)	((unsigned)(((q) >> 4) & 3u))
#define LV_VMX_CR_TYPE_MOV_TO	0
#define LV_VMX_CR_TYPE_MOV_FROM 1
#define LV_VMX_CR_TYPE_CLTS	2
#define LV_VMX_CR_TYPE_LMSW	3
#define LV_VMX_CR_LMSW_MEM	(1u << 6)
#define LV_VMX_CR_GPR(q)	((unsigned)(((q) >> 8) & 0xfu))
#define LV_VMX_CR_LMSW_DATA(q)	((unsigned)(((q) >> 16) & 0xffffu))

/* ---- MOV DR qualification (Table 28-4) ---- */
#define LV_VMX_DR_NUM(q) ((unsigned)((q)&7u))
#define LV_VMX_DR_FROM	 (1u << 4) /* 1 = MOV from DR, 0 = MOV to DR */
#define LV_VMX_DR_GPR(q) ((unsigned)(((q) >> 8) & 0xfu))

/* ---- task-switch qualification (Table 28-2) ---- */
#define LV_VMX_TS_SELECTOR(q) ((unsigned)((q)&0xffffu))
#define LV_VMX_TS_SOURCE(q)   ((unsigned)(((q) >> 30) & 3u)) /* 0 CALL, 1 IRET, 2 JMP, 3 IDT gate */

/* ---- APIC-access qualification (Table 28-6) ---- */
#define LV_VMX_APIC_OFFSET(q)	 ((unsigned)((q)&0xfffu))
#define LV_VMX_APIC_TYPE(q)	 ((unsigned)(((q) >> 12) & 0xfu))
#define LV_VMX_APIC_LINEAR_READ	 0
#define LV_VMX_APIC_LINEAR_WRITE 1
#define LV_VMX_APIC_LINEAR_FETCH 2
#define LV_VMX_APIC_LINEAR_EVENT 3
#define LV_VMX_APIC_PHYS_EVENT	 10
#define LV_VMX_APIC_PHYS_FETCH	 15

/* ---- EPT violation qualification (Table 28-7) ---- */
#define LV_VMX_EPT_READ		  (1u << 0)
#define LV_VMX_EPT_WRITE	  (1u << 1)
#define LV_VMX_EPT_FETCH	  (1u << 2)
#define LV_VMX_EPT_READABLE	  (1u << 3)
#define LV_VMX_EPT_WRITABLE	  (1u << 4)
#define LV_VMX_EPT_EXECUTABLE	  (1u << 5)
#define LV_VMX_EPT_UEXECUTABLE	  (1u << 6)
#define LV_VMX_EPT_GLA_VALID	  (1u << 7)
#define LV_VMX_EPT_GLA_TRANSLATED (1u << 8) /* with GLA_VALID: final translation, not a walk */
#define LV_VMX_EPT_NMI_UNBLOCK	  (1u << 12)

/* ---- interruption information (exit and IDT-vectoring; 25.9.2, 25.9.3) ---- */
#define LV_VMX_INTR_VECTOR(i)	 ((unsigned)((i)&0xffu))
#define LV_VMX_INTR_TYPE(i)	 ((unsigned)(((i) >> 8) & 7u))
#define LV_VMX_INTR_ERROR_VALID	 (1u << 11)
#define LV_VMX_INTR_NMI_UNBLOCK	 (1u << 12)
#define LV_VMX_INTR_VALID	 (1u << 31)
#define LV_VMX_INTR_TYPE_EXT_INT 0
#define LV_VMX_INTR_TYPE_NMI	 2
#define LV_VMX_INTR_TYPE_HW_EXC	 3
#define LV_VMX_INTR_TYPE_SW_INT	 4
#define LV_VMX_INTR_TYPE_PRIV_SW 5
#define LV_VMX_INTR_TYPE_SW_EXC	 6

#endif /* LV_CORE_VMX_EXIT_REASONS_H */
