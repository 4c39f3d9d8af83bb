/* SPDX-License-Identifier: MIT */
/*
 * Privileged instructions the VMX backend uses, as inline functions.
 * VMX instructions report through RFLAGS (SDM Vol. 3, 31.2): CF = 1 is
 * VMfailInvalid, ZF = 1 is VMfailValid (error number in the current VMCS),
 * both clear is VMsucceed. Each wrapper returns one of VMX_OK / VMX_FAIL_*.
 */
#ifndef LV_VMX_INSN_H
#define LV_VMX_INSN_H

#include <stdint.h>

#include "../x86/x86_insn.h"
#include "../../core/x86_arch.h"

enum { VMX_OK = 0, VMX_FAIL_INVALID = 1, VMX_FAIL_VALID = 2 };

static inline int vmx_flags_result(uint8_t cf, uint8_t zf)
{
	return cf ? VMX_FAIL_INVALID : (zf ? VMX_FAIL_VALID : VMX_OK);
}

static inline int vmxon(uint64_t pa)
{
	uint8_t cf, zf;

	__asm__ volatile("vmxon %2; setc %0; setz %1"
			 : "=r"(cf), "=r"(zf)
			 : "m"(pa)
			 : "cc", "memory");
	return vmx_flags_result(cf, zf);
}

static inline int vmxoff(void)
{
	uint8_t cf, zf;

	__asm__ volatile("vmxoff; setc %0; setz %1" : "=r"(cf), "=r"(zf)::"cc", "memory");
	return vmx_flags_result(cf, zf);
}

static inline int vmclear(uint64_t pa)
{
	uint8_t cf, zf;

	__asm__ volatile("vmclear %2; setc %0; setz %1"
			 : "=r"(cf), "=r"(zf)
			 : "m"(pa)
			 : "cc", "memory");
	return vmx_flags_result(cf, zf);
}

static inline int vmptrld(uint64_t pa)
{
	uint8_t cf, zf;

	__asm__ volatile("vmptrld %2; setc %0; setz %1"
			 : "=r"(cf), "=r"(zf)
			 : "m"(pa)
			 : "cc", "memory");
	return vmx_flags_result(cf, zf);
}

/* VMREAD of a field this backend knows to exist while a VMCS is current. */
static inline uint64_t vmread(uint32_t field)
{
	uint64_t v;

	__asm__ volatile("vmread %1, %0" : "=r"(v) : "r"((uint64_t)field) : "cc");
	return v;
}

/*
 * VMWRITE of a field this backend knows to exist, with a value of the
 * right width: it cannot fail while a VMCS is current, so the result is
 * not checked (entry checks catch bad values).
 */
static inline void vmwrite(uint32_t field, uint64_t v)
{
	__asm__ volatile("vmwrite %0, %1" ::"rm"(v), "r"((uint64_t)field) : "cc");
}

/*
 * RFLAGS straight to and from a stack slot (the entry stub clobbers every
 * register it could live in): POP to memory addresses it after RSP moved
 * back, PUSH from memory before RSP moves (SDM Vol. 2B, POP, PUSH), so an
 * RSP-relative slot is the right one either way. Also the interrupts-off
 * sections of the VMCS load (vmx_vcpu.c, vmx_state.c, vmx.c).
 */
static inline void irq_save(uint64_t *f)
{
	__asm__ volatile("pushfq; popq %0; cli" : "=m"(*f)::"memory");
}

static inline void irq_restore(const uint64_t *f)
{
	__asm__ volatile("pushq %0; popfq" ::"m"(*f) : "memory", "cc");
}

struct vmx_inv_desc {
	uint64_t a, b;
};

static inline int invept(uint64_t type, uint64_t eptp)
{
	struct vmx_inv_desc d = { eptp, 0 };
	uint8_t cf, zf;

	__asm__ volatile("invept %2, %3; setc %0; setz %1"
			 : "=r"(cf), "=r"(zf)
			 : "m"(d), "r"(type)
			 : "cc", "memory");
	return vmx_flags_result(cf, zf);
}

static inline int invvpid(uint64_t type, uint16_t vpid, uint64_t gva)
{
	struct vmx_inv_desc d = { vpid, gva };
	uint8_t cf, zf;

	__asm__ volatile("invvpid %2, %3; setc %0; setz %1"
			 : "=r"(cf), "=r"(zf)
			 : "m"(d), "r"(type)
			 : "cc", "memory");
	return vmx_flags_result(cf, zf);
}

#endif /* LV_VMX_INSN_H */
