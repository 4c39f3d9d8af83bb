/* SPDX-License-Identifier: MIT */
/*
 * Smoke cases: hand-written 64-bit guests (guests.S) driven through the
 * public API, each checking the exact exit sequence and the completion of
 * every exit. Backend-neutral: nothing here knows SVM from VMX.
 */
#include <libvcpu/platform.h>

#include "cases.h"
#include "guest.h"

GUEST_SNIPPET(io);
GUEST_SNIPPET(cpuid);
GUEST_SNIPPET(cpuid_cache);
GUEST_SNIPPET(mmio);
GUEST_SNIPPET(rom);
GUEST_SNIPPET(msr);
GUEST_SNIPPET(vmmcall);
GUEST_SNIPPET(ud2);
GUEST_SNIPPET(irq);
GUEST_SNIPPET(irq_handler);
GUEST_SNIPPET(exc_handler);
GUEST_SNIPPET(hlt);

static uint32_t io32(const struct lv_exit *ex)
{
	uint32_t v = 0;
	unsigned i;

	for (i = 0; i < ex->io.size; i++)
		v |= (uint32_t)ex->io.data[i] << (8 * i);
	return v;
}

/* Expect an OUT of @size bytes to @port with value @val. */
#define EXPECT_OUT(g, p, sz, val)                                                                  \
	do {                                                                                       \
		RUN_EXPECT(g, LV_EXIT_IO);                                                         \
		EXPECT((g)->ex->io.port == (p) && (g)->ex->io.is_write &&                          \
			       (g)->ex->io.size == (sz) && io32((g)->ex) == (uint32_t)(val),       \
		       "line %d: OUT port %#x size %u val %#x, want %#x/%u/%#x", __LINE__,         \
		       (g)->ex->io.port, (g)->ex->io.size, io32((g)->ex), (unsigned)(p), (sz),     \
		       (unsigned)(val));                                                           \
	} while (0)

struct dtr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

static void read_dtables(struct dtr *gdt, struct dtr *idt)
{
	__asm__ volatile("sgdt %0; sidt %1" : "=m"(*gdt), "=m"(*idt));
}

static void load_dtables(const struct dtr *gdt, const struct dtr *idt)
{
	__asm__ volatile("lgdt %0; lidt %1" ::"m"(*gdt), "m"(*idt) : "memory");
}

/* The highest selector this CPU has loaded (TR's descriptor is 16 bytes). */
static uint16_t top_selector_end(void)
{
	uint16_t cs, ss, ds, tr, top;

	__asm__ volatile("mov %%cs, %0; mov %%ss, %1; mov %%ds, %2; str %3"
			 : "=r"(cs), "=r"(ss), "=r"(ds), "=r"(tr));
	top = (uint16_t)((cs | 7) + 1);
	if ((ss | 7) + 1 > top)
		top = (uint16_t)((ss | 7) + 1);
	if ((ds | 7) + 1 > top)
		top = (uint16_t)((ds | 7) + 1);
	if ((tr | 7) + 9 > top)
		top = (uint16_t)((tr | 7) + 9);
	return top;
}

/*
 * What a VM exit leaves changed is restored before lv_vcpu_run() returns:
 * VM exit sets the host's GDTR and IDTR limits to 0xFFFF (SDM Vol. 3,
 * 28.5.2); #VMEXIT restores both whole (APM Vol. 2, 15.6). The host
 * checks base and limit of both after every exit of a guest.
 */
int case_host_dtables(struct lv_backend *b, char *why, size_t n);
int case_host_dtables(struct lv_backend *b, char *why, size_t n)
{
	struct dtr gdt0, idt0, gdt1, idt1, gdt_was, idt_was;
	struct guest g;
	unsigned i;

	/*
	 * Limits below 0xFFFF, so that a limit the exit left at 0xFFFF shows:
	 * the GDT up to the last selector in use, the IDT's 256 gates.
	 */
	read_dtables(&gdt_was, &idt_was);
	gdt0 = gdt_was;
	idt0 = idt_was;
	gdt0.limit = (uint16_t)(top_selector_end() - 1);
	idt0.limit = 256 * 16 - 1;
	load_dtables(&gdt0, &idt0);
	if (guest_setup(&g, b, g_io, g_io_end, why, n)) {
		load_dtables(&gdt_was, &idt_was);
		return CASE_FAIL;
	}
	for (i = 0; i < 5; i++) {
		EXPECT(lv_vcpu_run(g.vcpu, &g.ex) == LV_OK, "run %u", i);
		read_dtables(&gdt1, &idt1);
		EXPECT(gdt1.limit == gdt0.limit && gdt1.base == gdt0.base,
		       "exit %u (%s): host GDTR %#lx/%#x, was %#lx/%#x", i,
		       lv_exit_reason_name(g.ex->reason), (unsigned long)gdt1.base, gdt1.limit,
		       (unsigned long)gdt0.base, gdt0.limit);
		EXPECT(idt1.limit == idt0.limit && idt1.base == idt0.base,
		       "exit %u (%s): host IDTR %#lx/%#x, was %#lx/%#x", i,
		       lv_exit_reason_name(g.ex->reason), (unsigned long)idt1.base, idt1.limit,
		       (unsigned long)idt0.base, idt0.limit);
		if (g.ex->reason == LV_EXIT_HLT)
			break;
	}
	guest_teardown(&g);
	load_dtables(&gdt_was, &idt_was);
	return CASE_PASS;
fail:
	guest_teardown(&g);
	load_dtables(&gdt_was, &idt_was);
	return CASE_FAIL;
}

static uint16_t read_ldtr(void)
{
	uint16_t v;

	__asm__ volatile("sldt %0" : "=r"(v));
	return v;
}

static void load_ldtr(uint16_t sel)
{
	__asm__ volatile("lldt %0" ::"r"(sel) : "memory");
}

/*
 * The host's LDTR is the host's after lv_vcpu_run(): VM exit makes it
 * null (SDM Vol. 3, 28.5.2), the VMX backend loads it again; VMLOAD after
 * #VMEXIT restores it (APM Vol. 2, 15.5.2). The host loads an LDT and
 * checks LDTR after each run.
 */
int case_host_ldt(struct lv_backend *b, char *why, size_t n);
int case_host_ldt(struct lv_backend *b, char *why, size_t n)
{
	uint16_t sel = tss_ldt_selector(), now;
	struct guest g;
	unsigned i;

	if (guest_setup(&g, b, g_io, g_io_end, why, n))
		return CASE_FAIL;
	load_ldtr(sel);
	for (i = 0; i < 5; i++) {
		EXPECT(lv_vcpu_run(g.vcpu, &g.ex) == LV_OK, "run %u", i);
		now = read_ldtr();
		EXPECT(now == sel, "exit %u (%s): host LDTR %#x, was %#x", i,
		       lv_exit_reason_name(g.ex->reason), now, sel);
		if (g.ex->reason == LV_EXIT_HLT)
			break;
	}
	load_ldtr(0);
	guest_teardown(&g);
	return CASE_PASS;
fail:
	load_ldtr(0);
	guest_teardown(&g);
	return CASE_FAIL;
}

int case_io(struct lv_backend *b, char *why, size_t n)
{
	struct guest g;
	struct lv_state st;

	if (guest_setup(&g, b, g_io, g_io_end, why, n))
		return CASE_FAIL;
	EXPECT_OUT(&g, 0x80, 1, 0x42);
	RUN_EXPECT(&g, LV_EXIT_IO);
	EXPECT(g.ex->io.port == 0x81 && !g.ex->io.is_write && g.ex->io.size == 1 &&
		       g.ex->io.count == 1,
	       "IN exit port %#x write %u size %u", g.ex->io.port, g.ex->io.is_write,
	       g.ex->io.size);
	g.ex->io.data[0] = 0x37;
	EXPECT_OUT(&g, 0x82, 2, 0x1237);
	EXPECT_OUT(&g, 0x84, 4, 0xdeadbeef);
	RUN_EXPECT(&g, LV_EXIT_HLT);
	lv_vcpu_get_state(g.vcpu, LV_STATE_GPRS, &st);
	EXPECT(st.regs.rip == GUEST_CODE + (uint64_t)(g_io_end - g_io), "RIP %#lx after HLT",
	       (unsigned long)st.regs.rip);
	guest_teardown(&g);
	return CASE_PASS;
fail:
	guest_teardown(&g);
	return CASE_FAIL;
}

int case_cpuid(struct lv_backend *b, char *why, size_t n)
{
	static const struct lv_cpuid_entry ents[] = {
		{ 0x40000001u, 0, LV_CPUID_EXIT, 1, 2, 3, 4 },
		{ 0x40000002u, 0, 0, 0xc0ffee, 0, 0, 0 },
	};
	struct guest g;
	uint32_t ecx;

	if (guest_setup(&g, b, g_cpuid, g_cpuid_end, why, n))
		return CASE_FAIL;
	EXPECT(lv_vcpu_set_cpuid(g.vcpu, ents, 2) == LV_OK, "set_cpuid");
	RUN_EXPECT(&g, LV_EXIT_CPUID);
	EXPECT(g.ex->cpuid.leaf == 0x40000001u && g.ex->cpuid.eax == 1 && g.ex->cpuid.edx == 4,
	       "CPUID exit leaf %#x eax %#x", g.ex->cpuid.leaf, g.ex->cpuid.eax);
	g.ex->cpuid.eax = 0x12345678;
	g.ex->cpuid.ebx = 0x9abcdef0;
	EXPECT_OUT(&g, 0x80, 4, 0x12345678);
	EXPECT_OUT(&g, 0x80, 4, 0x9abcdef0);
	EXPECT_OUT(&g, 0x80, 4, 0xc0ffee);
	RUN_EXPECT(&g, LV_EXIT_IO);
	ecx = io32(g.ex);
	EXPECT((ecx & (1u << 31)) && !(ecx & (1u << 5)),
	       "default leaf 1 ECX %#x: want hypervisor bit, no VMX", ecx);
	RUN_EXPECT(&g, LV_EXIT_IO);
	EXPECT(!(io32(g.ex) & (1u << 2)), "leaf 0x80000001 ECX %#x shows SVM", io32(g.ex));
	RUN_EXPECT(&g, LV_EXIT_HLT);
	guest_teardown(&g);
	return CASE_PASS;
fail:
	guest_teardown(&g);
	return CASE_FAIL;
}

/*
 * The run loop caches the entry the last CPUID found (x86_run.h): a hit
 * for subleaf 0 of a leaf whose subleaf-1 entry comes first must not
 * answer subleaf 1, and lv_vcpu_set_cpuid() between runs must empty it
 * (the new table's entry sits at another index, so a stale pointer reads
 * the wrong one).
 */
int case_cpuid_cache(struct lv_backend *b, char *why, size_t n)
{
	static const struct lv_cpuid_entry first[] = {
		{ 7, 1, LV_CPUID_SUBLEAF, 0xa, 0, 0, 0 },
		{ 7, 0, 0, 0xb, 0, 0, 0 },
	};
	static const struct lv_cpuid_entry second[] = {
		{ 7, 0, 0, 0xc, 0, 0, 0 },
		{ 2, 0, 0, 0xd, 0, 0, 0 },
	};
	struct guest g;

	if (guest_setup(&g, b, g_cpuid_cache, g_cpuid_cache_end, why, n))
		return CASE_FAIL;
	EXPECT(lv_vcpu_set_cpuid(g.vcpu, first, 2) == LV_OK, "set_cpuid");
	EXPECT_OUT(&g, 0x80, 4, 0xb);
	EXPECT_OUT(&g, 0x80, 4, 0xa);
	EXPECT_OUT(&g, 0x80, 4, 0xb);
	EXPECT(lv_vcpu_set_cpuid(g.vcpu, second, 2) == LV_OK, "set_cpuid again");
	EXPECT_OUT(&g, 0x80, 4, 0xc);
	RUN_EXPECT(&g, LV_EXIT_HLT);
	guest_teardown(&g);
	return CASE_PASS;
fail:
	guest_teardown(&g);
	return CASE_FAIL;
}

#define EXPECT_MMIO(g, a, sz, wr)                                                                  \
	do {                                                                                       \
		RUN_EXPECT(g, LV_EXIT_MMIO);                                                       \
		EXPECT((g)->ex->mmio.gpa == (a) && (g)->ex->mmio.size == (sz) &&                   \
			       (g)->ex->mmio.is_write == (wr),                                     \
		       "line %d: MMIO gpa %#lx size %u write %u", __LINE__,                        \
		       (unsigned long)(g)->ex->mmio.gpa, (g)->ex->mmio.size,                       \
		       (g)->ex->mmio.is_write);                                                    \
	} while (0)

int case_mmio(struct lv_backend *b, char *why, size_t n)
{
	static const uint8_t v8[8] = { 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88 };
	struct guest g;
	unsigned i;

	if (guest_setup(&g, b, g_mmio, g_mmio_end, why, n))
		return CASE_FAIL;
	EXPECT_MMIO(&g, 0x200000, 8, 0);
	for (i = 0; i < 8; i++)
		g.ex->mmio.data[i] = v8[i];
	EXPECT_MMIO(&g, 0x200008, 4, 1);
	EXPECT(g.ex->mmio.data[0] == 0x11 && g.ex->mmio.data[3] == 0x44, "write data %02x..%02x",
	       g.ex->mmio.data[0], g.ex->mmio.data[3]);
	EXPECT_OUT(&g, 0x80, 4, 0x88776655);
	EXPECT_MMIO(&g, 0x200010, 1, 0);
	g.ex->mmio.data[0] = 0xfe;
	EXPECT_OUT(&g, 0x80, 4, 0xfe);
	EXPECT_MMIO(&g, 0x200020, 4, 0);
	g.ex->mmio.data[0] = 0x0f;
	g.ex->mmio.data[1] = 0x01;
	EXPECT_MMIO(&g, 0x200020, 4, 1);
	EXPECT(g.ex->mmio.data[0] == 0xff && g.ex->mmio.data[1] == 0x01, "RMW wrote %02x %02x",
	       g.ex->mmio.data[0], g.ex->mmio.data[1]);
	RUN_EXPECT(&g, LV_EXIT_HLT);
	guest_teardown(&g);
	return CASE_PASS;
fail:
	guest_teardown(&g);
	return CASE_FAIL;
}

int case_readonly(struct lv_backend *b, char *why, size_t n)
{
	struct guest g;

	if (guest_setup(&g, b, g_rom, g_rom_end, why, n))
		return CASE_FAIL;
	g.ram[0x30000] = 0x5a;
	EXPECT(lv_vm_protect(g.vm, 0x30000, 4096, LV_PROT_READ | LV_PROT_EXEC) == LV_OK, "protect");
	EXPECT_MMIO(&g, 0x30000, 1, 1);
	EXPECT(g.ex->mmio.data[0] == 0x77, "write data %#x", g.ex->mmio.data[0]);
	EXPECT_OUT(&g, 0x80, 1, 0x5a);
	RUN_EXPECT(&g, LV_EXIT_HLT);
	EXPECT(g.ram[0x30000] == 0x5a, "read-only RAM changed to %#x", g.ram[0x30000]);
	guest_teardown(&g);
	return CASE_PASS;
fail:
	guest_teardown(&g);
	return CASE_FAIL;
}

int case_msr(struct lv_backend *b, char *why, size_t n)
{
	static const struct lv_msr_range star = { 0xc0000081u, 1, LV_MSR_EXIT_READ };
	struct guest g;

	if (guest_setup(&g, b, g_msr, g_msr_end, why, n))
		return CASE_FAIL;
	EXPECT(lv_vm_set_msr_exits(g.vm, &star, 1) == LV_OK, "set_msr_exits");
	RUN_EXPECT(&g, LV_EXIT_RDMSR);
	EXPECT(g.ex->msr.index == 0x1234 && g.ex->msr.reason == LV_MSR_EXIT_UNKNOWN,
	       "RDMSR index %#x reason %u", g.ex->msr.index, g.ex->msr.reason);
	g.ex->msr.value = 0xaabbccdd00112233ull;
	EXPECT_OUT(&g, 0x80, 4, 0x00112233);
	EXPECT_OUT(&g, 0x80, 4, 0xaabbccdd);
	RUN_EXPECT(&g, LV_EXIT_RDMSR);
	EXPECT(g.ex->msr.index == 0xc0000081u && g.ex->msr.reason == LV_MSR_EXIT_FILTER,
	       "RDMSR index %#x reason %u", g.ex->msr.index, g.ex->msr.reason);
	g.ex->msr.value = 0x5555;
	EXPECT_OUT(&g, 0x80, 4, 0x5555);
	EXPECT_OUT(&g, 0x80, 4, 0x500); /* EFER: LME | LMA, no SVME */
	RUN_EXPECT(&g, LV_EXIT_WRMSR);
	EXPECT(g.ex->msr.index == 0x1235 && g.ex->msr.value == 0x5566778811223344ull,
	       "WRMSR index %#x value %#lx", g.ex->msr.index, (unsigned long)g.ex->msr.value);
	RUN_EXPECT(&g, LV_EXIT_HLT);
	guest_teardown(&g);
	return CASE_PASS;
fail:
	guest_teardown(&g);
	return CASE_FAIL;
}

int case_hypercall(struct lv_backend *b, char *why, size_t n)
{
	struct guest g;
	struct lv_state st;

	if (guest_setup(&g, b, g_vmmcall, g_vmmcall_end, why, n))
		return CASE_FAIL;
	RUN_EXPECT(&g, LV_EXIT_HYPERCALL);
	EXPECT(g.ex->hypercall.nr == 0x99 && g.ex->hypercall.args[0] == 7, "nr %#lx arg0 %#lx",
	       (unsigned long)g.ex->hypercall.nr, (unsigned long)g.ex->hypercall.args[0]);
	lv_vcpu_get_state(g.vcpu, LV_STATE_GPRS, &st);
	st.regs.rax = 0x5a;
	lv_vcpu_set_state(g.vcpu, LV_STATE_GPRS, &st);
	EXPECT_OUT(&g, 0x80, 1, 0x5a);
	RUN_EXPECT(&g, LV_EXIT_HLT);
	guest_teardown(&g);
	return CASE_PASS;
fail:
	guest_teardown(&g);
	return CASE_FAIL;
}

int case_exception_exit(struct lv_backend *b, char *why, size_t n)
{
	struct guest g;
	struct lv_state st;

	if (guest_setup(&g, b, g_ud2, g_ud2_end, why, n))
		return CASE_FAIL;
	EXPECT(lv_vcpu_set_exception_exits(g.vcpu, 1u << 6) == LV_OK, "set_exception_exits");
	RUN_EXPECT(&g, LV_EXIT_EXCEPTION);
	EXPECT(g.ex->exception.vector == 6 && !g.ex->exception.has_error_code, "vector %u",
	       g.ex->exception.vector);
	lv_vcpu_get_state(g.vcpu, LV_STATE_GPRS, &st);
	EXPECT(st.regs.rip == GUEST_CODE, "RIP %#lx at #UD", (unsigned long)st.regs.rip);
	st.regs.rip += 2; /* skip the UD2 */
	lv_vcpu_set_state(g.vcpu, LV_STATE_GPRS, &st);
	RUN_EXPECT(&g, LV_EXIT_HLT);
	guest_teardown(&g);
	return CASE_PASS;
fail:
	guest_teardown(&g);
	return CASE_FAIL;
}

int case_triple_fault(struct lv_backend *b, char *why, size_t n)
{
	struct lv_caps caps;
	struct guest g;

	/*
	 * Bochs 2.7 checks the SVM SHUTDOWN intercept only after its own
	 * triple-fault handling (reset, or a fatal panic with
	 * reset_on_triple_fault=0), so the exit cannot be observed there.
	 */
	lv_backend_caps(b, &caps);
	if (caps.kind == LV_BACKEND_SVM && cmdline_has("bochs")) {
		ksnprintf(why, n,
			  "Bochs 2.7 SVM resets/panics on a guest triple fault "
			  "before checking the SHUTDOWN intercept");
		return CASE_SKIP;
	}
	if (guest_setup(&g, b, g_ud2, g_ud2_end, why, n))
		return CASE_FAIL;
	RUN_EXPECT(&g, LV_EXIT_SHUTDOWN); /* #UD with IDTR.limit 0 -> #GP -> #DF -> shutdown */
	guest_teardown(&g);
	return CASE_PASS;
fail:
	guest_teardown(&g);
	return CASE_FAIL;
}

int case_entry_failed(struct lv_backend *b, char *why, size_t n)
{
	static struct lv_state st, good;
	struct guest g;
	int rc;

	if (guest_setup(&g, b, g_hlt, g_hlt_end, why, n))
		return CASE_FAIL;
	lv_vcpu_get_state(g.vcpu, LV_STATE_ALL, &good);
	st = good;
	/*
	 * 64-bit code segment with D = 1: no set_state check catches it, the
	 * hardware's entry checks do (APM 15.5.1 "CS.L and CS.D both set";
	 * SDM 26.3.1.2).
	 */
	st.segs.cs.db = 1;
	rc = lv_vcpu_set_state(g.vcpu, LV_STATE_SEGMENTS, &st);
	EXPECT(rc == LV_OK, "set_state: %s", lv_status_name(rc));
	RUN_EXPECT(&g, LV_EXIT_ENTRY_FAILED);
	EXPECT(g.ex->entry_failed.kind == LV_ENTRY_FAIL_GUEST_STATE, "kind %u",
	       g.ex->entry_failed.kind);
	ksnprintf(why, n, "raw %#lx", (unsigned long)g.ex->entry_failed.hw_reason);
	/*
	 * After a failed entry the vCPU state is undefined (QEMU writes the
	 * host's state into the VMCB save area): set every group again.
	 */
	st = good;
	EXPECT(lv_vcpu_set_state(g.vcpu, LV_STATE_ALL, &st) == LV_OK, "set_state after failure");
	RUN_EXPECT(&g, LV_EXIT_HLT);
	guest_teardown(&g);
	return CASE_PASS;
fail:
	guest_teardown(&g);
	return CASE_FAIL;
}

int case_invalid_control(struct lv_backend *b, char *why, size_t n)
{
	static struct lv_state st;
	struct guest g;
	int rc;

	if (guest_setup(&g, b, g_hlt, g_hlt_end, why, n))
		return CASE_FAIL;
	lv_vcpu_get_state(g.vcpu, LV_STATE_ALL, &st);
	st.ctrl.cr0 &= ~1ull; /* PG without PE: no CPU holds it */
	rc = lv_vcpu_set_state(g.vcpu, LV_STATE_CONTROL, &st);
	if (rc == LV_OK) {
		RUN_EXPECT(&g, LV_EXIT_ENTRY_FAILED);
	} else {
		EXPECT(rc == LV_ERR_INVAL, "set_state: %s", lv_status_name(rc));
		RUN_EXPECT(&g, LV_EXIT_HLT); /* the old state is intact */
	}
	guest_teardown(&g);
	return CASE_PASS;
fail:
	guest_teardown(&g);
	return CASE_FAIL;
}

int case_kick(struct lv_backend *b, char *why, size_t n)
{
	struct guest g;

	if (guest_setup(&g, b, g_hlt, g_hlt_end, why, n))
		return CASE_FAIL;
	EXPECT(lv_vcpu_kick(g.vcpu) == LV_OK, "kick");
	RUN_EXPECT(&g, LV_EXIT_CANCELLED);
	RUN_EXPECT(&g, LV_EXIT_HLT); /* one kick cancels one run */
	RUN_EXPECT(&g, LV_EXIT_HLT);
	guest_teardown(&g);
	return CASE_PASS;
fail:
	guest_teardown(&g);
	return CASE_FAIL;
}

int case_irq_window(struct lv_backend *b, char *why, size_t n)
{
	static const struct lv_event ev = { LV_EVENT_EXTINT, 0x30, 0, { 0, 0 }, 0, 0 };
	struct guest g;
	int rc;

	if (guest_setup(&g, b, g_irq, g_irq_end, why, n))
		return CASE_FAIL;
	guest_copy(&g, GUEST_CODE2, g_irq_handler, g_irq_handler_end);
	guest_set_idt(&g, 0x30, GUEST_CODE2);
	/*
	 * No inject while IF = 0: libvcpu.h lets an external interrupt stay
	 * queued until the guest can take it, so the outcome is not BUSY on
	 * every backend. Inject at the window instead.
	 */
	EXPECT(lv_vcpu_request_window(g.vcpu, LV_WINDOW_IRQ) == LV_OK, "request_window");
	RUN_EXPECT(&g, LV_EXIT_IRQ_WINDOW);
	EXPECT(lv_vcpu_request_window(g.vcpu, 0) == LV_OK, "clear window");
	rc = lv_vcpu_inject(g.vcpu, &ev);
	EXPECT(rc == LV_OK, "inject: %s", lv_status_name(rc));
	EXPECT_OUT(&g, 0x90, 1, 0x30);
	EXPECT_OUT(&g, 0x91, 1, 0x91);
	RUN_EXPECT(&g, LV_EXIT_HLT);
	guest_teardown(&g);
	return CASE_PASS;
fail:
	guest_teardown(&g);
	return CASE_FAIL;
}

int case_inject_exception(struct lv_backend *b, char *why, size_t n)
{
	static const struct lv_event ev = { LV_EVENT_EXCEPTION, 13, 1, { 0, 0 }, 0x1234, 0 };
	struct guest g;

	if (guest_setup(&g, b, g_hlt, g_hlt_end, why, n))
		return CASE_FAIL;
	guest_copy(&g, GUEST_CODE2, g_exc_handler, g_exc_handler_end);
	guest_set_idt(&g, 13, GUEST_CODE2);
	EXPECT(lv_vcpu_inject(g.vcpu, &ev) == LV_OK, "inject");
	EXPECT_OUT(&g, 0x92, 4, 0x1234);
	RUN_EXPECT(&g, LV_EXIT_HLT);
	guest_teardown(&g);
	return CASE_PASS;
fail:
	guest_teardown(&g);
	return CASE_FAIL;
}

static void timer_fn(void *arg)
{
	__atomic_store_n((int *)arg, 1, __ATOMIC_RELEASE);
}

/* The test kernel's own timer (used by call_later) fires: a harness check. */
int case_timer(struct lv_backend *b, char *why, size_t n)
{
	static int fired;
	unsigned long i;

	(void)b;
	fired = 0;
	if (timer_call_later(1000, timer_fn, &fired)) {
		ksnprintf(why, n, "timer busy");
		return CASE_FAIL;
	}
	for (i = 0; i < 100000000ul && !__atomic_load_n(&fired, __ATOMIC_ACQUIRE); i++)
		__asm__ volatile("pause");
	if (!fired) {
		ksnprintf(why, n, "PIT IRQ 0 never arrived");
		return CASE_FAIL;
	}
	return CASE_PASS;
}

GUEST_SNIPPET(spin);
GUEST_SNIPPET(spin_sti);

struct kick_ctx {
	struct lv_vcpu *vcpu;
	int done;
};

static void kick_fn(void *arg)
{
	struct kick_ctx *k = arg;

	lv_vcpu_kick(k->vcpu);
	__atomic_store_n(&k->done, 1, __ATOMIC_RELEASE);
}

/*
 * A kick from an interrupt handler while the guest spins: the timer IRQ
 * makes VMRUN/VMLAUNCH exit, the handler kicks, the run returns CANCELLED.
 */
static int kick_spin(struct lv_backend *b, char *why, size_t n, const uint8_t *code,
		     const uint8_t *end, int if_set)
{
	static struct kick_ctx k;
	struct guest g;

	if (!if_set && cmdline_has("bochs")) {
		struct lv_caps caps;

		lv_backend_caps(b, &caps);
		if (caps.kind == LV_BACKEND_SVM) {
			ksnprintf(why, n,
				  "Bochs 2.7 SVM: a physical interrupt does not exit a guest "
				  "running with RFLAGS.IF = 0 (V_INTR_MASKING)");
			return CASE_SKIP;
		}
	}
	if (guest_setup(&g, b, code, end, why, n))
		return CASE_FAIL;
	k.vcpu = g.vcpu;
	k.done = 0;
	EXPECT(timer_call_later(2000, kick_fn, &k) == 0, "timer busy");
	RUN_EXPECT(&g, LV_EXIT_CANCELLED);
	EXPECT(__atomic_load_n(&k.done, __ATOMIC_ACQUIRE), "cancelled before the kick");
	guest_teardown(&g);
	return CASE_PASS;
fail:
	guest_teardown(&g);
	return CASE_FAIL;
}

int case_kick_spin_if0(struct lv_backend *b, char *why, size_t n)
{
	return kick_spin(b, why, n, g_spin, g_spin_end, 0);
}

int case_kick_spin_if1(struct lv_backend *b, char *why, size_t n)
{
	return kick_spin(b, why, n, g_spin_sti, g_spin_sti_end, 1);
}

GUEST_SNIPPET(dirty);

/*
 * Dirty bits are set again after a clear (the clear flushed the TLB), a
 * read does not dirty, and an unmapped page is MMIO at once (no stale
 * translation).
 */
int case_dirty_flush(struct lv_backend *b, char *why, size_t n)
{
	struct lv_caps caps;
	struct guest g;
	uint8_t *mem;
	uint64_t pa, bm;
	int rc;

	lv_backend_caps(b, &caps);
	if (!(caps.features & LV_FEAT_DIRTY_LOG)) {
		ksnprintf(why, n, "backend has no dirty log");
		return CASE_SKIP;
	}
	mem = lv_plat_page_alloc(4, &pa);
	if (!mem)
		return CASE_FAIL;
	if (guest_setup(&g, b, g_dirty, g_dirty_end, why, n)) {
		lv_plat_page_free(mem, 4);
		return CASE_FAIL;
	}
	mem[0x1000] = 0x5c;
	rc = lv_vm_map(g.vm, mem, 0x400000, 0x4000, LV_PROT_ALL | LV_MAP_DIRTY_LOG);
	EXPECT(rc == LV_OK, "map: %s", lv_status_name(rc));
	EXPECT(lv_vm_get_dirty(g.vm, 0x400000, 0x4000, &bm) == LV_OK && bm == 0, "initial %#lx",
	       (unsigned long)bm);
	RUN_EXPECT(&g, LV_EXIT_IO);
	EXPECT(lv_vm_get_dirty(g.vm, 0x400000, 0x4000, &bm) == LV_OK && bm == 1,
	       "after first write %#lx", (unsigned long)bm);
	RUN_EXPECT(&g, LV_EXIT_IO);
	EXPECT(lv_vm_get_dirty(g.vm, 0x400000, 0x4000, &bm) == LV_OK && bm == 1,
	       "after second write %#lx (dirty bit not set again)", (unsigned long)bm);
	EXPECT(mem[0] == 2, "memory %#x", mem[0]);
	EXPECT_OUT(&g, 0x80, 1, 0x5c);
	EXPECT(lv_vm_get_dirty(g.vm, 0x400000, 0x4000, &bm) == LV_OK && bm == 0, "after read %#lx",
	       (unsigned long)bm);
	EXPECT(lv_vm_unmap(g.vm, 0x400000, 0x1000) == LV_OK, "unmap");
	EXPECT_MMIO(&g, 0x400000, 1, 0);
	g.ex->mmio.data[0] = 0xa7;
	EXPECT_OUT(&g, 0x81, 1, 0xa7);
	RUN_EXPECT(&g, LV_EXIT_HLT);
	guest_teardown(&g);
	lv_plat_page_free(mem, 4);
	return CASE_PASS;
fail:
	guest_teardown(&g);
	lv_plat_page_free(mem, 4);
	return CASE_FAIL;
}

struct remote_ctx {
	struct guest *g;
	int started;
	int rc;
};

static void remote_run(void *arg, unsigned i)
{
	struct remote_ctx *r = arg;

	(void)i;
	__atomic_store_n(&r->started, 1, __ATOMIC_RELEASE);
	r->rc = guest_run(r->g);
}

/*
 * Kick from another CPU: the vCPU spins (IF = 0) on the second CPU, the
 * boot CPU kicks it; the kick IPI makes VMRUN exit and the run returns
 * CANCELLED.
 */
int case_kick_remote(struct lv_backend *b, char *why, size_t n)
{
	static struct remote_ctx r;
	struct guest g;

	if (smp_cpus() < 2) { /* not planned then (tcase.cpus) */
		ksnprintf(why, n, "started without a second CPU");
		return CASE_FAIL;
	}
	if (guest_setup(&g, b, g_spin, g_spin_end, why, n))
		return CASE_FAIL;
	r.g = &g;
	r.started = 0;
	r.rc = -1;
	EXPECT(smp_run_on_ap(remote_run, &r, 1) == 0, "AP busy");
	while (!__atomic_load_n(&r.started, __ATOMIC_ACQUIRE))
		__asm__ volatile("pause");

	for (unsigned long i = 0; i < 2000000ul; i++) /* let it enter the guest */
		__asm__ volatile("pause");
	EXPECT(lv_vcpu_kick(g.vcpu) == LV_OK, "kick");

	smp_wait_ap();
	EXPECT(r.rc == LV_EXIT_CANCELLED, "run on the AP ended with %d, want CANCELLED", r.rc);
	/* The same vCPU now runs on the boot CPU: a kick before the run cancels it there. */
	EXPECT(lv_vcpu_kick(g.vcpu) == LV_OK, "kick");
	RUN_EXPECT(&g, LV_EXIT_CANCELLED);
	guest_teardown(&g);
	return CASE_PASS;
fail:
	guest_teardown(&g);
	return CASE_FAIL;
}

/*
 * An external interrupt injected while the guest has IF = 0 stays queued
 * and is delivered once the guest executes STI (libvcpu.h).
 */
int case_irq_queued(struct lv_backend *b, char *why, size_t n)
{
	static const struct lv_event ev = { LV_EVENT_EXTINT, 0x30, 0, { 0, 0 }, 0, 0 };
	struct guest g;
	int rc;

	if (guest_setup(&g, b, g_irq, g_irq_end, why, n))
		return CASE_FAIL;
	guest_copy(&g, GUEST_CODE2, g_irq_handler, g_irq_handler_end);
	guest_set_idt(&g, 0x30, GUEST_CODE2);
	rc = lv_vcpu_inject(g.vcpu, &ev);
	EXPECT(rc == LV_OK, "inject with IF = 0: %s", lv_status_name(rc));
	EXPECT_OUT(&g, 0x90, 1, 0x30);
	EXPECT_OUT(&g, 0x91, 1, 0x91);
	RUN_EXPECT(&g, LV_EXIT_HLT);
	guest_teardown(&g);
	return CASE_PASS;
fail:
	guest_teardown(&g);
	return CASE_FAIL;
}
