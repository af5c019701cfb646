// SPDX-License-Identifier: GPL-2.0
/*
 * In-kernel emulation of the one instruction that touched a device the
 * kernel models (emulate.h), and the decode of the one that touched
 * userspace's (vmon_mmio_user_exit()).  The guest's access to such a
 * page is a TDP fault (an EPT violation, SDM Vol. 3C "EPT Violations";
 * a nested page fault, APM Vol. 2 15.25.6) that names the
 * guest-physical address but neither the register nor the size: the
 * instruction is decoded.
 *
 * The decoder and the guest page-table walker are libvmon's own sources
 * compiled into the module (decode.c, gva.c include tools/lib/): the
 * kernel and userspace emulate the same MOV forms the same way.
 *
 * Everything the guest controls (its code, its page tables, its
 * registers) only decides what happens to the guest: unreadable code or
 * an instruction the decoder does not know ends in
 * VMON_EXIT_INTERNAL_ERROR, never in a host message.
 */
#include <linux/kernel.h>
#include <linux/lockdep.h>
#include <linux/mm.h>
#include <linux/string.h>

#include "core.h"
#include "emulate.h"
#include "../tools/lib/decode.h"
#include "../tools/lib/gva.h"

static int vmon_emul_read_gpa(void *opaque, u64 gpa, void *buf, unsigned int len)
{
	return vmon_read_guest(opaque, gpa, buf, len);
}

/*
 * Up to VMON_INSN_MAX bytes at CS:RIP, one page at a time (sregs holds
 * only what get_fetch_state() reads; nothing else of it is used): an
 * instruction may straddle two pages that are mapped anywhere.  Returns
 * how many bytes could be read; the decoder tells whether they suffice.
 */
static unsigned int vmon_fetch_insn(struct vmon_vcpu *vcpu, const struct vmon_sregs *sregs,
				    unsigned int mode, u8 *buf)
{
	/* in 64-bit mode the CS base is ignored (SDM Vol. 3A 3.4.4) */
	u64 lin = (mode == 8 ? 0 : sregs->cs.base) + (vcpu->regs.rip & vmon_ip_mask(mode));
	unsigned int got = 0;

	while (got < VMON_INSN_MAX) {
		u64 gva = lin + got, gpa;
		unsigned int chunk;

		/* outside long mode linear addresses wrap at 4 GiB (SDM Vol. 3A 3.3) */
		if (mode != 8)
			gva = (u32)gva;
		chunk = min_t(unsigned int, PAGE_SIZE - offset_in_page(gva),
			      VMON_INSN_MAX - got);
		if (vmon_walk_gva(sregs, gva, false, vmon_emul_read_gpa, vcpu->vm, &gpa) ||
		    vmon_read_guest(vcpu->vm, gpa, buf + got, chunk))
			break;
		got += chunk;
	}
	return got;
}

/*
 * Decode the instruction at RIP in the vCPU's code size (insn->mode):
 * the bytes the CPU fetched when the exit carries them (SVM decode
 * assists, APM Vol. 2 chapter 15 "Decode Assists": up to 15 bytes at
 * RIP, fewer at the end of a page), else the guest's memory, read with
 * only the state a fetch needs (get_fetch_state()).  *n says how many
 * bytes there were.
 */
static int vmon_emul_decode(struct vmon_vcpu *vcpu, u8 *buf, unsigned int *n,
			    struct vmon_insn *insn)
{
	const struct vmon_exit *x = &vcpu->exit;
	struct vmon_sregs sregs;
	unsigned int mode;
	int r;

	vmon_ops->get_fetch_state(vcpu, &sregs);
	mode = vmon_code_size(&sregs);
	if (x->tdp.insn_len) {
		*n = min_t(unsigned int, x->tdp.insn_len, VMON_INSN_MAX);
		memcpy(buf, x->tdp.insn, *n);
		r = vmon_decode_mov(buf, *n, mode, &vcpu->regs, insn);
		if (r != -ENODATA)
			return r;
	}
	*n = vmon_fetch_insn(vcpu, &sregs, mode, buf);
	return vmon_decode_mov(buf, *n, mode, &vcpu->regs, insn);
}

/* the first instruction bytes, little-endian, as the internal error's code */
static u64 vmon_insn_code(const u8 *buf, unsigned int n)
{
	u64 code = 0;

	memcpy(&code, buf, min_t(unsigned int, n, sizeof(code)));
	return code;
}

/* what a decoded store writes: a register's low bytes, or its immediate */
static u64 vmon_emul_store_value(struct vmon_vcpu *vcpu, const struct vmon_insn *insn)
{
	if (insn->kind == VMON_INSN_STORE_IMM)
		return insn->imm;	/* a 64-bit MOV's imm32 is sign-extended already */
	return vmon_read_gpr(&vcpu->regs, insn->reg, insn->mem_bytes, insn->rex);
}

/* a decoded load's value into its register, with its size and extension */
static void vmon_emul_write_load(struct vmon_vcpu *vcpu, const struct vmon_insn *insn, u64 val)
{
	vmon_write_gpr(&vcpu->regs, insn->reg, insn->op_bytes, insn->rex, insn->mode == 8,
		       vmon_insn_load_value(insn, val));
}

static int vmon_emul_access(struct vmon_vcpu *vcpu, const struct vmon_insn *insn,
			    vmon_mmio_handler_t fn, void *opaque)
{
	u64 gpa = vcpu->exit.tdp.gpa;
	u64 val = 0;
	int r;

	if (insn->kind != VMON_INSN_LOAD) {
		val = vmon_emul_store_value(vcpu, insn);
		return fn(vcpu, gpa, insn->mem_bytes, true, &val, opaque);
	}
	r = fn(vcpu, gpa, insn->mem_bytes, false, &val, opaque);
	if (!r)
		vmon_emul_write_load(vcpu, insn, val);
	return r;
}

/*
 * vcpu->regs is authoritative between exits: the backend loads it.  An
 * STI or MOV SS shadow the instruction sat in is left as the exit found
 * it, so it covers one more instruction: an interrupt may come one
 * instruction late, never early.
 */
static void vmon_emul_advance(struct vmon_vcpu *vcpu, const struct vmon_insn *insn)
{
	vcpu->regs.rip = (vcpu->regs.rip + insn->len) & vmon_ip_mask(insn->mode);
}

int vmon_emulate_mmio(struct vmon_vcpu *vcpu, vmon_mmio_handler_t fn, void *opaque)
{
	const struct vmon_exit *x = &vcpu->exit;
	struct vmon_insn insn;
	u8 buf[VMON_INSN_MAX];
	unsigned int n = 0;
	bool store;
	int r;

	lockdep_assert_held(&vcpu->mutex);
	if (x->kind != VMON_X_TDP_FAULT)
		return -EINVAL;
	if (x->tdp.fetch)
		return vmon_internal_error(vcpu, VMON_INTERNAL_EMULATION, 0, x->tdp.gpa,
					   "instruction fetch from an emulated device page");
	if (x->tdp.walk)
		return vmon_internal_error(vcpu, VMON_INTERNAL_EMULATION, 0, x->tdp.gpa,
					   "guest page tables in an emulated device page");

	r = vmon_emul_decode(vcpu, buf, &n, &insn);
	/* -ENODATA: the bytes ran out, the rest of the code is not in RAM */
	if (r == -ENODATA)
		return vmon_internal_error(vcpu, VMON_INTERNAL_EMULATION,
					   vmon_insn_code(buf, n), x->tdp.gpa,
					   "guest code at RIP cannot be read");
	if (r)
		return vmon_internal_error(vcpu, VMON_INTERNAL_EMULATION,
					   vmon_insn_code(buf, n), x->tdp.gpa,
					   "MMIO instruction not emulated");
	/* the decoded direction must be the one the hardware reported */
	store = insn.kind != VMON_INSN_LOAD;
	if (x->tdp.write != store)
		return vmon_internal_error(vcpu, VMON_INTERNAL_EMULATION,
					   vmon_insn_code(buf, n), x->tdp.gpa,
					   "MMIO instruction does not match the access");

	r = vmon_emul_access(vcpu, &insn, fn, opaque);
	if (r)
		return vmon_internal_error(vcpu, VMON_INTERNAL_EMULATION, -r, x->tdp.gpa,
					   "MMIO access refused by the device");

	vmon_emul_advance(vcpu, &insn);
	return 1;
}

/*
 * For a device that takes only some writes (ioeventfd.c): the store is
 * its if the instruction decodes as one and fn accepts it.  Whatever
 * else happens -- guest code that cannot be read, an instruction the
 * decoder does not know, fn refusing -- leaves the vCPU as it was, so
 * that the exit goes on to userspace like any other MMIO write (which
 * reports the same problems the same way).
 */
int vmon_emulate_mmio_store(struct vmon_vcpu *vcpu, vmon_mmio_handler_t fn, void *opaque)
{
	const struct vmon_exit *x = &vcpu->exit;
	struct vmon_insn insn;
	u8 buf[VMON_INSN_MAX];
	unsigned int n = 0;
	int r;

	lockdep_assert_held(&vcpu->mutex);
	if (x->kind != VMON_X_TDP_FAULT || !x->tdp.write || x->tdp.fetch || x->tdp.walk)
		return -ENOENT;

	r = vmon_emul_decode(vcpu, buf, &n, &insn);
	if (r || insn.kind == VMON_INSN_LOAD)
		return -ENOENT;
	r = vmon_emul_access(vcpu, &insn, fn, opaque);
	if (r)
		return r;
	vmon_emul_advance(vcpu, &insn);
	return 1;
}

/*
 * The decoded form of an MMIO exit to userspace (KVM_EXIT_MMIO's
 * division of labour): the kernel has the instruction bytes at hand
 * (SVM decode assists) or reads them with a handful of VMCS reads and
 * the guest's page tables in the pinned slots, where userspace would
 * need VMON_GET_SREGS and its own walk.  Not decoded, and left to
 * userspace's full emulator: a fetch; the CPU's read of a guest
 * paging-structure entry; an access made while the CPU was delivering
 * an event (an IDT or stack access: neither is the data of the
 * instruction at RIP); code that cannot be read; an
 * instruction the decoder does not know (string moves among them); a
 * decoded direction that is not the hardware's (the guest rewrote its
 * code between the access and the fetch).
 */
static bool vmon_mmio_decode_user(struct vmon_vcpu *vcpu, struct vmon_run *run)
{
	const struct vmon_exit *x = &vcpu->exit;
	struct vmon_insn insn;
	u8 buf[VMON_INSN_MAX];
	unsigned int n = 0;
	bool store;

	if (x->tdp.fetch || x->tdp.walk || vmon_call(event_pending)(vcpu))
		return false;
	if (vmon_emul_decode(vcpu, buf, &n, &insn))
		return false;
	store = insn.kind != VMON_INSN_LOAD;
	if (x->tdp.write != store)
		return false;

	run->mmio.flags |= VMON_MMIO_DECODED;
	run->mmio.len = insn.mem_bytes;
	run->mmio.insn_len = insn.len;
	memcpy(run->mmio.insn, buf, insn.len);
	if (store) {
		run->mmio.data = vmon_emul_store_value(vcpu, &insn);
	} else {
		vcpu->mmio_load = insn;
		vcpu->pending = VMON_PENDING_MMIO_LOAD;
	}
	vmon_emul_advance(vcpu, &insn);
	return true;
}

void __vmon_hot vmon_mmio_user_exit(struct vmon_vcpu *vcpu, bool readonly_slot)
{
	const struct vmon_exit *x = &vcpu->exit;
	struct vmon_run *run = vcpu->run;

	lockdep_assert_held(&vcpu->mutex);
	memset(&run->mmio, 0, sizeof(run->mmio));
	run->exit_reason = VMON_EXIT_MMIO;
	run->mmio.gpa = x->tdp.gpa;
	if (x->tdp.write)
		run->mmio.flags |= VMON_MMIO_WRITE;
	if (x->tdp.fetch)
		run->mmio.flags |= VMON_MMIO_FETCH;
	if (readonly_slot)
		run->mmio.flags |= VMON_MMIO_READONLY_SLOT;
	if (vmon_mmio_decode_user(vcpu, run))
		return;
	run->mmio.insn_len = min_t(u8, x->tdp.insn_len, sizeof(run->mmio.insn));
	memcpy(run->mmio.insn, x->tdp.insn, run->mmio.insn_len);
}

void __vmon_hot vmon_mmio_complete_load(struct vmon_vcpu *vcpu, u64 data)
{
	vmon_emul_write_load(vcpu, &vcpu->mmio_load, data);
}
