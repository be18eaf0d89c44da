#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Write lab.json, the settings of a ./run-lab run, which labdata.Lab reads.

  python3 lab/report/settings.py FILE KERNELS UPSTREAM PAGES REPEAT TRIGGER QUICK \\
          RMAPSTAT_VERSION STARTED COMMAND LOADAVG_START [VMAS RECORD]...

KERNELS is comma-separated, UPSTREAM a kernel or "none", QUICK 1 or 0; each VMAS RECORD pair is a point
of the KSM sweep and the record that measured it. The load average at the
end is read here, when the measurements are done.
"""

import json
import os
import sys


def main():
    if len(sys.argv) < 12 or len(sys.argv) % 2 == 1:
        sys.exit("usage: lab/report/settings.py FILE KERNELS UPSTREAM PAGES REPEAT TRIGGER "
                 "QUICK RMAPSTAT_VERSION STARTED COMMAND LOADAVG_START [VMAS RECORD]...")
    f, kernels, upstream, pages, repeat, trigger, quick, version, started, command, load0, \
        *sw = sys.argv[1:]
    sweep = [{"vmas": int(sw[i]), "record": sw[i + 1]} for i in range(0, len(sw), 2)]
    with open("/proc/loadavg") as la:
        load1 = " ".join(la.read().split()[:3])
    with open(f, "w") as out:
        json.dump({"kernels": kernels.split(","),
                   "upstream": None if upstream == "none" else upstream, "pages": int(pages), "repeat": int(repeat),
                   "trigger": trigger, "quick": quick == "1", "sweep": sweep,
                   "rmapstat": version, "started": started, "command": command,
                   "host_cpus": os.cpu_count(), "loadavg_start": load0, "loadavg_end": load1},
                  out, indent=1)
        out.write("\n")


if __name__ == "__main__":
    main()
