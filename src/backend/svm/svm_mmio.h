/* SPDX-License-Identifier: MIT */
/*
 * SVM backend: nested page faults, MMIO and string-IO emulation through the
 * core's instruction emulator (neither QEMU nor Bochs has decode assists,
 * so the instruction is always fetched through the guest's page tables).
 */
#ifndef LV_SVM_MMIO_H
#define LV_SVM_MMIO_H

#include "../../core/internal.h"

/* Return values as the exit handlers in svm_run.c: 0 = guest, 1 = caller. */
int lv_svm_npf(struct lv_vcpu *v);
int lv_svm_mmio_start(struct lv_vcpu *v, int is_io);
int lv_svm_mmio_resume(struct lv_vcpu *v);

/*
 * Read @n (<= 15) instruction bytes at the guest's CS:RIP through its page
 * tables and the memory-slot table. @return LV_OK, or LV_ERR_NOENT when
 * they are not in RAM or do not translate.
 */
int lv_svm_fetch(struct lv_vcpu *v, uint8_t *buf, unsigned n);

#endif /* LV_SVM_MMIO_H */
