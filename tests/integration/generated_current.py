#!/usr/bin/env python3
"""The tables generated from cfn-lint's resource schemas are what their
generators write now: a committed table that someone edited by hand, or one
left behind after an upgrade of cfn-lint, fails here (rerun the generator,
as its first line says, and review the difference).

usage: generated_current.py PROJECT_ROOT
"""
import difflib
import os
import subprocess
import sys

ROOT = sys.argv[1]
# generator -> the file it writes
TABLES = {
    "tools/gen_replace_table.py": "src/replace_table.c",
    "tools/gen_cfn_spec.py": "src/cfnspec_table.c",
}


def stale(generator, table):
    """The first lines of the difference, or None when the table is current."""
    fresh = subprocess.run([sys.executable, os.path.join(ROOT, generator)], check=True,
                           capture_output=True, text=True).stdout
    with open(os.path.join(ROOT, table), encoding="utf-8") as f:
        committed = f.read()
    if fresh == committed:
        return None
    diff = difflib.unified_diff(committed.splitlines(), fresh.splitlines(), table,
                                f"{generator} now", lineterm="", n=1)
    return "\n".join(line for _, line in zip(range(20), diff))


def main():
    failures = 0
    for generator, table in TABLES.items():
        difference = stale(generator, table)
        if difference is None:
            print(f"{table}: current")
            continue
        failures += 1
        print(f"{table} is not what {generator} writes now:\n{difference}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
