// SPDX-License-Identifier: GPL-2.0-only
/*
 * Test of journal.c and journal_sweep.c, the undo journal of rmapstat record, with a temporary
 * folder standing in for /run/rmapstat and plain files for the sysfs knobs
 * (the journal names full paths, so no sysfs is needed). A "killed
 * recording" is a child that writes its journal and knobs and _exits
 * without undoing anything; the sweep must then find it stale, as a
 * zombie and once reaped, write the knobs back in journal order unless
 * someone changed them since, remove its paths (never following a
 * symbolic link) and say each on the log. Also: a reused PID (same pid,
 * other start time) is stale, a live one is left alone, a value a live
 * journal names too is deferred, a journal of an earlier boot has its
 * values dropped, a corrupt journal or an unsafe folder is refused.
 * Needs neither root nor sysfs.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "journal.h"
#include "fsutil.h"

static char root[PATH_MAX];	/* everything of a test case lives here */
static char jdir[PATH_MAX];	/* the journal folder */
static char sys[PATH_MAX];	/* the "sysfs" knobs */
static char log_text[16384];

static void path_of(char *buf, const char *dir, const char *name)
{
	if (snprintf(buf, PATH_MAX, "%s/%s", dir, name) >= PATH_MAX)
		abort();
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f) {
		perror(path);
		exit(1);
	}
	fputs(text, f);
	fclose(f);
}

/* The value a knob holds, as the journal compares it. */
static const char *knob(const char *name)
{
	static char buf[JOURNAL_VALUE_MAX];
	char path[PATH_MAX];

	path_of(path, sys, name);
	if (rs_value_read(path, buf, sizeof(buf)))
		return "(unreadable)";
	return buf;
}

static void set_knob(const char *name, const char *val)
{
	char path[PATH_MAX];

	path_of(path, sys, name);
	write_file(path, val);
}

static void setup(const char *name)
{
	snprintf(root, sizeof(root), "%s/rmapstat-test-journal-%s-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", name);
	if (!mkdtemp(root)) {
		perror("mkdtemp");
		exit(1);
	}
	path_of(jdir, root, "run");		/* created by journal_begin() */
	path_of(sys, root, "sys");
	mkdir(sys, 0755);
	set_knob("pages_to_scan", "100\n");
	set_knob("sleep_millisecs", "20\n");
	set_knob("advisor_mode", "[none] scan-time\n");
	set_knob("run", "0\n");
}

static void teardown(void)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", root);
}

/* journal_sweep() with its log captured in log_text. */
static int sweep(bool tell_live, unsigned int *done)
{
	FILE *f = tmpfile();
	size_t n;
	int ret;

	if (!f) {
		perror("tmpfile");
		exit(1);
	}
	ret = journal_sweep(jdir, f, tell_live, done);
	rewind(f);
	n = fread(log_text, 1, sizeof(log_text) - 1, f);
	log_text[n] = '\0';
	fclose(f);
	printf("  sweep -> %d, %u done; log:\n%s", ret, *done, log_text);
	return ret;
}

static bool logged(const char *text)
{
	return strstr(log_text, text) != NULL;
}

static bool exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

/*
 * A recording killed after speeding KSM up: a child notes and changes the
 * knobs the way ksm_knobs.c does (advisor_mode to none is no change here),
 * creates a staging folder and a file, then dies without undoing. Returns
 * its pid, not reaped yet (a zombie).
 */
static pid_t killed_recording(const char *staging, const char *file)
{
	static const char *const names[] = {
		"pages_to_scan", "sleep_millisecs", "advisor_mode", "run",
	};
	char path[PATH_MAX], inner[PATH_MAX];
	int i, ok = 1;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		perror("fork");
		exit(1);
	}
	if (pid > 0)
		return pid;

	ok &= journal_begin(jdir, NULL) == 0;
	for (i = 0; i < 4; i++) {
		path_of(path, sys, names[i]);
		ok &= journal_add_value(path, knob(names[i]), NULL) == 0;
	}
	ok &= journal_add_remove(staging, JOURNAL_RM_DIR, "staging folder", NULL) == 0;
	mkdir(staging, 0700);
	path_of(inner, staging, "cpu0");
	write_file(inner, "data");
	path_of(inner, staging, ".trace.dat.XXXXXX");
	write_file(inner, "partial");
	ok &= journal_add_remove(file, JOURNAL_RM_FILE, "temporary file", NULL) == 0;
	write_file(file, "x");

	/* ksm_knobs_speed_up(): journal first, then the knob */
	path_of(path, sys, "pages_to_scan");
	ok &= journal_set_value(path, "10000", NULL) == 0;
	set_knob("pages_to_scan", "10000");
	path_of(path, sys, "sleep_millisecs");
	ok &= journal_set_value(path, "1", NULL) == 0;
	set_knob("sleep_millisecs", "1");
	path_of(path, sys, "run");
	ok &= journal_set_value(path, "1", NULL) == 0;
	set_knob("run", "1");
	/* an unknown path is refused */
	ok &= journal_set_value("/nonexistent/knob", "1", NULL) == -ENOENT;
	_exit(ok ? 0 : 1);	/* SIGKILL: nothing undone */
}

static int reap(pid_t pid)
{
	int status;

	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* A pid that is not running any more. */
static pid_t dead_pid(void)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	reap(pid);
	return pid;
}

/* A child that sleeps until killed; its pid. */
static pid_t live_process(void)
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		for (;;)
			pause();
	}
	return pid;
}

static void kill_live(pid_t pid)
{
	kill(pid, SIGKILL);
	reap(pid);
}

/* Writes a journal by hand (the format of journal.h). */
static void craft(pid_t pid, unsigned long long start, const char *boot, const char *entries)
{
	char path[PATH_MAX], name[32], text[4096];

	mkdir(jdir, 0700);
	snprintf(name, sizeof(name), "%d", (int)pid);
	path_of(path, jdir, name);
	snprintf(text, sizeof(text), "rmapstat-journal 1\npid %d\nstart %llu\n%s%s%s",
		 (int)pid, start, boot ? "boot " : "", boot ? boot : "", boot ? "\n" : "");
	strncat(text, entries, sizeof(text) - strlen(text) - 1);
	write_file(path, text);
}

static void journal_file(char *path, pid_t pid)
{
	char name[32];

	snprintf(name, sizeof(name), "%d", (int)pid);
	path_of(path, jdir, name);
}

static void test_killed_run_restored(void)
{
	char staging[PATH_MAX], file[PATH_MAX], jpath[PATH_MAX], want[PATH_MAX + 128];
	unsigned int done;
	struct stat st;
	pid_t pid;

	setup("killed");
	path_of(staging, root, ".rmapstat-1-ab cd");	/* a space: escaped in the journal */
	path_of(file, root, "tmpfile");
	pid = killed_recording(staging, file);
	/* the child ended and is a zombie until reaped: gone all the same */
	{
		siginfo_t si;

		waitid(P_PID, pid, &si, WEXITED | WNOWAIT);
	}
	journal_file(jpath, pid);
	CHECK(exists(jpath));
	CHECK(stat(jdir, &st) == 0 && (st.st_mode & 0777) == 0700);
	CHECK(stat(jpath, &st) == 0 && (st.st_mode & 0777) == 0600);
	CHECK(!strcmp(knob("pages_to_scan"), "10000"));
	CHECK(!strcmp(knob("run"), "1"));

	CHECK(sweep(true, &done) == 0);
	CHECK_EQ_U64(reap(pid), 0);
	CHECK_EQ_U64(done, 5);		/* 3 knobs, the folder, the file */
	CHECK(!strcmp(knob("pages_to_scan"), "100"));
	CHECK(!strcmp(knob("sleep_millisecs"), "20"));
	CHECK(!strcmp(knob("advisor_mode"), "none"));
	CHECK(!strcmp(knob("run"), "0"));
	CHECK(!exists(staging));
	CHECK(!exists(file));
	CHECK(!exists(jpath));
	snprintf(want, sizeof(want), "rmapstat: restored %s/run 0 (left at 1 by record pid %d, killed)\n",
		 sys, (int)pid);
	CHECK(logged(want));
	snprintf(want, sizeof(want), "rmapstat: removed staging folder %s (left by record pid %d, killed)\n",
		 staging, (int)pid);
	CHECK(logged(want));
	CHECK(!logged("advisor_mode"));		/* never changed: nothing to say */
	/* run goes last, pages_to_scan first (journal order) */
	CHECK(strstr(log_text, "pages_to_scan") < strstr(log_text, "sleep_millisecs"));
	CHECK(strstr(log_text, "sleep_millisecs") < strstr(log_text, "/run 0"));

	CHECK(sweep(true, &done) == 0);
	CHECK_EQ_U64(done, 0);
	CHECK(log_text[0] == '\0');
	teardown();
}

static void test_changed_since_left_alone(void)
{
	char staging[PATH_MAX], file[PATH_MAX], want[PATH_MAX + 128];
	unsigned int done;
	pid_t pid;

	setup("changed");
	path_of(staging, root, ".rmapstat-2-x");
	path_of(file, root, "tmpfile");
	pid = killed_recording(staging, file);
	CHECK_EQ_U64(reap(pid), 0);
	set_knob("sleep_millisecs", "55\n");	/* someone else, after the kill */
	CHECK(sweep(false, &done) == 0);
	CHECK(!strcmp(knob("sleep_millisecs"), "55"));
	CHECK(!strcmp(knob("pages_to_scan"), "100"));
	CHECK(!strcmp(knob("run"), "0"));
	snprintf(want, sizeof(want), "rmapstat: left %s/sleep_millisecs at 55: record pid %d (killed) had set 1",
		 sys, (int)pid);
	CHECK(logged(want));
	CHECK(logged("its value before was 20"));
	CHECK_EQ_U64(done, 4);
	teardown();
}

static void test_live_and_reused_pid(void)
{
	char entries[PATH_MAX * 3], jpath[PATH_MAX], want[128];
	unsigned long long start;
	unsigned int done;
	pid_t live;

	setup("live");
	live = live_process();
	CHECK(journal_pid_start(live, &start) == 1);
	snprintf(entries, sizeof(entries), "value %s/run 0 1\n", sys);
	set_knob("run", "1");

	/* the pid runs and started when the journal says: a live recording */
	craft(live, start, NULL, entries);
	CHECK(sweep(true, &done) == 0);
	CHECK_EQ_U64(done, 0);
	CHECK(!strcmp(knob("run"), "1"));
	journal_file(jpath, live);
	CHECK(exists(jpath));
	snprintf(want, sizeof(want), "record pid %d is running", (int)live);
	CHECK(logged(want));
	CHECK(sweep(false, &done) == 0);
	CHECK(log_text[0] == '\0');		/* not said unless asked */

	/* same pid, other start time: the recording died, the pid was reused */
	craft(live, start + 1, NULL, entries);
	CHECK(sweep(true, &done) == 0);
	CHECK_EQ_U64(done, 1);
	CHECK(!strcmp(knob("run"), "0"));
	CHECK(!exists(jpath));
	kill_live(live);
	CHECK(journal_pid_start(live, &start) == 0);
	teardown();
}

static void test_deferred_while_another_runs(void)
{
	char entries[PATH_MAX * 3], jpath[PATH_MAX], want[128];
	unsigned long long start;
	unsigned int done;
	pid_t live, dead;

	setup("deferred");
	live = live_process();
	dead = dead_pid();
	CHECK(journal_pid_start(live, &start) == 1);
	/* the dead run set 1/1; the live one saw 1 as the original and kept it */
	set_knob("run", "1");
	set_knob("sleep_millisecs", "1");
	snprintf(entries, sizeof(entries), "value %s/run 1 1\n", sys);
	craft(live, start, NULL, entries);
	snprintf(entries, sizeof(entries), "value %s/run 0 1\nvalue %s/sleep_millisecs 20 1\n",
		 sys, sys);
	craft(dead, 1, NULL, entries);
	CHECK(sweep(false, &done) == 0);
	CHECK_EQ_U64(done, 1);
	CHECK(!strcmp(knob("run"), "1"));		/* deferred */
	CHECK(!strcmp(knob("sleep_millisecs"), "20"));	/* not named by the live one */
	snprintf(want, sizeof(want), "record pid %d, which is running, changed it too", (int)live);
	CHECK(logged(want));
	journal_file(jpath, dead);
	CHECK(exists(jpath));				/* rewritten with what is left */

	/* the live one ends and writes back what it saw; the next sweep finishes */
	kill_live(live);
	journal_file(jpath, live);
	unlink(jpath);
	CHECK(sweep(false, &done) == 0);
	CHECK_EQ_U64(done, 1);
	CHECK(!strcmp(knob("run"), "0"));
	journal_file(jpath, dead);
	CHECK(!exists(jpath));
	teardown();
}

static void test_earlier_boot(void)
{
	char entries[PATH_MAX * 3], dir[PATH_MAX];
	unsigned int done;

	setup("boot");
	path_of(dir, root, ".rmapstat-3-y");
	mkdir(dir, 0700);
	set_knob("run", "1");
	snprintf(entries, sizeof(entries), "value %s/run 0 1\nremove dir %s staging%%20folder\n",
		 sys, dir);
	craft(dead_pid(), 1, "not-this-boot", entries);
	CHECK(sweep(false, &done) == 0);
	CHECK(!strcmp(knob("run"), "1"));	/* the reboot reset it already */
	CHECK(!exists(dir));
	CHECK(logged("before the last reboot"));
	CHECK_EQ_U64(done, 1);
	teardown();
}

static void test_symlink_not_followed(void)
{
	char entries[PATH_MAX * 3], target[PATH_MAX], victim[PATH_MAX], link[PATH_MAX];
	unsigned int done;

	setup("symlink");
	path_of(target, root, "precious");
	mkdir(target, 0755);
	path_of(victim, target, "file");
	write_file(victim, "keep me");
	path_of(link, root, ".rmapstat-4-z");
	CHECK(symlink(target, link) == 0);
	snprintf(entries, sizeof(entries), "remove dir %s staging%%20folder\n", link);
	craft(dead_pid(), 1, NULL, entries);
	CHECK(sweep(false, &done) == 0);
	CHECK(exists(victim));
	CHECK(exists(link));
	CHECK(logged("left ") && logged("alone: it is no longer the staging folder"));
	teardown();
}

static void test_refused(void)
{
	struct rs_error err;
	char jpath[PATH_MAX];
	unsigned int done;
	pid_t dead = dead_pid();

	setup("refused");
	craft(dead, 1, NULL, "value relative/path 0 1\n");
	CHECK(sweep(false, &done) == -1);
	CHECK(logged("cannot read the journal"));
	journal_file(jpath, dead);
	CHECK(exists(jpath));			/* kept for a human to look at */
	unlink(jpath);

	chmod(jdir, 0777);
	CHECK(sweep(false, &done) == -1);
	CHECK(logged("rm -r"));
	CHECK(journal_begin(jdir, &err) == -EPERM);
	CHECK(strstr(err.what, "only it can write") != NULL);
	teardown();
}

static void test_own_journal(void)
{
	char path[PATH_MAX];
	unsigned int done;

	setup("own");
	/* without journal_begin(): no-ops */
	CHECK(journal_add_value("/x", "1", NULL) == 0);
	CHECK(journal_set_value("/x", "2", NULL) == 0);
	CHECK(journal_path() == NULL);
	journal_end();

	path_of(path, sys, "run");
	CHECK(journal_begin(jdir, NULL) == 0);
	CHECK(journal_begin(jdir, NULL) == -EBUSY);
	CHECK(journal_add_value(path, "0", NULL) == 0);
	CHECK(journal_set_value(path, "1", NULL) == 0);
	set_knob("run", "1");
	CHECK(journal_path() && exists(journal_path()));
	CHECK(sweep(true, &done) == 0);		/* ours: untouched, not reported */
	CHECK_EQ_U64(done, 0);
	CHECK(!strcmp(knob("run"), "1"));
	CHECK(log_text[0] == '\0');
	strcpy(path, journal_path());
	journal_end();
	CHECK(!exists(path));
	journal_end();
	teardown();
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	RUN(test_killed_run_restored);
	RUN(test_changed_since_left_alone);
	RUN(test_live_and_reused_pid);
	RUN(test_deferred_while_another_runs);
	RUN(test_earlier_boot);
	RUN(test_symlink_not_followed);
	RUN(test_refused);
	RUN(test_own_journal);
	return check_summary();
}
