#!/usr/bin/env python3
"""A function's own code (`code:`): what `lakec build` packages and refuses.

A small project is made in a temporary folder: a python function whose code is
a directory, a node function whose code is a .zip made here, and a C function
on provided.al2023 whose bootstrap this test compiles with the system's cc.
The zips are read with Python's zipfile (names, order, modes, timestamps,
bytes), two builds are compared byte for byte, and the template's Runtime and
Handler and the manifest's entries are checked. Then the refusals that only
`build` can see: a provided.* code without bootstrap, or built for another CPU.

usage: test_code.py LAKEC
"""
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import unittest
import zipfile

LAKEC = os.path.abspath(sys.argv[1])
del sys.argv[1:2]

HOST_ARCH = "arm64" if platform.machine() in ("aarch64", "arm64") else "x86_64"
OTHER_ARCH = "x86_64" if HOST_ARCH == "arm64" else "arm64"

STAGE = """lakec: 1
project: own
stage: dev
region: us-east-1
functions:
  hello:
    code: ../src/hello
    runtime: python3.13
    handler: app.main
  web:
    code: ../src/web.zip
    runtime: nodejs22.x
    handler: index.handler
  native:
    code: ../src/native
    runtime: provided.al2023
{extra}"""

C_HANDLER = r"""
#include <stdio.h>
int main(void) { puts("hello from C"); return 0; }
"""


def lakec(*args, cwd):
    e = dict(os.environ, NO_COLOR="1")
    e.pop("LAKEC_HANDLERS", None)
    return subprocess.run([LAKEC] + list(args), cwd=cwd, env=e, capture_output=True, text=True)


def write(path, text, mode=0o644):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, mode)


def files_under(top):
    """Relative path -> bytes of every file under top but the deflate cache."""
    found = {}
    for d, dirs, names in os.walk(top):
        dirs[:] = [x for x in dirs if x != ".cache"]
        for n in names:
            p = os.path.join(d, n)
            with open(p, "rb") as f:
                found[os.path.relpath(p, top)] = f.read()
    return found


class OwnCode(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.work = tempfile.mkdtemp(prefix="lakec-code-")
        w = cls.work
        os.makedirs(os.path.join(w, "templates"))  # marks the project root
        write(os.path.join(w, "src/hello/app.py"),
              "from lib import util\n\ndef main(event, context):\n    return util.greet()\n")
        write(os.path.join(w, "src/hello/lib/util.py"), "def greet():\n    return 'hello'\n")
        write(os.path.join(w, "src/hello/lib/__init__.py"), "")
        write(os.path.join(w, "src/hello/run.sh"), "#!/bin/sh\nexit 0\n", 0o755)
        with zipfile.ZipFile(os.path.join(w, "src/web.zip"), "w") as z:
            z.writestr("index.mjs", "export const handler = async () => ({ok: true});\n")
        os.makedirs(os.path.join(w, "src/native"))
        write(os.path.join(w, "native.c"), C_HANDLER)
        r = subprocess.run(["cc", "-O2", "-o", os.path.join(w, "src/native/bootstrap"),
                            os.path.join(w, "native.c")], capture_output=True, text=True)
        if r.returncode != 0:
            raise AssertionError("cc failed: " + r.stderr)
        write(os.path.join(w, "stages/dev.yaml"), STAGE.format(extra=""))
        cls.first = cls.build("out1")
        cls.out = os.path.join(w, "out1", "own", "dev")
        with open(os.path.join(cls.out, "manifest.json")) as f:
            cls.manifest = json.load(f)
        with open(os.path.join(cls.out, "own-dev.template.json")) as f:
            cls.template = json.load(f)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.work)

    @classmethod
    def build(cls, out, stage="stages/dev.yaml"):
        r = lakec("build", "-o", out, stage, cwd=cls.work)
        if r.returncode != 0:
            raise AssertionError("build failed: " + r.stderr)
        return files_under(os.path.join(cls.work, out))

    def asset(self, function):
        [a] = [a for a in self.manifest["assets"] if function in a["functions"]]
        return a

    def test_manifest_lists_each_code_with_its_runtime(self):
        hello = self.asset("hello")
        self.assertEqual(hello["kind"], "code")
        self.assertIsNone(hello["handler"])
        self.assertEqual(hello["code"], "src/hello")  # as diagnostics show it
        self.assertEqual(hello["runtime"], "python3.13")
        self.assertRegex(hello["file"], r"^assets/hello-[0-9a-f]{16}\.zip$")
        self.assertEqual(self.asset("web")["runtime"], "nodejs22.x")
        self.assertEqual(self.asset("native")["runtime"], "provided.al2023")
        for a in self.manifest["assets"]:
            with open(os.path.join(self.out, a["file"]), "rb") as f:
                self.assertEqual(len(f.read()), a["size"])

    def test_template_runs_the_runtime_and_handler(self):
        fns = {p["FunctionName"]: p for r in self.template["Resources"].values()
               if r["Type"] == "AWS::Lambda::Function" for p in [r["Properties"]]}
        self.assertEqual((fns["own-dev-hello"]["Runtime"], fns["own-dev-hello"]["Handler"]),
                         ("python3.13", "app.main"))
        self.assertEqual((fns["own-dev-web"]["Runtime"], fns["own-dev-web"]["Handler"]),
                         ("nodejs22.x", "index.handler"))
        self.assertEqual((fns["own-dev-native"]["Runtime"], fns["own-dev-native"]["Handler"]),
                         ("provided.al2023", "bootstrap"))
        params = self.template["Parameters"]
        self.assertEqual(params["HelloCodeKey"]["Default"], self.asset("hello")["file"])

    def test_directory_is_zipped_sorted_with_fixed_dates_and_modes(self):
        with zipfile.ZipFile(os.path.join(self.out, self.asset("hello")["file"])) as z:
            infos = z.infolist()
            names = [i.filename for i in infos]
            self.assertEqual(names, sorted(names))
            self.assertEqual(names, ["app.py", "lib/__init__.py", "lib/util.py", "run.sh"])
            for i in infos:
                self.assertEqual(i.date_time, (1980, 1, 1, 0, 0, 0), i.filename)
                mode = (i.external_attr >> 16) & 0o777
                self.assertEqual(mode, 0o755 if i.filename == "run.sh" else 0o644, i.filename)
            with open(os.path.join(self.work, "src/hello/lib/util.py"), "rb") as f:
                self.assertEqual(z.read("lib/util.py"), f.read())
            self.assertIsNone(z.testzip())

    def test_zip_is_taken_as_it_is(self):
        with open(os.path.join(self.work, "src/web.zip"), "rb") as f:
            source = f.read()
        with open(os.path.join(self.out, self.asset("web")["file"]), "rb") as f:
            self.assertEqual(f.read(), source)

    def test_native_code_keeps_its_executable_bootstrap(self):
        with zipfile.ZipFile(os.path.join(self.out, self.asset("native")["file"])) as z:
            [info] = z.infolist()
            self.assertEqual(info.filename, "bootstrap")
            self.assertEqual((info.external_attr >> 16) & 0o777, 0o755)
            dest = os.path.join(self.work, "unpacked")
            z.extractall(dest)
        os.chmod(os.path.join(dest, "bootstrap"), 0o755)
        r = subprocess.run([os.path.join(dest, "bootstrap")], capture_output=True, text=True)
        self.assertEqual(r.stdout, "hello from C\n")

    def test_builds_are_byte_identical_whatever_the_files_dates(self):
        os.utime(os.path.join(self.work, "src/hello/app.py"), (1e9, 1e9))
        self.assertEqual(self.build("out2"), self.first)

    def test_content_names_the_zip(self):
        path = os.path.join(self.work, "src/hello/lib/util.py")
        with open(path) as f:
            was = f.read()
        try:
            write(path, was + "# changed\n")
            r = lakec("build", "--no-package", "-o", "out3", "stages/dev.yaml", cwd=self.work)
            self.assertEqual(r.returncode, 0, r.stderr)
            changed = self.build("out4")
            self.assertNotIn("own/dev/" + self.asset("hello")["file"], changed)
            self.assertIn("own/dev/" + self.asset("web")["file"], changed)
        finally:
            write(path, was)

    def refused(self, stage_text, *patterns):
        write(os.path.join(self.work, "stages/bad.yaml"), stage_text)
        out = os.path.join(self.work, "refused")
        r = lakec("build", "-o", out, "stages/bad.yaml", cwd=self.work)
        self.assertEqual(r.returncode, 1, r.stderr)
        for p in patterns:
            self.assertRegex(r.stderr, p)
        self.assertFalse(os.path.exists(out))

    def test_provided_code_without_bootstrap_is_refused_at_code(self):
        self.refused(STAGE.format(extra="  empty:\n    code: ../src/hello\n    runtime: provided.al2\n"),
                     r"bad\.yaml:18:11: error: code 'src/hello' has no file 'bootstrap' at its "
                     r"top, which provided\.al2 runs \[LK501\]")

    def test_provided_code_for_another_cpu_is_refused(self):
        self.refused(STAGE.format(extra="    architecture: %s\n" % OTHER_ARCH),
                     r"error: handler 'native' is built for .*, but function 'native' runs on "
                     r".* \[LK502\]")


if __name__ == "__main__":
    unittest.main(verbosity=2)
