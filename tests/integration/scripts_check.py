"""Every Glue job script the repository ships compiles as Python 3 (Spark and
Glue's awsglue library do not run here: this is as far as a local test can
go). It compiles each script in memory, leaving no __pycache__ behind.

usage: python3 scripts_check.py SOURCE_DIR
"""
import glob
import os
import sys

root = sys.argv[1]
patterns = ["stages/**/*.py", "templates/**/*.py", "tests/constructs/**/*.py",
            "tests/integration/fixtures/**/*.py", "tests/bad/**/*.py"]
scripts = sorted({p for pat in patterns for p in glob.glob(os.path.join(root, pat), recursive=True)})
if not scripts:
    sys.exit("no Glue job scripts found")
for path in scripts:
    with open(path, encoding="utf-8") as f:
        compile(f.read(), path, "exec")
print(f"{len(scripts)} job scripts compile")
