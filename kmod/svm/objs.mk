# SPDX-License-Identifier: GPL-2.0-only
#
# AMD-V (SVM) backend, included by kmod/Kbuild when VMON_SVM=y.
#
# vmrun.S is a plain function with a balanced stack and no jumps: objtool
# validates it like any other object, so it is not marked
# OBJECT_FILES_NON_STANDARD.
vmon-y += svm/svm.o svm/vmcb.o svm/vmrun.o svm/exit.o svm/npt.o svm/state.o \
	  svm/lme_guard.o
# event injection, windows, re-delivery
vmon-y += svm/events.o
# state dumps and VMRUN consistency checks
vmon-y += svm/dump.o svm/checks.o
