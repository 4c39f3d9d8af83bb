/* SPDX-License-Identifier: MIT */
/* Helpers shared by the VMX and SVM exit decoders. Internal. */
#ifndef LV_CORE_EXIT_COMMON_H
#define LV_CORE_EXIT_COMMON_H

#include <libvcpu/exit.h>
#include <libvcpu/state.h>

#include "exit_info.h"
#include "lvlib.h"
#include "policy.h"
#include "x86_emul.h"

/** Exceptions that push an error code (SDM Vol. 3, Table 6-1; APM Vol. 2, Table 8-1). */
static inline int lv_exc_has_error_code(unsigned vector)
{
	return vector < 32 && ((1u << vector) & 0x60227d00u) != 0;
}

/*
 * A single IN/OUT the caller completes: the data travels in @p buf (cleared
 * first, @p bufsize bytes), which for OUT gets the low @p size bytes of RAX.
 */
static inline void lv_exit_set_pio(struct lv_exit *out, uint16_t port, uint8_t size, bool write,
				   uint64_t rax, uint8_t *buf, size_t bufsize)
{
	out->reason = LV_EXIT_IO;
	out->io.port = port;
	out->io.size = size;
	out->io.is_write = write;
	out->io.is_string = 0;
	out->io.is_rep = 0;
	out->io.count = 1;
	out->io.data = buf;
	memset(buf, 0, bufsize);
	if (write)
		memcpy(buf, &rax, size);
}

/** The hypercall record: number in RAX, arguments in RBX, RCX, RDX, RSI, RDI. */
static inline void lv_exit_set_hypercall(struct lv_exit *out, uint64_t rax, uint64_t rbx,
					 uint64_t rcx, uint64_t rdx, uint64_t rsi, uint64_t rdi)
{
	out->hypercall.nr = rax;
	out->hypercall.args[0] = rbx;
	out->hypercall.args[1] = rcx;
	out->hypercall.args[2] = rdx;
	out->hypercall.args[3] = rsi;
	out->hypercall.args[4] = rdi;
}

/*
 * An RDMSR/WRMSR the caller handles: FILTER when the caller's policy asked
 * for it, UNKNOWN when the backend has no answer of its own.
 */
static inline void lv_exit_set_msr(struct lv_exit *out, const struct lv_policy *msr_exits,
				   uint32_t index, bool write, uint64_t value)
{
	out->reason = write ? LV_EXIT_WRMSR : LV_EXIT_RDMSR;
	out->msr.index = index;
	out->msr.reason = lv_policy_msr_exits(msr_exits, index, write) ? LV_MSR_EXIT_FILTER
								       : LV_MSR_EXIT_UNKNOWN;
	out->msr.value = write ? value : 0;
	out->msr.error = 0;
}

/** Fill the register-derived parts of CPUID/MSR/hypercall records. */
static inline void lv_exit_fill_from_regs(struct lv_exit *out, const struct lv_regs *r)
{
	if (!r)
		return;
	switch (out->reason) {
	case LV_EXIT_CPUID:
		out->cpuid.leaf = (uint32_t)r->rax;
		out->cpuid.subleaf = (uint32_t)r->rcx;
		break;
	case LV_EXIT_RDMSR:
		out->msr.index = (uint32_t)r->rcx;
		break;
	case LV_EXIT_WRMSR:
		out->msr.index = (uint32_t)r->rcx;
		out->msr.value = (r->rdx << 32) | (r->rax & 0xffffffffull);
		break;
	case LV_EXIT_HYPERCALL:
		lv_exit_set_hypercall(out, r->rax, r->rbx, r->rcx, r->rdx, r->rsi, r->rdi);
		break;
	default:
		break;
	}
}

/*
 * The exit for the emulator's pending device access (LV_X86_EMUL_ACCESS):
 * one MMIO access, or one element of a string IN/OUT whose data travels in
 * @p io_buf (16 bytes, valid until the next run; it may be the access's own
 * buffer).
 */
static inline void lv_exit_set_emul_access(struct lv_exit *ex, const struct lv_x86_emul *em,
					   uint8_t *io_buf)
{
	const struct lv_x86_access *a = &em->access;

	if (a->is_io) {
		ex->reason = LV_EXIT_IO;
		ex->io.port = (uint16_t)a->addr;
		ex->io.size = a->size;
		ex->io.is_write = a->is_write;
		ex->io.is_string = 1;
		ex->io.is_rep = em->insn.rep != 0;
		ex->io.count = 1;
		if (io_buf != a->data)
			memcpy(io_buf, a->data, sizeof(a->data));
		ex->io.data = io_buf;
	} else {
		ex->reason = LV_EXIT_MMIO;
		ex->mmio.gpa = a->addr;
		ex->mmio.size = a->size;
		ex->mmio.is_write = a->is_write;
		memcpy(ex->mmio.data, a->data, sizeof(ex->mmio.data));
	}
}

/*
 * An instruction the emulator could not handle: the same record on SVM and
 * VMX (see lv_exit::internal): the MMIO access's @p gpa (0 for string IO)
 * and the instruction's @p rip.
 */
static inline void lv_exit_set_emul_failure(struct lv_exit *ex, uint64_t gpa, uint64_t rip)
{
	ex->reason = LV_EXIT_INTERNAL_ERROR;
	ex->internal.suberror = LV_INTERNAL_EMULATION;
	ex->internal.ndata = 2;
	ex->internal.data[0] = gpa;
	ex->internal.data[1] = rip;
	ex->internal.data[2] = ex->internal.data[3] = 0;
}

#endif /* LV_CORE_EXIT_COMMON_H */
