/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The JSON schemas of rmapstat (Documentation/json-schema.md): the names
 * and versions of the formats and every member name, for the writers
 * (report_json.c, compare_out.c) and the reader of report JSON
 * (lib/report/compare.c) alike, so that what is written is what is read.
 *
 * A name that appears in more than one object (file, walks, no_end ...)
 * is one macro: it means the same in each.
 */
#ifndef RS_SCHEMA_H
#define RS_SCHEMA_H

#define RS_REPORT_SCHEMA		"rmapstat-report"
#define RS_REPORT_SCHEMA_VERSION	3
/*
 * The oldest report version compare reads: what it reads (group_by,
 * source, the groups' names, counts and durations) has not changed since.
 */
#define RS_REPORT_SCHEMA_VERSION_MIN	1
#define RS_COMPARE_SCHEMA		"rmapstat-compare"
#define RS_COMPARE_SCHEMA_VERSION	1

/* Both documents: what they are */
#define RS_KEY_SCHEMA			"schema"
#define RS_KEY_VERSION			"version"
#define RS_KEY_GENERATOR		"generator"
#define RS_KEY_UNIT			"unit"

/* rmapstat-report: the document */
#define RS_KEY_GROUP_BY			"group_by"
#define RS_KEY_SOURCE			"source"
#define RS_KEY_UNAVAILABLE		"unavailable"
#define RS_KEY_PERCENTILES		"percentiles"
#define RS_KEY_METHOD			"method"
#define RS_KEY_EXACT_UP_TO		"exact_up_to"
#define RS_KEY_HISTOGRAM		"histogram"
#define RS_KEY_MAX_RELATIVE_ERROR	"max_relative_error"
#define RS_KEY_TRACES			"traces"
#define RS_KEY_TOTALS			"totals"
#define RS_KEY_GROUPS			"groups"
#define RS_KEY_TOP			"top"

/* rmapstat-report: TRACE and its buffers */
#define RS_KEY_FILE			"file"
#define RS_KEY_FORMATS			"formats"
#define RS_KEY_CLOCK			"clock"
#define RS_KEY_KERNEL			"kernel"
#define RS_KEY_PROBES			"probes"
#define RS_KEY_TRACE_CMD_VERSION	"trace_cmd_version"
#define RS_KEY_FILE_VERSION		"file_version"
#define RS_KEY_CPUS			"cpus"
#define RS_KEY_RECORDS			"records"
#define RS_KEY_WALK_EVENTS		"walk_events"
#define RS_KEY_UNDECODABLE_EVENTS	"undecodable_events"
#define RS_KEY_PURPOSE_MISSES		"purpose_misses"
#define RS_KEY_FIRST_TS			"first_ts"
#define RS_KEY_LAST_TS			"last_ts"
#define RS_KEY_BUFFERS			"buffers"
#define RS_KEY_NAME			"name"
#define RS_KEY_PAIRING			"pairing"

/* rmapstat-report: COUNTERS (totals, pairing) and a group's unmatched */
#define RS_KEY_WALKS			"walks"
#define RS_KEY_NESTED			"nested"
#define RS_KEY_NO_END			"no_end"
#define RS_KEY_SUPERSEDED		"superseded"
#define RS_KEY_NO_START			"no_start"
#define RS_KEY_LOST			"lost"
#define RS_KEY_LOST_WALKS		"lost_walks"
#define RS_KEY_LOST_MARKERS		"lost_markers"
#define RS_KEY_LOST_EVENTS		"lost_events"
#define RS_KEY_LOST_UNKNOWN_MARKERS	"lost_unknown_markers"
#define RS_KEY_MAX_IN_FLIGHT		"max_in_flight"
#define RS_KEY_VISITS			"visits"
#define RS_KEY_VISITS_OUTSIDE		"visits_outside"
#define RS_KEY_VISITS_INCOMPLETE	"visits_incomplete"

/* rmapstat-report: GROUP; the durations are the metrics of compare.h */
#define RS_KEY_KEY			"key"
#define RS_KEY_COUNT			"count"
#define RS_KEY_MIN_NS			"min_ns"
#define RS_KEY_MEAN_NS			"mean_ns"
#define RS_KEY_STDDEV_NS		"stddev_ns"
#define RS_KEY_P50_NS			"p50_ns"
#define RS_KEY_P90_NS			"p90_ns"
#define RS_KEY_P99_NS			"p99_ns"
#define RS_KEY_P99_9_NS			"p99_9_ns"
#define RS_KEY_MAX_NS			"max_ns"
#define RS_KEY_TOTAL_NS			"total_ns"
#define RS_KEY_PERCENTILES_EXACT	"percentiles_exact"
#define RS_KEY_WORK			"work"
#define RS_KEY_VISITED			"visited"
#define RS_KEY_RMAP_ONE			"rmap_one"
#define RS_KEY_VISITED_PER_WALK		"visited_per_walk"
#define RS_KEY_RMAP_ONE_PER_WALK	"rmap_one_per_walk"
#define RS_KEY_VISITED_PER_RMAP_ONE	"visited_per_rmap_one"
#define RS_KEY_WALKS_ORDER0		"walks_order0"
#define RS_KEY_SHORT_WALKS		"short_walks"
#define RS_KEY_UNMATCHED		"unmatched"
#define RS_KEY_BUCKETS			"buckets"
#define RS_KEY_LOW			"low"
#define RS_KEY_HIGH			"high"

/* rmapstat-report: a group's key, and WALK (top) */
#define RS_KEY_KIND			"kind"
#define RS_KEY_PURPOSE			"purpose"
#define RS_KEY_PID			"pid"
#define RS_KEY_CPU			"cpu"
#define RS_KEY_COMM			"comm"
#define RS_KEY_START_NS			"start_ns"
#define RS_KEY_END_NS			"end_ns"
#define RS_KEY_DURATION_NS		"duration_ns"
#define RS_KEY_START_CPU		"start_cpu"
#define RS_KEY_END_CPU			"end_cpu"
#define RS_KEY_PFN			"pfn"
#define RS_KEY_RWC			"rwc"
#define RS_KEY_FOLIO			"folio"
#define RS_KEY_FUNC			"func"
#define RS_KEY_LOCKED			"locked"
#define RS_KEY_MAPCOUNT			"mapcount"
#define RS_KEY_NR_PAGES			"nr_pages"
#define RS_KEY_NR_VISITED		"nr_visited"
#define RS_KEY_NR_RMAP_ONE		"nr_rmap_one"

/* rmapstat-report: waits (blocked behind walks) and victims */
#define RS_KEY_WAITS			"waits"
#define RS_KEY_PROOF			"proof"
#define RS_KEY_COUNTERS			"counters"
#define RS_KEY_WAITERS			"waiters"
#define RS_KEY_DIRECT			"direct"
#define RS_KEY_INDIRECT			"indirect"
#define RS_KEY_COLLATERAL		"collateral"
#define RS_KEY_STATUS			"status"
#define RS_KEY_WAITS_DIRECT		"waits_direct"
#define RS_KEY_WAITS_INDIRECT		"waits_indirect"
#define RS_KEY_TASKS			"tasks"
#define RS_KEY_DIRECT_NS		"direct_ns"
#define RS_KEY_INDIRECT_NS		"indirect_ns"
#define RS_KEY_VICTIMS			"victims"
#define RS_KEY_THREADS			"threads"
#define RS_KEY_OPS			"ops"
#define RS_KEY_OP			"op"
#define RS_KEY_FAILED			"failed"
#define RS_KEY_UNALIGNED		"unaligned"
#define RS_KEY_BLOCKED			"blocked"
#define RS_KEY_OF_NS			"of_ns"

/* rmapstat-compare */
#define RS_KEY_BASE			"base"
#define RS_KEY_NEW			"new"
#define RS_KEY_THRESHOLD_PCT		"threshold_pct"
#define RS_KEY_METRICS			"metrics"
#define RS_KEY_ROWS			"rows"
#define RS_KEY_GROUP			"group"
#define RS_KEY_METRIC			"metric"
#define RS_KEY_RATIO			"ratio"
#define RS_KEY_CHANGE_PCT		"change_pct"
#define RS_KEY_RESULT			"result"
#define RS_KEY_REGRESSIONS		"regressions"

#endif
