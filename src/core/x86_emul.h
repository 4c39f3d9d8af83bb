/* SPDX-License-Identifier: MIT */
/*
 * x86 instruction emulator for MMIO and string port IO, on top of
 * x86_decode.h. Freestanding, no allocation: all state lives in a
 * struct lv_x86_emul the caller owns (one per vCPU).
 *
 * How a backend drives it (two-phase completion, as KVM does):
 *
 *   lv_x86_emul_init(&em, &ops, ctx, &env);      once per exit (cheap)
 *   st = lv_x86_emul_start(&em, bytes, n);       n = 0: fetch at CS:RIP
 *   for (;;) switch (st) {
 *   case LV_X86_EMUL_DONE:  resume the guest (registers and RIP are set);
 *   case LV_X86_EMUL_FAULT: inject em.fault, resume the guest;
 *   case LV_X86_EMUL_ACCESS:
 *       em.access describes ONE device access (MMIO when !is_io, port IO
 *       when is_io) of 1-8 bytes. Report it to the user as an exit. A write
 *       carries its data in em.access.data. For a read the user supplies
 *       the data: copy it into em.access.data. Then, when the user runs
 *       the vCPU again: st = lv_x86_emul_resume(&em);
 *   default (LV_X86_EMUL_UNHANDLEABLE): report "cannot emulate".
 *   }
 *
 * Reads stop the instruction before any state changes; resume re-executes
 * it with the data supplied so far (a replay log, so an instruction with
 * several device reads, e.g. CMPS or a read split across two MMIO pages,
 * produces one read exit each). Writes are queued while the instruction
 * executes and delivered after it has committed (registers, RIP, RAM
 * writes): a read-modify-write on MMIO gives a read exit, then a write
 * exit. String instructions with REP do one element per start(): RIP stays
 * on the instruction until the count is exhausted, so the guest re-executes
 * it (and may take interrupts in between, as on hardware).
 */
#ifndef LV_CORE_X86_EMUL_H
#define LV_CORE_X86_EMUL_H

#include <stdbool.h>
#include <stdint.h>

#include <libvcpu/exit.h>
#include <libvcpu/state.h>

#include "x86_decode.h"

/** Results of start/resume. */
enum lv_x86_emul_status {
	LV_X86_EMUL_DONE = 0,		/**< Instruction (or one string element) completed. */
	LV_X86_EMUL_ACCESS = 1,		/**< Deliver em->access, then call resume. */
	LV_X86_EMUL_FAULT = 2,		/**< Inject em->fault; no state was changed. */
	LV_X86_EMUL_UNHANDLEABLE = -17, /**< Cannot emulate (= LV_ERR_EMULATION). */
};

/** Exception vectors the emulator raises. */
#define LV_X86_VEC_DE 0
#define LV_X86_VEC_SS 12
#define LV_X86_VEC_GP 13
#define LV_X86_VEC_PF 14
#define LV_X86_VEC_AC 17

/** An exception to inject. */
struct lv_x86_fault {
	uint8_t vector;
	uint8_t has_error_code;
	uint8_t pad_[2];
	uint32_t error_code;
	uint64_t cr2; /**< Faulting linear address for #PF. */
};

/** One device access. */
struct lv_x86_access {
	uint64_t addr;	  /**< Guest-physical address (MMIO) or port (IO). */
	uint8_t size;	  /**< 1-8 bytes. */
	uint8_t is_write; /**< 1: data holds the value written. 0: caller fills data. */
	uint8_t is_io;	  /**< Port IO (INS/OUTS) instead of MMIO. */
	uint8_t pad_[5];
	uint8_t data[8]; /**< Little-endian. */
};

/** Callbacks into the backend. Return 0 on success. */
struct lv_x86_emul_ops {
	/**
	 * Translate linear address @p gla for an access of kind @p access
	 * (LV_ACCESS_READ/WRITE/EXEC from exit.h) at the guest's CPL. On a
	 * guest fault fill @p fault and return LV_X86_EMUL_FAULT; return
	 * LV_X86_EMUL_UNHANDLEABLE when the walk itself cannot be done.
	 */
	int (*translate)(void *ctx, uint64_t gla, uint32_t access, uint64_t *gpa,
			 struct lv_x86_fault *fault);
	/**
	 * Host pointer to guest RAM [gpa, gpa + len) (never crossing a page)
	 * usable for @p access, or NULL when the range is a device (MMIO),
	 * including writes to read-only memory. A WRITE request is followed by
	 * the write when the instruction commits (unless it faults first): a
	 * backend with dirty logging marks the page here.
	 */
	void *(*ram)(void *ctx, uint64_t gpa, uint32_t len, uint32_t access);
	/** Read / write the general registers, RIP and RFLAGS. */
	int (*get_regs)(void *ctx, struct lv_regs *regs);
	int (*set_regs)(void *ctx, const struct lv_regs *regs);
};

/** What the emulator needs to know about the vCPU besides registers. */
struct lv_x86_env {
	uint8_t mode;		    /**< #lv_x86_mode of the code segment. */
	uint8_t cpl;		    /**< Current privilege level (for segment checks only). */
	uint8_t pe;		    /**< CR0.PE: apply protected-mode segment type checks. */
	uint8_t la57;		    /**< CR4.LA57: 57-bit canonical addresses in 64-bit mode. */
	uint8_t am;		    /**< CR0.AM: alignment checks at CPL 3 when RFLAGS.AC = 1. */
	uint8_t umip;		    /**< CR4.UMIP: SMSW above CPL 0 is #GP(0). */
	uint16_t msw;		    /**< CR0[15:0], what SMSW stores. */
	const struct lv_segs *segs; /**< Segment bases, limits and types. */
};

#define LV_X86_EMUL_MAX_READS  4 /* CMPS: two operands, each split over two pages */
#define LV_X86_EMUL_MAX_WRITES 2 /* one operand split over two pages */

/** Emulator state for one vCPU. Treat as opaque except access/fault/insn. */
struct lv_x86_emul {
	const struct lv_x86_emul_ops *ops;
	void *ctx;
	const struct lv_x86_env *env;
	struct lv_x86_insn insn;     /**< The instruction being emulated. */
	struct lv_x86_access access; /**< Valid after LV_X86_EMUL_ACCESS. */
	struct lv_x86_fault fault;   /**< Valid after LV_X86_EMUL_FAULT. */
	/**
	 * Set when the step committed with RFLAGS.TF = 1: the backend raises
	 * the single-step #DB (DR6.BS) before the next instruction, as the CPU
	 * would (also after each iteration of a REP string instruction).
	 */
	uint8_t single_step;
	/* private */
	uint8_t state;
	uint8_t nlog, cursor, nwq, wq_pos, nram;
	uint8_t pad_[1];
	struct lv_regs saved; /* registers at start */
	struct lv_regs regs;  /* working copy */
	struct lv_x86_access log[LV_X86_EMUL_MAX_READS];
	struct lv_x86_access wq[LV_X86_EMUL_MAX_WRITES];
	struct {
		void *hva;
		uint8_t data[8];
		uint8_t len;
	} ramw[LV_X86_EMUL_MAX_WRITES];
};

/** Bind callbacks, context and environment. No allocation. */
void lv_x86_emul_init(struct lv_x86_emul *em, const struct lv_x86_emul_ops *ops, void *ctx,
		      const struct lv_x86_env *env);

/**
 * Start emulating the instruction at CS:RIP. @p bytes / @p n: instruction
 * bytes the hardware already supplied (SVM decode assists), or n = 0 to
 * fetch them through the callbacks.
 */
int lv_x86_emul_start(struct lv_x86_emul *em, const uint8_t *bytes, unsigned n);

/** Continue after an LV_X86_EMUL_ACCESS was delivered (read data filled in). */
int lv_x86_emul_resume(struct lv_x86_emul *em);

/**
 * Derive the environment from a vCPU state (needs the SEGMENTS and CONTROL
 * groups): mode from CR0.PE, EFER.LMA, CS.L and CS.D; CPL from SS.DPL;
 * CR0.AM and CR4.LA57.
 */
void lv_x86_env_from_state(struct lv_x86_env *env, const struct lv_state *st);

#endif /* LV_CORE_X86_EMUL_H */
