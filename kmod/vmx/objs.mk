# SPDX-License-Identifier: GPL-2.0-only
# VMX backend objects, included by kmod/Kbuild when VMON_VMX=y.
vmon-y += vmx/vmx.o vmx/vmcs.o vmx/vmenter.o vmx/exit.o vmx/ept.o vmx/state.o \
	  vmx/events.o
# PDPTE loads and flushes for the paging changes vmon makes
vmon-y += vmx/pae.o
# state dumps and guest-state checks
vmon-y += vmx/dump.o vmx/checks.o

# vmenter.S holds the VM-exit landing (vmx_vmexit): the CPU jumps there
# from the guest by loading HOST_RIP/HOST_RSP, never by a branch, so
# objtool's control-flow walk sees unreachable code and cannot derive
# the stack layout.  Its only hazards objtool would check are covered by
# hand: RET is the return-thunk macro, there are no indirect branches,
# and every call after the exit comes after the RSB fill (kmod/spec.c).
# What is lost is ORC unwind data for these ~100 instructions (a stack
# trace taken inside them is unreliable), and the RET is not among the
# return sites the kernel patches: it uses the default return thunk.
OBJECT_FILES_NON_STANDARD_vmenter.o := y
