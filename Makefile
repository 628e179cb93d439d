# SPDX-License-Identifier: GPL-2.0
#
# xsched top-level Makefile: a thin wrapper around Kbuild and scripts/.
#
#   make                 libxsched and xschedctl (build/userlib, they run from
#                        there), then xsched.ko for the running kernel (or KVER=/KDIR=)
#   make modules-debian  build it for Debian's 6.1, 6.12 and newest 7.x lines
#   make demo            the scheduler demo on a simulated GPU in QEMU
#   make bench           the benchmarks (figures, modelled) in QEMU
#   make bench-hw        the hardware bench kit on an MI300/MI350 host (docs/mi300.md)
#   make check           everything CI runs; installs its own dependencies
#   make check-full      make check, and the patched amdgpu.ko of 6.12 too
#   make kunit | qemu-test | dkms-check | uapi-check | sparse | amdkfd-check
#   make amdgpu-qemu     one stage each (amdgpu-qemu: the patched amdgpu.ko in QEMU)
#   make userlib         libxsched and xschedctl (userlib/; make -C userlib install)
#   make dkms-install    install as a DKMS package (on a real host, as root)
#   make deb             Debian packages into build/deb (scripts/deb-build.sh)
#
# Each kernel gets its own output directory, build/<kver>/, so that builds
# for several kernels (and the UML tree of scripts/kunit.sh) never share
# objects.

KVER ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KVER)/build
BUILD ?= $(CURDIR)/build
OUT := $(BUILD)/$(notdir $(KVER))
VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)

# Extra arguments for Kbuild, e.g. XSCHED_WERROR=1 C=2.
KBUILD_ARGS ?=

.PHONY: all modules modules-debian stage demo bench check kunit qemu-test \
	dkms-check uapi-check sparse amdkfd-check amdgpu-qemu check-full user \
	userlib dkms-install bench-hw deb dkms-source \
	clean help

all: userlib modules

help:
	@sed -n '3,21p' Makefile | sed 's/^# \{0,1\}//'

stage:
	@test -d $(KDIR) || { echo "no kernel build tree at $(KDIR): install linux-headers-$(KVER) or set KDIR=" >&2; exit 1; }
	@mkdir -p $(OUT)
	@cp -a --preserve=timestamps Kbuild $(OUT)/
	@mkdir -p $(OUT)/kmod $(OUT)/uapi
	@cp -a --preserve=timestamps kmod/include kmod/xsched kmod/sim $(OUT)/kmod/
	@cp -a --preserve=timestamps uapi/*.h $(OUT)/uapi/

modules: stage
	$(MAKE) -C $(KDIR) M=$(OUT) $(KBUILD_ARGS) modules
	@echo "built $(OUT)/xsched.ko"

modules-debian:
	scripts/build-debian.sh

user:
	$(MAKE) -C tests/user

userlib:
	$(MAKE) -C userlib

bench-hw:
	bench/hw/run.sh

demo:
	scripts/demo.sh

# e.g. make bench BENCH_ARGS='--only pause'
BENCH_ARGS ?=
bench:
	bench/run.sh $(BENCH_ARGS)

check:
	scripts/check.sh

check-full:
	scripts/check.sh --full

kunit:
	scripts/kunit.sh

qemu-test:
	scripts/qemu-test.sh

dkms-check:
	scripts/dkms-check.sh

uapi-check:
	scripts/uapi-check.sh

amdkfd-check:
	scripts/amdkfd-check.sh

amdgpu-qemu:
	scripts/amdgpu-qemu.sh

sparse:
	scripts/build-debian.sh --sparse

dkms-install:
	scripts/dkms-install.sh

deb:
	scripts/deb-build.sh

# What the DKMS package ships, copied into DKMS_DEST (scripts/lib.sh's
# stage_dkms_source and debian/rules use it).
DKMS_DEST ?=
dkms-source:
	@test -n "$(DKMS_DEST)" || { echo "usage: make dkms-source DKMS_DEST=DIR" >&2; exit 2; }
	mkdir -p $(DKMS_DEST)/kmod $(DKMS_DEST)/uapi
	cp -a dkms.conf Kbuild Makefile $(DKMS_DEST)/
	cp -a kmod/include kmod/xsched kmod/sim $(DKMS_DEST)/kmod/
	cp -a uapi/*.h $(DKMS_DEST)/uapi/

clean:
	rm -rf $(BUILD)
	$(MAKE) -C tests/user clean
	$(MAKE) -C userlib clean
	$(MAKE) -C bench clean
