// SPDX-License-Identifier: LGPL-2.1 OR MIT
/*
 * xschedctl metrics, nfd and version: what monitoring and cluster tools
 * read.  metrics prints Prometheus' text exposition format (version
 * 0.0.4), or serves it over HTTP with --listen; nfd prints a
 * node-feature-discovery feature file.  Domains and queues come from the
 * ioctls, like `list`; the latency histogram and the counters the ioctls
 * do not carry come from the domain's sysfs directory (docs/operators.md
 * lists every series and where it comes from).
 */
#include <errno.h>
#include <inttypes.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "xschedctl.h"

#ifndef XSCHEDCTL_VERSION
#define XSCHEDCTL_VERSION "unknown"
#endif

/* The pause latency buckets of sysfs (pause_lat_hist), and one more. */
#define LAT_BUCKETS 16
/* A request line and headers longer than this are refused. */
#define HTTP_REQ_MAX 8192
/* A client that sends or reads nothing this long is dropped. */
#define HTTP_TIMEOUT_S 5

static const char *const state_names[] = { "idle", "busy", "paused" };

/* One sysfs file of the module or a domain, as text; 0 or -errno. */
static int read_sysfs(uint32_t gpu_id, int domain, const char *attr,
		      char *buf, size_t len)
{
	char p[256];
	FILE *f;
	size_t n;

	if (domain)
		snprintf(p, sizeof(p), XSCHED_SYSFS_PATH "/domains/%u/%s",
			 gpu_id, attr);
	else
		snprintf(p, sizeof(p), XSCHED_SYSFS_PATH "/%s", attr);
	f = fopen(p, "r");
	if (!f)
		return -errno;
	n = fread(buf, 1, len - 1, f);
	fclose(f);
	buf[n] = 0;
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = 0;
	return n ? 0 : -ENODATA;
}

/* Up to @room numbers of a one-line list; how many, or -errno. */
static int read_sysfs_list(uint32_t gpu_id, const char *attr, uint64_t *v,
			   int room)
{
	char buf[512], *s = buf, *end;
	int n = 0, ret = read_sysfs(gpu_id, 1, attr, buf, sizeof(buf));

	if (ret)
		return ret;
	while (*s) {
		if (n == room)
			return -E2BIG;
		errno = 0;
		v[n++] = strtoull(s, &end, 10);
		if (end == s || errno)
			return -EINVAL;
		s = end + strspn(end, " ");
	}
	return n;
}

/* A label value: backslash, double quote and newline escaped. */
static void label(FILE *f, const char *name, const char *val, int first)
{
	fprintf(f, "%s%s=\"", first ? "" : ",", name);
	for (; *val; val++) {
		if (*val == '\\' || *val == '"')
			fprintf(f, "\\%c", *val);
		else if (*val == '\n')
			fputs("\\n", f);
		else
			fputc(*val, f);
	}
	fputc('"', f);
}

static void family(FILE *f, const char *name, const char *type,
		   const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* What a domain's series carry: gpu_id and the device's name. */
struct dom_labels {
	char gpu_id[16];
	char device[64];
};

static void dom_labels(FILE *f, const struct dom_labels *l)
{
	label(f, "gpu_id", l->gpu_id, 1);
	label(f, "device", l->device, 0);
}

/*
 * A process's cgroup (v2, or v1's named systemd hierarchy), "" when it
 * cannot be read: the process is gone or out of this pid namespace.
 */
static void cgroup_of(int pid, char *buf, size_t len)
{
	char p[64], line[4096];
	FILE *f;

	*buf = 0;
	snprintf(p, sizeof(p), "/proc/%d/cgroup", pid);
	f = fopen(p, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *path = strchr(line, ':');

		path = path ? strchr(path + 1, ':') : NULL;
		if (!path)
			continue;
		path[strcspn(path, "\n")] = 0;
		if (!strncmp(line, "0::", 3) ||
		    (!*buf && strstr(line, ":name=systemd:")))
			snprintf(buf, len, "%s", path + 1);
	}
	fclose(f);
}

struct queue_labels {
	char id[16], pid[16], uid[16], cgroup[512];
	const struct dom_labels *dom;
};

static void queue_labels(FILE *f, const struct queue_labels *l)
{
	dom_labels(f, l->dom);
	label(f, "queue", l->id, 0);
	label(f, "pid", l->pid, 0);
	label(f, "uid", l->uid, 0);
	label(f, "cgroup", l->cgroup, 0);
}

static double secs(uint64_t ns)
{
	return ns / 1e9;
}

struct snap {
	struct xsched_domain_info *d;
	struct xsched_queue_info *q;
	uint32_t nd, nq;
	struct dom_labels *dl;		/* one per domain */
	struct queue_labels *ql;	/* one per queue */
	uint32_t *op;			/* operator priority, or UINT32_MAX */
};

static void snap_free(struct snap *s)
{
	free(s->d);
	free(s->q);
	free(s->dl);
	free(s->ql);
	free(s->op);
}

static int snap_take(struct xsched *xs, struct snap *s)
{
	struct xsched_device dv;
	uint32_t i, j, src;
	int ret;

	memset(s, 0, sizeof(*s));
	ret = xsched_get_domains(xs, &s->d, &s->nd);
	if (!ret)
		ret = xsched_get_queues(xs, 0, 0, &s->q, &s->nq);
	if (ret)
		return ret;
	s->dl = calloc(s->nd + 1, sizeof(*s->dl));
	s->ql = calloc(s->nq + 1, sizeof(*s->ql));
	s->op = calloc(s->nq + 1, sizeof(*s->op));
	if (!s->dl || !s->ql || !s->op)
		return -ENOMEM;
	for (i = 0; i < s->nd; i++) {
		snprintf(s->dl[i].gpu_id, sizeof(s->dl[i].gpu_id), "%u",
			 s->d[i].gpu_id);
		if (!xsched_domain_device(xs, s->d[i].gpu_id, &dv) && *dv.name)
			snprintf(s->dl[i].device, sizeof(s->dl[i].device), "%s",
				 dv.name);
	}
	for (i = 0; i < s->nq; i++) {
		const struct xsched_queue_info *q = &s->q[i];
		struct queue_labels *l = &s->ql[i];

		/* A queue of a domain gone since the list: no device. */
		l->dom = &s->dl[s->nd];
		for (j = 0; j < s->nd; j++)
			if (s->d[j].gpu_id == q->gpu_id)
				l->dom = &s->dl[j];
		snprintf(l->id, sizeof(l->id), "%u", q->id);
		snprintf(l->pid, sizeof(l->pid), "%d", q->pid);
		snprintf(l->uid, sizeof(l->uid), "%u", q->uid);
		cgroup_of(q->pid, l->cgroup, sizeof(l->cgroup));
		if (xsched_queue_op_priority(xs, q->id, &s->op[i], &src))
			s->op[i] = UINT32_MAX;
	}
	return 0;
}

/* A u64 counter or gauge of every domain, from the ioctl's record. */
#define DOM_SERIES(f, s, name, type, help, expr)			\
	do {								\
		uint32_t i_;						\
									\
		family(f, name, type, help);				\
		for (i_ = 0; i_ < (s)->nd; i_++) {			\
			const struct xsched_domain_info *d = &(s)->d[i_]; \
									\
			fprintf(f, "%s{", name);			\
			dom_labels(f, &(s)->dl[i_]);			\
			fprintf(f, "} %" PRIu64 "\n", (uint64_t)(expr)); \
		}							\
	} while (0)

/* The same from a numeric sysfs attribute; domains without it are left out. */
static void dom_sysfs_series(FILE *f, const struct snap *s, const char *name,
			     const char *type, const char *help,
			     const char *attr, double scale)
{
	uint64_t v;
	uint32_t i;

	family(f, name, type, help);
	for (i = 0; i < s->nd; i++) {
		if (xsched_domain_get_attr(s->d[i].gpu_id, attr, &v))
			continue;
		fprintf(f, "%s{", name);
		dom_labels(f, &s->dl[i]);
		if (scale == 1)
			fprintf(f, "} %" PRIu64 "\n", v);
		else
			fprintf(f, "} %.9f\n", v * scale);
	}
}

static void dom_latency_histogram(FILE *f, const struct snap *s)
{
	const char *name = "xsched_domain_pause_latency_seconds";
	uint64_t bounds[LAT_BUCKETS], hist[LAT_BUCKETS + 1], sum, acc;
	uint32_t i;
	int nb, nh, k;

	family(f, name, "histogram",
	       "Time from a higher priority becoming busy to the batched pause being issued.");
	for (i = 0; i < s->nd; i++) {
		uint32_t g = s->d[i].gpu_id;

		nb = read_sysfs_list(g, "pause_lat_buckets_ns", bounds,
				     LAT_BUCKETS);
		nh = read_sysfs_list(g, "pause_lat_hist", hist, LAT_BUCKETS + 1);
		if (nb < 1 || nh != nb + 1 ||
		    xsched_domain_get_attr(g, "pause_lat_sum_ns", &sum))
			continue;	/* a module without the histogram */
		for (k = 0, acc = 0; k <= nb; k++) {
			acc += hist[k];
			fprintf(f, "%s_bucket{", name);
			dom_labels(f, &s->dl[i]);
			if (k < nb)
				fprintf(f, ",le=\"%g\"} %" PRIu64 "\n",
					secs(bounds[k]), acc);
			else
				fprintf(f, ",le=\"+Inf\"} %" PRIu64 "\n", acc);
		}
		fprintf(f, "%s_sum{", name);
		dom_labels(f, &s->dl[i]);
		fprintf(f, "} %.9f\n%s_count{", secs(sum), name);
		dom_labels(f, &s->dl[i]);
		fprintf(f, "} %" PRIu64 "\n", acc);
	}
}

static void domain_series(FILE *f, const struct snap *s)
{
	char pol[32];
	uint32_t i;

	family(f, "xsched_domain_info", "gauge",
	       "A scheduling domain (one KFD node): its provider and policy.");
	for (i = 0; i < s->nd; i++) {
		fprintf(f, "xsched_domain_info{");
		dom_labels(f, &s->dl[i]);
		label(f, "provider", s->d[i].name, 0);
		/* sysfs is the policy's source of truth; the ioctl's copy else. */
		if (xsched_domain_get_policy(s->d[i].gpu_id, pol, sizeof(pol)))
			snprintf(pol, sizeof(pol), "%s", s->d[i].policy);
		label(f, "policy", pol, 0);
		fprintf(f, "} 1\n");
	}
	DOM_SERIES(f, s, "xsched_domain_level", "gauge",
		   "Queues below this priority are paused.", d->level);
	DOM_SERIES(f, s, "xsched_domain_queues", "gauge",
		   "Queues in the domain.", d->nr_queues);
	DOM_SERIES(f, s, "xsched_domain_degraded", "gauge",
		   "1 while a provider fault keeps every queue running.",
		   !!(d->flags & XSCHED_DOMAIN_DEGRADED));
	dom_sysfs_series(f, s, "xsched_domain_preemptive", "gauge",
			 "1 if the provider can pause this node's queues.",
			 "preemptive", 1);
	DOM_SERIES(f, s, "xsched_domain_decisions_total", "counter",
		   "Scheduling decisions made.", d->decisions);
	DOM_SERIES(f, s, "xsched_domain_pauses_total", "counter",
		   "Batched pause operations.", d->pauses);
	DOM_SERIES(f, s, "xsched_domain_resumes_total", "counter",
		   "Batched resume operations.", d->resumes);
	DOM_SERIES(f, s, "xsched_domain_runlist_changes_total", "counter",
		   "Runlist changes: each batched pause or resume is one.",
		   d->pauses + d->resumes);
	DOM_SERIES(f, s, "xsched_domain_errors_total", "counter",
		   "Provider operations that failed.", d->errors);
	dom_sysfs_series(f, s, "xsched_domain_slow_ops_total", "counter",
			 "Provider operations slower than slow_op_ms.",
			 "slow_ops", 1);
	dom_sysfs_series(f, s, "xsched_domain_rate_limited_total", "counter",
			 "Resumes held back by max_changes_per_s.",
			 "rate_limited", 1);
	dom_latency_histogram(f, s);
	dom_sysfs_series(f, s, "xsched_domain_pause_latency_max_seconds",
			 "gauge", "The largest pause latency seen.",
			 "pause_lat_max_ns", 1e-9);
}

/* A u64 of every queue. */
#define QUEUE_SERIES(f, s, name, type, help, fmt, expr)		\
	do {								\
		uint32_t i_;						\
									\
		family(f, name, type, help);				\
		for (i_ = 0; i_ < (s)->nq; i_++) {			\
			const struct xsched_queue_info *q = &(s)->q[i_]; \
									\
			(void)q;					\
			fprintf(f, "%s{", name);			\
			queue_labels(f, &(s)->ql[i_]);			\
			fprintf(f, "} " fmt "\n", expr);		\
		}							\
	} while (0)

static void queue_series(FILE *f, const struct snap *s)
{
	uint32_t i, k;

	QUEUE_SERIES(f, s, "xsched_queue_priority", "gauge",
		     "The queue's own priority (0..15).", "%u", q->priority);
	family(f, "xsched_queue_op_priority", "gauge",
	       "The operator priority of the queue's process (0..15).");
	for (i = 0; i < s->nq; i++) {
		if (s->op[i] == UINT32_MAX)
			continue;
		fprintf(f, "xsched_queue_op_priority{");
		queue_labels(f, &s->ql[i]);
		fprintf(f, "} %u\n", s->op[i]);
	}
	family(f, "xsched_queue_state", "gauge",
	       "1 for the queue's state (idle, busy or paused), 0 for the others.");
	for (i = 0; i < s->nq; i++)
		for (k = 0; k < 3; k++) {
			fprintf(f, "xsched_queue_state{");
			queue_labels(f, &s->ql[i]);
			label(f, "state", state_names[k], 0);
			fprintf(f, "} %d\n", s->q[i].state == k);
		}
	QUEUE_SERIES(f, s, "xsched_queue_busy_seconds_total", "counter",
		     "Time with work pending.", "%.9f", secs(q->busy_ns));
	QUEUE_SERIES(f, s, "xsched_queue_paused_seconds_total", "counter",
		     "Time paused by xsched.", "%.9f", secs(q->paused_ns));
	QUEUE_SERIES(f, s, "xsched_queue_preemptions_total", "counter",
		     "Times the queue was paused.", "%" PRIu64,
		     (uint64_t)q->preempt_count);
	QUEUE_SERIES(f, s, "xsched_queue_preemption_latency_max_seconds",
		     "gauge", "The largest pause latency this queue caused.",
		     "%.9f", secs(q->max_lat_ns));
}

/*
 * The whole exposition into @f.  Without a device (@xs NULL, or a
 * snapshot that fails) only xsched_up 0 and the tools' version; returns
 * the error then.
 */
static int write_metrics(FILE *f, struct xsched *xs)
{
	char mver[32] = "", abi[16] = "";
	struct snap s;
	int ret = xs ? snap_take(xs, &s) : -ENODEV;

	family(f, "xsched_up", "gauge",
	       "1 if xsched's device could be read, else 0.");
	fprintf(f, "xsched_up %d\n", !ret);
	family(f, "xsched_build_info", "gauge",
	       "The tools' version, and the module's and its ABI when loaded.");
	fprintf(f, "xsched_build_info{");
	label(f, "version", XSCHEDCTL_VERSION, 1);
	read_sysfs(0, 0, "version", mver, sizeof(mver));
	read_sysfs(0, 0, "abi_version", abi, sizeof(abi));
	label(f, "module_version", mver, 0);
	label(f, "abi", abi, 0);
	fprintf(f, "} 1\n");
	if (!ret) {
		domain_series(f, &s);
		queue_series(f, &s);
	}
	if (xs)
		snap_free(&s);
	return ret;
}

/* ---- the HTTP server of --listen ---- */

static int listen_on(const char *spec)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_PASSIVE | AI_NUMERICHOST |
					      AI_NUMERICSERV };
	struct addrinfo *res, *a;
	char host[128], *port;
	int fd = -1, one = 1, ret;

	if (strlen(spec) >= sizeof(host))
		return -EINVAL;
	strcpy(host, spec);
	port = strrchr(host, ':');
	if (!port || !port[1])
		return -EINVAL;
	*port++ = 0;
	if (host[0] == '[' && host[strlen(host) - 1] == ']') {
		memmove(host, host + 1, strlen(host));
		host[strlen(host) - 1] = 0;
	}
	ret = getaddrinfo(*host ? host : NULL, port, &hints, &res);
	if (ret)
		return -EINVAL;
	for (a = res; a; a = a->ai_next) {
		fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC,
			    a->ai_protocol);
		if (fd < 0)
			continue;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (!bind(fd, a->ai_addr, a->ai_addrlen) && !listen(fd, 16))
			break;
		ret = -errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd >= 0 ? fd : (ret ? ret : -EADDRNOTAVAIL);
}

static void send_all(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len) {
		n = send(fd, buf, len, MSG_NOSIGNAL);
		if (n <= 0)
			return;
		buf += n;
		len -= (size_t)n;
	}
}

static void respond(int fd, const char *status, const char *type,
		    const char *body, size_t len, int head)
{
	char hdr[256];
	int n = snprintf(hdr, sizeof(hdr),
			 "HTTP/1.0 %s\r\nContent-Type: %s\r\n"
			 "Content-Length: %zu\r\nConnection: close\r\n\r\n",
			 status, type, len);

	send_all(fd, hdr, (size_t)n);
	if (!head)
		send_all(fd, body, len);
}

/* One request: GET or HEAD of /metrics; anything else is refused. */
static void serve_one(int c)
{
	static const char *const text = "text/plain; charset=utf-8";
	struct timeval tv = { .tv_sec = HTTP_TIMEOUT_S };
	char req[HTTP_REQ_MAX + 1], *body = NULL, path[64];
	size_t len = 0, blen = 0;
	struct xsched *xs = NULL;
	ssize_t n;
	FILE *f;
	int head;

	setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	while (len < HTTP_REQ_MAX) {
		n = recv(c, req + len, HTTP_REQ_MAX - len, 0);
		if (n <= 0)
			return;
		len += (size_t)n;
		req[len] = 0;
		if (strstr(req, "\r\n\r\n") || strstr(req, "\n\n"))
			break;
	}
	if (len >= HTTP_REQ_MAX) {
		respond(c, "431 Request Header Fields Too Large", text,
			"request too large\n", 18, 0);
		return;
	}
	head = !strncmp(req, "HEAD ", 5);
	if (strncmp(req, "GET ", 4) && !head) {
		respond(c, "405 Method Not Allowed", text, "GET only\n", 9, 0);
		return;
	}
	if (sscanf(req + (head ? 5 : 4), "%63s", path) != 1 ||
	    (strcmp(path, "/metrics") && strncmp(path, "/metrics?", 9))) {
		respond(c, "404 Not Found", text, "see /metrics\n", 13, head);
		return;
	}
	f = open_memstream(&body, &blen);
	if (!f) {
		respond(c, "500 Internal Server Error", text, "no memory\n", 10,
			head);
		return;
	}
	/* Opened per scrape: a module loaded or reloaded since is seen. */
	if (xsched_open_path(devpath, &xs))
		xs = NULL;
	write_metrics(f, xs);
	if (xs)
		xsched_close(xs);
	fclose(f);
	respond(c, "200 OK", "text/plain; version=0.0.4; charset=utf-8", body,
		blen, head);
	free(body);
}

static int serve(const char *spec)
{
	int fd = listen_on(spec), c;

	if (fd < 0) {
		if (fd == -EINVAL)
			return bad_usage("--listen needs [ADDR]:PORT, e.g. 127.0.0.1:9477 or [::]:9477");
		return fail(spec, fd);
	}
	signal(SIGPIPE, SIG_IGN);
	fprintf(stderr, "xschedctl: serving metrics on http://%s/metrics\n",
		spec);
	for (;;) {
		c = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
		if (c < 0) {
			if (errno == EINTR || errno == ECONNABORTED ||
			    errno == EMFILE || errno == ENFILE)
				continue;
			return fail("accept", -errno);
		}
		serve_one(c);
		close(c);
	}
}

int cmd_metrics(int argc, char **argv)
{
	struct xsched *xs;
	int ret;

	if (argc == 3 && !strcmp(argv[1], "--listen"))
		return serve(argv[2]);
	if (argc != 1)
		return bad_usage("metrics takes only --listen [ADDR]:PORT");
	if (open_dev(&xs))
		return 1;
	ret = write_metrics(stdout, xs);
	xsched_close(xs);
	if (fflush(stdout))
		return fail("metrics", -errno);
	return ret ? fail("metrics", ret) : 0;
}

/*
 * node-feature-discovery's local feature file: "name=value" lines that
 * become node labels feature.node.kubernetes.io/<name>.
 */
int cmd_nfd(int argc, char **argv)
{
	struct xsched_domain_info *d = NULL;
	char mver[32] = "", abi[16] = "";
	uint32_t nd = 0, i, npre = 0;
	struct xsched *xs;
	uint64_t pre;
	int ret;

	(void)argv;
	if (argc != 1)
		return bad_usage("nfd takes no arguments");
	if (open_dev(&xs))
		return 1;
	ret = xsched_get_domains(xs, &d, &nd);
	xsched_close(xs);
	if (ret)
		return fail("nfd", ret);
	for (i = 0; i < nd; i++)
		if (!xsched_domain_get_attr(d[i].gpu_id, "preemptive", &pre) &&
		    pre)
			npre++;
	free(d);
	read_sysfs(0, 0, "version", mver, sizeof(mver));
	read_sysfs(0, 0, "abi_version", abi, sizeof(abi));
	printf("xsched=true\n");
	if (*mver)
		printf("xsched.version=%s\n", mver);
	if (*abi)
		printf("xsched.abi=%s\n", abi);
	printf("xsched.domains=%u\nxsched.preemptive-domains=%u\n"
	       "xsched.preemptive=%s\n", nd, npre, npre ? "true" : "false");
	return fflush(stdout) ? fail("nfd", -errno) : 0;
}

int cmd_version(int argc, char **argv)
{
	char mver[32], abi[16];

	(void)argv;
	if (argc != 1)
		return bad_usage("version takes no arguments");
	printf("xschedctl %s\n", XSCHEDCTL_VERSION);
	if (read_sysfs(0, 0, "version", mver, sizeof(mver)) ||
	    read_sysfs(0, 0, "abi_version", abi, sizeof(abi)))
		printf("module: not loaded (no " XSCHED_SYSFS_PATH ")\n");
	else
		printf("module: %s (ABI %s)\n", mver, abi);
	return 0;
}
