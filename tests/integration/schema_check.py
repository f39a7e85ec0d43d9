#!/usr/bin/env python3
"""The JSON Schema that `lakec schema` prints: it is the committed
schema/lakec.schema.json, every stage file, blueprint and fixture validates
against it (with Python's jsonschema, as yaml-language-server would), and it
really constrains: unknown keys, wrong types and bad enum values fail.

usage: schema_check.py LAKEC PROJECT_ROOT
"""
import glob
import json
import os
import subprocess
import sys
import unittest

import jsonschema
import yaml


def cloudformation_short_form(loader, suffix, node):
    """!Ref X, !GetAtt A.B, !Join [...]: their long forms, as lakec reads
    them (yaml-language-server takes them as custom tags the same way)."""
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    name = suffix if suffix in ("Ref", "Condition") else "Fn::" + suffix
    return {name: value}


yaml.SafeLoader.add_multi_constructor("!", cloudformation_short_form)

LAKEC, ROOT = sys.argv[1], sys.argv[2]


class Schema(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        out = subprocess.run([LAKEC, "schema"], check=True, capture_output=True, text=True).stdout
        cls.text = out
        cls.schema = json.loads(out)
        jsonschema.Draft7Validator.check_schema(cls.schema)
        cls.validator = jsonschema.Draft7Validator(cls.schema)

    def test_committed_copy_is_current(self):
        with open(os.path.join(ROOT, "schema", "lakec.schema.json")) as f:
            self.assertEqual(f.read(), self.text,
                             "run: build/lakec schema > schema/lakec.schema.json")

    def test_every_stage_file_validates(self):
        files = []
        for pattern in ("stages/*.yaml", "stages/*/*.yaml", "templates/*.yaml",
                        "tests/integration/fixtures/*.yaml"):
            files += glob.glob(os.path.join(ROOT, pattern))
        self.assertGreaterEqual(len(files), 5)
        for path in files:
            with self.subTest(file=os.path.relpath(path, ROOT)):
                with open(path) as f:
                    doc = yaml.safe_load(f)
                errors = [e.message for e in self.validator.iter_errors(doc)]
                self.assertEqual(errors, [])

    def test_it_constrains(self):
        bad = [
            {"lakec": 1, "functions": {"ingest": {"scheduel": "rate(1 minute)"}}},
            {"lakec": 1, "functions": {"ingest": {"memory": "large"}}},
            {"lakec": 1, "functions": {"ingest": {"memory": 64}}},
            {"lakec": 1, "api": {"auth": "cognitto"}},
            {"lakec": 1, "functions": {"f": {"grants": [{"read": "a/", "write": "b/"}]}}},
            {"lakec": 1, "buckets": {"2nd": {"name": "x"}}},
        ]
        for doc in bad:
            with self.subTest(doc=doc):
                self.assertTrue(list(self.validator.iter_errors(doc)))
        ok = {"lakec": 1, "functions": {"f": {"schedule": "rate(1 hour)",
                                              "grants": [{"read": "data/raw/"}]}}}
        self.assertEqual(list(self.validator.iter_errors(ok)), [])


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
