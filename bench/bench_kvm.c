/* SPDX-License-Identifier: MIT */
/*
 * KVM backend benchmark (not a test). Everything is measured side by side
 * in one process, interleaved A B A B ..., and reported as median ratios:
 *
 *  1. IO-exit round trip: lv_vcpu_run() vs a raw KVM_RUN loop, both on the
 *     same guest (real mode: out 0x10, al; jmp back), in batches.
 *  2. VM create -> vCPU -> slot -> run to HLT -> destroy: the API vs the
 *     same sequence in raw ioctls (including KVM_SET_CPUID2, which a VMM
 *     needs too and lv_vcpu_create() does).
 *
 * `bench_kvm --exits N` only runs N IO exits through libvcpu: run it under
 * callgrind with bench/kvm_callgrind.sh to count the user-space
 * instructions per exit spent inside libvcpu.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <libvcpu/libvcpu.h>

#define MEM	 0x10000
#define CODE	 0x1000
#define BATCH	 500
#define ROUNDS	 31
#define CREATE_N 41

static const uint8_t loop_code[] = { 0xe6, 0x10, 0xeb, 0xfc }; /* l: out 0x10,al; jmp l */
static const uint8_t hlt_code[] = { 0xf4 };

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double minimum(const double *v, int n)
{
	double m = v[0];
	int i;

	for (i = 1; i < n; i++)
		m = v[i] < m ? v[i] : m;
	return m;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void die(const char *what)
{
	fprintf(stderr, "bench_kvm: %s failed (%s)\n", what, strerror(errno));
	exit(1);
}

static uint8_t *guest_mem(const uint8_t *code, size_t len)
{
	uint8_t *m = mmap(NULL, MEM, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (m == MAP_FAILED)
		die("mmap");
	memcpy(m + CODE, code, len);
	return m;
}

/* ---- raw KVM ------------------------------------------------------------ */

struct raw {
	int vm, vcpu;
	struct kvm_run *run;
	size_t run_size;
};

static struct kvm_cpuid2 *raw_cpuid;

static void raw_create(int kvm, struct raw *r, uint8_t *mem)
{
	struct kvm_userspace_memory_region reg = { .memory_size = MEM,
						   .userspace_addr = (uint64_t)(uintptr_t)mem };
	struct kvm_sregs sregs;
	struct kvm_regs regs;

	r->vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (r->vm < 0)
		die("KVM_CREATE_VM");
	if (ioctl(r->vm, KVM_SET_USER_MEMORY_REGION, &reg) < 0)
		die("KVM_SET_USER_MEMORY_REGION");
	r->vcpu = ioctl(r->vm, KVM_CREATE_VCPU, 0);
	if (r->vcpu < 0)
		die("KVM_CREATE_VCPU");
	r->run_size = (size_t)ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	r->run = mmap(NULL, r->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, r->vcpu, 0);
	if (r->run == MAP_FAILED)
		die("mmap kvm_run");
	if (ioctl(r->vcpu, KVM_SET_CPUID2, raw_cpuid) < 0)
		die("KVM_SET_CPUID2");
	if (ioctl(r->vcpu, KVM_GET_SREGS, &sregs) < 0)
		die("KVM_GET_SREGS");
	sregs.cs.selector = 0;
	sregs.cs.base = 0;
	if (ioctl(r->vcpu, KVM_SET_SREGS, &sregs) < 0)
		die("KVM_SET_SREGS");
	memset(&regs, 0, sizeof(regs));
	regs.rip = CODE;
	regs.rflags = 2;
	if (ioctl(r->vcpu, KVM_SET_REGS, &regs) < 0)
		die("KVM_SET_REGS");
}

static void raw_destroy(struct raw *r)
{
	munmap(r->run, r->run_size);
	close(r->vcpu);
	close(r->vm);
}

static void raw_exits(struct raw *r, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		if (ioctl(r->vcpu, KVM_RUN, 0) < 0)
			die("KVM_RUN");
		if (r->run->exit_reason != KVM_EXIT_IO)
			die("raw exit reason");
	}
}

/* ---- libvcpu -------------------------------------------------------------- */

struct lib {
	struct lv_vm *vm;
	struct lv_vcpu *v;
};

static void lib_create(struct lv_backend *b, struct lib *l, uint8_t *mem)
{
	struct lv_state st;

	if (lv_vm_create(b, NULL, &l->vm) || lv_vm_map(l->vm, mem, 0, MEM, LV_PROT_ALL) ||
	    lv_vcpu_create(l->vm, 0, &l->v))
		die("libvcpu create");
	lv_state_init_reset(&st);
	st.segs.cs.selector = 0;
	st.segs.cs.base = 0;
	st.regs.rip = CODE;
	if (lv_vcpu_set_state(l->v, LV_STATE_GPRS | LV_STATE_SEGMENTS, &st))
		die("lv_vcpu_set_state");
}

static void lib_destroy(struct lib *l)
{
	lv_vcpu_destroy(l->v);
	lv_vm_destroy(l->vm);
}

static void lib_exits(struct lib *l, int n)
{
	struct lv_exit *ex;
	int i;

	for (i = 0; i < n; i++)
		if (lv_vcpu_run(l->v, &ex) || ex->reason != LV_EXIT_IO)
			die("lv_vcpu_run");
}

/* ---- measurements ---------------------------------------------------------- */

static void bench_exits(int kvm, struct lv_backend *b)
{
	uint8_t *m1 = guest_mem(loop_code, sizeof(loop_code));
	uint8_t *m2 = guest_mem(loop_code, sizeof(loop_code));
	double ra[ROUNDS], rb[ROUNDS], ratio[ROUNDS], t;
	struct raw r;
	struct lib l;
	int i;

	raw_create(kvm, &r, m1);
	lib_create(b, &l, m2);
	raw_exits(&r, BATCH); /* warm up */
	lib_exits(&l, BATCH);
	for (i = 0; i < ROUNDS; i++) {
		/* A B in even rounds, B A in odd ones: no bias from the order. */
		if (i & 1) {
			t = now_us();
			raw_exits(&r, BATCH);
			rb[i] = (now_us() - t) / BATCH;
		}
		t = now_us();
		lib_exits(&l, BATCH);
		ra[i] = (now_us() - t) / BATCH;
		if (!(i & 1)) {
			t = now_us();
			raw_exits(&r, BATCH);
			rb[i] = (now_us() - t) / BATCH;
		}
		ratio[i] = ra[i] / rb[i];
	}
	printf("io exit round trip: libvcpu %.2f us, raw KVM_RUN %.2f us, median ratio %.3f "
	       "(target <= 1.02), ratio of the fastest batches %.3f\n",
	       median(ra, ROUNDS), median(rb, ROUNDS), median(ratio, ROUNDS),
	       minimum(ra, ROUNDS) / minimum(rb, ROUNDS));
	lib_destroy(&l);
	raw_destroy(&r);
	munmap(m1, MEM);
	munmap(m2, MEM);
}

static double raw_cycle(int kvm, struct raw *r, uint8_t *m)
{
	double t = now_us();

	raw_create(kvm, r, m);
	if (ioctl(r->vcpu, KVM_RUN, 0) < 0 || r->run->exit_reason != KVM_EXIT_HLT)
		die("raw run to HLT");
	raw_destroy(r);
	return now_us() - t;
}

static void bench_create(int kvm, struct lv_backend *b)
{
	double ta[CREATE_N], tb[CREATE_N], ratio[CREATE_N], t;
	uint8_t *m = guest_mem(hlt_code, sizeof(hlt_code));
	struct lv_exit *ex;
	struct raw r;
	struct lib l;
	int i;

	for (i = 0; i < CREATE_N; i++) {
		if (i & 1)
			tb[i] = raw_cycle(kvm, &r, m);
		t = now_us();
		lib_create(b, &l, m);
		if (lv_vcpu_run(l.v, &ex) || ex->reason != LV_EXIT_HLT)
			die("libvcpu run to HLT");
		lib_destroy(&l);
		ta[i] = now_us() - t;
		if (!(i & 1))
			tb[i] = raw_cycle(kvm, &r, m);
		ratio[i] = ta[i] / tb[i];
	}
	printf("create -> first exit -> destroy: libvcpu %.0f us, raw %.0f us, median ratio %.3f "
	       "(target <= 1.05), ratio of the fastest %.3f\n",
	       median(ta, CREATE_N), median(tb, CREATE_N), median(ratio, CREATE_N),
	       minimum(ta, CREATE_N) / minimum(tb, CREATE_N));
	munmap(m, MEM);
}

int main(int argc, char **argv)
{
	struct lv_backend *b;
	int kvm, rc;

	rc = lv_backend_open(LV_BACKEND_KVM, &b);
	if (rc) {
		printf("bench_kvm: KVM backend not usable here (%s)\n", lv_strerror(rc));
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "--exits")) {
		/* For callgrind: N exits through libvcpu only. */
		uint8_t *m = guest_mem(loop_code, sizeof(loop_code));
		struct lib l;

		lib_create(b, &l, m);
		lib_exits(&l, atoi(argv[2]));
		lib_destroy(&l);
		lv_backend_close(b);
		return 0;
	}
	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0)
		die("open /dev/kvm");
	raw_cpuid = calloc(1, sizeof(*raw_cpuid) + 256 * sizeof(raw_cpuid->entries[0]));
	if (!raw_cpuid)
		die("calloc");
	raw_cpuid->nent = 256;
	if (ioctl(kvm, KVM_GET_SUPPORTED_CPUID, raw_cpuid) < 0)
		die("KVM_GET_SUPPORTED_CPUID");
	bench_exits(kvm, b);
	bench_create(kvm, b);
	free(raw_cpuid);
	close(kvm);
	lv_backend_close(b);
	return 0;
}
