/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ucall: how a 64-bit C guest talks to its test.  The guest builds a
 * struct ucall on its stack and writes the struct's address to
 * UCALL_PORT with a 32-bit OUT; guest RAM is identity-mapped and the
 * guest runs a copy of the test binary's own image at the same
 * addresses, so the host finds the struct at that guest-physical
 * address and can follow its string pointers (file, expression) in its
 * own copy of the image.
 */
#ifndef SELFTEST_UCALL_H
#define SELFTEST_UCALL_H

#include <stdint.h>

#define UCALL_PORT	0x1000
#define EXC_PORT	0x1001	/* unexpected guest exception: vector in EAX */

enum ucall_cmd {
	UCALL_NONE = 0,
	UCALL_SYNC,		/* args[0]: stage, args[1..]: values */
	UCALL_DONE,
	UCALL_ASSERT,		/* file, line, expr; args[0] expected, args[1] seen */
};

struct ucall {
	uint64_t cmd;
	uint64_t args[4];
	const char *file;
	const char *expr;
	uint64_t line;
};

/* guest side (ucall.c); never returns for UCALL_ASSERT */
void ucall(uint64_t cmd, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3);
void ucall_assert(const char *file, uint64_t line, const char *expr,
		  uint64_t expected, uint64_t seen);

#define GUEST_SYNC(stage)		ucall(UCALL_SYNC, (stage), 0, 0, 0)
#define GUEST_SYNC_ARGS(stage, a, b, c)	ucall(UCALL_SYNC, (stage), (a), (b), (c))
#define GUEST_DONE()			ucall(UCALL_DONE, 0, 0, 0, 0)

#define GUEST_ASSERT(cond) do {						\
	if (!(cond))							\
		ucall_assert(__FILE__, __LINE__, #cond, 1, 0);		\
} while (0)

#define GUEST_ASSERT_EQ(expected, seen) do {				\
	uint64_t __e = (uint64_t)(expected), __s = (uint64_t)(seen);	\
	if (__e != __s)							\
		ucall_assert(__FILE__, __LINE__, #expected " == " #seen, __e, __s); \
} while (0)

static inline void guest_outl(uint16_t port, uint32_t val)
{
	__asm__ volatile("outl %0, %w1" : : "a"(val), "Nd"(port) : "memory");
}

#endif /* SELFTEST_UCALL_H */
