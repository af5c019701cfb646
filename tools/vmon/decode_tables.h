/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Lookups in the decode tables (tables/) for the watching commands:
 * exit reasons by number or by name, VMCS/VMCB fields by id.  The names
 * live only in the tables; this file just expands them.
 */
#ifndef VMON_DECODE_TABLES_H
#define VMON_DECODE_TABLES_H

#include <stdint.h>
#include <stdio.h>

/* "vmx" or "svm" (VMON_A_BACKEND) to enum vmon_backend; VMON_BACKEND_NONE if neither */
unsigned int backend_from_name(const char *name);

/* table name of a hardware exit reason, e.g. "CPUID"; "UNKNOWN" if none */
const char *exit_name(unsigned int backend, uint32_t code);
/*
 * A --reason argument: a table name of the backend, any case ("cpuid",
 * "IO_INSTRUCTION"), or a number (decimal or 0x hex).  Returns 0, or
 * -ENOENT (no such name for this backend) / -EINVAL (empty, or a number
 * with junk) / -ERANGE.
 */
int exit_reason_parse(unsigned int backend, const char *arg, uint32_t *code);
/* the name is one of the other backend's exit reasons (for a better message) */
int exit_reason_other_backend(unsigned int backend, const char *arg);
/* every exit reason of a backend, "  NUMBER  NAME  description" per line */
void exit_reasons_list(unsigned int backend, FILE *f);

enum state_group {
	STATE_GROUP_CONTROL,
	STATE_GROUP_EXIT_INFO,
	STATE_GROUP_GUEST,
	STATE_GROUP_HOST,
	STATE_GROUP_OTHER,	/* an id the tables do not know */
	STATE_GROUP_NR,
};

struct state_field_desc {
	uint32_t id;		/* VMCS encoding or VMCB offset */
	const char *name;
	unsigned int bytes;	/* 2, 4 or 8 (VMX natural width: 8); 1 on SVM too */
	enum state_group group;
};

/* NULL if the backend's table has no field with this id */
const struct state_field_desc *state_field_find(unsigned int backend, uint32_t id);
/* "control", "exit information", "guest state", "host state", "other" */
const char *state_group_title(enum state_group g);
/* "control", "exit_info", "guest", "host", "other" (--json keys) */
const char *state_group_key(enum state_group g);

#endif /* VMON_DECODE_TABLES_H */
