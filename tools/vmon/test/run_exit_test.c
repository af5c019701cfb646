// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the exit dispatch of "vmon run" (run_loop.c) with a run
 * page in plain memory: what each exit does to the run page, the
 * devices and the exit status.
 */
#include <errno.h>
#include <fcntl.h>

#include "kselftest_harness.h"
#include "machine.h"
#include "run.h"
#include "test_util.h"
#include "vmon.h"

FIXTURE(exits) {
	struct vmon_machine m;
	struct vmon_vm vm;
	struct vmon_cpu cpu;
	struct vmon_run run;
	int pipe[2];
};

FIXTURE_SETUP(exits)
{
	memset(&self->vm, 0, sizeof(self->vm));
	memset(&self->run, 0, sizeof(self->run));
	self->vm.fd = -1;
	self->vm.sys_fd = -1;
	self->vm.caps.backend = VMON_BACKEND_SVM;
	memset(&self->cpu, 0, sizeof(self->cpu));
	self->cpu.vm = &self->vm;
	self->cpu.fd = -1;
	self->cpu.run = &self->run;
	self->run.regs.rip = 0x1234;
	ASSERT_EQ(0, pipe2(self->pipe, O_NONBLOCK));
	machine_init(&self->m, self->pipe[1]);
	ASSERT_EQ(0, machine_add_devices(&self->m));
}

FIXTURE_TEARDOWN(exits)
{
	machine_destroy(&self->m);
	close(self->pipe[0]);
	close(self->pipe[1]);
}

static void io_exit(struct vmon_run *run, __u16 port, __u8 size, __u8 dir, __u32 data)
{
	run->exit_reason = VMON_EXIT_IO;
	run->io.port = port;
	run->io.size = size;
	run->io.direction = dir;
	run->io.flags = 0;
	run->io.data = data;
}

/* handle the exit, return its status and what it printed on stderr */
#define HANDLE(self, msg) ({						\
	int __saved = capture_begin(2);					\
	int __st = run_handle_exit(&(self)->cpu, &(self)->m);		\
	*(msg) = capture_end(2, __saved);				\
	__st;								\
})

TEST_F(exits, out_to_debugcon_and_uart_reaches_console)
{
	char buf[8] = "";
	char *msg;

	io_exit(&self->run, 0xe9, 1, VMON_IO_OUT, 'A');
	EXPECT_EQ(-1, HANDLE(self, &msg));
	io_exit(&self->run, 0x3f8, 1, VMON_IO_OUT, 'B');
	EXPECT_EQ(-1, HANDLE(self, &msg));
	EXPECT_EQ(2, read(self->pipe[0], buf, sizeof(buf)));
	EXPECT_STREQ("AB", buf);
	EXPECT_FALSE(self->m.stop);
}

TEST_F(exits, in_fills_data_of_the_access_size)
{
	char *msg;

	io_exit(&self->run, 0x3fd, 1, VMON_IO_IN, 0xdeadbeef);
	EXPECT_EQ(-1, HANDLE(self, &msg));
	EXPECT_EQ(0x60, self->run.io.data);	/* LSR, upper bytes cleared */
	io_exit(&self->run, 0x80, 4, VMON_IO_IN, 0);
	EXPECT_EQ(-1, HANDLE(self, &msg));
	EXPECT_EQ(0xffffffff, self->run.io.data);	/* nothing at port 0x80 */
	io_exit(&self->run, 0x80, 2, VMON_IO_IN, 0);
	EXPECT_EQ(-1, HANDLE(self, &msg));
	EXPECT_EQ(0xffff, self->run.io.data);
}

TEST_F(exits, debug_exit_sets_status)
{
	char *msg;

	io_exit(&self->run, 0xf4, 1, VMON_IO_OUT, 0);
	run_handle_exit(&self->cpu, &self->m);
	EXPECT_TRUE(self->m.stop);
	EXPECT_EQ(1, self->m.exit_status);
	(void)msg;
}

TEST_F(exits, bad_io_size_fails)
{
	char *msg;

	io_exit(&self->run, 0xe9, 3, VMON_IO_OUT, 0);
	EXPECT_EQ(VMON_STATUS_VM_FAILED, HANDLE(self, &msg));
	EXPECT_NE(NULL, strstr(msg, "size 3"));
}

TEST_F(exits, msr_raises_gp)
{
	char *msg;

	self->run.exit_reason = VMON_EXIT_MSR;
	self->run.msr.index = 0x1b;
	EXPECT_EQ(-1, HANDLE(self, &msg));
	EXPECT_EQ(1, self->run.msr.error);
}

TEST_F(exits, hypercall_returns_enosys)
{
	char *msg;

	self->run.exit_reason = VMON_EXIT_HYPERCALL;
	self->run.hypercall.nr = 42;
	self->run.regs.rax = 42;
	EXPECT_EQ(-1, HANDLE(self, &msg));
	EXPECT_EQ((__u64)-ENOSYS, self->run.regs.rax);
	EXPECT_EQ(1, self->run.regs_dirty);
}

TEST_F(exits, hlt_with_interrupts_off_ends_with_status_0)
{
	char *msg;

	self->run.exit_reason = VMON_EXIT_HLT;
	self->run.regs.rflags = 0x2;
	EXPECT_EQ(VMON_STATUS_OK, HANDLE(self, &msg));
	EXPECT_STREQ("vmon: guest halted with interrupts disabled at RIP=0x1234\n", msg);
}

/* with IF set the loop waits for an interrupt instead */
TEST_F(exits, hlt_with_interrupts_on_waits)
{
	char *msg;

	self->run.exit_reason = VMON_EXIT_HLT;
	self->run.regs.rflags = 0x202;
	EXPECT_EQ(RUN_HALTED, HANDLE(self, &msg));
	EXPECT_STREQ("", msg);
}

/* an application processor with IF clear is parked (CPU offline), not the machine */
TEST_F(exits, ap_hlt_with_interrupts_off_waits)
{
	char *msg;

	self->cpu.id = 1;
	self->run.exit_reason = VMON_EXIT_HLT;
	self->run.regs.rflags = 0x2;
	EXPECT_EQ(RUN_HALTED, HANDLE(self, &msg));
	EXPECT_STREQ("", msg);
}

/* VMON_EXIT_EOI reaches the I/O APIC: Remote IRR clears, the asserted line goes again */
TEST_F(exits, eoi_resends_an_asserted_level_line)
{
	uint32_t v;
	uint8_t sel = 0x10 + 2 * 9;
	char *msg;

	/* pin 9 (the SCI's) unmasked, level, vector 0x49, then raise IRQ 9 */
	machine_mmio(&self->m, 0xfec00000, &sel, 1, true);
	v = 0x8049;
	machine_mmio(&self->m, 0xfec00010, &v, 4, true);
	machine_lock(&self->m);
	machine_set_irq(&self->m, 9, true);
	machine_unlock(&self->m);
	machine_mmio(&self->m, 0xfec00010, &v, 4, false);
	EXPECT_EQ(0xc049, v);			/* Remote IRR set */
	self->run.exit_reason = VMON_EXIT_EOI;
	self->run.eoi.vector = 0x48;		/* not this pin's vector */
	EXPECT_EQ(RUN_REENTER, HANDLE(self, &msg));
	machine_mmio(&self->m, 0xfec00010, &v, 4, false);
	EXPECT_EQ(0xc049, v);
	machine_lock(&self->m);
	machine_set_irq(&self->m, 9, false);
	machine_unlock(&self->m);
	self->run.eoi.vector = 0x49;
	EXPECT_EQ(RUN_REENTER, HANDLE(self, &msg));
	EXPECT_STREQ("", msg);
	machine_mmio(&self->m, 0xfec00010, &v, 4, false);
	EXPECT_EQ(0x8049, v);			/* cleared; the line is low: not sent */
}

TEST_F(exits, shutdown_is_status_6)
{
	char *msg;

	self->run.exit_reason = VMON_EXIT_SHUTDOWN;
	EXPECT_EQ(VMON_STATUS_SHUTDOWN, HANDLE(self, &msg));
	EXPECT_STREQ("vmon: guest triple-faulted (shutdown) at RIP=0x1234\n", msg);
}

TEST_F(exits, fail_entry_is_one_line)
{
	char *msg;

	self->run.exit_reason = VMON_EXIT_FAIL_ENTRY;
	self->run.fail_entry.kind = VMON_FAIL_VMINSTR_ERROR;
	self->run.fail_entry.code = 7;
	strcpy(self->run.fail_entry.reason, "VM entry with invalid control field(s)");
	EXPECT_EQ(VMON_STATUS_VM_FAILED, HANDLE(self, &msg));
	EXPECT_STREQ("vmon: VM entry failed: VM entry with invalid control field(s) (VM-instruction error, code 0x7, qualification 0x0)\n",
		     msg);
}

TEST_F(exits, internal_error_names_hardware_exit)
{
	char *msg;

	self->run.exit_reason = VMON_EXIT_INTERNAL_ERROR;
	self->run.hw_exit_reason = 0x78;	/* SVM HLT */
	self->run.internal.kind = VMON_INTERNAL_UNHANDLED_EXIT;
	EXPECT_EQ(VMON_STATUS_VM_FAILED, HANDLE(self, &msg));
	EXPECT_NE(NULL, strstr(msg, "(svm 0x78) at RIP=0x1234: unhandled exit\n"));
	EXPECT_EQ(strlen(msg) - 1, strchr(msg, '\n') - msg);	/* one line */
	strcpy(self->run.internal.reason, "no handler");
	EXPECT_EQ(VMON_STATUS_VM_FAILED, HANDLE(self, &msg));
	EXPECT_NE(NULL, strstr(msg, ": unhandled exit, no handler\n"));
}

TEST_F(exits, interrupted_reenters_unknown_fails)
{
	char *msg;

	self->run.exit_reason = VMON_EXIT_INTR;
	EXPECT_EQ(RUN_REENTER, HANDLE(self, &msg));
	self->run.exit_reason = VMON_EXIT_IRQ_WINDOW_OPEN;
	EXPECT_EQ(RUN_REENTER, HANDLE(self, &msg));
	self->run.exit_reason = 77;
	EXPECT_EQ(VMON_STATUS_VM_FAILED, HANDLE(self, &msg));
	EXPECT_NE(NULL, strstr(msg, "unknown exit reason 77"));
}

TEST_HARNESS_MAIN
