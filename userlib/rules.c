// SPDX-License-Identifier: LGPL-2.1 OR MIT
/*
 * libxsched: operator priorities.  The rules ioctls, process priorities,
 * and the rules file (docs/scheduler.md, "Rules"): parsed whole, so that
 * a file with one bad line is refused before anything reaches the kernel.
 */
#include <ctype.h>
#include <errno.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

XS_EXPORT int xsched_queue_op_priority(struct xsched *xs, uint32_t id,
				       uint32_t *op_priority,
				       uint32_t *source)
{
	struct xsched_queue_query q;
	int ret;

	if (!xs || !op_priority)
		return -EINVAL;
	ret = xs_query(xs, id, &q);
	if (ret)
		return ret;
	*op_priority = q.op_priority;
	if (source)
		*source = q.op_source;
	return 0;
}

XS_EXPORT int xsched_get_rules(struct xsched *xs, struct xsched_rule **arr,
			       uint32_t *count, uint64_t *generation)
{
	struct xsched_rules r;
	struct xsched_rule *buf = NULL;
	uint32_t room = 0;
	int ret, tries;

	if (!xs || !arr || !count)
		return -EINVAL;
	for (tries = 0; tries < 8; tries++) {
		memset(&r, 0, sizeof(r));
		r.size = sizeof(r);
		r.entry_size = sizeof(*buf);
		r.count = room;
		r.entries = (uintptr_t)buf;
		ret = xs_ioctl(xs->fd, XSCHED_IOC_GET_RULES, &r);
		if (ret)
			break;
		if (r.count <= room) {
			if (!r.count) {
				free(buf);
				buf = NULL;
			}
			*arr = buf;
			*count = r.count;
			if (generation)
				*generation = r.generation;
			return 0;
		}
		room = r.count;
		free(buf);
		buf = calloc(room, sizeof(*buf));
		if (!buf)
			return -ENOMEM;
	}
	free(buf);
	return ret ? ret : -EAGAIN;
}

XS_EXPORT int xsched_set_rules(struct xsched *xs,
			       const struct xsched_rule *arr, uint32_t count,
			       uint64_t generation, uint32_t flags)
{
	struct xsched_rules r;

	if (!xs || (count && !arr))
		return -EINVAL;
	memset(&r, 0, sizeof(r));
	r.size = sizeof(r);
	r.flags = flags;
	r.entry_size = sizeof(*arr);
	r.count = count;
	r.generation = generation;
	r.entries = (uintptr_t)arr;
	return xs_ioctl(xs->fd, XSCHED_IOC_SET_RULES, &r);
}

static int xs_proc(struct xsched *xs, uint32_t flags, int pid,
		   uint32_t *priority, uint32_t *source)
{
	struct xsched_proc_priority p;
	int ret;

	if (!xs || pid < 0)
		return -EINVAL;
	memset(&p, 0, sizeof(p));
	p.size = sizeof(p);
	p.flags = flags;
	p.pid = pid;
	p.priority = priority ? *priority : 0;
	ret = xs_ioctl(xs->fd, XSCHED_IOC_PROC_PRIORITY, &p);
	if (ret)
		return ret;
	if (priority)
		*priority = p.priority;
	if (source)
		*source = p.source;
	return 0;
}

XS_EXPORT int xsched_proc_priority(struct xsched *xs, int pid,
				   uint32_t *priority, uint32_t *source)
{
	if (!priority)
		return -EINVAL;
	return xs_proc(xs, 0, pid, priority, source);
}

XS_EXPORT int xsched_set_proc_priority(struct xsched *xs, int pid,
				       uint32_t priority)
{
	return xs_proc(xs, XSCHED_PROC_SET, pid, &priority, NULL);
}

XS_EXPORT int xsched_clear_proc_priority(struct xsched *xs, int pid)
{
	return xs_proc(xs, XSCHED_PROC_CLEAR, pid, NULL, NULL);
}

XS_EXPORT const char *xsched_source_name(uint32_t source)
{
	switch (source) {
	case XSCHED_SRC_DEFAULT: return "default";
	case XSCHED_SRC_USER: return "user";
	case XSCHED_SRC_CGROUP: return "cgroup";
	case XSCHED_SRC_PROCESS: return "process";
	case XSCHED_SRC_INHERITED: return "inherited";
	}
	return "unknown";
}

/* ---- the rules file ---- */

static int xs_why(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (why && len) {
		va_start(ap, fmt);
		vsnprintf(why, len, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* The next blank-separated word of *@s, NUL-terminated in place. */
static char *xs_word(char **s)
{
	char *w = *s, *e;

	while (*w && isspace((unsigned char)*w))
		w++;
	if (!*w)
		return NULL;
	for (e = w; *e && !isspace((unsigned char)*e); e++)
		;
	*s = *e ? e + 1 : e;
	*e = '\0';
	return w;
}

static int xs_parse_prio(const char *s, uint32_t *prio)
{
	char *end;
	long v;

	if (!s || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtol(s, &end, 10);
	if (*end || errno || v < XSCHED_PRIO_MIN || v > XSCHED_PRIO_MAX)
		return -EINVAL;
	*prio = (uint32_t)v;
	return 0;
}

/*
 * A numeric uid, or a name from /etc/passwd: read directly, not through
 * NSS, so that static binaries (the initramfs, rescue shells) resolve
 * names too.  Users from a directory service are given by uid.
 */
static int xs_parse_user(const char *s, uint32_t *uid)
{
	struct passwd pw, *res = NULL;
	char buf[1024], *end;
	unsigned long v;
	FILE *f;

	if (isdigit((unsigned char)*s)) {
		errno = 0;
		v = strtoul(s, &end, 10);
		if (*end || errno || v >= UINT32_MAX)
			return -EINVAL;
		*uid = (uint32_t)v;
		return 0;
	}
	f = fopen("/etc/passwd", "re");
	if (!f)
		return -ENOENT;
	while (!fgetpwent_r(f, &pw, buf, sizeof(buf), &res))
		if (!strcmp(res->pw_name, s))
			break;
	fclose(f);
	if (!res || strcmp(res->pw_name, s))
		return -ENOENT;
	*uid = res->pw_uid;
	return 0;
}

/*
 * One rule from the words of @line (already stripped of its comment):
 * "user NAME|UID PRIO", "cgroup PATH PRIO" or "default PRIO".
 */
XS_EXPORT int xsched_rule_parse(const char *line, struct xsched_rule *r,
				char *why, size_t whylen)
{
	char copy[512], *s = copy, *kind, *target = NULL, *prio, *extra;

	if (!line || !r)
		return -EINVAL;
	if (strlen(line) >= sizeof(copy))
		return xs_why(why, whylen, "line too long");
	strcpy(copy, line);
	memset(r, 0, sizeof(*r));
	kind = xs_word(&s);
	if (!kind)
		return xs_why(why, whylen, "empty rule");
	if (strcmp(kind, "default")) {
		target = xs_word(&s);
		if (!target)
			return xs_why(why, whylen,
				      "'%s' needs a target and a priority",
				      kind);
	}
	prio = xs_word(&s);
	extra = xs_word(&s);
	if (!prio)
		return xs_why(why, whylen, "missing priority");
	if (extra)
		return xs_why(why, whylen, "unexpected '%s' after the priority",
			      extra);
	if (xs_parse_prio(prio, &r->priority))
		return xs_why(why, whylen, "priority '%s' is not %d..%d", prio,
			      XSCHED_PRIO_MIN, XSCHED_PRIO_MAX);
	if (!strcmp(kind, "default")) {
		r->kind = XSCHED_RULE_DEFAULT;
	} else if (!strcmp(kind, "user")) {
		r->kind = XSCHED_RULE_USER;
		if (xs_parse_user(target, &r->uid))
			return xs_why(why, whylen, "no such user '%s'", target);
	} else if (!strcmp(kind, "cgroup")) {
		r->kind = XSCHED_RULE_CGROUP;
		if (target[0] != '/')
			return xs_why(why, whylen,
				      "cgroup '%s' is not an absolute path",
				      target);
		if (strlen(target) >= sizeof(r->cgroup))
			return xs_why(why, whylen,
				      "cgroup path longer than %zu bytes",
				      sizeof(r->cgroup) - 1);
		strcpy(r->cgroup, target);
	} else {
		return xs_why(why, whylen,
			      "unknown rule '%s' (user, cgroup or default)",
			      kind);
	}
	return 0;
}

XS_EXPORT int xsched_rule_same(const struct xsched_rule *a,
			       const struct xsched_rule *b)
{
	if (a->kind != b->kind)
		return 0;
	if (a->kind == XSCHED_RULE_USER)
		return a->uid == b->uid;
	if (a->kind == XSCHED_RULE_CGROUP)
		return !strcmp(a->cgroup, b->cgroup);
	return 1;
}

XS_EXPORT int xsched_rules_parse(const char *text, struct xsched_rule **arr,
				 uint32_t *count, unsigned int *bad_line,
				 char *why, size_t whylen)
{
	struct xsched_rule *rules = NULL, r;
	unsigned int line = 0, *lines = NULL;
	uint32_t n = 0, i;
	const char *p = text, *nl;
	char buf[512], *hash;
	size_t len;
	int ret = 0;

	if (!text || !arr || !count)
		return -EINVAL;
	if (bad_line)
		*bad_line = 0;
	while (*p) {
		line++;
		nl = strchr(p, '\n');
		len = nl ? (size_t)(nl - p) : strlen(p);
		if (len >= sizeof(buf)) {
			ret = xs_why(why, whylen, "line too long");
			goto bad;
		}
		memcpy(buf, p, len);
		buf[len] = '\0';
		p += len + (nl ? 1 : 0);
		hash = strchr(buf, '#');
		if (hash)
			*hash = '\0';
		if (!buf[strspn(buf, " \t\r")])
			continue;
		ret = xsched_rule_parse(buf, &r, why, whylen);
		if (ret)
			goto bad;
		for (i = 0; i < n; i++)
			if (xsched_rule_same(&rules[i], &r)) {
				ret = xs_why(why, whylen,
					     "%s given twice (line %u)",
					     r.kind == XSCHED_RULE_DEFAULT ?
					     "default" : "the same target",
					     lines[i]);
				goto bad;
			}
		if (n == XSCHED_RULES_MAX) {
			ret = xs_why(why, whylen, "more than %d rules",
				     XSCHED_RULES_MAX);
			goto bad;
		}
		if (!(n % 16)) {
			struct xsched_rule *more = realloc(rules,
						(n + 16) * sizeof(*rules));
			unsigned int *ml;

			if (more)
				rules = more;
			ml = realloc(lines, (n + 16) * sizeof(*lines));
			if (ml)
				lines = ml;
			if (!more || !ml) {
				ret = -ENOMEM;
				goto bad;
			}
		}
		lines[n] = line;
		rules[n++] = r;
	}
	free(lines);
	*arr = rules;
	*count = n;
	return 0;
bad:
	if (bad_line)
		*bad_line = line;
	free(lines);
	free(rules);
	return ret;
}

XS_EXPORT int xsched_rule_format(const struct xsched_rule *r, char *buf,
				 size_t len)
{
	int n;

	if (!r || !buf)
		return -EINVAL;
	switch (r->kind) {
	case XSCHED_RULE_DEFAULT:
		n = snprintf(buf, len, "default %u", r->priority);
		break;
	case XSCHED_RULE_USER:
		n = snprintf(buf, len, "user %u %u", r->uid, r->priority);
		break;
	case XSCHED_RULE_CGROUP:
		n = snprintf(buf, len, "cgroup %.*s %u",
			     (int)sizeof(r->cgroup), r->cgroup, r->priority);
		break;
	default:
		return -EINVAL;
	}
	return n < 0 || (size_t)n >= len ? -ENOSPC : n;
}
