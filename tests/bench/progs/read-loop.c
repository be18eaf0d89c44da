// SPDX-License-Identifier: GPL-2.0-only
/*
 * read-loop FILE: the least a libtracecmd reader does, the yardstick of
 * bench-report: open a trace.dat, iterate every record of every buffer in
 * time order (tracecmd_iterate_events_multi), count them. Nothing is
 * decoded or printed but the count.
 */
#include <stdio.h>
#include <stdlib.h>

#include <trace-cmd.h>

static int count(struct tracecmd_input *h, struct tep_record *rec, int cpu, void *data)
{
	(*(unsigned long long *)data)++;
	return 0;
}

int main(int argc, char **argv)
{
	struct tracecmd_input *top, **list;
	unsigned long long n = 0;
	int i, nr;

	if (argc != 2) {
		fprintf(stderr, "usage: read-loop FILE\n");
		return 2;
	}
	top = tracecmd_open(argv[1], TRACECMD_FL_LOAD_NO_PLUGINS);
	if (!top) {
		fprintf(stderr, "read-loop: %s: libtracecmd cannot open it\n", argv[1]);
		return 1;
	}
	nr = tracecmd_buffer_instances(top);
	list = calloc(nr + 1, sizeof(*list));
	if (!list)
		return 1;
	list[0] = top;
	for (i = 0; i < nr; i++) {
		list[i + 1] = tracecmd_buffer_instance_handle(top, i);
		if (!list[i + 1]) {
			fprintf(stderr, "read-loop: %s: cannot read buffer %d\n", argv[1], i);
			return 1;
		}
	}
	tracecmd_iterate_events_multi(list, nr + 1, count, &n);
	printf("%llu records\n", n);
	for (i = nr; i >= 1; i--)
		tracecmd_close(list[i]);
	tracecmd_close(top);
	free(list);
	return 0;
}
