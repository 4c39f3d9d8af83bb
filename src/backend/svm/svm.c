/* SPDX-License-Identifier: MIT */
/*
 * SVM backend (ring 0): probe, capabilities and per-CPU enable/disable (the
 * vendor hooks open, close, cpu_enable and cpu_disable of x86_vcpu.h). AMD64 APM Vol. 2, chapter 15 "Secure Virtual Machine".
 */
#include "../../core/cpuid.h"
#include "../../core/lvlib.h"
#include "svm_hw.h"
#include "svm_priv.h"

/*
 * Probe (APM Vol. 2, 15.4 "Enabling SVM"): CPUID Fn8000_0001_ECX[SVM] and
 * Fn8000_000A_EDX[NP] (the backend always uses nested paging). VM_CR is
 * read at lv_cpu_enable() time, on the CPU being enabled.
 */
int lv_svm_open(struct lv_backend *b)
{
	struct svm_backend *sb;
	uint32_t a, bx, c, d, ncpus, phys_bits = 40;
	uint64_t pa;

	lv_cpuid(0x80000000u, 0, &a, &bx, &c, &d);
	if (a < 0x8000000Au)
		return lv_backend_fail(b, LV_ERR_NODEV, LV_OPEN_NO_CPU_SUPPORT, 0, 0,
				       "this CPU has no CPUID leaf 8000_000Ah: no SVM", "");
	if (a >= 0x80000008u) {
		lv_cpuid(0x80000008u, 0, &a, &bx, &c, &d);
		phys_bits = a & 0xff;
	}
	lv_cpuid(0x80000001u, 0, &a, &bx, &c, &d);
	if (!(c & (1u << 2))) /* CPUID Fn8000_0001_ECX[SVM] */
		return lv_backend_fail(b, LV_ERR_NODEV, LV_OPEN_NO_CPU_SUPPORT, 0, 0,
				       "this CPU offers no SVM (CPUID 8000_0001h:ECX.SVM is clear)",
				       "");
	lv_cpuid(0x8000000Au, 0, &a, &bx, &c, &d);
	if (!(d & CPUID_SVM_NP)) /* nested paging is required */
		return lv_backend_fail(
			b, LV_ERR_NODEV, LV_OPEN_NO_CPU_SUPPORT, 0, d,
			"this CPU's SVM has no nested paging (CPUID 8000_000Ah:EDX.NP)", "");
	if (bx < 2) /* and one guest ASID */
		return lv_backend_fail(
			b, LV_ERR_NODEV, LV_OPEN_NO_CPU_SUPPORT, 0, bx,
			"this CPU's SVM has no ASID for a guest (CPUID 8000_000Ah:EBX)", "");

	ncpus = lv_plat_cpu_count();
	if (!ncpus)
		return LV_ERR_INVAL;
	sb = lv_plat_alloc(sizeof(*sb));
	if (!sb)
		return LV_ERR_NOMEM;
	sb->features = d;
	sb->nasids = bx;
	sb->ncpus = ncpus;
	sb->host_nx = (lv_rdmsr(MSR_EFER) & EFER_NXE) != 0;
	sb->cpus = lv_plat_alloc(ncpus * sizeof(*sb->cpus));
	/* IOPM: every port intercepted, shared by all VMs (APM 15.10.1). */
	sb->iopm = lv_plat_page_alloc(SVM_IOPM_PAGES, &pa);
	if (!sb->cpus || !sb->iopm) {
		if (sb->iopm)
			lv_plat_page_free(sb->iopm, SVM_IOPM_PAGES);
		lv_plat_free(sb->cpus);
		lv_plat_free(sb);
		return LV_ERR_NOMEM;
	}
	memset(sb->iopm, 0xff, SVM_IOPM_PAGES * LV_PAGE_SIZE);
	sb->iopm_pa = pa;

	b->priv = sb;
	b->caps.kind = LV_BACKEND_SVM;
	b->caps.max_vcpus = 64;
	b->caps.max_slots = 64;
	b->caps.guest_phys_bits = phys_bits > 48 ? 48 : phys_bits; /* 4-level NPT */
	b->caps.page_sizes = (1ull << 12) | (1ull << 21);
	/* Real mode and unpaged protected mode run natively under NPT (APM 15.25). */
	b->caps.features = LV_FEAT_RING0 | LV_FEAT_UNRESTRICTED_GUEST | LV_FEAT_NESTED_PAGING |
			   LV_FEAT_TLB_TAGGED | LV_FEAT_CPUID_EXIT | LV_FEAT_MSR_EXIT |
			   LV_FEAT_IRQ_WINDOW | LV_FEAT_NMI_WINDOW | LV_FEAT_HYPERCALL_EXIT |
			   LV_FEAT_READONLY_MEM | LV_FEAT_DIRTY_LOG | LV_FEAT_SINGLESTEP;
	if (sb->host_nx)
		b->caps.features |= LV_FEAT_NOEXEC_MEM;
	b->caps.exception_exits = ~(1u << 2); /* vector 2 is NMI, not an exception */
	b->caps.num_asids = bx;
	b->caps.raw[0] = d;
	b->caps.raw[1] = bx;
	b->caps.raw[2] = a;
	return LV_OK;
}

void lv_svm_close(struct lv_backend *b)
{
	struct svm_backend *sb = b->priv;

	lv_plat_page_free(sb->iopm, SVM_IOPM_PAGES);
	lv_plat_free(sb->cpus);
	lv_plat_free(sb);
	b->priv = NULL;
}

/*
 * Enable SVM on this CPU (APM Vol. 2, 15.4): refuse when VM_CR.SVMDIS is set
 * (firmware disabled SVM, 15.30.1), set EFER.SVME, and give the CPU its
 * host-save area in VM_HSAVE_PA (15.30.4). VM_CR is architectural on every
 * CPU with SVM; an emulator that lacks it raises #GP here, which the
 * embedder must handle (the ring-0 test kernel does, for Bochs).
 */
int lv_svm_cpu_enable(struct lv_backend *b)
{
	struct svm_backend *sb = b->priv;
	uint32_t id = lv_plat_cpu_id();
	struct svm_cpu *c;
	uint64_t efer, old_gen;

	if (id >= sb->ncpus)
		return LV_ERR_INVAL;
	c = &sb->cpus[id];
	if (c->enabled)
		return LV_ERR_EXIST;
	if (lv_rdmsr(MSR_VM_CR) & VM_CR_SVMDIS)
		return LV_ERR_DISABLED;
	c->hsave = lv_plat_page_alloc(1, &c->hsave_pa);
	c->host_save = lv_plat_page_alloc(1, &c->host_save_pa);
	if (!c->hsave || !c->host_save) {
		if (c->hsave)
			lv_plat_page_free(c->hsave, 1);
		if (c->host_save)
			lv_plat_page_free(c->host_save, 1);
		c->hsave = c->host_save = NULL;
		return LV_ERR_NOMEM;
	}
	old_gen = c->asid.generation;
	if (lv_asid_cpu_init(&c->asid, id, sb->nasids) != LV_OK) {
		lv_plat_page_free(c->hsave, 1);
		lv_plat_page_free(c->host_save, 1);
		c->hsave = c->host_save = NULL;
		return LV_ERR_NODEV;
	}
	if (old_gen) {
		/*
		 * Enabled again: a generation no vCPU holds (no entry fast-path
		 * key matches, svm_run.c), and the first ASID handed out wraps
		 * the allocator, which flushes every ASID once.
		 */
		c->asid.generation = old_gen + 1;
		c->asid.next = c->asid.count;
	}
	efer = lv_rdmsr(MSR_EFER);
	c->saved_efer = efer;
	lv_wrmsr(MSR_EFER, efer | EFER_SVME);
	lv_wrmsr(MSR_VM_HSAVE_PA, c->hsave_pa);
	c->host_tsc_aux = lv_x86_host_tsc_aux(); /* put back after exits (x86_aux.c) */
	c->enabled = 1;
	return LV_OK;
}

int lv_svm_cpu_disable(struct lv_backend *b)
{
	struct svm_backend *sb = b->priv;
	uint32_t id = lv_plat_cpu_id();
	struct svm_cpu *c;

	if (id >= sb->ncpus || !sb->cpus[id].enabled)
		return LV_ERR_STATE;
	c = &sb->cpus[id];
	lv_wrmsr(MSR_VM_HSAVE_PA, 0);
	/* Leave EFER.SVME as lv_cpu_enable() found it. */
	lv_wrmsr(MSR_EFER, (lv_rdmsr(MSR_EFER) & ~EFER_SVME) | (c->saved_efer & EFER_SVME));
	lv_plat_page_free(c->hsave, 1);
	lv_plat_page_free(c->host_save, 1);
	c->hsave = c->host_save = NULL;
	c->enabled = 0;
	c->asid.generation++; /* no entry fast-path key for this CPU matches any more */
	return LV_OK;
}
