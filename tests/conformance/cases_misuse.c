/* SPDX-License-Identifier: MIT */
/*
 * Conformance cases: misuse of the API. Stale handles, creation limits,
 * bad arguments to the memory calls, state values a backend must refuse
 * (and keep the old state), requests a backend does not offer. Every call
 * must return the code libvcpu.h documents for it and change nothing when
 * it fails. A running vCPU and kicks: cases_misuse_run.c.
 */
#include "conf.h"
#include "guests.h"

/* The page misuse_loop.asm stores to, and its counter of stores (DATA). */

/* ---- stale and NULL handles ---------------------------------------------- */

/*
 * A VM with a vCPU refuses to go (BUSY), and so does the backend with a VM
 * (nothing is freed: the harness's backend stays usable). Every call on a
 * destroyed vCPU or VM gives STALE; NULL handles give INVAL.
 */
static int stale_handles(struct conf_ctx *c)
{
	struct lv_cpuid_entry e = { 0x40000010, 0, 0, 1, 2, 3, 4 };
	struct lv_event ev = { .type = LV_EVENT_NMI, .vector = 2 };
	struct lv_vcpu *v, *v2 = NULL;
	struct lv_vm *vm;
	struct lv_exit *ex;
	uint64_t val, bm[1];
	int rc = conf_vm_setup(c, 1);

	if (rc)
		return rc;
	v = c->vcpu[0];
	vm = c->vm;
	if (conf_run_expect(c, v, LV_EXIT_IO, "first run"))
		return CONF_FAIL;
	WANT("run with NULL exit", lv_vcpu_run(v, NULL), LV_ERR_INVAL);
	WANT("run(NULL)", lv_vcpu_run(NULL, &ex), LV_ERR_INVAL);
	WANT("kick(NULL)", lv_vcpu_kick(NULL), LV_ERR_INVAL);
	WANT("get_state(NULL)", lv_vcpu_get_state(NULL, LV_STATE_GPRS, &c->st), LV_ERR_INVAL);
	WANT("vcpu_destroy(NULL)", lv_vcpu_destroy(NULL), LV_ERR_INVAL);
	WANT("vm_destroy(NULL)", lv_vm_destroy(NULL), LV_ERR_INVAL);
	WANT("vm_map(NULL)", lv_vm_map(NULL, c->ram, 0, 0x1000, LV_PROT_ALL), LV_ERR_INVAL);
	WANT("backend_close(NULL)", lv_backend_close(NULL), LV_ERR_INVAL);
	WANT("backend_caps(NULL)", lv_backend_caps(NULL, &c->caps), LV_ERR_INVAL);
	WANT("backend_caps(b, NULL)", lv_backend_caps(c->b, NULL), LV_ERR_INVAL);
	WANT("vm_create(b, NULL, NULL)", lv_vm_create(c->b, NULL, NULL), LV_ERR_INVAL);
	WANT("vcpu_create(vm, 1, NULL)", lv_vcpu_create(vm, 1, NULL), LV_ERR_INVAL);
	/* Live children. */
	WANT("vm_destroy with a vCPU", lv_vm_destroy(vm), LV_ERR_BUSY);
	WANT("backend_close with a VM", lv_backend_close(c->b), LV_ERR_BUSY);
	WANT("vcpu_create of a live id", lv_vcpu_create(vm, 0, &v2), LV_ERR_EXIST);
	if (v2)
		return conf_fail(c, "vcpu_create of a live id returned a handle");
	/* The refused calls changed nothing: the vCPU still runs. */
	if (conf_restart(c, v) ||
	    conf_run_expect(c, v, LV_EXIT_IO, "run after the refused destroys"))
		return CONF_FAIL;
	WANT("vcpu_destroy", lv_vcpu_destroy(v), LV_OK);
	c->vcpu[0] = NULL;
	WANT("run after destroy", lv_vcpu_run(v, &ex), LV_ERR_STALE);
	WANT("kick after destroy", lv_vcpu_kick(v), LV_ERR_STALE);
	WANT("get_state after destroy", lv_vcpu_get_state(v, LV_STATE_GPRS, &c->st), LV_ERR_STALE);
	WANT("set_state after destroy", lv_vcpu_set_state(v, LV_STATE_GPRS, &c->st), LV_ERR_STALE);
	WANT("get_msr after destroy", lv_vcpu_get_msr(v, 0xc0000080u, &val), LV_ERR_STALE);
	WANT("set_msr after destroy", lv_vcpu_set_msr(v, 0xc0000081u, 0), LV_ERR_STALE);
	WANT("inject after destroy", lv_vcpu_inject(v, &ev), LV_ERR_STALE);
	WANT("request_window after destroy", lv_vcpu_request_window(v, 0), LV_ERR_STALE);
	WANT("set_cpuid after destroy", lv_vcpu_set_cpuid(v, &e, 1), LV_ERR_STALE);
	WANT("set_exception_exits after destroy", lv_vcpu_set_exception_exits(v, 0), LV_ERR_STALE);
	WANT("set_debug after destroy", lv_vcpu_set_debug(v, 0), LV_ERR_STALE);
	WANT("vcpu_destroy twice", lv_vcpu_destroy(v), LV_ERR_STALE);
	/* The VM is still whole: its memory calls work. */
	WANT("unmap with the vCPU gone", lv_vm_unmap(vm, 0x1f0000, 0x1000), LV_OK);
	WANT("vm_destroy", lv_vm_destroy(vm), LV_OK);
	c->vm = NULL; /* its vCPUs' memory is gone too: v is not touched again */
	WANT("vm_map after destroy", lv_vm_map(vm, c->ram, 0x300000, 0x1000, LV_PROT_ALL),
	     LV_ERR_STALE);
	WANT("vm_unmap after destroy", lv_vm_unmap(vm, 0, 0x1000), LV_ERR_STALE);
	WANT("vm_protect after destroy", lv_vm_protect(vm, 0, 0x1000, LV_PROT_READ), LV_ERR_STALE);
	WANT("vm_get_dirty after destroy", lv_vm_get_dirty(vm, 0, 0x1000, bm), LV_ERR_STALE);
	WANT("vm_set_msr_exits after destroy", lv_vm_set_msr_exits(vm, NULL, 0), LV_ERR_STALE);
	WANT("vcpu_create after destroy", lv_vcpu_create(vm, 0, &v2), LV_ERR_STALE);
	WANT("vm_destroy twice", lv_vm_destroy(vm), LV_ERR_STALE);
	return CONF_PASS;
}

/* VM and vCPU creation limits; a destroyed id comes back in the RESET state. */
static int create_limits(struct conf_ctx *c)
{
	struct lv_vm_config cfg = { 0, 0 };
	struct lv_vm *vm = NULL;
	struct lv_vcpu *v = NULL;
	int rc;

	cfg.flags = 1u << 31;
	WANT("vm_create with reserved flags", lv_vm_create(c->b, &cfg, &vm), LV_ERR_INVAL);
	cfg.flags = 0;
	if (c->caps.max_vcpus < 0xffffffffu) {
		cfg.max_vcpus = c->caps.max_vcpus + 1;
		WANT("vm_create with max_vcpus over the backend's", lv_vm_create(c->b, &cfg, &vm),
		     LV_ERR_LIMIT);
	}
	if (vm)
		return conf_fail(c, "a refused vm_create returned a handle");
	cfg.max_vcpus = 1;
	rc = lv_vm_create(c->b, &cfg, &c->vm);
	if (rc)
		return conf_fail(c, "vm_create(max_vcpus 1): %s", lv_status_name(rc));
	WANT("vcpu_create id 1 of 1", lv_vcpu_create(c->vm, 1, &v), LV_ERR_LIMIT);
	WANT("vcpu_create id 0xffffffff", lv_vcpu_create(c->vm, 0xffffffffu, &v), LV_ERR_LIMIT);
	WANT("vcpu_create id 0", lv_vcpu_create(c->vm, 0, &c->vcpu[0]), LV_OK);
	WANT("vcpu_create id 0 again", lv_vcpu_create(c->vm, 0, &v), LV_ERR_EXIST);
	return CONF_PASS;
}

/*
 * A kick and a window request left on a destroyed vCPU (with its CPUID
 * overrides and a half-done OUT) do not reach the vCPU created again with
 * its id, which starts in RESET. The new vCPU runs with RFLAGS.IF = 1, so
 * an inherited interrupt-window request would exit at once.
 */
static int recreate_vcpu(struct conf_ctx *c)
{
	struct lv_cpuid_entry e = { 0x40000010, 0, 0, 1, 2, 3, 4 };
	struct lv_vcpu *v;
	int rc = conf_vm_setup(c, 1);

	if (rc)
		return rc;
	v = c->vcpu[0];
	WANT("set_cpuid", lv_vcpu_set_cpuid(v, &e, 1), LV_OK); /* KVM: only before a run */
	if (conf_run_expect(c, v, LV_EXIT_IO, "first run"))
		return CONF_FAIL;
	if (c->caps.features & LV_FEAT_IRQ_WINDOW)
		WANT("request_window", lv_vcpu_request_window(v, LV_WINDOW_IRQ), LV_OK);
	WANT("kick", lv_vcpu_kick(v), LV_OK); /* left pending */
	WANT("vcpu_destroy", lv_vcpu_destroy(v), LV_OK);
	c->vcpu[0] = NULL;
	WANT("vcpu_create of the same id", lv_vcpu_create(c->vm, 0, &c->vcpu[0]), LV_OK);
	v = c->vcpu[0];
	rc = lv_vcpu_get_state(v, LV_STATE_ALL, &c->st);
	if (rc)
		return conf_fail(c, "get_state: %s", lv_status_name(rc));
	if (c->st.regs.rip != 0xfff0 || c->st.segs.cs.base != 0xffff0000ull ||
	    (c->st.ctrl.cr0 & 0x80000001ull))
		return conf_fail(c, "new vCPU not in RESET: RIP 0x%llx CS.base 0x%llx CR0 0x%llx",
				 (unsigned long long)c->st.regs.rip,
				 (unsigned long long)c->st.segs.cs.base,
				 (unsigned long long)c->st.ctrl.cr0);
	conf_state_for_mode(&c->st, c->cs->mode);
	c->st.regs.rflags = 0x202;
	rc = lv_vcpu_set_state(v, LV_STATE_GPRS | LV_STATE_SEGMENTS | LV_STATE_CONTROL, &c->st);
	if (rc)
		return conf_fail(c, "set_state: %s", lv_status_name(rc));
	/* No kick, window exit or old exit completion from the predecessor. */
	return conf_run_expect(c, v, LV_EXIT_IO, "first run of the new vCPU");
}

/* ---- memory calls -------------------------------------------------------- */

/*
 * Over the standard layout (RAM at [0, 0xc0000) and [0x100000, 0x200000)):
 * every refused call returns its documented code and leaves nothing
 * behind, so the hole can be mapped exactly afterwards and the guest runs.
 */
static int bad_maps(struct conf_ctx *c)
{
	const uint64_t top = c->caps.guest_phys_bits < 64 ? 1ull << c->caps.guest_phys_bits : 0;
	struct lv_msr_range r = { 0x1000, 1, LV_MSR_EXIT_READ };
	uint8_t *hole_mem;
	uint64_t bm[1];
	int rc = conf_vm_setup(c, 1);

	if (rc)
		return rc;
	hole_mem = c->ram + CONF_HOLE_START; /* the RAM behind the hole: not mapped */
	WANT("map NULL hva", lv_vm_map(c->vm, NULL, 0x300000, 0x1000, LV_PROT_ALL), LV_ERR_INVAL);
	WANT("map size 0", lv_vm_map(c->vm, hole_mem, CONF_HOLE_START, 0, LV_PROT_ALL),
	     LV_ERR_INVAL);
	WANT("map without READ", lv_vm_map(c->vm, hole_mem, CONF_HOLE_START, 0x1000, 0),
	     LV_ERR_INVAL);
	WANT("map WRITE without READ",
	     lv_vm_map(c->vm, hole_mem, CONF_HOLE_START, 0x1000, LV_PROT_WRITE), LV_ERR_INVAL);
	WANT("map unknown flag",
	     lv_vm_map(c->vm, hole_mem, CONF_HOLE_START, 0x1000, LV_PROT_ALL | (1u << 20)),
	     LV_ERR_INVAL);
	WANT("map unaligned hva",
	     lv_vm_map(c->vm, hole_mem + 1, CONF_HOLE_START, 0x1000, LV_PROT_ALL), LV_ERR_ALIGN);
	WANT("map unaligned gpa",
	     lv_vm_map(c->vm, hole_mem, CONF_HOLE_START + 0x800, 0x1000, LV_PROT_ALL),
	     LV_ERR_ALIGN);
	WANT("map unaligned size", lv_vm_map(c->vm, hole_mem, CONF_HOLE_START, 0x1800, LV_PROT_ALL),
	     LV_ERR_ALIGN);
	if (top) {
		WANT("map beyond guest_phys_bits",
		     lv_vm_map(c->vm, hole_mem, top, 0x1000, LV_PROT_ALL), LV_ERR_RANGE);
		WANT("map across guest_phys_bits",
		     lv_vm_map(c->vm, hole_mem, top - 0x1000, 0x2000, LV_PROT_ALL), LV_ERR_RANGE);
	}
	WANT("map wrapping", lv_vm_map(c->vm, hole_mem, ~0xfffull, 0x2000, LV_PROT_ALL),
	     LV_ERR_RANGE);
	WANT("map over the start of RAM",
	     lv_vm_map(c->vm, hole_mem, CONF_HOLE_END - 0x1000, 0x2000, LV_PROT_ALL), LV_ERR_EXIST);
	WANT("map over the end of RAM",
	     lv_vm_map(c->vm, hole_mem, CONF_HOLE_START - 0x1000, 0x2000, LV_PROT_ALL),
	     LV_ERR_EXIST);
	WANT("map inside RAM", lv_vm_map(c->vm, hole_mem, 0x150000, 0x1000, LV_PROT_ALL),
	     LV_ERR_EXIST);
	WANT("map around RAM", lv_vm_map(c->vm, hole_mem, 0, 0x400000, LV_PROT_ALL), LV_ERR_EXIST);
	WANT("unmap size 0", lv_vm_unmap(c->vm, 0x100000, 0), LV_ERR_INVAL);
	WANT("unmap unaligned", lv_vm_unmap(c->vm, 0x100800, 0x1000), LV_ERR_ALIGN);
	WANT("unmap the hole", lv_vm_unmap(c->vm, CONF_HOLE_START, 0x1000), LV_ERR_NOENT);
	WANT("unmap half in the hole", lv_vm_unmap(c->vm, CONF_HOLE_END - 0x1000, 0x2000),
	     LV_ERR_NOENT);
	WANT("unmap beyond RAM", lv_vm_unmap(c->vm, CONF_RAM_SIZE, 0x1000), LV_ERR_NOENT);
	WANT("unmap wrapping", lv_vm_unmap(c->vm, ~0xfffull, 0x2000), LV_ERR_RANGE);
	WANT("protect unknown bits", lv_vm_protect(c->vm, 0x100000, 0x1000, 1u << 8), LV_ERR_INVAL);
	WANT("protect WRITE without READ", lv_vm_protect(c->vm, 0x100000, 0x1000, LV_PROT_WRITE),
	     LV_ERR_INVAL);
	WANT("protect the hole",
	     lv_vm_protect(c->vm, CONF_HOLE_START, 0x1000, LV_PROT_READ | LV_PROT_EXEC),
	     LV_ERR_NOENT);
	WANT("get_dirty NULL bitmap", lv_vm_get_dirty(c->vm, 0x100000, 0x1000, NULL), LV_ERR_INVAL);
	rc = lv_vm_get_dirty(c->vm, 0x100000, 0x1000, bm);
	if (rc != LV_ERR_NOENT && !(rc == LV_ERR_NOTSUP && !(c->caps.features & LV_FEAT_DIRTY_LOG)))
		return conf_fail(c, "get_dirty without dirty logging: %s, want LV_ERR_NOENT",
				 lv_status_name(rc));
	WANT("set_msr_exits NULL with n 1", lv_vm_set_msr_exits(c->vm, NULL, 1), LV_ERR_INVAL);
	r.count = 0;
	WANT("set_msr_exits count 0", lv_vm_set_msr_exits(c->vm, &r, 1), LV_ERR_INVAL);
	r.count = 1;
	r.flags = 1u << 5;
	WANT("set_msr_exits bad flags", lv_vm_set_msr_exits(c->vm, &r, 1), LV_ERR_INVAL);
	r.first = 0xffffffffu;
	r.count = 2;
	r.flags = LV_MSR_EXIT_READ;
	WANT("set_msr_exits wrapping", lv_vm_set_msr_exits(c->vm, &r, 1), LV_ERR_INVAL);
	/* Nothing was left behind: the hole maps exactly, once, and goes again. */
	WANT("map the hole exactly",
	     lv_vm_map(c->vm, hole_mem, CONF_HOLE_START, CONF_HOLE_END - CONF_HOLE_START,
		       LV_PROT_ALL),
	     LV_OK);
	WANT("unmap the hole", lv_vm_unmap(c->vm, CONF_HOLE_START, CONF_HOLE_END - CONF_HOLE_START),
	     LV_OK);
	WANT("unmap the hole twice", lv_vm_unmap(c->vm, CONF_HOLE_START, 0x1000), LV_ERR_NOENT);
	return conf_run_expect(c, c->vcpu[0], LV_EXIT_IO, "run after the refused calls");
}

/*
 * One-page mappings up to #lv_caps.max_slots (where that is a small
 * number), then LIMIT; the refused one leaves the slots usable.
 */
static int slot_limit(struct conf_ctx *c)
{
	const uint64_t base = 0x40000000ull;
	uint32_t i, made = 0;
	int rc = conf_vm_setup(c, 1);

	if (rc)
		return rc;
	if (c->caps.max_slots < 3)
		return conf_fail(c, "max_slots %u: too few for one guest", c->caps.max_slots);
	for (i = 0; i < c->caps.max_slots; i++) {
		rc = lv_vm_map(c->vm, c->ram + 0x1f0000, base + (uint64_t)i * 0x2000, 0x1000,
			       LV_PROT_ALL);
		if (rc)
			break;
		made++;
	}
	if (rc != LV_ERR_LIMIT || made != c->caps.max_slots - 2)
		return conf_fail(c,
				 "after %u one-page maps (2 slots in use, max_slots %u): %s, "
				 "want LV_ERR_LIMIT after %u",
				 made, c->caps.max_slots, lv_status_name(rc),
				 c->caps.max_slots - 2);
	WANT("unmap one slot", lv_vm_unmap(c->vm, base, 0x1000), LV_OK);
	WANT("map again into the freed slot", lv_vm_map(c->vm, c->ram, base, 0x1000, LV_PROT_ALL),
	     LV_OK);
	return conf_run_expect(c, c->vcpu[0], LV_EXIT_IO, "run with every slot in use");
}

/* ---- rejected state values --------------------------------------------------- */

#define CR0_PE	 1ull
#define CR0_NW	 (1ull << 29)
#define CR0_CD	 (1ull << 30)
#define CR0_PG	 (1ull << 31)
#define CR4_PAE	 (1ull << 5)
#define EFER_LME (1ull << 8)
#define EFER_LMA (1ull << 10)

enum bad_kind {
	B_MASK_UNKNOWN,
	B_MASK_HIGH,
	B_PG_NO_PE,
	B_NW_NO_CD,
	B_CR0_HIGH,
	B_CR4_HIGH,
	B_LONG_NO_PAE,
	B_LMA_NO_PG,
	B_LME_PG_NO_LMA,
	B_ATOMIC,
	B_RIP,
	B_SEG_DPL,
	B_SEG_TYPE,
	B_LSTAR,
	B_MXCSR,
	B_COUNT
};

static const char *const bad_names[B_COUNT] = {
	"unknown group bit 7",
	"unknown group bit 31 with GPRS",
	"CR0.PG without PE",
	"CR0.NW without CD",
	"CR0 bit 32",
	"CR4 bit 63",
	"long mode without CR4.PAE",
	"EFER.LMA without CR0.PG",
	"EFER.LME and PG without LMA",
	"new RIP with an invalid CR0 in one call",
	"non-canonical RIP",
	"CS.DPL 4",
	"SS.type 16",
	"non-canonical LSTAR",
	"reserved MXCSR bits",
};

/* Make @p st (a copy of a good long-mode state) bad; return the mask to set. */
static uint32_t make_bad(struct lv_state *st, unsigned k)
{
	switch (k) {
	case B_MASK_UNKNOWN:
		return 1u << 7;
	case B_MASK_HIGH:
		st->regs.rip = CONF_CODE + 2;
		return (1u << 31) | LV_STATE_GPRS;
	case B_PG_NO_PE:
		st->ctrl.cr0 &= ~CR0_PE;
		return LV_STATE_CONTROL;
	case B_NW_NO_CD:
		st->ctrl.cr0 = (st->ctrl.cr0 | CR0_NW) & ~CR0_CD;
		return LV_STATE_CONTROL;
	case B_CR0_HIGH:
		st->ctrl.cr0 |= 1ull << 32;
		return LV_STATE_CONTROL;
	case B_CR4_HIGH:
		st->ctrl.cr4 |= 1ull << 63;
		return LV_STATE_CONTROL;
	case B_LONG_NO_PAE:
		st->ctrl.cr4 &= ~CR4_PAE;
		return LV_STATE_CONTROL;
	case B_LMA_NO_PG:
		st->ctrl.cr0 &= ~CR0_PG;
		return LV_STATE_CONTROL;
	case B_LME_PG_NO_LMA:
		st->ctrl.efer &= ~EFER_LMA;
		return LV_STATE_CONTROL;
	case B_ATOMIC:
		st->regs.rip = CONF_CODE + 2;
		st->ctrl.cr0 &= ~CR0_PE;
		return LV_STATE_GPRS | LV_STATE_CONTROL;
	case B_RIP:
		st->regs.rip = 0x8000000000008000ull;
		return LV_STATE_GPRS;
	case B_SEG_DPL:
		st->segs.cs.dpl = 4;
		return LV_STATE_SEGMENTS;
	case B_SEG_TYPE:
		st->segs.ss.type = 16;
		return LV_STATE_SEGMENTS;
	case B_LSTAR:
		st->msrs.lstar = 0x8000000000000000ull;
		return LV_STATE_MSRS;
	default:
		st->fpu.fxsave[27] = 0xff; /* MXCSR bits 31:24 */
		return LV_STATE_FPU;
	}
}

/* First differing group of two full states (the TSC is a snapshot: not compared). */
static const char *state_diff(const struct lv_state *a, const struct lv_state *b)
{
	static const struct {
		const char *name;
		size_t off, len;
	} g[] = {
		{ "GPRS", offsetof(struct lv_state, regs), sizeof(struct lv_regs) },
		{ "SEGMENTS", offsetof(struct lv_state, segs), sizeof(struct lv_segs) },
		{ "CONTROL", offsetof(struct lv_state, ctrl), sizeof(struct lv_ctrl) },
		{ "DEBUG", offsetof(struct lv_state, debug), sizeof(struct lv_debug) },
		{ "MSRS", offsetof(struct lv_state, msrs), offsetof(struct lv_msrs, tsc) },
		{ "EVENTS", offsetof(struct lv_state, events), sizeof(struct lv_events) },
		{ "FPU", offsetof(struct lv_state, fpu), sizeof(struct lv_fpu) },
	};
	const uint8_t *pa = (const uint8_t *)a, *pb = (const uint8_t *)b;
	size_t i, j;

	for (i = 0; i < sizeof(g) / sizeof(g[0]); i++)
		for (j = 0; j < g[i].len; j++)
			if (pa[g[i].off + j] != pb[g[i].off + j])
				return g[i].name;
	return NULL;
}

/*
 * Values no CPU can hold, refused when set (libvcpu.h: arguments are
 * validated first; on error nothing has changed): LV_ERR_INVAL, the state
 * read back is the old one, and the guest still runs from it.
 */
static int rejected_state(struct conf_ctx *c)
{
	static struct lv_state good, bad, now;
	const char *diff;
	unsigned k;
	uint32_t mask;
	uint64_t val;
	int rc = conf_vm_setup(c, 1);

	if (rc)
		return rc;
	rc = lv_vcpu_get_state(c->vcpu[0], LV_STATE_ALL, &good);
	if (rc)
		return conf_fail(c, "get_state: %s", lv_status_name(rc));
	WANT("set_state NULL", lv_vcpu_set_state(c->vcpu[0], LV_STATE_GPRS, NULL), LV_ERR_INVAL);
	WANT("get_state NULL", lv_vcpu_get_state(c->vcpu[0], LV_STATE_GPRS, NULL), LV_ERR_INVAL);
	WANT("get_state unknown group", lv_vcpu_get_state(c->vcpu[0], 1u << 7, &now), LV_ERR_INVAL);
	WANT("get_msr NULL", lv_vcpu_get_msr(c->vcpu[0], 0xc0000080u, NULL), LV_ERR_INVAL);
	WANT("get_msr unknown", lv_vcpu_get_msr(c->vcpu[0], 0xdeadbeefu, &val), LV_ERR_NOENT);
	WANT("set_msr unknown", lv_vcpu_set_msr(c->vcpu[0], 0xdeadbeefu, 1), LV_ERR_NOENT);
	for (k = 0; k < B_COUNT; k++) {
		bad = good;
		mask = make_bad(&bad, k);
		rc = lv_vcpu_set_state(c->vcpu[0], mask, &bad);
		if (rc != LV_ERR_INVAL)
			return conf_fail(c, "%s: set_state gave %s, want LV_ERR_INVAL",
					 bad_names[k], lv_status_name(rc));
		memset(&now, 0x5a, sizeof(now));
		rc = lv_vcpu_get_state(c->vcpu[0], LV_STATE_ALL, &now);
		if (rc)
			return conf_fail(c, "%s: get_state: %s", bad_names[k], lv_status_name(rc));
		diff = state_diff(&good, &now);
		if (diff)
			return conf_fail(c, "%s: refused, but the %s group changed", bad_names[k],
					 diff);
	}
	/* XCR0 without x87: refused, or ignored by a backend without XSAVE (reads 1). */
	bad = good;
	bad.ctrl.xcr0 = 2;
	rc = lv_vcpu_set_state(c->vcpu[0], LV_STATE_CONTROL, &bad);
	if (rc != LV_ERR_INVAL && rc != LV_OK)
		return conf_fail(c, "XCR0 2: set_state gave %s", lv_status_name(rc));
	if (lv_vcpu_get_state(c->vcpu[0], LV_STATE_ALL, &now) ||
	    (rc == LV_OK && now.ctrl.xcr0 != 1) || (rc == LV_ERR_INVAL && state_diff(&good, &now)))
		return conf_fail(c, "XCR0 2: %s, then XCR0 reads 0x%llx", lv_status_name(rc),
				 (unsigned long long)now.ctrl.xcr0);
	return conf_run_expect(c, c->vcpu[0], LV_EXIT_IO, "run after the refused states");
}

/*
 * CS.L and CS.D both set in long mode (SDM Vol. 3, 27.3.1.2; APM Vol. 2,
 * 15.5.1): refused when set, or an ENTRY_FAILED exit at the run (the
 * hardware's check). Either way a good state set afterwards runs.
 */
static int bad_cs_recovers(struct conf_ctx *c)
{
	struct lv_exit *ex;
	char got[80];
	int rc = conf_vm_setup(c, 1);

	if (rc)
		return rc;
	conf_state_for_mode(&c->st, MODE_LONG64);
	c->st.segs.cs.db = 1;
	rc = lv_vcpu_set_state(c->vcpu[0], LV_STATE_SEGMENTS, &c->st);
	if (rc == LV_OK) {
		rc = lv_vcpu_run(c->vcpu[0], &ex);
		if (rc)
			return conf_fail(c, "run: %s", lv_status_name(rc));
		if (ex->reason != LV_EXIT_ENTRY_FAILED) {
			conf_describe_exit(ex, got, sizeof(got));
			return conf_fail(c,
					 "CS.L = CS.D = 1 accepted, then %s (want "
					 "ENTRY_FAILED)",
					 got);
		}
	} else if (rc != LV_ERR_INVAL) {
		return conf_fail(c, "set_state: %s, want LV_OK or LV_ERR_INVAL",
				 lv_status_name(rc));
	}
	if (conf_vcpu_mode(c, c->vcpu[0], MODE_LONG64))
		return CONF_FAIL;
	return conf_run_expect(c, c->vcpu[0], LV_EXIT_IO, "run after a good state");
}

/* ---- requests a backend does not offer ------------------------------------------ */

/* NOTSUP exactly when the capabilities say so; bad arguments INVAL. */
static int unsupported(struct conf_ctx *c)
{
	struct lv_cpuid_entry e = { 1, 0, LV_CPUID_EXIT, 0, 0, 0, 0 };
	struct lv_event ev = { .type = LV_EVENT_EXTINT, .vector = 3 };
	struct lv_vcpu *v;
	uint32_t vec;
	int rc = conf_vm_setup(c, 1);

	if (rc)
		return rc;
	v = c->vcpu[0];
	WANT("request_window NMI", lv_vcpu_request_window(v, LV_WINDOW_NMI),
	     (c->caps.features & LV_FEAT_NMI_WINDOW) ? LV_OK : LV_ERR_NOTSUP);
	WANT("request_window unknown bit", lv_vcpu_request_window(v, 1u << 5), LV_ERR_INVAL);
	WANT("request_window 0", lv_vcpu_request_window(v, 0), LV_OK);
	WANT("set_cpuid with EXIT", lv_vcpu_set_cpuid(v, &e, 1),
	     (c->caps.features & LV_FEAT_CPUID_EXIT) ? LV_OK : LV_ERR_NOTSUP);
	e.flags = 1u << 7;
	WANT("set_cpuid unknown flag", lv_vcpu_set_cpuid(v, &e, 1), LV_ERR_INVAL);
	WANT("set_cpuid NULL with n 1", lv_vcpu_set_cpuid(v, NULL, 1), LV_ERR_INVAL);
	WANT("set_cpuid clear", lv_vcpu_set_cpuid(v, NULL, 0), LV_OK);
	for (vec = 0; vec < 32 && (c->caps.exception_exits & (1u << vec)); vec++)
		;
	if (vec < 32)
		WANT("set_exception_exits of a vector not in caps",
		     lv_vcpu_set_exception_exits(v, 1u << vec), LV_ERR_NOTSUP);
	WANT("set_debug unknown flag", lv_vcpu_set_debug(v, 1u << 9), LV_ERR_INVAL);
	WANT("inject EXTINT vector 3", lv_vcpu_inject(v, &ev), LV_ERR_INVAL);
	ev.type = LV_EVENT_EXCEPTION;
	ev.vector = 2;
	WANT("inject exception vector 2", lv_vcpu_inject(v, &ev), LV_ERR_INVAL);
	ev.vector = 32;
	WANT("inject exception vector 32", lv_vcpu_inject(v, &ev), LV_ERR_INVAL);
	ev.type = 7;
	WANT("inject unknown type", lv_vcpu_inject(v, &ev), LV_ERR_INVAL);
	WANT("inject NULL", lv_vcpu_inject(v, NULL), LV_ERR_INVAL);
	/* Nothing was queued or requested: the guest runs to its OUT. */
	return conf_run_expect(c, v, LV_EXIT_IO, "run after the refused requests");
}

const struct conf_case conf_cases_misuse[] = {
	{ .name = "misuse_stale_handles",
	  .mode = MODE_LONG64,
	  .guest = &conf_guest_misuse_loop,
	  .custom = stale_handles },
	{ .name = "misuse_create_limits", .mode = MODE_LONG64, .custom = create_limits },
	{ .name = "misuse_recreate_vcpu",
	  .mode = MODE_LONG64,
	  .guest = &conf_guest_misuse_loop,
	  .custom = recreate_vcpu },
	{ .name = "misuse_bad_maps",
	  .mode = MODE_LONG64,
	  .guest = &conf_guest_misuse_loop,
	  .custom = bad_maps },
	{ .name = "misuse_slot_limit",
	  .mode = MODE_LONG64,
	  .guest = &conf_guest_misuse_loop,
	  .custom = slot_limit },
	{ .name = "misuse_rejected_state",
	  .mode = MODE_LONG64,
	  .guest = &conf_guest_misuse_loop,
	  .custom = rejected_state },
	{ .name = "misuse_bad_cs_recovers",
	  .mode = MODE_LONG64,
	  .guest = &conf_guest_misuse_loop,
	  .custom = bad_cs_recovers },
	{ .name = "misuse_unsupported",
	  .mode = MODE_LONG64,
	  .guest = &conf_guest_misuse_loop,
	  .custom = unsupported },
	{ .name = NULL },
};
