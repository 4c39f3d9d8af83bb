/* SPDX-License-Identifier: MIT */
/*
 * vcpu-run's exit handling (examples/vmm/dispatch.c) compiled into a test
 * with the device models it calls, and vmm_log() collecting its messages
 * in `logged` (clear it before each check). Header-only: include it once.
 */
#ifndef LV_TEST_VMM_DISPATCH_H
#define LV_TEST_VMM_DISPATCH_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../../examples/vmm/dispatch.c"
#include "../../examples/vmm/fw_cfg.c"
#include "../../examples/vmm/i8042.c"
#include "../../examples/vmm/ioapic.c"
#include "../../examples/vmm/pci.c"
#include "../../examples/vmm/pci_testdev.c"
#include "../../examples/vmm/pm.c"
#include "../../examples/vmm/rtc.c"
#include "../../examples/vmm/testdev.c"
#include "../../examples/vmm/uart.c"

static char logged[1024];

void vmm_log(const char *fmt, ...)
{
	size_t n = strlen(logged);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(logged + n, sizeof(logged) - n, fmt, ap);
	va_end(ap);
}

#endif /* LV_TEST_VMM_DISPATCH_H */
