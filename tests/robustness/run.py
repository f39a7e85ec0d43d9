#!/usr/bin/env python3
"""Hostile and odd input, made on the fly: every case must end with exit 1
and a diagnostic (or, for harmless oddities, build the same template as the
plain file), never a crash, a hang or a huge allocation. ctest's timeout
bounds the time; the ASan build of the suite checks memory.

usage: run.py LAKEC PROJECT_ROOT
"""
import os
import random
import shutil
import subprocess
import sys
import tempfile
import unittest

LAKEC, ROOT = sys.argv[1], sys.argv[2]
HEAD = b"lakec: 1\nproject: demo\nstage: dev\n"


class Robustness(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="lakec-robust-")

    def tearDown(self):
        shutil.rmtree(self.dir)

    def run_on(self, name, data, *extra):
        path = os.path.join(self.dir, name)
        with open(path, "wb") as f:
            f.write(data)
        env = dict(os.environ, NO_COLOR="1")
        return subprocess.run([LAKEC, *extra, path], capture_output=True, env=env, timeout=60)

    def assert_error(self, name, data, code):
        r = self.run_on(name, data, "validate")
        self.assertEqual(r.returncode, 1, r.stderr.decode(errors="replace")[-500:])
        self.assertIn(f"[{code}]".encode(), r.stderr)
        self.assertNotIn(b"Sanitizer", r.stderr)

    def test_file_over_the_size_limit(self):
        self.assert_error("huge.yaml", HEAD + b"# " + b"x" * (5 << 20) + b"\n", "LK003")

    def test_billion_laughs(self):
        lines = [b"a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
        for i in range(1, 12):
            refs = b", ".join([b"*a%d" % (i - 1)] * 9)
            lines.append(b"a%d: &a%d [%s]" % (i, i, refs))
        self.assert_error("laughs.yaml", HEAD + b"vars:\n" + b"\n".join(b"  " + l for l in lines) + b"\n",
                          "LK003")

    def test_deep_nesting(self):
        self.assert_error("deep.yaml", HEAD + b"vars: " + b"[" * 10000 + b"]" * 10000 + b"\n", "LK003")

    def test_random_binary(self):
        rng = random.Random(20261122)
        for i in range(20):
            data = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 4096)))
            r = self.run_on(f"binary{i}.yaml", data, "validate")
            self.assertEqual(r.returncode, 1)
            self.assertRegex(r.stderr, rb"error: .*\[LK0\d\d\]")

    def test_utf16_is_refused(self):
        self.assert_error("utf16.yaml", "\ufeff".encode("utf-16-le") + HEAD.decode().encode("utf-16-le"),
                          "LK004")

    def test_nul_byte(self):
        self.assert_error("nul.yaml", HEAD + b"tags: {a: b\x00c}\n", "LK004")

    def test_empty_and_blank(self):
        self.assert_error("empty.yaml", b"", "LK005")
        self.assert_error("blank.yaml", b"\n\n   \n# comment\n", "LK005")

    def test_very_long_line(self):
        r = self.run_on("long.yaml", HEAD + b"vars:\n  long: " + b"y" * 1_000_000 +
                        b"\nbuckets: {data: {name: long-data-dev}}\n", "validate")
        self.assertEqual(r.returncode, 0, r.stderr[-300:])
        # YAML limits plain keys to 1024 characters: a syntax error, quoted in a window.
        r = self.run_on("longbad.yaml", HEAD + b"bucket" + b"s" * 100_000 + b": 1\n", "validate")
        self.assertEqual(r.returncode, 1)
        self.assertIn(b"[LK001]", r.stderr)
        self.assertLess(len(r.stderr), 2000)
        self.assertIn(b"...sssss", r.stderr)

    def test_many_errors_are_capped_in_text(self):
        data = HEAD + b"".join(b"unknown%d: 1\n" % i for i in range(5000))
        r = self.run_on("many.yaml", data, "validate")
        self.assertEqual(r.returncode, 1)
        self.assertEqual(r.stderr.count(b"error: unknown key"), 50)
        self.assertIn(b"4950 more errors not shown (--max-errors=50)", r.stderr)
        self.assertIn(b"5000 errors generated.", r.stderr)
        r = self.run_on("many.yaml", data, "validate", "--max-errors", "0")
        self.assertEqual(r.stderr.count(b"error: unknown key"), 5000)

    def test_crlf_and_bom_build_the_same_template(self):
        out = {}
        with open(os.path.join(ROOT, "stages", "dev.yaml"), "rb") as f:
            plain = f.read()
        template = os.path.join(ROOT, "templates")
        for name, data in (("lf", plain), ("crlf", plain.replace(b"\n", b"\r\n")),
                           ("bom", b"\xef\xbb\xbf" + plain.replace(b"\n", b"\r\n"))):
            stage_dir = os.path.join(self.dir, name, "stages")
            os.makedirs(stage_dir)
            shutil.copytree(template, os.path.join(self.dir, name, "templates"))
            with open(os.path.join(stage_dir, "dev.yaml"), "wb") as f:
                f.write(data)
            r = subprocess.run([LAKEC, "build", "--no-package", "-o", os.path.join(self.dir, name, "out"),
                                os.path.join(stage_dir, "dev.yaml")], capture_output=True, timeout=60)
            self.assertEqual(r.returncode, 0, r.stderr)
            with open(os.path.join(self.dir, name, "out", "metrics", "dev", "metrics-dev.template.json"), "rb") as f:
                out[name] = f.read()
        self.assertEqual(out["lf"], out["crlf"])
        self.assertEqual(out["lf"], out["bom"])


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
