/* SPDX-License-Identifier: MIT */
/* Ring-0 test kernel: console, exit, traps and the case table. */
#ifndef LV_RING0_KERNEL_H
#define LV_RING0_KERNEL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <libvcpu/libvcpu.h>

/* Saved by isr.S, lowest address first. */
struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error, rip, cs, rflags, rsp, ss;
};

void kputs(const char *s);
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int kvsnprintf(char *buf, size_t n, const char *fmt, va_list ap);
int ksnprintf(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void kexit(int code) __attribute__((noreturn));

void idt_init(void);
void idt_load(void); /* on an AP: the BSP's IDT */
/* Load a TSS (tss.c): VMX entry needs a non-null host TR. */
void tss_init(void);
void tss_init_ap(unsigned cpu);	 /* on AP @p cpu (APIC id 1-3) */
uint16_t tss_ldt_selector(void); /* an LDT descriptor in the kernel's GDT */
/* Case host_tr (tss.c): an I/O bitmap on the boot CPU's TSS; the DPL-1 code selector (data is +8). */
void tss_io_map(int on, unsigned port, uint64_t rsp0);
uint16_t tss_ring1_code(void);
/* Point IDT gate @p vec at @p handler with DPL @p dpl, the old gate kept in @p old (trap.c). */
void idt_gate_swap(int vec, uint64_t handler, unsigned dpl, uint64_t old[2]);
void idt_gate_put(int vec, const uint64_t old[2]);
void trap_handler(struct trap_frame *f);
/* Number of RDMSR #GPs on VM_CR (0xC0010114) the trap handler fixed up. */
extern unsigned trap_vmcr_fixups;
extern unsigned trap_debugctl_fixups; /* RDMSR IA32_DEBUGCTL that raised #GP (trap.c) */

void plat_init(void);

/* timer.c: the PIC (remapped to vectors 32-47) and a one-shot PIT callback. */
void timer_init(void);
int timer_call_later(uint32_t usec, void (*fn)(void *arg), void *arg);
void timer_irq(unsigned irq);
/* IRQ @p irq (1-7) of the master PIC: @p fn on each, unmasked; NULL masks it again. */
void pic_irq(unsigned irq, void (*fn)(void));

/* smp.c: up to 4 CPUs (QEMU -smp N with the word "smp" (2), "smp3" or "smp4"). */
void smp_init(void);
unsigned smp_cpus(void);
int smp_run_on_ap(void (*fn)(void *arg, unsigned i), void *arg, unsigned i);
int smp_wait_ap(void);
void smp_ipi(unsigned vector);
void smp_send_kick(uint32_t cpu);
int smp_call_on(uint32_t cpu, void (*fn)(void *arg), void *arg);
void smp_timer_at(uint64_t tsc);
uint32_t smp_cpu_id(void);
/* Free pool pages (pages carved for small objects count as free). */
size_t plat_pages_free(void);
/* lv_plat_alloc() blocks not yet freed. */
size_t plat_allocs_live(void);
/* lv_plat_call_on_cpu() calls to another CPU than the caller's so far. */
extern unsigned plat_remote_calls;

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

/* Result of one test case. */
enum { CASE_PASS = 0, CASE_FAIL = 1, CASE_SKIP = 2 };

struct tcase {
	const char *name;
	int (*fn)(struct lv_backend *b, char *why, size_t n);
	/*
	 * Host CPUs the case needs (0: one is enough). A kernel started with
	 * fewer does not plan it: it is a case of the configurations that
	 * start them (the "smp" command line), not a skip of the others.
	 */
	unsigned cpus;
};

#endif
