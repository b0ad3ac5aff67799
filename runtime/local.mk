# SPDX-License-Identifier: GPL-2.0-or-later
noinst_LIBRARIES += libetap_runtime.a
libetap_runtime_a_SOURCES =
