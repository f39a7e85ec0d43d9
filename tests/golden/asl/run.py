#!/usr/bin/env python3
"""Golden ASL: every state machine definition of the golden templates,
pretty-printed one file each (tests/golden/asl/<stack>.<LogicalId>.asl.json),
so that a change to what a pipeline lowers to is read as a diff of the
definition rather than of one long Fn::Sub string. The ${...} placeholders
(CloudFormation's substitutions) are left as they are. The template goldens
prove the bytes; these files make them reviewable.
LAKEC_UPDATE_GOLDEN=1 rewrites them (review before committing).

usage: run.py SOURCE_DIR"""
import glob
import json
import os
import sys

root = sys.argv[1]
here = os.path.join(root, "tests", "golden", "asl")
update = os.environ.get("LAKEC_UPDATE_GOLDEN") == "1"
want = {}
for path in sorted(glob.glob(os.path.join(root, "tests", "golden", "**", "*.template.json"), recursive=True)):
    with open(path) as f:
        template = json.load(f)
    stack = os.path.basename(path)[:-len(".template.json")]
    for logical, resource in sorted(template.get("Resources", {}).items()):
        if resource["Type"] != "AWS::StepFunctions::StateMachine":
            continue
        text = resource["Properties"]["DefinitionString"]["Fn::Sub"]
        want[f"{stack}.{logical}.asl.json"] = json.dumps(json.loads(text), indent=2) + "\n"
if not want:
    sys.exit("FAIL: no state machine in the golden templates")
have = {os.path.basename(p) for p in glob.glob(os.path.join(here, "*.asl.json"))}
failed = False
for name in sorted(have - set(want)):
    if update:
        os.remove(os.path.join(here, name))
    else:
        print(f"FAIL: {name} has no state machine in the golden templates any more")
        failed = True
for name, text in sorted(want.items()):
    path = os.path.join(here, name)
    old = open(path).read() if os.path.exists(path) else None
    if old == text:
        continue
    if update:
        with open(path, "w") as f:
            f.write(text)
    else:
        print(f"FAIL: {name} differs from the golden templates' definition"
              + ("" if old is not None else " (missing)"))
        failed = True
if failed:
    sys.exit(1)
print(f"golden ASL: {len(want)} definitions as reviewed")
