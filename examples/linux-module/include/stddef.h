/* SPDX-License-Identifier: MIT */
/* <stddef.h> for libvcpu's sources in the kbuild module: the kernel's (see stdint.h). */
#ifndef LV_LINUX_STDDEF_H
#define LV_LINUX_STDDEF_H
#include <linux/stddef.h>
#include <linux/types.h>
#endif
