// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmon doctor, the hardware: does the CPU offer VT-x or AMD-V (and, in
 * a virtual machine, nested virtualization), did the firmware leave it
 * enabled, and does another hypervisor hold it?
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "doctor.h"
#include "vmon.h"

/* SDM Vol. 3C 24.6 "Discovering Support for VMX": CPUID.1:ECX[5] */
#define CPUID_1_ECX_VMX			(1u << 5)
/* set by hypervisors for their guests; leaf 0x40000000 names them */
#define CPUID_1_ECX_HYPERVISOR		(1u << 31)
/* APM Vol. 2 15.4 "Enabling SVM": CPUID Fn8000_0001_ECX[2] */
#define CPUID_80000001_ECX_SVM		(1u << 2)
/* APM Vol. 2 15.25 "Nested Paging": CPUID Fn8000_000A_EDX[0] */
#define CPUID_8000000A_EDX_NP		(1u << 0)

/* SDM Vol. 3C 24.7 "Enabling and Entering VMX Operation" */
#define MSR_IA32_FEATURE_CONTROL	0x3a
#define FEATURE_CONTROL_LOCKED		(1ull << 0)
#define FEATURE_CONTROL_VMX_OUTSIDE_SMX	(1ull << 2)
/* SDM Vol. 3D A.3.2, A.3.3: allowed-1 settings in the upper 32 bits */
#define MSR_IA32_VMX_PROCBASED_CTLS	0x482
#define MSR_IA32_VMX_PROCBASED_CTLS2	0x48b
#define PROCBASED_SECONDARY		(1ull << (32 + 31))
#define PROCBASED2_EPT			(1ull << (32 + 1))
#define PROCBASED2_UNRESTRICTED		(1ull << (32 + 7))
/* APM Vol. 2 15.30.1 "VM_CR MSR": bit 4, SVMDIS */
#define MSR_VM_CR			0xc0010114
#define VM_CR_SVMDIS			(1ull << 4)

static void cpuid(struct doctor *d, unsigned int leaf, unsigned int regs[4])
{
	d->sys->cpuid(d->sys, leaf, 0, regs);
}

/*
 * Does the first line of /proc/cpuinfo starting with field ("flags",
 * "vmx flags") list word?  1 yes, 0 no, -ENOENT without such a line,
 * -errno when unreadable.
 */
static int cpuinfo_has(struct doctor *d, const char *field, const char *word)
{
	static char buf[16384];
	size_t flen = strlen(field);
	char *line, *save = NULL, *w;
	int ret = doctor_read(d->sys, "/proc/cpuinfo", buf, sizeof(buf), false);

	if (ret < 0)
		return ret;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, field, flen) || (line[flen] != '\t' && line[flen] != ' '))
			continue;
		line = strchr(line, ':');
		if (!line)
			return 0;
		for (w = strtok(line + 1, " \t"); w; w = strtok(NULL, " \t"))
			if (!strcmp(w, word))
				return 1;
		return 0;
	}
	return -ENOENT;
}

/* the hypervisor's name from CPUID 0x40000000 and DMI, for the messages */
static void describe_vm(struct doctor *d, char *buf, size_t len)
{
	unsigned int r[4];
	char sig[13], vendor[64] = "", product[64] = "";

	cpuid(d, 0x40000000, r);
	memcpy(sig, &r[1], 4);
	memcpy(sig + 4, &r[2], 4);
	memcpy(sig + 8, &r[3], 4);
	sig[12] = 0;
	doctor_read(d->sys, "/sys/class/dmi/id/sys_vendor", vendor, sizeof(vendor), true);
	doctor_read(d->sys, "/sys/class/dmi/id/product_name", product, sizeof(product), true);
	snprintf(buf, len, "hypervisor '%s'%s%s%s%s", sig[0] ? sig : "unnamed",
		 vendor[0] || product[0] ? ", DMI: " : "", vendor,
		 vendor[0] && product[0] ? " " : "", product);
}

/* what vmon needs beyond the extension itself: EPT and unrestricted guest, or NPT */
static void check_paging(struct doctor *d)
{
	uint64_t ctls, ctls2;
	unsigned int r[4];
	int ept, ug;

	if (d->vendor == DOCTOR_AMD) {
		cpuid(d, 0x80000000, r);
		if (r[0] >= 0x8000000a) {
			cpuid(d, 0x8000000a, r);
			if (r[3] & CPUID_8000000A_EDX_NP)
				return;
		}
		doctor_line(d, DOCTOR_FAIL, "cpu", "AMD-V without nested paging (NPT): vmon needs it");
		doctor_todo(d, "use a CPU with NPT (every AMD-V CPU since 2008), or, in a VM, give it the host's CPU model");
		return;
	}
	if (!d->sys->rdmsr(d->sys, MSR_IA32_VMX_PROCBASED_CTLS, &ctls) &&
	    !d->sys->rdmsr(d->sys, MSR_IA32_VMX_PROCBASED_CTLS2, &ctls2)) {
		if (!(ctls & PROCBASED_SECONDARY))
			ctls2 = 0;
		ept = !!(ctls2 & PROCBASED2_EPT);
		ug = !!(ctls2 & PROCBASED2_UNRESTRICTED);
	} else {
		/* Linux lists the VMX features in /proc/cpuinfo since 5.8 */
		ept = cpuinfo_has(d, "vmx flags", "ept");
		ug = cpuinfo_has(d, "vmx flags", "unrestricted_guest");
		if (ept < 0 || ug < 0)
			return;	/* cannot tell: the module will say when it loads */
	}
	if (ept > 0 && ug > 0)
		return;
	doctor_line(d, DOCTOR_FAIL, "cpu", "VT-x without %s: vmon needs EPT and unrestricted guest",
		    ept > 0 ? "unrestricted guest" : "EPT");
	doctor_todo(d, "use a CPU with both (Intel since Westmere, 2010), or, in a VM, give it the host's CPU model");
}

void doctor_check_cpu(struct doctor *d)
{
	unsigned int r[4];
	char vendor[13], vm[160];

	cpuid(d, 0, r);
	memcpy(vendor, &r[1], 4);
	memcpy(vendor + 4, &r[3], 4);
	memcpy(vendor + 8, &r[2], 4);
	vendor[12] = 0;
	if (!strcmp(vendor, "GenuineIntel"))
		d->vendor = DOCTOR_INTEL;
	else if (!strcmp(vendor, "AuthenticAMD") || !strcmp(vendor, "HygonGenuine"))
		d->vendor = DOCTOR_AMD;

	cpuid(d, 1, r);
	d->in_vm = r[2] & CPUID_1_ECX_HYPERVISOR;
	if (d->vendor == DOCTOR_INTEL) {
		d->has_hw = r[2] & CPUID_1_ECX_VMX;
	} else if (d->vendor == DOCTOR_AMD) {
		cpuid(d, 0x80000000, r);
		if (r[0] >= 0x80000001) {
			cpuid(d, 0x80000001, r);
			d->has_hw = r[2] & CPUID_80000001_ECX_SVM;
		}
	}
	if (d->in_vm)
		describe_vm(d, vm, sizeof(vm));

	if (d->has_hw) {
		doctor_line(d, DOCTOR_OK, "cpu", "%s with %s", vendor,
			    d->vendor == DOCTOR_INTEL ? "VT-x (CPUID.1:ECX.VMX)" :
			    "AMD-V (CPUID 8000_0001h:ECX.SVM)");
		if (d->in_vm)
			doctor_line(d, DOCTOR_NOTE, "vm", "a virtual machine (%s) that offers nested %s",
				    vm, d->vendor == DOCTOR_INTEL ? "VT-x" : "AMD-V");
		if (!d->loaded)	/* else the module found what it needs */
			check_paging(d);
		return;
	}
	if (d->in_vm) {
		doctor_line(d, DOCTOR_FAIL, "cpu", "%s without VT-x or AMD-V: this is a virtual machine (%s) without nested virtualization",
			    vendor, vm);
		doctor_todo(d, "on the host, enable nested virtualization ('modprobe kvm_intel nested=1' or 'kvm_amd nested=1', or the hypervisor's setting) and give this VM the host's CPU model ('-cpu host', libvirt 'host-passthrough')");
		return;
	}
	doctor_line(d, DOCTOR_FAIL, "cpu", "%s without VT-x (VMX) or AMD-V (SVM): vmon cannot run on this CPU",
		    vendor);
	doctor_todo(d, "use a machine whose CPU has them; without one, vmon runs in an emulator that offers them ('make check' boots QEMU with SVM and Bochs with VMX)");
}

static const char *msr_error(int err)
{
	switch (err) {
	case -ENOENT:
	case -ENODEV:
	case -ENXIO:
		return "no /dev/cpu/0/msr: the msr module is not loaded";
	case -EACCES:
	case -EPERM:
		return "reading MSRs needs root";
	}
	return strerror(-err);
}

static void check_feature_control(struct doctor *d)
{
	uint64_t fc;
	int err = d->sys->rdmsr(d->sys, MSR_IA32_FEATURE_CONTROL, &fc), flag;

	if (!err) {
		if (!(fc & FEATURE_CONTROL_LOCKED))
			doctor_line(d, DOCTOR_OK, "firmware", "IA32_FEATURE_CONTROL = 0x%llx is not locked: vmon locks it with VMX on when it loads",
				    (unsigned long long)fc);
		else if (fc & FEATURE_CONTROL_VMX_OUTSIDE_SMX)
			doctor_line(d, DOCTOR_OK, "firmware", "VT-x enabled (IA32_FEATURE_CONTROL = 0x%llx: locked, VMX outside SMX on)",
				    (unsigned long long)fc);
		else
			goto disabled;
		return;
	}
	/*
	 * Without the MSR: Linux clears the "vmx" flag of /proc/cpuinfo when
	 * the firmware locked IA32_FEATURE_CONTROL with VMX off, though
	 * CPUID still has it (arch/x86/kernel/cpu/feat_ctl.c).
	 */
	flag = cpuinfo_has(d, "flags", "vmx");
	if (flag > 0) {
		doctor_line(d, DOCTOR_OK, "firmware", "VT-x enabled ('vmx' in /proc/cpuinfo; IA32_FEATURE_CONTROL unread: %s)",
			    msr_error(err));
		return;
	}
	if (flag == 0) {
		fc = 0;
		goto disabled;
	}
	doctor_line(d, DOCTOR_UNKNOWN, "firmware", "cannot read IA32_FEATURE_CONTROL: %s",
		    msr_error(err));
	doctor_todo(d, "as root: 'modprobe msr', then 'vmon doctor' again");
	return;

disabled:
	if (fc)
		doctor_line(d, DOCTOR_FAIL, "firmware", "VT-x is disabled in the firmware (IA32_FEATURE_CONTROL = 0x%llx: locked, VMX outside SMX off)",
			    (unsigned long long)fc);
	else
		doctor_line(d, DOCTOR_FAIL, "firmware", "VT-x is disabled in the firmware (CPUID has VMX, but the kernel left 'vmx' out of /proc/cpuinfo)");
	doctor_todo(d, "enable \"Intel Virtualization Technology\" (VT-x) in the BIOS/UEFI setup, then power the machine off and on");
}

static void check_vm_cr(struct doctor *d)
{
	uint64_t vm_cr;
	int err = d->sys->rdmsr(d->sys, MSR_VM_CR, &vm_cr);

	if (err) {
		doctor_line(d, DOCTOR_UNKNOWN, "firmware", "cannot read VM_CR: %s", msr_error(err));
		doctor_todo(d, "as root: 'modprobe msr', then 'vmon doctor' again");
	} else if (vm_cr & VM_CR_SVMDIS) {
		doctor_line(d, DOCTOR_FAIL, "firmware", "AMD-V is disabled in the firmware (VM_CR = 0x%llx: SVMDIS set)",
			    (unsigned long long)vm_cr);
		doctor_todo(d, "enable \"SVM Mode\" (AMD-V) in the BIOS/UEFI setup, then power the machine off and on");
	} else {
		doctor_line(d, DOCTOR_OK, "firmware", "AMD-V enabled (VM_CR = 0x%llx: SVMDIS clear)",
			    (unsigned long long)vm_cr);
	}
}

void doctor_check_firmware(struct doctor *d)
{
	if (!d->has_hw)
		return;
	if (d->loaded)
		doctor_line(d, DOCTOR_OK, "firmware", "%s enabled (vmon.ko loaded, which needs it)",
			    d->vendor == DOCTOR_INTEL ? "VT-x" : "AMD-V");
	else if (d->vendor == DOCTOR_INTEL)
		check_feature_control(d);
	else
		check_vm_cr(d);
}

/*
 * The users of /proc/modules' reference count column for module name:
 * -1 when it is not loaded.
 */
static int module_refs(struct doctor *d, const char *modules, const char *name)
{
	size_t len = strlen(name);
	const char *line;

	for (line = modules; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		unsigned long size;
		int refs;

		if (strncmp(line, name, len) || line[len] != ' ')
			continue;
		if (sscanf(line + len, "%lu %d", &size, &refs) != 2)
			return 0;
		return refs;
	}
	return -1;
}

/* kvm_intel/kvm_amd: since Linux 6.12 KVM may take VT-x/AMD-V when it loads */
static void check_kvm(struct doctor *d, const char *mod, int refs, const char *ext)
{
	char at_load[8] = "";

	doctor_read(d->sys, "/sys/module/kvm/parameters/enable_virt_at_load", at_load,
		    sizeof(at_load), true);
	if (at_load[0] == 'Y' && !d->loaded) {
		doctor_line(d, DOCTOR_FAIL, "hypervisor", "%s holds %s: KVM takes it as soon as %s loads (kvm.enable_virt_at_load=Y)",
			    mod, ext, mod);
		doctor_todo(d, "'modprobe -r %s' (ends KVM's VMs), or load kvm with enable_virt_at_load=0 ('kvm.enable_virt_at_load=0' on the kernel command line, or 'options kvm enable_virt_at_load=0' in /etc/modprobe.d/) so that KVM holds %s only while it runs VMs; then 'modprobe vmon'",
			    mod, ext);
		return;
	}
	if (at_load[0] == 'Y') {
		doctor_line(d, DOCTOR_NOTE, "hypervisor", "%s is loaded too (kvm.enable_virt_at_load=Y); vmon, loaded first, holds %s",
			    mod, ext);
		return;
	}
	doctor_line(d, DOCTOR_NOTE, "hypervisor", "%s is loaded (%d users): KVM holds %s only while it runs VMs (%s), and vmon cannot load then",
		    mod, refs, ext, at_load[0] ? "kvm.enable_virt_at_load=N" :
		    "Linux before 6.12: no kvm.enable_virt_at_load");
}

void doctor_check_hypervisors(struct doctor *d)
{
	static const struct {
		const char *mod, *what;
	} others[] = {
		{ "vboxdrv", "VirtualBox" },
		{ "vmmon", "VMware" },
	};
	static char modules[65536];
	const char *ext = d->vendor == DOCTOR_INTEL ? "VT-x" : "AMD-V";
	const char *kvm = d->vendor == DOCTOR_INTEL ? "kvm_intel" : "kvm_amd";
	bool any = false;
	unsigned int i;
	int refs, ret;

	if (!d->has_hw)
		return;
	ret = doctor_read(d->sys, "/proc/modules", modules, sizeof(modules), false);
	if (ret < 0) {
		doctor_line(d, DOCTOR_UNKNOWN, "hypervisor", "cannot read /proc/modules: %s",
			    strerror(-ret));
		return;
	}
	refs = module_refs(d, modules, kvm);
	if (refs >= 0) {
		check_kvm(d, kvm, refs, ext);
		any = true;
	}
	for (i = 0; i < ARRAY_SIZE(others); i++) {
		if (module_refs(d, modules, others[i].mod) < 0)
			continue;
		doctor_line(d, DOCTOR_NOTE, "hypervisor", "%s (%s) is loaded: its VMs and vmon's take turns with %s",
			    others[i].mod, others[i].what, ext);
		any = true;
	}
	if (!any)
		doctor_line(d, DOCTOR_OK, "hypervisor", "no other hypervisor module loaded (%s, vboxdrv, vmmon)",
			    kvm);
}
