/* SPDX-License-Identifier: LGPL-2.1 OR MIT */
/* xschedctl's commands in other files share these (xschedctl.c). */
#ifndef XSCHEDCTL_H
#define XSCHEDCTL_H

#include <stdint.h>

#include "libxsched.h"

#define EXIT_USAGE 2

extern int json;
extern const char *devpath;

int bad_usage(const char *why);
int fail(const char *what, int err);
int parse_u32(const char *s, uint32_t *v);
/* The device of --device; on failure, the error is reported. */
int open_dev(struct xsched **xs);

/* metrics.c: the Prometheus exporter and the node feature file */
int cmd_metrics(int argc, char **argv);
int cmd_nfd(int argc, char **argv);
int cmd_version(int argc, char **argv);

#endif /* XSCHEDCTL_H */
