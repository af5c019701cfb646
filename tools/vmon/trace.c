// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmon trace: one line per VM exit, as the module reports them.
 *
 * VMON_CMD_TRACE_START makes the module send this socket an exit event
 * per exit of the VM (only the listed hardware reasons, if any).  The
 * module never waits for us: when our socket buffer is full it drops
 * the event and counts it, and the next event carries the count
 * (VMON_EV_LOST), which we report as it grows.  Without --vm every VM
 * you may watch is traced, including VMs started while tracing.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/netlink.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "decode_tables.h"
#include "device.h"
#include "json.h"
#include "libvmon.h"
#include "parse.h"
#include "vmon.h"
#include "watch.h"

/* VMX basic exit reasons and SVM exit codes decoded below (SDM 3C App. C, APM 2 App. C) */
#define VMX_EXIT_IO		30
#define VMX_EXIT_EPT_VIOLATION	48
#define SVM_EXIT_IOIO		0x7b
#define SVM_EXIT_NPF		0x400

#define TRACE_MAX_VMS		256
/* events queue here while we print; more than rmem_max needs root */
#define TRACE_RCVBUF		(4 << 20)
/* how long the answer to TRACE_START may take */
#define TRACE_ANSWER_MS		5000

static void trace_usage(FILE *f)
{
	fprintf(f,
		"usage: vmon trace [--vm VM] [--reason R ...] [--count N] [--json]\n"
		"\n"
		"Print one line per VM exit until Ctrl-C (or N exits), then a summary:\n"
		"time since the start, VM/vCPU, the vCPU's exit number, the exit reason,\n"
		"what it was about (port, GPA, qualification), guest RIP, the time vmon.ko\n"
		"took to handle it, and the guest TSC.  Lost events are reported as they\n"
		"happen; the module drops events rather than slow a guest down.\n"
		"\n"
		"  --vm VM       trace this VM only (an id or a name from 'vmon ps');\n"
		"                default: every VM you may watch, also those started later\n"
		"  --reason R    only exits of reason R: a name from the decode tables in any\n"
		"                case (cpuid, hlt, io_instruction on VMX, ioio on SVM) or a\n"
		"                number; repeat or separate with commas for several.\n"
		"                '--reason list' prints the names of this machine's backend\n"
		"  --count N     stop after N exits\n"
		"  --buffer SIZE socket receive buffer for events waiting to be printed\n"
		"                (default 4M; the kernel keeps at least about 2k, and above\n"
		"                net.core.rmem_max only for root); a smaller one loses more\n"
		"  --json        one JSON document per line: {\"type\":\"exit\",...}, then\n"
		"                {\"type\":\"lost\",...} and a final {\"type\":\"summary\",...}\n");
}

static const struct option trace_long_options[] = {
	{ "vm",		required_argument, NULL, 'v' },
	{ "reason",	required_argument, NULL, 'r' },
	{ "count",	required_argument, NULL, 'c' },
	{ "buffer",	required_argument, NULL, 'b' },
	{ "json",	no_argument,	   NULL, 'j' },
	{ "help",	no_argument,	   NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

/* "cpuid,hlt" adds two; the strings stay in argv */
static int add_reasons(struct trace_options *o, char *arg)
{
	char *tok, *save = NULL;

	for (tok = strtok_r(arg, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (!strcasecmp(tok, "list")) {
			o->list_reasons = true;
			continue;
		}
		if (o->nr_reasons == TRACE_MAX_REASONS) {
			vmon_err("trace: more than %d --reason values (trace without --reason instead)",
				 TRACE_MAX_REASONS);
			return -EINVAL;
		}
		o->reasons[o->nr_reasons++] = tok;
	}
	return 0;
}

int trace_parse_options(int argc, char **argv, struct trace_options *o)
{
	int c;

	memset(o, 0, sizeof(*o));
	o->buffer = TRACE_RCVBUF;
	opterr = 0;
	optind = 0;
	while ((c = getopt_long(argc, argv, "+:h", trace_long_options, NULL)) != -1) {
		switch (c) {
		case 'v':
			o->vm = optarg;
			break;
		case 'r':
			if (!*optarg) {
				vmon_err("trace: --reason needs a reason name or number (see 'vmon trace --reason list')");
				return -EINVAL;
			}
			if (add_reasons(o, optarg))
				return -EINVAL;
			break;
		case 'c':
			if (parse_count("trace", "--count", optarg, UINT64_MAX - 1, &o->count))
				return -EINVAL;
			if (!o->count) {
				vmon_err("trace: --count 0: give at least 1 (or leave it out to trace until Ctrl-C)");
				return -EINVAL;
			}
			break;
		case 'b':
			if (parse_size(optarg, &o->buffer) || !o->buffer || o->buffer > INT_MAX / 2) {
				vmon_err("trace: --buffer %s: not a size from 1 byte to 1G (e.g. 64k, 4M)",
					 optarg);
				return -EINVAL;
			}
			break;
		case 'j':
			o->json = true;
			break;
		case 'h':
			o->help = true;
			return 0;
		case ':':
			vmon_err("trace: %s needs a value (see 'vmon trace --help')", argv[optind - 1]);
			return -EINVAL;
		default:
			vmon_err("trace: unknown option '%s' (see 'vmon trace --help')",
				 argv[optind - 1]);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		vmon_err("trace: unexpected argument '%s' (to trace one VM: vmon trace --vm %s)",
			 argv[optind], argv[optind]);
		return -EINVAL;
	}
	return 0;
}

static size_t append(char *buf, size_t len, size_t at, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static size_t append(char *buf, size_t len, size_t at, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (at >= len)
		return at;
	va_start(ap, fmt);
	n = vsnprintf(buf + at, len - at, fmt, ap);
	va_end(ap);
	return n < 0 ? at : at + (size_t)n;
}

void trace_format_detail(unsigned int backend, const struct libvmon_exit_event *ev, char *buf,
			 size_t len)
{
	bool vmx = backend == VMON_BACKEND_VMX;
	uint32_t basic = vmx ? ev->reason & 0xffff : ev->reason;
	unsigned int size = 0, port;
	bool in = false, str = false, rep = false;
	size_t at = 0;

	buf[0] = '\0';
	if ((vmx && basic == VMX_EXIT_IO) || (!vmx && basic == SVM_EXIT_IOIO)) {
		if (vmx) {
			/* SDM Vol. 3C Table 28-5: size-1 in 2:0, IN 3, string 4, REP 5 */
			size = (ev->qual & 7) + 1;
			in = ev->qual & 8;
			str = ev->qual & 16;
			rep = ev->qual & 32;
		} else {
			/* APM Vol. 2 15.10.2 (IOIO EXITINFO1): IN 0, STR 2, REP 3, SZ8/16/32 4-6 */
			size = ev->qual & 0x10 ? 1 : ev->qual & 0x20 ? 2 : ev->qual & 0x40 ? 4 : 0;
			in = ev->qual & 1;
			str = ev->qual & 4;
			rep = ev->qual & 8;
		}
		/* both: the port in bits 31:16 */
		port = ev->has & LIBVMON_EV_HAS_PORT ? ev->port : (unsigned int)(ev->qual >> 16) & 0xffff;
		at = append(buf, len, at, "%s%s%s port %#x", rep ? "rep " : "",
			    in ? "in" : "out", str ? "s" : "", port);
		if (ev->has & LIBVMON_EV_HAS_QUAL && size)
			at = append(buf, len, at, ", %u byte%s", size, size == 1 ? "" : "s");
		return;
	}
	if ((vmx && basic == VMX_EXIT_EPT_VIOLATION) || (!vmx && basic == SVM_EXIT_NPF)) {
		/*
		 * Access type: SDM Vol. 3C Table 28-7 (bit 0 read, 1 write, 2 fetch);
		 * APM Vol. 2 15.25.6: EXITINFO1 is a #PF error code (bit 1 write, 4 fetch).
		 */
		bool fetch = vmx ? ev->qual & 4 : ev->qual & 16;
		const char *what = fetch ? "fetch" : ev->qual & 2 ? "write" : "read";

		if (ev->has & LIBVMON_EV_HAS_QUAL)
			at = append(buf, len, at, "%s ", what);
		if (ev->has & LIBVMON_EV_HAS_GPA)
			at = append(buf, len, at, "gpa %#llx", (unsigned long long)ev->gpa);
		return;
	}
	if (ev->has & LIBVMON_EV_HAS_PORT)
		at = append(buf, len, at, "port %#x ", ev->port);
	if (ev->has & LIBVMON_EV_HAS_GPA)
		at = append(buf, len, at, "gpa %#llx ", (unsigned long long)ev->gpa);
	if (ev->has & LIBVMON_EV_HAS_QUAL && ev->qual)
		at = append(buf, len, at, "qual %#llx", (unsigned long long)ev->qual);
	while (at && at < len && buf[at - 1] == ' ')
		buf[--at] = '\0';
}

void trace_print_event(FILE *f, unsigned int backend, const struct libvmon_exit_event *ev, double t,
		       bool json)
{
	char detail[96], lat[16], seq[24], rip[24];

	trace_format_detail(backend, ev, detail, sizeof(detail));
	if (json) {
		struct json_writer w;

		json_init(&w, f);
		json_begin_object(&w, NULL);
		json_str(&w, "type", "exit");
		json_double(&w, "time_s", t);
		json_u64(&w, "vm", ev->vm_id);
		json_u64(&w, "vcpu", ev->vcpu_id);
		if (ev->has & LIBVMON_EV_HAS_SEQ)
			json_u64(&w, "seq", ev->seq);
		json_u64(&w, "reason", ev->reason);
		json_str(&w, "name", exit_name(backend, ev->reason));
		if (ev->has & LIBVMON_EV_HAS_QUAL)
			json_u64(&w, "qualification", ev->qual);
		if (ev->has & LIBVMON_EV_HAS_PORT)
			json_u64(&w, "port", ev->port);
		if (ev->has & LIBVMON_EV_HAS_GPA)
			json_u64(&w, "gpa", ev->gpa);
		if (ev->has & LIBVMON_EV_HAS_RIP)
			json_u64(&w, "rip", ev->rip);
		if (ev->has & LIBVMON_EV_HAS_TSC)
			json_u64(&w, "guest_tsc", ev->guest_tsc);
		if (ev->has & LIBVMON_EV_HAS_LATENCY)
			json_u64(&w, "latency_ns", ev->latency_ns);
		if (detail[0])
			json_str(&w, "detail", detail);
		json_end_object(&w);
		return;
	}
	snprintf(seq, sizeof(seq), ev->has & LIBVMON_EV_HAS_SEQ ? "%llu" : "-",
		 (unsigned long long)ev->seq);
	snprintf(rip, sizeof(rip), ev->has & LIBVMON_EV_HAS_RIP ? "%#llx" : "-",
		 (unsigned long long)ev->rip);
	if (ev->has & LIBVMON_EV_HAS_LATENCY)
		format_ns(ev->latency_ns, lat, sizeof(lat));
	else
		snprintf(lat, sizeof(lat), "-");
	fprintf(f, "%12.6f %4u/%-3u %8s  %-20s %-28s %-18s %8s", t, ev->vm_id, ev->vcpu_id, seq,
		exit_name(backend, ev->reason), detail[0] ? detail : "-", rip, lat);
	if (ev->has & LIBVMON_EV_HAS_TSC)
		fprintf(f, "  tsc %llu", (unsigned long long)ev->guest_tsc);
	fputc('\n', f);
}

/* one traced VM */
struct traced_vm {
	uint32_t id;
	uint64_t lost;			/* the last VMON_EV_LOST we saw */
	bool gone;
};

struct trace_state {
	struct trace_options *o;
	unsigned int backend;
	uint32_t codes[TRACE_MAX_REASONS];
	struct traced_vm vms[TRACE_MAX_VMS];
	unsigned int nr_vms;
	struct timespec start;
	uint64_t events, lost;
	uint64_t by_reason_code[TRACE_MAX_REASONS];	/* summary: codes seen */
	uint64_t by_reason_count[TRACE_MAX_REASONS];
	unsigned int nr_by_reason;
	uint64_t other_reasons;
	bool done;
};

static double since_start(const struct trace_state *ts)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - ts->start.tv_sec) +
	       (double)(now.tv_nsec - ts->start.tv_nsec) / 1e9;
}

static struct traced_vm *find_vm(struct trace_state *ts, uint32_t id)
{
	unsigned int i;

	for (i = 0; i < ts->nr_vms; i++)
		if (ts->vms[i].id == id)
			return &ts->vms[i];
	return NULL;
}

static void report_lost(struct trace_state *ts, uint32_t vm, uint64_t n)
{
	struct json_writer w;

	ts->lost += n;
	if (ts->o->json) {
		json_init(&w, stdout);
		json_begin_object(&w, NULL);
		json_str(&w, "type", "lost");
		json_double(&w, "time_s", since_start(ts));
		json_u64(&w, "vm", vm);
		json_u64(&w, "lost", n);
		json_end_object(&w);
		return;
	}
	printf("%12.6f %4u     %llu event%s lost: the listener was too slow\n", since_start(ts),
	       vm, (unsigned long long)n, n == 1 ? "" : "s");
}

static void count_reason(struct trace_state *ts, uint32_t code)
{
	unsigned int i;

	for (i = 0; i < ts->nr_by_reason; i++) {
		if (ts->by_reason_code[i] == code) {
			ts->by_reason_count[i]++;
			return;
		}
	}
	if (ts->nr_by_reason == TRACE_MAX_REASONS) {
		ts->other_reasons++;
		return;
	}
	ts->by_reason_code[ts->nr_by_reason] = code;
	ts->by_reason_count[ts->nr_by_reason++] = 1;
}

/* every exit event comes here, also those that arrive while a request waits */
static void on_event(const struct libvmon_exit_event *e, int err, void *arg)
{
	struct libvmon_exit_event ev = *e;
	struct trace_state *ts = arg;
	struct traced_vm *vm;
	unsigned int i;

	if (ts->done)
		return;
	if (err) {
		vmon_err("trace: an exit event that breaks the netlink contract (do vmon and vmon.ko come from the same build?)");
		return;
	}
	vm = find_vm(ts, ev.vm_id);
	if (!vm)
		return;	/* a VM we stopped tracing, or not ours to print */
	if (ev.has & LIBVMON_EV_HAS_LOST && ev.lost > vm->lost) {
		report_lost(ts, ev.vm_id, ev.lost - vm->lost);
		vm->lost = ev.lost;
	}
	if (ts->o->nr_reasons) {
		for (i = 0; i < ts->o->nr_reasons; i++)
			if (ts->codes[i] == ev.reason)
				break;
		if (i == ts->o->nr_reasons)
			return;
	}
	trace_print_event(stdout, ts->backend, &ev, since_start(ts), ts->o->json);
	ts->events++;
	count_reason(ts, ev.reason);
	if (ts->o->count && ts->events >= ts->o->count)
		ts->done = true;
}

static void set_rcvbuf(int fd, int size);

/*
 * VMON_CMD_TRACE_START from the event socket (the module sends events to
 * the requester's port).  The answer travels on the same socket as the
 * events of VMs already traced, and netlink drops whatever does not fit:
 * the buffer is large while we wait for the answer, --buffer only after.
 */
static int trace_start(struct libvmon_nl *ev_nl, struct trace_state *ts, uint32_t id)
{
	int fd = libvmon_nl_fd(ev_nl);
	struct nl_msg *req = libvmon_nl_new(ev_nl, VMON_CMD_TRACE_START, 0);
	unsigned int i;
	int ret;

	if (!req || nla_put_u32(req, VMON_A_VM_ID, id))
		goto nomem;
	for (i = 0; i < ts->o->nr_reasons; i++)
		if (nla_put_u32(req, VMON_A_REASON, ts->codes[i]))
			goto nomem;
	set_rcvbuf(fd, TRACE_RCVBUF);
	ret = libvmon_nl_request_timeout(ev_nl, req, NULL, NULL, TRACE_ANSWER_MS);
	set_rcvbuf(fd, (int)ts->o->buffer);
	return ret;
nomem:
	nlmsg_free(req);
	return -ENOMEM;
}

/* start tracing the VMs of the list we are not tracing yet */
static int trace_new_vms(struct libvmon_nl *nl, struct libvmon_nl *ev_nl, struct trace_state *ts,
			 const uint32_t *only)
{
	struct libvmon_vm_info *vms = NULL;
	unsigned int n = 0, i;
	int ret;

	ret = libvmon_nl_list_vms(nl, &vms, &n);
	if (ret) {
		watch_nl_explain(nl, ret, "trace: listing VMs", -1, -1);
		return ret;
	}
	for (i = 0; i < n; i++) {
		if ((only && vms[i].id != *only) || find_vm(ts, vms[i].id))
			continue;
		if (ts->nr_vms == TRACE_MAX_VMS)
			break;
		ret = trace_start(ev_nl, ts, vms[i].id);
		if (ret == -ENOENT && !only)
			continue;	/* ended since the list */
		if (ret) {
			watch_nl_explain(ev_nl, ret, "trace: starting the trace of", vms[i].id, -1);
			free(vms);
			return ret;
		}
		ts->vms[ts->nr_vms++].id = vms[i].id;
	}
	free(vms);
	return 0;
}

/* the backend for reason names: of the VMs, else of /dev/vmon */
static unsigned int find_backend(struct libvmon_nl *nl, const uint32_t *only)
{
	struct libvmon_vm_info *vms = NULL;
	struct vmon_caps caps;
	unsigned int n = 0, i, backend = VMON_BACKEND_NONE;
	int fd;

	if (!libvmon_nl_list_vms(nl, &vms, &n))
		for (i = 0; i < n && !backend; i++)
			if (!only || vms[i].id == *only)
				backend = backend_from_name(vms[i].backend);
	free(vms);
	if (backend)
		return backend;
	fd = vmon_open_device_quiet();
	if (fd >= 0) {
		if (!libvmon_get_caps(fd, &caps))
			backend = caps.backend;
		close(fd);
	}
	return backend;
}

static int resolve_reasons(struct trace_state *ts)
{
	struct trace_options *o = ts->o;
	unsigned int i;
	int ret;

	for (i = 0; i < o->nr_reasons; i++) {
		ret = exit_reason_parse(ts->backend, o->reasons[i], &ts->codes[i]);
		if (!ret)
			continue;
		if (ret == -ENOENT && !ts->backend)
			vmon_err("trace: --reason %s: no VM is running and /dev/vmon cannot say which backend this machine has, so names cannot be looked up (give the number, or start a VM first)",
				 o->reasons[i]);
		else if (ret == -ENOENT && exit_reason_other_backend(ts->backend, o->reasons[i]))
			vmon_err("trace: --reason %s: an exit reason of the other backend; this machine runs %s (see 'vmon trace --reason list')",
				 o->reasons[i], libvmon_backend_name(ts->backend));
		else if (ret == -ENOENT)
			vmon_err("trace: --reason %s: no such %s exit reason (see 'vmon trace --reason list')",
				 o->reasons[i], libvmon_backend_name(ts->backend));
		else
			vmon_err("trace: --reason %s: not a reason name or a number below 2^32 (see 'vmon trace --reason list')",
				 o->reasons[i]);
		return -EINVAL;
	}
	return 0;
}

static void print_summary(struct trace_state *ts)
{
	double t = since_start(ts);
	struct json_writer w;
	unsigned int i;

	if (ts->o->json) {
		json_init(&w, stdout);
		json_begin_object(&w, NULL);
		json_str(&w, "type", "summary");
		json_double(&w, "time_s", t);
		json_u64(&w, "events", ts->events);
		json_u64(&w, "lost", ts->lost);
		json_u64(&w, "vms", ts->nr_vms);
		json_begin_array(&w, "reasons");
		for (i = 0; i < ts->nr_by_reason; i++) {
			json_begin_object(&w, NULL);
			json_u64(&w, "reason", ts->by_reason_code[i]);
			json_str(&w, "name", exit_name(ts->backend, ts->by_reason_code[i]));
			json_u64(&w, "count", ts->by_reason_count[i]);
			json_end_object(&w);
		}
		json_end_array(&w);
		json_end_object(&w);
		return;
	}
	printf("-- %llu exit%s from %u VM%s in %.2fs, %llu event%s lost",
	       (unsigned long long)ts->events, ts->events == 1 ? "" : "s", ts->nr_vms,
	       ts->nr_vms == 1 ? "" : "s", t, (unsigned long long)ts->lost,
	       ts->lost == 1 ? "" : "s");
	for (i = 0; i < ts->nr_by_reason; i++)
		printf("%s %s %llu", i ? "," : ":", exit_name(ts->backend, ts->by_reason_code[i]),
		       (unsigned long long)ts->by_reason_count[i]);
	if (ts->other_reasons)
		printf(", other %llu", (unsigned long long)ts->other_reasons);
	printf("\n");
}

/* the VM is still in the list (a failed list counts as alive) */
static bool vm_alive(struct libvmon_nl *nl, uint32_t id)
{
	struct libvmon_vm_info *vms = NULL;
	unsigned int n = 0, i;
	bool alive = false;

	if (libvmon_nl_list_vms(nl, &vms, &n))
		return true;
	for (i = 0; i < n; i++)
		if (vms[i].id == id)
			alive = true;
	free(vms);
	return alive;
}

/*
 * The receive buffer bounds the events queued for us (socket(7)); root
 * may pass net.core.rmem_max.  An overrun is counted by the module and
 * reported in the next event (VMON_EV_LOST), so the socket's own
 * ENOBUFS error would only say it twice (netlink(7): NETLINK_NO_ENOBUFS).
 */
static void set_rcvbuf(int fd, int size)
{
	int one = 1;

	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	setsockopt(fd, SOL_NETLINK, NETLINK_NO_ENOBUFS, &one, sizeof(one));
}

static volatile sig_atomic_t trace_stop;

static void on_sigint(int sig)
{
	trace_stop = 1;
}

static int trace_loop(struct libvmon_nl *nl, struct libvmon_nl *ev_nl, struct trace_state *ts,
		      const uint32_t *only)
{
	struct pollfd pfd = { .fd = libvmon_nl_fd(ev_nl), .events = POLLIN };
	double next_scan = 1.0;
	int ret = 0;

	while (!trace_stop && !ts->done) {
		ret = poll(&pfd, 1, only ? 1000 : 250);
		if (ret < 0 && errno == EINTR) {
			ret = 0;	/* Ctrl-C: the loop ends, with a summary */
			continue;
		}
		if (ret < 0) {
			ret = -errno;
			vmon_err("trace: waiting for events: %s", strerror(errno));
			break;
		}
		if (ret > 0) {
			ret = libvmon_nl_dispatch_events(ev_nl);
			if (ret == -ENOBUFS) {
				/* ENOBUFS: the socket overran before the module could count it */
				if (!ts->o->json)
					printf("%12.6f      events lost: the listener was too slow (socket buffer overrun)\n",
					       since_start(ts));
			} else if (ret < 0 && ret != -EINTR) {
				vmon_err("trace: receiving events: %s", strerror(-ret));
				break;
			}
			ret = 0;
		}
		if (since_start(ts) < next_scan)
			continue;
		next_scan = since_start(ts) + 1.0;
		/* without --vm, VMs started after us are traced too */
		if (!only) {
			ret = trace_new_vms(nl, ev_nl, ts, NULL);
			if (ret)
				break;
		} else if (!vm_alive(nl, *only)) {
			if (!ts->o->json)
				printf("%12.6f %4u     the VM has ended\n", since_start(ts), *only);
			break;
		}
	}
	return ret;
}

int cmd_trace(int argc, char **argv)
{
	struct libvmon_nl nl = { 0 }, ev_nl = { 0 };
	struct trace_options o;
	struct trace_state *ts;
	struct sigaction sa;
	uint32_t id, *only = NULL;
	int status = VMON_STATUS_USAGE;

	if (trace_parse_options(argc, argv, &o))
		return VMON_STATUS_USAGE;
	if (o.help) {
		trace_usage(stdout);
		return VMON_STATUS_OK;
	}
	ts = calloc(1, sizeof(*ts));
	if (!ts) {
		vmon_err("trace: out of memory");
		return VMON_STATUS_USAGE;
	}
	ts->o = &o;
	if (watch_nl_open(&nl))
		goto out;
	if (o.vm) {
		if (resolve_vm(&nl, "trace", o.vm, &id))
			goto out;
		only = &id;
	}
	ts->backend = find_backend(&nl, only);
	if (o.list_reasons) {
		if (!ts->backend) {
			vmon_err("trace: --reason list: no VM is running and /dev/vmon cannot say which backend this machine has (load vmon.ko, or start a VM first)");
			goto out;
		}
		printf("%s exit reasons (names from tables/%s):\n", libvmon_backend_name(ts->backend),
		       ts->backend == VMON_BACKEND_VMX ? "vmx_exit_reasons.h" : "svm_exit_codes.h");
		exit_reasons_list(ts->backend, stdout);
		status = VMON_STATUS_OK;
		goto out;
	}
	if (resolve_reasons(ts))
		goto out;

	/* events arrive on a socket of their own */
	if (watch_nl_open(&ev_nl))
		goto out;
	ev_nl.on_event = on_event;
	ev_nl.event_arg = ts;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigint;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	clock_gettime(CLOCK_MONOTONIC, &ts->start);

	if (trace_new_vms(&nl, &ev_nl, ts, only))
		goto out;
	if (only && !ts->nr_vms) {
		vmon_err("trace: no VM %u that you may watch (see 'vmon ps')", id);
		goto out;
	}
	if (!o.json)
		printf("%12s %8s %8s  %-20s %-28s %-18s %8s  %s\n", "TIME", "VM/VCPU", "SEQ",
		       "REASON", "DETAIL", "RIP", "LATENCY", "GUEST TSC");
	fflush(stdout);
	if (!trace_loop(&nl, &ev_nl, ts, only))
		status = VMON_STATUS_OK;
	/*
	 * Closing the socket ends the traces (uapi: "until the socket
	 * closes"); VMON_CMD_TRACE_STOP would need an answer that a socket
	 * full of events may never get.
	 */
	print_summary(ts);
out:
	libvmon_nl_close(&ev_nl);
	libvmon_nl_close(&nl);
	free(ts);
	return status;
}
