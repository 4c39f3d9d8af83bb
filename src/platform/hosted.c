/* SPDX-License-Identifier: MIT */
/*
 * The platform seam for user space (hosted archive): libc allocation,
 * identity "physical" addresses, an optional log hook, CLOCK_MONOTONIC
 * and a waiting loop of short sleeps.
 */
#define _GNU_SOURCE
#include <libvcpu/hosted.h>
#include <libvcpu/platform.h>

#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static lv_log_fn log_hook;
static long fail_after = -1;
static long outstanding;

void lv_hosted_set_log_hook(lv_log_fn fn)
{
	log_hook = fn;
}

void lv_hosted_fail_alloc_after(long n)
{
	__atomic_store_n(&fail_after, n, __ATOMIC_SEQ_CST);
}

long lv_hosted_allocs_outstanding(void)
{
	return __atomic_load_n(&outstanding, __ATOMIC_SEQ_CST);
}

/* True when failure injection says this allocation must fail. */
static int inject_failure(void)
{
	long n = __atomic_load_n(&fail_after, __ATOMIC_SEQ_CST);

	while (n >= 0) {
		long next = n == 0 ? 0 : n - 1;

		if (__atomic_compare_exchange_n(&fail_after, &n, next, 0, __ATOMIC_SEQ_CST,
						__ATOMIC_SEQ_CST))
			return n == 0;
	}
	return 0;
}

static void *zalloc_aligned(size_t align, size_t size)
{
	void *p;

	size = (size + align - 1) & ~(align - 1);
	if (size == 0)
		size = align;
	if (inject_failure())
		return NULL;
	p = aligned_alloc(align, size);
	if (!p)
		return NULL;
	memset(p, 0, size);
	__atomic_add_fetch(&outstanding, 1, __ATOMIC_SEQ_CST);
	return p;
}

void *lv_plat_page_alloc(size_t count, uint64_t *phys)
{
	void *p;

	if (count == 0 || !phys || count > ((size_t)-1) / 4096)
		return NULL;
	p = zalloc_aligned(4096, count * 4096);
	if (p)
		*phys = (uint64_t)(uintptr_t)p;
	return p;
}

void lv_plat_page_free(void *va, size_t count)
{
	(void)count;
	if (!va)
		return;
	__atomic_sub_fetch(&outstanding, 1, __ATOMIC_SEQ_CST);
	free(va);
}

void *lv_plat_alloc(size_t size)
{
	return zalloc_aligned(64, size);
}

void lv_plat_free(void *ptr)
{
	if (!ptr)
		return;
	__atomic_sub_fetch(&outstanding, 1, __ATOMIC_SEQ_CST);
	free(ptr);
}

uint64_t lv_plat_virt_to_phys(const void *va)
{
	return (uint64_t)(uintptr_t)va;
}

void *lv_plat_phys_to_virt(uint64_t pa)
{
	return (void *)(uintptr_t)pa;
}

void lv_plat_log(int level, const char *msg)
{
	lv_log_fn fn = log_hook;

	if (fn)
		fn(level, msg);
}

uint32_t lv_plat_cpu_id(void)
{
	int c = sched_getcpu();

	return c < 0 ? 0 : (uint32_t)c;
}

uint32_t lv_plat_cpu_count(void)
{
	long n = sysconf(_SC_NPROCESSORS_CONF);

	return n < 1 ? 1 : (uint32_t)n;
}

void lv_plat_kick_cpu(uint32_t cpu)
{
	/*
	 * Hosted backends kick threads, not CPUs; the raw backends' TLB
	 * shootdown (the only other caller) is not in the hosted archive:
	 * the KVM backend leaves remote flushes to the kernel, which does
	 * them before KVM_SET_USER_MEMORY_REGION / KVM_GET_DIRTY_LOG return.
	 */
	(void)cpu;
}

/*
 * User space has no interrupts to turn off and no IPIs: the calling thread
 * moves itself to @p cpu (sched_setaffinity() migrates it before
 * returning), runs @p fn there and gets its old CPU set back. Nothing in
 * the hosted archive calls it (only the VMX backend does); it keeps the
 * seam complete. A CPU the thread may not use (offline, or outside its
 * cpuset) fails as an offline one.
 */
int lv_plat_call_on_cpu(uint32_t cpu, void (*fn)(void *arg), void *arg)
{
	cpu_set_t old, one;

	if (cpu >= lv_plat_cpu_count() || cpu >= CPU_SETSIZE)
		return -1;
	if (sched_getaffinity(0, sizeof(old), &old))
		return -1;
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	if (sched_setaffinity(0, sizeof(one), &one))
		return -1;
	fn(arg);
	sched_setaffinity(0, sizeof(old), &old);
	return 0;
}

uint64_t lv_plat_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* One remembered wake per CPU (modulo the table's size: a stray early return is allowed). */
static uint32_t wake_token[64];

void lv_plat_wait(uint64_t deadline_ns)
{
	uint32_t *tok = &wake_token[lv_plat_cpu_id() % 64u];
	struct timespec slice = { 0, 50000 }; /* 50 us */

	while (!__atomic_exchange_n(tok, 0, __ATOMIC_SEQ_CST) && lv_plat_now_ns() < deadline_ns)
		nanosleep(&slice, NULL);
}

void lv_plat_wake(uint32_t cpu)
{
	__atomic_store_n(&wake_token[cpu % 64u], 1, __ATOMIC_SEQ_CST);
}

/* The hosted archive runs no raw backend guest: nothing leaves guest mode here. */
void lv_plat_timer(uint64_t deadline_ns)
{
	(void)deadline_ns;
}
