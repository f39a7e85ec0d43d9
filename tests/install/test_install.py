#!/usr/bin/env python3
"""cmake --install into a temporary prefix, then the installed lakec at work.

The install must hold bin/lakec, share/lakec/handlers/<program>/bootstrap for
every program of the build, and share/lakec/lakec.schema.json; the installed
lakec (nothing but PATH pointing at it, LAKEC_HANDLERS unset) must find its
handlers there and package every shipped stage, with the same zips as the
build folder's lakec. In a sanitized build the handlers cannot be packaged
(tests/package), so there the stages are built with --no-package.

usage: test_install.py CMAKE BUILD_DIR PROJECT_ROOT
"""
import filecmp
import glob
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

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


if __name__ == "__main__":
    unittest.main(verbosity=2)
