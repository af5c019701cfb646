/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Parsing and printing of the numbers users type: sizes (64M, 1G,
 * 4096k) and guest addresses (0x1000, 4096).
 */
#ifndef VMON_PARSE_H
#define VMON_PARSE_H

#include <stddef.h>
#include <stdint.h>

/*
 * "64M", "1G", "4096k", "65536", "2MiB", "0x10000": a decimal (or 0x
 * hex) number with an optional binary suffix k/K, m/M, g/G, t/T, which
 * may be followed by "B" or "iB".  Returns 0 or -EINVAL/-ERANGE.
 */
int parse_size(const char *s, uint64_t *out);
/* "0x100000" or "1048576": hex with 0x, else decimal.  0 or -EINVAL/-ERANGE. */
int parse_addr(const char *s, uint64_t *out);
/* "3 MiB", "1.5 GiB", "4095 bytes" into buf; returns buf */
const char *format_size(uint64_t size, char *buf, size_t len);

#endif /* VMON_PARSE_H */
