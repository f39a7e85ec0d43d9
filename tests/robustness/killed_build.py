#!/usr/bin/env python3
"""A build killed (SIGKILL) at random points never leaves a stage folder that
mixes two builds: after every kill, each stage folder is exactly what one
complete build wrote (its manifest, the templates it names, the zips it lists
with the sha256 and size it gives, nothing else), the old build's or the new
one's. What the kills leave behind (temporary folders) is reported by
`build --check` and removed by the next build.

Two sets of handler programs (shell-script bootstraps carrying a few MB of
random bytes, so that writing the zips takes a while) make two builds of the
same three stages that differ in every zip, every manifest and every template.

usage: killed_build.py LAKEC PROJECT_ROOT [ROUNDS]
"""
import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

LAKEC, ROOT = sys.argv[1], sys.argv[2]
ROUNDS = int(sys.argv[3]) if len(sys.argv) > 3 else 40
STAGES = ["stages/dev.yaml", "stages/qa.yaml", "stages/prod.yaml"]
HANDLERS = ["ingest", "process", "query"]


def make_handlers(folder, seed):
    rng = random.Random(seed)
    for name in HANDLERS:
        os.makedirs(os.path.join(folder, name))
        bootstrap = os.path.join(folder, name, "bootstrap")
        with open(bootstrap, "w") as f:
            f.write("#!/bin/sh\nexec cat data.bin\n")
        os.chmod(bootstrap, 0o755)
        with open(os.path.join(folder, name, "data.bin"), "wb") as f:
            f.write(rng.randbytes(3 << 20))


def lakec(*args, **kw):
    return subprocess.run([LAKEC, *args], cwd=ROOT, capture_output=True, text=True, **kw)


def tree(folder):
    """Every file under folder: relative path -> bytes."""
    files = {}
    for top, dirs, names in os.walk(folder):
        for name in names:
            path = os.path.join(top, name)
            with open(path, "rb") as f:
                files[os.path.relpath(path, folder)] = f.read()
    return files


def temporaries(folder):
    return [os.path.join(top, n) for top, dirs, names in os.walk(folder)
            for n in dirs + names if n.startswith(".lakec-tmp.") or ".tmp." in n]


class KilledBuild(unittest.TestCase):
    def setUp(self):
        self.work = tempfile.mkdtemp(prefix="lakec-killed-")
        self.handlers = [os.path.join(self.work, f"handlers-{v}") for v in "ab"]
        for seed, folder in enumerate(self.handlers):
            make_handlers(folder, seed)
        self.out = os.path.join(self.work, "out")
        # What each complete build writes, stage by stage.
        self.complete = []
        for v, handlers in enumerate(self.handlers):
            ref = os.path.join(self.work, f"ref-{v}")
            r = lakec("build", "-o", ref, "--handlers", handlers, *STAGES)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.complete.append({s: tree(os.path.join(ref, "metrics", s))
                                  for s in ("dev", "qa", "prod")})
        for s in ("dev", "qa", "prod"):
            self.assertNotEqual(self.complete[0][s]["manifest.json"],
                                self.complete[1][s]["manifest.json"])

    def tearDown(self):
        shutil.rmtree(self.work)

    def assert_whole(self, stage, files):
        """files (a stage folder's) are one complete build's, and agree with
        their manifest."""
        manifest = json.loads(files["manifest.json"])
        named = {"manifest.json"} | {s["template"] for s in manifest["stacks"]}
        for asset in manifest["assets"]:
            named.add(asset["file"])
            data = files.get(asset["file"])
            self.assertIsNotNone(data, f"{stage}: {asset['file']} is missing")
            self.assertEqual(len(data), asset["size"], asset["file"])
            self.assertEqual(hashlib.sha256(data).hexdigest(), asset["sha256"], asset["file"])
        self.assertEqual(set(files), named, f"{stage}: files the manifest does not name")
        self.assertIn(files, [c[stage] for c in self.complete], f"{stage}: a mix of two builds")

    def build_duration(self, cache):
        """Seconds of one build without the deflate cache."""
        shutil.rmtree(cache, ignore_errors=True)
        start = time.monotonic()
        r = lakec("build", "-o", self.out, "--handlers", self.handlers[0], *STAGES)
        self.assertEqual(r.returncode, 0, r.stderr)
        return time.monotonic() - start

    def wait_for_temporaries(self, proc, rng):
        """Until the build's temporaries appear (it is writing), then a few
        milliseconds more at random."""
        while proc.poll() is None and not temporaries(self.out):
            time.sleep(0.001)
        time.sleep(rng.uniform(0.0, 0.01))

    def test_a_killed_build_leaves_each_stage_old_or_new(self):
        # Every build below starts without the deflate cache. Its
        # temporaries exist only at its end (the zips are made in memory
        # first): every other kill waits for them to appear, the others land
        # anywhere in the build.
        cache = os.path.join(self.out, ".cache")
        r = lakec("build", "-o", self.out, "--handlers", self.handlers[1], *STAGES)
        self.assertEqual(r.returncode, 0, r.stderr)
        duration = self.build_duration(cache)
        rng = random.Random(1)
        killed_with_leftovers = 0
        for i in range(ROUNDS):
            shutil.rmtree(cache, ignore_errors=True)
            proc = subprocess.Popen([LAKEC, "build", "-o", self.out, "--handlers",
                                     self.handlers[(i + 1) % 2], *STAGES], cwd=ROOT,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if i % 2:
                self.wait_for_temporaries(proc, rng)
            else:
                time.sleep(rng.uniform(0.0, duration))
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            for stage in ("dev", "qa", "prod"):
                self.assert_whole(stage, tree(os.path.join(self.out, "metrics", stage)))
            left = temporaries(self.out)
            killed_with_leftovers += bool(left) and proc.returncode == -signal.SIGKILL
            if left:
                r = lakec("build", "--check", "-o", self.out, "--handlers",
                          self.handlers[(i + 1) % 2], *STAGES)
                self.assertEqual(r.returncode, 1, r.stderr)
                self.assertIn("is left over from an interrupted build; the next build removes it",
                              r.stderr)
        # The kills must have landed while files were being written, some time.
        self.assertGreater(killed_with_leftovers, 0)
        r = lakec("build", "-o", self.out, "--handlers", self.handlers[0], *STAGES)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(temporaries(self.out), [])
        r = lakec("build", "--check", "-o", self.out, "--handlers", self.handlers[0], *STAGES)
        self.assertEqual((r.returncode, r.stderr), (0, ""))
        for stage in ("dev", "qa", "prod"):
            self.assertEqual(tree(os.path.join(self.out, "metrics", stage)),
                             self.complete[0][stage])


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
