# SPDX-License-Identifier: MIT
# CTests of the VMX backend (label `vmx`), included by CMakeLists.txt here.
#
# - vmx_bochs_skylake_x / vmx_bochs_haswell: the ring-0 test kernel on Bochs'
#   two VMX models (ignore_bad_msrs=0, set by run_ring0.sh): the shared smoke
#   cases, the conformance suite and the VMX cases of vmx_cases.c (invalid
#   guest state -> ENTRY_FAILED 0x80000021, VMfailValid -> error 7, real
#   mode, the CPUID round-trip count). Any FAIL or missing case fails the
#   test; cases that need what Bochs or the harness lacks SKIP with a reason
#   (the conformance suite's two_vcpus / tlb_*_remote: the kernel starts a
#   second CPU only with "smp" on its command line, which
#   vmx_bochs_skylake_smp has; bench_cpuid is the SVM backend's,
#   vmx_bench_cpuid applies the 205 (gcc) / 211 (clang) instruction target
#   in optimized builds only). The kernel's own cases that need the second
#   CPU (the remote kick, vmx_lazy_*: tcase.cpus) are not planned without
#   it ("LVT NOTE"); they run in vmx_bochs_skylake_smp.
#   113 pass on each one-CPU configuration in an optimized build and 112
#   in the others (vmx_bench_cpuid skips unoptimized), 125 / 124 on two
#   CPUs: MIN_PASS is the lower figure, so a case that stops passing, or
#   starts to skip, fails the test.
# - vmx_qemu_novmx / vmx_bochs_novmx: VMX absent (QEMU TCG has no VMX; Bochs'
#   athlon64_clawhammer has neither VMX nor SVM): opening the VMX backend
#   must give LV_ERR_NODEV (kmain prints it before anything else).
set(LV_VMX_MIN_PASS 112)
set(LV_VMX_SMP_MIN_PASS 124)

lv_ring0_test(vmx_bochs_skylake_x LABELS vmx EMU bochs CPU corei7_skylake_x
              MIN_PASS ${LV_VMX_MIN_PASS} TIMEOUT 300)
lv_ring0_test(vmx_bochs_haswell LABELS vmx EMU bochs CPU corei7_haswell_4770
              MIN_PASS ${LV_VMX_MIN_PASS} TIMEOUT 300)
# Two CPUs (Bochs cpu: count=2, the "smp" ISO): vCPUs on the second CPU,
# remote kicks, the tlb_*_remote shootdown cases and the lazy VMCLEAR
# (vmx_lazy_*: VMCSs that stay active on their CPU, cleared there through
# lv_plat_call_on_cpu() when the vCPU moves, is read elsewhere or is
# destroyed) on VMX.
lv_ring0_test(vmx_bochs_skylake_smp LABELS vmx EMU bochs CPU corei7_skylake_x
              IMAGE ${LV_RING0_SMP_ISO} BOCHS_CPUS 2 MIN_PASS ${LV_VMX_SMP_MIN_PASS}
              TIMEOUT 300)
# The TPR fallback: CR8-load/store exiting, which every CPU model Bochs has
# replaces by the TPR shadow; the kernel's "cr8exit" sets the backend's
# test seam, so tpr_isolation and the CR8 state cases run through CR8 exits.
lv_ring0_test(vmx_bochs_cr8exit LABELS vmx EMU bochs CPU corei7_skylake_x
              IMAGE ${LV_RING0_CR8EXIT_ISO} MIN_PASS ${LV_VMX_MIN_PASS} TIMEOUT 300)
# The benchmark alone (vmx_bench_cpuid; the "benchonly" ISOs), one and two CPUs
# (gcc 12 -O2 202 on both, clang 14 208 on both, 208 / 214 before the request
# word; 309 / 311 on two CPUs before the lazy VMCLEAR): the instruction targets apply to optimized builds only
# (vmx_cases.c).
if(LV_RING0_OPTIMIZED)
  lv_ring0_test(vmx_bochs_bench LABELS vmx EMU bochs CPU corei7_skylake_x
                IMAGE ${LV_RING0_BENCH_ISO} MIN_PASS 1 TIMEOUT 300)
  lv_ring0_test(vmx_bochs_smp_bench LABELS vmx EMU bochs CPU corei7_skylake_x
                IMAGE ${LV_RING0_SMP_BENCH_ISO} BOCHS_CPUS 2 MIN_PASS 1 TIMEOUT 300)
endif()
lv_ring0_test(vmx_qemu_novmx LABELS vmx EMU qemu CPU qemu64
              EXPECT "LVT VMXPROBE open=LV_ERR_NODEV")
lv_ring0_test(vmx_bochs_novmx LABELS vmx EMU bochs CPU athlon64_clawhammer
              EXPECT "LVT VMXPROBE open=LV_ERR_NODEV")
