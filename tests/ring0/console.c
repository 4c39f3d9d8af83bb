/* SPDX-License-Identifier: MIT */
/*
 * Console and exit of the test kernel. Output goes to port 0xE9 (QEMU
 * -debugcon, Bochs port_e9_hack). Exit: QEMU isa-debug-exit at port 0xf4
 * (status (v << 1) | 1), then the Bochs shutdown port 0x8900.
 */
#include "kernel.h"

static void kputc(char c)
{
	outb(0xe9, (uint8_t)c);
}

void kputs(const char *s)
{
	while (*s)
		kputc(*s++);
}

struct sink {
	char *buf;
	size_t n, len;
};

static void put(struct sink *s, char c)
{
	if (s->len + 1 < s->n)
		s->buf[s->len] = c;
	s->len++;
}

static void put_num(struct sink *s, uint64_t v, unsigned base, int neg, int width, int zero,
		    int alt)
{
	char tmp[24];
	int i = 0;

	do {
		unsigned d = (unsigned)(v % base);

		tmp[i++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
		v /= base;
	} while (v);
	if (alt && base == 16) {
		put(s, '0');
		put(s, 'x');
		width -= 2; /* the width counts the prefix, as in C's printf */
	}
	if (neg)
		put(s, '-');
	for (; width > i + neg; width--)
		put(s, zero ? '0' : ' ');
	while (i)
		put(s, tmp[--i]);
}

int kvsnprintf(char *buf, size_t n, const char *fmt, va_list ap)
{
	struct sink s = { buf, n, 0 };

	for (; *fmt; fmt++) {
		int width = 0, zero = 0, alt = 0, lng = 0, left = 0;

		if (*fmt != '%') {
			put(&s, *fmt);
			continue;
		}
		fmt++;
		if (*fmt == '#') {
			alt = 1;
			fmt++;
		}
		if (*fmt == '-') {
			left = 1;
			fmt++;
		}
		if (*fmt == '0') {
			zero = 1;
			fmt++;
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		while (*fmt == 'l') {
			lng = 1;
			fmt++;
		}
		switch (*fmt) {
		case 'd': {
			int64_t v = lng ? va_arg(ap, long) : va_arg(ap, int);

			put_num(&s, v < 0 ? (uint64_t)-v : (uint64_t)v, 10, v < 0, width, zero, 0);
			break;
		}
		case 'u':
			put_num(&s, lng ? va_arg(ap, unsigned long) : va_arg(ap, unsigned), 10, 0,
				width, zero, 0);
			break;
		case 'x':
			put_num(&s, lng ? va_arg(ap, unsigned long) : va_arg(ap, unsigned), 16, 0,
				width, zero, alt);
			break;
		case 'p':
			put_num(&s, (uintptr_t)va_arg(ap, void *), 16, 0, width, zero, 1);
			break;
		case 's': {
			const char *p = va_arg(ap, const char *);
			int len = 0;

			if (!p)
				p = "(null)";
			while (p[len])
				len++;
			for (; !left && width > len; width--)
				put(&s, ' ');
			while (*p)
				put(&s, *p++);
			for (; left && width > len; width--)
				put(&s, ' ');
			break;
		}
		case 'c':
			put(&s, (char)va_arg(ap, int));
			break;
		case '%':
			put(&s, '%');
			break;
		default:
			put(&s, '?');
			break;
		}
	}
	if (n)
		buf[s.len < n ? s.len : n - 1] = 0;
	return (int)s.len;
}

int ksnprintf(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = kvsnprintf(buf, n, fmt, ap);
	va_end(ap);
	return r;
}

void kprintf(const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	kvsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	kputs(buf);
}

void kexit(int code)
{
	const char *p;

	__asm__ volatile("outl %0, %1" : : "a"((uint32_t)code), "Nd"((uint16_t)0xf4));
	for (p = "Shutdown"; *p; p++)
		outb(0x8900, (uint8_t)*p);
	for (;;)
		__asm__ volatile("cli; hlt");
}
