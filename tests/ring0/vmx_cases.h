/* SPDX-License-Identifier: MIT */
/* VMX-specific cases of the ring-0 test kernel (vmx_cases.c). */
#ifndef LV_RING0_VMX_CASES_H
#define LV_RING0_VMX_CASES_H

#include "kernel.h"

/* A VM with 2 MiB of RAM at GPA 0 and one vCPU (vmx_cases.c). */
struct gvm {
	struct lv_vm *vm;
	struct lv_vcpu *vcpu;
	uint8_t *mem;
	struct lv_exit *ex;
};

#define GVM_CODE 0x10000u /* where gvm_open() copies the code; the first RIP (64-bit) */

/* Nonzero when @p b is the VMX backend. */
int is_vmx(struct lv_backend *b);
/* Open @p g with @p code at GVM_CODE, in 64-bit (@p mode 64) or real mode; -1 with @p why set. */
int gvm_open(struct lv_backend *b, struct gvm *g, const void *code, size_t len, int mode, char *why,
	     size_t n);
void gvm_close(struct gvm *g);
/* One lv_vcpu_run(); -1 with @p why set unless the exit is @p want. */
int gvm_run(struct gvm *g, uint32_t want, char *why, size_t n);

/* vmx_lazy.c: the VMCS kept active between runs, moved between CPUs. */
int case_vmx_migrate(struct lv_backend *b, char *why, size_t n);
int case_vmx_state_remote(struct lv_backend *b, char *why, size_t n);
int case_vmx_destroy_remote(struct lv_backend *b, char *why, size_t n);
int case_vmx_cpu_cycle(struct lv_backend *b, char *why, size_t n);
int case_vmx_two_vmcs_ap(struct lv_backend *b, char *why, size_t n);

extern const struct tcase vmx_cases[];
extern const unsigned vmx_ncases;

/* Print "LVT VMXPROBE open=<status>" for lv_backend_open(LV_BACKEND_VMX). */
void vmx_probe_line(void);

#endif
