/* SPDX-License-Identifier: MIT */
/*
 * The conformance suite: guest programs with their expected exit sequences,
 * driven only through the public API (libvcpu.h), so the same cases run on
 * every backend. The runner is freestanding-capable C: it needs memset /
 * memcpy and nothing else from its host; everything else comes through the
 * hooks below.
 *
 * Hosted harness (label `kvm`): host_kvm.c. Ring-0 test kernels link the
 * sources listed in ${LV_CONFORMANCE_SOURCES} (CMake) and call
 * lv_conformance_run() with their own hooks.
 */
#ifndef LV_CONFORMANCE_H
#define LV_CONFORMANCE_H

#include <stddef.h>
#include <stdint.h>

#include <libvcpu/libvcpu.h>

/* What the harness provides. */
struct lv_conf_host {
	void *ctx; /* passed to every hook */
	/* Print @p s (a fragment; the runner emits the '\n' itself). Required. */
	void (*print)(void *ctx, const char *s);
	/*
	 * Guest RAM for lv_vm_map(): @p size bytes (a multiple of 2 MiB or of
	 * 4 KiB), zeroed, 4 KiB-aligned (2 MiB-aligned for multiples of 2 MiB
	 * where possible), valid until mem_free. NULL on failure. Required.
	 */
	void *(*mem_alloc)(void *ctx, size_t size);
	void (*mem_free)(void *ctx, void *p, size_t size); /* Required. */
	/*
	 * Optional (NULL = not available; the cases that need it SKIP): call
	 * fn(arg, i) for i = 0 .. n-1 on n threads / CPUs at the same time and
	 * return 0 when every call has returned (nonzero if it could not).
	 */
	int (*parallel)(void *ctx, unsigned n, void (*fn)(void *arg, unsigned i), void *arg);
	/*
	 * Optional: call fn(arg) once, from another thread / CPU / an interrupt
	 * handler, about @p usec microseconds from now, while the caller goes
	 * on. Return 0 if it was scheduled.
	 */
	int (*call_later)(void *ctx, uint32_t usec, void (*fn)(void *arg), void *arg);
	/*
	 * Optional (ring 0): @p check = 0: load XMM0-15 (and YMM0-15 where
	 * the host has AVX enabled) of the calling CPU from @p pat, 16 slots
	 * of 32 bytes (XMM = the first 16 of each); @p check = 1: return 0
	 * when they still hold @p pat. Keeping the host's registers across
	 * lv_vcpu_run() is the raw backends' promise; a hosted harness leaves
	 * this NULL (its registers are its compiler's and C library's, and
	 * the kernel keeps them for the KVM ioctl).
	 */
	int (*host_fpu)(void *ctx, int check, const uint8_t *pat);
	/*
	 * Optional (NULL: the host's side is not observable, as in user
	 * space; the isolation cases then check the guest's side only): read
	 * (@p write 0) or write (@p write 1) register @p reg (LV_CONF_HOST_*)
	 * of the CPU the cases run on. Return 0 on success.
	 */
	int (*host_reg)(void *ctx, unsigned reg, int write, uint64_t *value);
	/* Optional: run only the case with this name (NULL = all). */
	const char *only;
};

/*
 * Host registers of lv_conf_host.host_reg: DR0-DR3 (0-3), DR7, CR8 (the
 * TPR), TSC_AUX (MSR C000_0103h; read only, and -1 where the CPU has none),
 * and the MSRs SYSCALL and SWAPGS use: STAR, LSTAR, SFMASK and
 * KERNEL_GS_BASE (C000_0081h, 0082h, 0084h, 0102h).
 */
enum {
	LV_CONF_HOST_DR0 = 0,
	LV_CONF_HOST_DR7 = 7,
	LV_CONF_HOST_CR8 = 8,
	LV_CONF_HOST_TSC_AUX = 9,
	LV_CONF_HOST_STAR = 10,
	LV_CONF_HOST_LSTAR = 11,
	LV_CONF_HOST_SFMASK = 12,
	LV_CONF_HOST_KERNEL_GS_BASE = 13,
};

/* Counts of one run. */
struct lv_conf_summary {
	unsigned passed, failed, skipped;
};

/*
 * Run the cases on backend @p b (opened by the harness; in ring 0 the
 * calling CPU must be enabled). Prints "PASS name", "FAIL name: why" or
 * "SKIP name: why" per case and a final "N passed, N failed, N skipped".
 * @return the number of failed cases (0 = success).
 */
int lv_conformance_run(struct lv_backend *b, const struct lv_conf_host *host,
		       struct lv_conf_summary *out);

/* Number of cases and the name of case @p i (for listing). */
unsigned lv_conformance_count(void);
const char *lv_conformance_name(unsigned i);

/*
 * Why case @p name cannot run on an SVM guest of QEMU 7.2 TCG (a ring-0
 * harness there skips it with this reason), or NULL.
 */
const char *lv_conformance_qemu_tcg_skip(const char *name);

#endif /* LV_CONFORMANCE_H */
