/* SPDX-License-Identifier: MIT */
/* Backends of the hosted archive, in probe order. */
#include "../core/internal.h"

extern const struct lv_backend_ops lv_kvm_ops;

const struct lv_backend_ops *const lv_backend_registry[] = { &lv_kvm_ops, NULL };
