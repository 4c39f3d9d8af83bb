/* SPDX-License-Identifier: MIT */
/*
 * <stdint.h> for libvcpu's sources inside a Linux kbuild module. Kbuild
 * compiles with -nostdinc and a hosted -std=gnu11, so the compiler's own
 * <stdint.h> would look for a C library's; and the module's glue sees the
 * kernel's uint64_t (unsigned long long). Taking the fixed-width types from
 * <linux/types.h> gives every object of the module the same ones.
 */
#ifndef LV_LINUX_STDINT_H
#define LV_LINUX_STDINT_H
#include <linux/types.h>
#endif
