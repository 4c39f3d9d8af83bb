/* SPDX-License-Identifier: MIT */
/*
 * Forced into libvcpu's and the conformance suite's objects (Kbuild),
 * after the kernel's own <linux/compiler_types.h>: the sources spell GNU
 * attributes the usual way, __attribute__((noinline)), and the kernel
 * defines noinline as a macro (to __attribute__((__noinline__))), which
 * would nest two attribute lists. These objects include no kernel header
 * that needs the macro.
 */
#undef noinline
