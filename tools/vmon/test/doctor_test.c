// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of vmon doctor (doctor*.c) and of the ABI refusal
 * (version.c): each test builds a machine as files in a temporary
 * directory (/proc, /sys, /lib/modules, /etc) plus fake CPUID, MSRs,
 * groups, commands and /dev/vmon, changes what its situation needs,
 * and checks the line that must say so and the exit status.
 */
#include <errno.h>
#include <time.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <linux/vmon.h>

#include "kselftest_harness.h"
#include "doctor.h"
#include "test_util.h"
#include "version.h"
#include "vmon.h"

#define REL	"6.1.0-57-amd64"
/* "ABI version N" for this vmon's version plus d */
static const char *abi_words(int d)
{
	static char buf[2][32];

	snprintf(buf[d], sizeof(buf[d]), "ABI version %d", VMON_API_VERSION + d);
	return buf[d];
}

#define VMON_GID 120

struct fake {
	char root[64];
	char vendor[13];	/* CPUID leaf 0 */
	char hv_sig[13];	/* CPUID leaf 0x40000000 */
	unsigned int ecx1;	/* CPUID.1:ECX */
	unsigned int ext_ecx1;	/* CPUID 8000_0001h:ECX */
	unsigned int ext_edx_a;	/* CPUID 8000_000Ah:EDX */
	int msr_err;		/* every MSR read fails with it, when not 0 */
	uint64_t feature_control, vm_cr, procbased, procbased2;
	bool dev_exists;
	mode_t dev_mode;	/* with S_IFCHR or not */
	gid_t dev_gid;
	uid_t euid;
	gid_t groups[4];
	int nr_groups;
	int api;		/* VMON_GET_API_VERSION, or -errno */
	const char *dkms;	/* "dkms status vmon" output; NULL: dkms not installed */
	const char *mokutil;	/* "mokutil --sb-state" output; NULL: not installed */
};

static struct fake *fake_of(const struct doctor_sys *sys)
{
	return sys->priv;
}

static void fake_cpuid(const struct doctor_sys *sys, unsigned int leaf, unsigned int subleaf,
		       unsigned int r[4])
{
	struct fake *f = fake_of(sys);

	memset(r, 0, 4 * sizeof(*r));
	switch (leaf) {
	case 0:
		r[0] = 0xd;
		memcpy(&r[1], f->vendor, 4);
		memcpy(&r[3], f->vendor + 4, 4);
		memcpy(&r[2], f->vendor + 8, 4);
		break;
	case 1:
		r[2] = f->ecx1;
		break;
	case 0x40000000:
		memcpy(&r[1], f->hv_sig, 12);
		break;
	case 0x80000000:
		r[0] = 0x8000001f;
		break;
	case 0x80000001:
		r[2] = f->ext_ecx1;
		break;
	case 0x8000000a:
		r[3] = f->ext_edx_a;
		break;
	}
}

static int fake_rdmsr(const struct doctor_sys *sys, unsigned int msr, uint64_t *val)
{
	struct fake *f = fake_of(sys);

	if (f->msr_err)
		return f->msr_err;
	switch (msr) {
	case 0x3a:
		*val = f->feature_control;
		return 0;
	case 0x482:
		*val = f->procbased;
		return 0;
	case 0x48b:
		*val = f->procbased2;
		return 0;
	case 0xc0010114:
		*val = f->vm_cr;
		return 0;
	}
	return -EIO;
}

static int fake_stat(const struct doctor_sys *sys, const char *path, struct stat *st)
{
	struct fake *f = fake_of(sys);
	char full[512];

	if (!strcmp(path, "/dev/vmon")) {
		if (!f->dev_exists)
			return -ENOENT;
		memset(st, 0, sizeof(*st));
		st->st_mode = f->dev_mode;
		st->st_gid = f->dev_gid;
		return 0;
	}
	return stat(doctor_path(sys, path, full, sizeof(full)), st) ? -errno : 0;
}

static int fake_run(const struct doctor_sys *sys, const char *const *argv, char *buf, size_t len)
{
	struct fake *f = fake_of(sys);
	const char *out = !strcmp(argv[0], "dkms") ? f->dkms :
			  !strcmp(argv[0], "mokutil") ? f->mokutil : NULL;

	buf[0] = 0;
	if (!out)
		return -ENOENT;
	snprintf(buf, len, "%s", out);
	return 0;
}

static uid_t fake_euid(const struct doctor_sys *sys)
{
	return fake_of(sys)->euid;
}

static int fake_groups(const struct doctor_sys *sys, gid_t *list, int max)
{
	struct fake *f = fake_of(sys);

	memcpy(list, f->groups, f->nr_groups * sizeof(gid_t));
	return f->nr_groups;
}

static int fake_api_version(const struct doctor_sys *sys)
{
	return fake_of(sys)->api;
}

/* root + path gets content (NULL: removed), directories made as needed */
static void put(struct fake *f, const char *path, const char *content)
{
	char full[512], cmd[600];
	FILE *file;

	snprintf(full, sizeof(full), "%s%s", f->root, path);
	if (!content) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", full);
		system(cmd);
		return;
	}
	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\"", full);
	system(cmd);
	file = fopen(full, "w");
	fputs(content, file);
	fclose(file);
}

/* a machine that can run guests: Intel, VT-x on, DKMS-built module loaded, alice in vmon */
static void good_machine(struct fake *f)
{
	strcpy(f->vendor, "GenuineIntel");
	f->ecx1 = 1u << 5;
	f->feature_control = 0x5;
	f->procbased = 1ull << 63;
	f->procbased2 = (1ull << 33) | (1ull << 39);
	f->dev_exists = true;
	f->dev_mode = S_IFCHR | 0660;
	f->dev_gid = VMON_GID;
	f->euid = 1000;
	f->groups[0] = 1000;
	f->groups[1] = VMON_GID;
	f->nr_groups = 2;
	f->api = VMON_API_VERSION;
	f->dkms = "vmon/0.1, " REL ", x86_64: installed\n";
	put(f, "/proc/cpuinfo", "processor\t: 0\nflags\t\t: fpu vme vmx sse\nvmx flags\t: vnmi ept unrestricted_guest\n");
	put(f, "/proc/modules", "vmon 217088 0 - Live 0x0000000000000000 (O)\nmsr 16384 0 - Live 0x0\n");
	put(f, "/proc/sys/kernel/osrelease", REL "\n");
	put(f, "/lib/modules/" REL "/updates/dkms/vmon.ko", "\177ELF...");
	put(f, "/lib/modules/" REL "/build/Makefile", "");
	put(f, "/sys/kernel/security/lockdown", "[none] integrity confidentiality\n");
	put(f, "/sys/module/vmon/initstate", "live\n");
	put(f, "/sys/module/vmon/version", "0.1\n");
	put(f, "/etc/group", "root:x:0:\nusers:x:100:\nvmon:x:120:alice\n");
	put(f, "/etc/passwd", "root:x:0:0:root:/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\n");
}

/* the same machine, vmon.ko not loaded (and so no /dev/vmon) */
static void unload(struct fake *f)
{
	put(f, "/sys/module/vmon", NULL);
	put(f, "/proc/modules", "msr 16384 0 - Live 0x0\n");
	f->dev_exists = false;
}

static void amd(struct fake *f)
{
	strcpy(f->vendor, "AuthenticAMD");
	f->ecx1 = 0;
	f->ext_ecx1 = 1u << 2;
	f->ext_edx_a = 1u << 0;
}

FIXTURE(doctor) {
	struct fake f;
	struct doctor_sys sys;
	char *out;
};

FIXTURE_SETUP(doctor)
{
	strcpy(self->f.root, "/tmp/vmon-doctor-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->f.root));
	self->sys = (struct doctor_sys){
		.root = self->f.root, .cpuid = fake_cpuid, .rdmsr = fake_rdmsr,
		.stat = fake_stat, .run = fake_run, .euid = fake_euid,
		.groups = fake_groups, .api_version = fake_api_version, .priv = &self->f,
	};
	good_machine(&self->f);
	self->out = NULL;
}

FIXTURE_TEARDOWN(doctor)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", self->f.root);
	system(cmd);
	free(self->out);
}

/* run the checks: the status, and the report in self->out */
static int doctor(struct __test_metadata *_metadata, FIXTURE_DATA(doctor) *self)
{
	size_t len;
	FILE *f = open_memstream(&self->out, &len);
	int status = doctor_run(&self->sys, f);

	fclose(f);
	return status;
}

/* is the line at p one of doctor_todo()'s, under the line before? */
static bool is_todo(const char *p)
{
	p += strspn(p, " ");
	return !strncmp(p, "-> ", 3);
}

/*
 * The report has a line starting with start (level and topic) that,
 * with the "->" lines under it, contains both words (NULL: any).
 */
static bool has_line(const char *out, const char *start, const char *word1, const char *word2)
{
	const char *line, *end;
	bool found = false;
	char *text;

	for (line = out; !found && line && *line; line = end ? end + 1 : NULL) {
		end = strchr(line, '\n');
		while (end && is_todo(end + 1))
			end = strchr(end + 1, '\n');
		text = strndup(line, end ? (size_t)(end - line) : strlen(line));
		found = !strncmp(text, start, strlen(start)) &&
			(!word1 || strstr(text, word1)) && (!word2 || strstr(text, word2));
		free(text);
	}
	return found;
}

#define EXPECT_LINE(start, w1, w2) \
	EXPECT_TRUE(has_line(self->out, start, w1, w2)) \
		TH_LOG("no line '%s' with '%s' and '%s' in:\n%s", start, w1, w2 ? w2 : "", self->out)
#define EXPECT_NO_FAIL() EXPECT_EQ(NULL, strstr(self->out, "FAIL")) TH_LOG("%s", self->out)

TEST_F(doctor, good_machine_can_run_guests)
{
	EXPECT_EQ(0, doctor(_metadata, self));
	EXPECT_NO_FAIL();
	EXPECT_LINE("ok    cpu", "GenuineIntel", "VT-x");
	EXPECT_LINE("ok    hypervisor", "no other hypervisor", NULL);
	EXPECT_LINE("ok    build", "/lib/modules/" REL "/updates/dkms/vmon.ko", "installed");
	EXPECT_LINE("ok    module", "vmon.ko 0.1 loaded", NULL);
	EXPECT_LINE("ok    device", "0660 group vmon", NULL);
	EXPECT_LINE("ok    abi", abi_words(0), NULL);
	EXPECT_LINE("verdict:", "can run guests", NULL);
}

TEST_F(doctor, cpu_without_vmx_or_svm)
{
	unload(&self->f);
	self->f.ecx1 = 0;
	EXPECT_EQ(VMON_STATUS_USAGE, doctor(_metadata, self));
	EXPECT_LINE("FAIL  cpu", "without VT-x (VMX) or AMD-V (SVM)", "emulator");
	EXPECT_LINE("verdict:", "cannot run guests", NULL);
}

TEST_F(doctor, vm_without_nested_virtualization)
{
	unload(&self->f);
	self->f.ecx1 = 1u << 31;
	memcpy(self->f.hv_sig, "KVMKVMKVM\0\0\0", 12);
	put(&self->f, "/sys/class/dmi/id/sys_vendor", "QEMU\n");
	put(&self->f, "/sys/class/dmi/id/product_name", "Standard PC (Q35 + ICH9, 2009)\n");
	EXPECT_EQ(VMON_STATUS_USAGE, doctor(_metadata, self));
	EXPECT_LINE("FAIL  cpu", "virtual machine (hypervisor 'KVMKVMKVM', DMI: QEMU Standard PC",
		    "without nested virtualization");
	EXPECT_LINE("FAIL  cpu", "kvm_intel nested=1", "-cpu host");
}

TEST_F(doctor, vm_with_nested_virtualization)
{
	self->f.ecx1 |= 1u << 31;
	memcpy(self->f.hv_sig, "KVMKVMKVM\0\0\0", 12);
	EXPECT_EQ(0, doctor(_metadata, self));
	EXPECT_LINE("note  vm", "offers nested VT-x", NULL);
}

TEST_F(doctor, vtx_without_ept)
{
	unload(&self->f);
	self->f.procbased2 = 1ull << 39;
	EXPECT_EQ(VMON_STATUS_USAGE, doctor(_metadata, self));
	EXPECT_LINE("FAIL  cpu", "VT-x without EPT", NULL);
}

TEST_F(doctor, vtx_disabled_in_firmware)
{
	unload(&self->f);
	self->f.feature_control = 0x1;
	EXPECT_EQ(VMON_STATUS_USAGE, doctor(_metadata, self));
	EXPECT_LINE("FAIL  firmware", "IA32_FEATURE_CONTROL = 0x1", "BIOS/UEFI setup");
}

TEST_F(doctor, vtx_unlocked_feature_control_is_fine)
{
	unload(&self->f);
	self->f.feature_control = 0x0;
	EXPECT_EQ(VMON_STATUS_USAGE, doctor(_metadata, self));
	EXPECT_LINE("ok    firmware", "not locked", NULL);
	EXPECT_LINE("FAIL  module", "not loaded", "modprobe vmon");
}

TEST_F(doctor, vtx_disabled_in_firmware_seen_without_msr)
{
	unload(&self->f);
	self->f.msr_err = -ENOENT;
	put(&self->f, "/proc/cpuinfo", "processor\t: 0\nflags\t\t: fpu vme sse\n");
	EXPECT_EQ(VMON_STATUS_USAGE, doctor(_metadata, self));
	EXPECT_LINE("FAIL  firmware", "left 'vmx' out of /proc/cpuinfo", "BIOS/UEFI setup");
}

TEST_F(doctor, firmware_unknown_without_msr_driver)
{
	unload(&self->f);
	self->f.msr_err = -ENOENT;
	put(&self->f, "/proc/cpuinfo", NULL);
	doctor(_metadata, self);
	EXPECT_LINE("?     firmware", "the msr module is not loaded", "modprobe msr");
}

TEST_F(doctor, svm_disabled_in_firmware)
{
	amd(&self->f);
	unload(&self->f);
	self->f.vm_cr = 1ull << 4;
	EXPECT_EQ(VMON_STATUS_USAGE, doctor(_metadata, self));
	EXPECT_LINE("ok    cpu", "AuthenticAMD with AMD-V", NULL);
	EXPECT_LINE("FAIL  firmware", "SVMDIS set", "SVM Mode");
}

TEST_F(doctor, svm_firmware_unknown_as_user)
{
	amd(&self->f);
	unload(&self->f);
	self->f.msr_err = -EACCES;
	doctor(_metadata, self);
	EXPECT_LINE("?     firmware", "cannot read VM_CR: reading MSRs needs root", NULL);
}

TEST_F(doctor, svm_without_npt)
{
	amd(&self->f);
	unload(&self->f);
	self->f.ext_edx_a = 0;
	EXPECT_EQ(VMON_STATUS_USAGE, doctor(_metadata, self));
	EXPECT_LINE("FAIL  cpu", "without nested paging (NPT)", NULL);
}

TEST_F(doctor, kvm_holds_svm_from_load_on_6_12)
{
	amd(&self->f);
	unload(&self->f);
	put(&self->f, "/proc/modules", "kvm_amd 200704 0 - Live 0x0\nkvm 1388544 1 kvm_amd, Live 0x0\n");
	put(&self->f, "/sys/module/kvm/parameters/enable_virt_at_load", "Y\n");
	EXPECT_EQ(VMON_STATUS_USAGE, doctor(_metadata, self));
	EXPECT_LINE("FAIL  hypervisor", "kvm_amd holds AMD-V", "kvm.enable_virt_at_load=Y");
	EXPECT_LINE("FAIL  hypervisor", "modprobe -r kvm_amd", "kvm.enable_virt_at_load=0");
}

TEST_F(doctor, idle_kvm_beside_vmon_before_6_12)
{
	put(&self->f, "/proc/modules", "vmon 217088 0 - Live 0x0\nkvm_intel 200704 0 - Live 0x0\n");
	EXPECT_EQ(0, doctor(_metadata, self));
	EXPECT_LINE("note  hypervisor", "kvm_intel is loaded", "no kvm.enable_virt_at_load");
}

TEST_F(doctor, virtualbox_beside_vmon)
{
	put(&self->f, "/proc/modules", "vmon 217088 0 - Live 0x0\nvboxdrv 700000 2 - Live 0x0\n");
	EXPECT_EQ(0, doctor(_metadata, self));
	EXPECT_LINE("note  hypervisor", "vboxdrv (VirtualBox)", "take turns");
}

TEST_F(doctor, module_not_built_for_this_kernel_dkms_knows_it)
{
	unload(&self->f);
	put(&self->f, "/lib/modules/" REL "/updates", NULL);
	self->f.dkms = "vmon/0.1, 6.12.118+deb12-amd64, x86_64: installed\n";
	EXPECT_EQ(VMON_STATUS_USAGE, doctor(_metadata, self));
	EXPECT_LINE("FAIL  build", "no vmon.ko for the running kernel " REL, "DKMS: vmon/0.1, 6.12");
	EXPECT_LINE("FAIL  build", "dkms autoinstall -k " REL, NULL);
	EXPECT_LINE("FAIL  module", "not loaded", "install it for this kernel");
}

TEST_F(doctor, module_not_built_no_dkms_no_headers)
{
	unload(&self->f);
	put(&self->f, "/lib/modules/" REL, NULL);
	self->f.dkms = NULL;
	EXPECT_EQ(VMON_STATUS_USAGE, doctor(_metadata, self));
	EXPECT_LINE("FAIL  build", "apt install linux-headers-" REL, "make dkms-install");
}

TEST_F(doctor, loaded_but_not_installed_is_a_note)
{
	put(&self->f, "/lib/modules/" REL "/updates", NULL);
	EXPECT_EQ(0, doctor(_metadata, self));
	EXPECT_LINE("note  build", "not load after a reboot", NULL);
}

TEST_F(doctor, lockdown_refuses_unsigned_module)
{
	unload(&self->f);
	put(&self->f, "/sys/kernel/security/lockdown", "none [integrity] confidentiality\n");
	self->f.mokutil = "SecureBoot enabled\n";
	EXPECT_EQ(VMON_STATUS_USAGE, doctor(_metadata, self));
	EXPECT_LINE("FAIL  lockdown", "lockdown: integrity; SecureBoot enabled", "is not signed");
	EXPECT_LINE("FAIL  lockdown", "mokutil --import /var/lib/dkms/mok.pub", NULL);
}

TEST_F(doctor, lockdown_with_signed_module)
{
	unload(&self->f);
	put(&self->f, "/sys/kernel/security/lockdown", "none [integrity] confidentiality\n");
	put(&self->f, "/lib/modules/" REL "/updates/dkms/vmon.ko",
	    "\177ELF...sig~Module signature appended~\n");
	doctor(_metadata, self);
	EXPECT_LINE("note  lockdown", "vmon.ko is signed", "mokutil --test-key");
	EXPECT_FALSE(has_line(self->out, "FAIL  lockdown", NULL, NULL));
}

TEST_F(doctor, lockdown_accepted_the_loaded_module)
{
	put(&self->f, "/sys/kernel/security/lockdown", "none [integrity] confidentiality\n");
	EXPECT_EQ(0, doctor(_metadata, self));
	EXPECT_LINE("ok    lockdown", "accepted vmon's", NULL);
}

TEST_F(doctor, module_not_loaded)
{
	unload(&self->f);
	EXPECT_EQ(VMON_STATUS_USAGE, doctor(_metadata, self));
	EXPECT_LINE("FAIL  module", "vmon.ko is not loaded", "modprobe vmon");
	EXPECT_LINE("FAIL  device", "no /dev/vmon", NULL);
	EXPECT_LINE("?     abi", "not checked", NULL);
	EXPECT_LINE("verdict:", "2 problems", NULL);
}

TEST_F(doctor, device_missing_with_module_loaded)
{
	self->f.dev_exists = false;
	EXPECT_EQ(VMON_STATUS_USAGE, doctor(_metadata, self));
	EXPECT_LINE("FAIL  device", "although vmon.ko is loaded", "udevadm trigger");
}

TEST_F(doctor, user_not_in_group_vmon)
{
	put(&self->f, "/etc/group", "vmon:x:120:\n");
	self->f.nr_groups = 1;
	EXPECT_EQ(VMON_STATUS_USAGE, doctor(_metadata, self));
	EXPECT_LINE("FAIL  device", "alice is not in group vmon", "usermod -aG vmon alice");
}

TEST_F(doctor, user_added_to_group_after_login)
{
	self->f.nr_groups = 1;
	EXPECT_EQ(VMON_STATUS_USAGE, doctor(_metadata, self));
	EXPECT_LINE("FAIL  device", "alice is in group vmon", "log out and in again");
}

TEST_F(doctor, device_without_udev_rule)
{
	self->f.dev_mode = S_IFCHR | 0600;
	self->f.dev_gid = 0;
	EXPECT_EQ(VMON_STATUS_USAGE, doctor(_metadata, self));
	EXPECT_LINE("FAIL  device", "mode 0600 group root", "60-vmon.rules");
}

TEST_F(doctor, root_may_open_a_root_only_device)
{
	self->f.dev_mode = S_IFCHR | 0600;
	self->f.dev_gid = 0;
	self->f.euid = 0;
	EXPECT_EQ(0, doctor(_metadata, self));
	EXPECT_LINE("ok    device", "group root", NULL);
}

TEST_F(doctor, abi_mismatch)
{
	char mod[64], tool_buf[64];
	const char *tool = tool_buf;

	put(&self->f, "/sys/module/vmon/version", "0.2\n");
	self->f.api = VMON_API_VERSION + 1;
	EXPECT_EQ(VMON_STATUS_USAGE, doctor(_metadata, self));
	snprintf(mod, sizeof(mod), "vmon.ko 0.2 speaks %s", abi_words(1));
	snprintf(tool_buf, sizeof(tool_buf), "this vmon " VMON_VERSION " speaks %s",
		 abi_words(0));
	EXPECT_LINE("FAIL  abi", mod, tool);
	EXPECT_LINE("FAIL  abi", "of one release", "modprobe -r vmon");
}

TEST_F(doctor, abi_ioctl_fails)
{
	self->f.api = -ENOTTY;
	EXPECT_EQ(VMON_STATUS_USAGE, doctor(_metadata, self));
	EXPECT_LINE("FAIL  abi", "VMON_GET_API_VERSION", NULL);
}

TEST(check_api_refuses_another_abi_naming_both)
{
	int saved = capture_begin(2);
	int ret = vmon_check_api(VMON_API_VERSION + 1, "9.9", false);
	char *msg = capture_end(2, saved);
	char want[128];

	snprintf(want, sizeof(want), "vmon: vmon.ko 9.9 speaks %s, this vmon " VMON_VERSION
		 " speaks %s", abi_words(1), abi_words(0));
	EXPECT_EQ(-EPROTO, ret);
	EXPECT_NE(NULL, strstr(msg, want)) TH_LOG("%s", msg);
	EXPECT_NE(NULL, strstr(msg, "of one release")) TH_LOG("%s", msg);
	free(msg);

	saved = capture_begin(2);
	ret = vmon_check_api(VMON_API_VERSION + 1, NULL, true);
	msg = capture_end(2, saved);
	EXPECT_EQ(-EPROTO, ret);
	EXPECT_STREQ("", msg);
	free(msg);
}

TEST(check_api_accepts_its_own)
{
	int saved = capture_begin(2);
	int ret = vmon_check_api(VMON_API_VERSION, "0.1", false);
	char *msg = capture_end(2, saved);

	EXPECT_EQ(0, ret);
	EXPECT_STREQ("", msg);
	free(msg);
}

TEST(doctor_takes_no_arguments)
{
	char *argv[] = { "doctor", "--fix", NULL };
	int saved = capture_begin(2);
	int ret = cmd_doctor(2, argv);
	char *msg = capture_end(2, saved);

	EXPECT_EQ(VMON_STATUS_USAGE, ret);
	EXPECT_NE(NULL, strstr(msg, "unexpected argument '--fix'"));
	free(msg);
}

/* a helper that never finishes is killed: the doctor itself must not hang */
TEST(helper_that_hangs_is_killed)
{
	static const char *const argv[] = { "sleep", "60", NULL };
	struct timespec t0, t1;
	char out[64];
	int r;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	r = doctor_host.run(&doctor_host, argv, out, sizeof(out));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	EXPECT_EQ(-ETIMEDOUT, r);
	EXPECT_GT(30, t1.tv_sec - t0.tv_sec);
}

TEST_HARNESS_MAIN
