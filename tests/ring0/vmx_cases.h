/* SPDX-License-Identifier: MIT */
/* VMX-specific cases of the ring-0 test kernel (vmx_cases.c). */
#ifndef LV_RING0_VMX_CASES_H
#define LV_RING0_VMX_CASES_H

#include "kernel.h"

extern const struct tcase vmx_cases[];
extern const unsigned vmx_ncases;

/* Print "LVT VMXPROBE open=<status>" for lv_backend_open(LV_BACKEND_VMX). */
void vmx_probe_line(void);

#endif
