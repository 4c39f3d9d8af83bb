/* SPDX-License-Identifier: MIT */
/*
 * lv_backend_open_ex() on the KVM backend tells why it cannot open: each
 * test builds the failing host in a private mount namespace (Criterion runs
 * every test in its own process) and checks the status, the cause, the
 * errno and that the text says what to do.
 *
 * Needs root and a working KVM: CTest runs it through scripts/vm-run.sh on
 * the VM path (LV_KVM_VM=1), as root inside the guest, on every host.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libvcpu/libvcpu.h>

/* A private mount namespace in which /dev can be changed freely. */
static void private_mounts(void)
{
	cr_assert_eq(geteuid(), 0, "needs root (run it through scripts/vm-run.sh)");
	cr_assert_eq(unshare(CLONE_NEWNS), 0, "unshare: %s", strerror(errno));
	cr_assert_eq(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), 0, "%s", strerror(errno));
}

/* Put a character device node @p maj:@p min (mode @p mode) over /dev/kvm. */
static void fake_dev_kvm(unsigned maj, unsigned min, mode_t mode)
{
	cr_assert_eq(mount("tmpfs", "/tmp", "tmpfs", 0, NULL), 0, "%s", strerror(errno));
	cr_assert_eq(mknod("/tmp/kvm", S_IFCHR | mode, makedev(maj, min)), 0, "%s",
		     strerror(errno));
	cr_assert_eq(chmod("/tmp/kvm", mode), 0);
	cr_assert_eq(mount("/tmp/kvm", "/dev/kvm", NULL, MS_BIND, NULL), 0, "%s", strerror(errno));
}

static void check(const struct lv_open_info *w, int status, uint32_t cause, const char *what)
{
	cr_log_info("what: %s; hint: %s", w->what, w->hint);
	cr_expect_eq(w->status, status, "status %s", lv_status_name(w->status));
	cr_expect_eq(w->kind, LV_BACKEND_KVM);
	cr_expect_eq(w->cause, cause, "cause %u", w->cause);
	cr_assert_not_null(w->what);
	cr_assert_not_null(w->hint);
	cr_expect(strstr(w->what, what), "'%s' lacks '%s'", w->what, what);
}

Test(kvm_open, opens_and_says_ok)
{
	struct lv_open_info w;
	struct lv_backend *b = NULL;

	cr_assert_eq(lv_backend_open_ex(LV_BACKEND_KVM, &b, &w), LV_OK);
	cr_expect_eq(w.status, LV_OK);
	cr_expect_eq(w.cause, LV_OPEN_OK);
	cr_expect_eq(w.kind, LV_BACKEND_KVM);
	cr_expect_str_eq(w.hint, "");
	cr_assert_eq(lv_backend_close(b), LV_OK);
}

Test(kvm_open, no_dev_kvm)
{
	struct lv_open_info w;
	struct lv_backend *b = (struct lv_backend *)&w;

	private_mounts();
	cr_assert_eq(mount("tmpfs", "/dev", "tmpfs", 0, NULL), 0, "%s", strerror(errno));
	cr_assert_eq(lv_backend_open_ex(LV_BACKEND_KVM, &b, &w), LV_ERR_NODEV);
	cr_expect_null(b);
	check(&w, LV_ERR_NODEV, LV_OPEN_NO_DEVICE, "/dev/kvm does not exist");
	cr_expect_eq(w.os_error, ENOENT);
	/* The guest's CPU has SVM: the hint is to load the module. */
	cr_expect(strstr(w.hint, "modprobe"), "hint: %s", w.hint);
	/* The plain call gives the same status, and ANY the same cause. */
	cr_expect_eq(lv_backend_open(LV_BACKEND_KVM, &b), LV_ERR_NODEV);
	cr_expect_eq(lv_backend_open_ex(LV_BACKEND_ANY, &b, &w), LV_ERR_NODEV);
	cr_expect_eq(w.cause, LV_OPEN_NO_DEVICE);
}

Test(kvm_open, no_driver_behind_the_node)
{
	struct lv_open_info w;
	struct lv_backend *b;

	private_mounts();
	/* misc major 10, a minor no driver registered: open gives ENODEV */
	fake_dev_kvm(10, 251, 0600);
	cr_assert_eq(lv_backend_open_ex(LV_BACKEND_KVM, &b, &w), LV_ERR_NODEV);
	check(&w, LV_ERR_NODEV, LV_OPEN_NO_DEVICE, "no KVM driver");
	cr_expect(w.os_error == ENODEV || w.os_error == ENXIO, "errno %d", w.os_error);
}

Test(kvm_open, not_kvm_behind_the_node)
{
	struct lv_open_info w;
	struct lv_backend *b;

	private_mounts();
	fake_dev_kvm(1, 3, 0666); /* /dev/null: the API-version ioctl fails */
	cr_assert_eq(lv_backend_open_ex(LV_BACKEND_KVM, &b, &w), LV_ERR_NODEV);
	check(&w, LV_ERR_NODEV, LV_OPEN_API_VERSION, "KVM_GET_API_VERSION");
	cr_expect_eq(w.detail, (uint64_t)-1);
	cr_expect_eq(w.os_error, ENOTTY);
}

Test(kvm_open, permission_denied)
{
	int wstatus;
	pid_t pid;

	private_mounts();
	fake_dev_kvm(10, 232, 0600); /* the real KVM, owned by root, mode 0600 */
	pid = fork();
	cr_assert_neq(pid, -1);
	if (pid == 0) {
		struct lv_open_info w;
		struct lv_backend *b;
		int rc;

		if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
			_exit(10);
		rc = lv_backend_open_ex(LV_BACKEND_KVM, &b, &w);
		if (rc != LV_ERR_PERM)
			_exit(11);
		if (w.cause != LV_OPEN_PERMISSION || w.os_error != EACCES)
			_exit(12);
		if (!strstr(w.what, "permission denied") || !strstr(w.hint, "group"))
			_exit(13);
		_exit(0);
	}
	cr_assert_eq(waitpid(pid, &wstatus, 0), pid);
	cr_expect(WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0,
		  "unprivileged child: status %#x (10 setuid, 11 status, 12 cause/errno, 13 text)",
		  wstatus);
}
