/* SPDX-License-Identifier: MIT */
/*
 * Guest page walker (SDM Vol. 3, chapter 4). One loop over the levels of a
 * per-mode format descriptor; the reserved-bit rules (4.3 Table 4-4/4-5,
 * 4.4.2, 4.5.4) and the access-right rules (4.6.1) are applied per entry
 * and to the combined rights.
 */
#include "guest_walk.h"
#include "lvlib.h"

#include <stdbool.h>

#include <libvcpu/exit.h>
#include <libvcpu/libvcpu.h>
#include "x86_arch.h"

#define PTE_P  (1ull << 0)
#define PTE_RW (1ull << 1)
#define PTE_US (1ull << 2)
#define PTE_A  (1ull << 5)
#define PTE_D  (1ull << 6)
#define PTE_PS (1ull << 7)
#define PTE_NX (1ull << 63)

enum mode { M_32, M_PAE, M_4L, M_5L };

/* Paging-structure formats (SDM Vol. 3, Table 4-1). */
struct fmt {
	uint8_t levels;
	uint8_t esize;	   /* entry size in bytes */
	uint8_t top_bits;  /* index bits of the top level */
	uint8_t bits;	   /* index bits of the other levels */
	uint8_t large_min; /* lowest level that may map a page with PS = 1 */
	uint8_t large_max; /* highest such level */
};

static const struct fmt fmts[] = {
	[M_32] = { 2, 4, 10, 10, 2, 2 },
	[M_PAE] = { 3, 8, 2, 9, 2, 2 },
	[M_4L] = { 4, 8, 9, 9, 2, 3 },
	[M_5L] = { 5, 8, 9, 9, 2, 3 },
};

static inline uint64_t bits(unsigned hi, unsigned lo)
{
	return (hi >= 63 ? ~0ull : ((1ull << (hi + 1)) - 1)) & ~((1ull << lo) - 1);
}

/* Bits [51:maxphy] of a 64-bit entry are reserved (Table 4-14 "M"). */
static uint64_t reserved_bits(enum mode m, unsigned level, bool large,
			      const struct lv_guest_paging *pg, unsigned maxphy)
{
	uint64_t r;

	if (m == M_32) {
		/* 4-MiB PDE: bit 21 and the PSE-36 bits above MAXPHYADDR (4.3, Table 4-4). */
		unsigned top = maxphy < 40 ? maxphy : 40;

		if (!large)
			return 0;
		return (1ull << 21) | (top < 40 ? bits(20, 13 + (top - 32)) : 0);
	}
	r = maxphy < 52 ? bits(51, maxphy) : 0;
	if (m == M_PAE && level == 3)
		return r | bits(63, 63) | bits(8, 5) | bits(2, 1); /* PDPTE (4.4.1, Table 4-8) */
	if (!(pg->efer & EFER_NXE))
		r |= PTE_NX;
	if (level >= 4 || (level == 3 && m == M_PAE))
		r |= PTE_PS; /* PS is reserved in PML5E/PML4E (Tables 4-14, 4-15) */
	if (large)
		r |= level == 3 ? bits(29, 13) : bits(20, 13); /* 1 GiB / 2 MiB pages */
	return r;
}

static int fault(struct lv_walk_result *res, uint32_t ec, unsigned level)
{
	res->pf_error = ec;
	res->level = (uint8_t)level;
	return LV_WALK_FAULT;
}

int lv_guest_walk(const struct lv_memmap *mm, const struct lv_guest_paging *pg, uint64_t gva,
		  uint32_t access, struct lv_walk_result *res)
{
	unsigned maxphy = pg->maxphyaddr ? pg->maxphyaddr : 52;
	bool write = access & LV_ACCESS_WRITE, fetch = access & LV_ACCESS_EXEC;
	bool user = pg->cpl == 3 && !(access & LV_WALK_IMPLICIT_SV);
	bool nxe = pg->efer & EFER_NXE;
	uint64_t table, entry = 0, frame_mask = bits(maxphy - 1, 12);
	uint64_t egpa[5] = { 0 };
	uint32_t ec;
	bool u = true, w = true, nx = false, large = false;
	unsigned level, shift = 12;
	enum mode m;
	const struct fmt *f;

	memset(res, 0, sizeof(*res));
	if (!(pg->cr0 & CR0_PG)) { /* no paging: linear = physical, 32 bits (4.1.1) */
		res->gpa = gva & 0xffffffffull;
		res->page_size = 1ull << 32;
		res->user = res->writable = 1;
		return LV_WALK_OK;
	}
	if (!(pg->cr4 & CR4_PAE))
		m = M_32;
	else if (!(pg->efer & EFER_LMA))
		m = M_PAE;
	else
		m = (pg->cr4 & CR4_LA57) ? M_5L : M_4L;
	f = &fmts[m];
	if (m == M_32) {
		gva &= 0xffffffffull;
		table = pg->cr3 & 0xfffff000ull;
	} else if (m == M_PAE) {
		gva &= 0xffffffffull;
		table = pg->cr3 & 0xffffffe0ull;
	} else {
		table = pg->cr3 & frame_mask;
	}
	/* I/D is reported only with SMEP or with NX available (4.7). */
	ec = (write ? LV_PFEC_W : 0) | (user ? LV_PFEC_U : 0) |
	     (fetch && ((pg->cr4 & CR4_SMEP) || (m != M_32 && nxe)) ? LV_PFEC_I : 0);

	for (level = f->levels; level >= 1; level--) {
		unsigned ib = level == f->levels ? f->top_bits : f->bits;
		uint64_t idx, gpa;
		void *p;

		shift = 12 + (level - 1) * f->bits;
		idx = (gva >> shift) & ((1ull << ib) - 1);
		gpa = table + idx * f->esize;
		p = lv_memmap_hva(mm, gpa, f->esize, LV_PROT_READ);
		if (!p)
			return LV_ERR_NOENT;
		egpa[level - 1] = gpa;
		if (f->esize == 4) {
			uint32_t e32;

			memcpy(&e32, p, 4);
			entry = e32;
		} else {
			memcpy(&entry, p, 8);
		}
		if (!(entry & PTE_P))
			return fault(res, ec, level);
		large = level > 1 && level >= f->large_min && level <= f->large_max &&
			(entry & PTE_PS) && (m != M_32 || (pg->cr4 & CR4_PSE));
		if (entry & reserved_bits(m, level, large, pg, maxphy))
			return fault(res, ec | LV_PFEC_P | LV_PFEC_RSVD, level);
		if (!(m == M_PAE && level == 3)) { /* PAE PDPTEs carry no access rights */
			u = u && (entry & PTE_US);
			w = w && (entry & PTE_RW);
			nx = nx || (nxe && (entry & PTE_NX));
		}
		if (large || level == 1)
			break;
		table = m == M_32 ? (entry & 0xfffff000ull) : (entry & frame_mask);
	}

	res->level = (uint8_t)level;
	res->leaf = entry;
	res->page_size = 1ull << shift;
	res->user = u;
	res->writable = w;
	res->nx = nx;
	if (m == M_32 && large) /* PSE-36: PA[39:32] from PDE[20:13] */
		res->gpa = (entry & 0xffc00000ull) | (((entry >> 13) & 0xff) << 32);
	else
		res->gpa = entry & frame_mask & ~(res->page_size - 1);
	res->gpa |= gva & (res->page_size - 1);

	/* Access rights (4.6.1). */
	if (user) {
		if (!u || (write && !w) || (fetch && nx))
			return fault(res, ec | LV_PFEC_P, level);
	} else {
		bool smap_blocks = (pg->cr4 & CR4_SMAP) && u && !fetch &&
				   (!pg->ac || (access & LV_WALK_IMPLICIT_SV));

		if (write && !w && (pg->cr0 & CR0_WP))
			return fault(res, ec | LV_PFEC_P, level);
		if (fetch && (nx || (u && (pg->cr4 & CR4_SMEP))))
			return fault(res, ec | LV_PFEC_P, level);
		if (smap_blocks)
			return fault(res, ec | LV_PFEC_P, level);
	}

	/* Accessed/dirty (4.8): A in every entry used, D in the leaf on writes. */
	if (access & LV_WALK_SET_AD) {
		int l;

		for (l = f->levels; l >= (int)level; l--) {
			uint64_t set = PTE_A | ((unsigned)l == level && write ? PTE_D : 0);
			void *p;

			if (m == M_PAE && l == 3)
				continue; /* PDPTEs have no A flag */
			p = lv_memmap_hva(mm, egpa[l - 1], f->esize, LV_PROT_READ);
			if (f->esize == 4 ? (*(uint32_t *)p & set) == set
					  : (*(uint64_t *)p & set) == set)
				continue;
			p = lv_memmap_hva(mm, egpa[l - 1], f->esize, LV_PROT_READ | LV_PROT_WRITE);
			if (!p)
				return LV_ERR_PERM;
			if (f->esize == 4)
				__atomic_fetch_or((uint32_t *)p, (uint32_t)set, __ATOMIC_SEQ_CST);
			else
				__atomic_fetch_or((uint64_t *)p, set, __ATOMIC_SEQ_CST);
		}
	}
	return LV_WALK_OK;
}

void lv_guest_paging_from_state(struct lv_guest_paging *pg, const struct lv_state *st)
{
	const uint64_t rflags_vm = 1ull << 17, rflags_ac = 1ull << 18, cr0_pe = 1;

	memset(pg, 0, sizeof(*pg));
	pg->cr0 = st->ctrl.cr0;
	pg->cr3 = st->ctrl.cr3;
	pg->cr4 = st->ctrl.cr4;
	pg->efer = st->ctrl.efer;
	if (!(pg->cr0 & cr0_pe))
		pg->cpl = 0;
	else if (st->regs.rflags & rflags_vm)
		pg->cpl = 3;
	else
		pg->cpl = st->segs.ss.dpl & 3;
	pg->ac = (st->regs.rflags & rflags_ac) != 0;
}

int lv_guest_walk_x86(const struct lv_memmap *mm, const struct lv_guest_paging *pg, uint64_t gla,
		      uint32_t access, uint64_t *gpa, struct lv_x86_fault *fault)
{
	struct lv_walk_result res;
	int r = lv_guest_walk(mm, pg, gla, access | LV_WALK_SET_AD, &res);

	if (r == LV_WALK_OK) {
		*gpa = res.gpa;
		return 0;
	}
	if (r == LV_WALK_FAULT) {
		fault->vector = LV_X86_VEC_PF;
		fault->has_error_code = 1;
		fault->error_code = res.pf_error;
		fault->cr2 = gla;
		return LV_X86_EMUL_FAULT;
	}
	return LV_X86_EMUL_UNHANDLEABLE;
}
