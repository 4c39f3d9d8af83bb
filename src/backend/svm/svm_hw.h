/* SPDX-License-Identifier: MIT */
/* SVM-only instructions (ring 0); the common ones are in ../x86/x86_insn.h. */
#ifndef LV_SVM_HW_H
#define LV_SVM_HW_H

#include <stdint.h>

#include "../x86/x86_insn.h"

static inline void svm_clgi(void)
{
	__asm__ volatile("clgi" ::: "memory");
}

static inline void svm_stgi(void)
{
	__asm__ volatile("stgi" ::: "memory");
}

#endif /* LV_SVM_HW_H */
