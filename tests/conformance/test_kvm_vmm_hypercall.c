/* SPDX-License-Identifier: MIT */
/*
 * vcpu-run's answer to hypercall exits (examples/vmm/dispatch.c, shared by
 * the hosted loop and the ring-0 test kernel): KVM's KVM_HC_SEND_IPI
 * (Linux, Documentation/virt/kvm/x86/hypercalls.rst) sent as MSIs through
 * lv_vm_signal_msi(), -KVM_ENOSYS for other numbers, -KVM_EPERM above
 * CPL 0. The raw backends hand these exits to vcpu-run; on KVM the kernel
 * answers them itself, so the exits are made up here and the VM, its
 * APICs and the vCPUs' registers are KVM's (label kvm, where KVM is).
 */
#include <criterion/criterion.h>

#include "../unit/vmm_dispatch.h"

static struct lv_backend *b;
static struct lv_vm *vm;
static struct lv_vcpu *cpu[2];
static struct vmm v;
static struct lv_state st;

static void setup(void)
{
	struct lv_vm_config cfg = { 2, LV_VM_IRQCHIP };
	unsigned i;

	cr_assert_eq(lv_backend_open(LV_BACKEND_KVM, &b), LV_OK);
	cr_assert_eq(lv_vm_create(b, &cfg, &vm), LV_OK);
	for (i = 0; i < 2; i++) {
		cr_assert_eq(lv_vcpu_create(vm, i, &cpu[i]), LV_OK);
		/* Software-enabled (SVR bit 8), so that fixed interrupts are accepted. */
		cr_assert_eq(lv_vcpu_get_state(cpu[i], LV_STATE_APIC, &st), LV_OK);
		st.apic.regs[0xf0] = 0xff;
		st.apic.regs[0xf1] = 0x01;
		cr_assert_eq(lv_vcpu_set_state(cpu[i], LV_STATE_APIC, &st), LV_OK);
	}
	memset(&v, 0, sizeof(v));
	v.vm = vm;
	v.vcpus = cpu;
	v.nvcpus = 2;
	logged[0] = 0;
}

static void teardown(void)
{
	lv_vcpu_destroy(cpu[1]);
	lv_vcpu_destroy(cpu[0]);
	lv_vm_destroy(vm);
	lv_backend_close(b);
}

TestSuite(vmm_hypercall, .init = setup, .fini = teardown);

/* Vcpu 0 makes hypercall @p nr with @p a0..a3; @return its RAX afterwards. */
static uint64_t call(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
	struct lv_exit ex;

	memset(&ex, 0, sizeof(ex));
	ex.reason = LV_EXIT_HYPERCALL;
	ex.hypercall.nr = nr;
	ex.hypercall.args[0] = a0;
	ex.hypercall.args[1] = a1;
	ex.hypercall.args[2] = a2;
	ex.hypercall.args[3] = a3;
	cr_assert_eq(vmm_handle_exit(&v, cpu[0], &ex), KEEP_RUNNING, "%s", logged);
	cr_assert_eq(lv_vcpu_get_state(cpu[0], LV_STATE_GPRS, &st), LV_OK);
	return st.regs.rax;
}

/* Vector @p vec is in vCPU @p i's IRR (SDM Vol. 3, 11.8.4: 0x200 + 16 * (vec / 32)). */
static int in_irr(unsigned i, unsigned vec)
{
	cr_assert_eq(lv_vcpu_get_state(cpu[i], LV_STATE_APIC, &st), LV_OK);
	return (st.apic.regs[0x200 + 16 * (vec / 32) + (vec % 32) / 8] >> (vec % 8)) & 1;
}

Test(vmm_hypercall, send_ipi_to_the_named_apic_ids)
{
	/* Bit 1 of a0 with a2 = 0: APIC ID 1, fixed vector 0x45; the result counts it. */
	cr_expect_eq(call(10, 0x2, 0, 0, 0x45), 1);
	cr_expect(in_irr(1, 0x45), "vCPU 1 has vector 0x45 pending");
	cr_expect(!in_irr(0, 0x45), "vCPU 0 does not");
	/* Both, a2 = 0: two; an ID no vCPU has (bit 5) is not counted. */
	cr_expect_eq(call(10, 0x23, 0, 0, 0x46), 2);
	cr_expect(in_irr(0, 0x46) && in_irr(1, 0x46));
	/* a2 = 1: bit 0 is APIC ID 1. */
	cr_expect_eq(call(10, 0x1, 0, 1, 0x47), 1);
	cr_expect(in_irr(1, 0x47) && !in_irr(0, 0x47));
	/* kvm-unit-tests' apic test: the lowest ID past every vCPU, nothing sent. */
	cr_expect_eq(call(10, 0xffffffff, 0, 0xffffffff, 0), 0);
	cr_assert_str_empty(logged);
}

Test(vmm_hypercall, errors)
{
	/* 32-bit code (the reset state): results are 32-bit. */
	cr_expect_eq(call(10, 0x1, 0, 0, 0x800 | 0x45), (uint32_t)-22, "logical mode: -KVM_EINVAL");
	cr_expect_eq(call(10, 0x1, 0, 0, (1u << 18) | 0x45), (uint32_t)-22, "shorthand");
	cr_expect(!in_irr(0, 0x45));
	cr_expect_eq(call(0x99, 0, 0, 0, 0), (uint32_t)-1000, "unknown: -KVM_ENOSYS");
	/* CPL 3: -KVM_EPERM */
	{
		struct lv_state pm;

		lv_state_init_protected32(&pm);
		cr_assert_eq(lv_vcpu_get_state(cpu[0], LV_STATE_SEGMENTS | LV_STATE_CONTROL, &st),
			     LV_OK);
		st.segs = pm.segs;
		st.ctrl.cr0 |= 1; /* PE */
		st.segs.cs.dpl = st.segs.ss.dpl = 3;
		st.segs.cs.selector |= 3;
		st.segs.ss.selector |= 3;
		cr_assert_eq(lv_vcpu_set_state(cpu[0], LV_STATE_SEGMENTS | LV_STATE_CONTROL, &st),
			     LV_OK);
	}
	cr_expect_eq(call(10, 0x2, 0, 0, 0x45), (uint32_t)-1, "CPL 3: -KVM_EPERM");
	cr_expect(!in_irr(1, 0x45));
}
