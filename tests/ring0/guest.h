/* SPDX-License-Identifier: MIT */
/* A tiny 64-bit guest for the smoke cases: RAM, page tables, GDT, IDT, state. */
#ifndef LV_RING0_GUEST_H
#define LV_RING0_GUEST_H

#include "kernel.h"

#define GUEST_RAM_SIZE 0x100000u /* 1 MiB at GPA 0 */
#define GUEST_PML4     0x1000u
#define GUEST_GDT      0x4000u
#define GUEST_IDT      0x5000u
#define GUEST_CODE     0x10000u
#define GUEST_CODE2    0x11000u /* second snippet (handlers) */
#define GUEST_STACK    0x80000u

struct guest {
	struct lv_vm *vm;
	struct lv_vcpu *vcpu;
	uint8_t *ram;
	struct lv_exit *ex;
};

/* Create VM + vCPU 0, map RAM, build tables, copy @code to GUEST_CODE, set long-mode state. */
int guest_setup(struct guest *g, struct lv_backend *b, const void *code, const void *code_end,
		char *why, size_t n);
void guest_teardown(struct guest *g);
/* Copy a snippet to @gpa. */
void guest_copy(struct guest *g, uint32_t gpa, const void *code, const void *code_end);
/* IDT gate @vec -> @handler_gpa, and IDTR limit covering all 256 gates. */
void guest_set_idt(struct guest *g, unsigned vec, uint64_t handler_gpa);
/* lv_vcpu_run(); returns the exit reason, or a negative status. */
int guest_run(struct guest *g);

/* Helpers for cases: fail with a message unless @cond. Needs labels `fail` and `g`/`why`/`n`. */
#define EXPECT(cond, ...)                                                                          \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			ksnprintf(why, n, __VA_ARGS__);                                            \
			goto fail;                                                                 \
		}                                                                                  \
	} while (0)

/* Run and expect exit reason @r. */
#define RUN_EXPECT(g, r)                                                                           \
	do {                                                                                       \
		int rr_ = guest_run(g);                                                            \
		EXPECT(rr_ == (int)(r), "line %d: exit %s (%d) raw %#lx/%#lx, want %s", __LINE__,  \
		       rr_ >= 0 ? lv_exit_reason_name((uint32_t)rr_) : lv_status_name(rr_), rr_,   \
		       (unsigned long)(g)->ex->raw.reason, (unsigned long)(g)->ex->raw.qual,       \
		       lv_exit_reason_name(r));                                                    \
	} while (0)

#define GUEST_SNIPPET(name) extern const uint8_t g_##name[], g_##name##_end[]

#endif
