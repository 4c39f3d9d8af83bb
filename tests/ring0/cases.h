/* SPDX-License-Identifier: MIT */
/* The test kernel's case table and guest helpers. */
#ifndef LV_RING0_CASES_H
#define LV_RING0_CASES_H

#include "kernel.h"

extern const struct tcase cases[];
extern const unsigned ncases;

int cmdline_has(const char *w);

#endif
