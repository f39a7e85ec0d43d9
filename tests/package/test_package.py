#!/usr/bin/env python3
"""Packaging: what `lakec build` puts in out/<project>/<stage>/assets/ and what it refuses.

The real handlers (the CMake build's handlers/ directory) are packaged for the
dev stage and their zips are checked with tools independent of lakec: Python's
zipfile for the archive (names, order, modes, timestamps), binutils' readelf for
the symbol versions and libraries every ELF file needs, and the dynamic loader
itself (LD_TRACE_LOADED_OBJECTS) for where an unpacked bootstrap finds them.
The refusals use small programs this test compiles with the system's cc, so
each case shows one thing: a missing program, the wrong CPU, a library not
carried, a glibc symbol too new, a bootstrap that is not executable.

usage: test_package.py LAKEC PROJECT_ROOT HANDLERS_DIR
"""
import hashlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import unittest
import zipfile

LAKEC, ROOT, HANDLERS = (os.path.abspath(a) for a in sys.argv[1:4])
del sys.argv[1:4]

GLIBC_LIBRARIES = {"libc.so.6", "libm.so.6", "libpthread.so.0", "libdl.so.2", "librt.so.1",
                   "libresolv.so.2", "libutil.so.1", "libanl.so.1", "ld-linux-x86-64.so.2",
                   "ld-linux-aarch64.so.1"}
HOST_ARCH = "arm64" if platform.machine() in ("aarch64", "arm64") else "x86_64"
OTHER_ARCH = "x86_64" if HOST_ARCH == "arm64" else "arm64"
EM = {"x86_64": 62, "arm64": 183}


def run(args, **kw):
    return subprocess.run(args, capture_output=True, text=True, **kw)


def lakec(*args, cwd=None, env=None):
    e = dict(os.environ, NO_COLOR="1")
    e.pop("LAKEC_HANDLERS", None)
    e.update(env or {})
    return run([LAKEC] + list(args), cwd=cwd, env=e)


def readelf(flag, path):
    return run(["readelf", "--wide", flag, path]).stdout


def glibc_versions(path):
    """(major, minor) of every GLIBC_2.x the file needs, from readelf -V."""
    out = readelf("-V", path)
    needs = out.split("Version needs section")[1] if "Version needs section" in out else ""
    return [(2, int(m)) for m in re.findall(r"Name: GLIBC_2\.(\d+)", needs)]


def needed(path):
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", readelf("-d", path))


def is_elf(path):
    with open(path, "rb") as f:
        return f.read(4) == b"\x7fELF"


def set_machine(path, machine):
    with open(path, "r+b") as f:
        f.seek(18)
        f.write(machine.to_bytes(2, "little"))


STAGE = """lakec: 1
project: pkg
stage: dev
region: us-east-1
functions:
  {name}:
    schedule: rate(1 hour){extra}
"""


SANITIZED = os.environ.get("LAKEC_TEST_SANITIZED") == "1"


@unittest.skipUnless(SANITIZED, "the handlers are not built with sanitizers")
class SanitizedHandlers(unittest.TestCase):
    def test_are_refused(self):
        """They carry libasan and what it needs (GCC's libstdc++ and libgcc_s,
        built against glibc 2.36), which would not load on Lambda."""
        with tempfile.TemporaryDirectory() as out:
            r = lakec("build", "--handlers", HANDLERS, "-o", out, "stages/dev.yaml", cwd=ROOT)
            self.assertEqual(r.returncode, 1, r.stderr)
            self.assertRegex(r.stderr, r"handler 'ingest' cannot run on provided.al2023: "
                             r"'lib/lib[^']+' needs GLIBC_2\.3[5-9] from libc\.so\.6")
            self.assertEqual(os.listdir(out), [])


@unittest.skipIf(SANITIZED, "a sanitized build's handlers cannot be packaged (SanitizedHandlers)")
class RealHandlers(unittest.TestCase):
    """The dev stage with lakec's own handlers."""

    @classmethod
    def setUpClass(cls):
        cls.work = tempfile.mkdtemp(prefix="lakec-pkg-")
        r = lakec("build", "--handlers", HANDLERS, "-o", os.path.join(cls.work, "out"),
                  "stages/dev.yaml", cwd=ROOT)
        if r.returncode != 0:
            raise AssertionError("build failed: " + r.stderr)
        cls.out = os.path.join(cls.work, "out", "metrics", "dev")
        with open(os.path.join(cls.out, "manifest.json")) as f:
            cls.manifest = json.load(f)
        with open(os.path.join(cls.out, "metrics-dev.template.json")) as f:
            cls.template = json.load(f)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.work)

    def unpacked(self, asset):
        dest = os.path.join(self.work, "unpacked", asset["handler"])
        if not os.path.isdir(dest):
            with zipfile.ZipFile(os.path.join(self.out, asset["file"])) as z:
                z.extractall(dest)
                for info in z.infolist():  # extractall drops the modes
                    os.chmod(os.path.join(dest, info.filename), (info.external_attr >> 16) & 0o777)
        return dest

    def test_identical_zips_of_several_stages_are_stored_once(self):
        out = os.path.join(self.work, "several")
        r = lakec("build", "--handlers", HANDLERS, "-o", out, "stages/dev.yaml", "stages/qa.yaml",
                  cwd=ROOT)
        self.assertEqual(r.returncode, 0, r.stderr)
        for asset in self.manifest["assets"]:
            dev = os.stat(os.path.join(out, "metrics", "dev", asset["file"]))
            qa = os.stat(os.path.join(out, "metrics", "qa", asset["file"]))
            self.assertEqual(dev.st_ino, qa.st_ino, asset["file"])  # one file, two names
            self.assertGreaterEqual(dev.st_nlink, 2)

    def test_manifest_names_each_zip_by_its_content(self):
        self.assertEqual([a["handler"] for a in self.manifest["assets"]], ["ingest", "process", "query"])
        for a in self.manifest["assets"]:
            with open(os.path.join(self.out, a["file"]), "rb") as f:
                data = f.read()
            digest = hashlib.sha256(data).hexdigest()
            self.assertEqual(a["sha256"], digest)
            self.assertEqual(a["size"], len(data))
            self.assertEqual(a["file"], "assets/%s-%s.zip" % (a["handler"], digest[:16]))
            param = self.template["Parameters"][a["parameter"]]
            self.assertEqual(param["Default"], a["file"])
        self.assertEqual(sorted(os.listdir(os.path.join(self.out, "assets"))),
                         sorted(os.path.basename(a["file"]) for a in self.manifest["assets"]))

    def test_zip_holds_bootstrap_and_its_libraries_deterministically(self):
        for a in self.manifest["assets"]:
            with zipfile.ZipFile(os.path.join(self.out, a["file"])) as z:
                self.assertIsNone(z.testzip())
                infos = z.infolist()
                names = [i.filename for i in infos]
                self.assertEqual(names[0], "bootstrap")
                self.assertEqual(names, sorted(names))
                source = os.path.join(HANDLERS, a["handler"])
                self.assertEqual(set(names), {"bootstrap"} | {"lib/" + n for n in os.listdir(
                    os.path.join(source, "lib"))})
                for i in infos:
                    self.assertEqual(i.date_time, (1980, 1, 1, 0, 0, 0), i.filename)
                    self.assertEqual(i.create_system, 3, i.filename)  # Unix: the mode is there
                    self.assertEqual(i.extra, b"", i.filename)
                    mode = i.external_attr >> 16
                    self.assertEqual(mode & 0o170000, 0o100000, i.filename)
                self.assertEqual(infos[0].external_attr >> 16, 0o100755)
                with open(os.path.join(source, "bootstrap"), "rb") as f:
                    self.assertEqual(z.read("bootstrap"), f.read())

    def test_every_built_handler_needs_glibc_2_34_at_most(self):
        """The stages package three of the handlers; every one built (normalize too,
        which only a stage with DynamoDB uses) must load on provided.al2023."""
        programs = sorted(d for d in os.listdir(HANDLERS)
                          if os.path.isfile(os.path.join(HANDLERS, d, "bootstrap")))
        self.assertLessEqual({"ingest", "process", "query", "normalize", "planner", "worker", "extract"}, set(programs))
        for name in programs:
            bootstrap = os.path.join(HANDLERS, name, "bootstrap")
            self.assertLessEqual(max(glibc_versions(bootstrap)), (2, 34), name)
            # glibc's, or bundled beside it (produce's libsasl2.so.2), and as old
            lib = os.path.join(HANDLERS, name, "lib")
            carried = set(os.listdir(lib)) if os.path.isdir(lib) else set()
            self.assertLessEqual(set(needed(bootstrap)), GLIBC_LIBRARIES | carried, name)
            for library in carried:
                self.assertLessEqual(max(glibc_versions(os.path.join(lib, library))), (2, 34), library)

    def test_every_elf_file_needs_glibc_2_34_at_most(self):
        for a in self.manifest["assets"]:
            root = self.unpacked(a)
            files = [os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs]
            elves = [f for f in files if is_elf(f)]
            self.assertIn(os.path.join(root, "bootstrap"), elves)
            newest = max(v for f in elves for v in glibc_versions(f))
            self.assertLessEqual(newest, (2, 34), a["handler"])
            lib = os.path.join(root, "lib")
            carried = set(os.listdir(lib)) if os.path.isdir(lib) else set()
            for f in elves:
                for lib in needed(f):
                    self.assertIn(lib, GLIBC_LIBRARIES | carried, "%s needs %s" % (f, lib))

    def test_zip_carries_the_program_alone(self):
        # libcurl, OpenSSL and jansson are linked in (cmake/curl.cmake); glibc
        # is the runtime's. A shared library back in lib/ would mean the
        # static link was lost (README: "The handler zips").
        for a in self.manifest["assets"]:
            with zipfile.ZipFile(os.path.join(self.out, a["file"])) as z:
                self.assertEqual(z.namelist(), ["bootstrap"], a["handler"])
            self.assertEqual(needed(os.path.join(self.unpacked(a), "bootstrap")), ["libc.so.6"])
            self.assertLess(a["size"], 4 << 20, a["handler"])

    def test_bootstrap_matches_the_functions_architecture(self):
        fns = [r for r in self.template["Resources"].values() if r["Type"] == "AWS::Lambda::Function"]
        self.assertEqual({tuple(f["Properties"]["Architectures"]) for f in fns}, {(HOST_ARCH,)})
        for a in self.manifest["assets"]:
            with open(os.path.join(self.unpacked(a), "bootstrap"), "rb") as f:
                head = f.read(20)
            self.assertEqual(int.from_bytes(head[18:20], "little"), EM[HOST_ARCH])

    def test_unpacked_bootstrap_loads_only_its_own_libraries(self):
        for a in self.manifest["assets"]:
            root = self.unpacked(a)
            env = {"LD_TRACE_LOADED_OBJECTS": "1", "PATH": "/usr/bin:/bin"}
            out = run([os.path.join(root, "bootstrap")], env=env).stdout
            loaded = re.findall(r"^\s*(\S+) => (\S+)", out, re.M)
            self.assertIn("libc.so.6", [name for name, _ in loaded])
            for name, path in loaded:
                if name not in GLIBC_LIBRARIES:
                    self.assertTrue(path.startswith(os.path.join(root, "lib") + "/"),
                                    "%s loaded from %s" % (name, path))


def can_mount_privately():
    """Root with unshare(1): a test can lay files over /etc for one process."""
    return (os.geteuid() == 0 and shutil.which("unshare") and shutil.which("openssl")
            and run(["unshare", "--mount", "true"]).returncode == 0)


@unittest.skipIf(SANITIZED, "a sanitized build's handlers cannot be packaged (SanitizedHandlers)")
@unittest.skipUnless(can_mount_privately(), "needs root, unshare and openssl")
class CaBundles(unittest.TestCase):
    """The ingest program PUTs to an HTTPS endpoint whose certificate
    only a test CA vouches for, with that CA laid (in a mount namespace of its
    own) where Debian keeps its bundle, where Amazon Linux keeps it, or
    nowhere: the handlers' libcurl speaks TLS over OpenSSL and trusts the
    bundle of the system it runs on (cmake/curl.cmake, src/handlers/aws.c)."""

    @classmethod
    def setUpClass(cls):
        sys.path.insert(0, os.path.join(ROOT, "tests", "handlers"))
        import http.server
        import ssl
        import threading
        cls.work = tempfile.mkdtemp(prefix="lakec-tls-")
        cls.cert, key = os.path.join(cls.work, "cert.pem"), os.path.join(cls.work, "key.pem")
        r = run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                 "-out", cls.cert, "-days", "1", "-subj", "/CN=lakec test",
                 "-addext", "subjectAltName=IP:127.0.0.1"])
        assert r.returncode == 0, r.stderr
        cls.requests = []
        requests = cls.requests

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_PUT(self):
                self.rfile.read(int(self.headers.get("Content-Length", "0")))
                requests.append(("PUT", self.path))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

        cls.server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cls.cert, key)
        cls.server.socket = context.wrap_socket(cls.server.socket, server_side=True)
        threading.Thread(target=cls.server.serve_forever, daemon=True).start()

    @classmethod
    def tearDownClass(cls):
        cls.server.shutdown()
        cls.server.server_close()
        shutil.rmtree(cls.work)

    def ingest(self, lay_ca):
        """Runs ingest once under `unshare --mount` after the shell commands
        lay_ca; the Runtime API's record of the invocation."""
        from fakes import FakeRuntimeApi
        import time
        with open(os.path.join(ROOT, "src", "handlers", "events", "scheduled.json"), "rb") as f:
            event = f.read()
        api = FakeRuntimeApi([("r1", event, int((time.time() + 30) * 1000))])
        env = {"PATH": "/usr/bin:/bin", "AWS_LAMBDA_RUNTIME_API": api.address,
               "AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "testing",
               "AWS_SECRET_ACCESS_KEY": "testing", "SERVICE_NAME": "metris_api",
               "AWS_ENDPOINT_URL": "https://127.0.0.1:%d" % self.server.server_port,
               "LAKEC_BUCKET_DATA": "b", "CERT": self.cert}
        del self.requests[:]
        try:
            r = run(["unshare", "--mount", "sh", "-ec", lay_ca + '\nexec "$0"',
                     os.path.join(HANDLERS, "ingest", "bootstrap")], env=env, timeout=60)
        finally:
            api.stop()
        self.assertIn("r1", api.results, r.stderr)
        return api.results["r1"]

    # Each case lays an empty tmpfs over /etc, then the test CA where one
    # system keeps its bundle, so that no other bundle is there.
    def test_debians_bundle(self):
        kind, body, _ = self.ingest('mount -t tmpfs tmpfs /etc\nmkdir -p /etc/ssl/certs\n'
                                    'cp "$CERT" /etc/ssl/certs/ca-certificates.crt')
        self.assertEqual(kind, "response", body)
        self.assertEqual([m for m, _ in self.requests], ["PUT"])

    def test_amazon_linuxs_bundle(self):
        kind, body, _ = self.ingest('mount -t tmpfs tmpfs /etc\nmkdir -p /etc/pki/tls/certs\n'
                                    'cp "$CERT" /etc/pki/tls/certs/ca-bundle.crt')
        self.assertEqual(kind, "response", body)
        self.assertEqual([m for m, _ in self.requests], ["PUT"])

    def test_no_bundle_trusts_the_ca(self):
        # The machine's own bundles, which do not hold the test CA.
        kind, body, _ = self.ingest(":")
        self.assertEqual(kind, "error")
        self.assertIn(b"SSL peer certificate", body)
        self.assertEqual(self.requests, [])


class Refusals(unittest.TestCase):
    """Small programs in a handlers directory of the test's own."""

    def setUp(self):
        self.work = tempfile.mkdtemp(prefix="lakec-pkg-")
        self.handlers = os.path.join(self.work, "handlers")
        os.mkdir(self.handlers)

    def tearDown(self):
        shutil.rmtree(self.work)

    def program(self, handler, source='int main(void) { return 0; }\n', flags=()):
        d = os.path.join(self.handlers, handler)
        os.makedirs(d, exist_ok=True)
        c = os.path.join(self.work, handler + ".c")
        with open(c, "w") as f:
            f.write(source)
        r = run(["cc", "-O1", "-o", os.path.join(d, "bootstrap"), c] + list(flags))
        self.assertEqual(r.returncode, 0, r.stderr)
        return d

    def build(self, name="ingest", extra="", *options):
        stage = os.path.join(self.work, "dev.yaml")
        with open(stage, "w") as f:
            f.write(STAGE.format(name=name, extra=extra))
        return lakec("build", "--handlers", self.handlers, "-o", os.path.join(self.work, "out"),
                     *options, "dev.yaml", cwd=self.work)

    def assertRefused(self, r, *lines):
        self.assertEqual(r.returncode, 1, r.stderr)
        for line in lines:
            self.assertIn(line, r.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.work, "out")), "wrote despite errors")

    def zips(self):
        d = os.path.join(self.work, "out", "pkg", "dev", "assets")
        return sorted(os.listdir(d))

    def test_a_plain_program_is_packaged(self):
        self.program("ingest")
        r = self.build()
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(len(self.zips()), 1)
        self.assertTrue(self.zips()[0].startswith("ingest-"))

    def test_missing_program(self):
        r = self.build("load")
        self.assertRefused(
            r, "dev.yaml:6:3: error: no handler program 'load': '%s/load/bootstrap' does not "
            "exist [LK501]" % self.handlers,
            "note: handler programs are looked for in '%s' (--handlers DIR)" % self.handlers)

    def test_other_architecture(self):
        d = self.program("ingest")
        set_machine(os.path.join(d, "bootstrap"), EM[OTHER_ARCH])
        r = self.build()
        self.assertRefused(
            r, "dev.yaml:6:3: error: handler 'ingest' is built for %s, but function 'ingest' runs "
            "on %s [LK502]" % (OTHER_ARCH, HOST_ARCH),
            "note: a function runs on the build host's architecture, %s, unless it says "
            "'architecture:'" % HOST_ARCH,
            'note: build the handlers for %s (README: "Building the handlers for another '
            'architecture") and pass them with --handlers DIR' % HOST_ARCH)

    def test_architecture_written_in_the_stage(self):
        self.program("ingest")
        r = self.build("ingest", "\n    architecture: " + OTHER_ARCH)
        self.assertRefused(
            r, "dev.yaml:8:19: error: handler 'ingest' is built for %s, but function 'ingest' runs "
            "on %s [LK502]" % (HOST_ARCH, OTHER_ARCH))

    def test_library_not_carried_then_carried(self):
        d = self.program("ingest", "#include <zlib.h>\nint main(void) { return !zlibVersion(); }\n",
                         ["-lz"])
        r = self.build()
        self.assertRefused(
            r, "error: handler 'ingest' cannot run on provided.al2023: 'bootstrap' needs "
            "libz.so.1, which provided.al2023 does not provide and lib/ does not carry [LK503]")
        os.mkdir(os.path.join(d, "lib"))
        libz = run(["sh", "-c", "ldconfig -p | awk '/libz.so.1 / {print $NF; exit}'"]).stdout.strip()
        shutil.copy(libz, os.path.join(d, "lib", "libz.so.1"))
        r = self.build()
        self.assertEqual(r.returncode, 0, r.stderr)
        with zipfile.ZipFile(os.path.join(self.work, "out", "pkg", "dev", "assets", self.zips()[0])) as z:
            self.assertEqual(z.namelist(), ["bootstrap", "lib/libz.so.1"])
            self.assertEqual(z.getinfo("lib/libz.so.1").external_attr >> 16, 0o100644)

    def test_library_for_another_cpu(self):
        d = self.program("ingest")
        os.mkdir(os.path.join(d, "lib"))
        lib = os.path.join(d, "lib", "libextra.so.1")
        shutil.copy(os.path.join(d, "bootstrap"), lib)
        set_machine(lib, EM[OTHER_ARCH])
        r = self.build()
        self.assertRefused(r, "'lib/libextra.so.1' is built for %s, unlike bootstrap [LK503]"
                           % OTHER_ARCH)

    def test_glibc_symbol_newer_than_2_34(self):
        self.program("ingest", "#include <stdlib.h>\nint main(void) { return (int)(arc4random() & 1); }\n",
                     ["-D_DEFAULT_SOURCE"])
        r = self.build()
        self.assertRefused(
            r, "error: handler 'ingest' cannot run on provided.al2023: 'bootstrap' needs "
            "GLIBC_2.36 from libc.so.6, newer than provided.al2023's glibc 2.34 [LK503]")

    def test_bootstrap_not_executable(self):
        d = self.program("ingest")
        os.chmod(os.path.join(d, "bootstrap"), 0o644)
        r = self.build()
        self.assertRefused(r, "bootstrap is not executable (chmod +x) [LK503]")

    def test_bootstrap_neither_elf_nor_script(self):
        d = os.path.join(self.handlers, "ingest")
        os.makedirs(d)
        with open(os.path.join(d, "bootstrap"), "w") as f:
            f.write("echo hello\n")
        os.chmod(os.path.join(d, "bootstrap"), 0o755)
        r = self.build()
        self.assertRefused(r, "bootstrap is neither an ELF executable nor a script [LK503]")

    def test_truncated_elf(self):
        d = self.program("ingest")
        os.mkdir(os.path.join(d, "lib"))
        with open(os.path.join(d, "bootstrap"), "rb") as f:
            head = f.read(40)
        with open(os.path.join(d, "lib", "libcut.so.1"), "wb") as f:
            f.write(head)
        r = self.build()
        self.assertRefused(r, "'lib/libcut.so.1' is not a readable ELF file [LK503]")

    def test_script_bootstrap_is_packaged(self):
        d = os.path.join(self.handlers, "ingest")
        os.makedirs(d)
        with open(os.path.join(d, "bootstrap"), "w") as f:
            f.write("#!/bin/sh\necho hello\n")
        os.chmod(os.path.join(d, "bootstrap"), 0o755)
        self.assertEqual(self.build().returncode, 0)

    def test_same_bytes_whatever_the_times_modes_and_order(self):
        d = self.program("ingest")
        os.mkdir(os.path.join(d, "lib"))
        for name in ("b.so", "a.so", "c.so"):
            with open(os.path.join(d, "lib", name), "w") as f:
                f.write(name * 1000)
        self.assertEqual(self.build().returncode, 0)
        first = self.zips()
        with open(os.path.join(self.work, "out", "pkg", "dev", "assets", first[0]), "rb") as f:
            before = f.read()
        # Recreate the directory in another order, with other times and modes.
        shutil.rmtree(os.path.join(self.work, "out"))
        copy = os.path.join(self.work, "copy")
        shutil.copytree(d, copy)
        shutil.rmtree(d)
        os.makedirs(os.path.join(d, "lib"))
        for name in ("c.so", "a.so", "b.so"):
            shutil.copy(os.path.join(copy, "lib", name), os.path.join(d, "lib", name))
            os.chmod(os.path.join(d, "lib", name), 0o600)
            os.utime(os.path.join(d, "lib", name), (1e9, 1e9))
        shutil.copy(os.path.join(copy, "bootstrap"), os.path.join(d, "bootstrap"))
        self.assertEqual(self.build().returncode, 0)
        self.assertEqual(self.zips(), first)
        with open(os.path.join(self.work, "out", "pkg", "dev", "assets", first[0]), "rb") as f:
            self.assertEqual(f.read(), before)

    def test_same_zip_with_or_without_the_deflate_cache(self):
        """A warm build (DIR/.cache/deflate from the build before) makes the
        same bytes as a cold one, and so does one over damaged entries."""
        d = self.program("ingest")
        os.mkdir(os.path.join(d, "lib"))
        with open(os.path.join(d, "lib", "libdata.so"), "w") as f:
            f.write("".join("row %d\n" % (i % 5000) for i in range(40000)))
        self.assertEqual(self.build().returncode, 0)
        zip_path = os.path.join(self.work, "out", "pkg", "dev", "assets", self.zips()[0])
        with open(zip_path, "rb") as f:
            cold = f.read()
        self.assertEqual(self.build().returncode, 0)  # warm
        with open(zip_path, "rb") as f:
            self.assertEqual(f.read(), cold)
        cache = os.path.join(self.work, "out", ".cache", "deflate")
        entries = sorted(os.listdir(cache)) if os.path.isdir(cache) else []
        for name in entries:  # cut every entry short
            path = os.path.join(cache, name)
            os.truncate(path, os.path.getsize(path) - 1)
        self.assertEqual(self.build().returncode, 0)
        with open(zip_path, "rb") as f:
            self.assertEqual(f.read(), cold)
        if entries:  # rewritten whole
            self.assertEqual(sorted(os.listdir(cache)), entries)
        shutil.rmtree(os.path.join(self.work, "out"))
        self.assertEqual(self.build().returncode, 0)  # cold again
        with open(zip_path, "rb") as f:
            self.assertEqual(f.read(), cold)

    def test_new_code_replaces_the_old_zip_and_check_sees_it(self):
        d = self.program("ingest")
        self.assertEqual(self.build().returncode, 0)
        old = self.zips()
        r = self.build("ingest", "", "--check")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.program("ingest", "int main(void) { return 1; }\n")
        r = self.build("ingest", "", "--check")
        self.assertEqual(r.returncode, 1)
        self.assertIn("/out/pkg/dev/assets/%s' would be removed" % old[0], r.stderr)
        self.assertIn("is missing", r.stderr)
        self.assertEqual(self.zips(), old)  # --check wrote nothing
        self.assertEqual(self.build().returncode, 0)
        new = self.zips()
        self.assertEqual(len(new), 1)
        self.assertNotEqual(new, old)
        with open(os.path.join(self.work, "out", "pkg", "dev", "pkg-dev.template.json")) as f:
            key = json.load(f)["Parameters"]["IngestCodeKey"]["Default"]
        self.assertEqual(key, "assets/" + new[0])
        self.assertTrue(os.path.exists(os.path.join(d, "bootstrap")))

    def test_no_package_and_handlers_from_the_environment(self):
        self.build("load")  # writes dev.yaml
        r = lakec("build", "--no-package", "-o", "out", "dev.yaml", cwd=self.work)  # no program needed
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(os.path.join(self.work, "out", "pkg", "dev", "manifest.json")) as f:
            self.assertIsNone(json.load(f)["assets"][0]["file"])
        self.assertFalse(os.path.exists(os.path.join(self.work, "out", "pkg", "dev", "assets")))
        r = lakec("build", "--no-package", "--handlers", self.handlers, "dev.yaml", cwd=self.work)
        self.assertEqual(r.returncode, 2)
        self.assertIn("--handlers and --no-package exclude each other", r.stderr)
        self.program("load")
        r = lakec("build", "-o", "env-out", "dev.yaml", cwd=self.work,
                  env={"LAKEC_HANDLERS": self.handlers})
        self.assertEqual(r.returncode, 0, r.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
