/* SPDX-License-Identifier: MIT */
/**
 * @file hosted.h
 * @brief Extras of the hosted archive (`libvcpu.a`) only: the log hook and
 *        the allocation hooks that host tests use.
 *
 * The hosted archive implements the platform seam (platform.h) on top of
 * libc: pages come from aligned_alloc() and "physical" addresses are the
 * virtual addresses themselves. None of this exists in the freestanding
 * archive, whose embedder implements the seam.
 */
#ifndef LIBVCPU_HOSTED_H
#define LIBVCPU_HOSTED_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Log callback: @p level is an #lv_log_level, @p msg one line. */
typedef void (*lv_log_fn)(int level, const char *msg);

/**
 * Install a log hook (NULL = silent, the default). The library never prints
 * by itself. Not thread-safe against concurrent library calls: set it once
 * at start-up.
 */
void lv_hosted_set_log_hook(lv_log_fn fn);

/**
 * Test hook: make the allocation after the next @p n succeed-ful ones fail
 * (n = 0: the very next allocation fails); a negative @p n disables failure
 * injection (the default). Covers lv_plat_alloc() and lv_plat_page_alloc().
 * Thread-safe.
 */
void lv_hosted_fail_alloc_after(long n);

/** Number of seam allocations (objects + page runs) currently outstanding. */
long lv_hosted_allocs_outstanding(void);

#ifdef __cplusplus
}
#endif

#endif /* LIBVCPU_HOSTED_H */
