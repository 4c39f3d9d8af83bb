// SPDX-License-Identifier: MIT
/*
 * kvm_vm: KVM_CREATE_VM on /dev/kvm, for the coexistence tests of
 * lv_linux.ko (kvm_amd enables SVM on every CPU when its first VM is
 * created and refuses with EBUSY when EFER.SVME is already set).
 *
 *   kvm_vm try    create a VM and close it: prints "KVM_CREATE_VM ok" or
 *                 "KVM_CREATE_VM failed: <errno name>"; exit 0 / 1
 *   kvm_vm hold   create a VM, print "KVM_CREATE_VM ok (holding)", keep it
 *                 until SIGTERM/SIGINT; exit 1 if it could not be created
 */
#define _GNU_SOURCE /* O_CLOEXEC, pause() */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static void on_signal(int sig)
{
	(void)sig;
}

int main(int argc, char **argv)
{
	int hold = argc > 1 && !strcmp(argv[1], "hold");
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC), vm;

	if (kvm < 0) {
		printf("open /dev/kvm failed: %s\n", strerror(errno));
		return 2;
	}
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0) {
		printf("KVM_CREATE_VM failed: %s\n", errno == EBUSY ? "EBUSY" : strerror(errno));
		return 1;
	}
	printf("KVM_CREATE_VM ok%s\n", hold ? " (holding)" : "");
	fflush(stdout);
	if (hold) {
		signal(SIGTERM, on_signal);
		signal(SIGINT, on_signal);
		pause();
	}
	close(vm);
	close(kvm);
	return 0;
}
