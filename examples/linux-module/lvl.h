/* SPDX-License-Identifier: MIT */
/*
 * lv_linux.ko internals: libvcpu's platform seam on Linux (lvl_plat.c), the
 * module's life cycle and debugfs files (lvl_main.c), the conformance
 * suite's harness (lvl_conf.c) and VMs kept alive on request (lvl_hold.c).
 */
#ifndef LVL_H
#define LVL_H

#include <linux/types.h>

#include <libvcpu/libvcpu.h>

/* The backend, opened and enabled on every online CPU at load. */
extern struct lv_backend *lvl_backend;

/* lvl_plat.c: what the seam has handed out and not got back. */
long lvl_pages_live(void);
long lvl_allocs_live(void);
unsigned long lvl_kicks(void);
/* lvl_plat.c: cancel the per-CPU timers of lv_plat_timer() (module unload). */
void lvl_plat_exit(void);

/*
 * lvl_conf.c: run the suite (all cases, or the one named @p only) in a
 * kernel thread that is not bound to a CPU, and wait for it. The output,
 * one line per case and the totals, goes to @p buf (NUL-terminated).
 * @return 0, or a negative errno when the run could not start.
 */
int lvl_conf_run(const char *only, char *buf, size_t size);

/* lvl_hold.c: create @p n VMs with one vCPU each that stay until lvl_hold_release(). */
int lvl_hold(unsigned int n);
/* Destroy every held VM; @return how many there were. */
unsigned int lvl_hold_release(void);
unsigned int lvl_hold_count(void);

#endif /* LVL_H */
