/* SPDX-License-Identifier: MIT */
/*
 * More CPUs for the conformance suite's parallel hook, for kicks by IPI
 * and for vcpu-run's vCPUs: started only when the command line asks for
 * them: "smp" a second CPU (QEMU -smp 2), "smp3" or "smp4" up to
 * SMP_MAX (QEMU -smp 4, Bochs cpu: count=4). The BSP copies trampoline.S
 * to 0x70000 and starts one AP after the other with INIT-SIPI-SIPI through
 * the local APIC (Intel SDM Vol. 3, 9.4.4.1, 11.6), each with its own stack;
 * an AP loads the BSP's IDT, enables its APIC, sets IF and waits for jobs.
 * CPU ids are APIC ids (both emulators number them 0, 1, ...). Kick IPIs
 * use vector 0xf0; the handler only sends EOI: the interrupt itself is
 * what makes VMRUN exit. The same vector carries lv_plat_call_on_cpu()'s
 * requests (smp_call_on()): a per-target slot the handler looks at first.
 */
#include "cases.h"
#include "kernel.h"

#include <libvcpu/platform.h>

void *memcpy(void *dst, const void *src, size_t n);
void tss_init_ap(unsigned cpu) __attribute__((weak));

#define LAPIC_BASE 0xfee00000ul
#define LAPIC_ID   0x20
#define LAPIC_EOI  0xb0
#define LAPIC_SVR  0xf0
#define LAPIC_ICRL 0x300
#define LAPIC_ICRH 0x310
#define LAPIC_LVTT 0x320
#define LAPIC_TICR 0x380
#define LAPIC_TCCR 0x390
#define LAPIC_TDCR 0x3e0
#define TRAMP_PA   0x70000ul
#define SMP_MAX	   4u

extern const uint8_t tramp_start[], tramp_end[], tramp_cr3[], tramp_stack[], tramp_entry[];
extern uint64_t boot_pml4[];

static unsigned ncpus = 1;
static unsigned aps_up; /* APs that reached ap_main() */
static uint8_t ap_stack[SMP_MAX - 1][16384] __attribute__((aligned(16)));
static struct {
	void (*fn)(void *arg, unsigned i);
	void *arg;
	unsigned i;
	int state; /* 0 idle, 1 posted, 2 done */
} jobs[SMP_MAX];

static volatile uint32_t *lapic(unsigned reg)
{
	return (volatile uint32_t *)(uintptr_t)(LAPIC_BASE + reg);
}

static void spin(unsigned long n)
{
	while (n--)
		__asm__ volatile("pause");
}

static void icr_send(uint32_t apic_id, uint32_t low)
{
	*lapic(LAPIC_ICRH) = apic_id << 24;
	*lapic(LAPIC_ICRL) = low;
	while (*lapic(LAPIC_ICRL) & (1u << 12)) /* delivery status: pending */
		__asm__ volatile("pause");
}

uint32_t smp_cpu_id(void)
{
	return ncpus > 1 ? *lapic(LAPIC_ID) >> 24 : 0;
}

/* The platform seam's CPU id (here, not in plat.c: one call less per VMRUN). */
uint32_t lv_plat_cpu_id(void)
{
	return ncpus > 1 ? *lapic(LAPIC_ID) >> 24 : 0;
}

unsigned smp_cpus(void)
{
	return ncpus;
}

static void ap_main(void) __attribute__((noreturn, used));
static void ap_main(void)
{
	unsigned id;

	/*
	 * The kernel's GDT (its 0x08 is the 64-bit code segment the IDT gates
	 * name; the trampoline's 0x08 is 32-bit code), then CS through a far
	 * return and the data segments.
	 */
	__asm__ volatile("lgdt gdt_ptr\n\t"
			 "pushq $0x08\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\tmovw $0x10, %%ax\n\t"
			 "movw %%ax, %%ds\n\t"
			 "movw %%ax, %%es\n\t"
			 "movw %%ax, %%ss"
			 :
			 :
			 : "rax", "memory");
	idt_load();
	id = (*lapic(LAPIC_ID) >> 24) % SMP_MAX;
	if (tss_init_ap)
		tss_init_ap(id);   /* its own TR: VMX needs a host TR on every CPU */
	*lapic(LAPIC_SVR) = 0x1ff; /* APIC software enable, spurious vector 0xff */
	__asm__ volatile("sti");
	__atomic_fetch_add(&aps_up, 1, __ATOMIC_RELEASE);
	for (;;) {
		while (__atomic_load_n(&jobs[id].state, __ATOMIC_ACQUIRE) != 1)
			__asm__ volatile("pause");
		jobs[id].fn(jobs[id].arg, jobs[id].i);
		__atomic_store_n(&jobs[id].state, 2, __ATOMIC_RELEASE);
	}
}

/* The CPUs the command line asks for: "smp4", "smp3", "smp2" or "smp" (two). */
static unsigned cpus_wanted(void)
{
	static const char *const words[] = { "smp4", "smp3", "smp2", "smp" };
	static const unsigned n[] = { 4, 3, 2, 2 };
	unsigned i;

	for (i = 0; i < 4; i++)
		if (cmdline_has(words[i]))
			return n[i];
	return 1;
}

/*
 * Start the APs with APIC ids 1 .. cpus_wanted() - 1, one at a time (the
 * trampoline holds one stack pointer); the first that does not come up
 * ends the count.
 */
void smp_init(void)
{
	uint8_t *t = (uint8_t *)TRAMP_PA;
	unsigned want = cpus_wanted(), cpu;
	uint64_t v;
	unsigned long i;

	if (want < 2)
		return;
	memcpy(t, tramp_start, (size_t)(tramp_end - tramp_start));
	v = (uint64_t)(uintptr_t)boot_pml4;
	memcpy(t + (tramp_cr3 - tramp_start), &v, 8);
	v = (uint64_t)(uintptr_t)ap_main;
	memcpy(t + (tramp_entry - tramp_start), &v, 8);
	*lapic(LAPIC_SVR) = 0x1ff;
	for (cpu = 1; cpu < want; cpu++) {
		v = (uint64_t)(uintptr_t)(ap_stack[cpu - 1] + sizeof(ap_stack[0]) - 8);
		memcpy(t + (tramp_stack - tramp_start), &v, 8);
		icr_send(cpu, 0x4500); /* INIT, level assert */
		spin(200000);
		icr_send(cpu, 0x4600 | (TRAMP_PA >> 12)); /* STARTUP */
		spin(20000);
		icr_send(cpu, 0x4600 | (TRAMP_PA >> 12));
		for (i = 0; i < 50000000ul && __atomic_load_n(&aps_up, __ATOMIC_ACQUIRE) < cpu; i++)
			__asm__ volatile("pause");
		if (__atomic_load_n(&aps_up, __ATOMIC_ACQUIRE) < cpu)
			break;
		ncpus = cpu + 1;
	}
}

/* Post @p fn (@p arg, @p i) to CPU @p i, an AP; -1 if there is none or it is busy. */
int smp_run_on_ap(void (*fn)(void *arg, unsigned i), void *arg, unsigned i)
{
	if (i == 0 || i >= ncpus || __atomic_load_n(&jobs[i].state, __ATOMIC_ACQUIRE) == 1)
		return -1;
	jobs[i].fn = fn;
	jobs[i].arg = arg;
	jobs[i].i = i;
	__atomic_store_n(&jobs[i].state, 1, __ATOMIC_RELEASE);
	return 0;
}

/* Wait until every posted job has finished. */
int smp_wait_ap(void)
{
	unsigned i;

	for (i = 1; i < ncpus; i++) {
		while (__atomic_load_n(&jobs[i].state, __ATOMIC_ACQUIRE) == 1)
			__asm__ volatile("pause");
		jobs[i].state = 0;
	}
	return 0;
}

/*
 * Function calls on another CPU: one request slot per target. A caller
 * takes the slot's lock, fills it, marks it posted and sends the kick
 * vector; the target's handler (interrupts off, an interrupt gate) runs
 * it and marks it done; the caller waits for that with interrupts on, so
 * that a CPU waiting for another can still serve that one's request.
 */
static struct {
	void (*fn)(void *arg);
	void *arg;
	uint32_t lock;
	uint32_t state; /* 0 idle, 1 posted, 2 done */
} calls[SMP_MAX];

static void call_serve(void)
{
	unsigned id = smp_cpu_id() % SMP_MAX;

	if (__atomic_load_n(&calls[id].state, __ATOMIC_ACQUIRE) != 1)
		return;
	calls[id].fn(calls[id].arg);
	__atomic_store_n(&calls[id].state, 2, __ATOMIC_RELEASE);
}

void smp_ipi(unsigned vector)
{
	if (vector != 0xf0)
		return;
	call_serve();
	*lapic(LAPIC_EOI) = 0;
}

/*
 * lv_plat_call_on_cpu() (plat.c): @p fn (@p arg) on CPU @p cpu with
 * interrupts off; the caller's own CPU runs it directly. The request rides
 * on the kick vector: an IPI that lands together with a kick or the timer
 * is one interrupt that serves both. @return -1 if there is no such CPU.
 */
int smp_call_on(uint32_t cpu, void (*fn)(void *arg), void *arg)
{
	uint64_t fl;

	if (cpu >= ncpus)
		return -1;
	if (cpu == smp_cpu_id()) {
		__asm__ volatile("pushfq; popq %0; cli" : "=r"(fl)::"memory");
		fn(arg);
		__asm__ volatile("pushq %0; popfq" ::"r"(fl) : "memory", "cc");
		return 0;
	}
	while (__atomic_exchange_n(&calls[cpu].lock, 1, __ATOMIC_ACQUIRE))
		__asm__ volatile("pause");
	calls[cpu].fn = fn;
	calls[cpu].arg = arg;
	__atomic_store_n(&calls[cpu].state, 1, __ATOMIC_RELEASE);
	icr_send(cpu, 0x40f0); /* fixed, assert, vector 0xf0 */
	while (__atomic_load_n(&calls[cpu].state, __ATOMIC_ACQUIRE) != 2)
		__asm__ volatile("pause");
	calls[cpu].state = 0;
	__atomic_store_n(&calls[cpu].lock, 0, __ATOMIC_RELEASE);
	return 0;
}

void smp_send_kick(uint32_t cpu)
{
	if (ncpus < 2 || cpu == smp_cpu_id())
		return;	       /* the caller's own CPU is outside guest mode now */
	icr_send(cpu, 0x40f0); /* fixed, assert, vector 0xf0 */
}

/* Timer ticks (divide by 1) per 2^20 TSC ticks, measured once; 0: not yet. */
static uint64_t timer_rate;

/*
 * The APIC timer's rate against the TSC (neither emulator gives one:
 * QEMU's timer counts its virtual ns, Bochs' its own clock): one masked
 * one-shot count over 2^20 TSC ticks. Software-enables this CPU's APIC
 * first (a disabled APIC keeps its LVT entries masked, SDM Vol. 3,
 * 11.4.7.2); the BSP does it here when there is no second CPU.
 */
static void timer_measure(void)
{
	uint64_t t0;

	*lapic(LAPIC_SVR) = 0x1ff;
	*lapic(LAPIC_TDCR) = 0xb;      /* divide by 1 (11.5.4, Figure 11-10) */
	*lapic(LAPIC_LVTT) = 1u << 16; /* masked, one-shot */
	*lapic(LAPIC_TICR) = 0xffffffffu;
	t0 = rdtsc();
	while (rdtsc() - t0 < (1u << 20))
		__asm__ volatile("pause");
	timer_rate = 0xffffffffu - *lapic(LAPIC_TCCR);
	if (!timer_rate)
		timer_rate = 1;
	*lapic(LAPIC_TICR) = 0;
}

/*
 * lv_plat_timer() (plat.c): this CPU's APIC timer, one-shot, at TSC @p tsc
 * (~0: stopped), with the kick's vector 0xf0, whose handler only sends
 * EOI: the interrupt makes VMRUN / VMRESUME exit. Rounded down, so it
 * comes early rather than late.
 */
void smp_timer_at(uint64_t tsc)
{
	uint64_t now = rdtsc(), left, count;

	if (!timer_rate)
		timer_measure();
	if (tsc == ~(uint64_t)0) {
		*lapic(LAPIC_TICR) = 0;
		return;
	}
	left = tsc > now ? tsc - now : 1;
	if (left > (1ull << 32))
		left = 1ull << 32;
	count = left * timer_rate >> 20;
	if (count > 0xffffffffu)
		count = 0xffffffffu;
	*lapic(LAPIC_TDCR) = 0xb;
	*lapic(LAPIC_LVTT) = 0xf0; /* one-shot, unmasked */
	*lapic(LAPIC_TICR) = count ? (uint32_t)count : 1u;
}
