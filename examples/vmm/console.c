/* SPDX-License-Identifier: MIT */
/*
 * The guest console's input: a thread reads the VMM's standard input and
 * hands each byte to the UART (vmm_uart_input(), which raises its interrupt
 * line), waiting while the guest has not drained the receive FIFO. On a
 * terminal, input is raw (no line editing or echo: the guest echoes) except
 * that Ctrl-C still interrupts vcpu-run; console_stop() and an exit handler
 * restore the terminal as it was. -b svm|vmx has no thread here: ring0.c
 * puts the terminal in the same mode (console_raw()) and relays stdin to
 * the ring-0 test kernel.
 */
#define _GNU_SOURCE
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "run.h"

static struct termios saved;
static int saved_valid;
static pthread_t reader;
static int reader_running, stopping;

static void restore_terminal(void)
{
	if (saved_valid)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
	saved_valid = 0;
}

/* Until EOF or console_stop(): poll() wakes every 100 ms to look at the flag. */
static void *read_input(void *arg)
{
	struct vmm *v = arg;
	const struct timespec wait = { 0, 1000000 }; /* 1 ms */
	struct pollfd pfd = { STDIN_FILENO, POLLIN, 0 };
	unsigned char buf[256];
	ssize_t n, i;

	while (!__atomic_load_n(&stopping, __ATOMIC_ACQUIRE)) {
		if (poll(&pfd, 1, 100) <= 0)
			continue;
		n = read(STDIN_FILENO, buf, sizeof(buf));
		if (n <= 0)
			break;
		for (i = 0; i < n; i++)
			while (!vmm_uart_input(v, buf[i])) { /* the FIFO is full */
				if (__atomic_load_n(&stopping, __ATOMIC_ACQUIRE))
					return NULL;
				nanosleep(&wait, NULL);
			}
	}
	return NULL;
}

void console_raw(void)
{
	struct termios raw;

	if (saved_valid || !isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved))
		return;
	saved_valid = 1;
	atexit(restore_terminal);
	raw = saved;
	cfmakeraw(&raw);
	raw.c_lflag |= ISIG;	      /* Ctrl-C stops vcpu-run */
	raw.c_oflag |= OPOST | ONLCR; /* stdout may be this terminal too */
	tcsetattr(STDIN_FILENO, TCSANOW, &raw);
}

void console_restore(void)
{
	restore_terminal();
}

void console_start(struct vmm *v)
{
	console_raw();
	stopping = 0;
	reader_running = pthread_create(&reader, NULL, read_input, v) == 0;
}

void console_stop(void)
{
	if (reader_running) {
		__atomic_store_n(&stopping, 1, __ATOMIC_RELEASE);
		pthread_join(reader, NULL);
		reader_running = 0;
	}
	console_restore();
}
