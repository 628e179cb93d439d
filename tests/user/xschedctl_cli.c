// SPDX-License-Identifier: GPL-2.0
/*
 * xschedctl (/bin/xschedctl in the guest) against the simulated GPU: its
 * JSON and text output, set-priority, policy, stats, top, and its exit
 * status for errors (1) and bad usage (2).
 */
#define _GNU_SOURCE
#include "ctlrun.h"
#include "simq.h"
#include "xsq.h"
#include "xtest.h"

int main(void)
{
	char want[256], a[64];
	struct simq q;
	int fd, sfd, id, rc;

	xt_prog = "xschedctl_cli";
	xt_plan(22);
	fd = xsq_open();
	sfd = open("/dev/" XSCHED_SIM_DEVICE_NAME, O_RDWR);
	if (fd < 0 || sfd < 0 || simq_create(&q, sfd, 0, 4)) {
		xt_fail("setup", "no xsched or simulator");
		return xt_exit();
	}
	XSQ_WAIT_FOR((id = xsq_find(fd, (uintptr_t)q.ring)) > 0, 2000);

	rc = run("--json list");
	snprintf(want, sizeof(want),
		 "{\"id\":%d,\"gpu_id\":%u,\"pid\":%d,\"uid\":0,", id, q.gpu_id,
		 getpid());
	xt_check("list-json/queue", rc == 0 && strstr(out, want) &&
		 strstr(out, "\"priority\":4,\"state\":\"idle\""),
		 "rc %d want %s in %.300s", rc, want, out);
	snprintf(want, sizeof(want), "\"domains\":[{\"gpu_id\":%u,", q.gpu_id);
	xt_check("list-json/domain", rc == 0 && !strncmp(out, "{", 1) &&
		 strstr(out, want) && strstr(out, "\"policy\":\"hpf\"") &&
		 out[strlen(out) - 2] == '}', "rc %d %.300s", rc, out);
	xt_check("list-json/device-simulated", rc == 0 &&
		 strstr(out, "\"device\":{\"simulated\":true,\"kfd_node\":-1,"
			"\"render_node\":\"\",\"pci_address\":\"\",") &&
		 strstr(out, "\"name\":\"simulated MI300X node 0\","
			"\"name_source\":\"simulated\""), "rc %d %.400s", rc, out);
	rc = run("list");
	snprintf(want, sizeof(want), "\n%-6d %-8u %-8d", id, q.gpu_id, getpid());
	xt_check("list-text", rc == 0 && strstr(out, "GPU_ID") && strstr(out, want),
		 "rc %d %.300s", rc, out);
	xt_check("list-text/device-simulated", rc == 0 && strstr(out, "RENDER") &&
		 strstr(out, " simulated            simulated    0/") &&
		 strstr(out, " simulated MI300X node 0\n"), "rc %d %.300s", rc, out);

	snprintf(a, sizeof(a), "set-priority %d 2", id);
	rc = run(a);
	xt_check("set-priority", rc == 0 && xsq_state(fd, id) >= 0,
		 "rc %d", rc);
	rc = run("--json list");
	xt_check("set-priority/shown", strstr(out, "\"priority\":2,") != NULL, "%.300s", out);
	snprintf(a, sizeof(a), "set-priority %d 16", id);
	xt_check("set-priority/out-of-range-usage", run(a) == 2, "rc");
	xt_check("set-priority/unknown-queue-error",
		 run("set-priority 2147483000 3") == 1, "rc");

	snprintf(a, sizeof(a), "--json policy %u", q.gpu_id);
	rc = run(a);
	xt_check("policy/show-json", rc == 0 && strstr(out, "\"policy\":\"hpf\"") &&
		 strstr(out, "\"resume_delay_us\":200"), "rc %d %s", rc, out);
	snprintf(a, sizeof(a), "policy %u none starvation_ms=77", q.gpu_id);
	rc = run(a);
	snprintf(a, sizeof(a), "policy %u", q.gpu_id);
	run(a);
	xt_check("policy/set", rc == 0 && strstr(out, "policy: none") &&
		 strstr(out, "starvation_ms: 77"), "rc %d %s", rc, out);
	snprintf(a, sizeof(a), "policy %u bogus", q.gpu_id);
	xt_check("policy/unknown-name-error", run(a) == 1, "rc");
	snprintf(a, sizeof(a), "policy %u bogus_knob=1", q.gpu_id);
	xt_check("policy/unknown-knob-usage", run(a) == 2, "rc");
	xt_check("policy/unknown-gpu-error", run("policy 57005") == 1, "rc");
	snprintf(a, sizeof(a), "policy %u hpf starvation_ms=%s", q.gpu_id, "1000");
	run(a);

	rc = run("--json stats");
	snprintf(want, sizeof(want), "{\"gpu_id\":%u,\"decisions\":", q.gpu_id);
	xt_check("stats-json", rc == 0 && strstr(out, want) &&
		 strstr(out, "\"preemptions\":"), "rc %d %.300s", rc, out);
	rc = run("--json top -n 2 -d 0.1");
	snprintf(want, sizeof(want), "{\"id\":%d,\"priority\":2,", id);
	xt_check("top-json", rc == 0 && strstr(out, "\"iteration\":1") &&
		 strstr(out, want), "rc %d %.300s", rc, out);
	rc = run("top -n 1");
	xt_check("top-text", rc == 0 && strstr(out, "BUSY%"), "rc %d", rc);

	rc = run("--help");
	xt_check("help", rc == 0 && strstr(out, "usage: xschedctl"), "rc %d", rc);
	xt_check("no-command-usage", run("") == 2, "rc");
	xt_check("unknown-command-usage", run("frobnicate") == 2, "rc");
	xt_check("top-bad-n-usage", run("top -n 0") == 2, "rc");
	xt_check("no-device-error", run("--device /dev/nonexistent list") == 1, "rc");

	simq_destroy(&q);
	return xt_exit();
}
