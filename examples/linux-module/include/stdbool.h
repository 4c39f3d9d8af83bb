/* SPDX-License-Identifier: MIT */
/* <stdbool.h> for libvcpu's sources in the kbuild module: the kernel's bool, true, false. */
#ifndef LV_LINUX_STDBOOL_H
#define LV_LINUX_STDBOOL_H
#include <linux/stddef.h>
#include <linux/types.h>
#endif
