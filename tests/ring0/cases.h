/* SPDX-License-Identifier: MIT */
/* The test kernel's case table and guest helpers. */
#ifndef LV_RING0_CASES_H
#define LV_RING0_CASES_H

#include "kernel.h"

extern const struct tcase cases[];
extern const unsigned ncases;

int cmdline_has(const char *w);

/* conf_hooks.c (with LV_RING0_CONFORMANCE): the conformance suite's cases. */
unsigned conf_count(void);
void conf_run(struct lv_backend *b, unsigned *pass, unsigned *fail, unsigned *skip);

#endif
