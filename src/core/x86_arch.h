/* SPDX-License-Identifier: MIT */
/*
 * Architectural facts of x86-64, each defined once for the core and every
 * backend: control-register, EFER and RFLAGS bits, MSR numbers, CPUID
 * feature bits. Constants only; the instructions are in
 * src/backend/x86/x86_insn.h (ring 0) and core/cpuid.h (CPUID).
 */
#ifndef LV_CORE_X86_ARCH_H
#define LV_CORE_X86_ARCH_H

/* CR0 (SDM Vol. 3, 2.5; APM Vol. 2, 3.1.1). */
#define CR0_PE (1ull << 0)  /* protection enable */
#define CR0_MP (1ull << 1)  /* monitor coprocessor */
#define CR0_TS (1ull << 3)  /* task switched: #NM on the next FPU/SSE use */
#define CR0_ET (1ull << 4)  /* extension type, fixed to 1 */
#define CR0_NE (1ull << 5)  /* native FPU error reporting */
#define CR0_WP (1ull << 16) /* write protect in ring 0 */
#define CR0_AM (1ull << 18) /* alignment mask: #AC at CPL 3 with RFLAGS.AC */
#define CR0_NW (1ull << 29) /* not write-through */
#define CR0_CD (1ull << 30) /* cache disable */
#define CR0_PG (1ull << 31) /* paging */

/* CR4 (SDM Vol. 3, 2.5; APM Vol. 2, 3.1.3). */
#define CR4_PSE	    (1ull << 4)	 /* 4 MiB pages in 32-bit paging */
#define CR4_PAE	    (1ull << 5)	 /* physical address extension */
#define CR4_OSFXSR  (1ull << 9)	 /* FXSAVE/FXRSTOR and SSE enabled by the OS */
#define CR4_UMIP    (1ull << 11) /* user-mode instruction prevention (SDM Vol. 3, 2.5) */
#define CR4_LA57    (1ull << 12) /* 5-level paging */
#define CR4_VMXE    (1ull << 13) /* VMX enable (SDM Vol. 3, 24.7) */
#define CR4_SMEP    (1ull << 20) /* supervisor-mode execution prevention */
#define CR4_SMAP    (1ull << 21) /* supervisor-mode access prevention */
#define CR4_OSXSAVE (1ull << 18) /* XSAVE, XGETBV/XSETBV and XCR0 enabled by the OS */

/*
 * XCR0 state components and the XSAVE area in its standard (non-compacted)
 * form (SDM Vol. 1, 13.1, 13.3, 13.4): the legacy FXSAVE region at 0, the
 * XSAVE header at 512 (XSTATE_BV at 512, XCOMP_BV at 520), the AVX
 * component (YMM0-15 bits 255:128) at 576 (CPUID.(EAX=0DH,ECX=2):EBX).
 */
#define XCR0_X87	 (1ull << 0)
#define XCR0_SSE	 (1ull << 1)
#define XCR0_AVX	 (1ull << 2)
#define XSAVE_HDR_OFF	 512u
#define XSAVE_AVX_OFF	 576u
#define XSAVE_LEGACY_END 576u /* legacy region + header: x87 and SSE only */
#define XSAVE_AVX_END	 832u /* ... + the AVX component */

/* CPUID feature bits the FPU switch needs (SDM Vol. 2A, CPUID). */
#define CPUID_1_EDX_APIC    (1u << 9)  /* an enabled local APIC (SDM Vol. 3, 11.4.3) */
#define CPUID_1_ECX_X2APIC  (1u << 21) /* x2APIC mode (SDM Vol. 3, 11.12) */
#define CPUID_1_ECX_TSCDL   (1u << 24) /* TSC-deadline timer (SDM Vol. 3, 11.5.4.1) */
#define CPUID_1_ECX_XSAVE   (1u << 26)
#define CPUID_1_ECX_OSXSAVE (1u << 27)
#define CPUID_1_ECX_AVX	    (1u << 28)

/*
 * What needs XSAVE-managed state besides XSAVE itself (SDM Vol. 2A, CPUID;
 * Vol. 1, 13.1, 14.3; APM Vol. 3, E.3): the VEX and EVEX instructions
 * (AVX state, with AVX-512 also opmask and ZMM state), AMX (tile state)
 * and protection keys (PKRU state). A vCPU without XSAVE offers none.
 */
#define CPUID_1_ECX_XSTATE                                                                         \
	(CPUID_1_ECX_XSAVE | CPUID_1_ECX_OSXSAVE | CPUID_1_ECX_AVX | (1u << 12) |                  \
	 (1u << 29))			 /* FMA, F16C */
#define CPUID_7_0_EBX_XSTATE 0xdc230020u /* AVX2; AVX-512 F, DQ, IFMA, PF, ER, CD, BW, VL */
#define CPUID_7_0_ECX_XSTATE                                                                       \
	0x00005e5au /* AVX-512 VBMI/VBMI2/VNNI/BITALG/VPOPCNTDQ; PKU, OSPKE; VAES, VPCLMULQDQ */
#define CPUID_7_0_EDX_XSTATE                                                                       \
	0x03c0010cu /* AVX-512 4VNNIW/4FMAPS/VP2INTERSECT/FP16; AMX BF16/TILE/INT8 */
#define CPUID_7_1_EAX_XSTATE	  0x00000030u /* AVX-VNNI, AVX512_BF16 */
#define CPUID_80000001_ECX_XSTATE 0x00010800u /* XOP, FMA4 */

/* EFER, MSR C000_0080h (SDM Vol. 3, 2.2.1; APM Vol. 2, 3.1.7). */
#define EFER_LME  (1ull << 8)  /* long mode enable */
#define EFER_LMA  (1ull << 10) /* long mode active */
#define EFER_NXE  (1ull << 11) /* no-execute enable */
#define EFER_SVME (1ull << 12) /* SVM enable (APM Vol. 2, 15.4) */

/* RFLAGS (SDM Vol. 1, 3.4.3). The arithmetic flags are in core/x86_alu.h. */
#define RFLAGS_OF (1ull << 11) /* overflow */
#define RFLAGS_TF (1ull << 8)  /* trap (single step) */
#define RFLAGS_IF (1ull << 9)  /* interrupts enabled */
#define RFLAGS_VM (1ull << 17) /* virtual-8086 mode */

/*
 * Debug registers (SDM Vol. 3, 18.2; APM Vol. 2, 13.1.1): DR7's reset
 * value (no breakpoint enabled; VM exit also leaves it, SDM Vol. 3,
 * 28.5.1), its local/global enable bits L0-G3, DR6's reset value.
 */
#define DR7_RESET   0x400ull
#define DR7_ENABLES 0xffull
#define DR6_RESET   0xffff0ff0ull

/* MSR numbers (SDM Vol. 4, ch. 2; APM Vol. 2, appendix A). */
#define MSR_TSC		   0x00000010u /* IA32_TIME_STAMP_COUNTER */
#define MSR_APIC_BASE	   0x0000001bu /* IA32_APIC_BASE */
#define MSR_SYSENTER_CS	   0x00000174u
#define MSR_SYSENTER_ESP   0x00000175u
#define MSR_SYSENTER_EIP   0x00000176u
#define MSR_MISC_ENABLE	   0x000001a0u /* IA32_MISC_ENABLE (SDM Vol. 4, table 2-2) */
#define MSR_DEBUGCTL	   0x000001d9u /* IA32_DEBUGCTL (SDM Vol. 3, 18.4.1) */
#define MSR_PAT		   0x00000277u /* IA32_PAT */
#define MSR_TSC_DEADLINE   0x000006e0u /* IA32_TSC_DEADLINE (SDM Vol. 3, 11.5.4.1) */
#define MSR_EFER	   0xc0000080u
#define MSR_STAR	   0xc0000081u
#define MSR_LSTAR	   0xc0000082u
#define MSR_CSTAR	   0xc0000083u
#define MSR_SFMASK	   0xc0000084u /* IA32_FMASK, the SYSCALL RFLAGS mask */
#define MSR_FS_BASE	   0xc0000100u
#define MSR_GS_BASE	   0xc0000101u
#define MSR_KERNEL_GS_BASE 0xc0000102u
#define MSR_TSC_AUX	   0xc0000103u /* read by RDTSCP and RDPID */
#define MSR_VM_CR	   0xc0010114u /* APM Vol. 2, 15.30.1 */
#define MSR_VM_HSAVE_PA	   0xc0010117u /* APM Vol. 2, 15.30.4 */

/* CPUID Fn8000_000A_EDX: SVM features (APM Vol. 3, E.4.10). */
#define CPUID_SVM_NP	       (1u << 0)  /* nested paging */
#define CPUID_SVM_NRIPS	       (1u << 3)  /* next RIP saved on #VMEXIT */
#define CPUID_SVM_FLUSHBYASID  (1u << 6)  /* TLB_CONTROL 3/7 */
#define CPUID_SVM_DECODEASSIST (1u << 7)  /* instruction bytes on #VMEXIT */
#define CPUID_SVM_VGIF	       (1u << 16) /* virtual GIF */

#endif /* LV_CORE_X86_ARCH_H */
