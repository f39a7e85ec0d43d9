#!/usr/bin/env python3
"""cmake --install into a temporary prefix, then the installed lakec at work.

The install must hold bin/lakec, share/lakec/handlers/<program>/bootstrap for
every program of the build, and share/lakec/lakec.schema.json; the installed
lakec (nothing but PATH pointing at it, LAKEC_HANDLERS unset) must find its
handlers there and package every shipped stage, with the same zips as the
build folder's lakec. In a sanitized build the handlers cannot be packaged
(tests/package), so there the stages are built with --no-package.

Then the README's "Your own handler" guide: examples/hello-handler is built
with CMake against the installed runtime library (find_package), run locally
with `bootstrap --event FILE`, and packaged by the installed `lakec build`
through `code:` (twice: the same bytes). Not in a sanitized build, whose
runtime library needs the sanitizer runtimes.

usage: test_install.py CMAKE BUILD_DIR PROJECT_ROOT
"""
import filecmp
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
import zipfile

CMAKE, BUILD, ROOT = sys.argv[1], os.path.abspath(sys.argv[2]), os.path.abspath(sys.argv[3])
del sys.argv[1:4]
SANITIZED = os.environ.get("LAKEC_TEST_SANITIZED") == "1"
STAGES = sorted(glob.glob("stages/*.yaml", root_dir=ROOT) + glob.glob("stages/*/*.yaml", root_dir=ROOT))


class Installed(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.prefix = tempfile.mkdtemp(prefix="lakec-install-")
        r = subprocess.run([CMAKE, "--install", BUILD, "--prefix", cls.prefix],
                           capture_output=True, text=True)
        if r.returncode != 0:
            raise AssertionError("cmake --install failed: " + r.stderr)
        cls.env = dict(os.environ, NO_COLOR="1",
                       PATH=os.path.join(cls.prefix, "bin") + os.pathsep + "/usr/bin:/bin")
        cls.env.pop("LAKEC_HANDLERS", None)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.prefix)

    def lakec(self, *args, cwd=ROOT):
        return subprocess.run(["lakec"] + list(args), cwd=cwd, env=self.env, capture_output=True,
                              text=True)

    def test_installs_lakec_handlers_and_schema(self):
        self.assertTrue(os.access(os.path.join(self.prefix, "bin", "lakec"), os.X_OK))
        programs = sorted(os.listdir(os.path.join(BUILD, "handlers")))
        self.assertIn("ingest", programs)
        installed = os.path.join(self.prefix, "share", "lakec", "handlers")
        self.assertEqual(sorted(os.listdir(installed)), programs)
        for p in programs:
            bootstrap = os.path.join(installed, p, "bootstrap")
            self.assertTrue(os.access(bootstrap, os.X_OK), bootstrap)
            self.assertTrue(filecmp.cmp(bootstrap, os.path.join(BUILD, "handlers", p, "bootstrap"),
                                        shallow=False), p)
        self.assertTrue(filecmp.cmp(os.path.join(self.prefix, "share", "lakec", "lakec.schema.json"),
                                    os.path.join(ROOT, "schema", "lakec.schema.json"), shallow=False))

    def test_installed_lakec_builds_the_shipped_stages(self):
        self.assertGreater(len(STAGES), 3)
        with tempfile.TemporaryDirectory() as out:
            flags = ["--no-package"] if SANITIZED else []
            r = self.lakec("build", *flags, "-o", out, *STAGES)
            self.assertEqual(r.returncode, 0, r.stderr)
            zips = glob.glob(os.path.join(out, "*", "*", "assets", "*.zip"))
            if SANITIZED:
                self.assertEqual(zips, [])
                return
            self.assertTrue(zips)
            with tempfile.TemporaryDirectory() as ref:  # the build folder's lakec, same zips
                e = dict(self.env)
                r = subprocess.run([os.path.join(BUILD, "lakec"), "build", "-o", ref, *STAGES],
                                   cwd=ROOT, env=e, capture_output=True, text=True)
                self.assertEqual(r.returncode, 0, r.stderr)
                for z in zips:
                    self.assertTrue(filecmp.cmp(z, os.path.join(ref, os.path.relpath(z, out)),
                                                shallow=False), z)

    @unittest.skipIf(SANITIZED, "the sanitized runtime library links only with the sanitizers")
    def test_own_handler_built_against_the_installed_library(self):
        example = os.path.join(ROOT, "examples", "hello-handler")
        with tempfile.TemporaryDirectory() as work:
            project = os.path.join(work, "hello")
            shutil.copytree(example, project)
            build = os.path.join(project, "build")
            for args in (["-S", project, "-B", build, "-DCMAKE_PREFIX_PATH=" + self.prefix],
                         ["--build", build]):
                r = subprocess.run([CMAKE] + args, capture_output=True, text=True)
                self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            bootstrap = os.path.join(build, "code", "bootstrap")
            env = dict(self.env, AWS_REGION="us-east-1", AWS_ACCESS_KEY_ID="testing",
                       AWS_SECRET_ACCESS_KEY="testing")
            r = subprocess.run([bootstrap, "--event", os.path.join(project, "event.json")],
                               env=env, capture_output=True, text=True)
            self.assertEqual((r.returncode, json.loads(r.stdout)), (0, {"greeting": "hello, lakec"}),
                             r.stderr)
            bad = os.path.join(work, "bad.json")
            with open(bad, "w") as f:
                f.write("{}")
            r = subprocess.run([bootstrap, "--event", bad], env=env, capture_output=True, text=True)
            self.assertEqual(r.returncode, 1)
            self.assertEqual(json.loads(r.stdout)["errorType"], "InvalidEvent")
            zips = []
            for out in ("out1", "out2"):
                r = self.lakec("build", "--root", project, "-o", out, "hello.yaml", cwd=project)
                self.assertEqual(r.returncode, 0, r.stderr)
                with open(os.path.join(project, out, "hello", "dev", "manifest.json")) as f:
                    [asset] = json.load(f)["assets"]
                self.assertEqual((asset["kind"], asset["runtime"]), ("code", "provided.al2023"))
                with open(os.path.join(project, out, "hello", "dev", asset["file"]), "rb") as f:
                    zips.append(f.read())
                with zipfile.ZipFile(os.path.join(project, out, "hello", "dev", asset["file"])) as z:
                    self.assertEqual(z.namelist(), ["bootstrap"])
                    with open(bootstrap, "rb") as f:
                        self.assertEqual(z.read("bootstrap"), f.read())
            self.assertEqual(zips[0], zips[1])


if __name__ == "__main__":
    unittest.main(verbosity=2)
