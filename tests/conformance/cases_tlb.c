/* SPDX-License-Identifier: MIT */
/*
 * Conformance cases: memory changes while the vCPU runs on another CPU
 * (thread). lv_vm_unmap() and lv_vm_get_dirty() must return only after no
 * CPU can use a translation from before the change (libvcpu.h). Each case
 * runs the vCPU in the parallel hook's call 1 (ring 0: CPU 1; hosted: a
 * thread) and changes the memory from call 0 (CPU 0 / another thread).
 */
#include "conf.h"
#include "guests.h"

#define TLB_ROUNDS  1000u
#define TLB_GPA	    0x200000u		  /* tlb_rw.asm PAGE, tlb_dirty.asm AREA */
#define TLB_PATTERN 0x5a5aa5a5c3c33c3cull /* tlb_rw.asm PATTERN */
#define TLB_NPAGES  16u			  /* tlb_dirty.asm: page n % 16 */
#define TLB_DATA    0x10000u		  /* common.inc DATA */
#define TLB_SPIN    (1ull << 28)	  /* pause loops before a wait gives up */

/* What the two calls share (one case at a time). */
static struct {
	struct conf_ctx *c;
	volatile uint32_t go;	/* round the vCPU may run (1-based) */
	volatile uint32_t done; /* round whose MMIO exit the vCPU has seen */
	volatile uint32_t fail; /* a call failed: the other one stops waiting */
	int protect;		/* tlb_protect_remote: read-only instead of unmapped */
	int rc[2];
	char msg[2][160];
} tlb;

static void tlb_failf(unsigned i, const char *what, unsigned round, uint64_t a, uint64_t b)
{
	conf_fmt(tlb.msg[i], sizeof(tlb.msg[i]), "round %u: %s (0x%llx, 0x%llx)", round, what,
		 (unsigned long long)a, (unsigned long long)b);
	tlb.rc[i] = CONF_FAIL;
	__atomic_store_n(&tlb.fail, 1, __ATOMIC_SEQ_CST);
	if (!i)
		lv_vcpu_kick(tlb.c->vcpu[0]); /* the vCPU side may be in the guest */
}

/* Wait until *p != v (== v when @p eq): 0, or -1 on a failure or after TLB_SPIN pause loops. */
static int tlb_wait(const volatile uint64_t *p, uint64_t v, int eq)
{
	uint64_t n;

	for (n = 0; n < TLB_SPIN; n++) {
		uint64_t x = __atomic_load_n(p, __ATOMIC_ACQUIRE);

		if (eq ? x == v : x != v)
			return 0;
		if (__atomic_load_n(&tlb.fail, __ATOMIC_ACQUIRE))
			return -1;
		__asm__ volatile("pause");
	}
	return -1;
}

/* Wait until *p == v: 0, or -1 on a failure or after @p spins pause loops (0: TLB_SPIN). */
static int tlb_wait32(const volatile uint32_t *p, uint32_t v, uint64_t spins)
{
	uint64_t n;

	for (n = 0; n < (spins ? spins : TLB_SPIN); n++) {
		if (__atomic_load_n(p, __ATOMIC_ACQUIRE) == v)
			return 0;
		if (__atomic_load_n(&tlb.fail, __ATOMIC_ACQUIRE))
			return -1;
		__asm__ volatile("pause");
	}
	return -1;
}

static int tlb_start(struct conf_ctx *c, void (*fn)(void *arg, unsigned i), int protect)
{
	unsigned i;

	memset(&tlb, 0, sizeof(tlb));
	tlb.c = c;
	tlb.protect = protect;
	if (c->host->parallel(c->host->ctx, 2, fn, c))
		return conf_fail(c, "parallel hook failed");
	for (i = 0; i < 2; i++)
		if (tlb.rc[i])
			return conf_fail(c, "%s: %s", i ? "vCPU side" : "memory side", tlb.msg[i]);
	return CONF_PASS;
}

/* ---- two-CPU unmap -------------------------------------------------------- */

/*
 * Call 1 runs the vCPU: each round until the MMIO exit the unmapped page
 * gives (a read is answered with 0, which is not the pattern; a read-only
 * page gives it for the write). Any other exit fails, OUT 0x62 above all:
 * the guest read the pattern the host wrote after lv_vm_unmap() returned.
 */
static void unmap_vcpu(struct conf_ctx *c)
{
	struct lv_exit *ex;
	uint32_t r;
	int rc;

	for (r = 1; r <= TLB_ROUNDS; r++) {
		if (tlb_wait32(&tlb.go, r, 0))
			return;
		rc = lv_vcpu_run(c->vcpu[0], &ex);
		if (rc) {
			tlb_failf(1, "run failed", r, (uint64_t)(int64_t)rc, 0);
			return;
		}
		if (ex->reason == LV_EXIT_IO && ex->io.port == 0x62) {
			tlb_failf(1, "the guest read the host's pattern after unmap returned", r,
				  TLB_PATTERN, 0);
			return;
		}
		if (ex->reason != LV_EXIT_MMIO || ex->mmio.gpa < TLB_GPA ||
		    ex->mmio.gpa >= TLB_GPA + LV_PAGE_SIZE || (tlb.protect && !ex->mmio.is_write)) {
			char got[80];

			conf_describe_exit(ex, got, sizeof(got));
			conf_fmt(tlb.msg[1], sizeof(tlb.msg[1]), "round %u: got %s, want MMIO", r,
				 got);
			tlb.rc[1] = CONF_FAIL;
			__atomic_store_n(&tlb.fail, 1, __ATOMIC_SEQ_CST);
			return;
		}
		if (!ex->mmio.is_write)
			memset(ex->mmio.data, 0, sizeof(ex->mmio.data));
		__atomic_store_n(&tlb.done, r, __ATOMIC_RELEASE);
	}
}

/*
 * Call 0 owns the page: map it zeroed, wait until the guest's counter shows
 * it running on it, unmap it, fill it with the pattern at once, wait for the
 * vCPU's MMIO exit and check that no guest write landed in the pattern.
 * With tlb.protect the page is made read-only instead of unmapped, and only
 * qwords 1.. (which the guest writes, but never reads) get the pattern: the
 * guest's next write must be the MMIO exit.
 */
static void unmap_mem(struct conf_ctx *c)
{
	uint64_t *pg = (uint64_t *)c->extra, n;
	uint32_t r;
	unsigned k;
	int rc;

	for (r = 1; r <= TLB_ROUNDS; r++) {
		memset(pg, 0, LV_PAGE_SIZE);
		if (tlb.protect && r > 1)
			rc = lv_vm_protect(c->vm, TLB_GPA, LV_PAGE_SIZE, LV_PROT_ALL);
		else
			rc = lv_vm_map(c->vm, pg, TLB_GPA, LV_PAGE_SIZE, LV_PROT_ALL);
		if (rc) {
			tlb_failf(0, "map / protect RW failed", r, (uint64_t)(int64_t)rc, 0);
			return;
		}
		__atomic_store_n(&tlb.go, r, __ATOMIC_RELEASE);
		if (tlb_wait(&pg[1], 0, 0)) {
			if (!tlb.fail)
				tlb_failf(0, "the guest never wrote the mapped page", r, 0, 0);
			return;
		}
		if (tlb.protect)
			rc = lv_vm_protect(c->vm, TLB_GPA, LV_PAGE_SIZE,
					   LV_PROT_READ | LV_PROT_EXEC);
		else
			rc = lv_vm_unmap(c->vm, TLB_GPA, LV_PAGE_SIZE);
		if (rc) {
			tlb_failf(0, "unmap / protect R failed", r, (uint64_t)(int64_t)rc, 0);
			return;
		}
		for (k = tlb.protect ? 1 : 0; k < LV_PAGE_SIZE / 8; k++)
			__atomic_store_n(&pg[k], TLB_PATTERN, __ATOMIC_RELAXED);
		/* qword 1 is where the guest writes: watch it while waiting. */
		for (n = 0; tlb_wait32(&tlb.done, r, 1); n++) {
			if (__atomic_load_n(&pg[1], __ATOMIC_RELAXED) != TLB_PATTERN) {
				tlb_failf(0,
					  "a guest write landed after unmap / protect returned "
					  "(offset, value)",
					  r, 8, pg[1]);
				return;
			}
			if (tlb.fail)
				return;
			if (n == TLB_SPIN) {
				tlb_failf(0, "no MMIO exit after unmap / protect", r, 0, 0);
				return;
			}
		}
		for (k = tlb.protect ? 1 : 0; k < LV_PAGE_SIZE / 8; k++)
			if (__atomic_load_n(&pg[k], __ATOMIC_RELAXED) != TLB_PATTERN) {
				tlb_failf(
					0,
					"a guest write landed after unmap returned (offset, value)",
					r, k * 8, pg[k]);
				return;
			}
	}
}

static void unmap_worker(void *arg, unsigned i)
{
	if (i)
		unmap_vcpu(arg);
	else
		unmap_mem(arg);
}

static int tlb_page_case(struct conf_ctx *c, int protect)
{
	int rc = conf_vm_setup(c, 1);

	if (rc)
		return rc;
	c->extra = c->host->mem_alloc(c->host->ctx, LV_PAGE_SIZE);
	if (!c->extra)
		return conf_fail(c, "allocation failed");
	c->extra_size = LV_PAGE_SIZE;
	return tlb_start(c, unmap_worker, protect);
}

static int tlb_unmap_remote(struct conf_ctx *c)
{
	return tlb_page_case(c, 0);
}

static int tlb_protect_remote(struct conf_ctx *c)
{
	return tlb_page_case(c, 1);
}

/* ---- two-CPU dirty log ------------------------------------------------------ */

static void dirty_vcpu(struct conf_ctx *c)
{
	struct lv_exit *ex;
	int rc = lv_vcpu_run(c->vcpu[0], &ex);

	if (rc)
		tlb_failf(1, "run failed", 0, (uint64_t)(int64_t)rc, 0);
	else if (ex->reason != LV_EXIT_HLT)
		tlb_failf(1, "want HLT after the stop flag, exit reason", 0, ex->reason, 0);
}

/*
 * The last sequence number n <= @p p with n % TLB_NPAGES == @p page (n >= 1),
 * 0 if none.
 */
static uint64_t last_write(uint64_t p, unsigned page)
{
	uint64_t n;

	if (p < page || (page == 0 && p < TLB_NPAGES))
		return 0;
	n = p - ((p - page) % TLB_NPAGES);
	return n;
}

/*
 * Call 0 reads the progress P the guest published, then the dirty log, and
 * copies every reported page (as live migration would). Every write with
 * n <= P happened before the snapshot began, so the copy of its page must
 * hold n or later: a write through a translation cached before an earlier
 * snapshot cleared the dirty flag would be missing.
 */
static void dirty_mem(struct conf_ctx *c)
{
	volatile uint64_t *prog = (volatile uint64_t *)(c->ram + TLB_DATA);
	const uint64_t *area = (const uint64_t *)c->extra;
	uint64_t shadow[TLB_NPAGES], bm, last = 0;
	uint32_t r;
	unsigned p;
	int rc;

	memset(shadow, 0, sizeof(shadow));
	for (r = 1; r <= TLB_ROUNDS; r++) {
		uint64_t now;

		if (tlb_wait(prog, last, 0)) {
			if (!tlb.fail)
				tlb_failf(0, "the guest made no progress", r, last, 0);
			break;
		}
		now = __atomic_load_n(prog, __ATOMIC_ACQUIRE);
		rc = lv_vm_get_dirty(c->vm, TLB_GPA, TLB_NPAGES * LV_PAGE_SIZE, &bm);
		if (rc) {
			tlb_failf(0, "get_dirty failed", r, (uint64_t)(int64_t)rc, 0);
			break;
		}
		for (p = 0; p < TLB_NPAGES; p++)
			if (bm & (1ull << p))
				shadow[p] = __atomic_load_n(&area[p * (LV_PAGE_SIZE / 8)],
							    __ATOMIC_ACQUIRE);
		for (p = 0; p < TLB_NPAGES; p++)
			if (shadow[p] < last_write(now, p)) {
				tlb_failf(0,
					  "a write before get_dirty is in no snapshot (page seq, "
					  "copy)",
					  r, last_write(now, p), shadow[p]);
				break;
			}
		if (tlb.fail)
			break;
		last = now;
	}
	/* Stop the guest (it polls DATA + 8), also after a failure. */
	__atomic_store_n((uint64_t *)(c->ram + TLB_DATA + 8), 1, __ATOMIC_RELEASE);
}

static void dirty_worker(void *arg, unsigned i)
{
	if (i)
		dirty_vcpu(arg);
	else
		dirty_mem(arg);
}

static int tlb_dirty_remote(struct conf_ctx *c)
{
	size_t size = TLB_NPAGES * LV_PAGE_SIZE;
	uint64_t bm;
	int rc = conf_vm_setup(c, 1);

	if (rc)
		return rc;
	c->extra = c->host->mem_alloc(c->host->ctx, size);
	if (!c->extra)
		return conf_fail(c, "allocation failed");
	c->extra_size = size;
	rc = lv_vm_map(c->vm, c->extra, TLB_GPA, size, LV_PROT_ALL | LV_MAP_DIRTY_LOG);
	if (rc)
		return conf_fail(c, "map with dirty log: %s", lv_status_name(rc));
	rc = lv_vm_get_dirty(c->vm, TLB_GPA, size, &bm);
	if (rc)
		return conf_fail(c, "get_dirty: %s", lv_status_name(rc));
	return tlb_start(c, dirty_worker, 0);
}

const struct conf_case conf_cases_tlb[] = {
	{ .name = "tlb_unmap_remote",
	  .mode = MODE_LONG64,
	  .guest = &conf_guest_tlb_rw,
	  .need_hooks = NEED_PARALLEL,
	  .custom = tlb_unmap_remote },
	{ .name = "tlb_protect_remote",
	  .mode = MODE_LONG64,
	  .guest = &conf_guest_tlb_rw,
	  .need_hooks = NEED_PARALLEL,
	  .custom = tlb_protect_remote },
	{ .name = "tlb_dirty_remote",
	  .mode = MODE_LONG64,
	  .guest = &conf_guest_tlb_dirty,
	  .need_features = LV_FEAT_DIRTY_LOG,
	  .need_hooks = NEED_PARALLEL,
	  .custom = tlb_dirty_remote },
	{ .name = NULL },
};
