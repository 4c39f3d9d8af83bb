/* SPDX-License-Identifier: MIT */
/* Backends of the freestanding archive, in probe order (each probes CPUID). */
#include "../core/internal.h"

extern const struct lv_backend_ops lv_vmx_ops;
extern const struct lv_backend_ops lv_svm_ops;

const struct lv_backend_ops *const lv_backend_registry[] = { &lv_vmx_ops, &lv_svm_ops, NULL };
