#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write the seed corpora under tests/fuzz/corpus/ (run from any directory)."""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def put(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


# ---- decoder + emulator: mode byte, 16 seed bytes, 15 instruction bytes, device data
INSNS = {
    "mov_store": (2, "89 0b"), "mov_load_rex": (2, "4c 8b 03"), "movzx": (2, "0f b6 03"),
    "movsx_w": (2, "48 0f bf 03"), "or_imm8": (2, "83 0b 05"), "add_imm32": (2, "81 03 78 56 34 12"),
    "xchg": (2, "87 0b"), "cmpxchg": (2, "f0 0f b1 0b"), "bts_reg": (2, "48 0f ab 0b"),
    "bt_imm": (2, "0f ba 23 23"), "neg": (2, "f7 1b"), "inc8": (2, "fe 03"), "test": (2, "f6 03 80"),
    "rep_movsb": (2, "f3 a4"), "movsd_df": (2 | 4, "a5"), "rep_stosw": (2, "f3 66 ab"),
    "lodsq": (2, "48 ad"), "repe_cmpsb": (2, "f3 a6"), "repne_scasb": (2, "f2 ae"),
    "rep_outsb": (2, "f3 6e"), "insd": (1, "6d"), "moffs64": (2, "48 a1 00 00 01 00 00 00 00 00"),
    "riprel": (2, "8b 05 00 f0 00 00"), "mode16_bxsi": (0, "89 40 02"), "mode16_66": (0, "66 89 46 04"),
    "mode32_sib": (1, "89 84 8b 10 00 00 00"), "fs_override": (2, "64 89 0b"),
    "movnti": (2, "48 0f c3 0b"), "fault": (2 | 8, "89 0b"), "ro": (2 | 16, "01 0b"),
}
for name, (mode, hexbytes) in INSNS.items():
    insn = bytes.fromhex(hexbytes).ljust(15, b"\x90")
    seeds = struct.pack("<IIII", 0x10, 0x2001, 0x300, 3)
    put("fuzz_x86_emul", name, bytes([mode]) + seeds + insn + bytes(range(1, 33)))

# ---- guest walker: CR0 CR3 CR4 EFER, cpl ac maxphy access, gva, RAM
def walk_seed(cr0, cr3, cr4, efer, cpl, access, gva, tables):
    ram = bytearray(0x8000)
    for addr, val, size in tables:
        ram[addr:addr + size] = val.to_bytes(size, "little")
    return struct.pack("<QQQQ", cr0, cr3, cr4, efer) + bytes([cpl, 0, 0, access]) + \
        struct.pack("<Q", gva) + bytes(ram).rstrip(b"\0")

P = 7  # present, writable, user
put("fuzz_guest_walk", "long4k", walk_seed(0x80010011, 0x1000, 0x20, 0xd00, 3, 1 | 16, 0x5123, [
    (0x1000, 0x2000 | P, 8), (0x2000, 0x3000 | P, 8), (0x3000, 0x4000 | P, 8), (0x4028, 0x5000 | P, 8)]))
put("fuzz_guest_walk", "long2m", walk_seed(0x80010011, 0x1000, 0x20, 0xd00, 0, 2, 0x212345, [
    (0x1000, 0x2000 | P, 8), (0x2000, 0x3000 | P, 8), (0x3008, 0x200000 | P | 0x80, 8)]))
put("fuzz_guest_walk", "la57", walk_seed(0x80010011, 0x1000, 0x1020, 0xd00, 0, 4, 0x5123, [
    (0x1000, 0x6000 | P, 8), (0x6000, 0x2000 | P, 8), (0x2000, 0x3000 | P, 8),
    (0x3000, 0x4000 | P, 8), (0x4028, 0x5000 | P | (1 << 63), 8)]))
put("fuzz_guest_walk", "pae", walk_seed(0x80000011, 0x1000, 0x20, 0x800, 0, 1, 0x400123, [
    (0x1000, 0x2000 | 1, 8), (0x2010, 0x3000 | P, 8), (0x3000, 0x7000 | P, 8)]))
put("fuzz_guest_walk", "legacy_pse", walk_seed(0x80000011, 0x1000, 0x10, 0, 3, 1, 0x00c01234, [
    (0x100c, 0x00c00000 | P | 0x80, 4), (0x1004, 0x2000 | P, 4), (0x2004, 0x3000 | P, 4)]))
put("fuzz_guest_walk", "nopaging", walk_seed(0x11, 0, 0, 0, 0, 1, 0x12345678, []))

# ---- VMX exits: reason insn_len qual gpa gla intr_info intr_error idt_info idt_error + regs
def vmx(reason, qual=0, gpa=0, gla=0, intr=0, ierr=0, idt=0, idterr=0):
    return struct.pack("<IIQQQIIII", reason | 0, 3, qual, gpa, gla, intr, ierr, idt, idterr) + \
        struct.pack("<18Q", *range(1, 19))

for name, data in {
    "io_out": vmx(30, 0x3f80000), "io_rep_ins": vmx(30, (0x1f0 << 16) | 0x39),
    "cr3": vmx(28, 0x103), "dr7": vmx(29, 0x117), "ept": vmx(48, 0x182, 0xfee00000, 0x1000),
    "ept_misc": vmx(49, 0, 0xfec00000), "pf": vmx(0, 0xdead, intr=0x80000b0e, ierr=2,
                                                  idt=0x80000030),
    "nmi": vmx(0, intr=0x80000202), "entry_fail": vmx(33 | (1 << 31), 3), "cpuid": vmx(10),
    "vmcall": vmx(18), "wrmsr": vmx(32), "apic": vmx(44, 0x10b0), "task": vmx(9, 0xc0000028),
    "unknown": vmx(71),
}.items():
    put("fuzz_exit_vmx", name, data)

# ---- SVM exits: exitcode exitinfo1 exitinfo2 exitintinfo nrip rip + regs
def svm(code, i1=0, i2=0, ii=0, nrip=0, rip=0):
    return struct.pack("<QQQQQQ", code, i1, i2, ii, nrip, rip) + struct.pack("<18Q", *range(1, 19))

for name, data in {
    "ioio": svm(0x7b, (0x3f8 << 16) | 0x10 | 0x200, 0x1001, 0, 0x1001, 0x1000),
    "ioio_str": svm(0x7b, (0x1f0 << 16) | 0x2d | 0x100 | (3 << 10)), "msr_w": svm(0x7c, 1),
    "npf": svm(0x400, 0x100000007, 0xfebf0000, 0x80000b0e | (2 << 32)),
    "excp_gp": svm(0x4d, 0x18), "excp_pf": svm(0x4e, 2, 0xdead0000),
    "cr3_write": svm(0x13, (1 << 63) | 5), "dr_read": svm(0x27), "invalid": svm(0xffffffff),
    "invalid64": svm(0xffffffffffffffff), "vmmcall": svm(0x81), "task": svm(0x7d, 0x30, 1 << 36),
    "unknown": svm(0x300),
}.items():
    put("fuzz_exit_svm", name, data)
