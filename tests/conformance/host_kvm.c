/* SPDX-License-Identifier: MIT */
/*
 * Hosted harness of the conformance suite on /dev/kvm (CTest label `kvm`).
 * Usage: lv_conformance_kvm [case-name]. Exit status: 0 all passed, 1 a case
 * failed, 77 (CTest SKIP_RETURN_CODE) when /dev/kvm is not usable here.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "lv_conformance.h"

#define SKIP_CODE 77

static void h_print(void *ctx, const char *s)
{
	(void)ctx;
	fputs(s, stdout);
	fflush(stdout);
}

static void *h_alloc(void *ctx, size_t size)
{
	void *p;

	(void)ctx;
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

static void h_free(void *ctx, void *p, size_t size)
{
	(void)ctx;
	munmap(p, size);
}

struct par_arg {
	void (*fn)(void *arg, unsigned i);
	void *arg;
	unsigned i;
};

static void *par_thread(void *p)
{
	struct par_arg *a = p;

	a->fn(a->arg, a->i);
	return NULL;
}

static int h_parallel(void *ctx, unsigned n, void (*fn)(void *arg, unsigned i), void *arg)
{
	pthread_t t[8];
	struct par_arg a[8];
	unsigned i, started = 0;
	int rc = 0;

	(void)ctx;
	if (n > 8)
		return -1;
	for (i = 0; i < n; i++) {
		a[i] = (struct par_arg){ fn, arg, i };
		if (pthread_create(&t[i], NULL, par_thread, &a[i])) {
			rc = -1;
			break;
		}
		started++;
	}
	for (i = 0; i < started; i++)
		pthread_join(t[i], NULL);
	return rc;
}

struct later_arg {
	void (*fn)(void *arg);
	void *arg;
	uint32_t usec;
};

static void *later_thread(void *p)
{
	struct later_arg a = *(struct later_arg *)p;
	struct timespec ts = { a.usec / 1000000, (long)(a.usec % 1000000) * 1000 };

	free(p);
	nanosleep(&ts, NULL);
	a.fn(a.arg);
	return NULL;
}

static int h_call_later(void *ctx, uint32_t usec, void (*fn)(void *arg), void *arg)
{
	struct later_arg *a = malloc(sizeof(*a));
	pthread_t t;

	(void)ctx;
	if (!a)
		return -1;
	*a = (struct later_arg){ fn, arg, usec };
	if (pthread_create(&t, NULL, later_thread, a)) {
		free(a);
		return -1;
	}
	pthread_detach(t);
	return 0;
}

int main(int argc, char **argv)
{
	struct lv_conf_host host = {
		.print = h_print,
		.mem_alloc = h_alloc,
		.mem_free = h_free,
		.parallel = h_parallel,
		.call_later = h_call_later,
		.only = argc > 1 ? argv[1] : NULL,
	};
	struct lv_conf_summary sum;
	struct lv_backend *b;
	unsigned i, n;
	int rc;

	rc = lv_backend_open(LV_BACKEND_KVM, &b);
	if (rc) {
		n = lv_conformance_count();
		for (i = 0; i < n; i++)
			printf("SKIP %s: KVM backend not usable here (%s)\n",
			       lv_conformance_name(i), lv_strerror(rc));
		printf("0 passed, 0 failed, %u skipped\n", n);
		return SKIP_CODE;
	}
	rc = lv_conformance_run(b, &host, &sum);
	lv_backend_close(b);
	if (host.only && sum.passed + sum.failed + sum.skipped == 0) {
		printf("no case named %s\n", host.only);
		return 1;
	}
	return rc ? 1 : 0;
}
