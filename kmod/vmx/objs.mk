# SPDX-License-Identifier: GPL-2.0-only
# VMX backend objects, included by kmod/Kbuild when VMON_VMX=y.
#
# vmenter.S holds the VM-exit landing (vmx_vmexit), which the CPU reaches
# by loading HOST_RIP/HOST_RSP, never by a branch; unwind hints tell
# objtool its stack layout, so objtool validates it like any other object.
vmon-y += vmx/vmx.o vmx/vmcs.o vmx/vmenter.o vmx/exit.o vmx/ept.o vmx/state.o \
	  vmx/events.o
# PDPTE loads and flushes for the paging changes vmon makes
vmon-y += vmx/pae.o
# state dumps and guest-state checks
vmon-y += vmx/dump.o vmx/checks.o
