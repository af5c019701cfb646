// SPDX-License-Identifier: GPL-2.0-only
/*
 * VMON_GET_STATE_DUMP: the backend's VMCS fields / VMCB as id/value
 * pairs, named by the decode tables in tables/.
 *   - registers set with SET_REGS/SET_SREGS appear in the dump at once
 *     (before any entry), and the exit the guest took after a run;
 *   - every id resolves to a name of the backend's table, once;
 *   - -E2BIG with the number needed, -EINVAL for reserved fields,
 *     -EFAULT for memory the caller does not have;
 *   - host addresses only for CAP_SYS_ADMIN, else 0 and flagged.
 */
#include <linux/capability.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <stdlib.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "test_vm.h"

GUEST_BLOB(hlt_guest64, 64, "hlt\n");

struct field_name {
	__u32 id;
	const char *name;
};

static const struct field_name vmcs_names[] = {
#define VMCS_FIELD(enc, name, width, group) { enc, #name },
#include "../tables/vmcs_fields.h"
#undef VMCS_FIELD
};

static const struct field_name vmcb_names[] = {
#define VMCB_FIELD(offset, name, size, group, text) { offset, #name },
#include "../tables/vmcb_fields.h"
#undef VMCB_FIELD
};

struct dump {
	struct vmon_state_dump hdr;
	struct vmon_state_field fields[512];
};

FIXTURE(dump) {
	struct test_vm t;
	struct dump *d;
};

FIXTURE_SETUP(dump)
{
	SKIP_IF_NO_VMON();
	ASSERT_OK(test_vm_create(&self->t, VMON_GUEST_LONG));
	ASSERT_OK(test_vm_load_blob(&self->t, hlt_guest64, hlt_guest64_end));
	self->d = calloc(1, sizeof(*self->d));
	ASSERT_NE(NULL, self->d);
}

FIXTURE_TEARDOWN(dump)
{
	free(self->d);
	if (test_have_vmon())
		test_vm_destroy(&self->t);
}

static int get_dump(struct test_vm *t, struct vmon_state_dump *d)
{
	return ioctl(t->cpu.fd, VMON_GET_STATE_DUMP, d) ? -errno : 0;
}

static int fill_dump(struct test_vm *t, struct dump *d)
{
	memset(d, 0, sizeof(*d));
	d->hdr.nfields = sizeof(d->fields) / sizeof(d->fields[0]);
	return get_dump(t, &d->hdr);
}

static bool is_vmx(struct test_vm *t)
{
	return t->vm.caps.backend == VMON_BACKEND_VMX;
}

static const struct field_name *names_of(struct test_vm *t, size_t *n)
{
	if (is_vmx(t)) {
		*n = sizeof(vmcs_names) / sizeof(vmcs_names[0]);
		return vmcs_names;
	}
	*n = sizeof(vmcb_names) / sizeof(vmcb_names[0]);
	return vmcb_names;
}

static const char *name_of(struct test_vm *t, __u32 id)
{
	const struct field_name *names;
	size_t i, n;

	names = names_of(t, &n);
	for (i = 0; i < n; i++) {
		if (names[i].id == id)
			return names[i].name;
	}
	return NULL;
}

/* the value of the field the table calls name; false if the dump lacks it */
static bool field(struct test_vm *t, const struct dump *d, const char *name, __u64 *value)
{
	const struct field_name *names;
	size_t i, n;
	__u32 j;

	names = names_of(t, &n);
	for (i = 0; i < n; i++) {
		if (strcmp(names[i].name, name))
			continue;
		for (j = 0; j < d->hdr.nfields; j++) {
			if (d->fields[j].id == names[i].id) {
				*value = d->fields[j].value;
				return true;
			}
		}
	}
	return false;
}

#define EXPECT_FIELD(t, d, name, expected) do {				\
	__u64 __v = 0;							\
	ASSERT_TRUE(field(t, d, name, &__v))				\
		TH_LOG("the dump has no field %s", name);		\
	EXPECT_EQ((__u64)(expected), __v)				\
		TH_LOG("%s: expected 0x%llx, dump says 0x%llx", name,	\
		       (unsigned long long)(expected), (unsigned long long)__v); \
} while (0)

/* the VMX dump keeps guest-visible CR0/CR4 in the read shadows (vmon owns the rest) */
static void expect_control_regs(struct __test_metadata *_metadata, struct test_vm *t,
				const struct dump *d, const struct vmon_sregs *sr)
{
	if (is_vmx(t)) {
		EXPECT_FIELD(t, d, "CR0_READ_SHADOW", sr->cr0);
		EXPECT_FIELD(t, d, "CR4_READ_SHADOW", sr->cr4);
		EXPECT_FIELD(t, d, "GUEST_CR3", sr->cr3);
		EXPECT_FIELD(t, d, "GUEST_IA32_EFER", sr->efer);
		EXPECT_FIELD(t, d, "GUEST_CS_SELECTOR", sr->cs.selector);
		EXPECT_FIELD(t, d, "GUEST_CS_BASE", sr->cs.base);
		EXPECT_FIELD(t, d, "GUEST_FS_BASE", sr->fs.base);
		EXPECT_FIELD(t, d, "GUEST_GS_BASE", sr->gs.base);
		EXPECT_FIELD(t, d, "GUEST_GDTR_BASE", sr->gdt.base);
		EXPECT_FIELD(t, d, "GUEST_TR_SELECTOR", sr->tr.selector);
	} else {
		/* APM 15.5.1: vmon keeps EFER.SVME set in the VMCB; the guest never sees it */
		__u64 efer = 0;

		EXPECT_FIELD(t, d, "CR0", sr->cr0);
		EXPECT_FIELD(t, d, "CR4", sr->cr4);
		EXPECT_FIELD(t, d, "CR3", sr->cr3);
		ASSERT_TRUE(field(t, d, "EFER", &efer));
		EXPECT_EQ(sr->efer | (1ULL << 12), efer);
		EXPECT_FIELD(t, d, "CS_SELECTOR", sr->cs.selector);
		EXPECT_FIELD(t, d, "CS_BASE", sr->cs.base);
		EXPECT_FIELD(t, d, "FS_BASE", sr->fs.base);
		EXPECT_FIELD(t, d, "GS_BASE", sr->gs.base);
		EXPECT_FIELD(t, d, "GDTR_BASE", sr->gdt.base);
		EXPECT_FIELD(t, d, "TR_SELECTOR", sr->tr.selector);
	}
}

TEST_F(dump, shows_registers_set_from_userspace)
{
	struct test_vm *t = &self->t;
	struct vmon_regs regs;
	struct vmon_sregs sr;
	const char *rip = is_vmx(t) ? "GUEST_RIP" : "RIP";
	const char *rsp = is_vmx(t) ? "GUEST_RSP" : "RSP";
	const char *rflags = is_vmx(t) ? "GUEST_RFLAGS" : "RFLAGS";

	ASSERT_OK(libvmon_get_regs(&t->cpu, &regs));
	ASSERT_OK(libvmon_get_sregs(&t->cpu, &sr));
	regs.rip = CODE_GPA;
	regs.rsp = STACK_TOP - 0x48;
	regs.rflags = 0x2 | (1 << 6) | (1 << 2);	/* ZF, PF: distinct from reset */
	regs.rax = 0x5a5a5a5a;
	ASSERT_OK(libvmon_set_regs(&t->cpu, &regs));
	sr.fs.base = 0x123456789000ULL;
	sr.gs.base = 0xffff800000042000ULL;
	ASSERT_OK(libvmon_set_sregs(&t->cpu, &sr));

	ASSERT_OK(fill_dump(t, self->d));
	EXPECT_EQ(t->vm.caps.backend, self->d->hdr.backend);
	EXPECT_FIELD(t, self->d, rip, regs.rip);
	EXPECT_FIELD(t, self->d, rsp, regs.rsp);
	EXPECT_FIELD(t, self->d, rflags, regs.rflags);
	if (!is_vmx(t))
		EXPECT_FIELD(t, self->d, "RAX", regs.rax);
	expect_control_regs(_metadata, t, self->d, &sr);

	/* after a run: RIP past the HLT, and the exit the hardware reported */
	RUN_EXPECT_EXIT(t, VMON_EXIT_HLT);
	ASSERT_OK(fill_dump(t, self->d));
	EXPECT_FIELD(t, self->d, rip, CODE_GPA + 1);
	if (is_vmx(t))
		EXPECT_FIELD(t, self->d, "VM_EXIT_REASON", 12);	/* SDM Table C-1: HLT */
	else
		EXPECT_FIELD(t, self->d, "EXITCODE", 0x78);	/* APM Table C-1: VMEXIT_HLT */
	expect_control_regs(_metadata, t, self->d, &sr);
}

TEST_F(dump, every_id_has_a_name_once)
{
	struct test_vm *t = &self->t;
	size_t table_size;
	__u32 i, j;

	ASSERT_OK(fill_dump(t, self->d));
	names_of(t, &table_size);
	/* a real backend implements most of its table: at least the guest state */
	EXPECT_LT(40, self->d->hdr.nfields);
	EXPECT_GE(table_size, self->d->hdr.nfields);
	TH_LOG("%u fields of the %zu in the table", self->d->hdr.nfields, table_size);
	for (i = 0; i < self->d->hdr.nfields; i++) {
		EXPECT_NE(NULL, name_of(t, self->d->fields[i].id))
			TH_LOG("field id 0x%x has no name in the table", self->d->fields[i].id);
		EXPECT_EQ(0, self->d->fields[i].flags);
		for (j = 0; j < i; j++)
			EXPECT_NE(self->d->fields[j].id, self->d->fields[i].id)
				TH_LOG("field %s twice", name_of(t, self->d->fields[i].id));
	}
}

TEST_F(dump, too_small_is_e2big_with_the_count)
{
	struct test_vm *t = &self->t;
	struct dump *d = self->d;
	__u32 needed;

	memset(d, 0, sizeof(*d));
	d->hdr.nfields = 0;
	ASSERT_ERRNO(E2BIG, get_dump(t, &d->hdr));
	needed = d->hdr.nfields;
	ASSERT_LT(0, needed);
	ASSERT_GE(sizeof(d->fields) / sizeof(d->fields[0]), needed);

	/* one short: nothing is written past the capacity, the count comes back */
	memset(d, 0, sizeof(*d));
	d->fields[needed - 1].id = 0xdeadbeef;
	d->hdr.nfields = needed - 1;
	ASSERT_ERRNO(E2BIG, get_dump(t, &d->hdr));
	EXPECT_EQ(needed, d->hdr.nfields);
	EXPECT_EQ(0xdeadbeef, d->fields[needed - 1].id);

	/* exactly enough */
	memset(d, 0, sizeof(*d));
	d->hdr.nfields = needed;
	ASSERT_OK(get_dump(t, &d->hdr));
	EXPECT_EQ(needed, d->hdr.nfields);
	EXPECT_EQ(t->vm.caps.backend, d->hdr.backend);
}

TEST_F(dump, reserved_fields_are_einval)
{
	struct dump *d = self->d;

	memset(d, 0, sizeof(*d));
	d->hdr.nfields = 512;
	d->hdr.reserved[0] = 1;
	EXPECT_ERRNO(EINVAL, get_dump(&self->t, &d->hdr));
	d->hdr.reserved[0] = 0;
	d->hdr.reserved[1] = 1ULL << 63;
	EXPECT_ERRNO(EINVAL, get_dump(&self->t, &d->hdr));
	d->hdr.reserved[1] = 0;
	EXPECT_OK(get_dump(&self->t, &d->hdr));
}

TEST_F(dump, bad_pointers_are_efault)
{
	struct test_vm *t = &self->t;
	long page = sysconf(_SC_PAGESIZE);
	struct vmon_state_dump *hdr;
	char *mem;

	EXPECT_ERRNO(EFAULT, get_dump(t, NULL));
	EXPECT_ERRNO(EFAULT, get_dump(t, (void *)8));

	/* the header is readable, the fields run into an inaccessible page */
	mem = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, mem);
	ASSERT_EQ(0, mprotect(mem + page, page, PROT_NONE));
	hdr = (struct vmon_state_dump *)(mem + page - sizeof(*hdr) - sizeof(hdr->fields[0]));
	memset(hdr, 0, sizeof(*hdr));
	hdr->nfields = 512;
	EXPECT_ERRNO(EFAULT, get_dump(t, hdr));

	/* a read-only header cannot take the answer */
	ASSERT_EQ(0, mprotect(mem, page, PROT_READ));
	hdr = (struct vmon_state_dump *)mem;
	EXPECT_ERRNO(EFAULT, get_dump(t, hdr));
	munmap(mem, 2 * page);
}

static const struct vmon_state_field *find(const struct dump *d, __u32 id)
{
	__u32 i;

	for (i = 0; i < d->hdr.nfields; i++) {
		if (d->fields[i].id == id)
			return &d->fields[i];
	}
	return NULL;
}

/*
 * The host-state area and the physical addresses of vmon's tables tell
 * where the kernel is: 0 and VMON_STATE_FIELD_REDACTED without
 * CAP_SYS_ADMIN.  VMX HOST_RIP (0x6c16) is vmon's exit handler, SVM
 * N_CR3 (0x0b0) the NPT root; guest fields stay visible.
 */
TEST_F(dump, host_addresses_need_cap_sys_admin)
{
	struct test_vm *t = &self->t;
	__u32 host_id = is_vmx(t) ? 0x6c16 : 0x0b0;
	__u32 rip_id = is_vmx(t) ? 0x681e : 0x578;
	const struct vmon_state_field *f;
	__u32 n_admin;

	if (test_set_effective_cap(CAP_SYS_ADMIN, 1))
		SKIP(return, "CAP_SYS_ADMIN not permitted: cannot compare both views");
	ASSERT_OK(fill_dump(t, self->d));
	n_admin = self->d->hdr.nfields;
	f = find(self->d, host_id);
	ASSERT_NE(NULL, f);
	EXPECT_EQ(0, f->flags);
	EXPECT_NE(0, f->value) TH_LOG("%s: 0 for CAP_SYS_ADMIN", name_of(t, host_id));

	ASSERT_OK(test_set_effective_cap(CAP_SYS_ADMIN, 0));
	EXPECT_OK(fill_dump(t, self->d));
	ASSERT_OK(test_set_effective_cap(CAP_SYS_ADMIN, 1));
	EXPECT_EQ(n_admin, self->d->hdr.nfields);
	f = find(self->d, host_id);
	ASSERT_NE(NULL, f);
	EXPECT_EQ(VMON_STATE_FIELD_REDACTED, f->flags);
	EXPECT_EQ(0, f->value);
	f = find(self->d, rip_id);
	ASSERT_NE(NULL, f);
	EXPECT_EQ(0, f->flags);
	EXPECT_EQ(CODE_GPA, f->value);
}

TEST_HARNESS_MAIN
