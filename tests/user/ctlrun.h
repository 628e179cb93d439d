/* SPDX-License-Identifier: GPL-2.0 */
/* Running the guest's /bin/xschedctl from tests/user programs. */
#ifndef CTLRUN_H
#define CTLRUN_H

#include <stdio.h>
#include <sys/wait.h>

static char out[65536];

/* Runs xschedctl @args; its stdout in out[]; returns its exit status. */
static int run(const char *args)
{
	char cmd[512];
	size_t n;
	FILE *p;
	int st;

	snprintf(cmd, sizeof(cmd), "/bin/xschedctl %s 2>/dev/null", args);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = 0;
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

#endif /* CTLRUN_H */
