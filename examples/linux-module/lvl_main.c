// SPDX-License-Identifier: MIT
/*
 * lv_linux.ko: libvcpu's raw backends in a Linux kernel module.
 *
 * Load: open the backend the CPU has (SVM or VMX, probed by CPUID) and
 * enable it on every online CPU, one CPU at a time in that CPU's
 * function-call IPI (smp_call_function_single(), interrupts off). Another
 * hypervisor that owns the CPU's virtualization (kvm_amd or kvm_intel with
 * a VM: EFER.SVME or CR4.VMXE already set) makes the load fail with
 * -EBUSY and one error line; CPUs already enabled are disabled again.
 * Unload: destroy the VMs still alive (debugfs "hold"), disable every CPU
 * (EFER.SVME / CR4.VMXE back as found), close the backend, and report in
 * one line what the platform seam still has outstanding (nothing).
 *
 * debugfs (/sys/kernel/debug/lv_linux/):
 *   conformance  write "all" or a case name: run the conformance suite in
 *                a kernel thread and wait; read: one line per case
 *                ("PASS name", "FAIL name: why", "SKIP name: why") and a
 *                "TOTAL pass= fail= skip= ..." line.
 *   hold         write N: create N VMs with a vCPU that stay alive; read: how many.
 *   status       read: backend, CPUs, held VMs, seam allocations, kicks.
 * CPUs that come online after the load are not enabled.
 */
#include <linux/cpu.h>
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include <asm/msr.h>
#include <asm/tlbflush.h>

#include "lvl.h"

struct lv_backend *lvl_backend;
static u32 kind;
static struct dentry *dir;
static DEFINE_MUTEX(conf_lock);
static char *conf_out;
#define CONF_OUT_SIZE (128 * 1024)

/* One CPU's enable state. */
struct lvl_cpu {
	int rc;		/* of the enable call: 0 or a negative errno */
	int lv_rc;	/* libvcpu's status when lv_cpu_enable() failed */
	bool enabled;	/* lv_cpu_enable() succeeded here */
	bool vmxe_ours; /* VMX: CR4.VMXE set by us (through the kernel's CR4 shadow) */
	u64 found;	/* EFER (SVM) or CR4 (VMX) at load */
	bool restored;	/* after disable: EFER.SVME / CR4.VMXE as found */
};
static DEFINE_PER_CPU(struct lvl_cpu, lvl_cpus);

static int lv_to_errno(int rc)
{
	switch (rc) {
	case LV_ERR_NOMEM:
		return -ENOMEM;
	case LV_ERR_BUSY:
	case LV_ERR_EXIST:
		return -EBUSY;
	case LV_ERR_NODEV:
	case LV_ERR_DISABLED:
		return -ENODEV;
	default:
		return -EIO;
	}
}

/*
 * In the target CPU's IPI, interrupts off: no other hypervisor's enable
 * (also done in such an IPI) can come between the check and ours.
 */
static void enable_one(void *arg)
{
	struct lvl_cpu *c = this_cpu_ptr(&lvl_cpus);
	int rc;

	(void)arg;
	memset(c, 0, sizeof(*c));
	if (kind == LV_BACKEND_SVM) {
		rdmsrl(MSR_EFER, c->found);
		if (c->found & EFER_SVME) { /* APM Vol. 2, 15.4: someone else's SVM */
			c->rc = -EBUSY;
			return;
		}
	} else {
		c->found = __read_cr4();
		if (c->found & X86_CR4_VMXE) { /* SDM Vol. 3, 24.7: someone else's VMX */
			c->rc = -EBUSY;
			return;
		}
	}
	rc = lv_cpu_enable(lvl_backend);
	if (rc) {
		c->lv_rc = rc;
		c->rc = lv_to_errno(rc);
		return;
	}
	c->enabled = true;
	if (kind == LV_BACKEND_VMX) {
		/*
		 * The library set CR4.VMXE for VMXON; the kernel's CR4 shadow gets
		 * it too, so that kvm_intel sees VMX in use (and refuses) and no
		 * CR4 update of the kernel's clears it under VMX operation.
		 */
		cr4_set_bits_irqsoff(X86_CR4_VMXE);
		c->vmxe_ours = true;
	}
}

static void disable_one(void *arg)
{
	struct lvl_cpu *c = this_cpu_ptr(&lvl_cpus);
	u64 now;

	(void)arg;
	if (!c->enabled)
		return;
	c->rc = lv_to_errno(lv_cpu_disable(lvl_backend));
	c->enabled = false;
	if (c->vmxe_ours) /* VMXOFF done, the library cleared CR4.VMXE: the shadow follows */
		cr4_clear_bits_irqsoff(X86_CR4_VMXE);
	c->vmxe_ours = false;
	if (kind == LV_BACKEND_SVM) {
		rdmsrl(MSR_EFER, now);
		c->restored = (now & EFER_SVME) == (c->found & EFER_SVME);
	} else {
		now = __read_cr4();
		c->restored = (now & X86_CR4_VMXE) == (c->found & X86_CR4_VMXE);
	}
}

/* Disable every CPU that is enabled; @return how many were left as found. */
static unsigned int disable_all(unsigned int *total)
{
	unsigned int cpu, ok = 0, n = 0;

	for_each_online_cpu(cpu)
	{
		struct lvl_cpu *c = per_cpu_ptr(&lvl_cpus, cpu);

		if (!c->enabled)
			continue;
		smp_call_function_single(cpu, disable_one, NULL, 1);
		n++;
		ok += c->restored;
	}
	*total = n;
	return ok;
}

/* ---- debugfs -------------------------------------------------------------- */

static ssize_t conf_write(struct file *f, const char __user *ubuf, size_t len, loff_t *pos)
{
	char name[64], *s;
	int rc;

	if (len >= sizeof(name))
		return -EINVAL;
	if (copy_from_user(name, ubuf, len))
		return -EFAULT;
	name[len] = 0;
	s = strim(name);
	mutex_lock(&conf_lock);
	rc = lvl_conf_run(strcmp(s, "all") ? s : NULL, conf_out, CONF_OUT_SIZE);
	mutex_unlock(&conf_lock);
	return rc ? rc : (ssize_t)len;
}

static ssize_t conf_read(struct file *f, char __user *ubuf, size_t len, loff_t *pos)
{
	ssize_t n;

	mutex_lock(&conf_lock);
	n = simple_read_from_buffer(ubuf, len, pos, conf_out, strlen(conf_out));
	mutex_unlock(&conf_lock);
	return n;
}

static const struct file_operations conf_fops = {
	.owner = THIS_MODULE,
	.read = conf_read,
	.write = conf_write,
	.llseek = default_llseek,
};

static ssize_t hold_write(struct file *f, const char __user *ubuf, size_t len, loff_t *pos)
{
	unsigned int n;
	int rc = kstrtouint_from_user(ubuf, len, 0, &n);

	if (rc)
		return rc;
	if (n > 64)
		return -EINVAL;
	rc = lvl_hold(n);
	return rc ? rc : (ssize_t)len;
}

static ssize_t hold_read(struct file *f, char __user *ubuf, size_t len, loff_t *pos)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%u\n", lvl_hold_count());
	return simple_read_from_buffer(ubuf, len, pos, buf, strlen(buf));
}

static const struct file_operations hold_fops = {
	.owner = THIS_MODULE,
	.read = hold_read,
	.write = hold_write,
	.llseek = default_llseek,
};

static ssize_t status_read(struct file *f, char __user *ubuf, size_t len, loff_t *pos)
{
	char buf[160];

	snprintf(buf, sizeof(buf),
		 "backend=%s cpus=%u held_vms=%u page_blocks=%ld objects=%ld kicks=%lu\n",
		 kind == LV_BACKEND_SVM ? "svm" : "vmx", num_online_cpus(), lvl_hold_count(),
		 lvl_pages_live(), lvl_allocs_live(), lvl_kicks());
	return simple_read_from_buffer(ubuf, len, pos, buf, strlen(buf));
}

static const struct file_operations status_fops = {
	.owner = THIS_MODULE,
	.read = status_read,
	.llseek = default_llseek,
};

/* ---- load / unload ---------------------------------------------------------- */

static int __init lvl_init(void)
{
	struct lv_open_info info;
	struct lv_caps caps;
	unsigned int cpu, n = 0, total;
	int rc;

	rc = lv_backend_open_ex(LV_BACKEND_ANY, &lvl_backend, &info);
	if (rc) {
		pr_err("lv_linux: no ring-0 backend on this CPU: %s\n", info.what);
		return -ENODEV;
	}
	lv_backend_caps(lvl_backend, &caps);
	kind = caps.kind;
	conf_out = vzalloc(CONF_OUT_SIZE);
	if (!conf_out) {
		lv_backend_close(lvl_backend);
		return -ENOMEM;
	}
	rc = 0;
	cpus_read_lock();
	for_each_online_cpu(cpu)
	{
		struct lvl_cpu *c = per_cpu_ptr(&lvl_cpus, cpu);

		smp_call_function_single(cpu, enable_one, NULL, 1);
		if (c->rc) {
			rc = c->rc;
			break;
		}
		n++;
	}
	if (rc) {
		struct lvl_cpu *c = per_cpu_ptr(&lvl_cpus, cpu);

		disable_all(&total);
		cpus_read_unlock();
		if (rc == -EBUSY && !c->lv_rc)
			pr_err("lv_linux: %s is in use by another hypervisor on CPU %u (%s set): "
			       "not loading\n",
			       kind == LV_BACKEND_SVM ? "SVM" : "VMX", cpu,
			       kind == LV_BACKEND_SVM ? "EFER.SVME" : "CR4.VMXE");
		else
			pr_err("lv_linux: enabling %s on CPU %u failed: %s\n",
			       kind == LV_BACKEND_SVM ? "SVM" : "VMX", cpu,
			       lv_status_name(c->lv_rc));
		lv_backend_close(lvl_backend);
		vfree(conf_out);
		return rc;
	}
	cpus_read_unlock();
	dir = debugfs_create_dir("lv_linux", NULL);
	debugfs_create_file("conformance", 0600, dir, NULL, &conf_fops);
	debugfs_create_file("hold", 0600, dir, NULL, &hold_fops);
	debugfs_create_file("status", 0400, dir, NULL, &status_fops);
	pr_info("lv_linux: %s enabled on %u CPUs (%s as found: %#llx)\n",
		kind == LV_BACKEND_SVM ? "SVM" : "VMX", n, kind == LV_BACKEND_SVM ? "EFER" : "CR4",
		per_cpu_ptr(&lvl_cpus, 0)->found);
	return 0;
}

static void __exit lvl_exit(void)
{
	unsigned int held, restored, total;
	int rc;

	debugfs_remove_recursive(dir);
	held = lvl_hold_release();
	cpus_read_lock();
	restored = disable_all(&total);
	cpus_read_unlock();
	rc = lv_backend_close(lvl_backend);
	lvl_plat_exit();
	vfree(conf_out);
	pr_info("lv_linux: unloaded: %u live VMs destroyed, backend close %s, %s left as found on "
		"%u of %u CPUs, seam outstanding: %ld page blocks, %ld objects\n",
		held, lv_status_name(rc), kind == LV_BACKEND_SVM ? "EFER.SVME" : "CR4.VMXE",
		restored, total, lvl_pages_live(), lvl_allocs_live());
}

module_init(lvl_init);
module_exit(lvl_exit);
MODULE_LICENSE("Dual MIT/GPL");
MODULE_DESCRIPTION("libvcpu's raw SVM/VMX backends in Linux, with the conformance suite");
