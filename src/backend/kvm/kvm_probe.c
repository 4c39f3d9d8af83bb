/* SPDX-License-Identifier: MIT */
/*
 * KVM backend: probe which exception vectors user space can really
 * intercept. KVM_SET_GUEST_DEBUG offers #BP (KVM_GUESTDBG_USE_SW_BP) and
 * #DB (KVM_GUESTDBG_USE_HW_BP), but some hosts (e.g. a nested KVM that
 * emulates guest ring-0 code) deliver them to the guest anyway. One tiny
 * real-mode guest answers it at backend open, with raw ioctls.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kvm_priv.h"

#define PROBE_MEM 0x3000

/*
 * Guest (real mode, CS = 0): 0x1000 int3; hlt. 0x1010 pushf; pop ax;
 * or ax, 0x100; push ax; popf; nop; hlt (a TF trap after the nop).
 * Every IVT vector points at 0:0x2000, a hlt: a delivered exception halts.
 */
static const uint8_t code_bp[] = { 0xcc, 0xf4 };
static const uint8_t code_tf[] = { 0x9c, 0x58, 0x0d, 0x00, 0x01, 0x50, 0x9d, 0x90, 0xf4 };

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

uint32_t lv_kvm_probe_exception_exits(struct kvm_backend *kb)
{
	struct kvm_userspace_memory_region reg;
	struct kvm_sregs sregs;
	struct kvm_run *run = MAP_FAILED;
	uint8_t *mem;
	int vm = -1, vcpu = -1, i;
	uint32_t vectors = 0;

	mem = mmap(NULL, PROBE_MEM, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		return 0;
	for (i = 0; i < 256; i++) {
		mem[4 * i + 0] = 0x00;
		mem[4 * i + 1] = 0x20;
	}
	mem[0x2000] = 0xf4;
	memcpy(mem + 0x1000, code_bp, sizeof(code_bp));
	memcpy(mem + 0x1010, code_tf, sizeof(code_tf));
	vm = ioctl(kb->kvm_fd, KVM_CREATE_VM, 0);
	if (vm < 0)
		goto out;
	memset(&reg, 0, sizeof(reg));
	reg.memory_size = PROBE_MEM;
	reg.userspace_addr = (uint64_t)(uintptr_t)mem;
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &reg) < 0)
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
		vectors |= 1u << 3;
	if (probe_one(vcpu, run, 0x1010, KVM_GUESTDBG_USE_HW_BP, 1))
		vectors |= 1u << 1;
out:
	if (run != MAP_FAILED)
		munmap(run, kb->run_size);
	if (vcpu >= 0)
		close(vcpu);
	if (vm >= 0)
		close(vm);
	munmap(mem, PROBE_MEM);
	return vectors;
}
