/* SPDX-License-Identifier: MIT */
/*
 * The platform seam (include/libvcpu/platform.h) implemented by the test
 * kernel: one or two CPUs (smp.c), identity mapping (virtual == physical), pages from a
 * static pool with a first-fit bitmap, small objects from power-of-two
 * free lists carved out of pool pages.
 */
#include <libvcpu/platform.h>

#include "kernel.h"

void *memset(void *dst, int c, size_t n);

#define POOL_PAGES 8192 /* 32 MiB */
#define PAGE	   4096u

static uint8_t pool[POOL_PAGES * PAGE] __attribute__((aligned(4096)));
static uint64_t used[POOL_PAGES / 64];
static size_t pages_free = POOL_PAGES;
static size_t carved_pages, allocs_live;

static int page_used(size_t i)
{
	return (int)((used[i / 64] >> (i % 64)) & 1);
}

static void page_mark(size_t i, int on)
{
	if (on)
		used[i / 64] |= 1ull << (i % 64);
	else
		used[i / 64] &= ~(1ull << (i % 64));
}

void plat_init(void)
{
	memset(used, 0, sizeof(used));
	pages_free = POOL_PAGES;
}

size_t plat_pages_free(void)
{
	return pages_free + carved_pages;
}

size_t plat_allocs_live(void)
{
	return allocs_live;
}

void *lv_plat_page_alloc(size_t count, uint64_t *phys)
{
	size_t i, j;

	if (!count || count > POOL_PAGES)
		return NULL;
	for (i = 0; i + count <= POOL_PAGES; i++) {
		for (j = 0; j < count && !page_used(i + j); j++)
			;
		if (j == count) {
			uint8_t *va = pool + i * PAGE;

			for (j = 0; j < count; j++)
				page_mark(i + j, 1);
			pages_free -= count;
			memset(va, 0, count * PAGE);
			if (phys)
				*phys = (uint64_t)(uintptr_t)va;
			return va;
		}
		i += j; /* skip past the used page */
	}
	return NULL;
}

void lv_plat_page_free(void *va, size_t count)
{
	size_t i, first;

	if (!va)
		return;
	first = (size_t)((uint8_t *)va - pool) / PAGE;
	for (i = 0; i < count; i++) {
		if (!page_used(first + i)) {
			kprintf("LVT PANIC double page free %p\n", va);
			kexit(3);
		}
		page_mark(first + i, 0);
	}
	pages_free += count;
}

/*
 * Small objects: a 64-byte header in front of every block holds its size
 * class (0-6: 64 B .. 4 KiB total) or, for big blocks, the page count.
 */
struct hdr {
	uint32_t magic;
	uint32_t cls;
	uint64_t pages;
	uint8_t pad[48];
};
_Static_assert(sizeof(struct hdr) == 64, "header keeps 64-byte alignment");

#define HDR_MAGIC 0x4c564130u
#define NUM_CLASS 7
#define CLASS_BIG 0xffu
static void *free_list[NUM_CLASS];

void *lv_plat_alloc(size_t size)
{
	size_t total = size + sizeof(struct hdr);
	unsigned cls = 0;
	struct hdr *h;

	while (cls < NUM_CLASS && (64u << cls) < total)
		cls++;
	if (cls == NUM_CLASS) {
		size_t pages = (total + PAGE - 1) / PAGE;

		h = lv_plat_page_alloc(pages, NULL);
		if (!h)
			return NULL;
		h->cls = CLASS_BIG;
		h->pages = pages;
	} else if (free_list[cls]) {
		h = free_list[cls];
		free_list[cls] = *(void **)h;
		memset(h, 0, 64u << cls);
		h->cls = cls;
	} else {
		/* Carve a fresh page into blocks of this class. */
		uint8_t *pg = lv_plat_page_alloc(1, NULL);
		size_t off, bs = 64u << cls;

		if (!pg)
			return NULL;
		carved_pages++;
		for (off = bs; off + bs <= PAGE; off += bs) {
			*(void **)(pg + off) = free_list[cls];
			free_list[cls] = pg + off;
		}
		h = (struct hdr *)pg;
		h->cls = cls;
	}
	h->magic = HDR_MAGIC;
	allocs_live++;
	return h + 1;
}

void lv_plat_free(void *ptr)
{
	struct hdr *h;

	if (!ptr)
		return;
	h = (struct hdr *)ptr - 1;
	if (h->magic != HDR_MAGIC) {
		kprintf("LVT PANIC bad free %p\n", ptr);
		kexit(3);
	}
	h->magic = 0;
	allocs_live--;
	if (h->cls == CLASS_BIG) {
		lv_plat_page_free(h, h->pages);
		return;
	}
	*(void **)h = free_list[h->cls];
	free_list[h->cls] = h;
}

uint64_t lv_plat_virt_to_phys(const void *va)
{
	return (uint64_t)(uintptr_t)va;
}

void *lv_plat_phys_to_virt(uint64_t pa)
{
	return (void *)(uintptr_t)pa;
}

static const char *const level_name[] = { "error", "warn", "info", "debug" };

void lv_plat_log(int level, const char *msg)
{
	kprintf("LVT LOG %s: %s\n", (level >= 0 && level <= 3) ? level_name[level] : "?", msg);
}

uint32_t lv_plat_cpu_count(void)
{
	return smp_cpus();
}

unsigned plat_kicks;

/*
 * A kick IPI to the vCPU's CPU (smp.c); nothing when it is the caller's own
 * CPU. Also the library's TLB shootdown (lv_vm_unmap() and friends) sends
 * it, then waits for the vCPU's exit: icr_send() only waits for the local
 * APIC to accept the IPI, never for the target.
 */
void lv_plat_kick_cpu(uint32_t cpu)
{
	plat_kicks++;
	smp_send_kick(cpu);
}

unsigned plat_remote_calls;

/*
 * Through the kick vector's request slot (smp.c); directly on the caller's
 * own CPU. Calls to another CPU are counted (vmx_lazy.c: which moves
 * needed a VMCLEAR elsewhere).
 */
int lv_plat_call_on_cpu(uint32_t cpu, void (*fn)(void *arg), void *arg)
{
	if (cpu != lv_plat_cpu_id())
		__atomic_fetch_add(&plat_remote_calls, 1, __ATOMIC_RELAXED);
	return smp_call_on(cpu, fn, arg);
}

/*
 * The TSC, one tick taken as one ns. The emulators have no rate to scale
 * by: QEMU TCG's TSC runs at about the host's (1-3 GHz, so this is close to
 * real time), Bochs' advances one tick per instruction, while its PIT
 * counts emulated time at 4 M instructions per second. Scaled to that
 * PIT, a guest's 1 ms APIC timer period would be 4000 instructions,
 * shorter than one interrupt delivery through the library: a periodic
 * timer would fire again before the guest's handler returned, for ever.
 */
uint64_t lv_plat_now_ns(void)
{
	return rdtsc();
}

/* One remembered wake per CPU (smp.c: at most two). */
static uint32_t wake_token[8];

/*
 * A spinning wait with interrupts as the caller has them: a kick from the
 * PIT's call_later handler on this CPU, or a wake from the other CPU,
 * lands in wake_token.
 */
void lv_plat_wait(uint64_t deadline_ns)
{
	uint32_t *tok = &wake_token[lv_plat_cpu_id() & 7u];

	while (!__atomic_exchange_n(tok, 0, __ATOMIC_SEQ_CST) && lv_plat_now_ns() < deadline_ns)
		__asm__ volatile("pause");
}

void lv_plat_wake(uint32_t cpu)
{
	__atomic_store_n(&wake_token[cpu & 7u], 1, __ATOMIC_SEQ_CST);
}

/* The ns clock is the TSC: this CPU's APIC timer at that TSC (smp.c). */
void lv_plat_timer(uint64_t deadline_ns)
{
	smp_timer_at(deadline_ns);
}
