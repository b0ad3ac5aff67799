/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The running kernel's CONFIG_* options, for the preprocessor's
 * %( CONFIG_X == "y" %? ... %) conditions.
 */
#ifndef ETAP_KCONFIG_H
#define ETAP_KCONFIG_H

/* "y", "m", a value (quotes removed), or NULL when unset or unknown.
 * name may be given with or without the CONFIG_ prefix. */
const char *kconfig_lookup(const char *name);

#endif
