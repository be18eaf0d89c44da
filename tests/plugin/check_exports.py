# SPDX-License-Identifier: GPL-2.0-only
"""check_exports.py PLUGIN.so: the plugin defines no dynamic symbol but
tep_plugin_loader and tep_plugin_unloader. libtraceevent loads plugins with
RTLD_GLOBAL, so any other global symbol (a helper, the pairing engine)
could clash with another plugin or with the program."""
import shutil
import subprocess
import sys

nm = shutil.which("nm")
if not nm:
    print("SKIP: nm is not installed (apt-get install binutils)")
    sys.exit(77)
out = subprocess.run([nm, "-D", "--defined-only", sys.argv[1]], check=True,
                     stdout=subprocess.PIPE).stdout.decode()
syms = sorted(line.split()[-1] for line in out.splitlines() if line.strip())
want = ["tep_plugin_loader", "tep_plugin_unloader"]
if syms != want:
    print("FAIL: %s exports %s, want only %s" % (sys.argv[1], syms, want))
    sys.exit(1)
print("ok   exports: %s" % " ".join(syms))
