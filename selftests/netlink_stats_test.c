// SPDX-License-Identifier: GPL-2.0-only
/*
 * Exit statistics over generic netlink: a guest doing exactly N CPUIDs
 * and M port writes shows exactly those counts under those hardware
 * reasons, M + 1 round trips to userspace (the writes and the final
 * ucall), histograms that add up, and the VM in VMON_CMD_LIST_VMS with
 * the name VMON_SET_NAME gave it.  Also: every command rejects bad
 * input, and VMON_SET_NAME validates its argument.  The local APIC's
 * interrupts are counted by kind: self IPIs, MSIs, an NMI, an ExtINT.
 */
#include <sys/ioctl.h>
#include <unistd.h>
#include <netlink/genl/genl.h>

#include "kselftest_harness.h"
#include "test_vm.h"
#include "apic.h"
#include "exit_codes.h"
#include "libvmon_nl.h"

#define NR_CPUID	100
#define NR_OUT		10
#define PORT		0x31

static void guest_stats(uint64_t arg)
{
	uint32_t i, a, b, c, d;

	for (i = 0; i < NR_CPUID; i++)
		__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0), "c"(0));
	for (i = 0; i < NR_OUT; i++)
		guest_outl(PORT, i);
	GUEST_DONE();
}

FIXTURE(nl) {
	struct test_vm t;
	struct libvmon_nl v;
	struct libvmon_vm_info info;
};

FIXTURE_SETUP(nl)
{
	SKIP_IF_NO_VMON();
	ASSERT_OK(test_vm_create_c(&self->t, guest_stats, 0));
	/* -ENOENT: the module did not register the "vmon" family */
	ASSERT_OK(libvmon_nl_open(&self->v));
	ASSERT_OK(libvmon_nl_find_vm(&self->v, getpid(), &self->info));
}

FIXTURE_TEARDOWN(nl)
{
	if (!test_have_vmon())
		return;
	libvmon_nl_close(&self->v);
	test_vm_destroy(&self->t);
}

static void run_guest(struct __test_metadata *_metadata, struct test_vm *t)
{
	struct vmon_run *run = t->cpu.run;
	struct ucall uc;
	int i;

	for (i = 0; i < NR_OUT; i++) {
		RUN_EXPECT_EXIT(t, VMON_EXIT_IO);
		ASSERT_EQ(PORT, run->io.port) TH_LOG("%s", test_describe_exit(&t->cpu));
	}
	RUN_EXPECT_UCALL(t, &uc, UCALL_DONE);
}

static void check_hist(struct __test_metadata *_metadata, const struct libvmon_reason_stats *r)
{
	uint64_t sum = 0;
	int b;

	for (b = 0; b < VMON_HIST_BUCKETS; b++)
		sum += r->hist[b];
	EXPECT_EQ(r->count, sum) TH_LOG("reason %s: histogram holds %llu of %llu", r->name,
					(unsigned long long)sum, (unsigned long long)r->count);
}

TEST_F(nl, exact_counts)
{
	uint32_t backend = self->t.vm.caps.backend;
	const struct libvmon_exit_stats *vm = NULL, *vcpu = NULL;
	const struct libvmon_reason_stats *cpuid, *io;
	struct libvmon_vm_stats st;
	uint64_t sum = 0;
	unsigned int i;

	/* nothing ran yet */
	ASSERT_OK(libvmon_nl_get_stats(&self->v, self->info.id, 0, &st));
	EXPECT_EQ(0, st.total.exits);
	EXPECT_EQ(0, st.total.nr_reasons);
	libvmon_vm_stats_free(&st);

	run_guest(_metadata, &self->t);

	ASSERT_OK(libvmon_nl_get_stats(&self->v, self->info.id, 0, &st));
	vm = &st.total;
	vcpu = libvmon_stats_vcpu(&st, 0);
	ASSERT_NE(NULL, vcpu) TH_LOG("no statistics of vCPU 0");
	cpuid = libvmon_stats_reason(vcpu, exit_code_cpuid(backend));
	io = libvmon_stats_reason(vcpu, exit_code_io(backend));
	ASSERT_NE(NULL, cpuid) TH_LOG("no CPUID exits counted");
	ASSERT_NE(NULL, io) TH_LOG("no I/O exits counted");
	EXPECT_EQ(NR_CPUID, cpuid->count);
	EXPECT_EQ(NR_OUT + 1, io->count);	/* the writes and GUEST_DONE */
	EXPECT_EQ(NR_OUT + 1, vcpu->user_exits);
	EXPECT_EQ(self->t.cpu.run->exit_count, vcpu->exits);
	EXPECT_EQ(0, vcpu->events_lost);
	EXPECT_NE(0, cpuid->guest_ns);
	EXPECT_NE(0, cpuid->host_ns);
	EXPECT_NE(0, vcpu->guest_ns);
	EXPECT_LE(cpuid->host_ns + io->host_ns, vcpu->host_ns);
	for (i = 0; i < vcpu->nr_reasons; i++) {
		check_hist(_metadata, &vcpu->reasons[i]);
		sum += vcpu->reasons[i].count;
		TH_LOG("reason 0x%x %-40s %6llu exits, %8llu ns in guest, %8llu ns handling",
		       vcpu->reasons[i].code, vcpu->reasons[i].name,
		       (unsigned long long)vcpu->reasons[i].count,
		       (unsigned long long)vcpu->reasons[i].guest_ns,
		       (unsigned long long)vcpu->reasons[i].host_ns);
	}
	EXPECT_EQ(vcpu->exits, sum);
	EXPECT_NE(0, strlen(cpuid->name));

	/* one vCPU: the VM's totals are its totals */
	EXPECT_EQ(vcpu->exits, vm->exits);
	EXPECT_EQ(vcpu->user_exits, vm->user_exits);
	EXPECT_EQ(vcpu->nr_reasons, vm->nr_reasons);
	libvmon_vm_stats_free(&st);
}

TEST_F(nl, list_shows_the_vm)
{
	struct vmon_vm_name name = { "stats-test vm #1" };
	struct libvmon_vm_info info;

	EXPECT_EQ(getuid(), self->info.uid);
	EXPECT_EQ(1, self->info.nr_vcpus);
	EXPECT_EQ(LOW_RAM_SIZE + self->t.high_size, self->info.mem_bytes);
	EXPECT_STREQ(libvmon_backend_name(self->t.vm.caps.backend), self->info.backend);
	EXPECT_STREQ("", self->info.name);

	ASSERT_EQ(0, ioctl(self->t.vm.fd, VMON_SET_NAME, &name));
	ASSERT_OK(libvmon_nl_find_vm(&self->v, getpid(), &info));
	EXPECT_EQ(self->info.id, info.id);
	EXPECT_STREQ("stats-test vm #1", info.name);
}

TEST_F(nl, set_name_validates)
{
	struct vmon_vm_name name;
	struct libvmon_vm_info info;

	memset(&name, 'a', sizeof(name));	/* no NUL */
	EXPECT_EQ(-1, ioctl(self->t.vm.fd, VMON_SET_NAME, &name));
	EXPECT_EQ(EINVAL, errno);
	strcpy(name.name, "tab\there");
	EXPECT_EQ(-1, ioctl(self->t.vm.fd, VMON_SET_NAME, &name));
	EXPECT_EQ(EINVAL, errno);
	strcpy(name.name, "caf\xc3\xa9");
	EXPECT_EQ(-1, ioctl(self->t.vm.fd, VMON_SET_NAME, &name));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(self->t.vm.fd, VMON_SET_NAME, (void *)8));
	EXPECT_EQ(EFAULT, errno);
	/* the rejected names changed nothing */
	ASSERT_OK(libvmon_nl_find_vm(&self->v, getpid(), &info));
	EXPECT_STREQ("", info.name);

	memset(&name, 0, sizeof(name));
	memset(name.name, '~', VMON_NAME_LEN - 1);	/* longest, last printable */
	EXPECT_EQ(0, ioctl(self->t.vm.fd, VMON_SET_NAME, &name));
	ASSERT_OK(libvmon_nl_find_vm(&self->v, getpid(), &info));
	EXPECT_EQ(VMON_NAME_LEN - 1, strlen(info.name));
}

/* a request built by hand: cmd with attribute (type, len bytes of val) */
static int raw_request(struct libvmon_nl *v, uint8_t cmd, int flags, int type, int len,
		       uint32_t val, int type2, uint32_t val2)
{
	struct nl_msg *msg = libvmon_nl_new(v, cmd, flags);

	if (!msg)
		return -ENOMEM;
	if (type)
		nla_put(msg, type, len, &val);
	if (type2)
		nla_put_u32(msg, type2, val2);
	return libvmon_nl_request(v, msg, NULL, NULL);
}

TEST_F(nl, bad_requests_rejected)
{
	struct libvmon_nl *v = &self->v;
	uint32_t id = self->info.id;
	struct libvmon_vm_stats st;

	EXPECT_ERRNO(EINVAL, raw_request(v, VMON_CMD_GET_STATS, 0, 0, 0, 0, 0, 0));
	EXPECT_ERRNO(ENOENT, raw_request(v, VMON_CMD_GET_STATS, 0, VMON_A_VM_ID, 4, 1000000,
					 0, 0));
	EXPECT_ERRNO(EINVAL, raw_request(v, VMON_CMD_GET_STATS, 0, VMON_A_VM_ID, 2, id, 0, 0));
	/* the policy bounds vCPU ids: NLA_POLICY_MAX answers -ERANGE */
	EXPECT_ERRNO(ERANGE, raw_request(v, VMON_CMD_GET_STATS, 0, VMON_A_VM_ID, 4, id,
					 VMON_A_VCPU_ID, 64));
	EXPECT_ERRNO(ENOENT, raw_request(v, VMON_CMD_GET_STATS, 0, VMON_A_VM_ID, 4, id,
					 VMON_A_VCPU_ID, 3));
	/* an attribute the command does not take, and one no command knows */
	EXPECT_ERRNO(EINVAL, raw_request(v, VMON_CMD_GET_STATS, 0, VMON_A_VM_ID, 4, id,
					 VMON_A_PID, 1));
	EXPECT_ERRNO(EINVAL, raw_request(v, VMON_CMD_GET_STATS, 0, VMON_A_VM_ID, 4, id,
					 VMON_A_MAX + 1, 1));
	EXPECT_ERRNO(EINVAL, raw_request(v, VMON_CMD_LIST_VMS, NLM_F_DUMP, VMON_A_VM_ID, 4, id,
					 0, 0));
	EXPECT_ERRNO(EINVAL, raw_request(v, VMON_CMD_TRACE_STOP, 0, 0, 0, 0, 0, 0));
	EXPECT_ERRNO(ENOENT, raw_request(v, VMON_CMD_TRACE_STOP, 0, VMON_A_VM_ID, 4, id, 0, 0));
	EXPECT_ERRNO(EINVAL, raw_request(v, VMON_CMD_GET_STATE, 0, VMON_A_VM_ID, 4, id, 0, 0));
	/* notifications are not commands */
	EXPECT_ERRNO(EOPNOTSUPP, raw_request(v, VMON_CMD_EXIT_EVENT, 0, 0, 0, 0, 0, 0));
	EXPECT_ERRNO(EOPNOTSUPP, raw_request(v, VMON_CMD_MAX + 1, 0, 0, 0, 0, 0, 0));
	/* still answering */
	EXPECT_OK(libvmon_nl_get_stats(v, id, -1, &st));
	libvmon_vm_stats_free(&st);
}

TEST_F(nl, state_over_netlink)
{
	struct libvmon_state_dump d;
	int r;

	r = libvmon_nl_get_state(&self->v, self->info.id, 0, &d);
	if (r == -EOPNOTSUPP)
		SKIP(return, "VMON_CMD_GET_STATE not available in this module");
	ASSERT_OK(r);
	EXPECT_LT(10, d.nr_fields) TH_LOG("only %u state fields", d.nr_fields);
	EXPECT_EQ(self->info.id, d.vm_id);
	EXPECT_EQ(0, d.vcpu_id);
	libvmon_state_dump_free(&d);
	EXPECT_ERRNO(ENOENT, libvmon_nl_get_state(&self->v, self->info.id, 1, &d));
}

/* GET_STATE carries the local APIC as VMON_GET_LAPIC shows it */
TEST_F(nl, state_has_the_local_apic)
{
	struct libvmon_state_dump d;
	struct vmon_lapic_state s;

	run_guest(_metadata, &self->t);
	ASSERT_OK(libvmon_nl_get_state(&self->v, self->info.id, 0, &d));
	ASSERT_TRUE(d.has_lapic) TH_LOG("GET_STATE sent no VMON_A_LAPIC");
	ASSERT_OK(test_get_lapic(&self->t.cpu, &s));
	EXPECT_EQ(0xfee00900, d.apic_base);
	EXPECT_EQ(s.apic_base, d.apic_base);
	EXPECT_EQ(VMON_MP_RUNNABLE, d.mp_state);
	EXPECT_EQ(0x50014, lapic_reg(&s, APIC_LVR));
	EXPECT_EQ(0, memcmp(s.regs, d.lapic_regs, sizeof(s.regs)));
	libvmon_state_dump_free(&d);
}

/* ---- interrupts by kind ---- */

#define NR_SELF_IPI	5
#define NR_MSI		3

APIC_IRQ_STUB(2);
APIC_IRQ_STUB(0x40);
APIC_IRQ_STUB(0x41);
APIC_IRQ_STUB(0x42);

volatile uint64_t irqs_taken;

void apic_guest_irq(uint64_t v)
{
	irqs_taken++;
	if (v != 2 && v != 0x42)	/* the NMI and the PIC's vector: no EOI */
		x2apic_write(APIC_EOI, 0);
}

static void guest_irqs(uint64_t arg)
{
	unsigned int i;

	guest_x2apic_enable();
	for (i = 0; i < NR_SELF_IPI; i++) {
		x2apic_write(APIC_SELF_IPI, 0x40);
		__asm__ volatile("sti; nop; cli" ::: "memory");
	}
	GUEST_SYNC(1);
	__asm__ volatile("sti; nop; nop; cli" ::: "memory");
	GUEST_SYNC_ARGS(2, irqs_taken, 0, 0);
	GUEST_DONE();
}

TEST(interrupts_counted_by_kind)
{
	const struct libvmon_exit_stats *vm, *vcpu;
	struct libvmon_vm_stats st;
	struct libvmon_vm_info info;
	struct test_vm t;
	struct ucall uc;
	struct libvmon_nl v;
	unsigned int i;

	SKIP_IF_NO_VMON();
	ASSERT_OK(test_vm_create_c(&t, guest_irqs, 0));
	ASSERT_OK(test_set_gate(&t, 2, apic_irq_2));
	ASSERT_OK(test_set_gate(&t, 0x40, apic_irq_0x40));
	ASSERT_OK(test_set_gate(&t, 0x41, apic_irq_0x41));
	ASSERT_OK(test_set_gate(&t, 0x42, apic_irq_0x42));
	ASSERT_OK(libvmon_nl_open(&v));
	ASSERT_OK(libvmon_nl_find_vm(&v, getpid(), &info));
	RUN_EXPECT_UCALL(&t, &uc, UCALL_SYNC);
	for (i = 0; i < NR_MSI; i++)
		EXPECT_EQ(1, test_msi(&t, MSI_ADDR(0), 0x41));
	EXPECT_OK(test_nmi(&t.cpu));
	EXPECT_OK(test_interrupt(&t.cpu, 0x42));	/* LINT0 is the BSP's ExtINT */
	RUN_EXPECT_UCALL(&t, &uc, UCALL_SYNC);
	EXPECT_EQ(NR_SELF_IPI + 3, uc.args[1]);	/* 0x41 once: the MSIs merged in IRR */
	RUN_EXPECT_UCALL(&t, &uc, UCALL_DONE);

	ASSERT_OK(libvmon_nl_get_stats(&v, info.id, 0, &st));
	vm = &st.total;
	vcpu = libvmon_stats_vcpu(&st, 0);
	ASSERT_NE(NULL, vcpu);
	EXPECT_EQ(NR_SELF_IPI, vcpu->irqs[VMON_STAT_IRQ_IPI - VMON_STAT_IRQ_IPI]);
	EXPECT_EQ(NR_MSI, vcpu->irqs[VMON_STAT_IRQ_MSI - VMON_STAT_IRQ_IPI]);
	EXPECT_EQ(1, vcpu->irqs[VMON_STAT_IRQ_NMI - VMON_STAT_IRQ_IPI]);
	EXPECT_EQ(1, vcpu->irqs[VMON_STAT_IRQ_EXTINT - VMON_STAT_IRQ_IPI]);
	EXPECT_EQ(0, vcpu->irqs[VMON_STAT_IRQ_TIMER - VMON_STAT_IRQ_IPI]);
	EXPECT_EQ(0, vcpu->irqs[VMON_STAT_IRQ_INIT - VMON_STAT_IRQ_IPI]);
	EXPECT_EQ(NR_MSI, vm->irqs[VMON_STAT_IRQ_MSI - VMON_STAT_IRQ_IPI]);
	libvmon_vm_stats_free(&st);
	libvmon_nl_close(&v);
	test_vm_destroy(&t);
}

TEST_HARNESS_MAIN
