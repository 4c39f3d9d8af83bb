/* SPDX-License-Identifier: MIT */
/*
 * The lazy switch of the guest's x87/SSE/AVX registers and XCR0, XSETBV
 * and the XSAVE CPUID leaves, the same on SVM and VMX (x86_fpu.h says how
 * the guest is kept off the registers while they hold the host's state).
 *
 * The save areas: the guest's is the standard-format XSAVE image of the
 * FPU state group (struct lv_fpu, components x87, SSE and AVX); the host's
 * is as large as CPUID.(EAX=0DH,ECX=0):ECX says every component the CPU
 * supports can need, so whatever the host has in XCR0 (AVX-512 state, for
 * instance, which VEX-encoded guest instructions partly zero) comes back
 * exactly. Both are saved and restored with XSAVE/XRSTOR and an all-ones
 * mask, so RFBM is the XCR0 in force (SDM Vol. 1, 13.7-13.8); without
 * XSAVE, FXSAVE/FXRSTOR move the legacy region only.
 */
#include "../../core/cpuid.h"
#include "../../core/lvlib.h"
#include "../../core/x86_arch.h"
#include "x86_insn.h"
#include "x86_vcpu.h"

_Static_assert(sizeof(struct lv_fpu) == LV_FPU_XSAVE_SIZE &&
		       offsetof(struct lv_fpu, xsave_header) == XSAVE_HDR_OFF &&
		       offsetof(struct lv_fpu, ymm_hi128) == XSAVE_AVX_OFF &&
		       LV_FPU_XSAVE_SIZE == XSAVE_AVX_END,
	       "struct lv_fpu is the standard XSAVE area for x87 | SSE | AVX (SDM Vol. 1, 13.4)");

#define GUEST_AREA_BYTES 1024u /* the guest's area, then the host's (64-byte aligned) */
#define XCR0_AVX512	 (7ull << 5)

static inline uint64_t xgetbv0(void)
{
	uint32_t lo, hi;

	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return ((uint64_t)hi << 32) | lo;
}

static inline void xsetbv0(uint64_t v)
{
	__asm__ volatile("xsetbv" ::"c"(0), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
}

/* XSAVE / XRSTOR with EDX:EAX all ones: RFBM = XCR0. */
static inline void xsave_all(void *p)
{
	__asm__ volatile("xsave64 (%0)" ::"r"(p), "a"(~0u), "d"(~0u) : "memory");
}

static inline void xrstor_all(const void *p)
{
	__asm__ volatile("xrstor64 (%0)" ::"r"(p), "a"(~0u), "d"(~0u) : "memory");
}

static inline void fxsave(void *p)
{
	__asm__ volatile("fxsave64 (%0)" ::"r"(p) : "memory");
}

static inline void fxrstor(const void *p)
{
	__asm__ volatile("fxrstor64 (%0)" ::"r"(p) : "memory");
}

int lv_x86_fpu_init(struct lv_x86_fpu *f)
{
	uint32_t a, b, c, d, host_size = 512;

	lv_cpuid(1, 0, &a, &b, &c, &d);
	f->xsave = (c & CPUID_1_ECX_XSAVE) != 0;
	f->xcr0_ok = XCR0_X87;
	if (f->xsave) {
		uint32_t has_avx = c & CPUID_1_ECX_AVX;

		lv_cpuid(0xd, 0, &a, &b, &c, &d);
		f->xcr0_ok = a & (XCR0_X87 | XCR0_SSE | (has_avx ? XCR0_AVX : 0));
		host_size = c;
	}
	f->xcr0 = XCR0_X87;
	f->pages = (GUEST_AREA_BYTES + host_size + LV_PAGE_SIZE - 1) / LV_PAGE_SIZE;
	f->area = lv_plat_page_alloc(f->pages, &(uint64_t){ 0 });
	if (!f->area)
		return LV_ERR_NOMEM;
	f->host = f->area + GUEST_AREA_BYTES;
	return LV_OK;
}

void lv_x86_fpu_fini(struct lv_x86_fpu *f)
{
	if (f->area)
		lv_plat_page_free(f->area, f->pages);
	f->area = NULL;
}

/*
 * The switch needs the host's CR0.TS clear (else #NM), CR4.OSFXSR (else
 * FXSAVE may skip the XMM registers) and, for XSAVE/XSETBV, CR4.OSXSAVE;
 * whatever the host had is put back afterwards. @return the old CR4 bits.
 */
static uint64_t host_fpu_open(const struct lv_x86_fpu *f, uint64_t *cr0)
{
	uint64_t cr4 = lv_read_cr4(), need = CR4_OSFXSR | (f->xsave ? CR4_OSXSAVE : 0);

	*cr0 = lv_read_cr0();
	if (*cr0 & CR0_TS)
		lv_write_cr0(*cr0 & ~CR0_TS);
	if ((cr4 & need) != need)
		lv_write_cr4(cr4 | need);
	return cr4;
}

static void host_fpu_close(const struct lv_x86_fpu *f, uint64_t cr0, uint64_t cr4)
{
	uint64_t need = CR4_OSFXSR | (f->xsave ? CR4_OSXSAVE : 0);

	if ((cr4 & need) != need)
		lv_write_cr4(cr4);
	if (cr0 & CR0_TS)
		lv_write_cr0(cr0);
}

/*
 * XSETBV only when XCR0 changes. The XMM registers and MXCSR belong to
 * every guest and host with CR4.OSFXSR, whether or not their XCR0 has
 * SSE (a guest at XCR0 = 1 still runs SSE code), so the host's state is
 * saved with SSE added to its XCR0 (XCR0 | SSE is always valid). The
 * guest's is moved with XCR0 = every component it may enable
 * (xcr0_ok): its AVX upper halves are then its own (its image, or the
 * initial state) even while its XCR0 lacks AVX, so enabling AVX later
 * shows nobody else's values.
 */
static uint64_t xcr0_to(uint64_t cur, uint64_t want)
{
	if (cur != want)
		xsetbv0(want);
	return want;
}

__attribute__((noinline, cold)) void lv_x86_fpu_load(struct lv_vcpu *v)
{
	struct lv_x86_vcpu *x = lv_x86_of(v);
	struct lv_x86_fpu *f = &x->fpu;
	uint64_t cr0, cr4 = host_fpu_open(f, &cr0), bv, cur;

	if (f->xsave) {
		cur = f->host_xcr0 = xgetbv0();
		cur = xcr0_to(cur, f->host_xcr0 | XCR0_SSE);
		xsave_all(f->host);
		/*
		 * XRSTOR faults on XSTATE_BV bits outside XCR0 (SDM Vol. 1,
		 * 13.8.1): such components (AVX set with lv_vcpu_set_state() on
		 * a host without AVX) stay in the image, hidden from this load;
		 * XSAVE leaves those XSTATE_BV bits alone (13.7), so the put adds
		 * them back.
		 */
		memcpy(&bv, f->area + XSAVE_HDR_OFF, sizeof(bv));
		f->hidden_bv = bv & ~(f->xcr0_ok | XCR0_SSE);
		if (f->hidden_bv) {
			bv &= f->xcr0_ok | XCR0_SSE;
			memcpy(f->area + XSAVE_HDR_OFF, &bv, sizeof(bv));
		}
		cur = xcr0_to(cur, f->xcr0_ok | XCR0_SSE);
		xrstor_all(f->area);
		xcr0_to(cur, f->xcr0);
	} else {
		fxsave(f->host);
		fxrstor(f->area);
	}
	host_fpu_close(f, cr0, cr4);
	f->loaded = 1;
	x->vd->fpu_own(v, 1);
}

__attribute__((noinline, cold)) void lv_x86_fpu_put(struct lv_vcpu *v)
{
	struct lv_x86_vcpu *x = lv_x86_of(v);
	struct lv_x86_fpu *f = &x->fpu;
	uint64_t cr0, cr4 = host_fpu_open(f, &cr0), bv, cur;

	if (f->xsave) {
		/*
		 * The XCR0 in force is the guest's: its XSETBV exits (and is
		 * checked by lv_x86_xsetbv()), but QEMU 7.2 TCG executes a
		 * guest's XSETBV without the SVM intercept, so read it back.
		 */
		f->xcr0 = xgetbv0();
		cur = xcr0_to(f->xcr0, f->xcr0_ok | XCR0_SSE);
		xsave_all(f->area);
		if (f->hidden_bv) {
			memcpy(&bv, f->area + XSAVE_HDR_OFF, sizeof(bv));
			bv |= f->hidden_bv;
			memcpy(f->area + XSAVE_HDR_OFF, &bv, sizeof(bv));
			f->hidden_bv = 0;
		}
		cur = xcr0_to(cur, f->host_xcr0 | XCR0_SSE);
		xrstor_all(f->host);
		xcr0_to(cur, f->host_xcr0);
	} else {
		fxsave(f->area);
		fxrstor(f->host);
	}
	host_fpu_close(f, cr0, cr4);
	f->loaded = 0;
	x->vd->fpu_own(v, 0);
}

/* An XCR0 value XSETBV accepts (SDM Vol. 1, 13.3; Vol. 2, XSETBV). */
static bool xcr0_valid(uint64_t v, uint64_t ok)
{
	if (!(v & XCR0_X87) || (v & ~ok))
		return false;
	if ((v & XCR0_AVX) && !(v & XCR0_SSE))
		return false;
	/* opmask, ZMM_Hi256, Hi16_ZMM: all or none, and only with AVX */
	return !(v & XCR0_AVX512) || ((v & XCR0_AVX512) == XCR0_AVX512 && (v & XCR0_AVX));
}

/*
 * XSETBV (SDM Vol. 2, XSETBV): #UD without CR4.OSXSAVE (the hardware
 * checks the real CR4 first, and the FPU switch keeps the real OSXSAVE
 * clear only while it also intercepts #UD, so the guest's own bit is
 * checked here again); #GP(0) at CPL > 0, for ECX != 0 and for an XCR0
 * the vCPU's CPUID does not allow. A new XCR0 takes effect by saving the
 * guest's state under the old one; the next FPU use loads it under the
 * new one.
 */
int lv_x86_xsetbv(struct lv_vcpu *v)
{
	struct lv_x86_vcpu *x = lv_x86_of(v);
	struct lv_x86_fpu *f = &x->fpu;
	uint64_t val = ((x->regs.rdx & 0xffffffffull) << 32) | (x->regs.rax & 0xffffffffull);
	int rc = x->vd->get_state(v, LV_STATE_SEGMENTS | LV_STATE_CONTROL, &x->scratch);

	if (rc)
		return LV_X86_CALLER;
	if (!f->xsave || !(x->scratch.ctrl.cr4 & CR4_OSXSAVE)) {
		lv_x86_raise(v, 6, 0, 0);
		return LV_X86_GUEST;
	}
	if (x->scratch.segs.ss.dpl != 0 || (uint32_t)x->regs.rcx != 0 ||
	    !xcr0_valid(val, f->xcr0_ok)) {
		lv_x86_raise(v, 13, 1, 0);
		return LV_X86_GUEST;
	}
	if (val != f->xcr0) {
		if (f->loaded)
			lv_x86_fpu_put(v);
		f->xcr0 = val;
	}
	x->vd->skip(x, x->insn_len);
	return LV_X86_GUEST;
}

/* ---- state ---------------------------------------------------------------- */

int lv_x86_fpu_check(const struct lv_x86_fpu *f, uint32_t mask, const struct lv_state *st)
{
	if ((mask & LV_STATE_CONTROL) && st->ctrl.xcr0 != f->xcr0 &&
	    (!f->xsave || !xcr0_valid(st->ctrl.xcr0, f->xcr0_ok)))
		return LV_ERR_INVAL;
	return LV_OK;
}

void lv_x86_fpu_get(const struct lv_x86_fpu *f, uint32_t mask, struct lv_state *st)
{
	if (mask & LV_STATE_CONTROL)
		st->ctrl.xcr0 = f->xcr0;
	if (mask & LV_STATE_FPU) {
		memcpy(&st->fpu, f->area, sizeof(st->fpu));
		if (!f->xsave) { /* FXSAVE wrote only the legacy region */
			memset(st->fpu.xsave_header, 0, sizeof(st->fpu.xsave_header));
			st->fpu.xsave_header[0] = (uint8_t)(XCR0_X87 | XCR0_SSE);
		}
	}
}

/* Between runs: the guest's state is never in the registers then (lv_x86_fpu_put). */
void lv_x86_fpu_set(struct lv_x86_fpu *f, uint32_t mask, const struct lv_state *st)
{
	if (mask & LV_STATE_CONTROL)
		f->xcr0 = st->ctrl.xcr0;
	if (mask & LV_STATE_FPU)
		memcpy(f->area, &st->fpu, sizeof(st->fpu));
}

/* ---- CPUID ---------------------------------------------------------------- */

/*
 * What the guest's XSAVE support looks like (SDM Vol. 2A, CPUID; Vol. 1,
 * 13.2): leaf 1 XSAVE as the host, OSXSAVE as the guest's own CR4 (the
 * real one may be forced clear), AVX and the AVX-dependent FMA/F16C only
 * with the AVX component; leaf 7 without AVX-512 and AMX (their state
 * components are not offered) and AVX2 only with AVX; leaf 0Dh computed
 * for the components x87, SSE, AVX: subleaf 0 EAX the components, EBX
 * the size for the guest's XCR0, ECX for all of them; subleaf 1 only
 * XSAVEOPT (no compacted format, no supervisor states); subleaf 2 the
 * AVX component as the host reports it.
 */
/*
 * The guest's XCR0 now. While its registers are loaded, XCR0 is the
 * guest's own, and a guest XSETBV that QEMU 7.2 TCG ran without the SVM
 * intercept (lv_x86_fpu_put()) changed it behind f->xcr0: read it there.
 */
static uint64_t guest_xcr0(const struct lv_x86_fpu *f)
{
	uint64_t cr0, cr4, xcr0;

	if (!f->loaded || !f->xsave)
		return f->xcr0;
	cr4 = host_fpu_open(f, &cr0);
	xcr0 = xgetbv0();
	host_fpu_close(f, cr0, cr4);
	return xcr0;
}

void lv_x86_cpuid_fpu(struct lv_vcpu *v, uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	struct lv_x86_vcpu *x = lv_x86_of(v);
	const struct lv_x86_fpu *f = &x->fpu;
	int avx = (f->xcr0_ok & XCR0_AVX) != 0;

	if (leaf == 1) {
		r[2] &= ~(CPUID_1_ECX_XSAVE | CPUID_1_ECX_OSXSAVE | CPUID_1_ECX_AVX);
		if (!avx)
			r[2] &= ~((1u << 12) | (1u << 29)); /* FMA, F16C */
		if (f->xsave) {
			r[2] |= CPUID_1_ECX_XSAVE | (avx ? CPUID_1_ECX_AVX : 0);
			if (x->vd->get_state(v, LV_STATE_CONTROL, &x->scratch) == LV_OK &&
			    (x->scratch.ctrl.cr4 & CR4_OSXSAVE))
				r[2] |= CPUID_1_ECX_OSXSAVE;
		}
	} else if (leaf == 7) {
		if (sub == 0) {
			/* AVX-512 F/DQ/IFMA/PF/ER/CD/BW/VL; AVX2 without AVX */
			r[1] &= ~((1u << 16) | (1u << 17) | (1u << 21) | (1u << 26) | (1u << 27) |
				  (1u << 28) | (1u << 30) | (1u << 31) | (avx ? 0 : 1u << 5));
			/* AVX-512 VBMI/VBMI2/VNNI/BITALG/VPOPCNTDQ */
			r[2] &= ~((1u << 1) | (1u << 6) | (1u << 11) | (1u << 12) | (1u << 14));
			/* AVX-512 4VNNIW/4FMAPS/VP2INTERSECT/FP16, AMX-BF16/TILE/INT8 */
			r[3] &= ~((1u << 2) | (1u << 3) | (1u << 8) | (1u << 22) | (1u << 23) |
				  (1u << 24) | (1u << 25));
		} else if (sub == 1) {
			r[0] &= ~((1u << 5) | (avx ? 0 : 1u << 4)); /* AVX512_BF16, AVX-VNNI */
		}
	} else if (leaf == 0xd) {
		if (!f->xsave || sub > 2 || (sub == 2 && !avx)) {
			r[0] = r[1] = r[2] = r[3] = 0;
		} else if (sub == 0) {
			r[0] = (uint32_t)f->xcr0_ok;
			r[1] = (guest_xcr0(f) & XCR0_AVX) ? XSAVE_AVX_END : XSAVE_LEGACY_END;
			r[2] = avx ? XSAVE_AVX_END : XSAVE_LEGACY_END;
			r[3] = 0;
		} else if (sub == 1) {
			r[0] &= 1u; /* XSAVEOPT */
			r[1] = r[2] = r[3] = 0;
		}
	}
}
