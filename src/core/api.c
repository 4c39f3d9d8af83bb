/* SPDX-License-Identifier: MIT */
/*
 * The API layer: argument validation, object lifetimes, the memory-slot
 * table, and dispatch to the backend ops table (see internal.h).
 */
#include "internal.h"
#include "lvlib.h"

#define MASK_PROT (LV_PROT_READ | LV_PROT_WRITE | LV_PROT_EXEC)
#define MASK_MAP  (MASK_PROT | LV_MAP_DIRTY_LOG)

/* ---- backends --------------------------------------------------------- */

int lv_backend_fail(struct lv_backend *b, int status, uint32_t cause, int os_error, uint64_t detail,
		    const char *what, const char *hint)
{
	b->why.status = status;
	b->why.kind = b->caps.kind;
	b->why.cause = cause;
	b->why.os_error = os_error;
	b->why.detail = detail;
	b->why.what = what;
	b->why.hint = hint;
	return status;
}

/* @p info for @p status when nobody said more. */
static void open_info_generic(struct lv_open_info *info, uint32_t kind, int status)
{
	info->status = status;
	info->kind = kind;
	info->os_error = 0;
	info->detail = 0;
	info->hint = "";
	switch (status) {
	case LV_OK:
		info->cause = LV_OPEN_OK;
		info->what = "opened";
		break;
	case LV_ERR_NOMEM:
		info->cause = LV_OPEN_NO_MEMORY;
		info->what = "out of memory while opening the backend";
		break;
	case LV_ERR_DISABLED:
		info->cause = LV_OPEN_DISABLED;
		info->what = "virtualization is disabled by the firmware";
		info->hint = "enable VT-x / AMD-V (SVM) in the firmware setup";
		break;
	case LV_ERR_NODEV:
		info->cause = LV_OPEN_NO_CPU_SUPPORT;
		info->what = "the backend is not available on this host";
		break;
	default:
		info->cause = LV_OPEN_OTHER;
		info->what = lv_strerror(status);
		break;
	}
}

int lv_backend_open_ops_ex(const struct lv_backend_ops *ops, struct lv_backend **out,
			   struct lv_open_info *info)
{
	struct lv_backend *b;
	int rc;

	if (!ops || !out || !ops->open || !ops->close) {
		if (info)
			open_info_generic(info, ops ? ops->kind : LV_BACKEND_ANY, LV_ERR_INVAL);
		return LV_ERR_INVAL;
	}
	b = lv_plat_alloc(sizeof(*b));
	if (!b) {
		if (info)
			open_info_generic(info, ops->kind, LV_ERR_NOMEM);
		return LV_ERR_NOMEM;
	}
	b->ops = ops;
	b->caps.kind = ops->kind;
	rc = ops->open(b);
	if (info) {
		if (rc && b->why.status == rc && b->why.what)
			*info = b->why;
		else
			open_info_generic(info, ops->kind, rc);
		if (!info->hint)
			info->hint = "";
	}
	if (rc) {
		lv_plat_free(b);
		return rc;
	}
	b->why.status = LV_OK;
	*out = b;
	return LV_OK;
}

int lv_backend_open_ops(const struct lv_backend_ops *ops, struct lv_backend **out)
{
	return lv_backend_open_ops_ex(ops, out, NULL);
}

int lv_backend_open_ex(uint32_t kind, struct lv_backend **out, struct lv_open_info *info)
{
	struct lv_open_info one, first;
	int rc, first_err = 0;
	size_t i;

	if (!out || kind > LV_BACKEND_VMX) {
		if (out)
			*out = NULL;
		if (info) {
			open_info_generic(info, kind, LV_ERR_INVAL);
			info->what = out ? "unknown backend kind" : "NULL handle pointer";
		}
		return LV_ERR_INVAL;
	}
	*out = NULL;
	for (i = 0; lv_backend_registry[i]; i++) {
		const struct lv_backend_ops *ops = lv_backend_registry[i];

		if (kind != LV_BACKEND_ANY && ops->kind != kind)
			continue;
		rc = lv_backend_open_ops_ex(ops, out, &one);
		if (rc == LV_OK) {
			if (info)
				*info = one;
			return LV_OK;
		}
		/* Report the most specific reason: anything beats NODEV. */
		if (!first_err || first_err == LV_ERR_NODEV) {
			first_err = rc;
			first = one;
		}
	}
	if (first_err) {
		if (info)
			*info = first;
		return first_err;
	}
	if (info) {
		open_info_generic(info, kind, LV_ERR_NODEV);
		info->cause = LV_OPEN_NOT_BUILT;
		info->what = kind == LV_BACKEND_ANY
				     ? "no backend is compiled into this archive"
				     : "this backend is not compiled into this archive";
		info->hint =
			"link the archive that has it: libvcpu (kvm) or libvcpu_kernel (vmx, svm)";
	}
	return LV_ERR_NODEV;
}

int lv_backend_open(uint32_t kind, struct lv_backend **out)
{
	return lv_backend_open_ex(kind, out, NULL);
}

int lv_backend_close(struct lv_backend *b)
{
	struct lv_vm *vm, *next;

	if (!b)
		return LV_ERR_INVAL;
	if (b->live_vms || b->enabled_cpus)
		return LV_ERR_BUSY;
	for (vm = b->vms; vm; vm = next) {
		next = vm->next;
		lv_plat_free(vm);
	}
	b->ops->close(b);
	lv_plat_free(b);
	return LV_OK;
}

int lv_backend_caps(const struct lv_backend *b, struct lv_caps *caps)
{
	if (!b || !caps)
		return LV_ERR_INVAL;
	*caps = b->caps;
	return LV_OK;
}

int lv_cpu_enable(struct lv_backend *b)
{
	int rc;

	if (!b)
		return LV_ERR_INVAL;
	if (!b->ops->cpu_enable)
		return LV_OK; /* hosted backends need nothing per CPU */
	rc = b->ops->cpu_enable(b);
	if (rc == LV_OK)
		b->enabled_cpus++;
	return rc;
}

int lv_cpu_disable(struct lv_backend *b)
{
	int rc;

	if (!b)
		return LV_ERR_INVAL;
	if (!b->ops->cpu_disable)
		return LV_OK;
	rc = b->ops->cpu_disable(b);
	if (rc == LV_OK && b->enabled_cpus)
		b->enabled_cpus--;
	return rc;
}

/* ---- VMs -------------------------------------------------------------- */

static void vm_free_vcpus(struct lv_vm *vm)
{
	uint32_t i;

	if (!vm->vcpus)
		return;
	for (i = 0; i < vm->max_vcpus; i++)
		lv_plat_free(vm->vcpus[i]);
	lv_plat_free(vm->vcpus);
	vm->vcpus = NULL;
}

int lv_vm_create(struct lv_backend *b, const struct lv_vm_config *cfg, struct lv_vm **out)
{
	struct lv_vm *vm;
	uint32_t max = b ? b->caps.max_vcpus : 0;
	int rc;

	if (!b || !out)
		return LV_ERR_INVAL;
	*out = NULL;
	if (cfg) {
		if (cfg->flags & ~(LV_VM_IRQCHIP | LV_VM_PIT))
			return LV_ERR_INVAL;
		if ((cfg->flags & LV_VM_PIT) && !(cfg->flags & LV_VM_IRQCHIP))
			return LV_ERR_INVAL;
		if ((cfg->flags & LV_VM_IRQCHIP) && !(b->caps.features & LV_FEAT_IRQCHIP))
			return LV_ERR_NOTSUP;
		if (cfg->max_vcpus > b->caps.max_vcpus)
			return LV_ERR_LIMIT;
		if (cfg->max_vcpus)
			max = cfg->max_vcpus;
	}
	if (!b->ops->vm_create)
		return LV_ERR_NOTSUP;
	if (max == 0)
		max = 1;

	/* Reuse a destroyed VM's memory if there is one (see libvcpu.h). */
	for (vm = b->vms; vm; vm = vm->next)
		if (vm->state == LV_OBJ_DEAD)
			break;
	if (!vm) {
		vm = lv_plat_alloc(sizeof(*vm));
		if (!vm)
			return LV_ERR_NOMEM;
		vm->next = b->vms;
		b->vms = vm;
		vm->state = LV_OBJ_DEAD;
	}
	vm->backend = b;
	vm->flags = cfg ? cfg->flags : 0;
	vm->max_vcpus = max;
	vm->live_vcpus = 0;
	vm->priv = NULL;
	vm->vcpus = lv_plat_alloc(max * sizeof(*vm->vcpus));
	if (!vm->vcpus)
		return LV_ERR_NOMEM;
	rc = lv_memmap_init(&vm->mem, b->caps.guest_phys_bits ? b->caps.guest_phys_bits : 36,
			    b->caps.max_slots ? b->caps.max_slots : 32);
	if (rc == LV_OK)
		rc = b->ops->vm_create(vm);
	if (rc) {
		lv_memmap_fini(&vm->mem);
		vm_free_vcpus(vm);
		return rc;
	}
	vm->state = LV_OBJ_LIVE;
	b->live_vms++;
	*out = vm;
	return LV_OK;
}

static int vm_check(const struct lv_vm *vm)
{
	if (!vm)
		return LV_ERR_INVAL;
	if (vm->state != LV_OBJ_LIVE)
		return LV_ERR_STALE;
	return LV_OK;
}

int lv_vm_irq_line(struct lv_vm *vm, uint32_t gsi, uint32_t level)
{
	int rc = vm_check(vm);

	if (rc)
		return rc;
	if (gsi > 23 || level > 1)
		return LV_ERR_INVAL;
	if (!(vm->flags & LV_VM_IRQCHIP) || !vm->backend->ops->irq_line)
		return LV_ERR_NOTSUP;
	return vm->backend->ops->irq_line(vm, gsi, level);
}

int lv_vm_signal_msi(struct lv_vm *vm, uint64_t addr, uint32_t data)
{
	int rc = vm_check(vm);

	if (rc)
		return rc;
	if ((addr & ~0xfffffull) != 0xfee00000ull)
		return LV_ERR_INVAL;
	if (!(vm->flags & LV_VM_IRQCHIP) || !vm->backend->ops->signal_msi)
		return LV_ERR_NOTSUP;
	return vm->backend->ops->signal_msi(vm, addr, data);
}

int lv_vm_destroy(struct lv_vm *vm)
{
	int rc = vm_check(vm);

	if (rc)
		return rc;
	if (vm->live_vcpus)
		return LV_ERR_BUSY;
	vm->backend->ops->vm_destroy(vm);
	vm->priv = NULL;
	lv_memmap_fini(&vm->mem);
	vm_free_vcpus(vm);
	vm->state = LV_OBJ_DEAD;
	vm->backend->live_vms--;
	return LV_OK;
}

static int prot_check(const struct lv_backend *b, uint32_t prot)
{
	if (!(prot & LV_PROT_READ))
		return (prot == 0) ? LV_OK : LV_ERR_INVAL; /* W/X without R */
	/* Without LV_FEAT_NOEXEC_MEM a page without EXEC would still execute. */
	if (!(prot & LV_PROT_EXEC) && !(b->caps.features & LV_FEAT_NOEXEC_MEM))
		return LV_ERR_NOTSUP;
	return LV_OK;
}

void lv_mem_write_begin(struct lv_vm *vm)
{
	uint32_t i;

	__atomic_store_n(&vm->mem_writer, 1, __ATOMIC_SEQ_CST);
	for (i = 0; vm->vcpus && i < vm->max_vcpus; i++) {
		const struct lv_vcpu *v = vm->vcpus[i];

		while (v && __atomic_load_n(&v->mem_reading, __ATOMIC_SEQ_CST))
			lv_cpu_relax();
	}
}

void lv_mem_write_end(struct lv_vm *vm)
{
	__atomic_store_n(&vm->mem_writer, 0, __ATOMIC_RELEASE);
}

int lv_vm_map(struct lv_vm *vm, void *hva, uint64_t gpa, uint64_t size, uint32_t flags)
{
	int rc = vm_check(vm);

	if (rc)
		return rc;
	if (!hva || (flags & ~(uint32_t)MASK_MAP) || !(flags & LV_PROT_READ))
		return LV_ERR_INVAL;
	rc = prot_check(vm->backend, flags & MASK_PROT);
	if (rc)
		return rc;
	if (!vm->backend->ops->map)
		return LV_ERR_NOTSUP;
	lv_mem_write_begin(vm);
	rc = lv_memmap_check_add(&vm->mem, hva, gpa, size);
	if (!rc)
		rc = vm->backend->ops->map(vm, hva, gpa, size, flags);
	if (!rc)
		lv_memmap_commit_add(&vm->mem, hva, gpa, size, flags);
	lv_mem_write_end(vm);
	return rc;
}

int lv_vm_unmap(struct lv_vm *vm, uint64_t gpa, uint64_t size)
{
	int rc = vm_check(vm);

	if (rc)
		return rc;
	if (!vm->backend->ops->unmap)
		return LV_ERR_NOTSUP;
	lv_mem_write_begin(vm);
	rc = lv_memmap_check_covered(&vm->mem, gpa, size);
	if (!rc)
		rc = vm->backend->ops->unmap(vm, gpa, size);
	if (!rc)
		lv_memmap_commit_remove(&vm->mem, gpa, size);
	lv_mem_write_end(vm);
	return rc;
}

int lv_vm_protect(struct lv_vm *vm, uint64_t gpa, uint64_t size, uint32_t prot)
{
	int rc = vm_check(vm);

	if (rc)
		return rc;
	if (prot & ~(uint32_t)MASK_PROT)
		return LV_ERR_INVAL;
	rc = prot_check(vm->backend, prot);
	if (rc)
		return rc;
	if (!vm->backend->ops->protect)
		return LV_ERR_NOTSUP;
	lv_mem_write_begin(vm);
	rc = lv_memmap_check_covered(&vm->mem, gpa, size);
	if (!rc)
		rc = vm->backend->ops->protect(vm, gpa, size, prot);
	if (!rc)
		lv_memmap_commit_protect(&vm->mem, gpa, size, prot);
	lv_mem_write_end(vm);
	return rc;
}

int lv_vm_get_dirty(struct lv_vm *vm, uint64_t gpa, uint64_t size, uint64_t *bitmap)
{
	int rc = vm_check(vm);

	if (rc)
		return rc;
	if (!bitmap)
		return LV_ERR_INVAL;
	if (!vm->backend->ops->get_dirty)
		return LV_ERR_NOTSUP;
	rc = lv_memmap_check_range(&vm->mem, gpa, size);
	if (rc)
		return rc;
	if (!lv_memmap_all_have(&vm->mem, gpa, size, LV_MAP_DIRTY_LOG))
		return LV_ERR_NOENT;
	return vm->backend->ops->get_dirty(vm, gpa, size, bitmap);
}

int lv_vm_set_msr_exits(struct lv_vm *vm, const struct lv_msr_range *ranges, size_t n)
{
	int rc = vm_check(vm);
	size_t i;

	if (rc)
		return rc;
	if (n && !ranges)
		return LV_ERR_INVAL;
	for (i = 0; i < n; i++) {
		if (ranges[i].count == 0 || !ranges[i].flags ||
		    (ranges[i].flags & ~(LV_MSR_EXIT_READ | LV_MSR_EXIT_WRITE)) ||
		    ranges[i].first + (ranges[i].count - 1) < ranges[i].first)
			return LV_ERR_INVAL;
	}
	if (!vm->backend->ops->set_msr_exits)
		return LV_ERR_NOTSUP;
	return vm->backend->ops->set_msr_exits(vm, ranges, n);
}

/* ---- vCPUs ------------------------------------------------------------ */

/* v->run of a vCPU that is not live (being created, destroyed): lv_vcpu_run() says so. */
static int run_stale(struct lv_vcpu *v, struct lv_exit **exit)
{
	(void)v;
	(void)exit;
	return LV_ERR_STALE;
}

/* v->run for a backend without run_api: its run op between begin and end. */
static int run_ops(struct lv_vcpu *v, struct lv_exit **exit)
{
	if (!v->vm->backend->ops->run)
		return LV_ERR_NOTSUP;
	if (!lv_run_begin(v))
		return LV_ERR_BUSY;
	return lv_run_end(v, v->vm->backend->ops->run(v), exit);
}

int lv_vcpu_create(struct lv_vm *vm, uint32_t id, struct lv_vcpu **out)
{
	struct lv_vcpu *v;
	int rc = vm_check(vm);

	if (rc)
		return rc;
	if (!out)
		return LV_ERR_INVAL;
	*out = NULL;
	if (id >= vm->max_vcpus)
		return LV_ERR_LIMIT;
	if (!vm->backend->ops->vcpu_create)
		return LV_ERR_NOTSUP;
	v = vm->vcpus[id];
	if (v && v->state == LV_OBJ_LIVE)
		return LV_ERR_EXIST;
	if (!v) {
		v = lv_plat_alloc(sizeof(*v));
		if (!v)
			return LV_ERR_NOMEM;
		vm->vcpus[id] = v;
	}
	memset(v, 0, sizeof(*v));
	v->vm = vm;
	v->id = id;
	v->state = LV_OBJ_DEAD;
	v->run = run_stale;
	rc = vm->backend->ops->vcpu_create(v);
	if (rc)
		return rc;
	v->run = vm->backend->ops->run_api ? vm->backend->ops->run_api : run_ops;
	v->state = LV_OBJ_LIVE;
	vm->live_vcpus++;
	*out = v;
	return LV_OK;
}

static int vcpu_check(const struct lv_vcpu *v)
{
	if (!v)
		return LV_ERR_INVAL;
	if (v->state != LV_OBJ_LIVE)
		return LV_ERR_STALE;
	return LV_OK;
}

static int vcpu_idle(const struct lv_vcpu *v)
{
	int rc = vcpu_check(v);

	if (rc)
		return rc;
	if (__atomic_load_n(&v->running, __ATOMIC_ACQUIRE))
		return LV_ERR_BUSY;
	return LV_OK;
}

int lv_vcpu_destroy(struct lv_vcpu *v)
{
	int rc = vcpu_idle(v);

	if (rc)
		return rc;
	v->vm->backend->ops->vcpu_destroy(v);
	v->priv = NULL;
	v->run = run_stale;
	v->state = LV_OBJ_DEAD;
	v->vm->live_vcpus--;
	return LV_OK;
}

int lv_vcpu_run(struct lv_vcpu *v, struct lv_exit **exit)
{
	/*
	 * vcpu_check() folded into the call: v->run is run_stale() whenever
	 * v->state is not LV_OBJ_LIVE (lv_vcpu_create(), lv_vcpu_destroy()),
	 * so the hot path tests only the two pointers.
	 */
	if (__builtin_expect(!v || !exit, 0))
		return LV_ERR_INVAL;
	return v->run(v, exit); /* tail call: the backend's run_api, run_ops() or run_stale() */
}

int lv_vcpu_kick(struct lv_vcpu *v)
{
	int rc = vcpu_check(v);

	if (rc)
		return rc;
	if (!v->vm->backend->ops->kick)
		return LV_ERR_NOTSUP;
	return v->vm->backend->ops->kick(v);
}

int lv_vcpu_get_state(struct lv_vcpu *v, uint32_t mask, struct lv_state *st)
{
	int rc = vcpu_idle(v);

	if (rc)
		return rc;
	if (!st || (mask & ~LV_STATE_VALID))
		return LV_ERR_INVAL;
	if ((mask & LV_STATE_IRQCHIP) && !(v->vm->flags & LV_VM_IRQCHIP))
		return LV_ERR_NOTSUP;
	if (!v->vm->backend->ops->get_state)
		return LV_ERR_NOTSUP;
	if (!mask)
		return LV_OK;
	return v->vm->backend->ops->get_state(v, mask, st);
}

int lv_vcpu_set_state(struct lv_vcpu *v, uint32_t mask, const struct lv_state *st)
{
	int rc = vcpu_idle(v);

	if (rc)
		return rc;
	if (!st || (mask & ~LV_STATE_VALID))
		return LV_ERR_INVAL;
	if ((mask & LV_STATE_IRQCHIP) && !(v->vm->flags & LV_VM_IRQCHIP))
		return LV_ERR_NOTSUP;
	rc = lv_state_check(mask, st);
	if (rc)
		return rc;
	if (!v->vm->backend->ops->set_state)
		return LV_ERR_NOTSUP;
	if (!mask)
		return LV_OK;
	return v->vm->backend->ops->set_state(v, mask, st);
}

int lv_vcpu_get_msr(struct lv_vcpu *v, uint32_t index, uint64_t *value)
{
	int rc = vcpu_idle(v);

	if (rc)
		return rc;
	if (!value)
		return LV_ERR_INVAL;
	if (!v->vm->backend->ops->get_msr)
		return LV_ERR_NOTSUP;
	return v->vm->backend->ops->get_msr(v, index, value);
}

int lv_vcpu_set_msr(struct lv_vcpu *v, uint32_t index, uint64_t value)
{
	int rc = vcpu_idle(v);

	if (rc)
		return rc;
	if (!v->vm->backend->ops->set_msr)
		return LV_ERR_NOTSUP;
	return v->vm->backend->ops->set_msr(v, index, value);
}

int lv_vcpu_inject(struct lv_vcpu *v, const struct lv_event *ev)
{
	int rc = vcpu_idle(v);

	if (rc)
		return rc;
	if (!ev)
		return LV_ERR_INVAL;
	switch (ev->type) {
	case LV_EVENT_EXTINT:
		if (ev->vector < 32 || ev->has_error_code)
			return LV_ERR_INVAL;
		break;
	case LV_EVENT_NMI:
		if (ev->has_error_code)
			return LV_ERR_INVAL;
		break;
	case LV_EVENT_EXCEPTION:
		if (ev->vector >= 32 || ev->vector == 2)
			return LV_ERR_INVAL;
		break;
	default:
		return LV_ERR_INVAL;
	}
	if (!v->vm->backend->ops->inject)
		return LV_ERR_NOTSUP;
	return v->vm->backend->ops->inject(v, ev);
}

int lv_vcpu_request_window(struct lv_vcpu *v, uint32_t mask)
{
	int rc = vcpu_idle(v);

	if (rc)
		return rc;
	if (mask & ~(LV_WINDOW_IRQ | LV_WINDOW_NMI))
		return LV_ERR_INVAL;
	if (!v->vm->backend->ops->request_window)
		return LV_ERR_NOTSUP;
	return v->vm->backend->ops->request_window(v, mask);
}

int lv_vcpu_set_cpuid(struct lv_vcpu *v, const struct lv_cpuid_entry *e, size_t n)
{
	int rc = vcpu_idle(v);
	size_t i;

	if (rc)
		return rc;
	if (n && !e)
		return LV_ERR_INVAL;
	for (i = 0; i < n; i++) {
		if (e[i].flags & ~(LV_CPUID_SUBLEAF | LV_CPUID_EXIT))
			return LV_ERR_INVAL;
		if ((e[i].flags & LV_CPUID_EXIT) &&
		    !(v->vm->backend->caps.features & LV_FEAT_CPUID_EXIT))
			return LV_ERR_NOTSUP;
	}
	if (!v->vm->backend->ops->set_cpuid)
		return LV_ERR_NOTSUP;
	return v->vm->backend->ops->set_cpuid(v, e, n);
}

int lv_vcpu_set_exception_exits(struct lv_vcpu *v, uint32_t vectors)
{
	int rc = vcpu_idle(v);

	if (rc)
		return rc;
	if (vectors & ~v->vm->backend->caps.exception_exits)
		return LV_ERR_NOTSUP;
	if (!v->vm->backend->ops->set_exception_exits)
		return LV_ERR_NOTSUP;
	return v->vm->backend->ops->set_exception_exits(v, vectors);
}

int lv_vcpu_set_debug(struct lv_vcpu *v, uint32_t flags)
{
	int rc = vcpu_idle(v);

	if (rc)
		return rc;
	if (flags & ~LV_DEBUG_SINGLESTEP)
		return LV_ERR_INVAL;
	if (!v->vm->backend->ops->set_debug)
		return LV_ERR_NOTSUP;
	return v->vm->backend->ops->set_debug(v, flags);
}
