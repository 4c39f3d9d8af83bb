/* SPDX-License-Identifier: MIT */
/*
 * Conformance cases: the guest's x87/SSE/AVX registers are its own
 * (guests/fpu_values.asm) and round-trip through the FPU state group
 * (guests/fpu_roundtrip.asm). Where the vCPU's CPUID offers no XSAVE/AVX
 * (QEMU's qemu64 model) the YMM cases check that XCR0 with AVX is refused
 * instead; the XMM cases run everywhere. xsave_sizes checks CPUID leaf 0Dh
 * against each XCR0 the guest sets (guests/xsave_sizes.asm).
 */
#include "conf.h"
#include "guests.h"

#define FPU_DATA  0x10000u
#define FPU_NOAVX (FPU_DATA + 8)     /* 1: the guest stays at SSE */
#define FPU_PAT	  (FPU_DATA + 0x100) /* the values the guest loads */
#define FPU_BUF	  (FPU_DATA + 0x400) /* what the guest's registers held */
#define FPU_X87	  (FPU_DATA + 0x600) /* ST0 as the guest read it (a double) */
#define FPU_PAT2  (FPU_DATA + 0x800) /* round trip: the guest's second pattern */
#define FPU_BYTES 512u		     /* 16 registers, 32-byte slots */
#define ROUNDS	  1000u

/* A pattern no register holds by accident: no slot is all zero. */
static void fpu_pattern(uint8_t *p, uint8_t seed)
{
	unsigned i;

	for (i = 0; i < FPU_BYTES; i++)
		p[i] = (uint8_t)(seed + i * 29u + (i >> 5) * 101u) | 0x01;
}

/* The first slot of @p buf that is not all zero in its first @p w bytes, or -1. */
static int fpu_nonzero_slot(const uint8_t *buf, unsigned w)
{
	unsigned r, i;

	for (r = 0; r < 16; r++)
		for (i = 0; i < w; i++)
			if (buf[32 * r + i])
				return (int)r;
	return -1;
}

/* The suite has memset/memcpy only (conf.h). */
static int bytes_eq(const uint8_t *a, const uint8_t *b, unsigned n)
{
	while (n--)
		if (*a++ != *b++)
			return 0;
	return 1;
}

static int fpu_slot_eq(const uint8_t *a, const uint8_t *b, unsigned r, unsigned w)
{
	return bytes_eq(a + 32 * r, b + 32 * r, w);
}

/*
 * The guest's XCR0 was not 7 after an exit although its XSETBV 7 ran. (KVM
 * inside QEMU 7.2 TCG never sees a guest's XSETBV, whose SVM does not
 * deliver the intercept; the KVM backend finds that at open and then
 * offers no XSAVE, so these cases take the no-AVX path there.)
 */
static int fpu_xcr0_lost(struct conf_ctx *c, uint64_t xcr0)
{
	return conf_fail(c, "the guest's XCR0 is 0x%llx after an exit, want 7 (its XSETBV)",
			 (unsigned long long)xcr0);
}

/* ---- values each way ------------------------------------------------------ */

struct fpu_vm {
	int want_avx;
	struct conf_ctx *c; /* its VM (c->vcpu[0]) */
	const char *name;
	uint8_t pat[FPU_BYTES];
	unsigned rounds;
	int started, done, avx;
};

/*
 * One run of @p f's vCPU with the host's pattern in the host's registers
 * (ring 0: the harness's host_fpu hook; a hosted harness has none, its
 * registers are its C library's and the kernel's), which must still be
 * there afterwards.
 */
/*
 * A vCPU whose CPUID offers no AVX (qemu64, no XSAVE): no YMM state to
 * keep apart, and the defined outcome is that XCR0 with AVX is refused.
 */
static int fpu_no_avx(struct conf_ctx *c, struct lv_vcpu *v)
{
	struct lv_state st;
	int rc = lv_vcpu_get_state(v, LV_STATE_CONTROL, &st);

	if (rc)
		return conf_fail(c, "get_state: %s", lv_status_name(rc));
	st.ctrl.xcr0 = 7;
	rc = lv_vcpu_set_state(v, LV_STATE_CONTROL, &st);
	if (rc != LV_ERR_INVAL)
		return conf_fail(c,
				 "no AVX in the vCPU's CPUID, yet set_state(XCR0 = 7): %s, "
				 "want LV_ERR_INVAL",
				 lv_status_name(rc));
	return CONF_PASS;
}

static int fpu_step(struct conf_ctx *c0, struct fpu_vm *f, const uint8_t *host_pat,
		    const struct fpu_vm *other)
{
	const struct lv_conf_host *h = c0->host;
	uint8_t *ram = f->c->ram;
	struct lv_exit *ex;
	unsigned w = f->avx ? 32 : 16;
	char got[80];
	int rc, r;

	if (h->host_fpu)
		h->host_fpu(h->ctx, 0, host_pat);
	rc = lv_vcpu_run(f->c->vcpu[0], &ex);
	if (h->host_fpu && h->host_fpu(h->ctx, 1, host_pat))
		return conf_fail(c0,
				 "the host's vector registers changed across a run of %s "
				 "(round %u)",
				 f->name, f->rounds);
	if (rc)
		return conf_fail(c0, "%s: run: %s", f->name, lv_status_name(rc));
	if (ex->reason == LV_EXIT_IO && ex->io.is_write && ex->io.port == 0x70) {
		f->started = 1;
		f->avx = ex->io.data[0] == 1;
		w = f->avx ? 32 : 16;
		/* The registers as set (reset: all zero), nobody else's. */
		r = fpu_nonzero_slot(ram + FPU_BUF, w);
		if (r >= 0)
			return conf_fail(
				c0, "%s found %s in register %d at its start, want 0", f->name,
				fpu_slot_eq(ram + FPU_BUF, host_pat, (unsigned)r, 16)
					? "the host's value"
				: other && fpu_slot_eq(ram + FPU_BUF, other->pat, (unsigned)r, 16)
					? "the other guest's value"
					: "a stale value",
				r);
		return CONF_PASS;
	}
	if (ex->reason == LV_EXIT_IO && ex->io.is_write && ex->io.port == 0x71) {
		f->rounds++;
		return CONF_PASS;
	}
	if (ex->reason == LV_EXIT_IO && ex->io.is_write && ex->io.port == 0x72) {
		uint32_t v = (uint32_t)conf_load(ex->io.data, 4);

		return conf_fail(c0, "%s: register %u lost its value across exit %u", f->name,
				 v & 0xffff, v >> 16);
	}
	if (ex->reason == LV_EXIT_IO && ex->io.is_write && ex->io.port == 0x73) {
		f->done = 1;
		return CONF_PASS;
	}
	if (ex->reason == LV_EXIT_IO && ex->io.is_write && ex->io.port == 0x74)
		return fpu_xcr0_lost(c0, conf_load(ex->io.data, 4));
	if (ex->reason == LV_EXIT_IO && ex->io.is_write && ex->io.port == 0x75) {
		uint64_t xcr0 = conf_load(ex->io.data, 4);

		if (f->want_avx && xcr0 != 7)
			return fpu_xcr0_lost(c0, xcr0);
		return conf_fail(c0, "%s: #UD in the guest (XCR0 0x%llx)", f->name,
				 (unsigned long long)xcr0);
	}
	conf_describe_exit(ex, got, sizeof(got));
	return conf_fail(c0, "%s: unexpected exit %s", f->name, got);
}

/*
 * Two VMs, one vCPU each, on the calling CPU in turn: A loads its values
 * and exits 1000 times, B (run between A's exits) too; each checks its
 * registers after every exit, each must find all-zero registers (its own
 * reset state) before loading its values although the host's values (and,
 * for B, A's) were in the CPU's registers just before. The host's own
 * values are loaded before every run and checked after it.
 */
static int fpu_values(struct conf_ctx *c, int want_avx)
{
	static struct conf_ctx c2;
	static struct fpu_vm a, b;
	static uint8_t host_pat[FPU_BYTES];
	int rc;

	memset(&c2, 0, sizeof(c2));
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	c2.b = c->b;
	c2.host = c->host;
	c2.cs = c->cs;
	c2.caps = c->caps;
	a.c = c;
	a.name = "guest A";
	b.c = &c2;
	b.name = "guest B";
	fpu_pattern(a.pat, 0x11);
	fpu_pattern(b.pat, 0x5b);
	fpu_pattern(host_pat, 0xa7);
	rc = conf_vm_setup(c, 1);
	if (!rc)
		rc = conf_vm_setup(&c2, 1);
	if (rc) {
		if (c2.msg[0])
			memcpy(c->msg, c2.msg, sizeof(c->msg));
		goto out;
	}
	memcpy(c->ram + FPU_PAT, a.pat, FPU_BYTES);
	memcpy(c2.ram + FPU_PAT, b.pat, FPU_BYTES);
	c->ram[FPU_NOAVX] = c2.ram[FPU_NOAVX] = (uint8_t)!want_avx;
	a.want_avx = b.want_avx = want_avx;
	/* A first, until its values are loaded (its first 0x71 exit). */
	while (!rc && a.rounds == 0 && !a.done)
		rc = fpu_step(c, &a, host_pat, NULL);
	if (!rc && want_avx && !a.avx) {
		rc = fpu_no_avx(c, c->vcpu[0]);
		goto out;
	}
	while (!rc && !(a.done && b.done)) {
		if (!b.done)
			rc = fpu_step(c, &b, host_pat, &a);
		if (!rc && !a.done)
			rc = fpu_step(c, &a, host_pat, &b);
	}
	if (!rc && (a.rounds != ROUNDS || b.rounds != ROUNDS || a.avx != b.avx))
		rc = conf_fail(c, "rounds A %u B %u (want %u), AVX A %d B %d", a.rounds, b.rounds,
			       ROUNDS, a.avx, b.avx);
out:
	conf_vm_teardown(&c2);
	return rc;
}

static int fpu_xmm_isolation(struct conf_ctx *c)
{
	return fpu_values(c, 0);
}

static int fpu_ymm_isolation(struct conf_ctx *c)
{
	return fpu_values(c, 1);
}

/* ---- XSAVE round trip ------------------------------------------------------ */

/* FXSAVE image: ST0 at byte 32 (80-bit, stack order), FSW TOP bits 13:11, FTW at 4. */
static const uint8_t x87_one[10] = { 0, 0, 0, 0, 0, 0, 0, 0x80, 0xff, 0x3f }; /* 1.0 */
static const uint8_t x87_pi[10] = { 0x35, 0xc2, 0x68, 0x21, 0xa2, 0xda, 0x0f, 0xc9, 0x00, 0x40 };

/*
 * lv_vcpu_set_state(FPU) with distinct XMM (and YMM) values and an x87
 * ST0: the guest reads exactly those; the guest then loads new values and
 * pushes pi: lv_vcpu_get_state(FPU) returns exactly those, XCR0 and
 * XSTATE_BV included.
 */
static int xsave_roundtrip(struct conf_ctx *c, int want_avx)
{
	struct lv_state *st = &c->st;
	static struct lv_state st2;
	static uint8_t p1[FPU_BYTES], p2[FPU_BYTES];
	uint64_t xcr0_seen;
	const uint32_t mask = LV_STATE_FPU | LV_STATE_CONTROL;
	struct lv_exit *ex;
	uint64_t bv, want_bv, dbl;
	unsigned r, w;
	int rc = conf_vm_setup(c, 1), avx;

	if (rc)
		return rc;
	c->ram[FPU_NOAVX] = (uint8_t)!want_avx;
	fpu_pattern(p1, 0x33);
	fpu_pattern(p2, 0xc4);
	memcpy(c->ram + FPU_DATA + 0x800, p2, FPU_BYTES);
	/* Two exits with the guest's own CR0.TS set, then clear (fpu_roundtrip.asm). */
	for (r = 0; r < 3 && !rc; r++) {
		rc = lv_vcpu_run(c->vcpu[0], &ex);
		if (!rc && ex->reason == LV_EXIT_IO && ex->io.port == 0x77)
			return conf_fail(c,
					 "the guest's CR0.TS, CR4.OSXSAVE or CPUID OSXSAVE is not "
					 "its own after %u exits",
					 r);
		if (rc || ex->reason != LV_EXIT_IO || ex->io.port != (r < 2 ? 0x76 : 0x70))
			return conf_fail(c, "run %u: %s reason %u", r, lv_status_name(rc),
					 ex->reason);
	}
	avx = ex->io.data[0] == 1;
	if (want_avx && !avx)
		return fpu_no_avx(c, c->vcpu[0]);
	w = avx ? 32 : 16;
	if ((rc = lv_vcpu_get_state(c->vcpu[0], mask, st)))
		return conf_fail(c, "get_state: %s", lv_status_name(rc));
	xcr0_seen = st->ctrl.xcr0;
	for (r = 0; r < 16; r++) {
		memcpy(st->fpu.fxsave + 160 + 16 * r, p1 + 32 * r, 16);
		memcpy(st->fpu.ymm_hi128 + 16 * r, p1 + 32 * r + 16, 16);
	}
	/* ST0 = 1.0: TOP = 7 after one push, physical R7 valid (abridged FTW bit 7). */
	st->fpu.fxsave[2] = 0;
	st->fpu.fxsave[3] = 7 << 3;
	st->fpu.fxsave[4] = 0x80;
	memcpy(st->fpu.fxsave + 32, x87_one, sizeof(x87_one));
	want_bv = avx ? 7 : 3;
	memset(st->fpu.xsave_header, 0, sizeof(st->fpu.xsave_header));
	memcpy(st->fpu.xsave_header, &want_bv, 8);
	if ((rc = lv_vcpu_set_state(c->vcpu[0], mask, st)))
		return conf_fail(c, "set_state(FPU | CONTROL): %s", lv_status_name(rc));
	/* The state alone first: get_state gives back exactly what was set. */
	memset(&st2, 0, sizeof(st2));
	if ((rc = lv_vcpu_get_state(c->vcpu[0], mask, &st2)))
		return conf_fail(c, "get_state: %s", lv_status_name(rc));
	if (!bytes_eq(st2.fpu.fxsave + 160, st->fpu.fxsave + 160, 256) ||
	    !bytes_eq(st2.fpu.fxsave + 32, x87_one, sizeof(x87_one)) ||
	    (avx && !bytes_eq(st2.fpu.ymm_hi128, st->fpu.ymm_hi128, 256)) ||
	    st2.ctrl.xcr0 != st->ctrl.xcr0)
		return conf_fail(c, "get_state after set_state differs (XCR0 0x%llx)",
				 (unsigned long long)st2.ctrl.xcr0);
	if (avx && xcr0_seen != 7)
		return fpu_xcr0_lost(c, xcr0_seen);
	rc = lv_vcpu_run(c->vcpu[0], &ex);
	if (!rc && ex->reason == LV_EXIT_IO && ex->io.port == 0x74)
		return fpu_xcr0_lost(c, conf_load(ex->io.data, 4));
	if (rc || ex->reason != LV_EXIT_IO || ex->io.port != 0x71)
		return conf_fail(c, "run: %s reason %u, want OUT to port 0x71", lv_status_name(rc),
				 ex->reason);
	for (r = 0; r < 16; r++)
		if (!fpu_slot_eq(c->ram + FPU_BUF, p1, r, w))
			return conf_fail(
				c, "the guest read register %u as %llx.., set %llx..", r,
				(unsigned long long)conf_load(c->ram + FPU_BUF + 32 * r, 8),
				(unsigned long long)conf_load(p1 + 32 * r, 8));
	dbl = conf_load(c->ram + FPU_X87, 8);
	if (dbl != 0x3ff0000000000000ull)
		return conf_fail(c, "the guest read ST0 as 0x%llx, want 1.0",
				 (unsigned long long)dbl);
	rc = lv_vcpu_run(c->vcpu[0], &ex);
	if (rc || ex->reason != LV_EXIT_HLT)
		return conf_fail(c, "run to HLT: %s reason %u", lv_status_name(rc), ex->reason);
	memset(st, 0, sizeof(*st));
	if ((rc = lv_vcpu_get_state(c->vcpu[0], mask, st)))
		return conf_fail(c, "get_state: %s", lv_status_name(rc));
	for (r = 0; r < 16; r++)
		if (!bytes_eq(st->fpu.fxsave + 160 + 16 * r, p2 + 32 * r, 16) ||
		    (avx && !bytes_eq(st->fpu.ymm_hi128 + 16 * r, p2 + 32 * r + 16, 16)))
			return conf_fail(
				c, "get_state: register %u is %llx.., the guest loaded %llx..", r,
				(unsigned long long)conf_load(st->fpu.fxsave + 160 + 16 * r, 8),
				(unsigned long long)conf_load(p2 + 32 * r, 8));
	if (!bytes_eq(st->fpu.fxsave + 32, x87_pi, sizeof(x87_pi)))
		return conf_fail(c, "get_state: ST0 is not pi (FLDPI): %llx",
				 (unsigned long long)conf_load(st->fpu.fxsave + 32, 8));
	memcpy(&bv, st->fpu.xsave_header, 8);
	if ((bv & want_bv) != want_bv || (avx && st->ctrl.xcr0 != 7))
		return conf_fail(c, "get_state: XSTATE_BV 0x%llx XCR0 0x%llx",
				 (unsigned long long)bv, (unsigned long long)st->ctrl.xcr0);
	/* And back in: the image get_state gave is accepted as it is. */
	if ((rc = lv_vcpu_set_state(c->vcpu[0], mask, st)))
		return conf_fail(c, "set_state of get_state's image: %s", lv_status_name(rc));
	/* A header XRSTOR would fault on is refused (state.h). */
	st->fpu.xsave_header[8] = 1; /* XCOMP_BV */
	if (lv_vcpu_set_state(c->vcpu[0], LV_STATE_FPU, st) != LV_ERR_INVAL)
		return conf_fail(c, "set_state with XCOMP_BV != 0 was not refused");
	st->fpu.xsave_header[8] = 0;
	st->ctrl.xcr0 = 5; /* AVX without SSE (SDM Vol. 1, 13.3) */
	if (lv_vcpu_set_state(c->vcpu[0], LV_STATE_CONTROL, st) != LV_ERR_INVAL)
		return conf_fail(c, "set_state with XCR0 = 5 was not refused");
	return CONF_PASS;
}

static int xsave_roundtrip_sse(struct conf_ctx *c)
{
	return xsave_roundtrip(c, 0);
}

static int xsave_roundtrip_avx(struct conf_ctx *c)
{
	return xsave_roundtrip(c, 1);
}

/* ---- CPUID leaf 0Dh against XCR0 (guests/xsave_sizes.asm) ---------------- */

#define XS_DATA	 0x10000u
#define XS_MASKS 8u

static const struct step xsave_sizes_script[] = {
	IO_OUT(0x61, 1, 0),
	IO_OUT(0x61, 1, 1),
	IO_OUT(0x61, 1, 2),
	IO_OUT(0x61, 1, 3),
	IO_OUT(0x61, 1, 4),
	IO_OUT(0x61, 1, 5),
	IO_OUT(0x61, 1, 6),
	IO_OUT(0x61, 1, 7),
	IO_OUT(0x60, 1, 0x5a),
	X_HLT,
	END,
};

/*
 * For every XCR0 the guest set from what CPUID.(EAX=0DH,ECX=0):EDX:EAX
 * offers, an exit later: XGETBV gives that value, and CPUID.(0DH,0):EBX
 * (the XSAVE area size for the XCR0 in force, SDM Vol. 2A, CPUID) is the
 * end of its last component as the sub-leaves give them (Linux compares
 * the two at boot: "XSAVE consistency problem"). Without XSAVE in
 * CPUID.1:ECX, no AVX and no OSXSAVE either (AVX state is XSAVE-managed).
 * The same for the first two values set again with the FPU in use and
 * CPUID right after XSETBV, with no exit between.
 */
static int xsave_sizes_check(struct conf_ctx *c)
{
	const uint8_t *d = c->ram + XS_DATA;
	uint32_t l1_ecx = (uint32_t)conf_load(d, 4), offered = (uint32_t)conf_load(d + 4, 4);
	unsigned n;

	if (!(l1_ecx & (1u << 26))) {
		if (l1_ecx & ((1u << 27) | (1u << 28)))
			return conf_fail(c, "CPUID.1:ECX 0x%x: OSXSAVE or AVX without XSAVE",
					 l1_ecx);
		return CONF_PASS;
	}
	if ((offered & 3) != 3)
		return conf_fail(c, "CPUID.(0DH,0):EAX 0x%x lacks x87 or SSE", offered);
	for (n = 0; n < XS_MASKS; n++) {
		const uint8_t *slot = d + 16 + 16 * n;
		uint32_t got = (uint32_t)conf_load(slot, 4), ebx = (uint32_t)conf_load(slot + 4, 4);
		uint32_t size = (uint32_t)conf_load(slot + 8, 4),
			 want = (uint32_t)conf_load(slot + 12, 4);

		if (got != want)
			return conf_fail(c,
					 "the guest's XSETBV 0x%x did not outlive an exit: XGETBV "
					 "gives 0x%x",
					 want, got);
		if (ebx != size)
			return conf_fail(
				c,
				"XCR0 0x%x: CPUID.(0DH,0):EBX is %u, its components end at "
				"%u (CPUID.(0DH,i) for i = 2-31)",
				want, ebx, size);
	}
	/* XSETBV and CPUID with the FPU in use and no exit between (the guest's end). */
	for (n = 0; n < 2; n++) {
		uint32_t ebx = (uint32_t)conf_load(d + 16 + 16 * XS_MASKS + 4 * n, 4);
		uint32_t size = (uint32_t)conf_load(d + 16 + 16 * n + 8, 4);
		uint32_t want = (uint32_t)conf_load(d + 16 + 16 * n + 12, 4);

		if (ebx != size)
			return conf_fail(c,
					 "XCR0 0x%x set with the FPU in use: CPUID.(0DH,0):EBX "
					 "right after is %u, want %u",
					 want, ebx, size);
	}
	return CONF_PASS;
}

const struct conf_case conf_cases_fpu[] = {
	{ .name = "fpu_xmm_isolation",
	  .mode = MODE_LONG64,
	  .guest = &conf_guest_fpu_values,
	  .custom = fpu_xmm_isolation },
	{ .name = "fpu_ymm_isolation",
	  .mode = MODE_LONG64,
	  .guest = &conf_guest_fpu_values,
	  .custom = fpu_ymm_isolation },
	{ .name = "xsave_roundtrip_sse",
	  .mode = MODE_LONG64,
	  .guest = &conf_guest_fpu_roundtrip,
	  .custom = xsave_roundtrip_sse },
	{ .name = "xsave_roundtrip_avx",
	  .mode = MODE_LONG64,
	  .guest = &conf_guest_fpu_roundtrip,
	  .custom = xsave_roundtrip_avx },
	{ .name = "xsave_sizes",
	  .mode = MODE_LONG64,
	  .guest = &conf_guest_xsave_sizes,
	  .script = xsave_sizes_script,
	  .check = xsave_sizes_check },
	{ .name = NULL },
};
