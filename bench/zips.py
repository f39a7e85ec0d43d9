#!/usr/bin/env python3
"""What the handler zips weigh and how fast their programs start.

Builds the dev stage with the handlers of BUILD_DIR (`lakec build`), then for
each handler zip prints its size, its number of files, its unpacked size and
the newest glibc symbol version its ELF files need (provided.al2023 has
2.34). Then runs each handler's `bootstrap`, unpacked from its zip as Lambda
does, against a fake Runtime API (tests/handlers/fakes.py) that has no event
for it: cold start is the time from the fork (bench/runstat) to the
program's first request for the runtime API's `next` endpoint, that is
loading the program and its libraries and setting up the runtime, with no AWS
call in it. The files are in the page cache (each run is preceded by one not
counted), so the figure leaves out the reading from disk, which on Lambda
grows with what the zip holds.

usage: bench/zips.py [BUILD_DIR] [RUNS] [OTHER_BUILD_DIR]
       (defaults: build, 50; RUNS=1 is a quick check)
OTHER_BUILD_DIR's handlers (a build of another commit, say) are measured too,
each run in turn with BUILD_DIR's, so that both share the machine's load.
"""
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "handlers"))
from fakes import FakeRuntimeApi  # noqa: E402

BUILD = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build"))
RUNS = int(sys.argv[2]) if len(sys.argv) > 2 else 50
RUNSTAT = os.path.join(BUILD, "bench", "runstat")
LAKEC = os.path.join(BUILD, "lakec")
PROJECT, STAGE = "metrics", "dev"  # templates/metrics-lake.yaml, stages/dev.yaml


def newest_glibc(paths):
    """The newest GLIBC_2.x symbol version that the ELF files among paths need."""
    newest = (0, 0)
    for path in paths:
        with open(path, "rb") as f:
            if f.read(4) != b"\x7fELF":
                continue
        out = subprocess.run(["objdump", "-T", path], capture_output=True, text=True).stdout
        for major, minor in re.findall(r"GLIBC_(\d+)\.(\d+)", out):
            newest = max(newest, (int(major), int(minor)))
    return "%d.%d" % newest if newest != (0, 0) else "-"


def cold_start(bootstraps, runs):
    """For each program: median and p95 ms from fork to the first `next`, and
    the peak RSS. The programs take turns, so that they share the machine's
    load alike."""
    env = {"PATH": "/usr/bin:/bin", "AWS_REGION": "us-east-1",
           "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
           "AWS_ENDPOINT_URL": "http://127.0.0.1:9", "SERVICE_NAME": "metris_api",
           "LAKEC_BUCKET_DATA": "b", "LAKEC_CRAWLER_PROCESSED": "c", "LAKEC_DATABASE": "d",
           "LAKEC_WORKGROUP": "w", "LAKEC_CORS_ORIGINS": "*"}
    times, rss = [[] for _ in bootstraps], [0 for _ in bootstraps]
    for i in range(runs + 1):
        for n, bootstrap in enumerate(bootstraps):
            api = FakeRuntimeApi([])  # no event: the program leaves at its first `next`
            env["AWS_LAMBDA_RUNTIME_API"] = api.address
            try:
                out = subprocess.run([RUNSTAT, "--any-status", "1", bootstrap], env=env,
                                     capture_output=True, text=True, timeout=60)
            finally:
                api.stop()
            if out.returncode != 0 or api.first_next is None:
                raise RuntimeError(f"{bootstrap} never asked for an event: {out.stdout} {out.stderr}")
            _, _, kib, started = out.stdout.split()
            if i:  # the first run only fills the page cache
                times[n].append((api.first_next - float(started) / 1000) * 1000)
                rss[n] = max(rss[n], int(kib))
    figures = []
    for n, t in enumerate(times):
        t.sort()
        figures.append((statistics.median(t), t[min(len(t) - 1, int(len(t) * 0.95))], rss[n]))
    return figures


def zips(build, work):
    """Packages the stage with the handlers of build; for each handler its
    name, figures and unpacked bootstrap."""
    out = os.path.join(work, "out")
    env = dict(os.environ, LAKEC_HANDLERS=os.path.join(build, "handlers"))
    subprocess.run([LAKEC, "build", "-o", out, os.path.join(ROOT, "stages", f"{STAGE}.yaml")],
                   env=env, check=True, stdout=subprocess.DEVNULL)
    stage = os.path.join(out, PROJECT, STAGE)
    with open(os.path.join(stage, "manifest.json")) as f:
        assets = sorted(json.load(f)["assets"], key=lambda a: a["handler"])
    rows = []
    for asset in assets:
        unpacked = os.path.join(work, asset["handler"])
        path = os.path.join(stage, asset["file"])
        with zipfile.ZipFile(path) as z:
            infos = [i for i in z.infolist() if not i.is_dir()]
            z.extractall(unpacked)
            for i in infos:  # zipfile drops the mode bits; the bootstrap needs its x
                os.chmod(os.path.join(unpacked, i.filename), (i.external_attr >> 16) & 0o777)
        files = [os.path.join(unpacked, i.filename) for i in infos]
        rows.append((asset["handler"], os.path.getsize(path), len(infos),
                     sum(i.file_size for i in infos), newest_glibc(files),
                     os.path.join(unpacked, "bootstrap")))
    return rows


def main():
    builds = [BUILD] + [os.path.abspath(b) for b in sys.argv[3:4]]
    if not (os.access(RUNSTAT, os.X_OK) and os.access(LAKEC, os.X_OK)):
        sys.exit(f"build first: cmake --build {BUILD}")
    with tempfile.TemporaryDirectory() as work:
        tables = [zips(b, os.path.join(work, str(n))) for n, b in enumerate(builds)]
        print(f"handler zips of stages/{STAGE}.yaml, cold start over {RUNS} runs each")
        for handlers in zip(*tables):  # one handler of each build, measured in turns
            figures = cold_start([h[5] for h in handlers], RUNS)
            for table, h, measured in zip(tables, handlers, figures):
                table[table.index(h)] = h + measured
        for build, table in zip(builds, tables):
            if len(builds) > 1:
                print(f"\n{os.path.relpath(build, ROOT)}:")
            print(f"{'handler':<10}{'zip bytes':>11}{'files':>7}{'unpacked bytes':>16}{'glibc':>7}"
                  f"{'cold start ms':>15}{'p95 ms':>8}{'peak RSS KiB':>14}")
            for name, size, count, raw, glibc, _, median, p95, rss in table:
                print(f"{name:<10}{size:>11}{count:>7}{raw:>16}{glibc:>7}"
                      f"{median:>15.2f}{p95:>8.2f}{rss:>14}")
            print(f"{'all':<10}{sum(r[1] for r in table):>11}{sum(r[2] for r in table):>7}"
                  f"{sum(r[3] for r in table):>16}")


if __name__ == "__main__":
    started = time.monotonic()
    main()
    print(f"({time.monotonic() - started:.1f} s)")
