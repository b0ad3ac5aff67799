# SPDX-License-Identifier: GPL-2.0-or-later
noinst_LIBRARIES += libetap_semantic.a
libetap_semantic_a_SOURCES =
