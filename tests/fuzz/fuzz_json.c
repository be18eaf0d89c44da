// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target: one input is one report JSON file as `rmapstat compare`
 * reads it. The JSON reader (lib/output/json_read.c: its checks of the
 * bytes, then json-c), the report JSON loader (rs_metric_set_from_json),
 * the grouping taken from it, and the comparison of the loaded set with
 * itself and with an empty set, in both output formats.
 *
 * The input is handed over in a buffer of exactly its size, without a
 * terminating NUL: the reader must stay inside (text, len).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "fuzz_compare.h"
#include "group.h"
#include "json_read.h"
#include "output.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *devnull;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rs_metric_set set, empty;
	struct rs_group_spec spec;
	struct json_object *root;
	struct rs_error err;
	char why[128], by[128];
	char *text;
	int ret;

	if (!devnull) {
		devnull = fopen("/dev/null", "w");
		if (!devnull)
			abort();
	}
	text = malloc(size ? size : 1);
	if (!text)
		abort();
	memcpy(text, data, size);

	why[0] = '\0';
	ret = rs_json_read(text, size, &root, why, sizeof(why));
	if (!ret) {
		json_object_object_get_ex(root, RS_KEY_SCHEMA, NULL);
		json_object_put(root);
	} else if (ret != -ENOMEM && (ret != -EINVAL || !why[0])) {
		fprintf(stderr, "rs_json_read: %d without a reason ('%s')\n", ret, why);
		abort();
	}

	if (!rs_metric_set_from_json(&set, "fuzz.json", text, size, &err)) {
		/*
		 * `rmapstat compare` puts the grouping into one-line messages:
		 * a loaded set has a grouping rmapstat knows, or none ("?").
		 */
		if (!rs_group_spec_parse(set.by, &spec)) {
			rs_group_spec_format(&spec, by, sizeof(by));
		} else if (strcmp(set.by, "?")) {
			fprintf(stderr, "unknown grouping loaded: '%s'\n", set.by);
			abort();
		}
		memset(&empty, 0, sizeof(empty));
		empty.origin = "empty";
		empty.by = set.by;
		empty.source = "none";
		fuzz_compare(devnull, &set, &set, NULL, 5, RS_UNIT_MS);
		fuzz_compare(devnull, &set, &empty, NULL, 5, RS_UNIT_MS);
		fuzz_compare(devnull, &empty, &set, NULL, 5, RS_UNIT_MS);
		if (set.n)
			fuzz_compare(devnull, &set, &set, set.g[set.n - 1].name, 5, RS_UNIT_MS);
		rs_metric_set_free(&set);
	} else if (!err.what[0] || strchr(err.what, '\n') || strchr(err.fix, '\n')) {
		fprintf(stderr, "bad error message: '%s' (%s)\n", err.what, err.fix);
		abort();
	}
	free(text);
	return 0;
}
