#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# kernel.function through fentry/fexit and kprobes/kretprobes, @entry, and
# vfs.* on kernel functions: these need a kernel the development machine
# does not run, so they run in a VM (tests/vm/lane.sh: Debian's 6.1 kernel
# under qemu TCG). Prints the guest's PASS/FAIL lines, or one SKIP line
# saying why the VM could not run.
top=${TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
exec bash "$top/tests/vm/lane.sh"
