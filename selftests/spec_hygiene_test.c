// SPDX-License-Identifier: GPL-2.0-only
/*
 * Speculation hygiene around VM entry and exit (kmod/spec.c): what vmon
 * reports in /sys/module/vmon/parameters/mitigations agrees with what
 * the host kernel reports in /sys/devices/system/cpu/vulnerabilities/,
 * the load-time log line says the same, the report cannot be written,
 * and guests still compute correctly across exits with it all in force
 * (two VMs taking turns on one thread, so that a CPU switches VMs at
 * every exit).
 *
 * The rig boots with mitigations=off (nothing to do) and once more with
 * mitigations=auto (rig/check.sh, the "+mitigations" machines): QEMU's
 * CPU then reports "RSB filling", Bochs' also MDS (VERW) and L1TF
 * (L1D flush), so both directions of each rule get exercised.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "test_vm.h"

#define PARAM_PATH	"/sys/module/vmon/parameters/mitigations"
#define VULN_DIR	"/sys/devices/system/cpu/vulnerabilities/"

static const char * const known_tokens[] = {
	"rsb_fill", "rsb_lite", "ibrs_exit", "untrain_ret", "ibpb_exit",
	"ibpb_vm_switch", "bhb_clear", "verw", "l1d_flush", "l1d_flush_sw",
	"ibpb_to_user", "div0", NULL
};

/* whole small file, trailing newline cut; "" when absent */
static void read_text(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	buf[0] = 0;
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		n = 0;
	buf[n] = 0;
	if (n && buf[n - 1] == '\n')
		buf[n - 1] = 0;
}

static void read_vuln(const char *name, char *buf, size_t len)
{
	char path[128];

	snprintf(path, sizeof(path), VULN_DIR "%s", name);
	read_text(path, buf, len);
}

/* is tok one of the space-separated words of list? */
static bool has_token(const char *list, const char *tok)
{
	size_t n = strlen(tok);
	const char *p = list;

	while ((p = strstr(p, tok))) {
		if ((p == list || p[-1] == ' ') && (p[n] == 0 || p[n] == ' '))
			return true;
		p += n;
	}
	return false;
}

static bool has(const char *s, const char *sub)
{
	return strstr(s, sub) != NULL;
}

static uint32_t backend(void)
{
	struct vmon_caps caps;
	int fd = open(VMON_DEVICE_PATH, O_RDWR);
	uint32_t b = VMON_BACKEND_NONE;

	if (fd >= 0 && !libvmon_get_caps(fd, &caps))
		b = caps.backend;
	if (fd >= 0)
		close(fd);
	return b;
}

TEST(report_is_complete_and_read_only)
{
	char mit[512], copy[512], *tok, *save;
	int fd;

	SKIP_IF_NO_VMON();
	read_text(PARAM_PATH, mit, sizeof(mit));
	ASSERT_NE(0, mit[0]) TH_LOG("%s is missing or empty", PARAM_PATH);
	TH_LOG("vmon: %s", mit);

	strcpy(copy, mit);
	for (tok = strtok_r(copy, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		const char * const *k;
		bool known = !strcmp(tok, "none") && !strcmp(mit, "none");

		for (k = known_tokens; *k && !known; k++)
			known = !strcmp(*k, tok);
		EXPECT_TRUE(known) TH_LOG("unknown token '%s' in '%s'", tok, mit);
	}

	/* mode 0444 and no store method: even root cannot open it for writing */
	fd = open(PARAM_PATH, O_WRONLY);
	if (fd >= 0) {
		EXPECT_GT(0, write(fd, "none\n", 5)) TH_LOG("%s accepted a write", PARAM_PATH);
		close(fd);
	}
}

/* the one line printed at load lists the same decisions */
TEST(load_log_line_matches)
{
	static const char key[] = "vmon: speculation mitigations at VM entry/exit: ";
	char mit[512], rec[1024], *p, found[512] = "";
	ssize_t n;
	int fd;

	SKIP_IF_NO_VMON();
	read_text(PARAM_PATH, mit, sizeof(mit));
	fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	if (fd < 0)
		SKIP(return, "no /dev/kmsg");
	/* one record per read(); EPIPE: records were overwritten, go on */
	while ((n = read(fd, rec, sizeof(rec) - 1)) > 0 || (n < 0 && errno == EPIPE)) {
		if (n <= 0)
			continue;
		rec[n] = 0;
		p = strstr(rec, key);
		if (!p)
			continue;
		p += strlen(key);
		p[strcspn(p, "\n")] = 0;
		snprintf(found, sizeof(found), "%s", p);	/* the last load wins */
	}
	close(fd);
	ASSERT_NE(0, found[0]) TH_LOG("no '%s' line in the kernel log", key);
	EXPECT_STREQ(mit, found);
}

/*
 * Each rule pairs a vmon decision with what the host kernel prints
 * for the feature bit behind it (arch/x86/kernel/cpu/bugs.c of 6.1).
 */
TEST(decisions_match_host_vulnerabilities)
{
	char mit[512], v2[512], retbleed[256], srso[256], mds[256], taa[256];
	char mmio[256], rfds[256], l1tf[256], tsa[256], vmscape[256];
	bool vmx, ibpb_exit_host, want, rsb_cleared;
	uint32_t b;

	SKIP_IF_NO_VMON();
	b = backend();
	ASSERT_TRUE(b == VMON_BACKEND_VMX || b == VMON_BACKEND_SVM);
	vmx = b == VMON_BACKEND_VMX;
	read_text(PARAM_PATH, mit, sizeof(mit));
	ASSERT_NE(0, mit[0]) TH_LOG("%s is missing or empty", PARAM_PATH);
	read_vuln("spectre_v2", v2, sizeof(v2));
	read_vuln("retbleed", retbleed, sizeof(retbleed));
	read_vuln("spec_rstack_overflow", srso, sizeof(srso));
	read_vuln("mds", mds, sizeof(mds));
	read_vuln("tsx_async_abort", taa, sizeof(taa));
	read_vuln("mmio_stale_data", mmio, sizeof(mmio));
	read_vuln("reg_file_data_sampling", rfds, sizeof(rfds));
	read_vuln("l1tf", l1tf, sizeof(l1tf));
	read_vuln("tsa", tsa, sizeof(tsa));
	read_vuln("vmscape", vmscape, sizeof(vmscape));
	ASSERT_NE(0, v2[0]) TH_LOG("no " VULN_DIR "spectre_v2");
	TH_LOG("vmon: %s; spectre_v2: %s", mit, v2);

	/* IBPB on every exit (retbleed=ibpb, SRSO IBPB) replaces the RSB fill */
	ibpb_exit_host = has(retbleed, "Mitigation: IBPB") || has(srso, "Mitigation: IBPB");
	rsb_cleared = has(retbleed, "IBPB") || has(srso, "IBPB");
	if (has_token(mit, "ibpb_exit"))
		EXPECT_TRUE(rsb_cleared) TH_LOG("ibpb_exit, but retbleed '%s', srso '%s'",
						retbleed, srso);
	if (ibpb_exit_host)
		EXPECT_TRUE(has_token(mit, "ibpb_exit"));

	/* spectre_v2 "RSB filling": RSB_CTXSW, set together with RSB_VMEXIT */
	if (has(v2, "RSB filling") && !rsb_cleared)
		EXPECT_TRUE(has_token(mit, "rsb_fill")) TH_LOG("host fills the RSB, vmon does not");
	if (has_token(mit, "rsb_fill"))
		EXPECT_TRUE(has(v2, "RSB filling"));
	if (has(v2, "PBRSB-eIBRS: SW sequence"))
		EXPECT_TRUE(has_token(mit, "rsb_fill") || has_token(mit, "rsb_lite"));
	if (has_token(mit, "rsb_lite"))
		EXPECT_TRUE(has(v2, "PBRSB-eIBRS: SW sequence"));

	/* legacy IBRS in the kernel: "Mitigation: IBRS" (eIBRS reads "Enhanced") */
	want = !strncmp(v2, "Mitigation: IBRS", 16);
	EXPECT_EQ(want, has_token(mit, "ibrs_exit")) TH_LOG("spectre_v2 '%s'", v2);

	/* IBPB in use for user space: vmon separates VMs with it too */
	want = (has(v2, "IBPB: always-on") || has(v2, "IBPB: conditional")) &&
	       !has_token(mit, "ibpb_exit");
	EXPECT_EQ(want, has_token(mit, "ibpb_vm_switch")) TH_LOG("spectre_v2 '%s'", v2);

	want = has(v2, "KVM: SW loop");
	EXPECT_EQ(want, has_token(mit, "bhb_clear")) TH_LOG("spectre_v2 '%s'", v2);

	want = has(vmscape, "IBPB before exit to userspace");
	EXPECT_EQ(want, has_token(mit, "ibpb_to_user")) TH_LOG("vmscape '%s'", vmscape);

	if (has(retbleed, "Mitigation: untrained return thunk") ||
	    has(retbleed, "Mitigation: IBPB"))
		EXPECT_TRUE(has_token(mit, "untrain_ret")) TH_LOG("retbleed '%s'", retbleed);
	if (has_token(mit, "untrain_ret"))
		EXPECT_TRUE(has(retbleed, "untrained") || has(retbleed, "IBPB") ||
			    has(srso, "IBPB") || has(srso, "Safe RET"));

	if (vmx) {
		/* VERW: CLEAR_CPU_BUF, set by MDS, TAA, RFDS, and MMIO on MDS/TAA parts */
		want = has(mds, "Clear CPU buffers") || has(taa, "Clear CPU buffers") ||
		       has(rfds, "Clear Register File");
		if (want)
			EXPECT_TRUE(has_token(mit, "verw")) TH_LOG("mds '%s', taa '%s', rfds '%s'",
								   mds, taa, rfds);
		if (has_token(mit, "verw"))
			EXPECT_TRUE(want || has(mmio, "Clear CPU buffers") ||
				    has(tsa, "Clear CPU buffers"));

		/* vmon writes the VMX part of the l1tf file unless kvm_intel did */
		if (!has(l1tf, "Not affected")) {
			EXPECT_TRUE(has(l1tf, "VMX: ")) TH_LOG("l1tf '%s'", l1tf);
			want = has(l1tf, "VMX: cache flushes") ||
			       has(l1tf, "VMX: conditional cache flushes");
		} else {
			want = false;
		}
		EXPECT_EQ(want, has_token(mit, "l1d_flush") || has_token(mit, "l1d_flush_sw"))
			TH_LOG("l1tf '%s'", l1tf);
		EXPECT_FALSE(has_token(mit, "div0"));
	} else {
		/* SVM: VERW only for TSA's VM mode (CLEAR_CPU_BUF_VM) */
		want = has(tsa, "Mitigation: Clear CPU buffers") &&
		       !has(tsa, "user/kernel boundary");
		EXPECT_EQ(want, has_token(mit, "verw")) TH_LOG("tsa '%s'", tsa);
		EXPECT_FALSE(has_token(mit, "l1d_flush") || has_token(mit, "l1d_flush_sw"));
	}
}

#define TURNS		500
#define PORT		0x40

/*
 * Work that lives in registers across exits: a register the world
 * switch clobbered, or a value the clearing of registers leaked into
 * the guest, would break the sums.
 */
static void guest_sums(uint64_t seed)
{
	uint64_t a = seed, b = ~seed, i;

	for (i = 0; i < TURNS; i++) {
		guest_outl(PORT, (uint32_t)(seed + i));
		a = a * 6364136223846793005ULL + i;
		b ^= a >> 7;
	}
	GUEST_SYNC_ARGS(1, a, b, 0);
	GUEST_DONE();
}

static void host_sums(uint64_t seed, uint64_t *pa, uint64_t *pb)
{
	uint64_t a = seed, b = ~seed, i;

	for (i = 0; i < TURNS; i++) {
		a = a * 6364136223846793005ULL + i;
		b ^= a >> 7;
	}
	*pa = a;
	*pb = b;
}

/* two VMs take turns on this thread: the CPU switches VMs at every exit */
TEST(two_vms_take_turns)
{
	static struct test_vm t[2];
	static const uint64_t seeds[2] = { 0x1000, 0x7000000 };
	struct ucall uc;
	unsigned int i, v;

	SKIP_IF_NO_VMON();
	for (v = 0; v < 2; v++)
		ASSERT_OK(test_vm_create_c(&t[v], guest_sums, seeds[v]));

	for (i = 0; i < TURNS; i++) {
		for (v = 0; v < 2; v++) {
			struct vmon_run *run = t[v].cpu.run;
			int r = libvmon_cpu_run(&t[v].cpu);

			if (r || run->exit_reason != VMON_EXIT_IO || run->io.port != PORT ||
			    run->io.data != (uint32_t)(seeds[v] + i))
				ASSERT_TRUE(0) TH_LOG("VM %u turn %u: expected OUT 0x%x data 0x%x, got %d %s",
						      v, i, PORT, (uint32_t)(seeds[v] + i), r,
						      test_describe_exit(&t[v].cpu));
		}
	}
	for (v = 0; v < 2; v++) {
		uint64_t a, b;

		host_sums(seeds[v], &a, &b);
		RUN_EXPECT_UCALL(&t[v], &uc, UCALL_SYNC);
		EXPECT_EQ(a, uc.args[1]);
		EXPECT_EQ(b, uc.args[2]);
		RUN_EXPECT_UCALL(&t[v], &uc, UCALL_DONE);
	}
	for (v = 0; v < 2; v++)
		test_vm_destroy(&t[v]);
}

TEST_HARNESS_MAIN
