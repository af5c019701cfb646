# SPDX-License-Identifier: GPL-2.0-only
# "make -f Makefile -f rig/print-var.mk print-VAR" prints a variable of a Makefile
print-%:
	@echo $($*)
