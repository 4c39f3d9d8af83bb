/* SPDX-License-Identifier: MIT */
/*
 * Internal object layout and the backend ops table.
 *
 * The API layer (src/core/api.c) validates arguments, keeps object
 * lifetimes and the memory-slot table, and dispatches to a backend through
 * `struct lv_backend_ops`. A backend leaves an op NULL when it does not
 * implement it; the API layer then returns LV_ERR_NOTSUP.
 *
 * What the API layer guarantees to every op:
 * - arguments are non-NULL and validated as the public header documents;
 * - memory ops: the range is page-aligned, in range, and (map) free or
 *   (unmap/protect/get_dirty) fully mapped; vm->mem still shows the state
 *   BEFORE the change while the op runs and is updated after it succeeds;
 * - vCPU ops other than kick are never called while the vCPU is running.
 */
#ifndef LV_CORE_INTERNAL_H
#define LV_CORE_INTERNAL_H

#include <libvcpu/libvcpu.h>
#include <libvcpu/platform.h>

#include "memmap.h"

struct lv_backend_ops {
	const char *name;
	uint32_t kind;
	const void *impl; /* the backend's own (the raw backends: their vendor hooks) */

	/*
	 * Backend lifetime. open() fills b->caps and b->priv; when it fails
	 * it may say why with lv_backend_fail() (else the status alone is
	 * turned into a generic cause).
	 */
	int (*open)(struct lv_backend *b);
	void (*close)(struct lv_backend *b);
	int (*cpu_enable)(struct lv_backend *b);
	int (*cpu_disable)(struct lv_backend *b);

	/* VM lifetime. vm_create() fills vm->priv; vm_destroy() frees it. */
	int (*vm_create)(struct lv_vm *vm);
	void (*vm_destroy)(struct lv_vm *vm);

	/* Guest memory (see the guarantees above). */
	int (*map)(struct lv_vm *vm, void *hva, uint64_t gpa, uint64_t size, uint32_t flags);
	int (*unmap)(struct lv_vm *vm, uint64_t gpa, uint64_t size);
	int (*protect)(struct lv_vm *vm, uint64_t gpa, uint64_t size, uint32_t prot);
	int (*get_dirty)(struct lv_vm *vm, uint64_t gpa, uint64_t size, uint64_t *bitmap);
	int (*set_msr_exits)(struct lv_vm *vm, const struct lv_msr_range *r, size_t n);
	/* Interrupt controller (VMs created with LV_VM_IRQCHIP only). */
	int (*irq_line)(struct lv_vm *vm, uint32_t gsi, uint32_t level);
	int (*signal_msi)(struct lv_vm *vm, uint64_t addr, uint32_t data);

	/* vCPU lifetime. vcpu_create() fills vcpu->priv; destroy frees it. */
	int (*vcpu_create)(struct lv_vcpu *vcpu);
	void (*vcpu_destroy)(struct lv_vcpu *vcpu);

	/* Run: fill vcpu->exit and return LV_OK, or an error. */
	int (*run)(struct lv_vcpu *vcpu);
	/*
	 * Optional, the hot path: lv_vcpu_run() itself after its argument
	 * checks (vcpu live, exit non-NULL), tail-called. It must do what
	 * lv_run_begin() and lv_run_end() do around its own run.
	 */
	int (*run_api)(struct lv_vcpu *vcpu, struct lv_exit **exit);
	/* Kick: any thread/CPU, any time, async-signal-safe. */
	int (*kick)(struct lv_vcpu *vcpu);

	int (*get_state)(struct lv_vcpu *vcpu, uint32_t mask, struct lv_state *st);
	int (*set_state)(struct lv_vcpu *vcpu, uint32_t mask, const struct lv_state *st);
	int (*get_msr)(struct lv_vcpu *vcpu, uint32_t index, uint64_t *value);
	int (*set_msr)(struct lv_vcpu *vcpu, uint32_t index, uint64_t value);
	int (*inject)(struct lv_vcpu *vcpu, const struct lv_event *ev);
	int (*request_window)(struct lv_vcpu *vcpu, uint32_t mask);
	int (*set_cpuid)(struct lv_vcpu *vcpu, const struct lv_cpuid_entry *e, size_t n);
	int (*set_exception_exits)(struct lv_vcpu *vcpu, uint32_t vectors);
	int (*set_debug)(struct lv_vcpu *vcpu, uint32_t flags);
};

/* The state groups of lv_vcpu_get/set_state(); APIC and MP only with LV_VM_IRQCHIP. */
#define LV_STATE_IRQCHIP (LV_STATE_APIC | LV_STATE_MP)
#define LV_STATE_VALID	 (LV_STATE_ALL | LV_STATE_IRQCHIP)

/* Object states. */
enum lv_obj_state { LV_OBJ_FREE = 0, LV_OBJ_LIVE = 1, LV_OBJ_DEAD = 2 };

struct lv_backend {
	const struct lv_backend_ops *ops;
	struct lv_caps caps;
	void *priv;
	struct lv_vm *vms; /* every VM struct ever allocated (live or dead) */
	uint32_t live_vms;
	uint32_t enabled_cpus;	 /* maintained by cpu_enable/disable */
	struct lv_open_info why; /* open(): the cause of a failure */
};

struct lv_vm {
	struct lv_backend *backend;
	struct lv_vm *next; /* in backend->vms */
	uint32_t state;	    /* enum lv_obj_state */
	uint32_t max_vcpus;
	uint32_t live_vcpus;
	uint32_t flags;		/* lv_vm_config.flags (LV_VM_*) */
	struct lv_vcpu **vcpus; /* [max_vcpus], NULL until an id is first created */
	struct lv_memmap mem;
	uint32_t mem_writer; /* a change to mem is under way (lv_mem_write_begin()) */
	void *priv;
};

struct lv_vcpu {
	struct lv_vm *vm;
	uint32_t id;
	uint32_t state;	      /* enum lv_obj_state */
	uint32_t running;     /* set with __atomic while inside run() */
	uint32_t mem_reading; /* nesting depth of lv_mem_read_begin() on this vCPU */
	/* lv_vcpu_run() after its checks: ops->run_api, else run_ops(); run_stale() unless live */
	int (*run)(struct lv_vcpu *vcpu, struct lv_exit **exit);
	struct lv_exit exit;
	void *priv;
};

/* lv_vcpu_run(): one run at a time per vCPU. @return 0 when another run is under way (LV_ERR_BUSY). */
static inline int lv_run_begin(struct lv_vcpu *v)
{
	/*
	 * running is only ever 0 or 1: an exchange does what a compare-and-
	 * exchange of 0 with 1 does (a busy vCPU keeps its 1), in fewer
	 * instructions on the run path.
	 */
	return __atomic_exchange_n(&v->running, 1, __ATOMIC_ACQ_REL) == 0;
}

/* lv_vcpu_run(): the run is over with an exit (the caller already holds the record). */
static inline void lv_run_exit(struct lv_vcpu *v)
{
	__atomic_store_n(&v->running, 0, __ATOMIC_RELEASE);
}

/* lv_vcpu_run(): the run is over; *exit is the record, or NULL on an error. */
static inline int lv_run_end(struct lv_vcpu *v, int rc, struct lv_exit **exit)
{
	__atomic_store_n(&v->running, 0, __ATOMIC_RELEASE);
	if (__builtin_expect(rc != 0, 0)) {
		*exit = NULL;
		return rc;
	}
	*exit = &v->exit;
	return 0;
}

/*
 * The memory-slot table (vm->mem) is read by vCPU threads while they
 * handle an exit inside lv_vcpu_run() (the emulator's page walks and RAM
 * accesses, instruction fetches, PDPTE loads), and changed by lv_vm_map(),
 * lv_vm_unmap() and lv_vm_protect() on another thread. A change moves
 * entries of the sorted array and may free it, and once lv_vm_unmap()
 * returns the caller may free the host memory a reader still points into.
 * So a change waits until no vCPU is between lv_mem_read_begin() and
 * lv_mem_read_end(), and keeps new readers out until it is done: a
 * per-vCPU flag against a VM flag, both sequentially consistent (either
 * the writer sees the reader's flag, or the reader sees the writer's).
 * Readers never wait for anything else while they read, and nest (the
 * depth is the vCPU's own); changes are serialized by the caller
 * (libvcpu.h), and their shootdown waits only for guest mode, never for a
 * reader, so neither side can wait for the other in a circle.
 */
/* In a spin-wait loop: PAUSE on x86 (SDM Vol. 2B), a compiler barrier elsewhere. */
static inline void lv_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#else
	__asm__ volatile("" ::: "memory");
#endif
}

static inline void lv_mem_read_begin(struct lv_vcpu *v)
{
	if (v->mem_reading++)
		return;
	for (;;) {
		__atomic_store_n(&v->mem_reading, 1, __ATOMIC_SEQ_CST);
		if (!__atomic_load_n(&v->vm->mem_writer, __ATOMIC_SEQ_CST))
			return;
		__atomic_store_n(&v->mem_reading, 0, __ATOMIC_SEQ_CST);
		while (__atomic_load_n(&v->vm->mem_writer, __ATOMIC_ACQUIRE))
			lv_cpu_relax();
	}
}

static inline void lv_mem_read_end(struct lv_vcpu *v)
{
	if (v->mem_reading == 1)
		__atomic_store_n(&v->mem_reading, 0, __ATOMIC_RELEASE);
	else
		v->mem_reading--;
}

/* Before a change to vm->mem: wait until no vCPU reads it (api.c). */
void lv_mem_write_begin(struct lv_vm *vm);
/* After the change: readers may go on. */
void lv_mem_write_end(struct lv_vm *vm);

/*
 * Open a backend from an explicit ops table (tests use it with mock ops;
 * lv_backend_open() uses it for every registry entry).
 */
int lv_backend_open_ops(const struct lv_backend_ops *ops, struct lv_backend **out);
int lv_backend_open_ops_ex(const struct lv_backend_ops *ops, struct lv_backend **out,
			   struct lv_open_info *info);

/*
 * For a backend's open(): record why it fails (@p what and @p hint static
 * strings, see struct lv_open_info) and return @p status.
 */
int lv_backend_fail(struct lv_backend *b, int status, uint32_t cause, int os_error, uint64_t detail,
		    const char *what, const char *hint);

/*
 * LV_ERR_INVAL for state values no x86 CPU can hold (non-canonical RIP,
 * impossible CR0/CR4/EFER, out-of-range segment fields, reserved MXCSR
 * bits) in the groups of @p mask; LV_OK otherwise (state_check.c).
 */
int lv_state_check(uint32_t mask, const struct lv_state *st);

/* Backend registries (one per archive). NULL-terminated. */
extern const struct lv_backend_ops *const lv_backend_registry[];

#endif /* LV_CORE_INTERNAL_H */
