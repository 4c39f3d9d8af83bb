/* SPDX-License-Identifier: MIT */
/* Conformance cases: CPUID, MSRs, exceptions, triple fault, single-step. */
#include "conf.h"
#include "guests.h"

#define TEST_LEAF 0x40000010u

/* ---- CPUID ------------------------------------------------------------- */

static int cpuid_setup_common(struct conf_ctx *c, uint32_t flags)
{
	struct lv_cpuid_entry e = { TEST_LEAF,	0,	    flags,     0x11111111,
				    0x22222222, 0x33333333, 0x44444444 };
	int rc = lv_vcpu_set_cpuid(c->vcpu[0], &e, 1);

	if (rc)
		return conf_fail(c, "set_cpuid: %s", lv_status_name(rc));
	return CONF_PASS;
}

static int cpuid_setup(struct conf_ctx *c)
{
	return cpuid_setup_common(c, 0);
}

static int cpuid_exit_setup(struct conf_ctx *c)
{
	return cpuid_setup_common(c, LV_CPUID_EXIT);
}

static const struct step cpuid_script[] = {
	IO_OUT(0x60, 4, 0x11111111),
	IO_OUT(0x60, 4, 0x22222222),
	IO_OUT(0x60, 4, 0x33333333),
	IO_OUT(0x60, 4, 0x44444444),
	X_HLT,
	END,
};

/* With LV_CPUID_EXIT the host answers; the guest sees the host's values. */
static const struct step cpuid_exit_script[] = {
	X_CPUID(TEST_LEAF, 0x0000000b0000000aull, 0x0000000d0000000cull),
	IO_OUT(0x60, 4, 0xa),
	IO_OUT(0x60, 4, 0xb),
	IO_OUT(0x60, 4, 0xc),
	IO_OUT(0x60, 4, 0xd),
	X_HLT,
	END,
};

/* ---- MSRs ---------------------------------------------------------------- */

static int msr_setup(struct conf_ctx *c)
{
	struct lv_msr_range r = { 0x174, 1, LV_MSR_EXIT_READ | LV_MSR_EXIT_WRITE };
	int rc = lv_vm_set_msr_exits(c->vm, &r, 1);

	if (rc)
		return conf_fail(c, "set_msr_exits: %s", lv_status_name(rc));
	return CONF_PASS;
}

static const struct step msr_script[] = {
	X_RDMSR(0x174, 0x1122334455667788ull),
	IO_OUT(0x60, 4, 0x55667788),
	IO_OUT(0x60, 4, 0x11223344),
	X_WRMSR(0x174, 0x0000beef0000deadull),
	IO_OUT(0x60, 4, 0x1234), /* MSR 0x175 is not filtered: no exit */
	X_HLT,
	END,
};

static int msr_check(struct conf_ctx *c)
{
	uint64_t v = 0;
	int rc = lv_vcpu_get_msr(c->vcpu[0], 0x175, &v);

	if (rc || v != 0x1234)
		return conf_fail(c, "MSR 0x175 reads %s 0x%llx, want 0x1234", lv_status_name(rc),
				 (unsigned long long)v);
	return CONF_PASS;
}

/*
 * The default CPUID, without overrides. Every backend sets the hypervisor
 * bit (CPUID.1:ECX[31]). The ring-0 backends share one default table: no
 * VMX or SVM for the guest (CPUID.1:ECX[5], 8000_0001h:ECX[2]), leaf
 * 8000_000Ah empty, no hypervisor leaves at 4000_0000h (the guest must not
 * see an outer hypervisor's interface that no one implements here), leaf
 * 8000_001Fh (AMD's memory encryption, SME and SEV) empty, and
 * OSXSAVE as the guest's own CR4.OSXSAVE (clear here), not the host's.
 * Everywhere, a basic leaf above the highest (1234h) reads as the highest
 * basic leaf on Intel-compatible CPUs (SDM Vol. 2A, CPUID) and as zeros on
 * AMD and Hygon (APM Vol. 3), as KVM answers it; the raw backends used to
 * ask the host CPU, whose leaf 0Dh follows the XCR0 loaded at that moment.
 * KVM's own
 * supported CPUID (nested SVM/VMX and KVM's PV leaves included) is kept.
 */
static const struct step cpuid_defaults_script[] = { IO_OUT(0x60, 1, 0x5a), X_HLT, END };

static int cpuid_defaults_check(struct conf_ctx *c)
{
	const uint8_t *d = c->ram + 0x10000;
	uint32_t l1_ecx = (uint32_t)conf_load(d + 8, 4);
	uint32_t max_ext = (uint32_t)conf_load(d + 16, 4);
	uint32_t e1_ecx = (uint32_t)conf_load(d + 32 + 8, 4);
	const uint8_t *svm = d + 48, *hv = d + 64, *l0 = d + 80, *top = d + 96, *oor = d + 112;
	const uint8_t *mem_enc = d + 128;
	uint32_t vendor = (uint32_t)conf_load(l0 + 4, 4);
	unsigned i;

	if (!(l1_ecx & (1u << 31)))
		return conf_fail(c, "CPUID.1:ECX 0x%x lacks the hypervisor bit", l1_ecx);
	for (i = 0; i < 16; i++) {
		uint8_t want = vendor == 0x68747541u || vendor == 0x6f677948u ? 0 : top[i];

		if (oor[i] != want)
			return conf_fail(
				c,
				"CPUID.1234h byte %u: 0x%x, not 0x%x (vendor 0x%x, highest "
				"basic leaf 0x%x)",
				i, oor[i], want, vendor, (unsigned)conf_load(l0, 4));
	}
	if (!(c->caps.features & LV_FEAT_RING0))
		return CONF_PASS;
	if (l1_ecx & ((1u << 5) | (1u << 27)))
		return conf_fail(c, "CPUID.1:ECX 0x%x shows VMX or OSXSAVE", l1_ecx);
	if (max_ext >= 0x80000001u && (e1_ecx & (1u << 2)))
		return conf_fail(c, "CPUID.80000001h:ECX 0x%x shows SVM", e1_ecx);
	for (i = 0; i < 16; i++) {
		if (max_ext >= 0x8000000au && svm[i])
			return conf_fail(c, "CPUID.8000000Ah is not empty (byte %u: 0x%x)", i,
					 svm[i]);
		if (hv[i])
			return conf_fail(c, "CPUID.40000000h is not empty (byte %u: 0x%x)", i,
					 hv[i]);
		if (max_ext >= 0x8000001fu && mem_enc[i])
			return conf_fail(c, "CPUID.8000001Fh is not empty (byte %u: 0x%x)", i,
					 mem_enc[i]);
	}
	return CONF_PASS;
}

/* The host fails the RDMSR: #GP(0) reaches the guest's handler. */
static const struct step msr_gp_script[] = {
	X_RDMSR_GP(0x174), IO_OUT(0x64, 4, 0), IO_OUT(0x62, 1, 2), X_HLT, END,
};

/*
 * IA32_MISC_ENABLE is the vCPU's own, as on KVM: bits 11 and 12 (no BTS,
 * no PEBS) at reset, the read-write bits keep what the guest writes, bit 7
 * ignores writes, and changing bit 11 is #GP(0) with the value unchanged.
 */
static const struct step misc_enable_script[] = {
	IO_OUT(0x60, 4, 0x1800),
	IO_OUT(0x60, 4, 0),
	IO_OUT(0x60, 4, 0x00c51809),
	IO_OUT(0x60, 4, 0x4),
	IO_OUT(0x64, 4, 0),
	IO_OUT(0x60, 4, 0x00c51809),
	IO_OUT(0x60, 4, 0x4),
	X_HLT,
	END,
};

/* ---- triple fault --------------------------------------------------------- */

static const struct step triple_script[] = { X_SHUTDOWN, END };

/* ---- intercepted exceptions ------------------------------------------------ */

static int exc_setup_bp(struct conf_ctx *c)
{
	int rc = lv_vcpu_set_exception_exits(c->vcpu[0], 1u << 3);

	if (rc)
		return conf_fail(c, "set_exception_exits: %s", lv_status_name(rc));
	return CONF_PASS;
}

static int exc_setup_ud(struct conf_ctx *c)
{
	int rc = lv_vcpu_set_exception_exits(c->vcpu[0], 1u << 6);

	if (rc)
		return conf_fail(c, "set_exception_exits: %s", lv_status_name(rc));
	return CONF_PASS;
}

/* The exception was not delivered: RIP is at the instruction; skip it. */
static int skip_insn(struct conf_ctx *c, struct lv_vcpu *v, unsigned len)
{
	int rc = lv_vcpu_get_state(v, LV_STATE_GPRS, &c->st);

	if (rc)
		return conf_fail(c, "get_state: %s", lv_status_name(rc));
	if (c->st.regs.rip != CONF_CODE)
		return conf_fail(c, "RIP at the exception is 0x%llx, want 0x%x",
				 (unsigned long long)c->st.regs.rip, CONF_CODE);
	c->st.regs.rip += len;
	rc = lv_vcpu_set_state(v, LV_STATE_GPRS, &c->st);
	if (rc)
		return conf_fail(c, "set_state: %s", lv_status_name(rc));
	return CONF_PASS;
}

static int skip1(struct conf_ctx *c, struct lv_vcpu *v)
{
	return skip_insn(c, v, 1);
}

static int skip2(struct conf_ctx *c, struct lv_vcpu *v)
{
	return skip_insn(c, v, 2);
}

static int exc_setup_db(struct conf_ctx *c)
{
	int rc = lv_vcpu_set_exception_exits(c->vcpu[0], 1u << 1);

	if (rc)
		return conf_fail(c, "set_exception_exits: %s", lv_status_name(rc));
	return CONF_PASS;
}

/* #DB is a trap: RIP is past the NOP; clear TF so the guest goes on. */
static int db_clear_tf(struct conf_ctx *c, struct lv_vcpu *v)
{
	int rc = lv_vcpu_get_state(v, LV_STATE_GPRS, &c->st);

	if (rc)
		return conf_fail(c, "get_state: %s", lv_status_name(rc));
	if (c->st.regs.rip != CONF_CODE + 0xb || !(c->st.regs.rflags & 0x100))
		return conf_fail(c, "#DB at RIP 0x%llx RFLAGS 0x%llx, want 0x%x with TF",
				 (unsigned long long)c->st.regs.rip,
				 (unsigned long long)c->st.regs.rflags, CONF_CODE + 0xb);
	c->st.regs.rflags &= ~0x100ull;
	rc = lv_vcpu_set_state(v, LV_STATE_GPRS, &c->st);
	if (rc)
		return conf_fail(c, "set_state: %s", lv_status_name(rc));
	return CONF_PASS;
}

static const struct step exc_db_script[] = {
	X_EXC(1), ACTION(db_clear_tf), IO_OUT(0x70, 1, 0x33), X_HLT, END,
};

static const struct step exc_bp_script[] = {
	X_EXC(3), ACTION(skip1), IO_OUT(0x70, 1, 0x33), X_HLT, END,
};

static const struct step exc_ud_script[] = {
	X_EXC(6), ACTION(skip2), IO_OUT(0x70, 1, 0x33), X_HLT, END,
};

/* ---- single-step ------------------------------------------------------------ */

static int step_setup(struct conf_ctx *c)
{
	int rc = lv_vcpu_set_debug(c->vcpu[0], LV_DEBUG_SINGLESTEP);

	if (rc)
		return conf_fail(c, "set_debug: %s", lv_status_name(rc));
	return CONF_PASS;
}

static int step_off(struct conf_ctx *c, struct lv_vcpu *v)
{
	int rc = lv_vcpu_set_debug(v, 0);

	if (rc)
		return conf_fail(c, "set_debug off: %s", lv_status_name(rc));
	return CONF_PASS;
}

/* One DEBUG exit after each NOP, reported with the next instruction's address. */
static const struct step step_script[] = {
	X_DEBUG(CONF_CODE + 1),
	X_DEBUG(CONF_CODE + 2),
	X_DEBUG(CONF_CODE + 3),
	ACTION(step_off),
	X_HLT,
	END,
};

const struct conf_case conf_cases_cpu[] = {
	{ .name = "cpuid_value",
	  .mode = MODE_LONG64,
	  .guest = &conf_guest_cpuid,
	  .setup = cpuid_setup,
	  .script = cpuid_script },
	{ .name = "cpuid_exit",
	  .mode = MODE_LONG64,
	  .guest = &conf_guest_cpuid,
	  .need_features = LV_FEAT_CPUID_EXIT,
	  .setup = cpuid_exit_setup,
	  .script = cpuid_exit_script },
	{ .name = "cpuid_defaults",
	  .mode = MODE_LONG64,
	  .guest = &conf_guest_cpuid_defaults,
	  .script = cpuid_defaults_script,
	  .check = cpuid_defaults_check },
	{ .name = "msr_exits",
	  .mode = MODE_LONG64,
	  .guest = &conf_guest_msr,
	  .need_features = LV_FEAT_MSR_EXIT,
	  .setup = msr_setup,
	  .script = msr_script,
	  .check = msr_check },
	{ .name = "msr_exit_gp",
	  .mode = MODE_LONG64,
	  .guest = &conf_guest_msr_gp,
	  .need_features = LV_FEAT_MSR_EXIT,
	  .setup = msr_setup,
	  .script = msr_gp_script },
	{ .name = "misc_enable",
	  .mode = MODE_LONG64,
	  .guest = &conf_guest_misc_enable,
	  .script = misc_enable_script },
	{ .name = "triple_fault",
	  .mode = MODE_LONG64,
	  .guest = &conf_guest_triple,
	  .script = triple_script },
	{ .name = "exception_db_trap",
	  .mode = MODE_LONG64,
	  .guest = &conf_guest_exc_db,
	  .need_vectors = 1u << 1,
	  .setup = exc_setup_db,
	  .script = exc_db_script },
	{ .name = "exception_bp",
	  .mode = MODE_PROT32,
	  .guest = &conf_guest_exc_bp,
	  .need_vectors = 1u << 3,
	  .setup = exc_setup_bp,
	  .script = exc_bp_script },
	{ .name = "exception_ud",
	  .mode = MODE_PROT32,
	  .guest = &conf_guest_exc_ud,
	  .need_vectors = 1u << 6,
	  .setup = exc_setup_ud,
	  .script = exc_ud_script },
	{ .name = "singlestep",
	  .mode = MODE_PROT32,
	  .guest = &conf_guest_step,
	  .need_features = LV_FEAT_SINGLESTEP,
	  .setup = step_setup,
	  .script = step_script },
	{ .name = NULL },
};
