// SPDX-License-Identifier: MIT
/*
 * VMs kept alive on request (debugfs "hold"), so that the tests can unload
 * the module while VMs exist: each has 2 MiB of guest RAM, one vCPU that
 * has run once (it sits at an OUT exit, its VMCB and ASID in use), and is
 * destroyed by lvl_hold_release() at unload at the latest.
 */
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/printk.h>
#include <linux/slab.h>
#include <linux/string.h>

#include <asm/fpu/api.h>

#include "lvl.h"

#define HOLD_RAM   0x200000u
#define HOLD_ORDER 9 /* 2 MiB */
#define HOLD_CODE  0x1000u

struct held {
	struct held *next;
	struct lv_vm *vm;
	struct lv_vcpu *vcpu;
	void *ram;
};

static DEFINE_MUTEX(hold_lock);
static struct held *held;
static unsigned int nheld;

/* Real mode at 0:1000h: out 10h, al (AL = 42h); then spin. */
static const u8 hold_code[] = { 0xb0, 0x42, 0xe6, 0x10, 0xeb, 0xfe };

static void held_free(struct held *h)
{
	if (h->vcpu)
		lv_vcpu_destroy(h->vcpu);
	if (h->vm)
		lv_vm_destroy(h->vm);
	if (h->ram)
		free_pages((unsigned long)h->ram, HOLD_ORDER);
	kfree(h);
}

static int hold_one(void)
{
	struct held *h = kzalloc(sizeof(*h), GFP_KERNEL);
	struct lv_state *st = kmalloc(sizeof(*st), GFP_KERNEL); /* 2 KiB+: not on the stack */
	struct lv_exit *ex;
	int rc;

	if (!h || !st) {
		kfree(h);
		kfree(st);
		return -ENOMEM;
	}
	h->ram = (void *)__get_free_pages(GFP_KERNEL | __GFP_ZERO, HOLD_ORDER);
	if (!h->ram) {
		kfree(h);
		kfree(st);
		return -ENOMEM;
	}
	memcpy((u8 *)h->ram + HOLD_CODE, hold_code, sizeof(hold_code));
	rc = lv_vm_create(lvl_backend, NULL, &h->vm);
	if (!rc)
		rc = lv_vm_map(h->vm, h->ram, 0, HOLD_RAM, LV_PROT_ALL);
	if (!rc)
		rc = lv_vcpu_create(h->vm, 0, &h->vcpu);
	if (!rc)
		rc = lv_vcpu_get_state(h->vcpu, LV_STATE_GPRS | LV_STATE_SEGMENTS, st);
	if (!rc) {
		st->segs.cs.selector = 0;
		st->segs.cs.base = 0;
		st->regs.rip = HOLD_CODE;
		rc = lv_vcpu_set_state(h->vcpu, LV_STATE_GPRS | LV_STATE_SEGMENTS, st);
	}
	if (!rc) {
		kernel_fpu_begin();
		rc = lv_vcpu_run(h->vcpu, &ex);
		kernel_fpu_end();
		if (!rc && (ex->reason != LV_EXIT_IO || ex->io.port != 0x10))
			rc = LV_ERR_STATE;
	}
	kfree(st);
	if (rc) {
		pr_err("lv_linux: hold: VM %u: %s\n", nheld, lv_status_name(rc));
		held_free(h);
		return -EIO;
	}
	h->next = held;
	held = h;
	nheld++;
	return 0;
}

int lvl_hold(unsigned int n)
{
	int rc = 0;

	mutex_lock(&hold_lock);
	while (n-- && !rc)
		rc = hold_one();
	mutex_unlock(&hold_lock);
	return rc;
}

unsigned int lvl_hold_release(void)
{
	unsigned int n;

	mutex_lock(&hold_lock);
	n = nheld;
	while (held) {
		struct held *h = held;

		held = h->next;
		held_free(h);
	}
	nheld = 0;
	mutex_unlock(&hold_lock);
	return n;
}

unsigned int lvl_hold_count(void)
{
	return READ_ONCE(nheld);
}
