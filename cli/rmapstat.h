/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef RMAPSTAT_H
#define RMAPSTAT_H

/* One entry point per subcommand, each in its own file. */
int record_main(int argc, char **argv);
int report_main(int argc, char **argv);
int compare_main(int argc, char **argv);

/* The exit statuses: enum rmapstat_exit of error.h. */
#include "error.h"

#endif
