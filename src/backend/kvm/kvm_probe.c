/* SPDX-License-Identifier: MIT */
/*
 * KVM backend: what this host's KVM really does, asked at backend open by
 * one tiny real-mode guest with raw ioctls:
 *  - which exception vectors user space can intercept. KVM_SET_GUEST_DEBUG
 *    offers #BP (KVM_GUESTDBG_USE_SW_BP) and #DB (KVM_GUESTDBG_USE_HW_BP),
 *    but some hosts (e.g. a nested KVM that emulates guest ring-0 code)
 *    deliver them to the guest anyway;
 *  - whether a guest's XSETBV reaches KVM. Under QEMU 7.2 TCG's SVM it does
 *    not (the instruction takes effect in QEMU only, without the intercept):
 *    KVM keeps its own XCR0 for the guest, loads it again at every entry
 *    and computes CPUID.(EAX=0DH,ECX=0):EBX from it, so a guest that
 *    enables AVX loses it at its next exit and finds the XSAVE size
 *    inconsistent (Linux: "XSAVE consistency problem"). The default CPUID
 *    then offers no XSAVE (kvm.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kvm_priv.h"
#include "../../core/x86_arch.h"

#define PROBE_MEM 0x3000

/*
 * Guest (real mode, CS = 0): 0x1000 int3; hlt. 0x1010 pushf; pop ax;
 * or ax, 0x100; push ax; popf; nop; hlt (a TF trap after the nop).
 * Every IVT vector points at 0:0x2000, a hlt: a delivered exception halts.
 */
static const uint8_t code_bp[] = { 0xcc, 0xf4 };
static const uint8_t code_tf[] = { 0x9c, 0x58, 0x0d, 0x00, 0x01, 0x50, 0x9d, 0x90, 0xf4 };
/* 0x1020: mov eax, 3; xsetbv (ECX = EDX = 0: XCR0 = x87 | SSE); hlt. */
static const uint8_t code_xsetbv[] = { 0x66, 0xb8, 0x03, 0x00, 0x00, 0x00, 0x0f, 0x01, 0xd1, 0xf4 };
#define XSETBV_AT   0x1020u
#define XSETBV_XCR0 3u

static int probe_one(int vcpu_fd, struct kvm_run *run, uint64_t rip, uint32_t control,
		     uint32_t want_vector)
{
	struct kvm_guest_debug dbg;
	struct kvm_regs regs;
	int r;

	memset(&regs, 0, sizeof(regs));
	regs.rip = rip;
	regs.rflags = 2;
	regs.rsp = 0x3000;
	memset(&dbg, 0, sizeof(dbg));
	dbg.control = KVM_GUESTDBG_ENABLE | control;
	if (ioctl(vcpu_fd, KVM_SET_REGS, &regs) < 0 ||
	    ioctl(vcpu_fd, KVM_SET_GUEST_DEBUG, &dbg) < 0)
		return 0;
	do
		r = ioctl(vcpu_fd, KVM_RUN, 0);
	while (r < 0 && errno == EINTR);
	return r == 0 && run->exit_reason == KVM_EXIT_DEBUG &&
	       run->debug.arch.exception == want_vector;
}

/*
 * Where the vCPU's CPUID offers XSAVE (the supported CPUID, with
 * CR4.OSXSAVE set), the guest's XSETBV of x87 | SSE is followed by HLT:
 * 1 when it ran without a fault and KVM still holds XCR0 = 1, else 0 (also
 * when it cannot be told).
 */
static int probe_xsetbv_lost(struct kvm_backend *kb, int vm)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	struct kvm_xcrs xcrs;
	struct kvm_run *run = MAP_FAILED;
	int vcpu, r, lost = 0;
	uint32_t i;

	for (i = 0; i < kb->cpuid->nent; i++)
		if (kb->cpuid->entries[i].function == 1)
			break;
	if (!kb->has_xcrs || i == kb->cpuid->nent ||
	    !(kb->cpuid->entries[i].ecx & CPUID_1_ECX_XSAVE))
		return 0;
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 1);
	if (vcpu < 0)
		return 0;
	run = mmap(NULL, kb->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED || ioctl(vcpu, KVM_SET_CPUID2, kb->cpuid) < 0 ||
	    ioctl(vcpu, KVM_GET_SREGS, &sregs) < 0)
		goto out;
	sregs.cs.selector = 0;
	sregs.cs.base = 0;
	sregs.cr4 |= CR4_OSXSAVE;
	memset(&regs, 0, sizeof(regs));
	regs.rip = XSETBV_AT;
	regs.rflags = 2;
	regs.rsp = 0x3000;
	if (ioctl(vcpu, KVM_SET_SREGS, &sregs) < 0 || ioctl(vcpu, KVM_SET_REGS, &regs) < 0)
		goto out;
	do
		r = ioctl(vcpu, KVM_RUN, 0);
	while (r < 0 && errno == EINTR);
	if (r < 0 || run->exit_reason != KVM_EXIT_HLT || ioctl(vcpu, KVM_GET_REGS, &regs) < 0 ||
	    regs.rip != XSETBV_AT + sizeof(code_xsetbv) || ioctl(vcpu, KVM_GET_XCRS, &xcrs) < 0)
		goto out;
	for (i = 0; i < xcrs.nr_xcrs; i++)
		if (xcrs.xcrs[i].xcr == 0)
			lost = xcrs.xcrs[i].value != XSETBV_XCR0;
out:
	if (run != MAP_FAILED)
		munmap(run, kb->run_size);
	close(vcpu);
	return lost;
}

void lv_kvm_probe_host(struct kvm_backend *kb)
{
	struct kvm_userspace_memory_region reg;
	struct kvm_sregs sregs;
	struct kvm_run *run = MAP_FAILED;
	uint8_t *mem;
	int vm = -1, vcpu = -1, i;

	kb->exception_exits = 0;
	kb->xsetbv_lost = 0;
	mem = mmap(NULL, PROBE_MEM, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		return;
	for (i = 0; i < 256; i++) {
		mem[4 * i + 0] = 0x00;
		mem[4 * i + 1] = 0x20;
	}
	mem[0x2000] = 0xf4;
	memcpy(mem + 0x1000, code_bp, sizeof(code_bp));
	memcpy(mem + 0x1010, code_tf, sizeof(code_tf));
	memcpy(mem + XSETBV_AT, code_xsetbv, sizeof(code_xsetbv));
	vm = ioctl(kb->kvm_fd, KVM_CREATE_VM, 0);
	if (vm < 0)
		goto out;
	memset(&reg, 0, sizeof(reg));
	reg.memory_size = PROBE_MEM;
	reg.userspace_addr = (uint64_t)(uintptr_t)mem;
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &reg) < 0)
		goto out;
	kb->xsetbv_lost = probe_xsetbv_lost(kb, vm);
	if (!kb->has_guest_debug)
		goto out;
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0)
		goto out;
	run = mmap(NULL, kb->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED || ioctl(vcpu, KVM_GET_SREGS, &sregs) < 0)
		goto out;
	sregs.cs.selector = 0;
	sregs.cs.base = 0;
	if (ioctl(vcpu, KVM_SET_SREGS, &sregs) < 0)
		goto out;
	if (probe_one(vcpu, run, 0x1000, KVM_GUESTDBG_USE_SW_BP, 3))
		kb->exception_exits |= 1u << 3;
	if (probe_one(vcpu, run, 0x1010, KVM_GUESTDBG_USE_HW_BP, 1))
		kb->exception_exits |= 1u << 1;
out:
	if (run != MAP_FAILED)
		munmap(run, kb->run_size);
	if (vcpu >= 0)
		close(vcpu);
	if (vm >= 0)
		close(vm);
	munmap(mem, PROBE_MEM);
}
