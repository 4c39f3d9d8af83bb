/* SPDX-License-Identifier: MIT */
/* The test kernel's case table and guest helpers. */
#ifndef LV_RING0_CASES_H
#define LV_RING0_CASES_H

#include "kernel.h"

extern const struct tcase cases[];
extern const unsigned ncases;

int cmdline_has(const char *w);
/* fpu.c: the kernel's x87/SSE/AVX setup and the conformance harness's host_fpu hook. */
void host_fpu_init(void);
int host_fpu_hook(void *ctx, int check, const uint8_t *pat);

/* conf_hooks.c (with LV_RING0_CONFORMANCE): the conformance suite's cases. */
unsigned conf_count(void);
void conf_run(struct lv_backend *b, unsigned *pass, unsigned *fail, unsigned *skip);

#endif
