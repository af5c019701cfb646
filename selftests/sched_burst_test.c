// SPDX-License-Identifier: GPL-2.0-only
/*
 * A vCPU thread scheduled out, and moved between host CPUs, in the middle
 * of a long burst of exits the kernel handles itself.  One VMON_RUN: the
 * guest executes CPUID (leaves of a table set with SET_CPUID), WRMSR and
 * RDMSR of variable-range MTRRs (MSRs the kernel owns and emulates, SDM
 * Vol. 3A 11.11.2.3) tens of thousands of times, checking every answer
 * and ten general registers kept across each CPUID, while host threads
 * take the vCPU's CPU away: a busy competitor pinned to the same CPU
 * that spins and yields, and, with two CPUs to use, a thread that moves
 * the vCPU thread between them.  The guest keeps going until the host
 * has seen it scheduled out mid-burst (and moved) often enough; then
 * the registers the guest leaves at its last exit and the MSRs the
 * kernel holds must be the guest's.  64-bit C guest.
 */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <time.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "test_vm.h"
#include "guest_msr.h"

#define MTRR_PHYS_BASE0	0x200u
#define NVAR		8		/* VMON_MTRR_VAR pairs: BASE 0x200 + 2n */
#define BURST_MIN	4000ULL		/* iterations (4 exits each) before stopping may be asked */
#define BURST_MAX	4000000ULL	/* and the most the guest does */
#define SEEN_WANTED	4		/* mid-burst schedule-outs the host waits for */
#define MOVES_WANTED	6		/* confirmed migrations the host waits for */
#define WAIT_S		30		/* seconds the host waits for them */
#define REGS_PORT	0x41		/* last exit: the guest's canary registers */
#define CANARY		0x5a17c0de00000000ULL

static const struct vmon_cpuid_entry table[] = {
	{ .function = 0, .eax = 7, .ebx = 0x6e6f6d76, .ecx = 0x74736574, .edx = 0x74737262 },
	{ .function = 1, .eax = 0x000906ea, .ebx = 0x00010800, .ecx = 0x80000001, .edx = 1 },
	{ .function = 2, .eax = 0x02020202, .ebx = 0x12121212, .ecx = 0x22222222, .edx = 0x32 },
	{ .function = 3, .eax = 0x30303030, .ebx = 0xa5a5a5a5, .ecx = 0x5a5a5a5a, .edx = 3 },
	{ .function = 4, .index = 0, .flags = VMON_CPUID_SIGNIFICANT_INDEX,
	  .eax = 0x40, .ebx = 0x41, .ecx = 0x42, .edx = 0x43 },
	{ .function = 4, .index = 1, .flags = VMON_CPUID_SIGNIFICANT_INDEX,
	  .eax = 0x44, .ebx = 0x45, .ecx = 0x46, .edx = 0x47 },
	{ .function = 5, .eax = 0xdeadbeef, .ebx = 0xfeedface, .ecx = 0x0badf00d, .edx = 5 },
	{ .function = 0x40000000, .eax = 0x40000000, .ebx = 0x6e6f6d76, .ecx = 0x6e6f6d76,
	  .edx = 0x6e6f6d76 },
};

#define NTABLE (sizeof(table) / sizeof(table[0]))

/* shared with the guest's copy of the image; the host reaches them by HVA */
static volatile uint64_t guest_progress;	/* iterations done */
static volatile uint64_t guest_stop;		/* host: enough seen, finish */
static uint64_t guest_mtrr[NVAR];		/* what the guest wrote last */

/* host side */
static volatile uint64_t *progress_hva, *stop_hva;
static volatile int host_done, in_run;
static volatile uint64_t seen_mid_burst, moves_confirmed;

/*
 * CPUID with ten registers the instruction does not write set to values
 * derived from seed; 0 if all ten came back, else the XOR differences.
 */
static uint64_t guest_cpuid_canary(uint32_t leaf, uint32_t index, uint64_t seed,
				   uint32_t out[4])
{
	uint64_t bad;

	__asm__ volatile("mov %%rdi, %%r8\n\t"
			 "mov %%rdi, %%r9\n\t not %%r9\n\t"
			 "mov %%rdi, %%r10\n\t rol $8, %%r10\n\t"
			 "mov %%rdi, %%r11\n\t rol $16, %%r11\n\t"
			 "mov %%rdi, %%r12\n\t rol $24, %%r12\n\t"
			 "mov %%rdi, %%r13\n\t rol $32, %%r13\n\t"
			 "mov %%rdi, %%r14\n\t rol $40, %%r14\n\t"
			 "mov %%rdi, %%r15\n\t rol $48, %%r15\n\t"
			 "cpuid\n\t"
			 "mov %%eax, 0(%%rsi)\n\t mov %%ebx, 4(%%rsi)\n\t"
			 "mov %%ecx, 8(%%rsi)\n\t mov %%edx, 12(%%rsi)\n\t"
			 "xor %%rdi, %%r8\n\t"
			 "not %%r9\n\t xor %%rdi, %%r9\n\t or %%r9, %%r8\n\t"
			 "ror $8, %%r10\n\t xor %%rdi, %%r10\n\t or %%r10, %%r8\n\t"
			 "ror $16, %%r11\n\t xor %%rdi, %%r11\n\t or %%r11, %%r8\n\t"
			 "ror $24, %%r12\n\t xor %%rdi, %%r12\n\t or %%r12, %%r8\n\t"
			 "ror $32, %%r13\n\t xor %%rdi, %%r13\n\t or %%r13, %%r8\n\t"
			 "ror $40, %%r14\n\t xor %%rdi, %%r14\n\t or %%r14, %%r8\n\t"
			 "ror $48, %%r15\n\t xor %%rdi, %%r15\n\t or %%r15, %%r8\n\t"
			 "mov %%r8, %%rax\n\t"
			 : "=a"(bad), "+c"(index)
			 : "0"((uint64_t)leaf), "D"(seed), "S"(out)
			 : "rbx", "rdx", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
			   "memory");
	return bad;
}

/* a PHYSBASE value: base below 2^36 (MAXPHYADDR 36 without leaf 0x80000008), a valid type */
static uint64_t mtrr_value(uint64_t i)
{
	static const uint8_t types[] = { 0, 1, 4, 5, 6 };

	return ((i * 0x9e3779b1ULL) & 0xffffff000ULL) | types[i % 5];
}

static void guest_burst(uint64_t arg)
{
	uint64_t i, seed, bad;
	uint32_t r[4];
	unsigned int e, k, j;

	for (i = 0; i < BURST_MAX && (i < BURST_MIN || !guest_stop); i++) {
		e = i % NTABLE;
		seed = CANARY ^ (i * 0x0101010101010101ULL);
		bad = guest_cpuid_canary(table[e].function, table[e].index, seed, r);
		GUEST_ASSERT_EQ(0, bad);
		GUEST_ASSERT_EQ(table[e].eax, r[0]);
		GUEST_ASSERT_EQ(table[e].ebx, r[1]);
		GUEST_ASSERT_EQ(table[e].ecx, r[2]);
		GUEST_ASSERT_EQ(table[e].edx, r[3]);

		k = i % NVAR;
		guest_mtrr[k] = mtrr_value(i);
		guest_wrmsr(MTRR_PHYS_BASE0 + 2 * k, guest_mtrr[k]);
		GUEST_ASSERT_EQ(guest_mtrr[k], guest_rdmsr(MTRR_PHYS_BASE0 + 2 * k));
		/* one written several iterations ago, maybe on another host CPU */
		j = (k + 3) % NVAR;
		GUEST_ASSERT_EQ(guest_mtrr[j], guest_rdmsr(MTRR_PHYS_BASE0 + 2 * j));
		guest_progress = i + 1;
	}
	/* the last exit leaves canaries in the registers for GET_REGS */
	__asm__ volatile("mov %0, %%r12\n\t lea 1(%0), %%r13\n\t"
			 "lea 2(%0), %%r14\n\t lea 3(%0), %%r15\n\t"
			 "outl %%eax, %%dx"
			 : : "r"(CANARY | i), "a"(0), "d"(REGS_PORT)
			 : "r12", "r13", "r14", "r15", "memory");
	GUEST_DONE();
}

static pid_t gettid_(void)
{
	return (pid_t)syscall(SYS_gettid);
}

static int pin(pid_t tid, int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(tid, sizeof(set), &set);
}

/* nr_migrations of a thread (CONFIG_SCHED_DEBUG), or -1 */
static long task_migrations(pid_t tid)
{
	char path[64], line[256];
	long n = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/task/%d/sched", tid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "se.nr_migrations : %ld", &n) == 1)
			break;
	fclose(f);
	return n;
}

/* nonvoluntary_ctxt_switches of a thread, or -1 */
static long task_preemptions(pid_t tid)
{
	char path[64], line[256];
	long n = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/task/%d/status", tid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "nonvoluntary_ctxt_switches: %ld", &n) == 1)
			break;
	fclose(f);
	return n;
}

static void spin_us(unsigned int us)
{
	struct timespec a, b;

	clock_gettime(CLOCK_MONOTONIC, &a);
	do
		clock_gettime(CLOCK_MONOTONIC, &b);
	while ((b.tv_sec - a.tv_sec) * 1000000L + (b.tv_nsec - a.tv_nsec) / 1000 < us);
}

/*
 * Runs only when the vCPU thread is off the CPU both are pinned to:
 * every guest progress value strictly inside the burst that it sees is
 * one schedule-out in the middle of it.  It spins (the scheduler must
 * preempt it, or the vCPU thread must wait) and yields in turns.
 */
static void *competitor(void *arg)
{
	uint64_t last = 0, p, rounds = 0;

	pin(0, (int)(long)arg);
	while (!host_done) {
		p = *progress_hva;
		if (p != last && in_run && !*stop_hva) {
			last = p;
			seen_mid_burst++;
		}
		if (rounds++ & 1)
			sched_yield();
		else
			spin_us(300);
	}
	return NULL;
}

struct mover_arg {
	pid_t vcpu_tid;
	int cpu[2];
};

/*
 * Moves the vCPU thread to the other CPU, then waits for the guest to
 * make progress there: only then has the vCPU run on that CPU.
 */
static void *mover(void *argp)
{
	struct mover_arg *a = argp;
	uint64_t p;
	int side = 1;

	while (!host_done) {
		if (pin(a->vcpu_tid, a->cpu[side]))
			break;
		p = *progress_hva;
		while (!host_done && *progress_hva < p + 20)
			usleep(200);
		if (host_done)
			break;
		moves_confirmed++;
		side ^= 1;
		usleep(2000);
	}
	return NULL;
}

FIXTURE(burst) {
	struct test_vm t;
	pid_t tid;
	int cpu[2];
};

FIXTURE_SETUP(burst)
{
	SKIP_IF_NO_VMON();
	self->tid = gettid_();
	self->cpu[0] = test_allowed_cpu(-1);
	self->cpu[1] = test_allowed_cpu(self->cpu[0]);
	ASSERT_LE(0, self->cpu[0]);
	ASSERT_EQ(0, pin(0, self->cpu[0]));
	ASSERT_OK(test_vm_create_c(&self->t, guest_burst, 0));
	ASSERT_OK(libvmon_set_cpuid(&self->t.cpu, table, NTABLE));
	progress_hva = libvmon_gpa_to_hva(&self->t.vm, (uintptr_t)&guest_progress, 8);
	stop_hva = libvmon_gpa_to_hva(&self->t.vm, (uintptr_t)&guest_stop, 8);
	ASSERT_NE(NULL, progress_hva);
	ASSERT_NE(NULL, stop_hva);
}

FIXTURE_TEARDOWN(burst)
{
	if (test_have_vmon())
		test_vm_destroy(&self->t);
}

/* tells the guest to finish once enough was seen, or the time is up */
static void *watcher(void *arg)
{
	int moving = (int)(long)arg;
	time_t end = time(NULL) + WAIT_S;

	while (!host_done && time(NULL) < end &&
	       (seen_mid_burst < SEEN_WANTED || (moving && moves_confirmed < MOVES_WANTED)))
		usleep(5000);
	*stop_hva = 1;
	return NULL;
}

static void run_burst(struct __test_metadata *_metadata, FIXTURE_DATA(burst) *self,
		      int moving)
{
	pthread_t comp[2], mov, watch;
	struct mover_arg ma = { .vcpu_tid = self->tid,
				.cpu = { self->cpu[0], self->cpu[1] } };
	long mig0 = task_migrations(self->tid), pre0 = task_preemptions(self->tid);
	long mig1, pre1;
	struct vmon_regs regs;
	struct ucall uc;
	uint64_t iters, mtrr[NVAR];
	__u64 v;
	unsigned int i, n = moving ? 2 : 1;

	host_done = 0;
	seen_mid_burst = 0;
	moves_confirmed = 0;
	for (i = 0; i < n; i++)
		ASSERT_EQ(0, pthread_create(&comp[i], NULL, competitor,
					    (void *)(long)self->cpu[i]));
	if (moving)
		ASSERT_EQ(0, pthread_create(&mov, NULL, mover, &ma));
	ASSERT_EQ(0, pthread_create(&watch, NULL, watcher, (void *)(long)moving));

	in_run = 1;
	RUN_EXPECT_EXIT(&self->t, VMON_EXIT_IO);
	in_run = 0;
	iters = *progress_hva;
	host_done = 1;
	for (i = 0; i < n; i++)
		pthread_join(comp[i], NULL);
	if (moving)
		pthread_join(mov, NULL);
	pthread_join(watch, NULL);
	mig1 = task_migrations(self->tid);
	pre1 = task_preemptions(self->tid);

	/* a guest assertion names the check and the iteration's values */
	ASSERT_NE(UCALL_ASSERT, test_get_ucall(&self->t, &uc))
		TH_LOG("guest: %s:%llu: %s: expected 0x%llx, got 0x%llx (iteration %llu)",
		       uc.file, (unsigned long long)uc.line, uc.expr,
		       (unsigned long long)uc.args[0], (unsigned long long)uc.args[1],
		       (unsigned long long)*progress_hva);
	ASSERT_IO(&self->t, REGS_PORT, 4, VMON_IO_OUT);
	ASSERT_OK(libvmon_get_regs(&self->t.cpu, &regs));
	EXPECT_EQ(CANARY | iters, regs.r12);
	EXPECT_EQ((CANARY | iters) + 1, regs.r13);
	EXPECT_EQ((CANARY | iters) + 2, regs.r14);
	EXPECT_EQ((CANARY | iters) + 3, regs.r15);
	/* the MTRRs as the kernel holds them are the guest's last writes */
	ASSERT_OK(test_sync_from_guest(&self->t, guest_mtrr, sizeof(guest_mtrr)));
	for (i = 0; i < NVAR; i++) {
		ASSERT_OK(libvmon_get_msr(&self->t.cpu, MTRR_PHYS_BASE0 + 2 * i, &v));
		mtrr[i] = v;
		EXPECT_EQ(guest_mtrr[i], mtrr[i]) TH_LOG("MTRR PHYSBASE%u", i);
	}
	RUN_EXPECT_UCALL(&self->t, &uc, UCALL_DONE);

	TH_LOG("%llu iterations (%llu exits in all), seen scheduled out mid-burst %llu times, "
	       "%llu confirmed moves; vCPU thread: %ld involuntary switches, %ld migrations",
	       (unsigned long long)iters, (unsigned long long)self->t.cpu.run->exit_count,
	       (unsigned long long)seen_mid_burst, (unsigned long long)moves_confirmed,
	       pre0 < 0 ? -1 : pre1 - pre0, mig0 < 0 ? -1 : mig1 - mig0);
	EXPECT_LE(4 * iters, self->t.cpu.run->exit_count)
		TH_LOG("fewer exits than the guest's CPUID/WRMSR/RDMSR");
	EXPECT_LE(SEEN_WANTED, seen_mid_burst)
		TH_LOG("the competitor on CPU %d did not see the guest scheduled out "
		       "in the middle of its burst", self->cpu[0]);
	if (moving) {
		EXPECT_LE(MOVES_WANTED, moves_confirmed)
			TH_LOG("the guest did not make progress on the CPU it was moved to");
		if (mig0 >= 0 && mig1 >= 0)
			EXPECT_LE(MOVES_WANTED, mig1 - mig0)
				TH_LOG("nr_migrations of the vCPU thread: %ld", mig1 - mig0);
	}
}

/* a wide limit: thousands of exits under an emulator, with competition */
TEST_F_TIMEOUT(burst, scheduled_out_by_competitor, 120)
{
	run_burst(_metadata, self, 0);
}

TEST_F_TIMEOUT(burst, moved_between_cpus, 120)
{
	if (self->cpu[1] < 0)
		SKIP(return, "one host CPU to run on: nothing to move the vCPU thread to");
	run_burst(_metadata, self, 1);
}

TEST_HARNESS_MAIN
