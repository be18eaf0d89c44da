// SPDX-License-Identifier: GPL-2.0-only
/*
 * The rmapstat kprobes (kprobes.h): the fallback's and the hold events,
 * what is probed and why, the creation of the events with the kernel's
 * reason when one cannot be made, their removal (an undo step of the
 * cleanup registry, so that a signal handler removes them too), and the
 * hits the kernel missed.
 */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tracefs.h>

#include "cleanup.h"
#include "kprobes.h"
#include "fsutil.h"
#include "layout.h"
#include "sweep.h"
#include "walk_event.h"

/* What an event fetches. */
enum kprobe_args {
	ARGS_WALK,		/* entry of a walk function: layout.h's arguments */
	ARGS_NONE,		/* kretprobe of a walk function */
	ARGS_VMA,		/* kretprobe of a VMA iterator: the VMA it yields */
	ARGS_HOLD,		/* kprobe of a VMA iterator: the lock of its tree */
};

struct kprobe_def {
	const char *event;
	/*
	 * The function probed: the first of these that can be. Kernels
	 * rename and inline (7.3 inlines rmap_walk_file into its callers and
	 * keeps __rmap_walk_file; it renames anon_vma_interval_tree_*() to
	 * anon_rmap_tree_*() and vma_interval_tree_*() to
	 * mapping_rmap_tree_*()). A kretprobe of a walk function probes the
	 * function its entry probe found, the row before it.
	 */
	const char *funcs[2];
	enum kprobe_args args;
	/*
	 * NULL: the probe must exist. Else the function may be missing
	 * (inlined away, or not built) and this says what that costs.
	 */
	const char *optional;
	unsigned int set;	/* RS_KPROBES_*: which request makes it */
	enum rs_kind tree;	/* a hold: the tree whose lock it names */
};

#define WALK_FUNC(fn, alt, why)						\
	{ #fn "_entry", { #fn, alt }, ARGS_WALK, why, RS_KPROBES_WALKS, RS_KIND_UNKNOWN }, \
	{ #fn "_exit", { NULL, NULL }, ARGS_NONE, NULL, RS_KPROBES_WALKS, RS_KIND_UNKNOWN }
#define VISIT(ev, fn, alt)						\
	{ ev, { fn, alt }, ARGS_VMA, "VMAs visited are not counted", RS_KPROBES_VISITS, \
	  RS_KIND_UNKNOWN }
#define HOLD(ev, tree_, fn, alt, lock)					\
	{ ev, { fn, alt }, ARGS_HOLD, "waits for " lock " are attributed to walks by " \
	  "time overlap only (overlap, not proven)", RS_KPROBES_HOLDS, RS_KIND_##tree_ }

/*
 * rmap_walk and rmap_walk_locked dispatch to rmap_walk_ksm/_anon/_file,
 * which pair inside them (lib/walk/pairing.h); callers into which the
 * compiler inlined the dispatcher (try_to_migrate, folio_referenced, ...
 * in mm/rmap.c) call the static rmap_walk_anon/_file directly: only their
 * probes see those. The VMA iterators yield each VMA a walk visits; the
 * first call of one comes right after the walk took the lock of the tree
 * it iterates, which the hold events read (RS_HOLD_EVENTS of
 * lib/walk/walk_event.h has their names).
 */
static const struct kprobe_def kprobe_defs[NR_KPROBES] = {
	WALK_FUNC(rmap_walk, NULL, NULL),
	WALK_FUNC(rmap_walk_locked, NULL, NULL),
	WALK_FUNC(rmap_walk_ksm, NULL,
		  "KSM walks are not told apart (a kernel without CONFIG_KSM has none)"),
	WALK_FUNC(rmap_walk_anon, NULL,
		  "anonymous walks of callers that inlined rmap_walk (try_to_migrate, folio_referenced, ...) are not seen"),
	WALK_FUNC(rmap_walk_file, "__rmap_walk_file",
		  "file walks of callers that inlined rmap_walk (try_to_migrate, folio_referenced, ...) are not seen"),
	VISIT("visit_anon_first", "anon_vma_interval_tree_iter_first", "anon_rmap_tree_iter_first"),
	VISIT("visit_anon_next", "anon_vma_interval_tree_iter_next", "anon_rmap_tree_iter_next"),
	VISIT("visit_file_first", "vma_interval_tree_iter_first", "mapping_rmap_tree_iter_first"),
	VISIT("visit_file_next", "vma_interval_tree_iter_next", "mapping_rmap_tree_iter_next"),
	HOLD("hold_anon", ANON, "anon_vma_interval_tree_iter_first", "anon_rmap_tree_iter_first",
	     "the anon_vma locks"),
	HOLD("hold_file", FILE, "vma_interval_tree_iter_first", "mapping_rmap_tree_iter_first",
	     "the i_mmap locks"),
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
static int creation_failed(const struct kprobe_def *d, const char *why, int errnum,
			   struct rs_error *err)
{
	char fix[160];

	if (d->optional) {
		/* Inlined into every caller, or not built (CONFIG_KSM=n). */
		fprintf(stderr, "rmapstat: no kprobe on %s (%s): %s\n",
			d->funcs[0], why, d->optional);
		return 1;
	}
	snprintf(fix, sizeof(fix), "the kernel needs CONFIG_KPROBE_EVENTS=y and the "
		 "symbol %s", d->funcs[0]);
	rs_error_status(err, RS_EXIT_NO_EVENTS, fix, "cannot create kprobe %s on %s: %s",
			d->event, d->funcs[0], why);
	return -(errnum ? errnum : ENOENT);
}

/*
 * Creates the event of d on func: 0, 1 when func cannot be probed
 * (*why says why), or -errno.
 */
static int create_one(struct rs_kprobes *k, size_t i, const char *func,
		      const struct rs_layout *l, char *why, size_t why_len,
		      struct rs_error *err)
{
	const struct kprobe_def *d = &kprobe_defs[i];
	struct tracefs_dynevent *ev;
	char args[256], *log;
	int ret;

	if (d->args == ARGS_WALK) {
		ret = rs_layout_fetch_args(l, func, args, sizeof(args));
		if (ret) {
			snprintf(why, why_len, "%s", ret != -ENOENT ?
				 "it does not take (folio, rwc)" : l->btf ?
				 "its arguments are not known: not in the BTF" :
				 "its arguments are not known: --layout knows those of Linux 6.1 to 7.3's rmap_walk*() only");
			return 1;
		}
		ev = tracefs_kprobe_alloc(KPROBE_SYSTEM, d->event, func, args);
	} else if (d->args == ARGS_HOLD) {
		ret = rs_layout_hold_args(l, func, d->tree, args, sizeof(args));
		if (ret) {
			snprintf(why, why_len, "%s", ret == -EINVAL ?
				 "it takes no struct rb_root_cached, anon_vma or address_space pointer" :
				 !l->btf || !l->hold.known ? "the locks' offsets are not known without BTF" :
				 "not in the BTF");
			return 1;
		}
		ev = tracefs_kprobe_alloc(KPROBE_SYSTEM, d->event, func, args);
	} else {
		ev = tracefs_kretprobe_alloc(KPROBE_SYSTEM, d->event, func,
					     d->args == ARGS_VMA ? RS_VISIT_FETCHARG : NULL, 0);
	}
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
		ret = errno;
		k->created[i] = 0;
		log = tracefs_error_last(NULL);
		snprintf(why, why_len, "%s", kprobe_error_reason(log, ret));
		free(log);
		tracefs_dynevent_free(ev);
		return 1;
	}
	k->ev[i] = ev;
	snprintf(k->func[i], sizeof(k->func[i]), "%s", func);
	return 0;
}

int rs_kprobes_create(struct rs_kprobes *k, const struct rs_layout *l, unsigned int which,
		      int live_others, struct rs_error *err)
{
	const struct kprobe_def *d;
	unsigned int removed = 0;
	char why[256];
	size_t i, f;
	int ret;

	ret = rs_sweep_kprobes(live_others, stderr, &removed, err) ?:
	      prepare_undo(k, err);
	if (ret)
		return ret;
	for (i = 0; i < NR_KPROBES; i++) {
		d = &kprobe_defs[i];
		if (!(d->set & which))
			continue;
		if (!d->funcs[0]) {
			/* The kretprobe of the walk function the row before found. */
			if (k->ev[i - 1]) {
				ret = create_one(k, i, k->func[i - 1], l, why, sizeof(why), err);
				if (ret)
					return ret < 0 ? ret : creation_failed(d, why, 0, err);
			}
			continue;
		}
		ret = 1;
		for (f = 0; ret == 1 && f < 2 && d->funcs[f]; f++)
			ret = create_one(k, i, d->funcs[f], l, why, sizeof(why), err);
		if (ret == 1)
			ret = creation_failed(d, why, ENOENT, err);
		if (ret < 0)
			return ret;
	}
	return 0;
}

unsigned int rs_kprobes_count(const struct rs_kprobes *k, unsigned int which)
{
	unsigned int n = 0;
	size_t i;

	for (i = 0; i < NR_KPROBES; i++)
		n += k->ev[i] && (kprobe_defs[i].set & which);
	return n;
}

/* Did an event before i probe the function of event i? */
static bool probed_before(const struct rs_kprobes *k, size_t i)
{
	size_t j;

	for (j = 0; j < i; j++)
		if (k->ev[j] && !strcmp(k->func[j], k->func[i]))
			return true;
	return false;
}

void rs_kprobes_functions(const struct rs_kprobes *k, char *buf, size_t len)
{
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < NR_KPROBES && n < len; i++)
		if (k->ev[i] && kprobe_defs[i].funcs[0] && !probed_before(k, i))
			n += (size_t)snprintf(buf + n, len - n, " %s", k->func[i]);
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
