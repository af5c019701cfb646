// SPDX-License-Identifier: GPL-2.0-only
/* Guest side of the ucall: runs inside the guest, from the test's image. */
#include "ucall.h"

void ucall(uint64_t cmd, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
	struct ucall uc = {
		.cmd = cmd,
		.args = { a0, a1, a2, a3 },
	};

	/* the stack is below 4 GiB: a 32-bit address is enough */
	guest_outl(UCALL_PORT, (uint32_t)(uintptr_t)&uc);
}

void ucall_assert(const char *file, uint64_t line, const char *expr,
		  uint64_t expected, uint64_t seen)
{
	struct ucall uc = {
		.cmd = UCALL_ASSERT,
		.args = { expected, seen },
		.file = file,
		.expr = expr,
		.line = line,
	};

	for (;;)
		guest_outl(UCALL_PORT, (uint32_t)(uintptr_t)&uc);
}
