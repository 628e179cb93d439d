// SPDX-License-Identifier: GPL-2.0
/*
 * What operators run of xschedctl, against the simulated GPU with one
 * queue paused for another: metrics (the exposition, its labels, the
 * latency histogram, the HTTP server of --listen), nfd, version, and top
 * on a terminal (a pty), its screen read back as a person sees it.  The
 * exposition is printed between "XT METRICS-BEGIN" and "XT METRICS-END",
 * the feature file between "XT NFD-BEGIN" and "XT NFD-END", for
 * promtool and the label checks on the host (scripts/ops-check.sh).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "ctlrun.h"
#include "simq.h"
#include "xsq.h"
#include "xtest.h"

#define PORT 9477
#define DEVICE "simulated MI300X node 0"

/* The labels of one queue's series, as xschedctl metrics prints them. */
static void queue_labels(char *buf, size_t len, unsigned int gpu, int id)
{
	char cg[256] = "", line[300];
	FILE *f = fopen("/proc/self/cgroup", "r");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "0::", 3))
			snprintf(cg, sizeof(cg), "%.*s",
				 (int)strcspn(line + 3, "\n"), line + 3);
	if (f)
		fclose(f);
	snprintf(buf, len,
		 "{gpu_id=\"%u\",device=\"" DEVICE "\",queue=\"%d\",pid=\"%d\",uid=\"0\",cgroup=\"%s\"",
		 gpu, id, getpid(), cg);
}

/* A sample's value, or -1 if the series is not in out[]. */
static double sample(const char *series)
{
	char *p = strstr(out, series);

	return p ? strtod(p + strlen(series), NULL) : -1;
}

/* One HTTP request to the exporter; the response in @resp. */
static int http_get(const char *path, char *resp, size_t len)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(PORT) };
	char req[128];
	size_t got = 0;
	ssize_t n;
	int s, i;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (i = 0; i < 200; i++) {	/* the server may still be starting */
		s = socket(AF_INET, SOCK_STREAM, 0);
		if (s < 0)
			return -1;
		if (!connect(s, (struct sockaddr *)&a, sizeof(a)))
			break;
		close(s);
		s = -1;
		usleep(10000);
	}
	if (s < 0)
		return -1;
	snprintf(req, sizeof(req), "GET %s HTTP/1.0\r\nHost: x\r\n\r\n", path);
	if (write(s, req, strlen(req)) != (ssize_t)strlen(req)) {
		close(s);
		return -1;
	}
	while (got < len - 1 && (n = read(s, resp + got, len - 1 - got)) > 0)
		got += (size_t)n;
	resp[got] = 0;
	close(s);
	return 0;
}

static void listen_cases(void)
{
	static char resp[65536];
	pid_t pid;
	int ok, s;

	/* The debug kernels are built without networking. */
	s = socket(AF_INET, SOCK_STREAM, 0);
	if (s < 0) {
		xt_skip("metrics/listen-serves", "no IPv4 sockets in this kernel: %s",
			strerror(errno));
		xt_skip("metrics/listen-404", "no IPv4 sockets in this kernel");
		return;
	}
	close(s);
	/* The guest's loopback starts down; without it the cases fail. */
	if (system("ip link set lo up 2>/dev/null || ifconfig lo 127.0.0.1 up"))
		printf("xschedctl_ops: no loopback\n");
	pid = fork();
	if (!pid) {
		char spec[32];

		snprintf(spec, sizeof(spec), "127.0.0.1:%d", PORT);
		execl("/bin/xschedctl", "xschedctl", "metrics", "--listen", spec,
		      (char *)NULL);
		_exit(127);
	}
	ok = !http_get("/metrics", resp, sizeof(resp));
	xt_check("metrics/listen-serves", ok &&
		 !strncmp(resp, "HTTP/1.0 200 OK\r\n", 17) &&
		 strstr(resp, "Content-Type: text/plain; version=0.0.4") &&
		 strstr(resp, "\r\n\r\n# HELP xsched_up ") &&
		 strstr(resp, "\nxsched_up 1\n"), "%.200s", resp);
	ok = !http_get("/nope", resp, sizeof(resp));
	xt_check("metrics/listen-404", ok &&
		 !strncmp(resp, "HTTP/1.0 404 ", 13), "%.100s", resp);
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
}

/*
 * xschedctl top on a pty: the screen is what follows the last "clear"
 * (ESC [H ESC [2J); -n 2 clears twice.
 */
static void top_on_a_pty(int id)
{
	char buf[16384], row[64], *screen, *p;
	int m, clears = 0;
	size_t got = 0;
	ssize_t n;
	pid_t pid;

	mkdir("/dev/pts", 0755);
	mount("devpts", "/dev/pts", "devpts", 0, "ptmxmode=0666");
	m = posix_openpt(O_RDWR | O_NOCTTY);
	if (m < 0 || grantpt(m) || unlockpt(m)) {
		xt_fail("top/pty-screen", "no pty: %s", strerror(errno));
		xt_fail("top/pty-refreshes", "no pty");
		return;
	}
	pid = fork();
	if (!pid) {
		int s = open(ptsname(m), O_RDWR);

		setsid();
		dup2(s, 0);
		dup2(s, 1);
		dup2(s, 2);
		execl("/bin/xschedctl", "xschedctl", "top", "-n", "2", "-d",
		      "0.2", (char *)NULL);
		_exit(127);
	}
	while (got < sizeof(buf) - 1 &&
	       (n = read(m, buf + got, sizeof(buf) - 1 - got)) > 0)
		got += (size_t)n;	/* EIO once the child has gone */
	buf[got] = 0;
	waitpid(pid, NULL, 0);
	close(m);
	screen = buf;
	for (p = buf; (p = strstr(p, "\033[H\033[2J")); p += 7) {
		clears++;
		screen = p + 7;
	}
	snprintf(row, sizeof(row), "\r\n%-6d ", id);
	xt_check("top/pty-screen",
		 !strncmp(screen, "xschedctl top: ", 15) &&
		 strstr(screen, "ID     GPU_ID") && strstr(screen, "BUSY%") &&
		 strstr(screen, row) && (strstr(screen, " paused ") ||
		 strstr(screen, " busy ") || strstr(screen, " idle ")),
		 "screen: %.300s", screen);
	xt_check("top/pty-refreshes", clears == 2, "%d clears", clears);
}

int main(void)
{
	struct simq lo, hi;
	char lab[512], want[768];
	int fd, sfd, idlo = -1, idhi = -1, rc;
	double count, inf;

	xt_prog = "xschedctl_ops";
	xt_plan(16);
	fd = xsq_open();
	sfd = open("/dev/" XSCHED_SIM_DEVICE_NAME, O_RDWR);
	if (fd < 0 || sfd < 0 || simq_create(&lo, sfd, 0, 0) ||
	    simq_create(&hi, sfd, 0, 11)) {
		xt_fail("setup", "no xsched or simulator");
		return xt_exit();
	}
	XSQ_WAIT_FOR((idlo = xsq_find(fd, (uintptr_t)lo.ring)) > 0 &&
		     (idhi = xsq_find(fd, (uintptr_t)hi.ring)) > 0, 2000);
	simq_submit(&lo, 10000000, 100);
	simq_submit(&hi, 10000000, 100);
	if (!XSQ_WAIT_FOR(xsq_state(fd, idlo) == XSCHED_QUEUE_PAUSED, 2000)) {
		xt_fail("setup", "the low queue was not paused");
		return xt_exit();
	}

	rc = run("metrics");
	printf("XT METRICS-BEGIN\n%sXT METRICS-END\n", out);
	snprintf(want, sizeof(want),
		 "\nxsched_domain_info{gpu_id=\"%u\",device=\"" DEVICE "\",provider=\"",
		 lo.gpu_id);
	xt_check("metrics/domain", rc == 0 && strstr(out, "\nxsched_up 1\n") &&
		 strstr(out, want) && strstr(out, "\",policy=\"hpf\"} 1\n") &&
		 strstr(out, "\n# TYPE xsched_domain_pauses_total counter\n"),
		 "rc %d %.300s", rc, out);
	queue_labels(lab, sizeof(lab), lo.gpu_id, idlo);
	snprintf(want, sizeof(want), "\nxsched_queue_priority%s} 0\n", lab);
	xt_check("metrics/queue-labels", strstr(out, want) != NULL, "want %s",
		 want);
	snprintf(want, sizeof(want), "\nxsched_queue_state%s,state=\"paused\"} ",
		 lab);
	xt_check("metrics/queue-paused", sample(want) == 1, "%s", want);
	snprintf(want, sizeof(want), "\nxsched_queue_preemptions_total%s} ", lab);
	xt_check("metrics/queue-preemptions", sample(want) >= 1, "%s", want);
	snprintf(want, sizeof(want),
		 "\nxsched_domain_pause_latency_seconds_count{gpu_id=\"%u\",device=\"" DEVICE "\"} ",
		 lo.gpu_id);
	count = sample(want);
	snprintf(want, sizeof(want),
		 "\nxsched_domain_pause_latency_seconds_bucket{gpu_id=\"%u\",device=\"" DEVICE "\",le=\"+Inf\"} ",
		 lo.gpu_id);
	inf = sample(want);
	xt_check("metrics/latency-histogram", count >= 1 && inf == count,
		 "count %g +Inf %g", count, inf);
	snprintf(want, sizeof(want),
		 "\nxsched_domain_runlist_changes_total{gpu_id=\"%u\",device=\"" DEVICE "\"} ",
		 lo.gpu_id);
	xt_check("metrics/runlist-changes", sample(want) >= 1, "%g",
		 sample(want));
	xt_check("metrics/extra-argument-usage", run("metrics x") == 2, "rc");
	xt_check("metrics/bad-listen-usage",
		 run("metrics --listen nonsense") == 2, "rc");
	xt_check("metrics/no-device-error",
		 run("--device /dev/nonexistent metrics") == 1, "rc");
	listen_cases();

	rc = run("nfd");
	printf("XT NFD-BEGIN\n%sXT NFD-END\n", out);
	snprintf(want, sizeof(want), "xsched=true\nxsched.version=%s\nxsched.abi=",
		 XSCHED_VERSION_EXPECTED);
	xt_check("nfd/features", rc == 0 && !strncmp(out, want, strlen(want)) &&
		 strstr(out, "\nxsched.domains=") &&
		 strstr(out, "\nxsched.preemptive-domains="), "rc %d %s", rc, out);
	xt_check("nfd/extra-argument-usage", run("nfd x") == 2, "rc");
	rc = run("version");
	snprintf(want, sizeof(want), "module: %s (ABI ", XSCHED_VERSION_EXPECTED);
	xt_check("version", rc == 0 && !strncmp(out, "xschedctl ", 10) &&
		 strstr(out, want), "rc %d %s", rc, out);

	top_on_a_pty(idlo);

	simq_destroy(&lo);
	simq_destroy(&hi);
	return xt_exit();
}
