// SPDX-License-Identifier: GPL-2.0-only
#include "op_marker.h"
#include "walk_event.h"

const char *rs_enum_name(const char * const *names, unsigned int nr,
			 unsigned int value, const char *fallback)
{
	return value < nr ? names[value] : fallback;
}

const char *rs_kind_name(enum rs_kind kind)
{
	static const char * const names[RS_KIND_NR] = {
		[RS_KIND_KSM] = "KSM", [RS_KIND_ANON] = "ANON",
		[RS_KIND_FILE] = "FILE", [RS_KIND_UNKNOWN] = "unknown",
	};

	return rs_enum_name(names, RS_KIND_NR, kind, "unknown");
}

const char *rs_func_name(enum rs_func func)
{
#define FUNC_NAME(id, fn)	[RS_FUNC_##id] = #fn,
	static const char * const names[RS_FUNC_NR] = {
		[RS_FUNC_NONE] = "",
		RS_WALK_FUNCS(FUNC_NAME)
	};
#undef FUNC_NAME

	return rs_enum_name(names, RS_FUNC_NR, func, "");
}

enum rs_kind rs_kind_from_mapping(uint64_t mapping)
{
	if ((mapping & 3) == 3)
		return RS_KIND_KSM;
	if (mapping & 1)
		return RS_KIND_ANON;
	return mapping ? RS_KIND_FILE : RS_KIND_UNKNOWN;
}

enum rs_kind rs_func_kind(enum rs_func func)
{
	switch (func) {
	case RS_FUNC_RMAP_WALK_KSM:
		return RS_KIND_KSM;
	case RS_FUNC_RMAP_WALK_ANON:
		return RS_KIND_ANON;
	case RS_FUNC_RMAP_WALK_FILE:
		return RS_KIND_FILE;
	default:
		return RS_KIND_UNKNOWN;
	}
}

const char *rs_op_name(unsigned int op)
{
	static const char * const names[RS_OP_NR] = {
		[RS_OP_MPROTECT] = "mprotect", [RS_OP_MUNMAP] = "munmap",
		[RS_OP_MMAP] = "mmap", [RS_OP_FAULT] = "fault", [RS_OP_FORK] = "fork",
	};

	return rs_enum_name(names, RS_OP_NR, op, "?");
}
