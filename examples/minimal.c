/* SPDX-License-Identifier: MIT */
/*
 * minimal: the smallest complete libvcpu program. It creates a VM, maps
 * 64 KiB of memory at guest-physical 0, copies in a few bytes of real-mode
 * code that print a string through port 0x3f8, runs the vCPU, answers its
 * IO exits and stops at HLT. Build: see examples/CMakeLists.txt.
 */
#include <libvcpu/libvcpu.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MEM_SIZE  0x10000u /* guest RAM: 64 KiB at guest-physical 0 */
#define CODE_ADDR 0x1000u  /* where the code goes; CS = 0, IP = 0x1000 */

/* 16-bit real-mode code: print the string after it to port 0x3f8, then HLT. */
static const unsigned char code[] = {
	0xba, 0xf8, 0x03, /* mov dx, 0x3f8 */
	0xbe, 0x0f, 0x10, /* mov si, 0x100f (the string) */
	0xac,		  /* again: lodsb */
	0x84, 0xc0,	  /* test al, al */
	0x74, 0x03,	  /* jz done */
	0xee,		  /* out dx, al */
	0xeb, 0xf8,	  /* jmp again */
	0xf4,		  /* done: hlt */
	'H',  'e',  'l',  'l', 'o', ' ', 'f', 'r', 'o', 'm',  ' ', 'r',
	'e',  'a',  'l',  ' ', 'm', 'o', 'd', 'e', '!', '\n', 0,
};

static int check(int rc, const char *what)
{
	if (rc != LV_OK)
		fprintf(stderr, "minimal: %s: %s (%s)\n", what, lv_status_name(rc),
			lv_strerror(rc));
	return rc != LV_OK;
}

int main(void)
{
	struct lv_backend *b = NULL;
	struct lv_vm *vm = NULL;
	struct lv_vcpu *vcpu = NULL;
	struct lv_state st;
	struct lv_exit *ex;
	unsigned char *mem;
	int status = 1;
	uint32_t i;

	/* 1. Open the default backend (KVM on Linux) and create a VM. */
	if (check(lv_backend_open(LV_BACKEND_ANY, &b), "open backend"))
		return 1;
	if (check(lv_vm_create(b, NULL, &vm), "create VM"))
		goto out;

	/* 2. Give it memory: page-aligned host memory mapped at guest-physical 0. */
	mem = aligned_alloc(LV_PAGE_SIZE, MEM_SIZE);
	if (!mem)
		goto out;
	memset(mem, 0, MEM_SIZE);
	memcpy(mem + CODE_ADDR, code, sizeof(code));
	if (check(lv_vm_map(vm, mem, 0, MEM_SIZE, LV_PROT_ALL), "map memory"))
		goto out_mem;

	/* 3. A vCPU starts in the RESET state (real mode); point CS:IP at the code. */
	if (check(lv_vcpu_create(vm, 0, &vcpu), "create vCPU"))
		goto out_mem;
	if (check(lv_vcpu_get_state(vcpu, LV_STATE_GPRS | LV_STATE_SEGMENTS, &st), "get state"))
		goto out_mem;
	st.segs.cs.selector = 0;
	st.segs.cs.base = 0;
	st.regs.rip = CODE_ADDR;
	if (check(lv_vcpu_set_state(vcpu, LV_STATE_GPRS | LV_STATE_SEGMENTS, &st), "set state"))
		goto out_mem;

	/* 4. Run it and handle the exits until it halts. */
	for (;;) {
		if (check(lv_vcpu_run(vcpu, &ex), "run"))
			break;
		if (ex->reason == LV_EXIT_IO && ex->io.port == 0x3f8 && ex->io.is_write) {
			for (i = 0; i < ex->io.count; i++)
				putchar(ex->io.data[i * ex->io.size]);
		} else if (ex->reason == LV_EXIT_IO && !ex->io.is_write) {
			memset(ex->io.data, 0xff, (size_t)ex->io.size * ex->io.count);
		} else if (ex->reason == LV_EXIT_HLT) {
			printf("guest halted\n");
			status = 0;
			break;
		} else {
			fprintf(stderr, "minimal: unexpected exit %s\n",
				lv_exit_reason_name(ex->reason));
			break;
		}
	}

	/* 5. Tear down in reverse order; the host memory is ours to free. */
out_mem:
	if (vcpu)
		lv_vcpu_destroy(vcpu);
	lv_vm_destroy(vm);
	vm = NULL;
	free(mem);
out:
	if (vm)
		lv_vm_destroy(vm);
	lv_backend_close(b);
	return status;
}
