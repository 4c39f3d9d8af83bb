/* SPDX-License-Identifier: MIT */
/*
 * The few libc functions the freestanding archive may use (the embedder or
 * the compiler's runtime supplies them), declared here so that no libc
 * header is included by freestanding code.
 */
#ifndef LV_CORE_LVLIB_H
#define LV_CORE_LVLIB_H

#include <stddef.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);

#define LV_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define LV_MIN(a, b)	 ((a) < (b) ? (a) : (b))
#define LV_MAX(a, b)	 ((a) > (b) ? (a) : (b))

#endif /* LV_CORE_LVLIB_H */
