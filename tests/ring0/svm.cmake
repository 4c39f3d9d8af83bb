# SPDX-License-Identifier: MIT
# CTests of the SVM backend (label `svm`): the ring-0 test kernel under
# QEMU TCG (two CPU models) and Bochs (ryzen), plus the negative test
# "no SVM -> clear error from lv_backend_open()". MIN_PASS is the number of
# cases that must PASS on that emulator: every case of the plan except the
# ones that SKIP with a stated reason (on both: dirty logging and single-step
# are not implemented, and the test kernel has one CPU and no timer for the
# two cross-CPU conformance cases; on Bochs also the two triple-fault cases,
# since Bochs 2.7 never reports a guest triple fault as the SHUTDOWN
# intercept).
set(LV_SVM_CASES_QEMU 44)
set(LV_SVM_CASES_BOCHS 42)

lv_ring0_test(svm_qemu_npt LABELS svm EMU qemu CPU qemu64,+svm,+npt MIN_PASS ${LV_SVM_CASES_QEMU})
lv_ring0_test(svm_qemu_max LABELS svm EMU qemu CPU max MIN_PASS ${LV_SVM_CASES_QEMU})
lv_ring0_test(svm_bochs_ryzen LABELS svm EMU bochs CPU ryzen MIN_PASS ${LV_SVM_CASES_BOCHS}
              TIMEOUT 200)
lv_ring0_test(svm_qemu_nosvm LABELS svm EMU qemu CPU qemu64,-svm
              EXPECT "LVT BACKEND open rc=LV_ERR_NODEV")
