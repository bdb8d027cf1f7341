"""Run a Python script (or a command) and record what this process read and its peak memory.

    python bench/probe.py OUT.json script path/to/script.py [args...]
    python bench/probe.py OUT.json exec cmd [args...]

`/proc/self/io` counts this process plus the children it reaped (git, sha256sum); VmHWM is the peak
resident set of this process; for `exec` the children's peak (getrusage) is reported instead.
Standard library only, imported lazily, so the cold start of the script is not slowed down.
"""

import sys


def _io() -> dict:
    out = {}
    with open("/proc/self/io") as fh:
        for line in fh:
            k, _, v = line.partition(":")
            out[k.strip()] = int(v)
    return out


def _hwm_kb() -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def main() -> int:
    out, mode, rest = sys.argv[1], sys.argv[2], sys.argv[3:]
    code = 0
    if mode == "script":
        import os
        import runpy

        sys.argv = rest
        sys.path[0] = os.path.dirname(os.path.abspath(rest[0]))
        try:
            runpy.run_path(rest[0], run_name="__main__")
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        peak_kb = _hwm_kb()
    else:
        import resource
        import subprocess

        code = subprocess.call(rest)
        peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    import json

    with open(out, "w") as fh:
        json.dump({"io": _io(), "peak_rss_kb": peak_kb, "exit": code}, fh)
    return code


if __name__ == "__main__":
    sys.exit(main())
