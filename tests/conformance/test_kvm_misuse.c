/* SPDX-License-Identifier: MIT */
/*
 * Misuse of the KVM backend that only a hosted KVM has: a kick from a
 * signal handler, a kick flood against slot changes (the kick signal),
 * KVM's MSR filter limit. Also here for now: unmapping memory a running
 * vCPU uses (SVM and VMX do not yet stop a running vCPU from using an
 * unmapped page, so it is not a conformance case yet), dirty bits across a
 * split and protection none and back. The backend-neutral misuse cases
 * (stale handles, bad maps, rejected state, kicks in every state) are
 * conformance cases (cases_misuse*.c) and run on every backend. Exits 77
 * (skipped) when /dev/kvm is not usable.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <unistd.h>

#include <libvcpu/libvcpu.h>

#define RAM (2u << 20)

static struct lv_backend *b;
static struct lv_vm *vm;
static uint8_t *ram;

static void setup(void)
{
	cr_assert_eq(lv_backend_open(LV_BACKEND_KVM, &b), LV_OK);
	cr_assert_eq(lv_vm_create(b, NULL, &vm), LV_OK);
	ram = mmap(NULL, RAM, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	cr_assert_neq(ram, MAP_FAILED);
}

static void teardown(void)
{
	if (vm)
		lv_vm_destroy(vm);
	vm = NULL;
	if (b)
		cr_expect_eq(lv_backend_close(b), LV_OK);
	b = NULL;
	munmap(ram, RAM);
}

TestSuite(kvm_misuse, .init = setup, .fini = teardown);

/* A real-mode guest at 0x1000: `hlt` or a given code sequence. */
static struct lv_vcpu *guest(const uint8_t *code, size_t len)
{
	struct lv_vcpu *v;
	struct lv_state st;

	memcpy(ram + 0x1000, code, len);
	cr_assert_eq(lv_vcpu_create(vm, 0, &v), LV_OK);
	lv_state_init_reset(&st);
	st.segs.cs.selector = 0;
	st.segs.cs.base = 0;
	st.regs.rip = 0x1000;
	cr_assert_eq(lv_vcpu_set_state(v, LV_STATE_GPRS | LV_STATE_SEGMENTS, &st), LV_OK);
	return v;
}

/* KVM's MSR filter holds 16 ranges: the 17th is LV_ERR_LIMIT, nothing changes. */
Test(kvm_misuse, msr_filter_limit)
{
	struct lv_msr_range r[17];
	unsigned i;

	for (i = 0; i < 17; i++)
		r[i] = (struct lv_msr_range){ 0x1000 + 2 * i, 1, LV_MSR_EXIT_READ };
	cr_expect_eq(lv_vm_set_msr_exits(vm, r, 17), LV_ERR_LIMIT);
	cr_expect_eq(lv_vm_set_msr_exits(vm, r, 16), LV_OK);
	cr_expect_eq(lv_vm_set_msr_exits(vm, NULL, 0), LV_OK);
}

/* ---- unmapping memory a running vCPU uses ---------------------------------- */

struct runner {
	struct lv_vcpu *v;
	int rc;
	uint32_t reason;
	uint64_t gpa;
	uint32_t started;
};

static void *run_thread(void *p)
{
	struct runner *r = p;
	struct lv_exit *ex;

	__atomic_store_n(&r->started, 1, __ATOMIC_RELEASE);
	r->rc = lv_vcpu_run(r->v, &ex);
	if (r->rc == LV_OK) {
		r->reason = ex->reason;
		r->gpa = ex->reason == LV_EXIT_MMIO ? ex->mmio.gpa : 0;
	}
	return NULL;
}

/*
 * The guest writes to 0x20000 in a loop. Unmapping that page while the vCPU
 * runs turns the next write into an MMIO exit; calls that need an idle vCPU
 * return BUSY meanwhile.
 */
Test(kvm_misuse, unmap_while_running)
{
	/* 1000: mov ax,0x2000; mov ds,ax; l: mov byte [0],1; jmp l */
	static const uint8_t code[] = { 0xb8, 0x00, 0x20, 0x8e, 0xd8, 0xc6,
					0x06, 0x00, 0x00, 0x01, 0xeb, 0xf9 };
	struct runner r = { 0 };
	struct lv_state st;
	pthread_t t;

	cr_assert_eq(lv_vm_map(vm, ram, 0, 0x80000, LV_PROT_ALL), LV_OK);
	r.v = guest(code, sizeof(code));
	cr_assert_eq(pthread_create(&t, NULL, run_thread, &r), 0);
	while (!__atomic_load_n(&r.started, __ATOMIC_ACQUIRE))
		;
	usleep(20000);
	cr_expect_eq(lv_vcpu_get_state(r.v, LV_STATE_GPRS, &st), LV_ERR_BUSY);
	cr_expect_eq(lv_vcpu_destroy(r.v), LV_ERR_BUSY);
	cr_assert_eq(lv_vm_unmap(vm, 0x20000, 0x1000), LV_OK);
	pthread_join(t, NULL);
	cr_expect_eq(r.rc, LV_OK);
	cr_expect_eq(r.reason, LV_EXIT_MMIO);
	cr_expect_eq(r.gpa, 0x20000);
	cr_expect_eq(ram[0x20000], 1);
	cr_expect_eq(lv_vcpu_destroy(r.v), LV_OK);
}

/* Dirty bits survive splitting a dirty-logged mapping and partial reads. */
Test(kvm_misuse, dirty_bits_survive_split)
{
	/* mov ax,0x2000; mov ds,ax; mov byte [0x1000],1; [0x5000]; [0x9000]; hlt */
	static const uint8_t code[] = { 0xb8, 0x00, 0x20, 0x8e, 0xd8, 0xc6, 0x06,
					0x00, 0x10, 0x01, 0xc6, 0x06, 0x00, 0x50,
					0x01, 0xc6, 0x06, 0x00, 0x90, 0x01, 0xf4 };
	struct lv_vcpu *v;
	struct lv_exit *ex;
	uint64_t bm;

	cr_assert_eq(lv_vm_map(vm, ram, 0, 0x20000, LV_PROT_ALL), LV_OK);
	cr_assert_eq(lv_vm_map(vm, ram + 0x20000, 0x20000, 0x10000, LV_PROT_ALL | LV_MAP_DIRTY_LOG),
		     LV_OK);
	v = guest(code, sizeof(code));
	cr_assert_eq(lv_vcpu_run(v, &ex), LV_OK);
	cr_assert_eq(ex->reason, LV_EXIT_HLT);
	/* Split the slot in three, then read the first half only. */
	cr_assert_eq(lv_vm_protect(vm, 0x25000, 0x1000, LV_PROT_READ | LV_PROT_EXEC), LV_OK);
	cr_assert_eq(lv_vm_get_dirty(vm, 0x20000, 0x8000, &bm), LV_OK);
	cr_expect_eq(bm, (1u << 1) | (1u << 5));
	cr_assert_eq(lv_vm_get_dirty(vm, 0x20000, 0x10000, &bm), LV_OK);
	cr_expect_eq(bm, 1u << 9);
	cr_assert_eq(lv_vm_get_dirty(vm, 0x20000, 0x10000, &bm), LV_OK);
	cr_expect_eq(bm, 0);
	cr_expect_eq(lv_vcpu_destroy(v), LV_OK);
}

/* Protection 0 makes every access exit; restoring it brings the RAM back. */
Test(kvm_misuse, protect_none_and_back)
{
	/* mov ax,0x2000; mov ds,ax; mov al,[0x1000]; mov [0x1000],al; hlt */
	static const uint8_t code[] = { 0xb8, 0x00, 0x20, 0x8e, 0xd8, 0xa0,
					0x00, 0x10, 0xa2, 0x00, 0x10, 0xf4 };
	struct lv_vcpu *v;
	struct lv_exit *ex;

	ram[0x21000] = 0x5a;
	cr_assert_eq(lv_vm_map(vm, ram, 0, 0x40000, LV_PROT_ALL), LV_OK);
	cr_assert_eq(lv_vm_protect(vm, 0x21000, 0x1000, 0), LV_OK);
	v = guest(code, sizeof(code));
	cr_assert_eq(lv_vcpu_run(v, &ex), LV_OK);
	cr_assert_eq(ex->reason, LV_EXIT_MMIO);
	cr_expect_eq(ex->mmio.gpa, 0x21000);
	cr_expect_eq(ex->mmio.is_write, 0);
	ex->mmio.data[0] = 0x77;
	cr_assert_eq(lv_vm_protect(vm, 0x21000, 0x1000, LV_PROT_ALL), LV_OK);
	/* The store of 0x77 now reaches RAM. */
	cr_assert_eq(lv_vcpu_run(v, &ex), LV_OK);
	cr_expect_eq(ex->reason, LV_EXIT_HLT);
	cr_expect_eq(ram[0x21000], 0x77);
	cr_expect_eq(lv_vcpu_destroy(v), LV_OK);
}

static struct lv_vcpu *alarm_vcpu;

static void on_alarm(int sig)
{
	(void)sig;
	lv_vcpu_kick(alarm_vcpu);
}

/* lv_vcpu_kick() from a signal handler stops a spinning guest. */
Test(kvm_misuse, kick_from_signal_handler)
{
	static const uint8_t spin[] = { 0xeb, 0xfe }; /* jmp $ */
	struct itimerval it = { { 0, 0 }, { 0, 20000 } };
	struct sigaction sa, old;
	struct lv_exit *ex;

	cr_assert_eq(lv_vm_map(vm, ram, 0, RAM, LV_PROT_ALL), LV_OK);
	alarm_vcpu = guest(spin, sizeof(spin));
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	cr_assert_eq(sigaction(SIGALRM, &sa, &old), 0);
	cr_assert_eq(setitimer(ITIMER_REAL, &it, NULL), 0);
	cr_assert_eq(lv_vcpu_run(alarm_vcpu, &ex), LV_OK);
	cr_expect_eq(ex->reason, LV_EXIT_CANCELLED);
	sigaction(SIGALRM, &old, NULL);
	cr_expect_eq(lv_vcpu_destroy(alarm_vcpu), LV_OK);
}

/* ---- kicks and slot changes in a flood ------------------------------------ */

struct storm {
	struct lv_vcpu *v;
	uint32_t stop;	    /* __atomic: runner and kicker finish */
	uint32_t started;   /* __atomic */
	uint64_t cancelled; /* runs that returned CANCELLED */
	uint64_t other;	    /* runs that returned anything else */
	int rc;
};

static void *storm_runner(void *p)
{
	struct storm *s = p;
	struct lv_exit *ex;

	__atomic_store_n(&s->started, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&s->stop, __ATOMIC_ACQUIRE)) {
		s->rc = lv_vcpu_run(s->v, &ex);
		if (s->rc != LV_OK)
			break;
		if (ex->reason == LV_EXIT_CANCELLED)
			s->cancelled++;
		else
			s->other++;
	}
	return NULL;
}

static void *storm_kicker(void *p)
{
	struct storm *s = p;

	while (!__atomic_load_n(&s->stop, __ATOMIC_ACQUIRE))
		lv_vcpu_kick(s->v);
	return NULL;
}

/*
 * A vCPU spinning in the guest while one thread kicks it without pause and
 * the main thread changes the protection of another page 300 times (each
 * change holds the vCPU out of KVM_RUN). The kick signal is a queued
 * real-time signal: flooding it used to livelock the vCPU thread in its
 * handler, which this test would show as a hang (CTest timeout). Every run
 * must end CANCELLED: the slot replacements must not leak spurious MMIO
 * exits for the spinning code.
 */
Test(kvm_misuse, kick_and_protect_flood, .timeout = 120)
{
	static const uint8_t code[] = { 0xeb, 0xfe }; /* l: jmp l */
	struct storm s = { 0 };
	pthread_t tr, tk;
	int i;

	cr_assert_eq(lv_vm_map(vm, ram, 0, RAM, LV_PROT_ALL), LV_OK);
	s.v = guest(code, sizeof(code));
	cr_assert_eq(pthread_create(&tr, NULL, storm_runner, &s), 0);
	while (!__atomic_load_n(&s.started, __ATOMIC_ACQUIRE))
		;
	cr_assert_eq(pthread_create(&tk, NULL, storm_kicker, &s), 0);
	for (i = 0; i < 300; i++) {
		uint32_t prot = (i & 1) ? LV_PROT_ALL : LV_PROT_READ | LV_PROT_EXEC;

		cr_assert_eq(lv_vm_protect(vm, 0x40000, 0x1000, prot), LV_OK);
	}
	__atomic_store_n(&s.stop, 1, __ATOMIC_RELEASE);
	pthread_join(tk, NULL);
	lv_vcpu_kick(s.v); /* the runner may have entered once more */
	pthread_join(tr, NULL);
	cr_expect_eq(s.rc, LV_OK);
	cr_expect_eq(s.other, 0, "%llu runs ended with something other than CANCELLED",
		     (unsigned long long)s.other);
	cr_expect_gt(s.cancelled, 0);
	cr_expect_eq(lv_vcpu_destroy(s.v), LV_OK);
}

int main(int argc, char *argv[])
{
	struct criterion_test_set *tests = criterion_initialize();
	struct lv_backend *probe;
	int result = 0;

	if (lv_backend_open(LV_BACKEND_KVM, &probe) != LV_OK) {
		criterion_finalize(tests);
		printf("SKIP kvm_misuse: /dev/kvm is not usable here\n");
		return 77;
	}
	lv_backend_close(probe);
	if (criterion_handle_args(argc, argv, true))
		result = !criterion_run_all_tests(tests);
	criterion_finalize(tests);
	return result;
}
