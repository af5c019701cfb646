# SPDX-License-Identifier: GPL-2.0-only
#
# vmon: top-level build.  The module itself is described by Kbuild
# (kbuild reads it instead of this file when it descends with M=).
#
#   make            vmon.ko, libvmon, the vmon tool, the selftests
#   make deps       install the Debian packages the project needs
#   make check      host unit tests + every selftest and the vmon end-to-end checks
#                   in QEMU (SVM) and Bochs (VMX)
#   make check-debug  the same tests in QEMU (SVM) under a debug kernel (KASAN,
#                   lockdep, kmemleak, UBSAN, KFENCE), built once and cached
#   make fuzz       the long form of the ioctl fuzzer in QEMU (SVM) and Bochs (VMX)
#   make storm      the long storms (kill -9, rmmod, CPU hotplug, limits) with memory
#                   baselines, in every emulated machine (MACHINES= to choose)
#   make bench      the cost of one exit per kind (CPUID, MSR, port I/O, MMIO, HLT),
#                   APIC timer and IPI latency and a Linux boot to /init, vmon
#                   beside Debian's KVM (QEMU -M microvm for the boot), in the
#                   emulated machines (MACHINES=, default qemu-4lvl qemu-la57 bochs)
#   make bench-lapic  APIC timer and IPI latency, vmon beside Debian's KVM, in the
#                   emulated machines (MACHINES=, default qemu-4lvl bochs)
#   make bench-virtio  virtio-blk and virtio-net throughput, vmon beside QEMU+KVM, in
#                   the emulated machines (MACHINES=, default qemu-4lvl bochs)
#   make demo       boot Linux under vmon (on this CPU, or in an emulator)
#   make install    module (modprobe vmon), tool, udev rule
#   make dkms-install  the module through DKMS (every kernel with headers, and
#                   each one installed later), tool, udev rule
#   make deb        Debian packages vmon-dkms and vmon in build/deb/
#   make checkpatch kernel style check of the kernel-side sources
#   make docs       regenerate Documentation/{exit-reasons,state-fields,entry-checks}.rst
#                   from tables/
#   make clean

# The kernel to build against.  KVER=RELEASE picks an installed kernel
# (make KVER=6.12.118+deb12-amd64), KDIR=DIR any build tree.  Default:
# the running kernel when its build tree is installed, else Debian's
# default kernel (the headers linux-headers-amd64 depends on), else the
# newest headers installed.
ifneq ($(KVER),)
KDIR ?= $(or $(wildcard /lib/modules/$(KVER)/build),/usr/src/linux-headers-$(KVER))
endif
DEBIAN_KDIR = $(wildcard /usr/src/$(shell dpkg-query -W -f='$${Depends}' linux-headers-amd64 \
			2>/dev/null | sed -n 's/^\(linux-headers-[^ ,]*\).*/\1/p'))
KDIR ?= $(or $(wildcard /lib/modules/$(shell uname -r)/build),$(DEBIAN_KDIR),\
	     $(lastword $(shell ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sort -V)))
# kselftest headers and checkpatch, extracted by "make deps"
KSFT_SRC ?= /usr/src/linux-source-6.1
KSFT_DIR ?= $(KSFT_SRC)/tools/testing/selftests
CHECKPATCH ?= $(KSFT_SRC)/scripts/checkpatch.pl

# Release of the kernel KDIR builds for: the emulated machines boot
# /boot/vmlinuz-$(KVER) so that the module's vermagic matches.
KVER ?= $(shell sed -n 's/.*UTS_RELEASE "\(.*\)"/\1/p' $(KDIR)/include/generated/utsrelease.h 2>/dev/null)

# The version of vmon, written once: PACKAGE_VERSION in dkms.conf (the
# module, the tool and the Debian packages take it from there).
# "make deb VMON_VERSION=..." builds packages of another version (tests).
ifeq ($(origin VMON_VERSION),undefined)
VMON_VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf 2>/dev/null)
endif

PREFIX ?= /usr/local
UDEVDIR ?= /etc/udev/rules.d
INSTALL_MOD_DIR ?= extra

# Debian packages: emulators and boot media for the rig, the kernels the
# emulated machines boot and their headers (Debian 12's default 6.1 and
# the 6.12 of its security suite), userspace build dependencies,
# the kernel source tarball (kselftest harness, checkpatch, and the debug
# kernel of "make check-debug", which also needs flex, bison, bc and the
# OpenSSL headers), iasl (acpica-tools) to check vmon's ACPI tables,
# dkms for "make dkms-install", debhelper and dh-dkms for "make deb", and
# man-db (man, groff, col) and bash-completion for the checks of vmon's
# man pages and completion.
DEB_PKGS := build-essential pkg-config kmod xz-utils cpio \
	    linux-image-amd64 linux-headers-amd64 linux-source-6.1 libelf-dev \
	    linux-image-6.12-amd64 linux-headers-6.12-amd64 \
	    qemu-system-x86 bochs bochsbios vgabios busybox-static \
	    isolinux syslinux-common xorriso \
	    libnl-3-dev libnl-genl-3-dev libkmod-dev \
	    flex bison bc libssl-dev \
	    acpica-tools e2fsprogs zstd dkms \
	    debhelper dh-dkms man-db bash-completion
# Files "make deps" takes out of linux-source-6.1.tar.xz
SRC_TARBALL := /usr/src/linux-source-6.1.tar.xz
SRC_FILES := tools/testing/selftests/kselftest.h \
	     tools/testing/selftests/kselftest_harness.h \
	     scripts/checkpatch.pl scripts/spelling.txt scripts/const_structs.checkpatch

# Debian's headers ship no vmlinux, so kbuild cannot generate module BTF
# and says so on every build; vmon.ko needs no BTF.
KBUILD_ARGS := -C $(KDIR) M=$(CURDIR) CONFIG_DEBUG_INFO_BTF_MODULES=

SUBMAKE_ARGS := KSFT_DIR=$(KSFT_DIR)

.PHONY: all module module-clean tools selftests deps install install-tool uninstall uninstall-tool \
	dkms-install dkms-uninstall dkms-src deb checkpatch check check-debug fuzz storm demo \
	bench bench-lapic bench-virtio \
	docs clean help need-kdir

all: module tools selftests

need-kdir:
	@test -n "$(KDIR)" -a -d "$(KDIR)" || { \
		echo "make: no kernel build tree (KDIR='$(KDIR)'): run 'make deps'" \
		     "(linux-headers-amd64), install linux-headers-KVER for KVER=," \
		     "or pass KDIR=/path/to/build" >&2; exit 1; }

module: need-kdir
	$(MAKE) $(KBUILD_ARGS) modules

module-clean: need-kdir
	$(MAKE) $(KBUILD_ARGS) clean

tools:
	$(MAKE) -C tools/lib $(SUBMAKE_ARGS)
	$(MAKE) -C tools/vmon $(SUBMAKE_ARGS)

selftests: tools
	@test -r $(KSFT_DIR)/kselftest_harness.h || { \
		echo "make: no $(KSFT_DIR)/kselftest_harness.h: run 'make deps'" >&2; exit 1; }
	$(MAKE) -C selftests $(SUBMAKE_ARGS)

# Idempotent: installs only what is missing, refreshes the package lists
# only when apt has none or an install fails with the lists it has.
deps:
	@set -e; missing=; \
	for p in $(DEB_PKGS); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | \
			grep -q '^install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" != 0 ]; then \
			echo "deps: missing packages:$$missing; run 'make deps' as root" >&2; \
			exit 1; \
		fi; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt="apt-get -y -q -o Dpkg::Use-Pty=0 install --no-install-recommends"; \
		echo "deps: installing$$missing"; \
		if ! ls /var/lib/apt/lists/*_Packages* >/dev/null 2>&1; then \
			apt-get -q update; \
		fi; \
		$$apt $$missing || { apt-get -q update && $$apt $$missing; }; \
	else \
		echo "deps: all $(words $(DEB_PKGS)) Debian packages present"; \
	fi; \
	need=; \
	for f in $(SRC_FILES); do \
		[ -e $(KSFT_SRC)/$$f ] || need="$$need linux-source-6.1/$$f"; \
	done; \
	if [ -n "$$need" ]; then \
		echo "deps: extracting$$need from $(SRC_TARBALL)"; \
		tar -xJf $(SRC_TARBALL) -C $(dir $(KSFT_SRC)) $$need; \
	fi

# DESTDIR= stages everything under a directory (packaging, tests); then
# no group is created and udev is left alone.
install: module install-tool
	$(MAKE) $(KBUILD_ARGS) INSTALL_MOD_DIR=$(INSTALL_MOD_DIR) \
		$(if $(DESTDIR),INSTALL_MOD_PATH=$(DESTDIR)) CONFIG_MODULE_SIG_ALL= modules_install
	depmod -a $(if $(DESTDIR),-b $(DESTDIR)) $(KVER)

# the tool, the udev rule and the group: "make install" and "make dkms-install"
install-tool: tools
	$(MAKE) -C tools/vmon install PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)
	install -D -m 0644 udev/60-vmon.rules $(DESTDIR)$(UDEVDIR)/60-vmon.rules
	@if [ -z "$(DESTDIR)" ]; then \
		groupadd -f --system vmon; \
		if command -v udevadm >/dev/null && [ -d /run/udev ]; then \
			udevadm control --reload-rules && udevadm trigger --subsystem-match=misc; \
		fi; \
		echo "installed: 'modprobe vmon'; members of group vmon may open /dev/vmon"; \
	fi

uninstall: uninstall-tool
	rm -f $(DESTDIR)/lib/modules/$(KVER)/$(INSTALL_MOD_DIR)/kmod/vmon.ko
	depmod -a $(if $(DESTDIR),-b $(DESTDIR)) $(KVER)

uninstall-tool:
	rm -f $(DESTDIR)$(PREFIX)/bin/vmon $(DESTDIR)$(UDEVDIR)/60-vmon.rules \
	      $(DESTDIR)$(PREFIX)/share/man/man1/vmon.1 $(DESTDIR)$(PREFIX)/share/man/man1/vmon-*.1 \
	      $(DESTDIR)$(PREFIX)/share/bash-completion/completions/vmon

# DKMS (dkms.conf): the module's sources go to /usr/src/vmon-VERSION, and
# DKMS builds and installs vmon.ko for every kernel whose headers are
# installed, and again for each kernel installed later; then the tool,
# the udev rule and the group as "make install".  Installing again
# replaces the same version.
DKMS_VERSION := $(VMON_VERSION)
DKMS_DIR ?= /usr/src/vmon-$(DKMS_VERSION)
# what the module's build reads (kmod/decode.c and gva.c include tools/lib/)
DKMS_SRC := Makefile Kbuild dkms.conf uapi/linux/vmon.h $(wildcard tables/*.h) \
	    $(filter-out %.mod.c,$(wildcard kmod/Kbuild kmod/*.[chS] kmod/*/*.[chS] kmod/*/objs.mk)) \
	    $(addprefix tools/lib/,decode.c decode.h gva.c gva.h shared_env.h)
# the kernels with a build tree: DKMS needs their headers
DKMS_KERNELS = $(notdir $(patsubst %/build/Makefile,%,$(wildcard /lib/modules/*/build/Makefile)))

# the module's sources as DKMS wants them, in DKMS_DIR (debian/rules too)
dkms-src:
	@test -n "$(DKMS_VERSION)" || { echo "make: no PACKAGE_VERSION in dkms.conf" >&2; exit 1; }
	rm -rf $(DKMS_DIR)
	install -d $(DKMS_DIR)
	cp --parents $(DKMS_SRC) $(DKMS_DIR)/

dkms-install: install-tool
	@command -v dkms >/dev/null || { echo "make: no dkms: run 'make deps'" >&2; exit 1; }
	-dkms remove vmon/$(DKMS_VERSION) --all >/dev/null 2>&1
	$(MAKE) dkms-src
	dkms add vmon/$(DKMS_VERSION)
	@rc=0; \
	for k in $(DKMS_KERNELS); do \
		dkms install vmon/$(DKMS_VERSION) -k $$k || rc=1; \
	done; \
	dkms status vmon; exit $$rc

dkms-uninstall:
	-dkms remove vmon/$(DKMS_VERSION) --all
	rm -rf $(DKMS_DIR)
	$(MAKE) uninstall-tool

# Debian packages (debian/): vmon-dkms (the module's sources for DKMS,
# the udev rule, the group) and vmon (the tool, its man pages and bash
# completion), built by dpkg-buildpackage in a copy of the tree (the
# files git knows, changes included) under build/deb/, where the .debs
# land.  The version is VMON_VERSION; debian/changelog is written for it,
# and the copy's dkms.conf says it too when it is not dkms.conf's own.
DEB_DIR ?= $(CURDIR)/build/deb
DEB_SRC = $(DEB_DIR)/vmon-$(VMON_VERSION)
deb:
	@test -x /usr/bin/dh -a -x /usr/bin/dh_dkms || { \
		echo "make: no debhelper or dh-dkms: run 'make deps'" >&2; exit 1; }
	@test -n "$(VMON_VERSION)" || { echo "make: no PACKAGE_VERSION in dkms.conf" >&2; exit 1; }
	rm -rf $(DEB_DIR)/vmon-* $(DEB_DIR)/vmon*_*
	mkdir -p $(DEB_SRC)
	if git rev-parse --git-dir >/dev/null 2>&1; then \
		git ls-files -z --cached --others --exclude-standard | \
			xargs -0 sh -c 'for f; do [ ! -e "$$f" ] || echo "$$f"; done' sh | \
			tar -cf - -T - | tar -xf - -C $(DEB_SRC); \
	else \
		tar --exclude=./build -cf - . | tar -xf - -C $(DEB_SRC); \
	fi
	sed -i 's/^PACKAGE_VERSION=.*/PACKAGE_VERSION="$(VMON_VERSION)"/' $(DEB_SRC)/dkms.conf
	{ echo "vmon ($(VMON_VERSION)) unstable; urgency=medium"; echo; \
	  echo "  * Built from $$(git describe --always --dirty 2>/dev/null || echo 'a source tree')."; \
	  echo; echo " -- vmon developers <dev@vmon.invalid>  $$(date -R)"; \
	} > $(DEB_SRC)/debian/changelog
	cd $(DEB_SRC) && DEB_BUILD_OPTIONS="parallel=$$(nproc) $$DEB_BUILD_OPTIONS" \
		dpkg-buildpackage -b -us -uc
	rm -rf $(DEB_SRC)
	@ls -1 $(DEB_DIR)/*.deb

# Kernel-side sources: the module, the decode tables and the uapi header
# (which cannot use BIT(): userspace has no such macro).  Generated
# kbuild files (*.mod.c) are not ours.
CHECKPATCH_FILES := $(sort $(filter-out %.mod.c kmod/compat.h,$(wildcard kmod/*.[chS] kmod/*/*.[chS])) \
		      $(wildcard tables/*.h))
# the one header of kernel version checks: LINUX_VERSION_CODE is its job
CHECKPATCH_COMPAT := kmod/compat.h
CHECKPATCH_UAPI := $(wildcard uapi/linux/*.h)
# libvmon sources the module compiles in (kmod/decode.c, kmod/gva.c);
# userspace builds them too, so BIT_ULL() is not available
CHECKPATCH_SHARED := tools/lib/decode.c tools/lib/decode.h tools/lib/gva.c \
		     tools/lib/gva.h tools/lib/shared_env.h
checkpatch:
	@test -r $(CHECKPATCH) || { echo "make: no $(CHECKPATCH): run 'make deps'" >&2; exit 1; }
	@rc=0; \
	for f in $(CHECKPATCH_FILES); do \
		perl $(CHECKPATCH) --strict --no-tree --quiet --show-types -f $$f || rc=1; \
	done; \
	for f in $(CHECKPATCH_UAPI) $(CHECKPATCH_SHARED); do \
		perl $(CHECKPATCH) --strict --no-tree --quiet --show-types \
			--ignore BIT_MACRO -f $$f || rc=1; \
	done; \
	perl $(CHECKPATCH) --strict --no-tree --quiet --show-types \
		--ignore LINUX_VERSION_CODE,CONSTANT_COMPARISON -f $(CHECKPATCH_COMPAT) || rc=1; \
	[ $$rc = 0 ] && echo "checkpatch: clean"; exit $$rc

# Everything is built here so that "make check" alone tests the tree as it is.
check: all
	KVER=$(KVER) KSFT_DIR=$(KSFT_DIR) rig/check.sh

# builds (once) and boots the debug kernel; the module is built for it there
check-debug: tools selftests
	KSFT_DIR=$(KSFT_DIR) rig/check-debug.sh

# the long form of selftests/fuzz (Documentation/testing.rst, "Fuzzing")
fuzz: module selftests
	KVER=$(KVER) rig/fuzz.sh

# The long form of the storms only (make check runs the short form last):
# no host tests, selftests or end-to-end checks.  Logs in build/storm/.
# Other targets may chain it ("make fuzz storm", or $(MAKE) storm).
STORM_DIR ?= $(CURDIR)/build/storm
storm: all
	KVER=$(KVER) KSFT_DIR=$(KSFT_DIR) STORM=long HOST_TESTS=0 E2E=0 TESTS= \
		QEMU_TIMEOUT=$${QEMU_TIMEOUT:-1500} BOCHS_TIMEOUT=$${BOCHS_TIMEOUT:-3000} \
		CHECK_DIR=$(STORM_DIR) rig/check.sh

# figures, not a test (Documentation/testing.rst, "Benchmarks"); logs in build/bench/
bench: module tools selftests
	KVER=$(KVER) rig/bench-exits.sh $(MACHINES)

bench-lapic: module selftests
	KVER=$(KVER) rig/bench.sh $(MACHINES)

bench-virtio: module tools selftests
	KVER=$(KVER) rig/bench-virtio.sh $(MACHINES)

# the demo needs the module and the tool (it builds its guest), not the selftests
demo: module tools
	KVER=$(KVER) rig/demo.sh

docs: Documentation/exit-reasons.rst Documentation/state-fields.rst \
      Documentation/entry-checks.rst

Documentation/exit-reasons.rst: rig/gen-tables.sh $(wildcard tables/*.h)
	rig/gen-tables.sh tables > $@.tmp && mv $@.tmp $@

# the VMCS/VMCB field tables and the entry-check rules, same generator
Documentation/state-fields.rst: rig/gen-tables.sh rig/gen-tables-fields.rst.in \
				tables/vmcs_fields.h tables/vmcb_fields.h
	rig/gen-tables.sh tables fields > $@.tmp && mv $@.tmp $@

Documentation/entry-checks.rst: rig/gen-tables.sh rig/gen-tables-checks.rst.in \
				tables/vmx_guest_checks.h tables/svm_vmrun_checks.h
	rig/gen-tables.sh tables checks > $@.tmp && mv $@.tmp $@

clean:
	-$(MAKE) $(KBUILD_ARGS) clean 2>/dev/null
	-$(MAKE) -C tools/lib clean
	-$(MAKE) -C tools/vmon clean
	-$(MAKE) -C selftests clean
	rm -rf build

help:
	@sed -n 's/^#   make/  make/p' Makefile
