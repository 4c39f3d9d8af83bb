// SPDX-License-Identifier: MIT
/*
 * fpu_check: a user process that checks its own vector registers while
 * lv_linux.ko runs guests on the same CPUs. Each round loads XMM0-15 (YMM0-15
 * where the CPU and the kernel's XCR0 have AVX) with a pattern that differs
 * per round and per process, spins in registers only, stores them and
 * compares. Any interrupt, preemption or migration in between must give
 * the registers back as they were: a kernel module that ran a guest with
 * the FPU not owned, or left the guest's XCR0 or registers behind, shows
 * here.
 *
 * It runs at nice 19 (or NICE), so that the guests get most of the CPU
 * time and it is preempted often.
 *
 * Usage: fpu_check TAG [NICE]   runs until SIGTERM/SIGINT, then prints
 *   FPUCHECK TAG avx=0|1 rounds=N bad=N nivcsw=N cpus_seen=N
 * and exits 1 if a round saw a changed register (or none ran).
 */
#define _GNU_SOURCE /* sched_getcpu */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sched.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int have_avx(void)
{
	uint32_t a, b, c, d, lo, hi;

	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
	if (!(c & (1u << 27)) || !(c & (1u << 28))) /* OSXSAVE, AVX */
		return 0;
	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return (lo & 6) == 6;
}

static uint8_t pat[512] __attribute__((aligned(32)));
static uint8_t got[512] __attribute__((aligned(32)));

/* Load, spin @p n loops touching only RCX, store: one asm block, no C code in between. */
#define LOADSTORE(ins, w)                                                                          \
	__asm__ volatile(                                                                          \
		ins " 0(%1), %%" w "0\n\t" ins " 32(%1), %%" w "1\n\t" ins " 64(%1), %%" w         \
		    "2\n\t" ins " 96(%1), %%" w "3\n\t" ins " 128(%1), %%" w "4\n\t" ins           \
		    " 160(%1), %%" w "5\n\t" ins " 192(%1), %%" w "6\n\t" ins " 224(%1), %%" w     \
		    "7\n\t" ins " 256(%1), %%" w "8\n\t" ins " 288(%1), %%" w "9\n\t" ins          \
		    " 320(%1), %%" w "10\n\t" ins " 352(%1), %%" w "11\n\t" ins " 384(%1), %%" w   \
		    "12\n\t" ins " 416(%1), %%" w "13\n\t" ins " 448(%1), %%" w "14\n\t" ins       \
		    " 480(%1), %%" w "15\n\t"                                                      \
		    "1: dec %%rcx\n\t"                                                             \
		    "jnz 1b\n\t" ins " %%" w "0, 0(%2)\n\t" ins " %%" w "1, 32(%2)\n\t" ins        \
		    " %%" w "2, 64(%2)\n\t" ins " %%" w "3, 96(%2)\n\t" ins " %%" w                \
		    "4, 128(%2)\n\t" ins " %%" w "5, 160(%2)\n\t" ins " %%" w "6, 192(%2)\n\t" ins \
		    " %%" w "7, 224(%2)\n\t" ins " %%" w "8, 256(%2)\n\t" ins " %%" w              \
		    "9, 288(%2)\n\t" ins " %%" w "10, 320(%2)\n\t" ins " %%" w                     \
		    "11, 352(%2)\n\t" ins " %%" w "12, 384(%2)\n\t" ins " %%" w                    \
		    "13, 416(%2)\n\t" ins " %%" w "14, 448(%2)\n\t" ins " %%" w "15, 480(%2)\n\t"  \
		: "+c"(n)                                                                          \
		: "r"(pat), "r"(got)                                                               \
		: "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7",        \
		  "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15")

int main(int argc, char **argv)
{
	const char *tag = argc > 1 ? argv[1] : "-";
	int avx = have_avx();
	unsigned w = avx ? 32 : 16, i, cpus = 0;
	unsigned long rounds = 0, bad = 0, seen = 0;
	struct rusage ru;
	uint32_t seed = (uint32_t)tag[0] * 2654435761u;

	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	setpriority(PRIO_PROCESS, 0, argc > 2 ? atoi(argv[2]) : 19);
	while (!stop) {
		unsigned long n = 200000;
		int cpu = sched_getcpu();

		if (cpu >= 0 && cpu < 64 && !(seen & (1ul << cpu))) {
			seen |= 1ul << cpu;
			cpus++;
		}
		for (i = 0; i < 512; i++) {
			seed = seed * 1103515245u + 12345u;
			pat[i] = (uint8_t)(seed >> 16);
		}
		memset(got, 0, sizeof(got));
		if (avx)
			LOADSTORE("vmovdqu", "ymm");
		else
			LOADSTORE("movdqu", "xmm");
		for (i = 0; i < 512; i++)
			if ((i & 31) < w && got[i] != pat[i]) {
				bad++;
				break;
			}
		rounds++;
	}
	getrusage(RUSAGE_SELF, &ru);
	printf("FPUCHECK %s avx=%d rounds=%lu bad=%lu nivcsw=%ld cpus_seen=%u\n", tag, avx, rounds,
	       bad, ru.ru_nivcsw, cpus);
	return bad || !rounds;
}
