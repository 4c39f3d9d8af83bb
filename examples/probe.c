/* SPDX-License-Identifier: MIT */
/*
 * lv-probe: open the default backend, print its capabilities, create a VM
 * and a vCPU, and tear everything down. Exit status 0 when a backend works.
 */
#include <libvcpu/libvcpu.h>
#include <stdio.h>

int main(void)
{
	struct lv_backend *b;
	struct lv_open_info why;
	struct lv_caps caps;
	struct lv_vm *vm;
	struct lv_vcpu *vcpu;
	size_t i;
	int rc;

	rc = lv_backend_open_ex(LV_BACKEND_ANY, &b, &why);
	if (rc) {
		/* One line: what is wrong, the status, and what to do. */
		fprintf(stderr, "lv-probe: no usable backend: %s: %s (%s)%s%s\n",
			lv_backend_kind_name(why.kind), why.what, lv_status_name(rc),
			why.hint[0] ? "; to fix: " : "", why.hint);
		return 1;
	}
	lv_backend_caps(b, &caps);
	printf("backend:          %s\n", lv_backend_kind_name(caps.kind));
	printf("max vCPUs per VM: %u\n", caps.max_vcpus);
	printf("max memory slots: %u\n", caps.max_slots);
	printf("guest phys bits:  %u\n", caps.guest_phys_bits);
	printf("page sizes:      ");
	for (i = 12; i < 64; i++)
		if (caps.page_sizes & (1ull << i))
			printf(" %lluK", (1ull << i) >> 10);
	printf("\nfeatures:        ");
	for (i = 0; i < 64; i++)
		if (caps.features & (1ull << i))
			printf(" %s", lv_feature_name(1ull << i));
	printf("\n");

	rc = lv_vm_create(b, NULL, &vm);
	printf("create VM:        %s\n", lv_status_name(rc));
	if (rc == LV_OK) {
		rc = lv_vcpu_create(vm, 0, &vcpu);
		printf("create vCPU 0:    %s\n", lv_status_name(rc));
		if (rc == LV_OK)
			lv_vcpu_destroy(vcpu);
		lv_vm_destroy(vm);
	}
	lv_backend_close(b);
	return 0;
}
