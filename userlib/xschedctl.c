// SPDX-License-Identifier: LGPL-2.1 OR MIT
/*
 * xschedctl: see and change xsched's queues and domains.
 *
 * Queues, priorities, states and statistics come from the ioctls; a
 * domain's policy and knobs come from sysfs, which is their source of
 * truth.  Exit status: 0 success, 1 an operation failed, 2 bad usage.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xschedctl.h"
#define XSCHED_RULES_FILE "/etc/xsched/rules.conf"
/* A rules file larger than this is not one. */
#define XSCHED_RULES_FILE_MAX (1 << 20)

static const char *const knobs[] = { "poll_us", "resume_delay_us",
				     "starvation_ms" };
#define NKNOBS (sizeof(knobs) / sizeof(knobs[0]))

int json;
const char *devpath = XSCHED_DEV_PATH;

static void usage(FILE *f)
{
	fprintf(f,
"usage: xschedctl [--json] [--device PATH] COMMAND [ARGS]\n"
"       xschedctl --help | --version\n"
"commands:\n"
"  list                          domains (with their devices) and queues\n"
"  set-priority QUEUE_ID PRIO    set a queue's priority (%d..%d)\n"
"  policy GPU_ID [NAME] [KNOB=VALUE]...\n"
"                                show or set a domain's policy and knobs\n"
"                                (poll_us, resume_delay_us, starvation_ms)\n"
"  stats                         scheduler counters and latencies\n"
"  top [-n ITERATIONS] [-d SECONDS]\n"
"                                a refreshing view of the busiest queues\n"
"  run --priority PRIO [--] CMD [ARG]...\n"
"                                run CMD at operator priority PRIO\n"
"  renice PID [PRIO|clear]       show or set a process's operator priority\n"
"  rules list                    the operator's rules, as a rules file\n"
"  rules check|apply [FILE]      check, or check and apply, a rules file\n"
"                                (default " XSCHED_RULES_FILE ")\n"
"  rules add KIND [TARGET] PRIO  add or change one rule (user NAME|UID,\n"
"                                cgroup PATH, or default)\n"
"  rules remove KIND [TARGET]    remove one rule\n"
"  metrics [--listen [ADDR]:PORT]\n"
"                                Prometheus metrics, printed or served\n"
"                                over HTTP at /metrics\n"
"  nfd                           node-feature-discovery feature lines\n"
"  version                       the tools' and the module's version\n"
"exit status: 0 ok, 1 error, 2 usage; run: CMD's, or 126/127 if it\n"
"cannot be run\n", XSCHED_PRIO_MIN, XSCHED_PRIO_MAX);
}

int bad_usage(const char *why)
{
	fprintf(stderr, "xschedctl: %s\n", why);
	usage(stderr);
	return EXIT_USAGE;
}

int fail(const char *what, int err)
{
	fprintf(stderr, "xschedctl: %s: %s\n", what, strerror(-err));
	return 1;
}

int parse_u32(const char *s, uint32_t *v)
{
	unsigned long long x;
	char *end;

	if (!s || !*s || *s == '-')
		return -EINVAL;
	errno = 0;
	x = strtoull(s, &end, 0);
	if (*end || errno || x > UINT32_MAX)
		return -EINVAL;
	*v = (uint32_t)x;
	return 0;
}

int open_dev(struct xsched **xs)
{
	int ret = xsched_open_path(devpath, xs);

	if (ret == -ENOENT && !strcmp(devpath, XSCHED_DEV_PATH))
		fprintf(stderr, "xschedctl: %s: %s (the xsched module is not loaded: modprobe xsched)\n",
			devpath, strerror(-ret));
	else if (ret)
		fail(devpath, ret);
	return ret;
}

/* Names from the kernel are NUL-terminated and plain; escape anyway. */
static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", *s);
		else
			putchar(*s);
	}
	putchar('"');
}

/* Where a device's name came from, for people and for --json. */
static const char *name_source(const struct xsched_device *dv)
{
	if (dv->flags & XSCHED_DEVICE_SIMULATED)
		return "simulated";
	return dv->flags & XSCHED_DEVICE_DRM_NAME ? "libdrm_amdgpu" : "topology";
}

static void print_device_json(const struct xsched_device *dv, int err)
{
	if (err) {
		printf(",\"device\":null,\"device_error\":");
		json_str(strerror(-err));
		return;
	}
	printf(",\"device\":{\"simulated\":%s,\"kfd_node\":%d,"
	       "\"render_node\":",
	       dv->flags & XSCHED_DEVICE_SIMULATED ? "true" : "false",
	       dv->kfd_node);
	json_str(dv->render_node);
	printf(",\"pci_address\":");
	json_str(dv->pci_address);
	printf(",\"vendor_id\":%u,\"device_id\":%u,\"partition\":%u,"
	       "\"partitions\":%u,\"partition_mode\":", dv->vendor_id,
	       dv->device_id, dv->partition, dv->partitions);
	json_str(dv->partition_mode);
	printf(",\"name\":");
	json_str(dv->name);
	printf(",\"name_source\":\"%s\",\"libdrm_error\":", name_source(dv));
	if (dv->drm_error)
		json_str(strerror(-dv->drm_error));
	else
		printf("null");
	putchar('}');
}

/* The device columns of `list`: render node, PCI address, partition, name. */
static void print_device_text(const struct xsched_device *dv, int err,
			      const char *domain_name)
{
	char part[32];

	if (err) {
		printf(" %-20s %-12s %-5s %s (device: %s)\n", "-", "-", "-",
		       domain_name, strerror(-err));
		return;
	}
	if (dv->flags & XSCHED_DEVICE_SIMULATED) {
		snprintf(part, sizeof(part), "%u/%u", dv->partition,
			 dv->partitions);
		printf(" %-20s %-12s %-5s %s\n", "simulated", "simulated", part,
		       dv->name);
		return;
	}
	snprintf(part, sizeof(part), "%u/%u%s%s", dv->partition, dv->partitions,
		 *dv->partition_mode ? " " : "", dv->partition_mode);
	printf(" %-20s %-12s %-5s %s", *dv->render_node ? dv->render_node : "-",
	       *dv->pci_address ? dv->pci_address : "-", part,
	       *dv->name ? dv->name : "-");
	if (dv->drm_error)
		printf(" (topology name; libdrm_amdgpu: %s)",
		       strerror(-dv->drm_error));
	putchar('\n');
}

static void print_domains(struct xsched *xs, const struct xsched_domain_info *d,
			  uint32_t n)
{
	struct xsched_device dv;
	uint32_t i;
	int err;

	if (json) {
		printf("\"domains\":[");
		for (i = 0; i < n; i++) {
			printf("%s{\"gpu_id\":%u,\"name\":", i ? "," : "",
			       d[i].gpu_id);
			json_str(d[i].name);
			printf(",\"policy\":");
			json_str(d[i].policy);
			printf(",\"level\":%u,\"nr_queues\":%u,\"degraded\":%s",
			       d[i].level, d[i].nr_queues,
			       d[i].flags & XSCHED_DOMAIN_DEGRADED ? "true" : "false");
			err = xsched_domain_device(xs, d[i].gpu_id, &dv);
			print_device_json(&dv, err);
			putchar('}');
		}
		printf("]");
		return;
	}
	printf("%-8s %-8s %5s %7s %-8s %-20s %-12s %-5s %s\n", "GPU_ID", "POLICY",
	       "LEVEL", "QUEUES", "STATE", "RENDER", "PCI", "PART", "DEVICE");
	for (i = 0; i < n; i++) {
		printf("%-8u %-8s %5u %7u %-8s", d[i].gpu_id, d[i].policy,
		       d[i].level, d[i].nr_queues,
		       d[i].flags & XSCHED_DOMAIN_DEGRADED ? "degraded" : "ok");
		err = xsched_domain_device(xs, d[i].gpu_id, &dv);
		print_device_text(&dv, err, d[i].name);
	}
}

static void print_queues(struct xsched *xs, const struct xsched_queue_info *q,
			 uint32_t n)
{
	uint32_t i, op, src;
	char opbuf[24];

	if (json) {
		printf("\"queues\":[");
		for (i = 0; i < n; i++) {
			printf("%s{\"id\":%u,\"gpu_id\":%u,\"pid\":%d,\"uid\":%u,"
			       "\"queue_id\":%u,\"priority\":%u,\"state\":\"%s\","
			       "\"hinted\":%s,\"busy_ns\":%" PRIu64
			       ",\"paused_ns\":%" PRIu64 ",\"preemptions\":%" PRIu64
			       ",\"last_lat_ns\":%" PRIu64 ",\"max_lat_ns\":%" PRIu64,
			       i ? "," : "", q[i].id, q[i].gpu_id, q[i].pid,
			       q[i].uid, q[i].queue_id, q[i].priority,
			       xsched_queue_state_name(q[i].state),
			       q[i].flags & XSCHED_QUEUE_HINTED ? "true" : "false",
			       (uint64_t)q[i].busy_ns, (uint64_t)q[i].paused_ns,
			       (uint64_t)q[i].preempt_count,
			       (uint64_t)q[i].last_lat_ns, (uint64_t)q[i].max_lat_ns);
			/* A queue gone since the list has no operator priority. */
			if (!xsched_queue_op_priority(xs, q[i].id, &op, &src))
				printf(",\"op_priority\":%u,\"op_source\":\"%s\"}",
				       op, xsched_source_name(src));
			else
				printf(",\"op_priority\":null,\"op_source\":null}");
		}
		printf("]");
		return;
	}
	printf("%-6s %-8s %-8s %6s %-13s %4s %-7s %12s %12s %8s\n", "ID",
	       "GPU_ID", "PID", "UID", "OP", "PRIO", "STATE", "BUSY_MS",
	       "PAUSED_MS", "PREEMPT");
	for (i = 0; i < n; i++) {
		if (!xsched_queue_op_priority(xs, q[i].id, &op, &src))
			snprintf(opbuf, sizeof(opbuf), "%u/%s", op,
				 xsched_source_name(src));
		else
			snprintf(opbuf, sizeof(opbuf), "-");
		printf("%-6u %-8u %-8d %6u %-13s %4u %-7s %12.3f %12.3f %8" PRIu64 "\n",
		       q[i].id, q[i].gpu_id, q[i].pid, q[i].uid, opbuf,
		       q[i].priority, xsched_queue_state_name(q[i].state),
		       q[i].busy_ns / 1e6, q[i].paused_ns / 1e6,
		       (uint64_t)q[i].preempt_count);
	}
}

/*
 * Every domain and every queue, read in one pass over one open device.
 * Returns 0, or the exit status after reporting the error as @cmd's.
 * With @keep, *@keep is the open device, for the caller to close.
 */
static int snapshot(const char *cmd, struct xsched_domain_info **d,
		    uint32_t *nd, struct xsched_queue_info **q, uint32_t *nq,
		    struct xsched **keep)
{
	struct xsched *xs;
	int ret;

	*d = NULL;
	*q = NULL;
	if (open_dev(&xs))
		return 1;
	ret = xsched_get_domains(xs, d, nd);
	if (!ret)
		ret = xsched_get_queues(xs, 0, 0, q, nq);
	if (ret || !keep)
		xsched_close(xs);
	if (ret) {
		free(*d);
		*d = NULL;
		return fail(cmd, ret);
	}
	if (keep)
		*keep = xs;
	return 0;
}

static int cmd_list(int argc, char **argv)
{
	struct xsched_domain_info *d;
	struct xsched_queue_info *q;
	struct xsched *xs;
	uint32_t nd, nq;
	int ret;

	(void)argv;
	if (argc != 1)
		return bad_usage("list takes no arguments");
	ret = snapshot("list", &d, &nd, &q, &nq, &xs);
	if (ret)
		return ret;
	if (json)
		putchar('{');
	print_domains(xs, d, nd);
	if (json)
		putchar(',');
	else
		putchar('\n');
	print_queues(xs, q, nq);
	if (json)
		printf("}\n");
	xsched_close(xs);
	free(d);
	free(q);
	return 0;
}

static int cmd_set_priority(int argc, char **argv)
{
	uint32_t id, prio;
	struct xsched *xs;
	int ret;

	if (argc != 3 || parse_u32(argv[1], &id) || parse_u32(argv[2], &prio))
		return bad_usage("set-priority needs QUEUE_ID PRIO");
	if (prio > XSCHED_PRIO_MAX)
		return bad_usage("priority out of range");
	if (open_dev(&xs))
		return 1;
	ret = xsched_set_priority(xs, id, prio);
	xsched_close(xs);
	return ret ? fail("set-priority", ret) : 0;
}

static int show_policy(uint32_t gpu)
{
	uint64_t v[NKNOBS];
	char pol[32];
	size_t i;
	int ret;

	ret = xsched_domain_get_policy(gpu, pol, sizeof(pol));
	for (i = 0; !ret && i < NKNOBS; i++)
		ret = xsched_domain_get_attr(gpu, knobs[i], &v[i]);
	if (ret)
		return fail("policy", ret);
	if (json) {
		printf("{\"gpu_id\":%u,\"policy\":", gpu);
		json_str(pol);
		for (i = 0; i < NKNOBS; i++)
			printf(",\"%s\":%" PRIu64, knobs[i], v[i]);
		printf("}\n");
	} else {
		printf("policy: %s\n", pol);
		for (i = 0; i < NKNOBS; i++)
			printf("%s: %" PRIu64 "\n", knobs[i], v[i]);
	}
	return 0;
}

static int cmd_policy(int argc, char **argv)
{
	uint32_t gpu;
	int i, ret;

	if (argc < 2 || parse_u32(argv[1], &gpu))
		return bad_usage("policy needs GPU_ID");
	/* Check every argument before changing anything. */
	for (i = 2; i < argc; i++) {
		char *eq = strchr(argv[i], '=');
		uint32_t v;
		size_t k;

		if (!eq) {
			if (i != 2)
				return bad_usage("the policy name comes first");
			continue;
		}
		for (k = 0; k < NKNOBS; k++)
			if (!strncmp(argv[i], knobs[k], eq - argv[i]) &&
			    strlen(knobs[k]) == (size_t)(eq - argv[i]))
				break;
		if (k == NKNOBS || parse_u32(eq + 1, &v))
			return bad_usage("unknown knob or bad value");
	}
	for (i = 2; i < argc; i++) {
		char *eq = strchr(argv[i], '=');
		uint32_t v;

		if (!eq) {
			ret = xsched_domain_set_policy(gpu, argv[i]);
			if (ret)
				return fail(argv[i], ret);
			continue;
		}
		*eq = 0;
		parse_u32(eq + 1, &v);
		ret = xsched_domain_set_knob(gpu, argv[i], v);
		if (ret)
			return fail(argv[i], ret);
	}
	return argc == 2 ? show_policy(gpu) : 0;
}

static int cmd_stats(int argc, char **argv)
{
	struct xsched_domain_info *d;
	struct xsched_queue_info *q;
	struct xsched *xs;
	uint32_t nd, nq, i;
	int ret;

	(void)argv;
	if (argc != 1)
		return bad_usage("stats takes no arguments");
	ret = snapshot("stats", &d, &nd, &q, &nq, &xs);
	if (ret)
		return ret;
	if (json)
		printf("{\"domains\":[");
	for (i = 0; i < nd; i++) {
		uint64_t mean = 0, max = 0;

		/* Latency summaries exist only in sysfs; 0 if unreadable. */
		xsched_domain_get_attr(d[i].gpu_id, "pause_lat_mean_ns", &mean);
		xsched_domain_get_attr(d[i].gpu_id, "pause_lat_max_ns", &max);
		if (json)
			printf("%s{\"gpu_id\":%u,\"decisions\":%" PRIu64
			       ",\"pauses\":%" PRIu64 ",\"resumes\":%" PRIu64
			       ",\"errors\":%" PRIu64 ",\"pause_lat_mean_ns\":%" PRIu64
			       ",\"pause_lat_max_ns\":%" PRIu64 "}", i ? "," : "",
			       d[i].gpu_id, (uint64_t)d[i].decisions,
			       (uint64_t)d[i].pauses, (uint64_t)d[i].resumes,
			       (uint64_t)d[i].errors, mean, max);
		else
			printf("domain %u: decisions %" PRIu64 " pauses %" PRIu64
			       " resumes %" PRIu64 " errors %" PRIu64
			       " pause latency mean %" PRIu64 " ns max %" PRIu64 " ns\n",
			       d[i].gpu_id, (uint64_t)d[i].decisions,
			       (uint64_t)d[i].pauses, (uint64_t)d[i].resumes,
			       (uint64_t)d[i].errors, mean, max);
	}
	if (json) {
		printf("],");
		print_queues(xs, q, nq);
		printf("}\n");
	} else {
		for (i = 0; i < nq; i++)
			printf("queue %u: preemptions %" PRIu64 " last latency %"
			       PRIu64 " ns max %" PRIu64 " ns\n", q[i].id,
			       (uint64_t)q[i].preempt_count,
			       (uint64_t)q[i].last_lat_ns, (uint64_t)q[i].max_lat_ns);
	}
	xsched_close(xs);
	free(d);
	free(q);
	return 0;
}

static uint64_t prev_busy(const struct xsched_queue_info *p, uint32_t np,
			  uint32_t id, uint64_t now)
{
	uint32_t i;

	for (i = 0; i < np; i++)
		if (p[i].id == id)
			return p[i].busy_ns;
	return now;
}

static int cmd_top(int argc, char **argv)
{
	struct xsched_queue_info *q = NULL, *prev = NULL;
	uint32_t nq = 0, np = 0, i, iters = 0, n;
	double delay = 1.0;
	struct xsched *xs;
	int opt, ret = 0;

	optind = 1;
	while ((opt = getopt(argc, argv, "n:d:")) != -1) {
		char *end;

		switch (opt) {
		case 'n':
			if (parse_u32(optarg, &iters) || !iters)
				return bad_usage("-n needs a positive count");
			break;
		case 'd':
			delay = strtod(optarg, &end);
			if (*end || !(delay > 0) || delay > 3600)
				return bad_usage("-d needs seconds > 0");
			break;
		default:
			return bad_usage("bad top option");
		}
	}
	if (optind != argc)
		return bad_usage("top takes only -n and -d");
	if (open_dev(&xs))
		return 1;
	for (n = 0; !iters || n < iters; n++) {
		if (n)
			usleep((useconds_t)(delay * 1e6));
		free(prev);
		prev = q;
		np = nq;
		ret = xsched_get_queues(xs, 0, 0, &q, &nq);
		if (ret) {
			q = NULL;
			break;
		}
		if (!json && isatty(STDOUT_FILENO))
			printf("\033[H\033[2J");
		if (json)
			printf("{\"iteration\":%u,\"interval_s\":%g,", n, delay);
		else
			printf("xschedctl top: %u queues, every %g s\n%-6s %-8s %-8s %4s %-7s %6s %8s\n",
			       nq, delay, "ID", "GPU_ID", "PID", "PRIO",
			       "STATE", "BUSY%", "PREEMPT");
		if (json)
			printf("\"queues\":[");
		for (i = 0; i < nq; i++) {
			uint64_t d = q[i].busy_ns -
				     prev_busy(prev, np, q[i].id, q[i].busy_ns);
			double pct = n ? 100.0 * d / (delay * 1e9) : 0;

			if (pct > 100)
				pct = 100;
			if (json)
				printf("%s{\"id\":%u,\"priority\":%u,\"state\":\"%s\",\"busy_pct\":%.1f,\"preemptions\":%" PRIu64 "}",
				       i ? "," : "", q[i].id, q[i].priority,
				       xsched_queue_state_name(q[i].state), pct,
				       (uint64_t)q[i].preempt_count);
			else
				printf("%-6u %-8u %-8d %4u %-7s %6.1f %8" PRIu64 "\n",
				       q[i].id, q[i].gpu_id, q[i].pid,
				       q[i].priority,
				       xsched_queue_state_name(q[i].state), pct,
				       (uint64_t)q[i].preempt_count);
		}
		if (json)
			printf("]}\n");
		fflush(stdout);
	}
	free(prev);
	free(q);
	xsched_close(xs);
	return ret ? fail("top", ret) : 0;
}

/* ---- operator priorities ---- */

static int parse_prio(const char *s, uint32_t *prio)
{
	return parse_u32(s, prio) || *prio > XSCHED_PRIO_MAX ? -EINVAL : 0;
}

static int cmd_run(int argc, char **argv)
{
	struct xsched *xs;
	uint32_t prio;
	int i = 1, ret;

	if (argc < 3 || strcmp(argv[i], "--priority") ||
	    parse_prio(argv[i + 1], &prio))
		return bad_usage("run needs --priority PRIO and a command");
	i += 2;
	if (i < argc && !strcmp(argv[i], "--"))
		i++;
	if (i >= argc)
		return bad_usage("run needs a command");
	if (open_dev(&xs))
		return 1;
	ret = xsched_set_proc_priority(xs, 0, prio);
	xsched_close(xs);
	if (ret) {
		fprintf(stderr, "xschedctl: run: operator priority %u: %s%s\n",
			prio, strerror(-ret), ret == -EPERM ?
			" (raising it needs CAP_SYS_NICE)" : "");
		return 1;
	}
	execvp(argv[i], &argv[i]);
	fprintf(stderr, "xschedctl: run: %s: %s\n", argv[i], strerror(errno));
	return errno == ENOENT ? 127 : 126;
}

static int cmd_renice(int argc, char **argv)
{
	uint32_t pid, prio = 0, src;
	struct xsched *xs;
	int ret;

	if (argc < 2 || argc > 3 || parse_u32(argv[1], &pid) || pid > INT32_MAX ||
	    (argc == 3 && strcmp(argv[2], "clear") && parse_prio(argv[2], &prio)))
		return bad_usage("renice needs PID [PRIO|clear]");
	if (open_dev(&xs))
		return 1;
	if (argc == 3 && !strcmp(argv[2], "clear"))
		ret = xsched_clear_proc_priority(xs, (int)pid);
	else if (argc == 3)
		ret = xsched_set_proc_priority(xs, (int)pid, prio);
	else
		ret = 0;
	if (!ret)
		ret = xsched_proc_priority(xs, (int)pid, &prio, &src);
	xsched_close(xs);
	if (ret)
		return fail("renice", ret);
	if (json)
		printf("{\"pid\":%u,\"op_priority\":%u,\"source\":\"%s\"}\n",
		       pid, prio, xsched_source_name(src));
	else
		printf("%u: operator priority %u (%s)\n", pid, prio,
		       xsched_source_name(src));
	return 0;
}

/* The whole of @path, NUL-terminated; malloc()ed. */
static int read_text(const char *path, char **text)
{
	FILE *f = fopen(path, "r");
	size_t n;
	char *buf;

	if (!f)
		return -errno;
	buf = malloc(XSCHED_RULES_FILE_MAX + 1);
	if (!buf) {
		fclose(f);
		return -ENOMEM;
	}
	n = fread(buf, 1, XSCHED_RULES_FILE_MAX + 1, f);
	if (ferror(f) || n > XSCHED_RULES_FILE_MAX) {
		fclose(f);
		free(buf);
		return n > XSCHED_RULES_FILE_MAX ? -EFBIG : -EIO;
	}
	fclose(f);
	buf[n] = '\0';
	if (strlen(buf) != n) {
		free(buf);
		return -EINVAL;		/* a NUL byte: not a text file */
	}
	*text = buf;
	return 0;
}

static int rules_from_file(const char *path, struct xsched_rule **r,
			   uint32_t *n)
{
	unsigned int line;
	char why[160], *text = NULL;
	int ret = read_text(path, &text);

	if (ret) {
		fprintf(stderr, "xschedctl: %s: %s\n", path, strerror(-ret));
		return 1;
	}
	ret = xsched_rules_parse(text, r, n, &line, why, sizeof(why));
	free(text);
	if (ret == -EINVAL) {
		fprintf(stderr, "xschedctl: %s:%u: %s; nothing applied\n",
			path, line, why);
		return 1;
	}
	return ret ? fail(path, ret) : 0;
}

static void print_rules(const struct xsched_rule *r, uint32_t n, uint64_t gen)
{
	char line[320];
	uint32_t i;

	if (json) {
		printf("{\"generation\":%" PRIu64 ",\"rules\":[", gen);
		for (i = 0; i < n; i++) {
			xsched_rule_format(&r[i], line, sizeof(line));
			printf("%s", i ? "," : "");
			json_str(line);
		}
		printf("]}\n");
		return;
	}
	printf("# xsched rules, generation %" PRIu64 ": %u rule%s\n", gen, n,
	       n == 1 ? "" : "s");
	for (i = 0; i < n; i++)
		if (xsched_rule_format(&r[i], line, sizeof(line)) > 0)
			printf("%s\n", line);
}

/* rules add / remove: read, change, write back unless changed meanwhile. */
static int rules_edit(struct xsched *xs, const struct xsched_rule *rule,
		      int add)
{
	struct xsched_rule *r = NULL, *more;
	uint32_t n, i;
	uint64_t gen;
	int ret, tries;

	for (tries = 0; tries < 8; tries++) {
		ret = xsched_get_rules(xs, &r, &n, &gen);
		if (ret)
			return ret;
		for (i = 0; i < n && !xsched_rule_same(&r[i], rule); i++)
			;
		if (!add && i == n) {
			free(r);
			return -ENOENT;
		}
		if (add && i == n) {
			more = realloc(r, (n + 1) * sizeof(*r));
			if (!more) {
				free(r);
				return -ENOMEM;
			}
			r = more;
			n++;
		}
		if (add)
			r[i] = *rule;
		else
			r[i] = r[--n];
		ret = xsched_set_rules(xs, r, n, gen, 0);
		free(r);
		r = NULL;
		if (ret != -EAGAIN)
			return ret;
	}
	return ret;
}

static int cmd_rules(int argc, char **argv)
{
	const char *path = XSCHED_RULES_FILE;
	struct xsched_rule *r = NULL, one;
	char line[512], why[160];
	struct xsched *xs;
	uint64_t gen;
	uint32_t n;
	int ret, i;

	if (argc < 2)
		return bad_usage("rules needs list, check, apply, add or remove");
	if (!strcmp(argv[1], "check") || !strcmp(argv[1], "apply")) {
		if (argc > 3)
			return bad_usage("rules check|apply take at most a FILE");
		if (argc == 3)
			path = argv[2];
		if (rules_from_file(path, &r, &n))
			return 1;
		if (!strcmp(argv[1], "check")) {
			printf("%s: %u rule%s, valid\n", path, n,
			       n == 1 ? "" : "s");
			free(r);
			return 0;
		}
		if (open_dev(&xs)) {
			free(r);
			return 1;
		}
		ret = xsched_set_rules(xs, r, n, 0, XSCHED_RULES_FORCE);
		xsched_close(xs);
		free(r);
		if (ret)
			return fail("rules apply", ret);
		printf("%s: %u rule%s applied\n", path, n, n == 1 ? "" : "s");
		return 0;
	}
	if (!strcmp(argv[1], "list")) {
		if (argc != 2)
			return bad_usage("rules list takes no arguments");
		if (open_dev(&xs))
			return 1;
		ret = xsched_get_rules(xs, &r, &n, &gen);
		xsched_close(xs);
		if (ret)
			return fail("rules list", ret);
		print_rules(r, n, gen);
		free(r);
		return 0;
	}
	if (strcmp(argv[1], "add") && strcmp(argv[1], "remove"))
		return bad_usage("rules needs list, check, apply, add or remove");
	/* The rest is one rule; remove needs no priority: give it one. */
	line[0] = '\0';
	for (i = 2; i < argc; i++) {
		if (strlen(line) + strlen(argv[i]) + 2 >= sizeof(line))
			return bad_usage("rule too long");
		strcat(line, argv[i]);
		strcat(line, " ");
	}
	if (!strcmp(argv[1], "remove"))
		strcat(line, "0");
	if (xsched_rule_parse(line, &one, why, sizeof(why))) {
		fprintf(stderr, "xschedctl: rules %s: %s\n", argv[1], why);
		return EXIT_USAGE;
	}
	if (open_dev(&xs))
		return 1;
	ret = rules_edit(xs, &one, !strcmp(argv[1], "add"));
	xsched_close(xs);
	if (ret == -ENOENT) {
		fprintf(stderr, "xschedctl: rules remove: no such rule\n");
		return 1;
	}
	return ret ? fail(!strcmp(argv[1], "add") ? "rules add" : "rules remove",
			  ret) : 0;
}

int main(int argc, char **argv)
{
	int i = 1;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--json")) {
			json = 1;
		} else if (!strcmp(argv[i], "--device") && i + 1 < argc) {
			devpath = argv[++i];
		} else if (!strcmp(argv[i], "--version")) {
			return cmd_version(1, argv + i);
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else {
			return bad_usage("unknown option");
		}
	}
	if (i >= argc)
		return bad_usage("no command");
	argc -= i;
	argv += i;
	if (!strcmp(argv[0], "list"))
		return cmd_list(argc, argv);
	if (!strcmp(argv[0], "set-priority"))
		return cmd_set_priority(argc, argv);
	if (!strcmp(argv[0], "policy"))
		return cmd_policy(argc, argv);
	if (!strcmp(argv[0], "stats"))
		return cmd_stats(argc, argv);
	if (!strcmp(argv[0], "top"))
		return cmd_top(argc, argv);
	if (!strcmp(argv[0], "run"))
		return cmd_run(argc, argv);
	if (!strcmp(argv[0], "renice"))
		return cmd_renice(argc, argv);
	if (!strcmp(argv[0], "rules"))
		return cmd_rules(argc, argv);
	if (!strcmp(argv[0], "metrics"))
		return cmd_metrics(argc, argv);
	if (!strcmp(argv[0], "nfd"))
		return cmd_nfd(argc, argv);
	if (!strcmp(argv[0], "version"))
		return cmd_version(argc, argv);
	if (!strcmp(argv[0], "help"))
		return usage(stdout), 0;
	return bad_usage("unknown command");
}
