/* SPDX-License-Identifier: MIT */
/*
 * vcpu-run -b svm | -b vmx: the ring-0 backends run inside the ring-0 test
 * kernel (tests/ring0, "vmm" mode: vmm.c there) under an emulator with
 * SVM or VMX: QEMU TCG (-b svm) or Bochs (-b vmx, -b svm --emulator bochs).
 * The guest is loaded here as for KVM; ring0_run() writes the prepared-guest
 * image (image.h), starts the emulator with the kernel and the image as its
 * boot module, and turns the kernel's channels back into vcpu-run's:
 * the emulator's COM1 (the guest's UART bytes) to stdout, the control
 * lines of port 0xE9 to stderr (messages, --trace), the --stats table and
 * the exit status; and the other way, vcpu-run's stdin to the emulator's
 * COM2, a pseudo-terminal here, which the kernel hands to the guest's UART
 * (the console's input, as console.c does on KVM). --timeout and Ctrl-C
 * stop the emulator.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <libvcpu/libvcpu.h>

#include "image.h"
#include "run.h"
#include "vmm.h"

#ifndef LV_RING0_KERNEL_PATH
#define LV_RING0_KERNEL_PATH "lv_ring0_kernel.elf"
#endif

static volatile sig_atomic_t stop_signal;

static void on_stop(int sig)
{
	stop_signal = sig;
}

/* ---- the image -------------------------------------------------------- */

/* Pages never touched since the mmap() are zero; mincore() finds them without a fault. */
static unsigned char *resident;

static int page_is_zero(const struct guest_mem *m, uint64_t at)
{
	const uint64_t *q = (const uint64_t *)(m->ram + at);
	unsigned i;

	if (resident && !(resident[at >> 12] & 1))
		return 1;
	for (i = 0; i < 4096 / 8; i++)
		if (q[i])
			return 0;
	return 1;
}

static int put(FILE *f, const void *p, size_t n)
{
	static const uint8_t zeros[8];

	if (n && fwrite(p, 1, n, f) != n)
		return -1;
	return (n & 7) && fwrite(zeros, 1, 8 - (n & 7), f) != 8 - (n & 7) ? -1 : 0;
}

/* The non-zero pages of RAM in [lo, hi) as ranges: counted (@p f NULL) or written. */
static uint32_t put_ranges(FILE *f, const struct guest_mem *m, uint64_t lo, uint64_t hi,
			   uint64_t *bytes, int *err)
{
	uint64_t at = lo, start;
	uint32_t n = 0;

	while (at < hi) {
		if (page_is_zero(m, at)) {
			at += 4096;
			continue;
		}
		for (start = at; at < hi && !page_is_zero(m, at); at += 4096)
			;
		n++;
		*bytes += sizeof(struct vmm_image_range) + (at - start);
		if (f) {
			struct vmm_image_range r = { start, at - start };

			if (put(f, &r, sizeof(r)) || put(f, m->ram + start, at - start))
				*err = 1;
		}
	}
	return n;
}

static int write_image(const char *path, const struct ring0_request *rq, const struct guest_mem *m,
		       const struct boot_entry *e)
{
	struct vmm_image_header h;
	struct lv_state st;
	uint64_t bytes = 0;
	int err = 0;
	FILE *f;

	memset(&h, 0, sizeof(h));
	memcpy(h.magic, VMM_IMAGE_MAGIC, sizeof(h.magic));
	h.version = VMM_IMAGE_VERSION;
	h.header_size = sizeof(h);
	h.ram_size = m->size;
	h.ncpus = rq->ncpus;
	h.flags = rq->flags;
	memset(&st, 0, sizeof(st));
	entry_state(&st, e);
	h.regs = st.regs;
	h.segs = st.segs;
	h.cr0 = st.ctrl.cr0;
	h.cr3 = st.ctrl.cr3;
	h.cr4 = st.ctrl.cr4;
	h.efer = st.ctrl.efer;
	resident = malloc(m->size >> 12);
	if (resident && mincore(m->ram, m->size, resident)) {
		free(resident);
		resident = NULL;
	}
	h.nranges = put_ranges(NULL, m, 0, LEGACY_HOLE_START, &bytes, &err) +
		    put_ranges(NULL, m, vmm_image_hole_end(h.flags), m->size, &bytes, &err);
	h.image_size = sizeof(h) + bytes;
	if (!(f = fopen(path, "wb"))) {
		vmm_error("%s: %s", path, strerror(errno));
		return -1;
	}
	bytes = 0;
	err = put(f, &h, sizeof(h));
	put_ranges(f, m, 0, LEGACY_HOLE_START, &bytes, &err);
	put_ranges(f, m, vmm_image_hole_end(h.flags), m->size, &bytes, &err);
	free(resident);
	resident = NULL;
	if (fclose(f) || err) {
		vmm_error("%s: cannot write the guest image", path);
		return -1;
	}
	return 0;
}

/* ---- the emulator ----------------------------------------------------- */

/* True if @p name is an executable in PATH. */
static int in_path(const char *name)
{
	const char *path = getenv("PATH"), *p;
	char buf[4096];

	for (p = path ? path : "/usr/bin:/bin"; *p; p += *p == ':') {
		size_t n = strcspn(p, ":");

		if (snprintf(buf, sizeof(buf), "%.*s/%s", (int)n, n ? p : ".", name) <
			    (int)sizeof(buf) &&
		    access(buf, X_OK) == 0)
			return 1;
		p += n;
	}
	return 0;
}

static int run_cmd(char *const argv[], const char *log)
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);

		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execvp(argv[0], argv);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &st, 0) < 0)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* A path under the run's temporary directory. */
static const char *at(const char *dir, const char *name)
{
	static char buf[4][4200];
	static unsigned i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", dir, name);
	return buf[i];
}

static int copy_file(const char *from, const char *to)
{
	struct file_buf fb;
	FILE *f;
	int rc = -1;

	if (read_file(from, &fb))
		return -1;
	if ((f = fopen(to, "wb"))) {
		rc = fwrite(fb.data, 1, fb.size, f) == fb.size ? 0 : -1;
		rc |= fclose(f);
	}
	free(fb.data);
	return rc;
}

/* Bochs boots the kernel from a GRUB ISO (grub-mkrescue) with the image as its module. */
static int make_iso(const char *dir, const char *kernel, const char *cmdline)
{
	char *argv[] = { "grub-mkrescue",
			 "-o",
			 NULL,
			 "--install-modules=multiboot2 normal",
			 "--locales=",
			 "--fonts=",
			 "--themes=",
			 NULL,
			 NULL };
	FILE *f;

	if (mkdir(at(dir, "iso"), 0700) || mkdir(at(dir, "iso/boot"), 0700) ||
	    mkdir(at(dir, "iso/boot/grub"), 0700) ||
	    !(f = fopen(at(dir, "iso/boot/grub/grub.cfg"), "w")))
		return -1;
	fprintf(f,
		"set timeout=0\nset default=0\nmenuentry vcpu-run {\n\tmultiboot2 "
		"/boot/kernel.elf %s\n\tmodule2 /boot/guest.img\n}\n",
		cmdline);
	if (fclose(f) || copy_file(kernel, at(dir, "iso/boot/kernel.elf")) ||
	    rename(at(dir, "guest.img"), at(dir, "iso/boot/guest.img")))
		return -1;
	argv[2] = (char *)at(dir, "guest.iso");
	argv[7] = (char *)at(dir, "iso");
	return run_cmd(argv, at(dir, "emulator.log")) == 0 ? 0 : -1;
}

__attribute__((format(printf, 2, 3))) static int write_text(const char *path, const char *fmt, ...)
{
	va_list ap;
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	return fclose(f);
}

/* ---- the two channels ------------------------------------------------- */

struct relay {
	int status;	 /* from "LVT VMM STATUS", -1 until then */
	int input_ready; /* "LVT VMM INPUT": the kernel reads COM2 */
	struct run_stats st;
	char line[1024];
	size_t len;
};

/* One control line: a message for stderr, a statistics record or the status. */
static void control_line(struct relay *r, const char *l)
{
	const char *p = strstr(l, "LVT VMM ");
	unsigned long long a[10];
	unsigned i;

	if (!p)
		return; /* the kernel's boot lines, an emulator's banner */
	p += 8;
	if (!strncmp(p, "MSG ", 4)) {
		fprintf(stderr, "%s\n", p + 4);
	} else if (!strncmp(p, "STATUS ", 7)) {
		r->status = atoi(p + 7);
	} else if (!strcmp(p, "INPUT")) {
		r->input_ready = 1;
	} else if (sscanf(p, "STAT exit %llu %llu %llu %llu", &a[0], &a[1], &a[2], &a[3]) == 4) {
		if (a[0] < LV_EXIT_REASON_COUNT) {
			r->st.count[a[0]] = a[1];
			r->st.run_ns[a[0]] = a[2];
			r->st.handle_ns[a[0]] = a[3];
		}
	} else if (sscanf(p, "STAT dev %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu", &a[0],
			  &a[1], &a[2], &a[3], &a[4], &a[5], &a[6], &a[7], &a[8], &a[9]) == 10) {
		r->st.uart_accesses = a[0];
		r->st.debug_exit_writes = a[1];
		r->st.fw_cfg_accesses = a[2];
		r->st.testdev_accesses = a[3];
		r->st.other_port_accesses = a[4];
		r->st.ioapic_accesses = a[5];
		r->st.unassigned_mmio_accesses = a[6];
		r->st.i8042_accesses = a[7];
		r->st.rtc_accesses = a[8];
		r->st.pci_accesses = a[9];
	} else if (sscanf(p, "STAT port %llu %llu", &a[0], &a[1]) == 2 ||
		   sscanf(p, "STAT mmio %llu %llu", &a[0], &a[1]) == 2) {
		struct unemulated *tab = p[5] == 'p' ? r->st.ports : r->st.mmio_pages;

		for (i = 0; i < UNEMULATED_SLOTS && tab[i].count; i++)
			;
		if (i < UNEMULATED_SLOTS)
			tab[i] = (struct unemulated){ a[0], a[1] };
	} else if (sscanf(p, "STAT total %llu", &a[0]) == 1) {
		r->st.total_ns = a[0];
	}
}

static void control_bytes(struct relay *r, const char *buf, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (buf[i] != '\n' && r->len + 1 < sizeof(r->line)) {
			if (buf[i] != '\r')
				r->line[r->len++] = buf[i];
			continue;
		}
		r->line[r->len] = 0;
		control_line(r, r->line);
		r->len = 0;
	}
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The console input's channel: a pseudo-terminal, raw, whose slave @p name becomes COM2. */
static int input_pty(char *name, size_t n, int *slave)
{
	struct termios t;
	int m = posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK);

	*slave = -1;
	if (m < 0 || grantpt(m) || unlockpt(m) || ptsname_r(m, name, n) ||
	    (*slave = open(name, O_RDWR | O_NOCTTY)) < 0) {
		vmm_error("cannot open a pseudo-terminal for the console input: %s",
			  strerror(errno));
		if (m >= 0)
			close(m);
		return -1;
	}
	if (tcgetattr(*slave, &t) == 0) {
		cfmakeraw(&t);
		tcsetattr(*slave, TCSANOW, &t);
	}
	return m;
}

/* stdin to the pseudo-terminal: what is read and not yet written. */
struct input {
	int fd; /* the pseudo-terminal's master */
	char buf[4096];
	size_t len, off;
};

/*
 * Until both channels end: serial bytes to stdout, control lines parsed,
 * stdin (until its end) to @p in, once the kernel reads COM2 (before, the
 * emulator may still set the terminal up, which flushes what waits
 * there: Bochs does, TCSAFLUSH), and no faster than the kernel takes it.
 * Returns 0, or the status of a timeout or a signal after killing @p pid.
 */
static int relay(pid_t pid, int ser, int ctl, struct input *in, struct relay *r, double timeout_s)
{
	double deadline = timeout_s > 0 ? now_s() + timeout_s : 0;
	struct pollfd pfd[4] = { { ser, POLLIN, 0 },
				 { ctl, POLLIN, 0 },
				 { STDIN_FILENO, POLLIN, 0 },
				 { in->fd, 0, 0 } };
	char buf[4096];
	int open_fds = 2, killed = 0, stdin_open = 1;
	ssize_t n;
	unsigned i;

	while (open_fds) {
		int wait_ms = -1;

		if (!killed && (stop_signal || (deadline && now_s() >= deadline))) {
			kill(pid, SIGKILL); /* Bochs ignores SIGTERM */
			killed = stop_signal ? STATUS_INTERRUPT : STATUS_TIMEOUT;
		}
		if (deadline && !killed)
			wait_ms = (int)((deadline - now_s()) * 1000) + 1;
		/*
		 * stdin only when the last of it is written (a negative fd: poll()
		 * reports nothing, not even its end); drain what comes back.
		 */
		pfd[2].fd = stdin_open && r->input_ready && in->off >= in->len ? STDIN_FILENO : -1;
		pfd[3].events = POLLIN | (in->off < in->len ? POLLOUT : 0);
		if (poll(pfd, 4, wait_ms) < 0 && errno != EINTR)
			break;
		for (i = 0; i < 2; i++) {
			if (pfd[i].fd < 0 || !(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			n = read(pfd[i].fd, buf, sizeof(buf));
			if (n <= 0) {
				if (n < 0 && errno == EINTR)
					continue;
				pfd[i].fd = -1;
				open_fds--;
			} else if (i == 0) {
				fwrite(buf, 1, (size_t)n, stdout);
				fflush(stdout);
			} else {
				control_bytes(r, buf, (size_t)n);
			}
		}
		if (pfd[2].fd >= 0 && (pfd[2].revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL))) {
			n = read(STDIN_FILENO, in->buf, sizeof(in->buf));
			if (n > 0) {
				in->len = (size_t)n;
				in->off = 0;
			} else if (n == 0 || errno != EINTR) {
				stdin_open = 0; /* its end: the guest just gets no more */
			}
		}
		/* Nothing writes to COM2; if something does, it is dropped. */
		if (pfd[3].revents & POLLIN)
			(void)!read(in->fd, buf, sizeof(buf));
		else if (pfd[3].revents & (POLLHUP | POLLERR | POLLNVAL))
			pfd[3].fd = -1;
		if (in->off < in->len && (pfd[3].revents & POLLOUT)) {
			n = write(in->fd, in->buf + in->off, in->len - in->off);
			if (n > 0)
				in->off += (size_t)n;
		}
	}
	return killed;
}

/* ---- the run ---------------------------------------------------------- */

static const char *const tmp_files[] = { "iso/boot/grub/grub.cfg",
					 "iso/boot/kernel.elf",
					 "iso/boot/guest.img",
					 "iso/boot/grub",
					 "iso/boot",
					 "iso",
					 "guest.img",
					 "guest.iso",
					 "bochsrc",
					 "bochs.rc",
					 "bochs.log",
					 "emulator.log" };

static void remove_tmp(const char *dir)
{
	size_t i;

	for (i = 0; i < sizeof(tmp_files) / sizeof(tmp_files[0]); i++)
		if (unlink(at(dir, tmp_files[i])) && errno == EISDIR)
			rmdir(at(dir, tmp_files[i]));
	for (i = 0; i < sizeof(tmp_files) / sizeof(tmp_files[0]); i++)
		rmdir(at(dir, tmp_files[i]));
	rmdir(dir);
}

/* The emulator's command line; Bochs gets its configuration file and an ISO. */
static int emulator_argv(const struct ring0_request *rq, const char *dir, const char *kernel,
			 uint64_t mem_mb, int ser, int ctl, const char *pty, char **argv,
			 char (*s)[256])
{
	char words[32];
	int n = 0;

	/* The kernel's words: "vmm", the backend, "smp" (two CPUs) or "smp3"/"smp4" (smp.c). */
	snprintf(words, sizeof(words), "vmm %s%s%.0u",
		 rq->backend == LV_BACKEND_VMX ? "vmx" : "svm", rq->ncpus > 1 ? " smp" : "",
		 rq->ncpus > 2 ? rq->ncpus : 0);
	if (!strcmp(rq->emulator, "qemu")) {
		snprintf(s[0], sizeof(s[0]), "%llu", (unsigned long long)mem_mb);
		snprintf(s[1], sizeof(s[1]), "file:/dev/fd/%d", ser);
		snprintf(s[2], sizeof(s[2]), "file:/dev/fd/%d", ctl);
		snprintf(s[3], sizeof(s[3]), "%s", at(dir, "guest.img"));
		snprintf(s[4], sizeof(s[4]), "%s", kernel);
		snprintf(s[5], sizeof(s[5]), "%s", words);
		snprintf(s[6], sizeof(s[6]), "%u", rq->ncpus);
		argv[n++] = "qemu-system-x86_64";
		argv[n++] = "-accel";
		argv[n++] = "tcg";
		/*
		 * All that TCG models (SVM and NPT among it): the guest sees what
		 * the backend passes on of it, close to KVM's -cpu host (SMAP,
		 * UMIP, RDTSCP, XSAVE; qemu64 lacks them).
		 */
		argv[n++] = "-cpu";
		argv[n++] = "max";
		argv[n++] = "-m";
		argv[n++] = s[0];
		argv[n++] = "-smp"; /* vCPU i on CPU i (the kernel starts the APs: "smp") */
		argv[n++] = s[6];
		argv[n++] = "-nodefaults";
		argv[n++] = "-display";
		argv[n++] = "none";
		argv[n++] = "-monitor";
		argv[n++] = "none";
		argv[n++] = "-no-reboot";
		argv[n++] = "-serial";
		argv[n++] = s[1];
		argv[n++] = "-serial"; /* COM2: the console's input */
		argv[n++] = (char *)pty;
		argv[n++] = "-debugcon";
		argv[n++] = s[2];
		argv[n++] = "-device";
		argv[n++] = "isa-debug-exit,iobase=0xf4,iosize=4";
		argv[n++] = "-kernel";
		argv[n++] = s[4];
		argv[n++] = "-initrd";
		argv[n++] = s[3];
		argv[n++] = "-append";
		argv[n++] = s[5];
		argv[n] = NULL;
		return 0;
	}
	(void)ctl;
	if (make_iso(dir, kernel, words) ||
	    write_text(at(dir, "bochs.rc"), "c\nc\nc\nc\nc\nc\nc\nc\n") ||
	    write_text(at(dir, "bochsrc"),
		       "cpu: model=%s, count=%u, ignore_bad_msrs=0, reset_on_triple_fault=0\n"
		       "megs: %llu\n"
		       "romimage: file=/usr/share/bochs/BIOS-bochs-latest\n"
		       "vgaromimage: file=/usr/share/bochs/VGABIOS-lgpl-latest\n"
		       "ata0-master: type=cdrom, path=%s, status=inserted\n"
		       "boot: cdrom\n"
		       "port_e9_hack: enabled=1\n"
		       "com1: enabled=1, mode=file, dev=/dev/fd/%d\n"
		       "com2: enabled=1, mode=term, dev=%s\n"
		       "display_library: term\n"
		       "log: %s\n"
		       "sound: waveoutdrv=dummy, waveindrv=dummy, midioutdrv=dummy\n"
		       "speaker: enabled=0\n",
		       rq->backend == LV_BACKEND_VMX ? "corei7_skylake_x" : "ryzen", rq->ncpus,
		       (unsigned long long)mem_mb, at(dir, "guest.iso"), ser, pty,
		       at(dir, "bochs.log"))) {
		vmm_error("cannot build the GRUB ISO for Bochs in %s (see emulator.log there)",
			  dir);
		return -1;
	}
	snprintf(s[0], sizeof(s[0]), "%s", at(dir, "bochsrc"));
	snprintf(s[1], sizeof(s[1]), "%s", at(dir, "bochs.rc"));
	argv[n++] = "bochs";
	argv[n++] = "-q";
	argv[n++] = "-f";
	argv[n++] = s[0];
	argv[n++] = "-rc";
	argv[n++] = s[1];
	argv[n] = NULL;
	return 0;
}

int ring0_run(const struct ring0_request *rq, const struct guest_mem *m, const struct boot_entry *e)
{
	const char *kernel = getenv("LV_RING0_KERNEL"), *tmp = getenv("TMPDIR");
	int bochs = !strcmp(rq->emulator, "bochs");
	const char *prog = bochs ? "bochs" : "qemu-system-x86_64";
	char dir[4096], str[8][256], *argv[40], pty[128];
	int ser[2] = { -1, -1 }, ctl[2] = { -1, -1 }, killed, st, status = STATUS_FAILURE;
	int pty_slave = -1;
	static struct input in;
	struct relay r = { .status = -1 };
	struct sigaction sa, old_int, old_term, old_pipe;
	struct stat sb;
	uint64_t mem_mb;
	pid_t pid;

	in.fd = -1;
	in.len = in.off = 0;
	if (!kernel || !*kernel)
		kernel = LV_RING0_KERNEL_PATH;
	if (!in_path(prog) || (bochs && !in_path("grub-mkrescue"))) {
		vmm_error("-b %s%s needs %s, which is not installed (sh scripts/install-deps.sh "
			  "installs it)",
			  rq->backend == LV_BACKEND_VMX ? "vmx" : "svm",
			  bochs && rq->backend == LV_BACKEND_SVM ? " --emulator bochs" : "",
			  !in_path(prog) ? prog : "grub-mkrescue");
		return STATUS_NO_EMULATOR;
	}
	if (stat(kernel, &sb) || !S_ISREG(sb.st_mode)) {
		vmm_error("the ring-0 test kernel %s is missing (build the target lv_ring0_kernel "
			  "or set LV_RING0_KERNEL)",
			  kernel);
		return STATUS_FAILURE;
	}
	snprintf(dir, sizeof(dir), "%s/vcpu-run.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		vmm_error("cannot create a temporary directory in %s: %s",
			  tmp && *tmp ? tmp : "/tmp", strerror(errno));
		return STATUS_FAILURE;
	}
	if (write_image(at(dir, "guest.img"), rq, m, e) || stat(at(dir, "guest.img"), &sb))
		goto out;
	/* The kernel (~40 MiB with its page pool), the image, the guest's RAM. */
	mem_mb = (m->size >> 20) + ((uint64_t)sb.st_size >> 20) + 96;
	if (pipe(ser) || pipe(ctl)) {
		vmm_error("pipe: %s", strerror(errno));
		goto out;
	}
	if ((in.fd = input_pty(pty, sizeof(pty), &pty_slave)) < 0 ||
	    emulator_argv(rq, dir, kernel, mem_mb, ser[1], ctl[1], pty, argv, str))
		goto out;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop; /* no SA_RESTART: poll() returns */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	sa.sa_handler = SIG_IGN; /* a closed stdout: keep draining, clean up */
	sigaction(SIGPIPE, &sa, &old_pipe);
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY), log;

		setpgid(0, 0); /* Ctrl-C reaches vcpu-run, which stops the emulator */
		signal(SIGPIPE, SIG_DFL);
		log = open(at(dir, "emulator.log"), O_WRONLY | O_CREAT | O_APPEND, 0600);
		dup2(null, 0);
		dup2(bochs ? ctl[1] : log, 1); /* Bochs writes port 0xE9 to its stdout */
		dup2(log, 2);
		close(ser[0]);
		close(ctl[0]);
		close(in.fd); /* the emulator opens the pseudo-terminal's slave by its name */
		close(pty_slave);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(ser[1]);
	close(ctl[1]);
	ser[1] = ctl[1] = -1;
	if (pid < 0) {
		vmm_error("fork: %s", strerror(errno));
		goto restore;
	}
	console_raw(); /* a terminal's keys go to the guest one by one, as on KVM */
	killed = relay(pid, ser[0], ctl[0], &in, &r, rq->timeout_s);
	console_restore();
	waitpid(pid, &st, 0);
	fflush(stdout);
	if (killed == STATUS_TIMEOUT) {
		fprintf(stderr, "vcpu-run: timeout after %g s; stopping the guest\n",
			rq->timeout_s);
		status = killed;
	} else if (killed) {
		fprintf(stderr, "vcpu-run: interrupted; stopping the guest\n");
		status = killed;
	} else if (r.status < 0) {
		vmm_error(
			"the ring-0 test kernel under %s ended without an exit status; its output "
			"is in %s",
			prog, dir);
		goto restore_keep;
	} else {
		status = r.status;
		if (rq->flags & VMM_IMAGE_STATS)
			vmm_print_stats(&r.st, !!(rq->flags & VMM_IMAGE_TESTDEV));
	}
restore:
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGPIPE, &old_pipe, NULL);
out:
	remove_tmp(dir);
	goto close_fds;
restore_keep:
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGPIPE, &old_pipe, NULL);
close_fds:
	if (ser[0] >= 0)
		close(ser[0]);
	if (ctl[0] >= 0)
		close(ctl[0]);
	if (ser[1] >= 0)
		close(ser[1]);
	if (ctl[1] >= 0)
		close(ctl[1]);
	if (in.fd >= 0)
		close(in.fd);
	if (pty_slave >= 0)
		close(pty_slave);
	return status;
}
