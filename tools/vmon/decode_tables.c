// SPDX-License-Identifier: GPL-2.0-only
/*
 * The decode tables of tables/ expanded into arrays for the watching
 * commands.  Exit reason names: Intel SDM Vol. 3C Appendix C, AMD APM
 * Vol. 2 Appendix C; VMCS fields: SDM Vol. 3C Appendix B; VMCB fields:
 * APM Vol. 2 Appendix B.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <linux/vmon.h>

#include "decode_tables.h"
#include "vmon.h"

struct exit_desc {
	uint32_t code;
	const char *name;
	const char *text;
};

static const struct exit_desc vmx_exits[] = {
#define VMX_EXIT_REASON(nr, name, text) { nr, #name, text },
#include "vmx_exit_reasons.h"
#undef VMX_EXIT_REASON
};

static const struct exit_desc svm_exits[] = {
#define SVM_EXIT_CODE(code, name, text) { code, #name, text },
#include "svm_exit_codes.h"
#undef SVM_EXIT_CODE
};

/* width in bits (16, 32, 64) or NAT (natural width: 64 on x86-64) to bytes */
#define NAT 64
static const struct state_field_desc vmcs_fields[] = {
#define VMCS_FIELD(enc, name, width, group) \
	{ enc, #name, (width) / 8, STATE_GROUP_##group },
#include "vmcs_fields.h"
#undef VMCS_FIELD
};
#undef NAT

static const struct state_field_desc vmcb_fields[] = {
#define VMCB_FIELD(off, name, size, group, text) \
	{ off, #name, size, STATE_GROUP_##group },
#include "vmcb_fields.h"
#undef VMCB_FIELD
};

unsigned int backend_from_name(const char *name)
{
	if (name && !strcasecmp(name, "vmx"))
		return VMON_BACKEND_VMX;
	if (name && !strcasecmp(name, "svm"))
		return VMON_BACKEND_SVM;
	return VMON_BACKEND_NONE;
}

static const struct exit_desc *exit_table(unsigned int backend, size_t *n)
{
	switch (backend) {
	case VMON_BACKEND_VMX:
		*n = ARRAY_SIZE(vmx_exits);
		return vmx_exits;
	case VMON_BACKEND_SVM:
		*n = ARRAY_SIZE(svm_exits);
		return svm_exits;
	}
	*n = 0;
	return NULL;
}

const char *exit_name(unsigned int backend, uint32_t code)
{
	const struct exit_desc *t;
	size_t i, n;

	/* VMX: bits 15:0 are the basic exit reason (SDM Vol. 3C 25.9.1) */
	if (backend == VMON_BACKEND_VMX)
		code &= 0xffff;
	t = exit_table(backend, &n);
	for (i = 0; i < n; i++)
		if (t[i].code == code)
			return t[i].name;
	return "UNKNOWN";
}

static const struct exit_desc *exit_find_name(unsigned int backend, const char *name)
{
	const struct exit_desc *t;
	size_t i, n;

	t = exit_table(backend, &n);
	for (i = 0; i < n; i++)
		if (!strcasecmp(t[i].name, name))
			return &t[i];
	return NULL;
}

int exit_reason_parse(unsigned int backend, const char *arg, uint32_t *code)
{
	const struct exit_desc *d;
	unsigned long long v;
	char *end;

	if (!arg || !*arg)
		return -EINVAL;
	if (arg[0] >= '0' && arg[0] <= '9') {
		errno = 0;
		v = strtoull(arg, &end, 0);
		if (*end)
			return -EINVAL;
		if (errno == ERANGE || v > UINT32_MAX)
			return -ERANGE;
		*code = (uint32_t)v;
		return 0;
	}
	d = exit_find_name(backend, arg);
	if (!d)
		return -ENOENT;
	*code = d->code;
	return 0;
}

int exit_reason_other_backend(unsigned int backend, const char *arg)
{
	unsigned int other = backend == VMON_BACKEND_VMX ? VMON_BACKEND_SVM : VMON_BACKEND_VMX;

	return exit_find_name(other, arg) != NULL;
}

void exit_reasons_list(unsigned int backend, FILE *f)
{
	const struct exit_desc *t;
	size_t i, n;

	t = exit_table(backend, &n);
	for (i = 0; i < n; i++)
		fprintf(f, "  %#6x  %-32s %s\n", t[i].code, t[i].name, t[i].text);
}

const struct state_field_desc *state_field_find(unsigned int backend, uint32_t id)
{
	const struct state_field_desc *t;
	size_t i, n;

	if (backend == VMON_BACKEND_VMX) {
		t = vmcs_fields;
		n = ARRAY_SIZE(vmcs_fields);
	} else if (backend == VMON_BACKEND_SVM) {
		t = vmcb_fields;
		n = ARRAY_SIZE(vmcb_fields);
	} else {
		return NULL;
	}
	for (i = 0; i < n; i++)
		if (t[i].id == id)
			return &t[i];
	return NULL;
}

static const char * const group_titles[STATE_GROUP_NR] = {
	[STATE_GROUP_CONTROL]	= "control",
	[STATE_GROUP_EXIT_INFO]	= "exit information",
	[STATE_GROUP_GUEST]	= "guest state",
	[STATE_GROUP_HOST]	= "host state",
	[STATE_GROUP_OTHER]	= "other",
};

static const char * const group_keys[STATE_GROUP_NR] = {
	[STATE_GROUP_CONTROL]	= "control",
	[STATE_GROUP_EXIT_INFO]	= "exit_info",
	[STATE_GROUP_GUEST]	= "guest",
	[STATE_GROUP_HOST]	= "host",
	[STATE_GROUP_OTHER]	= "other",
};

const char *state_group_title(enum state_group g)
{
	return g < STATE_GROUP_NR ? group_titles[g] : "other";
}

const char *state_group_key(enum state_group g)
{
	return g < STATE_GROUP_NR ? group_keys[g] : "other";
}
