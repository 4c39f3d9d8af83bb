/* SPDX-License-Identifier: MIT */
/*
 * Conformance runner: runs every case (or the one named in host->only),
 * prints one result line per case and the summary. Freestanding-capable.
 */
#include "conf.h"

static const struct conf_case *const tables[] = {
	conf_cases_io,	   conf_cases_mem,	  conf_cases_cpu, conf_cases_ctl,
	conf_cases_misuse, conf_cases_misuse_run, conf_cases_fpu, conf_cases_irq,
	conf_cases_pic,	   conf_cases_tlb,	  conf_cases_iso,
};

#define NTABLES (sizeof(tables) / sizeof(tables[0]))

static const struct conf_case *case_at(unsigned idx)
{
	unsigned t, i;

	for (t = 0; t < NTABLES; t++)
		for (i = 0; tables[t][i].name; i++)
			if (idx-- == 0)
				return &tables[t][i];
	return NULL;
}

unsigned lv_conformance_count(void)
{
	unsigned n = 0;

	while (case_at(n))
		n++;
	return n;
}

const char *lv_conformance_name(unsigned i)
{
	const struct conf_case *cs = case_at(i);

	return cs ? cs->name : NULL;
}

static int streq(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

/*
 * QEMU 7.2 TCG crashes (SIGSEGV in cpu_breakpoint_remove_by_ref) when a
 * DR7 that its VMRUN loaded with a breakpoint enabled is replaced, as its
 * VMRUN does not insert the breakpoint.
 */
const char *lv_conformance_qemu_tcg_skip(const char *name)
{
	if (!streq(name, "debug_breakpoint"))
		return NULL;
	return "QEMU 7.2 TCG crashes when a guest's DR7 with a breakpoint enabled, loaded by "
	       "VMRUN, is replaced (its VMRUN does not insert the breakpoint)";
}

static void say(const struct lv_conf_host *h, const char *a, const char *b, const char *c)
{
	h->print(h->ctx, a);
	if (b) {
		h->print(h->ctx, b);
		if (c && *c) {
			h->print(h->ctx, ": ");
			h->print(h->ctx, c);
		}
	}
	h->print(h->ctx, "\n");
}

/* Lowest set bit of @p v (v != 0). */
static unsigned low_bit(uint64_t v)
{
	unsigned n = 0;

	while (!(v & 1)) {
		v >>= 1;
		n++;
	}
	return n;
}

/* Returns CONF_SKIP with the reason in c->msg when the backend lacks something. */
static int check_needs(struct conf_ctx *c)
{
	static const char *const vectors[22] = { "#DE", "#DB", "NMI", "#BP", "#OF", "#BR",
						 "#UD", "#NM", "#DF", "",    "#TS", "#NP",
						 "#SS", "#GP", "#PF", "",    "#MF", "#AC",
						 "#MC", "#XM", "#VE", "#CP" };
	const struct conf_case *cs = c->cs;
	uint64_t missing = cs->need_features & ~c->caps.features;
	uint32_t vec = cs->need_vectors & ~c->caps.exception_exits;

	if (missing) {
		conf_fmt(c->msg, sizeof(c->msg), "the %s backend does not offer %s on this host",
			 lv_backend_kind_name(c->caps.kind),
			 lv_feature_name(1ull << low_bit(missing)));
		return CONF_SKIP;
	}
	if (vec) {
		unsigned n = low_bit(vec);

		conf_fmt(c->msg, sizeof(c->msg),
			 "the %s backend cannot intercept %s (vector %u) on this host",
			 lv_backend_kind_name(c->caps.kind), n < 22 ? vectors[n] : "", n);
		return CONF_SKIP;
	}
	if ((cs->need_hooks & NEED_PARALLEL) && !c->host->parallel) {
		conf_fmt(c->msg, sizeof(c->msg), "harness has no parallel hook (threads/CPUs)");
		return CONF_SKIP;
	}
	if ((cs->need_hooks & NEED_CALL_LATER) && !c->host->call_later) {
		conf_fmt(c->msg, sizeof(c->msg), "harness has no call_later hook");
		return CONF_SKIP;
	}
	return CONF_PASS;
}

/*
 * A case whose VM needs the interrupt controller, on a backend without it
 * (LV_FEAT_IRQCHIP clear: the raw backends until they have an APIC model):
 * the defined outcome is lv_vm_create() refusing the flags with
 * LV_ERR_NOTSUP, and that is what the case checks there.
 */
static int irqchip_refused(struct conf_ctx *c)
{
	struct lv_vm_config cfg = { 0, c->cs->vm_flags };
	struct lv_vm *vm = NULL;
	int rc = lv_vm_create(c->b, &cfg, &vm);

	if (rc == LV_ERR_NOTSUP)
		return CONF_PASS;
	if (rc == LV_OK)
		lv_vm_destroy(vm);
	return conf_fail(c, "vm_create with LV_VM_IRQCHIP without LV_FEAT_IRQCHIP: %s, want NOTSUP",
			 lv_status_name(rc));
}

static int run_case(struct conf_ctx *c)
{
	const struct conf_case *cs = c->cs;
	int rc;

	if ((cs->vm_flags & LV_VM_IRQCHIP) && !(c->caps.features & LV_FEAT_IRQCHIP))
		return irqchip_refused(c);
	rc = check_needs(c);
	if (rc)
		return rc;
	if (cs->custom)
		return cs->custom(c);
	rc = conf_vm_setup(c, 1);
	if (!rc && cs->setup)
		rc = cs->setup(c);
	if (!rc && cs->script)
		rc = conf_script(c, c->vcpu[0], cs->script, c->msg, sizeof(c->msg));
	if (!rc && cs->check)
		rc = cs->check(c);
	return rc;
}

int lv_conformance_run(struct lv_backend *b, const struct lv_conf_host *host,
		       struct lv_conf_summary *out)
{
	struct lv_conf_summary sum = { 0, 0, 0 };
	static struct conf_ctx ctx; /* large; one case at a time */
	const struct conf_case *cs;
	char line[80];
	unsigned i;
	int rc;

	for (i = 0; (cs = case_at(i)) != NULL; i++) {
		if (host->only && !streq(host->only, cs->name))
			continue;
		memset(&ctx, 0, sizeof(ctx));
		ctx.b = b;
		ctx.host = host;
		ctx.cs = cs;
		if (lv_backend_caps(b, &ctx.caps) != LV_OK) {
			rc = conf_fail(&ctx, "lv_backend_caps failed");
		} else {
			rc = run_case(&ctx);
			conf_vm_teardown(&ctx);
		}
		if (rc == CONF_PASS) {
			sum.passed++;
			say(host, "PASS ", cs->name, NULL);
		} else if (rc == CONF_SKIP) {
			sum.skipped++;
			say(host, "SKIP ", cs->name, ctx.msg[0] ? ctx.msg : "skipped");
		} else {
			sum.failed++;
			say(host, "FAIL ", cs->name, ctx.msg[0] ? ctx.msg : "failed");
		}
	}
	conf_fmt(line, sizeof(line), "%u passed, %u failed, %u skipped", sum.passed, sum.failed,
		 sum.skipped);
	say(host, line, NULL, NULL);
	if (out)
		*out = sum;
	return (int)sum.failed;
}
