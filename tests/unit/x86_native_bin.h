/* SPDX-License-Identifier: MIT */
/*
 * Native x86-64 instruction wrappers for the unit tests that compare the
 * core's ALU/emulator with the host CPU: PRE/POST load and save RFLAGS
 * around one instruction, NATIVE_BIN(fn, insn, m) defines
 * fn(a, b, &flags) that runs `insn b, a` at operand width m ("b", "w",
 * "k", "q") and returns the new a.
 */
#ifndef LV_TEST_X86_NATIVE_BIN_H
#define LV_TEST_X86_NATIVE_BIN_H

#include <stdint.h>

/* The red zone below RSP is skipped before pushing (SysV ABI). */
#define PRE  "lea -128(%%rsp), %%rsp\n\tpush %[f]\n\tpopfq\n\t"
#define POST "\n\tpushfq\n\tpop %[f]\n\tlea 128(%%rsp), %%rsp"

#define NATIVE_BIN(fn, insn, m)                                                                    \
	static uint64_t fn(uint64_t a, uint64_t b, uint64_t *fl)                                   \
	{                                                                                          \
		uint64_t f = *fl;                                                                  \
		__asm__ volatile(PRE insn " %" m "[b], %" m "[a]" POST                             \
				 : [a] "+r"(a), [f] "+r"(f)                                        \
				 : [b] "r"(b)                                                      \
				 : "cc", "memory");                                                \
		*fl = f;                                                                           \
		return a;                                                                          \
	}

#endif /* LV_TEST_X86_NATIVE_BIN_H */
