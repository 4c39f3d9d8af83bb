/* SPDX-License-Identifier: MIT */
/*
 * Conformance suite internals: the case table, the expected-exit scripts and
 * the support code every case uses. Freestanding: <stdint.h>, <stddef.h>,
 * <stdarg.h>, the public API and memset/memcpy only.
 */
#ifndef LV_CONF_H
#define LV_CONF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <libvcpu/libvcpu.h>
#include <libvcpu/paging.h>

#include "lv_conformance.h"

void *memset(void *s, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);

/* ---- guest memory layout (see guests/common.inc) ---------------------- */
#define CONF_RAM_SIZE	0x200000u /* one allocation; GPA = offset */
#define CONF_HOLE_START 0xc0000u  /* [hole start, hole end) is not mapped: MMIO */
#define CONF_HOLE_END	0x100000u
#define CONF_GDT	0x800u
#define CONF_PML4	0x1000u /* guest page tables: [CONF_PML4, CONF_PT_END) */
#define CONF_PT_END	0x5000u
#define CONF_STACK	0x7000u
#define CONF_CODE	0x8000u
#define CONF_CODE_MAX	0x8000u
#define CONF_MMIO	0xc0000u

enum conf_mode { MODE_REAL = 0, MODE_PROT32 = 1, MODE_LONG64 = 2 };

/* ---- expected exits ---------------------------------------------------- */
enum step_kind {
	S_END = 0,
	S_IO,
	S_MMIO,
	S_HLT,
	S_SHUTDOWN,
	S_RDMSR,
	S_WRMSR,
	S_CPUID,
	S_EXC,
	S_IRQWIN,
	S_DEBUG,
	S_CANCELLED,
	S_ACTION,
	S_NMIWIN,
};

struct conf_ctx;

/*
 * One device-visible access or exit. IO and MMIO steps are single accesses
 * (a string IO exit with count N consumes N steps). For guest writes @p value
 * is what must arrive; for guest reads it is what the host answers.
 */
struct step {
	uint8_t kind;
	uint8_t size;  /* IO/MMIO access size; RDMSR: 1 = answer with #GP */
	uint8_t write; /* 1 = the guest writes */
	uint8_t pad_;
	uint32_t num;	/* IO port, MSR index, exception vector, CPUID leaf */
	uint64_t addr;	/* MMIO gpa; DEBUG: pc (0 = any); CPUID: EBX:EAX */
	uint64_t value; /* data; CPUID: EDX:ECX */
	int (*action)(struct conf_ctx *c, struct lv_vcpu *v);
};

#define IO_OUT(p, s, v)                                                                            \
	{                                                                                          \
		S_IO, (s), 1, 0, (p), 0, (v), NULL                                                 \
	}
#define IO_IN(p, s, v)                                                                             \
	{                                                                                          \
		S_IO, (s), 0, 0, (p), 0, (v), NULL                                                 \
	}
#define MMIO_W(a, s, v)                                                                            \
	{                                                                                          \
		S_MMIO, (s), 1, 0, 0, (a), (v), NULL                                               \
	}
#define MMIO_R(a, s, v)                                                                            \
	{                                                                                          \
		S_MMIO, (s), 0, 0, 0, (a), (v), NULL                                               \
	}
#define X_HLT                                                                                      \
	{                                                                                          \
		S_HLT, 0, 0, 0, 0, 0, 0, NULL                                                      \
	}
#define X_SHUTDOWN                                                                                 \
	{                                                                                          \
		S_SHUTDOWN, 0, 0, 0, 0, 0, 0, NULL                                                 \
	}
#define X_RDMSR(i, v)                                                                              \
	{                                                                                          \
		S_RDMSR, 0, 0, 0, (i), 0, (v), NULL                                                \
	}
#define X_RDMSR_GP(i)                                                                              \
	{                                                                                          \
		S_RDMSR, 1, 0, 0, (i), 0, 0, NULL                                                  \
	}
#define X_WRMSR(i, v)                                                                              \
	{                                                                                          \
		S_WRMSR, 0, 1, 0, (i), 0, (v), NULL                                                \
	}
#define X_CPUID(l, a, b)                                                                           \
	{                                                                                          \
		S_CPUID, 0, 0, 0, (l), (a), (b), NULL                                              \
	}
#define X_EXC(v)                                                                                   \
	{                                                                                          \
		S_EXC, 0, 0, 0, (v), 0, 0, NULL                                                    \
	}
#define X_IRQWIN                                                                                   \
	{                                                                                          \
		S_IRQWIN, 0, 0, 0, 0, 0, 0, NULL                                                   \
	}
#define X_NMIWIN                                                                                   \
	{                                                                                          \
		S_NMIWIN, 0, 0, 0, 0, 0, 0, NULL                                                   \
	}
#define X_DEBUG(pc)                                                                                \
	{                                                                                          \
		S_DEBUG, 0, 0, 0, 0, (pc), 0, NULL                                                 \
	}
#define X_CANCELLED                                                                                \
	{                                                                                          \
		S_CANCELLED, 0, 0, 0, 0, 0, 0, NULL                                                \
	}
#define ACTION(fn)                                                                                 \
	{                                                                                          \
		S_ACTION, 0, 0, 0, 0, 0, 0, (fn)                                                   \
	}
#define END                                                                                        \
	{                                                                                          \
		S_END, 0, 0, 0, 0, 0, 0, NULL                                                      \
	}

/* ---- cases ------------------------------------------------------------- */
#define NEED_PARALLEL	(1u << 0)
#define NEED_CALL_LATER (1u << 1)

struct conf_guest {
	const uint8_t *image;
	uint32_t len;
};

struct conf_case {
	const char *name;
	uint8_t mode;
	const struct conf_guest *guest;
	uint64_t need_features;		  /* LV_FEAT_* */
	uint32_t need_vectors;		  /* lv_caps.exception_exits bits */
	uint32_t need_hooks;		  /* NEED_* */
	uint32_t vm_flags;		  /* lv_vm_config.flags of the case's VM */
	int (*setup)(struct conf_ctx *c); /* after the standard VM, before run */
	const struct step *script;
	int (*check)(struct conf_ctx *c); /* after the script */
	/* Replaces setup/script/check when set (cases with their own flow). */
	int (*custom)(struct conf_ctx *c);
};

/* One case's world. */
struct conf_ctx {
	struct lv_backend *b;
	const struct lv_conf_host *host;
	const struct conf_case *cs;
	struct lv_caps caps;
	struct lv_vm *vm;
	struct lv_vcpu *vcpu[2];
	uint8_t *ram;	/* CONF_RAM_SIZE bytes, GPA = offset */
	uint8_t *extra; /* optional second allocation */
	size_t extra_size;
	struct lv_pt *pt; /* long mode: the guest's page tables */
	uint32_t pt_next; /* next free table page (GPA) */
	struct lv_state st;
	volatile uint32_t flag; /* for asynchronous helpers */
	uint64_t saved;		/* a value a script's actions keep between steps */
	char msg[200];
};

/* Case results. */
#define CONF_PASS 0
#define CONF_FAIL 1
#define CONF_SKIP 2

/* Case tables (cases_*.c), NULL-name terminated. */
extern const struct conf_case conf_cases_io[];
extern const struct conf_case conf_cases_mem[];
extern const struct conf_case conf_cases_cpu[];
extern const struct conf_case conf_cases_ctl[];
extern const struct conf_case conf_cases_misuse[];
extern const struct conf_case conf_cases_misuse_run[];
extern const struct conf_case conf_cases_irq[];
extern const struct conf_case conf_cases_pic[];
extern const struct conf_case conf_cases_fpu[];
extern const struct conf_case conf_cases_tlb[];
extern const struct conf_case conf_cases_iso[];

/* ---- support.c --------------------------------------------------------- */

/* Formatting into c->msg: %s %c %d %u %x %llx %llu. Returns CONF_FAIL. */
int conf_fail(struct conf_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void conf_vfmt(char *buf, size_t n, const char *fmt, va_list ap);
void conf_fmt(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* lv_vm_irq_line(c->vm, @p gsi, @p level); a failure is the case's. Returns CONF_PASS/FAIL. */
int conf_irq_line(struct conf_ctx *c, uint32_t gsi, uint32_t level);

/*
 * cases_irq.c: an edge on @p gsi 20 ms from now, from the host's timer
 * thread (call_later); and, as a script action, wait until that pulse was
 * sent: the handler's report that precedes it came after the guest's HLT
 * (the script allows no HLT exit in between), so the pulse must be the
 * interrupt that woke it. c->flag and c->saved are theirs.
 */
int conf_pulse_later(struct conf_ctx *c, uint32_t gsi);
int conf_pulsed_before(struct conf_ctx *c, struct lv_vcpu *v);

/* Create the VM, map RAM (with the hole), write GDT + page tables, load the
 * case's guest, create vCPU 0 (and 1 if @p nvcpus is 2) in the case's mode. */
int conf_vm_setup(struct conf_ctx *c, unsigned nvcpus);
void conf_vm_teardown(struct conf_ctx *c);

/* Put @p v in @p mode at CONF_CODE with the stack at CONF_STACK. */
int conf_vcpu_mode(struct conf_ctx *c, struct lv_vcpu *v, unsigned mode);
/* Fill the SEGMENTS/CONTROL/GPRS of @p st for @p mode (no vCPU involved). */
void conf_state_for_mode(struct lv_state *st, unsigned mode);

/* Run @p v through @p script; on mismatch fill @p msg and return CONF_FAIL. */
int conf_script(struct conf_ctx *c, struct lv_vcpu *v, const struct step *script, char *msg,
		size_t n);

/* Describe an exit, e.g. "IO out port 0x10 size 1 count 1". */
void conf_describe_exit(const struct lv_exit *ex, char *buf, size_t n);

/* Misuse cases: "@p what: got X, want Y" unless @p got is @p expected. */
int conf_want(struct conf_ctx *c, const char *what, int got, int expected);
#define WANT(what, call, expected)                                                                 \
	do {                                                                                       \
		if (conf_want(c, (what), (call), (expected)))                                      \
			return CONF_FAIL;                                                          \
	} while (0)
/* Run @p v once; the exit must be @p reason (LV_EXIT_IO: an OUT to port 0x61). */
int conf_run_expect(struct conf_ctx *c, struct lv_vcpu *v, uint32_t reason, const char *when);
/* Set RIP back to CONF_CODE. */
int conf_restart(struct conf_ctx *c, struct lv_vcpu *v);

/* Little-endian loads/stores of 1, 2, 4 or 8 bytes. */
uint64_t conf_load(const uint8_t *p, unsigned size);
void conf_store(uint8_t *p, unsigned size, uint64_t v);

#endif /* LV_CONF_H */
