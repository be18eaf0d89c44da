// SPDX-License-Identifier: GPL-2.0-only
/*
 * The kprobe fallback (kprobes.h): what is probed and why, the creation
 * of the events with the kernel's reason when one cannot be made, their
 * removal (an undo step of the cleanup registry, so that a signal
 * handler removes them too), and the hits the kernel missed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tracefs.h>

#include "cleanup.h"
#include "kprobes.h"
#include "sweep.h"
#include "fsutil.h"

struct kprobe_def {
	const char *event;
	const char *func;
	const char *args;	/* entry: fetch args; NULL for the kretprobe */
	/*
	 * NULL: the probe must exist. Else the function may be missing
	 * (inlined away, or not built) and this says what that costs; the
	 * entry comes first, its kretprobe is skipped with it.
	 */
	const char *optional;
};

/*
 * Entry probes carry the args, kretprobes none. rmap_walk and
 * rmap_walk_locked dispatch to rmap_walk_ksm/_anon/_file, which pair inside
 * them (lib/walk/pairing.h); callers into which the compiler inlined the
 * dispatcher (try_to_migrate, folio_referenced, ... in mm/rmap.c) call
 * the static rmap_walk_anon/_file directly: only their probes see those.
 */
static const struct kprobe_def kprobe_defs[NR_KPROBES] = {
	{ "rmap_walk_entry",		"rmap_walk",		KPROBE_ARGS, NULL },
	{ "rmap_walk_exit",		"rmap_walk",		NULL, NULL },
	{ "rmap_walk_locked_entry",	"rmap_walk_locked",	KPROBE_ARGS, NULL },
	{ "rmap_walk_locked_exit",	"rmap_walk_locked",	NULL, NULL },
	{ "rmap_walk_ksm_entry",	"rmap_walk_ksm",	KPROBE_ARGS,
	  "KSM walks are not told apart (a kernel without CONFIG_KSM has none)" },
	{ "rmap_walk_ksm_exit",		"rmap_walk_ksm",	NULL, NULL },
	{ "rmap_walk_anon_entry",	"rmap_walk_anon",	KPROBE_WALK_ARGS,
	  "anonymous walks of callers that inlined rmap_walk (try_to_migrate, folio_referenced, ...) are not seen" },
	{ "rmap_walk_anon_exit",	"rmap_walk_anon",	NULL, NULL },
	{ "rmap_walk_file_entry",	"rmap_walk_file",	KPROBE_WALK_ARGS,
	  "file walks of callers that inlined rmap_walk (try_to_migrate, folio_referenced, ...) are not seen" },
	{ "rmap_walk_file_exit",	"rmap_walk_file",	NULL, NULL },
};

/*
 * The undo step: "-:rmapstat/EVENT" appended to kprobe_events for each
 * event created, the last first. O_APPEND: opening kprobe_events with
 * O_TRUNC would remove every kprobe of the system.
 */
static void undo_kprobes(void *arg)
{
	struct rs_kprobes *k = arg;
	int i;

	for (i = NR_KPROBES; i-- > 0;) {
		if (!k->created[i])
			continue;
		k->undo_err[i] = rs_value_write(k->events_file, k->del[i], O_APPEND);
		k->created[i] = 0;
	}
}

/*
 * The kernel's reason from tracefs_error_last() (error_log: "[ts]
 * trace_kprobe: error: REASON", then the command), as one line; in place.
 * Without one, strerror(errnum).
 */
static const char *kprobe_error_reason(char *err, int errnum)
{
	char *reason, *nl;

	if (!err)
		return strerror(errnum);
	reason = strstr(err, "error: ");
	reason = reason ? reason + strlen("error: ") : err;
	nl = strchr(reason, '\n');
	if (nl)
		*nl = '\0';
	return reason;
}

/* The undo step, prepared before the first event exists. */
static int prepare_undo(struct rs_kprobes *k, struct rs_error *err)
{
	size_t i;

	snprintf(k->events_file, sizeof(k->events_file), "%s/kprobe_events",
		 tracefs_tracing_dir());
	for (i = 0; i < NR_KPROBES; i++)
		snprintf(k->del[i], sizeof(k->del[i]), "-:%s/%s\n", KPROBE_SYSTEM,
			 kprobe_defs[i].event);
	k->step = rs_cleanup_add(undo_kprobes, k);
	if (k->step < 0) {
		rs_error_set(err, NULL, "too many cleanup steps for the kprobe events");
		return k->step;
	}
	return 0;
}

/* A probe of d that could not be made: 1 if it may be skipped, else -errno. */
static int creation_failed(const struct kprobe_def *d, int errnum, struct rs_error *err)
{
	char *log = tracefs_error_last(NULL);
	char fix[128];

	if (d->optional) {
		/* Inlined into every caller, or not built (CONFIG_KSM=n). */
		fprintf(stderr, "rmapstat: no kprobe on %s (%s): %s\n",
			d->func, kprobe_error_reason(log, errnum), d->optional);
		free(log);
		return 1;
	}
	snprintf(fix, sizeof(fix), "the kernel needs CONFIG_KPROBE_EVENTS=y and the "
		 "symbol %s", d->func);
	rs_error_status(err, RS_EXIT_NO_EVENTS, fix, "cannot create kprobe %s on %s: %s",
			d->event, d->func, kprobe_error_reason(log, errnum));
	free(log);
	return -(errnum ? errnum : ENOENT);
}

int rs_kprobes_create(struct rs_kprobes *k, int live_others, struct rs_error *err)
{
	const struct kprobe_def *d;
	struct tracefs_dynevent *ev;
	const char *skip = NULL;	/* function whose entry probe failed */
	unsigned int removed = 0;
	size_t i;
	int ret;

	ret = rs_sweep_kprobes(live_others, stderr, &removed, err) ?:
	      prepare_undo(k, err);
	if (ret)
		return ret;
	for (i = 0; i < NR_KPROBES; i++) {
		d = &kprobe_defs[i];
		if (skip && !strcmp(d->func, skip))
			continue;
		if (!d->args)
			ev = tracefs_kretprobe_alloc(KPROBE_SYSTEM, d->event, d->func, NULL, 0);
		else
			ev = tracefs_kprobe_alloc(KPROBE_SYSTEM, d->event, d->func, d->args);
		if (!ev) {
			ret = errno ? -errno : -ENOMEM;
			rs_error_set(err, NULL, "cannot allocate kprobe %s: %s", d->event,
				     strerror(-ret));
			return ret;
		}
		tracefs_error_clear(NULL);
		/* Before it exists: a signal right after must remove it. */
		k->created[i] = 1;
		if (tracefs_dynevent_create(ev)) {
			k->created[i] = 0;
			ret = creation_failed(d, errno, err);
			tracefs_dynevent_free(ev);
			if (ret < 0)
				return ret;
			skip = d->func;
			continue;
		}
		k->ev[i] = ev;
	}
	return 0;
}

int rs_kprobes_remove(struct rs_kprobes *k, struct rs_error *err)
{
	char fix[PATH_MAX + 64];
	int ret = 0;
	size_t i;

	rs_cleanup_run(k->step);
	k->step = 0;
	for (i = NR_KPROBES; i-- > 0;) {
		if (!k->ev[i])
			continue;
		/* Still enabled somewhere (another instance): by force. */
		if (k->undo_err[i] && tracefs_dynevent_destroy(k->ev[i], true)) {
			ret = errno ? -errno : -EIO;
			snprintf(fix, sizeof(fix), "echo '-:%s/%s' >> %s", KPROBE_SYSTEM,
				 kprobe_defs[i].event, k->events_file);
			rs_error_set(err, fix, "cannot remove kprobe event %s:%s: %s",
				     KPROBE_SYSTEM, kprobe_defs[i].event, strerror(-ret));
		}
		tracefs_dynevent_free(k->ev[i]);
		k->ev[i] = NULL;
	}
	return ret;
}

unsigned long long rs_kprobes_report_misses(const struct rs_kprobes *k, FILE *f)
{
	unsigned long long hits, missed, total = 0;
	char *profile, *line, *save, name[128];
	size_t i;

	profile = tracefs_instance_file_read(NULL, "kprobe_profile", NULL);
	for (line = profile ? strtok_r(profile, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, "%127s %llu %llu", name, &hits, &missed) != 3 || !missed)
			continue;
		for (i = 0; i < NR_KPROBES; i++) {
			if (!k->ev[i] || strcmp(name, kprobe_defs[i].event))
				continue;
			fprintf(f, "rmapstat: kprobe %s:%s missed %llu times (%llu hits)\n",
				KPROBE_SYSTEM, name, missed, hits);
			total += missed;
		}
	}
	free(profile);
	return total;
}
