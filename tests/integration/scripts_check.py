"""Every Glue job script the repository ships compiles as Python 3 (Spark and
Glue's awsglue library do not run here: this is as far as a local test can
go). It compiles each script in memory, leaving no __pycache__ behind.

Then the contract between each shipped stage's jobs and their scripts: the
stages are built (--no-package), and for every AWS::Glue::Job the script
asset the manifest lists is byte for byte the script the stage names (its
key, the template parameter's default, carries the script's SHA-256), and
every argument the script reads with getResolvedOptions(sys.argv, [...])
is one the job passes (--NAME in DefaultArguments; JOB_NAME Glue passes
itself).

usage: python3 scripts_check.py SOURCE_DIR [LAKEC]
"""
import ast
import glob
import hashlib
import json
import os
import subprocess
import sys
import tempfile

root = sys.argv[1]
patterns = ["jobs/**/*.py", "stages/**/*.py", "templates/**/*.py", "tests/constructs/**/*.py",
            "tests/integration/fixtures/**/*.py", "tests/bad/**/*.py"]
scripts = sorted({p for pat in patterns for p in glob.glob(os.path.join(root, pat), recursive=True)})
if not scripts:
    sys.exit("no Glue job scripts found")
for path in scripts:
    with open(path, encoding="utf-8") as f:
        compile(f.read(), path, "exec")
print(f"{len(scripts)} job scripts compile")


def arguments_read(source):
    """The names a script asks getResolvedOptions for (a literal list)."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        if (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "getResolvedOptions"
                and len(node.args) == 2 and isinstance(node.args[1], ast.List)):
            names |= {e.value for e in node.args[1].elts if isinstance(e, ast.Constant)}
    return names


def check_stage_folder(folder):
    """Each job of a built stage folder against its script asset; the count."""
    with open(os.path.join(folder, "manifest.json")) as f:
        manifest = json.load(f)
    scripts = {a["parameter"]: a for a in manifest["assets"] if a.get("kind") == "script"}
    checked = 0
    for stack in manifest["stacks"]:
        with open(os.path.join(folder, stack["template"])) as f:
            template = json.load(f)
        for job_id, job in template["Resources"].items():
            if job["Type"] != "AWS::Glue::Job":
                continue
            location = job["Properties"]["Command"]["ScriptLocation"]["Fn::Sub"]
            parameter = location.rsplit("${", 1)[1].rstrip("}")
            asset = scripts[parameter]
            with open(os.path.join(folder, asset["file"]), "rb") as f:
                body = f.read()
            assert hashlib.sha256(body).hexdigest() == asset["sha256"], job_id
            assert asset["sha256"][:16] in asset["file"], job_id
            assert template["Parameters"][parameter]["Default"] == asset["file"], job_id
            passed = set(job["Properties"].get("DefaultArguments", {}))
            missing = {n for n in arguments_read(body.decode()) - {"JOB_NAME"}
                       if f"--{n}" not in passed}
            assert not missing, f"{folder}: job {job_id}'s script reads {sorted(missing)}, " \
                                f"which the job does not pass"
            checked += 1
    return checked


if len(sys.argv) > 2:
    lakec = sys.argv[2]
    stages = sorted(glob.glob(os.path.join(root, "stages", "*", "*.yaml")))
    with tempfile.TemporaryDirectory() as out:
        subprocess.run([lakec, "build", "--no-package", "-o", out] + stages, cwd=root, check=True)
        jobs = sum(check_stage_folder(d) for d in sorted(glob.glob(os.path.join(out, "*", "*"))))
    assert jobs > 0, "no shipped stage has a Glue job"
    print(f"{jobs} jobs of the shipped stages pass every argument their scripts read")
