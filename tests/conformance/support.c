/* SPDX-License-Identifier: MIT */
/*
 * Conformance support: message formatting, the standard guest world (RAM,
 * GDT, page tables, modes) and the script driver that matches exits against
 * the expected sequence of device-visible accesses.
 */
#include "conf.h"

/* ---- formatting (no libc) --------------------------------------------- */

struct out {
	char *buf;
	size_t n, len;
};

static void put(struct out *o, char ch)
{
	if (o->len + 1 < o->n)
		o->buf[o->len++] = ch;
}

static void put_num(struct out *o, unsigned long long v, unsigned base)
{
	char tmp[24];
	int i = 0;

	do {
		tmp[i++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	while (i)
		put(o, tmp[--i]);
}

void conf_vfmt(char *buf, size_t n, const char *fmt, va_list ap)
{
	struct out o = { buf, n, 0 };
	const char *s;

	if (!n)
		return;
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			put(&o, *fmt);
			continue;
		}
		fmt++;
		switch (*fmt) {
		case 's':
			for (s = va_arg(ap, const char *); s && *s; s++)
				put(&o, *s);
			break;
		case 'c':
			put(&o, (char)va_arg(ap, int));
			break;
		case 'd': {
			int v = va_arg(ap, int);

			if (v < 0) {
				put(&o, '-');
				put_num(&o, (unsigned long long)(-(long long)v), 10);
			} else {
				put_num(&o, (unsigned long long)v, 10);
			}
			break;
		}
		case 'u':
			put_num(&o, va_arg(ap, unsigned), 10);
			break;
		case 'x':
			put_num(&o, va_arg(ap, unsigned), 16);
			break;
		case 'l':
			/* %llx / %llu */
			fmt += (fmt[1] == 'l') ? 2 : 1;
			put_num(&o, va_arg(ap, unsigned long long), *fmt == 'u' ? 10 : 16);
			break;
		case '%':
			put(&o, '%');
			break;
		default:
			put(&o, '?');
			break;
		}
	}
	o.buf[o.len] = 0;
}

void conf_fmt(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	conf_vfmt(buf, n, fmt, ap);
	va_end(ap);
}

int conf_fail(struct conf_ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	conf_vfmt(c->msg, sizeof(c->msg), fmt, ap);
	va_end(ap);
	return CONF_FAIL;
}

int conf_irq_line(struct conf_ctx *c, uint32_t gsi, uint32_t level)
{
	int rc = lv_vm_irq_line(c->vm, gsi, level);

	return rc ? conf_fail(c, "lv_vm_irq_line(%u, %u): %s", gsi, level, lv_status_name(rc))
		  : CONF_PASS;
}

uint64_t conf_load(const uint8_t *p, unsigned size)
{
	uint64_t v = 0;
	unsigned i;

	for (i = 0; i < size; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

void conf_store(uint8_t *p, unsigned size, uint64_t v)
{
	unsigned i;

	for (i = 0; i < size; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* ---- the guest world --------------------------------------------------- */

static void put64(uint8_t *p, uint64_t v)
{
	conf_store(p, 8, v);
}

/*
 * GDT (SDM Vol. 3, 3.4.5): 0x08 code (64-bit: L = 1; else 32-bit D = 1),
 * 0x10 flat data, 0x18 busy TSS (base 0, limit 0x67; 16 bytes in long mode).
 */
static void write_gdt(uint8_t *ram, unsigned mode)
{
	uint8_t *g = ram + CONF_GDT;

	memset(g, 0, 0x28);
	put64(g + 0x08, mode == MODE_LONG64 ? 0x00af9a000000ffffull : 0x00cf9a000000ffffull);
	put64(g + 0x10, 0x00cf92000000ffffull);
	put64(g + 0x18, 0x00008b0000000067ull);
}

/*
 * Guest page tables for long mode, built by the core's paging code
 * (include/libvcpu/paging.h, format AMD64 4-level) with table pages carved
 * out of guest RAM at [CONF_PML4, CONF_PT_END): identity map of the first
 * 1 GiB with 2 MiB leaves, no NX bit (the guest runs without EFER.NXE).
 * The first page handed out is the root, so CR3 = CONF_PML4.
 */
static void *pt_page_alloc(void *ctx, uint64_t *pa)
{
	struct conf_ctx *c = ctx;
	uint8_t *p;

	if (c->pt_next + LV_PAGE_SIZE > CONF_PT_END)
		return NULL;
	*pa = c->pt_next;
	p = c->ram + c->pt_next;
	memset(p, 0, LV_PAGE_SIZE);
	c->pt_next += LV_PAGE_SIZE;
	return p;
}

static void pt_page_free(void *ctx, void *va, uint64_t pa)
{
	(void)ctx; /* a bump allocator: pages go back with the guest RAM */
	(void)va;
	(void)pa;
}

static void *pt_phys_to_virt(void *ctx, uint64_t pa)
{
	struct conf_ctx *c = ctx;

	return c->ram + pa;
}

static const struct lv_pt_alloc_ops pt_alloc = { pt_page_alloc, pt_page_free, pt_phys_to_virt };

static int write_page_tables(struct conf_ctx *c)
{
	struct lv_pt_config cfg;
	int rc;

	memset(&cfg, 0, sizeof(cfg));
	cfg.format = LV_PT_AMD64_4;
	cfg.page_sizes = LV_PT_SIZE_4K | LV_PT_SIZE_2M;
	cfg.flags = LV_PT_CFG_NO_NX;
	cfg.alloc = &pt_alloc;
	cfg.alloc_ctx = c;
	c->pt_next = CONF_PML4;
	rc = lv_pt_create(&c->pt, &cfg);
	if (rc)
		return conf_fail(c, "lv_pt_create: %s", lv_status_name(rc));
	rc = lv_pt_map(c->pt, 0, 0, 1ull << 30, LV_PT_R | LV_PT_W | LV_PT_X, NULL);
	if (rc)
		return conf_fail(c, "lv_pt_map: %s", lv_status_name(rc));
	if (lv_pt_root(c->pt) != CONF_PML4)
		return conf_fail(c, "page-table root at 0x%llx, want 0x%x",
				 (unsigned long long)lv_pt_root(c->pt), CONF_PML4);
	return CONF_PASS;
}

void conf_state_for_mode(struct lv_state *st, unsigned mode)
{
	lv_state_init_reset(st);
	if (mode == MODE_REAL) {
		st->segs.cs.selector = 0;
		st->segs.cs.base = 0;
		st->segs.idt.base = 0;
		st->segs.idt.limit = 0x3ff;
	} else {
		if (mode == MODE_PROT32)
			lv_state_init_protected32(st);
		else
			lv_state_init_long64(st, CONF_PML4);
		st->segs.gdt.base = CONF_GDT;
		st->segs.gdt.limit = 0x27;
		st->segs.idt.base = 0;
		st->segs.idt.limit = 0;
	}
	st->regs.rip = CONF_CODE;
	st->regs.rsp = CONF_STACK;
	st->regs.rflags = 0x2;
}

int conf_vcpu_mode(struct conf_ctx *c, struct lv_vcpu *v, unsigned mode)
{
	int rc;

	conf_state_for_mode(&c->st, mode);
	rc = lv_vcpu_set_state(v, LV_STATE_GPRS | LV_STATE_SEGMENTS | LV_STATE_CONTROL, &c->st);
	if (rc)
		return conf_fail(c, "set_state for mode %u: %s", mode, lv_status_name(rc));
	return CONF_PASS;
}

int conf_vm_setup(struct conf_ctx *c, unsigned nvcpus)
{
	const struct conf_case *cs = c->cs;
	unsigned i;
	int rc;

	c->ram = c->host->mem_alloc(c->host->ctx, CONF_RAM_SIZE);
	if (!c->ram)
		return conf_fail(c, "guest RAM allocation failed");
	{
		struct lv_vm_config cfg = { 0, cs->vm_flags };

		rc = lv_vm_create(c->b, &cfg, &c->vm);
		if (rc)
			return conf_fail(c, "vm_create: %s", lv_status_name(rc));
	}
	rc = lv_vm_map(c->vm, c->ram, 0, CONF_HOLE_START, LV_PROT_ALL);
	if (!rc)
		rc = lv_vm_map(c->vm, c->ram + CONF_HOLE_END, CONF_HOLE_END,
			       CONF_RAM_SIZE - CONF_HOLE_END, LV_PROT_ALL);
	if (rc)
		return conf_fail(c, "map RAM: %s", lv_status_name(rc));
	write_gdt(c->ram, cs->mode);
	if (cs->mode == MODE_LONG64) {
		rc = write_page_tables(c);
		if (rc)
			return rc;
	}
	if (cs->guest) {
		if (cs->guest->len > CONF_CODE_MAX)
			return conf_fail(c, "guest image too large");
		memcpy(c->ram + CONF_CODE, cs->guest->image, cs->guest->len);
	}
	for (i = 0; i < nvcpus; i++) {
		rc = lv_vcpu_create(c->vm, i, &c->vcpu[i]);
		if (rc)
			return conf_fail(c, "vcpu_create %u: %s", i, lv_status_name(rc));
		rc = conf_vcpu_mode(c, c->vcpu[i], cs->mode);
		if (rc)
			return rc;
	}
	return CONF_PASS;
}

void conf_vm_teardown(struct conf_ctx *c)
{
	unsigned i;

	for (i = 0; i < 2; i++)
		if (c->vcpu[i])
			lv_vcpu_destroy(c->vcpu[i]);
	if (c->vm)
		lv_vm_destroy(c->vm);
	if (c->pt)
		lv_pt_destroy(c->pt);
	if (c->ram)
		c->host->mem_free(c->host->ctx, c->ram, CONF_RAM_SIZE);
	if (c->extra)
		c->host->mem_free(c->host->ctx, c->extra, c->extra_size);
	c->vcpu[0] = c->vcpu[1] = NULL;
	c->vm = NULL;
	c->pt = NULL;
	c->ram = c->extra = NULL;
}

/* ---- helpers of the misuse cases -------------------------------------- */

int conf_want(struct conf_ctx *c, const char *what, int got, int expected)
{
	if (got != expected)
		return conf_fail(c, "%s: %s, want %s", what, lv_status_name(got),
				 lv_status_name(expected));
	return CONF_PASS;
}

/* Run @p v once and require an exit of @p reason (IO: port 0x61). */
int conf_run_expect(struct conf_ctx *c, struct lv_vcpu *v, uint32_t reason, const char *when)
{
	struct lv_exit *ex;
	char got[80];
	int rc = lv_vcpu_run(v, &ex);

	if (rc)
		return conf_fail(c, "%s: run: %s", when, lv_status_name(rc));
	if (ex->reason != reason || (reason == LV_EXIT_IO && ex->io.port != 0x61)) {
		conf_describe_exit(ex, got, sizeof(got));
		return conf_fail(c, "%s: got %s, want %s%s", when, got, lv_exit_reason_name(reason),
				 reason == LV_EXIT_IO ? " port 0x61" : "");
	}
	return CONF_PASS;
}

/* Put RIP back to the start of the guest (its OUT to port 0x61). */
int conf_restart(struct conf_ctx *c, struct lv_vcpu *v)
{
	int rc = lv_vcpu_get_state(v, LV_STATE_GPRS, &c->st);

	if (!rc) {
		c->st.regs.rip = CONF_CODE;
		rc = lv_vcpu_set_state(v, LV_STATE_GPRS, &c->st);
	}
	return rc ? conf_fail(c, "restart: %s", lv_status_name(rc)) : CONF_PASS;
}

/* ---- the script driver ------------------------------------------------- */

static const char *const step_names[] = {
	"END",	 "IO",	      "MMIO",	    "HLT",   "SHUTDOWN",  "RDMSR",  "WRMSR",
	"CPUID", "EXCEPTION", "IRQ_WINDOW", "DEBUG", "CANCELLED", "ACTION", "NMI_WINDOW",
};

static void describe_step(const struct step *s, char *buf, size_t n)
{
	switch (s->kind) {
	case S_IO:
		conf_fmt(buf, n, "IO %s port 0x%x size %u value 0x%llx", s->write ? "out" : "in",
			 s->num, s->size, (unsigned long long)s->value);
		break;
	case S_MMIO:
		conf_fmt(buf, n, "MMIO %s 0x%llx size %u value 0x%llx", s->write ? "write" : "read",
			 (unsigned long long)s->addr, s->size, (unsigned long long)s->value);
		break;
	case S_RDMSR:
	case S_WRMSR:
	case S_CPUID:
	case S_EXC:
		conf_fmt(buf, n, "%s 0x%x", step_names[s->kind], s->num);
		break;
	default:
		conf_fmt(buf, n, "%s",
			 s->kind < sizeof(step_names) / sizeof(step_names[0]) ? step_names[s->kind]
									      : "?");
		break;
	}
}

void conf_describe_exit(const struct lv_exit *ex, char *buf, size_t n)
{
	const char *name = lv_exit_reason_name(ex->reason);

	switch (ex->reason) {
	case LV_EXIT_IO:
		conf_fmt(buf, n, "IO %s port 0x%x size %u count %u", ex->io.is_write ? "out" : "in",
			 ex->io.port, ex->io.size, ex->io.count);
		break;
	case LV_EXIT_MMIO:
		conf_fmt(buf, n, "MMIO %s 0x%llx size %u", ex->mmio.is_write ? "write" : "read",
			 (unsigned long long)ex->mmio.gpa, ex->mmio.size);
		break;
	case LV_EXIT_RDMSR:
	case LV_EXIT_WRMSR:
		conf_fmt(buf, n, "%s 0x%x", name, ex->msr.index);
		break;
	case LV_EXIT_EXCEPTION:
		conf_fmt(buf, n, "EXCEPTION %u", ex->exception.vector);
		break;
	case LV_EXIT_DEBUG:
		conf_fmt(buf, n, "DEBUG pc 0x%llx", (unsigned long long)ex->debug.pc);
		break;
	case LV_EXIT_INTERNAL_ERROR:
		conf_fmt(buf, n, "INTERNAL_ERROR suberror %u", ex->internal.suberror);
		break;
	default:
		conf_fmt(buf, n, "%s (raw 0x%llx)", name, (unsigned long long)ex->raw.reason);
		break;
	}
}

static int mismatch(char *msg, size_t n, unsigned idx, const struct step *s,
		    const struct lv_exit *ex, const char *what)
{
	char want[80], got[80];

	describe_step(s, want, sizeof(want));
	conf_describe_exit(ex, got, sizeof(got));
	conf_fmt(msg, n, "step %u: expected %s, got %s%s", idx, want, got, what);
	return CONF_FAIL;
}

static unsigned kind_of(uint32_t reason)
{
	switch (reason) {
	case LV_EXIT_HLT:
		return S_HLT;
	case LV_EXIT_SHUTDOWN:
		return S_SHUTDOWN;
	case LV_EXIT_IRQ_WINDOW:
		return S_IRQWIN;
	case LV_EXIT_NMI_WINDOW:
		return S_NMIWIN;
	case LV_EXIT_CANCELLED:
		return S_CANCELLED;
	default:
		return 0xff;
	}
}

#define MAX_EXITS 100000u

int conf_script(struct conf_ctx *c, struct lv_vcpu *v, const struct step *script, char *msg,
		size_t n)
{
	const struct step *s;
	struct lv_exit *ex;
	unsigned i = 0, exits = 0, e;
	int rc;

	for (;;) {
		while (script[i].kind == S_ACTION) {
			rc = script[i].action(c, v);
			if (rc) {
				if (msg != c->msg)
					conf_fmt(msg, n, "step %u: %s", i, c->msg);
				return rc;
			}
			i++;
		}
		if (script[i].kind == S_END)
			return CONF_PASS;
		if (++exits > MAX_EXITS) {
			conf_fmt(msg, n, "step %u: more than %u exits", i, MAX_EXITS);
			return CONF_FAIL;
		}
		rc = lv_vcpu_run(v, &ex);
		if (rc) {
			conf_fmt(msg, n, "step %u: run: %s", i, lv_status_name(rc));
			return CONF_FAIL;
		}
		s = &script[i];
		switch (ex->reason) {
		case LV_EXIT_IO:
			for (e = 0; e < ex->io.count; e++) {
				uint8_t *p = ex->io.data + (size_t)e * ex->io.size;

				s = &script[i];
				if (s->kind != S_IO || s->num != ex->io.port ||
				    s->size != ex->io.size || s->write != ex->io.is_write)
					return mismatch(msg, n, i, s, ex, "");
				if (s->write && conf_load(p, s->size) != s->value) {
					char val[40];

					conf_fmt(val, sizeof(val), " value 0x%llx",
						 (unsigned long long)conf_load(p, s->size));
					return mismatch(msg, n, i, s, ex, val);
				}
				if (!s->write)
					conf_store(p, s->size, s->value);
				i++;
			}
			continue;
		case LV_EXIT_MMIO:
			if (s->kind != S_MMIO || s->addr != ex->mmio.gpa ||
			    s->size != ex->mmio.size || s->write != ex->mmio.is_write)
				return mismatch(msg, n, i, s, ex, "");
			if (s->write && conf_load(ex->mmio.data, s->size) != s->value) {
				char val[40];

				conf_fmt(val, sizeof(val), " value 0x%llx",
					 (unsigned long long)conf_load(ex->mmio.data, s->size));
				return mismatch(msg, n, i, s, ex, val);
			}
			if (!s->write)
				conf_store(ex->mmio.data, s->size, s->value);
			break;
		case LV_EXIT_RDMSR:
			if (s->kind != S_RDMSR || s->num != ex->msr.index)
				return mismatch(msg, n, i, s, ex, "");
			ex->msr.value = s->value;
			ex->msr.error = s->size ? 1 : 0;
			break;
		case LV_EXIT_WRMSR:
			if (s->kind != S_WRMSR || s->num != ex->msr.index)
				return mismatch(msg, n, i, s, ex, "");
			if (ex->msr.value != s->value) {
				char val[40];

				conf_fmt(val, sizeof(val), " value 0x%llx",
					 (unsigned long long)ex->msr.value);
				return mismatch(msg, n, i, s, ex, val);
			}
			break;
		case LV_EXIT_CPUID:
			if (s->kind != S_CPUID || s->num != ex->cpuid.leaf)
				return mismatch(msg, n, i, s, ex, "");
			ex->cpuid.eax = (uint32_t)s->addr;
			ex->cpuid.ebx = (uint32_t)(s->addr >> 32);
			ex->cpuid.ecx = (uint32_t)s->value;
			ex->cpuid.edx = (uint32_t)(s->value >> 32);
			break;
		case LV_EXIT_EXCEPTION:
			if (s->kind != S_EXC || s->num != ex->exception.vector)
				return mismatch(msg, n, i, s, ex, "");
			break;
		case LV_EXIT_DEBUG:
			if (s->kind != S_DEBUG || (s->addr && s->addr != ex->debug.pc))
				return mismatch(msg, n, i, s, ex, "");
			break;
		default:
			if (s->kind != kind_of(ex->reason))
				return mismatch(msg, n, i, s, ex, "");
			break;
		}
		i++;
	}
}
