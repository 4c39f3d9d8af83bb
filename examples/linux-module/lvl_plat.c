// SPDX-License-Identifier: MIT
/*
 * libvcpu's platform seam (include/libvcpu/platform.h) on Linux kernel APIs:
 *
 * - pages: alloc_pages() (order for the count, zeroed), their direct-map
 *   address and physical address; GFP_KERNEL where the caller may sleep,
 *   GFP_ATOMIC where it may not (lv_cpu_enable() runs in the per-CPU IPI
 *   of lvl_main.c with interrupts off).
 * - objects: kmalloc() of a power of two >= 64 bytes, which kmalloc aligns
 *   naturally, so every object is 64-byte aligned as the seam asks.
 * - translations: the direct map, and vmalloc_to_page() for module and
 *   vmalloc addresses (a guest RAM buffer may live there).
 * - CPU id and count: raw_smp_processor_id() and nr_cpu_ids. The library
 *   asks for the id only where the CPU cannot change under it (lv_vcpu_run()
 *   with preemption off, lv_cpu_enable() in an IPI).
 * - kicks: the reschedule IPI (smp_send_reschedule(), as KVM's vcpu kick
 *   does): one APIC IPI, sent at once even with interrupts off, never
 *   queued behind anything; its handler does nothing a running vCPU cares
 *   about, the interrupt itself makes VMRUN exit (INTR intercept).
 * - calls on another CPU (lv_plat_call_on_cpu(), the VMX backend's VMCLEAR
 *   where a VMCS is active): smp_call_function_single() with wait = 1,
 *   the function-call IPI (interrupts off there; on the caller's own CPU
 *   it runs directly with interrupts off). Offline or unknown CPUs fail.
 * - time and waiting (LV_VM_IRQCHIP's HLT): ktime_get_ns(); lv_vcpu_run()
 *   runs with preemption off, so a wait cannot sleep: it spins
 *   (cpu_relax()) until the deadline or a wake, one flag per CPU.
 * - the host timer (lv_plat_timer(), the APIC timer of a running guest):
 *   one hard-interrupt hrtimer per CPU, pinned, absolute on
 *   CLOCK_MONOTONIC (ktime_get_ns()'s clock); its handler does nothing, its
 *   interrupt makes the guest exit. lvl_plat_exit() cancels them at unload.
 */
#include <linux/atomic.h>
#include <linux/gfp.h>
#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/preempt.h>
#include <linux/printk.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/vmalloc.h>

#include <asm/io.h>

#include <libvcpu/platform.h>

#include "lvl.h"

static atomic_long_t pages_live, allocs_live;
static atomic_long_t kicks;

long lvl_pages_live(void)
{
	return atomic_long_read(&pages_live);
}

long lvl_allocs_live(void)
{
	return atomic_long_read(&allocs_live);
}

unsigned long lvl_kicks(void)
{
	return (unsigned long)atomic_long_read(&kicks);
}

static gfp_t lvl_gfp(void)
{
	return preemptible() ? GFP_KERNEL : GFP_ATOMIC;
}

void *lv_plat_page_alloc(size_t count, uint64_t *phys)
{
	struct page *pg;

	if (!count)
		return NULL;
	pg = alloc_pages(lvl_gfp() | __GFP_ZERO, get_order(count * PAGE_SIZE));
	if (!pg)
		return NULL;
	atomic_long_add(1, &pages_live);
	if (phys)
		*phys = page_to_phys(pg);
	return page_address(pg);
}

void lv_plat_page_free(void *va, size_t count)
{
	if (!va)
		return;
	__free_pages(virt_to_page(va), get_order(count * PAGE_SIZE));
	atomic_long_sub(1, &pages_live);
}

void *lv_plat_alloc(size_t size)
{
	void *p;

	if (size > KMALLOC_MAX_SIZE)
		return NULL;
	p = kzalloc(size < 64 ? 64 : roundup_pow_of_two(size), lvl_gfp());
	if (p)
		atomic_long_add(1, &allocs_live);
	return p;
}

void lv_plat_free(void *ptr)
{
	if (!ptr)
		return;
	kfree(ptr);
	atomic_long_sub(1, &allocs_live);
}

uint64_t lv_plat_virt_to_phys(const void *va)
{
	unsigned long a = (unsigned long)va;

	if (is_vmalloc_addr(va) || (a >= MODULES_VADDR && a < MODULES_END))
		return page_to_phys(vmalloc_to_page(va)) + offset_in_page(va);
	return virt_to_phys((void *)va);
}

void *lv_plat_phys_to_virt(uint64_t pa)
{
	return phys_to_virt(pa);
}

void lv_plat_log(int level, const char *msg)
{
	switch (level) {
	case LV_LOG_ERROR:
		pr_err("lv_linux: %s\n", msg);
		break;
	case LV_LOG_WARN:
		pr_warn("lv_linux: %s\n", msg);
		break;
	case LV_LOG_INFO:
		pr_info("lv_linux: %s\n", msg);
		break;
	default:
		pr_debug("lv_linux: %s\n", msg);
		break;
	}
}

uint32_t lv_plat_cpu_id(void)
{
	return raw_smp_processor_id();
}

uint32_t lv_plat_cpu_count(void)
{
	return nr_cpu_ids;
}

void lv_plat_kick_cpu(uint32_t cpu)
{
	atomic_long_inc(&kicks);
	if (cpu < nr_cpu_ids && cpu_online(cpu))
		smp_send_reschedule(cpu);
}

int lv_plat_call_on_cpu(uint32_t cpu, void (*fn)(void *arg), void *arg)
{
	if (cpu >= nr_cpu_ids || !cpu_online(cpu))
		return -1;
	return smp_call_function_single(cpu, fn, arg, 1) ? -1 : 0;
}

uint64_t lv_plat_now_ns(void)
{
	return ktime_get_ns();
}

static DEFINE_PER_CPU(atomic_t, lvl_wake);

void lv_plat_wait(uint64_t deadline_ns)
{
	atomic_t *tok = this_cpu_ptr(&lvl_wake);

	while (!atomic_xchg(tok, 0) && ktime_get_ns() < deadline_ns)
		cpu_relax();
}

void lv_plat_wake(uint32_t cpu)
{
	if (cpu < nr_cpu_ids)
		atomic_set(per_cpu_ptr(&lvl_wake, cpu), 1);
}

struct lvl_timer {
	struct hrtimer t;
	bool ready;
};

static DEFINE_PER_CPU(struct lvl_timer, lvl_timers);

static enum hrtimer_restart lvl_timer_fire(struct hrtimer *t)
{
	return HRTIMER_NORESTART; /* the interrupt has ended guest mode */
}

/* Called with interrupts off on the vCPU's CPU, right before the VM entry. */
void lv_plat_timer(uint64_t deadline_ns)
{
	struct lvl_timer *lt = this_cpu_ptr(&lvl_timers);

	if (!lt->ready) {
		if (deadline_ns == U64_MAX)
			return;
		hrtimer_init(&lt->t, CLOCK_MONOTONIC, HRTIMER_MODE_ABS_PINNED_HARD);
		lt->t.function = lvl_timer_fire;
		lt->ready = true;
	}
	if (deadline_ns == U64_MAX)
		hrtimer_try_to_cancel(&lt->t);
	else
		hrtimer_start(&lt->t, ns_to_ktime(deadline_ns), HRTIMER_MODE_ABS_PINNED_HARD);
}

void lvl_plat_exit(void)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu)
	{
		struct lvl_timer *lt = per_cpu_ptr(&lvl_timers, cpu);

		if (lt->ready)
			hrtimer_cancel(&lt->t);
	}
}
