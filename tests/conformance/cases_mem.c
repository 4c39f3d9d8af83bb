/* SPDX-License-Identifier: MIT */
/* Conformance cases: MMIO, read-only and unmapped memory, protection, dirty log. */
#include "conf.h"
#include "guests.h"

static const struct step mmio_script[] = {
	MMIO_W(CONF_MMIO + 0x00, 1, 0x11),
	MMIO_W(CONF_MMIO + 0x10, 2, 0x2233),
	MMIO_W(CONF_MMIO + 0x20, 4, 0x44556677),
	MMIO_W(CONF_MMIO + 0x30, 8, 0x8899aabbccddeeffull),
	MMIO_R(CONF_MMIO + 0x40, 1, 0x5a),
	MMIO_R(CONF_MMIO + 0x50, 2, 0x5a6b),
	MMIO_R(CONF_MMIO + 0x60, 4, 0x5a6b7c8d),
	MMIO_R(CONF_MMIO + 0x70, 8, 0x0102030405060708ull),
	X_HLT,
	END,
};

static int expect_ram(struct conf_ctx *c, uint32_t gpa, unsigned size, uint64_t want)
{
	uint64_t got = conf_load(c->ram + gpa, size);

	if (got != want)
		return conf_fail(c, "RAM 0x%x holds 0x%llx, want 0x%llx", gpa,
				 (unsigned long long)got, (unsigned long long)want);
	return CONF_PASS;
}

static int mmio_check(struct conf_ctx *c)
{
	return expect_ram(c, 0x10000, 1, 0x5a) || expect_ram(c, 0x10008, 2, 0x5a6b) ||
	       expect_ram(c, 0x10010, 4, 0x5a6b7c8d) ||
	       expect_ram(c, 0x10018, 8, 0x0102030405060708ull);
}

static const struct step movzx_script[] = {
	MMIO_R(CONF_MMIO + 0x100, 1, 0xfe),
	MMIO_R(CONF_MMIO + 0x102, 2, 0x8001),
	MMIO_R(CONF_MMIO + 0x104, 1, 0x80),
	X_HLT,
	END,
};

static int movzx_check(struct conf_ctx *c)
{
	return expect_ram(c, 0x10000, 4, 0xfe) || expect_ram(c, 0x10004, 4, 0x8001) ||
	       expect_ram(c, 0x10008, 8, 0xffffffffffffff80ull);
}

/* OR to MMIO: the device sees a read, then a write of the ORed value. */
static const struct step rmw_script[] = {
	MMIO_R(CONF_MMIO + 0x200, 4, 0x11),
	MMIO_W(CONF_MMIO + 0x200, 4, 0x111),
	X_HLT,
	END,
};

/* SMSW m16: CR0[15:0] (PE MP ET NE of the long-mode state) in two bytes, with REX.W too. */
static const struct step smsw_script[] = {
	MMIO_W(CONF_MMIO + 0x300, 2, 0x33),
	MMIO_W(CONF_MMIO + 0x308, 2, 0x33),
	X_HLT,
	END,
};

/* String instructions: one access per element, in order. */
static const struct step mmio_string_script[] = {
	MMIO_W(CONF_MMIO + 0x300, 4, 0x11111111),
	MMIO_W(CONF_MMIO + 0x304, 4, 0x22222222),
	MMIO_W(CONF_MMIO + 0x308, 4, 0x33333333),
	MMIO_R(CONF_MMIO + 0x400, 1, 0xa1),
	MMIO_R(CONF_MMIO + 0x401, 1, 0xb2),
	MMIO_W(CONF_MMIO + 0x500, 2, 0xbeef),
	X_HLT,
	END,
};

static int mmio_string_check(struct conf_ctx *c)
{
	return expect_ram(c, 0x10000, 2, 0xb2a1);
}

/* ---- read-only page ---------------------------------------------------- */

static int ro_setup(struct conf_ctx *c)
{
	int rc;

	c->ram[0x90000] = 0x5a;
	rc = lv_vm_protect(c->vm, 0x90000, LV_PAGE_SIZE, LV_PROT_READ | LV_PROT_EXEC);
	if (rc)
		return conf_fail(c, "protect read-only: %s", lv_status_name(rc));
	return CONF_PASS;
}

static const struct step ro_script[] = {
	MMIO_W(0x90000, 1, 0x77),
	IO_OUT(0x70, 1, 0x5a),
	X_HLT,
	END,
};

static int ro_check(struct conf_ctx *c)
{
	return expect_ram(c, 0x90000, 1, 0x5a);
}

/* ---- unmapped GPA -------------------------------------------------------- */

static const struct step unmapped_script[] = {
	MMIO_R(0x3fff0000, 4, 0x12345678),
	IO_OUT(0x70, 4, 0x12345678),
	MMIO_W(0x3fff0004, 4, 0xabcdef01),
	X_HLT,
	END,
};

/* ---- protect / unmap single pages inside one mapping ---------------------- */

static int prot_step1(struct conf_ctx *c, struct lv_vcpu *v)
{
	int rc = lv_vm_protect(c->vm, 0x101000, LV_PAGE_SIZE, LV_PROT_READ | LV_PROT_EXEC);

	(void)v;
	if (rc)
		return conf_fail(c, "protect 0x101000: %s", lv_status_name(rc));
	rc = lv_vm_unmap(c->vm, 0x102000, LV_PAGE_SIZE);
	if (rc)
		return conf_fail(c, "unmap 0x102000: %s", lv_status_name(rc));
	return CONF_PASS;
}

static int prot_step2(struct conf_ctx *c, struct lv_vcpu *v)
{
	int rc = lv_vm_protect(c->vm, 0x101000, LV_PAGE_SIZE, LV_PROT_ALL);

	(void)v;
	if (rc)
		return conf_fail(c, "protect 0x101000 back: %s", lv_status_name(rc));
	return CONF_PASS;
}

static const struct step protect_script[] = {
	IO_OUT(0x61, 1, 1),
	ACTION(prot_step1),
	MMIO_W(0x101000, 4, 0x22222222),
	MMIO_R(0x102000, 4, 0x55555555),
	IO_OUT(0x70, 4, 0x55555555),
	IO_OUT(0x62, 1, 2),
	ACTION(prot_step2),
	X_HLT,
	END,
};

static int protect_check(struct conf_ctx *c)
{
	return expect_ram(c, 0x100000, 4, 0x33333333) || expect_ram(c, 0x101000, 4, 0x66666666) ||
	       expect_ram(c, 0x102000, 4, 0) || expect_ram(c, 0x103000, 4, 0x44444444);
}

/* ---- protection "none" and back ------------------------------------------ */

/*
 * lv_vm_protect(prot = 0) is the same on every backend: the range stays a
 * memory slot, but every guest access to it is an MMIO exit; giving the
 * rights back shows the RAM as it was (the guest's write went to the host).
 */
static int none_step1(struct conf_ctx *c, struct lv_vcpu *v)
{
	int rc = lv_vm_protect(c->vm, 0x104000, LV_PAGE_SIZE, 0);

	(void)v;
	if (rc)
		return conf_fail(c, "protect 0x104000 to none: %s", lv_status_name(rc));
	return CONF_PASS;
}

static int none_step2(struct conf_ctx *c, struct lv_vcpu *v)
{
	int rc = lv_vm_protect(c->vm, 0x104000, LV_PAGE_SIZE, LV_PROT_ALL);

	(void)v;
	if (rc)
		return conf_fail(c, "protect 0x104000 back: %s", lv_status_name(rc));
	return CONF_PASS;
}

static const struct step protect_none_script[] = {
	IO_OUT(0x61, 1, 1),
	ACTION(none_step1),
	MMIO_R(0x104000, 4, 0xa5a5a5a5),
	IO_OUT(0x70, 4, 0xa5a5a5a5),
	MMIO_W(0x104000, 4, 0x9abcdef0),
	IO_OUT(0x62, 1, 2),
	ACTION(none_step2),
	IO_OUT(0x70, 4, 0x12345678),
	X_HLT,
	END,
};

static int protect_none_check(struct conf_ctx *c)
{
	return expect_ram(c, 0x104000, 4, 0x12345678);
}

/* ---- execute protection -------------------------------------------------- */

static int expect_io(struct conf_ctx *c, struct lv_vcpu *v, uint16_t port, uint64_t value)
{
	struct lv_exit *ex;
	char got[80];
	int rc = lv_vcpu_run(v, &ex);

	if (rc)
		return conf_fail(c, "run: %s", lv_status_name(rc));
	if (ex->reason == LV_EXIT_IO && ex->io.port == port && ex->io.is_write &&
	    ex->io.data[0] == (uint8_t)value)
		return CONF_PASS;
	conf_describe_exit(ex, got, sizeof(got));
	return conf_fail(c, "got %s, want OUT 0x%x", got, port);
}

/*
 * Dropping LV_PROT_EXEC: a fetch from the page exits as LV_EXIT_NPF with
 * access EXEC before anything there runs (NPT NX, EPT X); a backend that
 * cannot express it (no LV_FEAT_NOEXEC_MEM: KVM slots) refuses the
 * protection with LV_ERR_NOTSUP and the code runs as before.
 */
static int nx_fetch(struct conf_ctx *c)
{
	const uint32_t rw = LV_PROT_READ | LV_PROT_WRITE;
	struct lv_vcpu *v;
	struct lv_exit *ex;
	char got[80];
	int rc = conf_vm_setup(c, 1);

	if (rc)
		return rc;
	v = c->vcpu[0];
	if ((rc = expect_io(c, v, 0x61, 1)))
		return rc;
	rc = lv_vm_protect(c->vm, 0x105000, LV_PAGE_SIZE, rw);
	if (!(c->caps.features & LV_FEAT_NOEXEC_MEM)) {
		if (rc != LV_ERR_NOTSUP)
			return conf_fail(c,
					 "protect without EXEC: %s, want LV_ERR_NOTSUP (no "
					 "LV_FEAT_NOEXEC_MEM)",
					 lv_status_name(rc));
		rc = lv_vm_map(c->vm, c->ram, 0x40000000, LV_PAGE_SIZE, rw);
		if (rc != LV_ERR_NOTSUP)
			return conf_fail(c, "map without EXEC: %s, want LV_ERR_NOTSUP",
					 lv_status_name(rc));
	} else {
		if (rc)
			return conf_fail(c, "protect without EXEC: %s", lv_status_name(rc));
		rc = lv_vcpu_run(v, &ex);
		if (rc)
			return conf_fail(c, "run: %s", lv_status_name(rc));
		if (ex->reason != LV_EXIT_NPF || ex->npf.access != LV_ACCESS_EXEC ||
		    (ex->npf.gpa & ~0xfffull) != 0x105000) {
			conf_describe_exit(ex, got, sizeof(got));
			return conf_fail(c,
					 "call into a no-exec page gave %s, want NPF EXEC at "
					 "0x105000",
					 got);
		}
		rc = lv_vm_protect(c->vm, 0x105000, LV_PAGE_SIZE, LV_PROT_ALL);
		if (rc)
			return conf_fail(c, "protect back: %s", lv_status_name(rc));
	}
	if ((rc = expect_io(c, v, 0x71, 0x71)) || (rc = expect_io(c, v, 0x62, 2)))
		return rc;
	rc = lv_vcpu_run(v, &ex);
	if (rc || ex->reason != LV_EXIT_HLT)
		return conf_fail(c, "no HLT at the end");
	return CONF_PASS;
}

/* ---- an MMIO instruction no emulator handles ------------------------------ */

/*
 * The defined outcome is an emulation-failure exit (INTERNAL_ERROR,
 * LV_INTERNAL_EMULATION) on every backend; the ring-0 backends give the same
 * record: the access's GPA and the instruction's RIP.
 */
static int emul_failure(struct conf_ctx *c)
{
	struct lv_exit *ex;
	char got[80];
	int rc = conf_vm_setup(c, 1);

	if (rc)
		return rc;
	rc = lv_vcpu_run(c->vcpu[0], &ex);
	if (rc)
		return conf_fail(c, "run: %s", lv_status_name(rc));
	if (ex->reason != LV_EXIT_INTERNAL_ERROR ||
	    ex->internal.suberror != LV_INTERNAL_EMULATION) {
		conf_describe_exit(ex, got, sizeof(got));
		return conf_fail(c, "got %s, want INTERNAL_ERROR suberror %u", got,
				 LV_INTERNAL_EMULATION);
	}
	if (!(c->caps.features & LV_FEAT_RING0))
		return CONF_PASS;
	if (ex->internal.ndata != 2 || ex->internal.data[0] != CONF_MMIO + 0x100 ||
	    ex->internal.data[1] != CONF_CODE)
		return conf_fail(c, "internal error data %u: 0x%llx 0x%llx, want 2: 0x%x 0x%x",
				 ex->internal.ndata, (unsigned long long)ex->internal.data[0],
				 (unsigned long long)ex->internal.data[1], CONF_MMIO + 0x100,
				 CONF_CODE);
	return CONF_PASS;
}

/* ---- dirty log ----------------------------------------------------------- */

#define DIRTY_GPA  0x200000u
#define DIRTY_SIZE 0x10000u

static int dirty_setup(struct conf_ctx *c)
{
	uint64_t bm = ~0ull;
	int rc;

	c->extra = c->host->mem_alloc(c->host->ctx, DIRTY_SIZE);
	if (!c->extra)
		return conf_fail(c, "allocation failed");
	c->extra_size = DIRTY_SIZE;
	rc = lv_vm_map(c->vm, c->extra, DIRTY_GPA, DIRTY_SIZE, LV_PROT_ALL | LV_MAP_DIRTY_LOG);
	if (rc)
		return conf_fail(c, "map with dirty log: %s", lv_status_name(rc));
	rc = lv_vm_get_dirty(c->vm, DIRTY_GPA, DIRTY_SIZE, &bm);
	if (rc)
		return conf_fail(c, "get_dirty: %s", lv_status_name(rc));
	if (bm)
		return conf_fail(c, "dirty bits 0x%llx before the guest ran",
				 (unsigned long long)bm);
	return CONF_PASS;
}

static const struct step dirty_script[] = { X_HLT, END };

static int dirty_check(struct conf_ctx *c)
{
	uint64_t bm = 0;
	int rc;

	rc = lv_vm_get_dirty(c->vm, DIRTY_GPA, DIRTY_SIZE, &bm);
	if (rc)
		return conf_fail(c, "get_dirty: %s", lv_status_name(rc));
	if (bm != 0x9)
		return conf_fail(c, "dirty bits 0x%llx, want 0x9", (unsigned long long)bm);
	rc = lv_vm_get_dirty(c->vm, DIRTY_GPA, DIRTY_SIZE, &bm);
	if (rc || bm)
		return conf_fail(c, "second get_dirty: %s bits 0x%llx", lv_status_name(rc),
				 (unsigned long long)bm);
	if (conf_load(c->extra, 4) != 1 || conf_load(c->extra + 0x3000, 4) != 2)
		return conf_fail(c, "guest writes did not reach the dirty-logged memory");
	return CONF_PASS;
}

const struct conf_case conf_cases_mem[] = {
	{ .name = "nx_fetch",
	  .mode = MODE_PROT32,
	  .guest = &conf_guest_nx_fetch,
	  .custom = nx_fetch },
	{ .name = "mmio_rw_1_2_4_8",
	  .mode = MODE_LONG64,
	  .guest = &conf_guest_mmio_64,
	  .script = mmio_script,
	  .check = mmio_check },
	{ .name = "mmio_movzx_movsx",
	  .mode = MODE_LONG64,
	  .guest = &conf_guest_mmio_movzx,
	  .script = movzx_script,
	  .check = movzx_check },
	{ .name = "mmio_or_rmw",
	  .mode = MODE_LONG64,
	  .guest = &conf_guest_mmio_rmw,
	  .script = rmw_script },
	{ .name = "mmio_smsw",
	  .mode = MODE_LONG64,
	  .guest = &conf_guest_mmio_smsw,
	  .script = smsw_script },
	{ .name = "mmio_string",
	  .mode = MODE_PROT32,
	  .guest = &conf_guest_mmio_string,
	  .script = mmio_string_script,
	  .check = mmio_string_check },
	{ .name = "readonly_write",
	  .mode = MODE_PROT32,
	  .guest = &conf_guest_ro_write,
	  .need_features = LV_FEAT_READONLY_MEM,
	  .setup = ro_setup,
	  .script = ro_script,
	  .check = ro_check },
	{ .name = "unmapped_gpa",
	  .mode = MODE_PROT32,
	  .guest = &conf_guest_unmapped,
	  .script = unmapped_script },
	{ .name = "protect_unmap_split",
	  .mode = MODE_PROT32,
	  .guest = &conf_guest_protect,
	  .need_features = LV_FEAT_READONLY_MEM,
	  .script = protect_script,
	  .check = protect_check },
	{ .name = "protect_none",
	  .mode = MODE_PROT32,
	  .guest = &conf_guest_protect_none,
	  .script = protect_none_script,
	  .check = protect_none_check },
	{ .name = "emulation_failure",
	  .mode = MODE_LONG64,
	  .guest = &conf_guest_emul_fail,
	  .custom = emul_failure },
	{ .name = "dirty_log",
	  .mode = MODE_PROT32,
	  .guest = &conf_guest_dirty,
	  .need_features = LV_FEAT_DIRTY_LOG,
	  .setup = dirty_setup,
	  .script = dirty_script,
	  .check = dirty_check },
	{ .name = NULL },
};
