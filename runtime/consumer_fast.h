/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The consumer's fast path: printf/print records whose formats use only
 * literal text, plain %d/%u/%s (no flags, width or precision) and print's
 * decimal/string output are compiled once per record id into a list of
 * steps that append straight from the ring buffer into one stack buffer,
 * written with a single unlocked fwrite. Anything else takes the generic
 * path (printf_fmt), which the output must match byte for byte.
 */
#ifndef ETAP_CONSUMER_FAST_H
#define ETAP_CONSUMER_FAST_H

#include <stdbool.h>
#include <stdint.h>

struct consumer;

/* Print record rec (id already checked against the record table) if its
 * descriptor has a fast form. Returns false when the caller must use the
 * generic path. */
bool consumer_fast_print(struct consumer *cs, uint32_t id,
			 const uint8_t *rec);

#endif
