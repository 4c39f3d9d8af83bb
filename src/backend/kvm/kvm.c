/* SPDX-License-Identifier: MIT */
/*
 * KVM backend (hosted): /dev/kvm ioctls. Foundation version: probe, caps
 * and VM lifetime; the rest of the ops land with the KVM backend issue.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "../../core/internal.h"

struct kvm_backend {
	int kvm_fd;
};

struct kvm_vm {
	int vm_fd;
};

static int errno_to_status(int e)
{
	switch (e) {
	case ENOENT:
	case ENODEV:
	case ENXIO:
		return LV_ERR_NODEV;
	case EACCES:
	case EPERM:
		return LV_ERR_PERM;
	case ENOMEM:
		return LV_ERR_NOMEM;
	case EINVAL:
		return LV_ERR_INVAL;
	case EEXIST:
		return LV_ERR_EXIST;
	case EBUSY:
		return LV_ERR_BUSY;
	case EINTR:
		return LV_ERR_INTR;
	default:
		return LV_ERR_HW;
	}
}

static int kvm_open(struct lv_backend *b)
{
	struct kvm_backend *kb;
	int fd, v;

	fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return errno_to_status(errno);
	if (ioctl(fd, KVM_GET_API_VERSION, 0) != KVM_API_VERSION) {
		close(fd);
		return LV_ERR_NODEV;
	}
	kb = calloc(1, sizeof(*kb));
	if (!kb) {
		close(fd);
		return LV_ERR_NOMEM;
	}
	kb->kvm_fd = fd;
	b->priv = kb;
	b->caps.kind = LV_BACKEND_KVM;
	v = ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS);
	b->caps.max_vcpus = v > 0 ? (uint32_t)v : 1;
	v = ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_NR_MEMSLOTS);
	b->caps.max_slots = v > 0 ? (uint32_t)v : 32;
	b->caps.guest_phys_bits = 36;
	b->caps.page_sizes = (1ull << 12) | (1ull << 21) | (1ull << 30);
	b->caps.features = LV_FEAT_UNRESTRICTED_GUEST | LV_FEAT_NESTED_PAGING;
	b->caps.raw[0] = KVM_API_VERSION;
	return LV_OK;
}

static void kvm_close(struct lv_backend *b)
{
	struct kvm_backend *kb = b->priv;

	close(kb->kvm_fd);
	free(kb);
	b->priv = NULL;
}

static int kvm_vm_create(struct lv_vm *vm)
{
	struct kvm_backend *kb = vm->backend->priv;
	struct kvm_vm *kv = calloc(1, sizeof(*kv));

	if (!kv)
		return LV_ERR_NOMEM;
	kv->vm_fd = ioctl(kb->kvm_fd, KVM_CREATE_VM, 0);
	if (kv->vm_fd < 0) {
		int rc = errno_to_status(errno);

		free(kv);
		return rc == LV_ERR_NODEV ? LV_ERR_HW : rc;
	}
	vm->priv = kv;
	return LV_OK;
}

static void kvm_vm_destroy(struct lv_vm *vm)
{
	struct kvm_vm *kv = vm->priv;

	close(kv->vm_fd);
	free(kv);
}

const struct lv_backend_ops lv_kvm_ops = {
	.name = "kvm",
	.kind = LV_BACKEND_KVM,
	.open = kvm_open,
	.close = kvm_close,
	.vm_create = kvm_vm_create,
	.vm_destroy = kvm_vm_destroy,
};
