// SPDX-License-Identifier: MIT
/*
 * The conformance suite (tests/conformance, the cases the KVM tier and the
 * ring-0 test kernel run) inside Linux: its harness hooks on kernel APIs.
 *
 * - The suite runs in a kernel thread that no CPU mask binds: the
 *   scheduler may move it between runs (preemption is on everywhere but
 *   inside lv_vcpu_run()).
 * - Every lv_vcpu_run() of the suite goes through lvl_conf_vcpu_run() (the
 *   Kbuild file renames the suite's calls): kernel_fpu_begin() owns the
 *   FPU and disables preemption for the run, as docs/embedding.md asks.
 * - parallel: call 1 in a second unbound kernel thread, call 0 in the
 *   suite's thread; the CPUs each started on are counted (cross-CPU calls).
 * - call_later: a hard-interrupt hrtimer.
 * - host_fpu: the pattern is loaded into XMM/YMM 0-15 right after
 *   kernel_fpu_begin() of the next run and compared right after it, inside
 *   the same FPU section: that is where the library must keep them.
 * - host_reg: DR0-DR3, DR7, CR8 and TSC_AUX of the CPU the case runs on;
 *   the first use pins the thread to its CPU (migrate_disable()) until the
 *   case ends, as those are per-CPU registers (TSC_AUX holds the CPU
 *   number in Linux).
 */
#include <linux/completion.h>
#include <linux/cpufeature.h>
#include <linux/err.h>
#include <linux/gfp.h>
#include <linux/hrtimer.h>
#include <linux/kernel.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/mm.h>
#include <linux/preempt.h>
#include <linux/printk.h>
#include <linux/sched.h>
#include <linux/smp.h>
#include <linux/string.h>

#include <asm/fpu/api.h>
#include <asm/fpu/xcr.h>
#include <asm/processor.h>

#include "conf_host_fpu.h"
#include "lv_conformance.h"
#include "lvl.h"

int lvl_conf_vcpu_run(struct lv_vcpu *v, struct lv_exit **exit);

/*
 * Test of the test (linux_fpu_unowned): runs with preemption disabled but
 * the FPU not owned, so the host_fpu pattern lands in whatever user task's
 * registers are live on the CPU. fpu_check must notice.
 */
static bool fpu_unowned;
module_param(fpu_unowned, bool, 0400);
MODULE_PARM_DESC(fpu_unowned, "test only: no kernel_fpu_begin() around the suite's runs");

/* What one suite run shares between its threads and hooks. */
static struct {
	struct task_struct *main; /* the suite's thread */
	char *buf;		  /* output */
	size_t size, len;
	char line[320];
	size_t line_len;
	unsigned int pass, fail, skip;
	/* host_fpu */
	const u8 *fpu_pat; /* loaded at the next run of the main thread */
	int fpu_bad, ymm;
	/* host_reg */
	bool pinned;
	/* counters */
	struct task_struct *par; /* the parallel hook's thread, while it runs */
	int main_cpu, par_cpu;	 /* CPU of each thread's last run */
	atomic_t runs, migrations, par_calls, par_cross;
} st;

static void out(const char *s)
{
	size_t n = strlen(s);

	if (st.len + n + 1 > st.size)
		n = st.size > st.len + 1 ? st.size - st.len - 1 : 0;
	memcpy(st.buf + st.len, s, n);
	st.len += n;
	st.buf[st.len] = 0;
}

/* One finished runner line: "PASS name", "FAIL name: why", "SKIP name: why" or the summary. */
static void line_done(void)
{
	st.line[st.line_len] = 0;
	st.line_len = 0;
	if (!strncmp(st.line, "PASS ", 5))
		st.pass++;
	else if (!strncmp(st.line, "FAIL ", 5))
		st.fail++;
	else if (!strncmp(st.line, "SKIP ", 5))
		st.skip++;
	else
		return; /* the per-case summary: the totals line is ours */
	pr_info("lv_linux: %s\n", st.line);
	out(st.line);
	out("\n");
}

static void h_print(void *ctx, const char *s)
{
	for (; *s; s++) {
		if (*s == '\n')
			line_done();
		else if (st.line_len + 1 < sizeof(st.line))
			st.line[st.line_len++] = *s;
	}
}

/* Guest RAM: one zeroed block of the buddy allocator (2 MiB blocks are 2 MiB aligned). */
static void *h_mem_alloc(void *ctx, size_t size)
{
	struct page *pg = alloc_pages(GFP_KERNEL | __GFP_ZERO | __GFP_NOWARN, get_order(size));

	return pg ? page_address(pg) : NULL;
}

static void h_mem_free(void *ctx, void *p, size_t size)
{
	if (p)
		__free_pages(virt_to_page(p), get_order(size));
}

/* ---- parallel: two unbound kernel threads ------------------------------ */

struct par {
	void (*fn)(void *arg, unsigned int i);
	void *arg;
	struct completion done;
	int cpu1;
};

static int par_thread(void *data)
{
	struct par *p = data;

	WRITE_ONCE(p->cpu1, raw_smp_processor_id());
	st.par_cpu = -1;
	WRITE_ONCE(st.par, current);
	p->fn(p->arg, 1);
	WRITE_ONCE(st.par, NULL);
	complete(&p->done);
	return 0;
}

static int h_parallel(void *ctx, unsigned int n, void (*fn)(void *arg, unsigned int i), void *arg)
{
	struct task_struct *t;
	struct par p = { fn, arg };
	int cpu0;

	if (n != 2)
		return -1;
	init_completion(&p.done);
	p.cpu1 = -1;
	t = kthread_run(par_thread, &p, "lv_conf_par");
	if (IS_ERR(t))
		return -1;
	cpu0 = raw_smp_processor_id();
	fn(arg, 0);
	wait_for_completion(&p.done);
	atomic_inc(&st.par_calls);
	if (p.cpu1 >= 0 && p.cpu1 != cpu0)
		atomic_inc(&st.par_cross);
	return 0;
}

/* ---- call_later: hrtimers in hard interrupt context ---------------------- */

#define NTIMERS 4
static struct later {
	struct hrtimer t;
	void (*fn)(void *arg);
	void *arg;
	atomic_t busy;
} timers[NTIMERS];

static enum hrtimer_restart later_fire(struct hrtimer *t)
{
	struct later *l = container_of(t, struct later, t);

	l->fn(l->arg);
	atomic_set(&l->busy, 0);
	return HRTIMER_NORESTART;
}

static int h_call_later(void *ctx, u32 usec, void (*fn)(void *arg), void *arg)
{
	int i;

	for (i = 0; i < NTIMERS; i++) {
		if (atomic_cmpxchg(&timers[i].busy, 0, 1))
			continue;
		timers[i].fn = fn;
		timers[i].arg = arg;
		hrtimer_start(&timers[i].t, ns_to_ktime((u64)usec * 1000), HRTIMER_MODE_REL_HARD);
		return 0;
	}
	return -1;
}

/* ---- host_fpu ------------------------------------------------------------ */

static int h_host_fpu(void *ctx, int check, const u8 *pat)
{
	int bad;

	if (!check) {
		st.fpu_bad = 0;
		WRITE_ONCE(st.fpu_pat, pat);
		return 0;
	}
	bad = st.fpu_bad;
	st.fpu_bad = 0;
	WRITE_ONCE(st.fpu_pat, NULL);
	return bad;
}

static u8 fpu_cur[512] __aligned(32);

/* Load (check 0) or compare (check 1) XMM/YMM 0-15 with @p pat: inside kernel_fpu_begin() only. */
static int fpu_regs(int check, const u8 *pat)
{
	return lv_conf_host_fpu_regs(check, st.ymm, pat, fpu_cur);
}

/*
 * Every run of the suite: the FPU is ours and preemption is off for the
 * call (docs/embedding.md, "Linux kernel module"); between runs the thread
 * may be preempted and migrated (counted).
 */
int lvl_conf_vcpu_run(struct lv_vcpu *v, struct lv_exit **exit)
{
	const u8 *pat = NULL;
	int rc, cpu, *last = NULL;

	if (fpu_unowned)
		preempt_disable();
	else
		kernel_fpu_begin();
	cpu = smp_processor_id();
	if (current == st.main) {
		last = &st.main_cpu;
		pat = READ_ONCE(st.fpu_pat);
		if (pat)
			fpu_regs(0, pat);
	} else if (current == READ_ONCE(st.par)) {
		last = &st.par_cpu;
	}
	rc = lv_vcpu_run(v, exit);
	if (pat) {
		st.fpu_bad |= fpu_regs(1, pat);
		WRITE_ONCE(st.fpu_pat, NULL);
	}
	if (fpu_unowned)
		preempt_enable();
	else
		kernel_fpu_end();
	atomic_inc(&st.runs);
	if (last) {
		if (*last >= 0 && *last != cpu)
			atomic_inc(&st.migrations);
		*last = cpu;
	}
	cond_resched();
	return rc;
}

/* ---- host_reg -------------------------------------------------------------- */

static int h_host_reg(void *ctx, unsigned int reg, int write, u64 *v)
{
	unsigned long x;
	u32 lo, hi;

	if (!st.pinned && current == st.main) {
		/* Per-CPU registers: the rest of the case stays on this CPU. */
		migrate_disable();
		st.pinned = true;
	}
#define DR(n)                                                                                      \
	case n:                                                                                    \
		if (write)                                                                         \
			asm volatile("mov %0, %%db" #n ::"r"((unsigned long)*v) : "memory");       \
		else {                                                                             \
			asm volatile("mov %%db" #n ", %0" : "=r"(x));                              \
			*v = x;                                                                    \
		}                                                                                  \
		return 0;
	switch (reg) {
		DR(0)
		DR(1)
		DR(2)
		DR(3)
		DR(7)
	case LV_CONF_HOST_CR8:
		if (write)
			asm volatile("mov %0, %%cr8" ::"r"((unsigned long)*v) : "memory");
		else {
			asm volatile("mov %%cr8, %0" : "=r"(x));
			*v = x;
		}
		return 0;
	case LV_CONF_HOST_TSC_AUX:
		if (write || !boot_cpu_has(X86_FEATURE_RDTSCP))
			return -1;
		asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(0xc0000103u));
		*v = ((u64)hi << 32) | lo;
		return 0;
	default:
		return -1;
	}
#undef DR
}

/* ---- the run ----------------------------------------------------------------- */

struct job {
	const char *only;
	struct completion done;
	int rc;
};

static bool under_tcg(void)
{
	return strstr(boot_cpu_data.x86_model_id, "QEMU TCG") != NULL;
}

static int conf_thread(void *data)
{
	struct job *j = data;
	struct lv_conf_host h = { 0 };
	struct lv_conf_summary sum;
	char line[320];
	unsigned int i, n = lv_conformance_count();

	h.print = h_print;
	h.mem_alloc = h_mem_alloc;
	h.mem_free = h_mem_free;
	h.call_later = h_call_later;
	h.host_fpu = h_host_fpu;
	h.host_reg = h_host_reg;
	if (num_online_cpus() > 1)
		h.parallel = h_parallel;
	for (i = 0; i < n; i++) {
		const char *name = lv_conformance_name(i);
		const char *why = under_tcg() ? lv_conformance_qemu_tcg_skip(name) : NULL;
		int k;

		if (j->only && strcmp(j->only, name))
			continue;
		if (why) {
			snprintf(line, sizeof(line), "SKIP %s: %s\n", name, why);
			h_print(NULL, line);
			continue;
		}
		h.only = name;
		st.pinned = false;
		lv_conformance_run(lvl_backend, &h, &sum);
		for (k = 0; k < NTIMERS; k++) /* nothing of this case fires later */
			hrtimer_cancel(&timers[k].t);
		if (st.pinned)
			migrate_enable();
		cond_resched();
	}
	snprintf(line, sizeof(line),
		 "TOTAL pass=%u fail=%u skip=%u runs=%d migrations=%d parallel=%d "
		 "parallel_cross_cpu=%d kicks=%lu cpus=%u\n",
		 st.pass, st.fail, st.skip, atomic_read(&st.runs), atomic_read(&st.migrations),
		 atomic_read(&st.par_calls), atomic_read(&st.par_cross), lvl_kicks(),
		 num_online_cpus());
	out(line);
	pr_info("lv_linux: %s", line);
	j->rc = 0;
	complete(&j->done);
	return 0;
}

int lvl_conf_run(const char *only, char *buf, size_t size)
{
	struct task_struct *t;
	struct job j = { only };
	int i;

	memset(&st, 0, sizeof(st));
	st.buf = buf;
	st.size = size;
	buf[0] = 0;
	st.main_cpu = st.par_cpu = -1;
	st.ymm = boot_cpu_has(X86_FEATURE_AVX) && boot_cpu_has(X86_FEATURE_OSXSAVE) &&
		 (xgetbv(0) & 6) == 6;
	for (i = 0; i < NTIMERS; i++) {
		hrtimer_init(&timers[i].t, CLOCK_MONOTONIC, HRTIMER_MODE_REL_HARD);
		timers[i].t.function = later_fire;
		atomic_set(&timers[i].busy, 0);
	}
	init_completion(&j.done);
	/* Not bound to any CPU: the scheduler places and moves it. */
	t = kthread_create(conf_thread, &j, "lv_conf");
	if (IS_ERR(t))
		return PTR_ERR(t);
	st.main = t;
	wake_up_process(t);
	wait_for_completion(&j.done);
	return j.rc;
}
