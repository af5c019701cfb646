// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the watching commands without the module: netlink
 * messages built here as vmon.ko would build them (uapi/linux/vmon.h)
 * are parsed (watch_parse.c) and printed (ps.c, stat.c, top.c,
 * trace.c, dump.c); option parsing, table lookups and the latency
 * quantiles are checked on their own.
 */
#include <errno.h>
#include <stdlib.h>

#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "kselftest_harness.h"
#include "decode_tables.h"
#include "json.h"
#include "run.h"
#include "test_util.h"
#include "watch.h"

#define FAMILY_ID	0x1d

static struct nl_msg *reply(uint8_t cmd)
{
	struct nl_msg *msg = nlmsg_alloc();

	genlmsg_put(msg, 0, 0, FAMILY_ID, 0, 0, cmd, VMON_GENL_VERSION);
	return msg;
}

static void put_vm(struct nl_msg *msg, uint32_t id, const char *name, const char *backend)
{
	nla_put_u32(msg, VMON_A_VM_ID, id);
	nla_put_u32(msg, VMON_A_PID, 4242);
	nla_put_u32(msg, VMON_A_UID, 0);
	nla_put_string(msg, VMON_A_NAME, name);
	nla_put_u32(msg, VMON_A_NR_VCPUS, 2);
	nla_put_u64(msg, VMON_A_MEM_BYTES, 64ULL << 20);
	nla_put_string(msg, VMON_A_BACKEND, backend);
}

static void put_reason(struct nl_msg *msg, uint32_t code, const char *name, uint64_t count,
		       unsigned int bucket)
{
	struct nlattr *r = nla_nest_start(msg, VMON_STAT_REASON);
	uint64_t hist[VMON_HIST_BUCKETS] = { 0 };

	hist[bucket] = count;
	nla_put_u32(msg, VMON_RSTAT_CODE, code);
	if (name)
		nla_put_string(msg, VMON_RSTAT_NAME, name);
	nla_put_u64(msg, VMON_RSTAT_COUNT, count);
	nla_put_u64(msg, VMON_RSTAT_GUEST_NS, count * 1000);
	nla_put_u64(msg, VMON_RSTAT_HOST_NS, count * (3ULL << bucket) / 2);
	nla_put(msg, VMON_RSTAT_HIST, sizeof(hist), hist);
	nla_nest_end(msg, r);
}

/* VM 7 "web": 100 CPUIDs (~1.5us) and 20 port I/O exits (~6us), on vCPUs 0 and 1 */
static struct nl_msg *stats_reply(void)
{
	struct nl_msg *msg = reply(VMON_CMD_GET_STATS);
	struct nlattr *s, *v;
	unsigned int i;

	put_vm(msg, 7, "web", "vmx");
	s = nla_nest_start(msg, VMON_A_STATS);
	nla_put_u64(msg, VMON_STAT_EXITS, 120);
	nla_put_u64(msg, VMON_STAT_USER_EXITS, 21);
	nla_put_u64(msg, VMON_STAT_GUEST_NS, 120000);
	nla_put_u64(msg, VMON_STAT_HOST_NS, 270000);
	nla_put_u64(msg, VMON_STAT_EVENTS_LOST, 3);
	/* the module's own words for it; the tools print the table's name */
	put_reason(msg, 30, "I/O instruction", 20, 12);
	put_reason(msg, 10, NULL, 100, 10);
	nla_nest_end(msg, s);
	for (i = 0; i < 2; i++) {
		v = nla_nest_start(msg, VMON_A_VCPU);
		nla_put_u32(msg, VMON_A_VCPU_ID, i);
		s = nla_nest_start(msg, VMON_A_STATS);
		nla_put_u64(msg, VMON_STAT_EXITS, i ? 20 : 100);
		put_reason(msg, i ? 30 : 10, NULL, i ? 20 : 100, i ? 12 : 10);
		nla_nest_end(msg, s);
		nla_nest_end(msg, v);
	}
	return msg;
}

/* noinline: keeps gcc's -Wdangling-pointer from mistaking buf for a local */
static __attribute__((noinline)) char *print_to_string(void (*fn)(FILE *f, const void *arg),
						       const void *arg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	fn(f, arg);
	fclose(f);
	return buf;
}

TEST(vm_list_entry_parses)
{
	struct nl_msg *msg = reply(VMON_CMD_LIST_VMS);
	struct libvmon_vm_info vi;

	put_vm(msg, 3, "db \"primary\"", "svm");
	ASSERT_EQ(0, libvmon_parse_vm_info(msg, &vi));
	EXPECT_EQ(3, vi.id);
	EXPECT_EQ(4242, vi.pid);
	EXPECT_EQ(2, vi.nr_vcpus);
	EXPECT_EQ(64ULL << 20, vi.mem_bytes);
	EXPECT_STREQ("db \"primary\"", vi.name);
	EXPECT_STREQ("svm", vi.backend);
	nlmsg_free(msg);
}

TEST(contract_breaks_are_rejected)
{
	struct nl_msg *msg;
	struct libvmon_vm_stats st;
	struct libvmon_vm_info vi;
	struct nlattr *s, *r;
	uint64_t short_hist[4] = { 0 };

	/* no VM id */
	msg = reply(VMON_CMD_LIST_VMS);
	nla_put_string(msg, VMON_A_NAME, "x");
	EXPECT_EQ(-EINVAL, libvmon_parse_vm_info(msg, &vi));
	nlmsg_free(msg);

	/* VM id of the wrong size */
	msg = reply(VMON_CMD_LIST_VMS);
	nla_put_u16(msg, VMON_A_VM_ID, 1);
	EXPECT_EQ(-EINVAL, libvmon_parse_vm_info(msg, &vi));
	nlmsg_free(msg);

	/* a histogram that is not VMON_HIST_BUCKETS u64s */
	msg = reply(VMON_CMD_GET_STATS);
	nla_put_u32(msg, VMON_A_VM_ID, 1);
	s = nla_nest_start(msg, VMON_A_STATS);
	r = nla_nest_start(msg, VMON_STAT_REASON);
	nla_put_u32(msg, VMON_RSTAT_CODE, 10);
	nla_put(msg, VMON_RSTAT_HIST, sizeof(short_hist), short_hist);
	nla_nest_end(msg, r);
	nla_nest_end(msg, s);
	EXPECT_EQ(-EINVAL, libvmon_parse_vm_stats(msg, &st));
	nlmsg_free(msg);

	/* statistics without their VMON_A_STATS */
	msg = reply(VMON_CMD_GET_STATS);
	nla_put_u32(msg, VMON_A_VM_ID, 1);
	EXPECT_EQ(-EINVAL, libvmon_parse_vm_stats(msg, &st));
	nlmsg_free(msg);
}

TEST(stats_parse_with_reasons_and_vcpus)
{
	struct nl_msg *msg = stats_reply();
	struct libvmon_vm_stats st;

	ASSERT_EQ(0, libvmon_parse_vm_stats(msg, &st));
	EXPECT_EQ(7, st.info.id);
	EXPECT_STREQ("web", st.info.name);
	EXPECT_EQ(120, st.total.exits);
	EXPECT_EQ(21, st.total.user_exits);
	EXPECT_EQ(3, st.total.events_lost);
	ASSERT_EQ(2, st.total.nr_reasons);
	EXPECT_EQ(30, st.total.reasons[0].code);
	EXPECT_STREQ("I/O instruction", st.total.reasons[0].name);
	EXPECT_EQ(20, st.total.reasons[0].hist[12]);
	EXPECT_EQ(10, st.total.reasons[1].code);
	EXPECT_STREQ("", st.total.reasons[1].name);
	ASSERT_EQ(2, st.nr_vcpus);
	EXPECT_EQ(0, st.vcpus[0].id);
	EXPECT_EQ(100, st.vcpus[0].s.exits);
	EXPECT_EQ(1, st.vcpus[1].id);
	ASSERT_EQ(1, st.vcpus[1].s.nr_reasons);
	EXPECT_EQ(30, st.vcpus[1].s.reasons[0].code);
	libvmon_vm_stats_free(&st);
	nlmsg_free(msg);
}

static void stat_text(FILE *f, const void *arg)
{
	stat_print_text(f, arg, -1);
}

static void stat_json(FILE *f, const void *arg)
{
	struct json_writer w;

	json_init(&w, f);
	stat_print_json(&w, arg);
}

TEST(stat_prints_reasons_busiest_first)
{
	struct nl_msg *msg = stats_reply();
	struct libvmon_vm_stats st;
	char *out, *cpuid, *io;

	ASSERT_EQ(0, libvmon_parse_vm_stats(msg, &st));
	out = print_to_string(stat_text, &st);
	EXPECT_NE(NULL, strstr(out, "VM 7 web (pid 4242, user root, vmx, 2 vCPUs): 120 exits, 21 round trips to userspace, 3 trace events lost"));
	/* names the module left out come from tables/vmx_exit_reasons.h */
	cpuid = strstr(out, "  CPUID ");
	io = strstr(out, "  IO_INSTRUCTION ");
	ASSERT_NE(NULL, cpuid);
	ASSERT_NE(NULL, io);
	EXPECT_LT(cpuid, io);
	/* 100 exits all in [1024, 2048) ns: p50 sits mid-bucket, the mean is 1.5us */
	EXPECT_NE(NULL, strstr(cpuid, "0xa          100    100.0us    153.6us      1.5us      1.5us      2.0us\n"));
	/* the per-vCPU lines name each vCPU's busiest reason */
	EXPECT_NE(NULL, strstr(out, "\n  0               100            0        0ns        0ns          0  CPUID\n"));
	EXPECT_NE(NULL, strstr(out, "\n  1                20            0        0ns        0ns          0  IO_INSTRUCTION\n"));
	free(out);

	out = print_to_string(stat_json, &st);
	EXPECT_NE(NULL, strstr(out, "{\"id\":7,\"name\":\"web\",\"pid\":4242,\"uid\":0,"));
	EXPECT_NE(NULL, strstr(out, "\"code\":10,\"name\":\"CPUID\",\"count\":100,"));
	EXPECT_NE(NULL, strstr(out, "\"vcpus\":[{\"id\":0,"));
	EXPECT_EQ('\n', out[strlen(out) - 1]);
	free(out);
	libvmon_vm_stats_free(&st);
	nlmsg_free(msg);
}

TEST(quantiles_of_log2_histograms)
{
	uint64_t h[VMON_HIST_BUCKETS] = { 0 };

	EXPECT_EQ(0, hist_quantile(h, 0.5));
	/* one sample in [1024, 2048): estimated mid-bucket */
	h[10] = 1;
	EXPECT_EQ(1536, hist_quantile(h, 0.5));
	EXPECT_EQ(1536, hist_quantile(h, 0.99));
	/* 99 fast (bucket 4: 16-31ns) and 1 slow (bucket 20: ~1ms) */
	h[10] = 0;
	h[4] = 99;
	h[20] = 1;
	EXPECT_GE(hist_quantile(h, 0.5), 16);
	EXPECT_LT(hist_quantile(h, 0.5), 32);
	EXPECT_LT(hist_quantile(h, 0.99), 32);
	EXPECT_GE(hist_quantile(h, 1.0), 1 << 20);
	EXPECT_LT(hist_quantile(h, 1.0), 1 << 21);
	EXPECT_EQ(100, hist_total(h));
	/* bucket 0 holds 0 and 1 ns */
	memset(h, 0, sizeof(h));
	h[0] = 4;
	EXPECT_LT(hist_quantile(h, 0.5), 2);
}

TEST(durations)
{
	char b[16];

	EXPECT_STREQ("0ns", format_ns(0, b, sizeof(b)));
	EXPECT_STREQ("999ns", format_ns(999, b, sizeof(b)));
	EXPECT_STREQ("1.5us", format_ns(1500, b, sizeof(b)));
	EXPECT_STREQ("2.50ms", format_ns(2500000, b, sizeof(b)));
	EXPECT_STREQ("3.00s", format_ns(3000000000ULL, b, sizeof(b)));
}

static void ps_two(FILE *f, const void *arg)
{
	ps_print(f, arg, 2, false);
}

static void ps_two_json(FILE *f, const void *arg)
{
	ps_print(f, arg, 2, true);
}

TEST(ps_table_and_json)
{
	struct ps_row rows[2] = {
		{ .vm = { .id = 1, .pid = 100, .uid = 0, .nr_vcpus = 1, .mem_bytes = 64 << 20,
			  .name = "a-rather-long-name", .backend = "svm" }, .exits = 12345 },
		{ .vm = { .id = 2, .pid = 200, .uid = 0, .nr_vcpus = 4, .mem_bytes = 1 << 30,
			  .name = "", .backend = "svm" }, .exits = UINT64_MAX },
	};
	char *out;

	out = print_to_string(ps_two, rows);
	EXPECT_NE(NULL, strstr(out, "  ID  NAME                   PID  USER       VCPUS  MEM       BACKEND        EXITS\n"));
	EXPECT_NE(NULL, strstr(out, "   1  a-rather-long-name     100  root           1  64 MiB    svm            12345\n"));
	/* no name, and exits unknown because the VM went away meanwhile */
	EXPECT_NE(NULL, strstr(out, "   2  -                      200  root           4  1 GiB     svm                -\n"));
	free(out);

	out = print_to_string(ps_two_json, rows);
	EXPECT_STREQ("{\"vms\":[{\"id\":1,\"name\":\"a-rather-long-name\",\"pid\":100,\"uid\":0,"
		     "\"user\":\"root\",\"vcpus\":1,\"mem_bytes\":67108864,\"backend\":\"svm\","
		     "\"exits\":12345},{\"id\":2,\"name\":\"\",\"pid\":200,\"uid\":0,"
		     "\"user\":\"root\",\"vcpus\":4,\"mem_bytes\":1073741824,\"backend\":\"svm\","
		     "\"exits\":null}]}\n", out);
	free(out);
}

TEST(exit_events_parse_with_optional_attributes)
{
	struct nl_msg *msg = reply(VMON_CMD_EXIT_EVENT);
	struct libvmon_exit_event ev;

	nla_put_u32(msg, VMON_EV_VM_ID, 7);
	nla_put_u32(msg, VMON_EV_VCPU_ID, 1);
	nla_put_u64(msg, VMON_EV_SEQ, 99);
	nla_put_u32(msg, VMON_EV_REASON, 0x7b);
	nla_put_u64(msg, VMON_EV_QUALIFICATION, 0x3f80010);
	nla_put_u32(msg, VMON_EV_PORT, 0x3f8);
	nla_put_u64(msg, VMON_EV_RIP, 0x100010);
	nla_put_u64(msg, VMON_EV_LOST, 5);
	ASSERT_EQ(0, libvmon_parse_exit_event(msg, &ev));
	EXPECT_EQ(7, ev.vm_id);
	EXPECT_EQ(1, ev.vcpu_id);
	EXPECT_EQ(99, ev.seq);
	EXPECT_EQ(0x3f8, ev.port);
	EXPECT_EQ(5, ev.lost);
	EXPECT_EQ(LIBVMON_EV_HAS_SEQ | LIBVMON_EV_HAS_QUAL | LIBVMON_EV_HAS_PORT | LIBVMON_EV_HAS_RIP | LIBVMON_EV_HAS_LOST, ev.has);
	nlmsg_free(msg);

	/* the reason is required */
	msg = reply(VMON_CMD_EXIT_EVENT);
	nla_put_u32(msg, VMON_EV_VM_ID, 7);
	nla_put_u32(msg, VMON_EV_VCPU_ID, 1);
	EXPECT_EQ(-EINVAL, libvmon_parse_exit_event(msg, &ev));
	nlmsg_free(msg);
}

TEST(trace_details_decode_io_and_tdp_faults)
{
	struct libvmon_exit_event ev = { .has = LIBVMON_EV_HAS_QUAL | LIBVMON_EV_HAS_PORT };
	char b[96];

	/* VMX OUT to 0x3f8, 1 byte: SDM Table 28-5 */
	ev.reason = 30;
	ev.qual = 0x3f8ULL << 16;
	ev.port = 0x3f8;
	trace_format_detail(VMON_BACKEND_VMX, &ev, b, sizeof(b));
	EXPECT_STREQ("out port 0x3f8, 1 byte", b);
	/* VMX REP INSW from 0x1f0: size-1 = 1, IN, string, REP */
	ev.qual = (0x1f0ULL << 16) | 1 | 8 | 16 | 32;
	ev.port = 0x1f0;
	trace_format_detail(VMON_BACKEND_VMX, &ev, b, sizeof(b));
	EXPECT_STREQ("rep ins port 0x1f0, 2 bytes", b);
	/* SVM IN from 0x60, 1 byte: APM 15.10.2 */
	ev.reason = 0x7b;
	ev.qual = (0x60ULL << 16) | 0x10 | 1;
	ev.port = 0x60;
	trace_format_detail(VMON_BACKEND_SVM, &ev, b, sizeof(b));
	EXPECT_STREQ("in port 0x60, 1 byte", b);
	/* SVM OUT 4 bytes, port only from EXITINFO1 */
	ev.has = LIBVMON_EV_HAS_QUAL;
	ev.qual = (0xcf8ULL << 16) | 0x40;
	trace_format_detail(VMON_BACKEND_SVM, &ev, b, sizeof(b));
	EXPECT_STREQ("out port 0xcf8, 4 bytes", b);
	/* NPF write and EPT violation fetch */
	ev.has = LIBVMON_EV_HAS_QUAL | LIBVMON_EV_HAS_GPA;
	ev.reason = 0x400;
	ev.qual = 0x7;
	ev.gpa = 0xfee00000;
	trace_format_detail(VMON_BACKEND_SVM, &ev, b, sizeof(b));
	EXPECT_STREQ("write gpa 0xfee00000", b);
	ev.reason = 48;
	ev.qual = 0x4;
	trace_format_detail(VMON_BACKEND_VMX, &ev, b, sizeof(b));
	EXPECT_STREQ("fetch gpa 0xfee00000", b);
	/* CPUID says nothing more; a qualification elsewhere is shown raw */
	ev.reason = 10;
	ev.qual = 0;
	ev.has = LIBVMON_EV_HAS_QUAL;
	trace_format_detail(VMON_BACKEND_VMX, &ev, b, sizeof(b));
	EXPECT_STREQ("", b);
	ev.reason = 28;
	ev.qual = 0x13;
	trace_format_detail(VMON_BACKEND_VMX, &ev, b, sizeof(b));
	EXPECT_STREQ("qual 0x13", b);
}

TEST(trace_lines)
{
	struct libvmon_exit_event ev = {
		.has = LIBVMON_EV_HAS_SEQ | LIBVMON_EV_HAS_RIP | LIBVMON_EV_HAS_LATENCY | LIBVMON_EV_HAS_TSC | LIBVMON_EV_HAS_QUAL,
		.vm_id = 7, .vcpu_id = 0, .seq = 41, .reason = 0x72, .rip = 0x100004,
		.latency_ns = 1500, .guest_tsc = 123456789, .qual = 0,
	};
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	trace_print_event(f, VMON_BACKEND_SVM, &ev, 0.25, false);
	trace_print_event(f, VMON_BACKEND_SVM, &ev, 0.25, true);
	fclose(f);
	EXPECT_STREQ("    0.250000    7/0         41  CPUID                -                            0x100004              1.5us  tsc 123456789\n"
		     "{\"type\":\"exit\",\"time_s\":0.25,\"vm\":7,\"vcpu\":0,\"seq\":41,\"reason\":114,"
		     "\"name\":\"CPUID\",\"qualification\":0,\"rip\":1048580,\"guest_tsc\":123456789,"
		     "\"latency_ns\":1500}\n", buf);
	free(buf);
}

TEST(reason_names_and_numbers)
{
	uint32_t code;

	ASSERT_EQ(0, exit_reason_parse(VMON_BACKEND_VMX, "cpuid", &code));
	EXPECT_EQ(10, code);
	ASSERT_EQ(0, exit_reason_parse(VMON_BACKEND_VMX, "IO_Instruction", &code));
	EXPECT_EQ(30, code);
	ASSERT_EQ(0, exit_reason_parse(VMON_BACKEND_SVM, "ioio", &code));
	EXPECT_EQ(0x7b, code);
	ASSERT_EQ(0, exit_reason_parse(VMON_BACKEND_SVM, "cpuid", &code));
	EXPECT_EQ(0x72, code);
	ASSERT_EQ(0, exit_reason_parse(VMON_BACKEND_SVM, "0x400", &code));
	EXPECT_EQ(0x400, code);
	ASSERT_EQ(0, exit_reason_parse(VMON_BACKEND_VMX, "12", &code));
	EXPECT_EQ(12, code);
	EXPECT_EQ(-ENOENT, exit_reason_parse(VMON_BACKEND_VMX, "ioio", &code));
	EXPECT_EQ(1, exit_reason_other_backend(VMON_BACKEND_VMX, "ioio"));
	EXPECT_EQ(0, exit_reason_other_backend(VMON_BACKEND_VMX, "nonsense"));
	EXPECT_EQ(-EINVAL, exit_reason_parse(VMON_BACKEND_VMX, "12x", &code));
	EXPECT_EQ(-ERANGE, exit_reason_parse(VMON_BACKEND_VMX, "0x100000000", &code));
	EXPECT_EQ(-EINVAL, exit_reason_parse(VMON_BACKEND_VMX, "", &code));
	EXPECT_STREQ("HLT", exit_name(VMON_BACKEND_SVM, 0x78));
	/* VMX: the modifier bits above 15 do not change the name (SDM 25.9.1) */
	EXPECT_STREQ("INVALID_GUEST_STATE", exit_name(VMON_BACKEND_VMX, 0x80000021));
	EXPECT_STREQ("UNKNOWN", exit_name(VMON_BACKEND_VMX, 35));
}

TEST(state_dump_grouped_by_table)
{
	struct nl_msg *msg = reply(VMON_CMD_GET_STATE);
	struct libvmon_state_dump d;
	struct nlattr *fa;
	/* out of table order on purpose: rip, exit code, an unknown id, rax */
	static const struct { uint32_t id; uint64_t value; } f[] = {
		{ 0x578, 0x100004 }, { 0x070, 0x72 }, { 0x3fe, 1 }, { 0x5f8, 0x12 },
	};
	char *buf = NULL, *rip, *rax;
	size_t len = 0;
	unsigned int i;
	FILE *out;

	nla_put_u32(msg, VMON_A_VM_ID, 7);
	nla_put_u32(msg, VMON_A_VCPU_ID, 0);
	nla_put_string(msg, VMON_A_BACKEND, "svm");
	for (i = 0; i < 4; i++) {
		fa = nla_nest_start(msg, VMON_A_FIELD);
		nla_put_u32(msg, VMON_FIELD_ID, f[i].id);
		nla_put_u64(msg, VMON_FIELD_VALUE, f[i].value);
		nla_nest_end(msg, fa);
	}
	ASSERT_EQ(0, libvmon_parse_state_dump(msg, &d));
	ASSERT_EQ(4, d.nr_fields);
	ASSERT_NE(NULL, state_field_find(VMON_BACKEND_SVM, 0x578));
	EXPECT_STREQ("RIP", state_field_find(VMON_BACKEND_SVM, 0x578)->name);
	EXPECT_EQ(STATE_GROUP_GUEST, state_field_find(VMON_BACKEND_SVM, 0x578)->group);

	out = open_memstream(&buf, &len);
	dump_print(out, &d, false);
	fclose(out);
	EXPECT_NE(NULL, strstr(buf, "VM 7 vCPU 0: svm, 4 VMCB fields\n"
				    "exit information:\n  EXITCODE    = 0x0000000000000072\n\n"
				    "guest state:\n"));
	rip = strstr(buf, "  RIP         = 0x0000000000100004\n");
	rax = strstr(buf, "  RAX         = 0x0000000000000012\n");
	ASSERT_NE(NULL, rip);
	ASSERT_NE(NULL, rax);
	EXPECT_LT(rip, rax);	/* the table's order: RIP (578h) before RAX (5F8h) */
	EXPECT_NE(NULL, strstr(buf, "other:\n  FIELD_0x3fe = 0x0000000000000001\n"));
	free(buf);

	buf = NULL;
	out = open_memstream(&buf, &len);
	dump_print(out, &d, true);
	fclose(out);
	EXPECT_STREQ("{\"vm\":7,\"vcpu\":0,\"backend\":\"svm\",\"fields\":{\"exit_info\":"
		     "{\"EXITCODE\":114},\"guest\":{\"RIP\":1048580,\"RAX\":18},"
		     "\"other\":{\"FIELD_0x3fe\":1}}}\n", buf);
	free(buf);
	libvmon_state_dump_free(&d);
	nlmsg_free(msg);
}

TEST(options_of_the_watching_commands)
{
	char *stat1[] = { "stat", "web", "--vcpu", "1", "--json", NULL };
	char *stat_bad[] = { "stat", "--vcpu", "x", "1", NULL };
	char *top1[] = { "top", "--delay", "0.5", "--iterations", "3", NULL };
	char *top_bad[] = { "top", "--iterations", "0", NULL };
	char reasons[] = "cpuid,ioio";	/* writable, like argv: split in place */
	char *trace1[] = { "trace", "--vm", "3", "--reason", reasons, "--reason", "12",
			   "--count", "10", NULL };
	char *trace_bad[] = { "trace", "--bogus", NULL };
	char *dump1[] = { "dump", "web", "1", "--json", NULL };
	char *dump_bad[] = { "dump", "web", NULL };
	struct stat_options so;
	struct top_options to;
	struct trace_options tro;
	struct dump_options dopt;
	char *err;
	int saved;

	ASSERT_EQ(0, stat_parse_options(5, stat1, &so));
	EXPECT_STREQ("web", so.vm);
	EXPECT_EQ(1, so.vcpu);
	EXPECT_TRUE(so.json);
	ASSERT_EQ(0, top_parse_options(5, top1, &to));
	EXPECT_EQ(3, to.iterations);
	EXPECT_TRUE(to.delay > 0.49 && to.delay < 0.51);
	ASSERT_EQ(0, trace_parse_options(9, trace1, &tro));
	EXPECT_STREQ("3", tro.vm);
	EXPECT_EQ(10, tro.count);
	ASSERT_EQ(3, tro.nr_reasons);
	EXPECT_STREQ("cpuid", tro.reasons[0]);
	EXPECT_STREQ("ioio", tro.reasons[1]);
	EXPECT_STREQ("12", tro.reasons[2]);
	ASSERT_EQ(0, dump_parse_options(4, dump1, &dopt));
	EXPECT_STREQ("web", dopt.vm);
	EXPECT_EQ(1, dopt.vcpu);
	EXPECT_TRUE(dopt.json);

	/* each error names the culprit and the way out */
	saved = capture_begin(2);
	EXPECT_EQ(-EINVAL, stat_parse_options(4, stat_bad, &so));
	EXPECT_EQ(-EINVAL, top_parse_options(3, top_bad, &to));
	EXPECT_EQ(-EINVAL, trace_parse_options(2, trace_bad, &tro));
	EXPECT_EQ(-EINVAL, dump_parse_options(2, dump_bad, &dopt));
	err = capture_end(2, saved);
	EXPECT_STREQ("vmon: stat: --vcpu x: not a number from 0 to 4294967295\n"
		     "vmon: top: --iterations 0: give at least 1 (or leave it out to run until Ctrl-C)\n"
		     "vmon: trace: unknown option '--bogus' (see 'vmon trace --help')\n"
		     "vmon: dump: give a VM and a vCPU number (usage: vmon dump VM VCPU, e.g. vmon dump 1 0; see 'vmon ps')\n",
		     err);
	free(err);
}

TEST(run_name_option)
{
	char *good[] = { "run", "--flat", "x.bin", "--name", "web 1", NULL };
	char *ctrl[] = { "run", "--flat", "x.bin", "--name", "a\tb", NULL };
	char *empty[] = { "run", "--flat", "x.bin", "--name", "", NULL };
	char *longer[] = { "run", "--flat", "x.bin", "--name",
			   "0123456789012345678901234567890123", NULL };
	struct run_options o;
	char *err;
	int saved;

	ASSERT_EQ(0, run_parse_options(5, good, &o));
	EXPECT_STREQ("web 1", o.name);
	saved = capture_begin(2);
	EXPECT_EQ(-EINVAL, run_parse_options(5, ctrl, &o));
	EXPECT_EQ(-EINVAL, run_parse_options(5, empty, &o));
	EXPECT_EQ(-EINVAL, run_parse_options(5, longer, &o));
	err = capture_end(2, saved);
	EXPECT_NE(NULL, strstr(err, "vmon: --name '': a VM name is 1 to 31 printable ASCII characters (e.g. --name web1)\n"));
	free(err);
}

TEST(top_sorts_by_rate)
{
	struct top_row rows[3] = {
		{ .vm = { .id = 1 }, .rate = 10 },
		{ .vm = { .id = 2 }, .rate = 5000 },
		{ .vm = { .id = 3 }, .rate = 300 },
	};

	top_sort(rows, 3);
	EXPECT_EQ(2, rows[0].vm.id);
	EXPECT_EQ(3, rows[1].vm.id);
	EXPECT_EQ(1, rows[2].vm.id);
}

/* a VM with several vCPUs gets one line per vCPU under its own */
TEST(top_prints_every_vcpu)
{
	struct top_vcpu_row v[3] = {
		{ .id = 0, .rate = 1000, .guest_pct = 50 },
		{ .id = 1, .rate = 200, .guest_pct = 12.5 },
		{ .id = 2, .rate = 7, .guest_pct = 99 },
	};
	struct top_row row = {
		.vm = { .id = 4, .name = "smp", .nr_vcpus = 3 },
		.rate = 1207, .exits = 5000, .nr_vcpu_rows = 3, .vcpu_rows = v,
	};
	char *out = NULL, *line;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	ASSERT_NE(NULL, f);
	top_print(f, &row, 1, 1.0, false);
	fclose(f);
	line = strstr(out, "vCPU 0");
	ASSERT_NE(NULL, line);
	EXPECT_NE(NULL, strstr(line, "1000"));
	EXPECT_NE(NULL, strstr(line, "50.0"));
	line = strstr(out, "vCPU 1");
	ASSERT_NE(NULL, line);
	EXPECT_NE(NULL, strstr(line, "12.5"));
	ASSERT_NE(NULL, strstr(out, "vCPU 2"));
	free(out);

	out = NULL;
	f = open_memstream(&out, &len);
	top_print(f, &row, 1, 1.0, true);
	fclose(f);
	EXPECT_NE(NULL, strstr(out, "\"vcpu_rates\":[{\"id\":0,\"exits_per_s\":1000"));
	free(out);

	/* one vCPU: its figures are the VM's, no extra line */
	row.nr_vcpu_rows = 1;
	out = NULL;
	f = open_memstream(&out, &len);
	top_print(f, &row, 1, 1.0, false);
	fclose(f);
	EXPECT_EQ(NULL, strstr(out, "vCPU 0"));
	free(out);
}

TEST_HARNESS_MAIN
