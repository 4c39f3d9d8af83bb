/* SPDX-License-Identifier: MIT */
/* <stdarg.h> for libvcpu's sources in the kbuild module: the kernel's. */
#ifndef LV_LINUX_STDARG_H
#define LV_LINUX_STDARG_H
#include <linux/stdarg.h>
#endif
