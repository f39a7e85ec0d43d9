#!/usr/bin/env python3
"""telemetry_data, the generator of seed 004's batch data:

- run locally (--out DIR) with the seed's volumes: the same seed twice writes
  the same bytes, another seed other bytes in every file, more events leave
  the other tables as they were;
- the files read back by DuckDB (an independent reader): the seed's columns
  and types, exact row counts, every telemetry customer_id and title_id
  joining, and the seed's example queries (its Athena SQL over
  read_parquet with hive_partitioning) answering plausibly and alike for the
  same seed;
- bad options: a clear message, exit 2, nothing written;
- as a Lambda function (a fake Runtime API) against moto's S3: the same
  objects under the write grant's prefix, byte for byte the local run's; a bad
  event or a missing bucket is an error response.

usage: test_telemetry_data.py HANDLERS_DIR PROJECT_ROOT
"""
import json
import os
import subprocess
import sys
import tempfile
import time
import unittest

import boto3

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fakes import FakeRuntimeApi, MotoServer  # noqa: E402

HANDLERS, ROOT = sys.argv[1], sys.argv[2]
PROGRAM = os.path.join(HANDLERS, "telemetry_data", "bootstrap")
PARQUET_TESTS = os.path.join(ROOT, "tests", "parquet")
KEY, SECRET, REGION = "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "us-east-1"
BUCKET = "acme-telemetry-data-test"

DATES = ["2024-01-0%d" % d for d in range(1, 8)]
TABLE_KEYS = (["customers/part-00000.parquet", "titles/part-00000.parquet", "campaigns/part-00000.parquet"] +
              ["telemetry/date=%s/part-00000.parquet" % d for d in DATES])


def duckdb(sql):
    """Rows DuckDB answers for sql, as JSON values (BIGINT and the like as strings)."""
    if not os.path.isdir(os.path.join(PARQUET_TESTS, "node_modules", "@duckdb", "node-api")):
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=PARQUET_TESTS,
                       check=True)
    out = subprocess.run(["node", os.path.join(PARQUET_TESTS, "query.mjs"), sql], capture_output=True,
                         text=True, timeout=120)
    if out.returncode:
        raise AssertionError(out.stderr)
    return json.loads(out.stdout)


def generate(out, *args):
    """The summary of a local run (which must succeed)."""
    proc = subprocess.run([PROGRAM, "--out", out, *args], capture_output=True, text=True, timeout=300)
    if proc.returncode:
        raise AssertionError(proc.stderr)
    return json.loads(proc.stdout)


def files_under(folder):
    found = {}
    for base, _, names in os.walk(folder):
        for name in names:
            path = os.path.join(base, name)
            with open(path, "rb") as f:
                found[os.path.relpath(path, folder)] = f.read()
    return found


class Local(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.addClassCleanup(cls.tmp.cleanup)
        cls.a, cls.b, cls.other = (os.path.join(cls.tmp.name, n) for n in ("a", "b", "other"))
        start = time.monotonic()
        cls.summary = generate(cls.a, "--seed", "42")
        cls.seconds = time.monotonic() - start
        generate(cls.b, "--seed", "42")
        generate(cls.other, "--seed", "7")
        cls.files = files_under(cls.a)

    def table(self, name, root=None):
        root = root or self.a
        if name == "telemetry":
            return f"read_parquet('{root}/telemetry/*/*.parquet', hive_partitioning = true)"
        return f"read_parquet('{root}/{name}/*.parquet')"

    def test_files_and_summary(self):
        self.assertEqual(sorted(self.files), sorted(TABLE_KEYS))
        self.assertEqual(self.summary["seed"], 42)
        self.assertEqual({k: self.summary[k] for k in ("customers", "titles", "events", "campaigns", "days")},
                         {"customers": 10000, "titles": 1000, "events": 100000, "campaigns": 50, "days": 7})
        self.assertEqual(self.summary["start_date"], "2024-01-01")
        listed = {f["key"]: f for f in self.summary["files"]}
        self.assertEqual(set(listed), set(TABLE_KEYS))
        for key, data in self.files.items():
            self.assertEqual(listed[key]["bytes"], len(data), key)
            self.assertEqual(data[:4], b"PAR1")
        self.assertEqual(sum(listed[k]["rows"] for k in listed if k.startswith("telemetry/")), 100000)
        self.assertLess(self.seconds, 60)

    def test_the_same_seed_writes_the_same_bytes(self):
        self.assertEqual(files_under(self.b), self.files)

    def test_another_seed_changes_every_file(self):
        other = files_under(self.other)
        self.assertEqual(sorted(other), sorted(self.files))
        for key in self.files:
            self.assertNotEqual(other[key], self.files[key], key)

    def test_each_table_has_its_own_stream(self):
        with tempfile.TemporaryDirectory() as more:
            generate(more, "--seed", "42", "--events", "1000", "--days", "2")
            written = files_under(more)
        for key in TABLE_KEYS[:3]:
            self.assertEqual(written[key], self.files[key], key)

    def test_columns_and_types_are_the_seeds(self):
        expected = {
            "customers": [("customer_id", "VARCHAR"), ("email", "VARCHAR"), ("subscription_tier", "VARCHAR"),
                          ("country", "VARCHAR"), ("is_active", "BOOLEAN"), ("preferred_genres", "VARCHAR[]")],
            "titles": [("title_id", "VARCHAR"), ("title_name", "VARCHAR"), ("title_type", "VARCHAR"),
                       ("genre", "VARCHAR"), ("duration_minutes", "INTEGER")],
            "campaigns": [("campaign_id", "VARCHAR"), ("advertiser_name", "VARCHAR"), ("impressions", "BIGINT"),
                          ("clicks", "BIGINT"), ("click_through_rate", "DOUBLE")],
            "telemetry": [("event_id", "VARCHAR"), ("customer_id", "VARCHAR"), ("title_id", "VARCHAR"),
                          ("event_type", "VARCHAR"), ("watch_duration_seconds", "INTEGER"),
                          ("device_type", "VARCHAR"), ("quality", "VARCHAR")],
        }
        for name, columns in expected.items():
            rows = duckdb(f"DESCRIBE SELECT * FROM {self.table(name)}")
            got = [(r["column_name"], r["column_type"]) for r in rows]
            if name == "telemetry":
                self.assertEqual(got[-1][0], "date")  # the partition column
                got = got[:-1]
            self.assertEqual(got, columns, name)
        nullable = duckdb(f"SELECT count(*) AS n FROM parquet_schema('{self.a}/customers/part-00000.parquet') "
                          "WHERE repetition_type = 'OPTIONAL'")
        self.assertEqual(nullable, [{"n": "0"}])

    def test_count_records_in_each_table(self):
        rows = duckdb(f"SELECT 'customers' AS tbl, COUNT(*) AS n FROM {self.table('customers')} "
                      f"UNION ALL SELECT 'titles', COUNT(*) FROM {self.table('titles')} "
                      f"UNION ALL SELECT 'telemetry', COUNT(*) FROM {self.table('telemetry')} "
                      f"UNION ALL SELECT 'campaigns', COUNT(*) FROM {self.table('campaigns')} ORDER BY tbl")
        self.assertEqual({r["tbl"]: r["n"] for r in rows},
                         {"customers": "10000", "titles": "1000", "telemetry": "100000", "campaigns": "50"})

    def test_keys_are_unique_and_every_event_joins(self):
        rows = duckdb(
            f"SELECT (SELECT count(DISTINCT customer_id) FROM {self.table('customers')}) AS customers, "
            f"(SELECT count(DISTINCT email) FROM {self.table('customers')}) AS emails, "
            f"(SELECT count(DISTINCT title_id) FROM {self.table('titles')}) AS titles, "
            f"(SELECT count(DISTINCT campaign_id) FROM {self.table('campaigns')}) AS campaigns, "
            f"(SELECT count(DISTINCT event_id) FROM {self.table('telemetry')}) AS events, "
            f"(SELECT count(*) FROM {self.table('telemetry')} e JOIN {self.table('customers')} c "
            f"ON e.customer_id = c.customer_id JOIN {self.table('titles')} t ON e.title_id = t.title_id) AS joined")
        self.assertEqual(rows, [{"customers": "10000", "emails": "10000", "titles": "1000", "campaigns": "50",
                                 "events": "100000", "joined": "100000"}])

    def test_top_genres_by_watch_time(self):
        sql = ("SELECT t.genre, SUM(e.watch_duration_seconds)/3600 AS hours_watched FROM {e} e "
               "JOIN {t} t ON e.title_id = t.title_id GROUP BY t.genre ORDER BY hours_watched DESC")
        rows = duckdb(sql.format(e=self.table("telemetry"), t=self.table("titles")))
        again = duckdb(sql.format(e=self.table("telemetry", self.b), t=self.table("titles", self.b)))
        self.assertEqual(rows, again)
        self.assertEqual({r["genre"] for r in rows},
                         {"Action", "Comedy", "Drama", "Thriller", "Sci-Fi", "Horror", "Romance", "Animation",
                          "Crime", "Fantasy", "Family", "Documentary"})
        hours = [r["hours_watched"] for r in rows]
        self.assertEqual(hours, sorted(hours, reverse=True))
        self.assertGreater(hours[-1], 0)
        # 100,000 events of at most a few hours each
        self.assertLess(sum(hours), 100000 * 3)

    def test_the_first_titles_are_the_hits(self):
        rows = duckdb(f"SELECT title_id, count(*) AS n FROM {self.table('telemetry')} "
                      "GROUP BY title_id ORDER BY n DESC, title_id LIMIT 3")
        self.assertEqual([r["title_id"] for r in rows], ["title-000001", "title-000002", "title-000003"])

    def test_active_customers_by_subscription_tier(self):
        rows = duckdb(f"SELECT subscription_tier, COUNT(*) AS customer_count FROM {self.table('customers')} "
                      "WHERE is_active = true GROUP BY subscription_tier ORDER BY subscription_tier")
        active = {r["subscription_tier"]: int(r["customer_count"]) for r in rows}
        self.assertEqual(set(active), {"free_with_ads", "basic", "standard", "premium"})
        totals = {r["subscription_tier"]: int(r["n"]) for r in duckdb(
            f"SELECT subscription_tier, count(*) AS n FROM {self.table('customers')} GROUP BY ALL")}
        for tier, share in {"free_with_ads": 0.30, "basic": 0.25, "standard": 0.30, "premium": 0.15}.items():
            self.assertAlmostEqual(totals[tier] / 10000, share, delta=0.03, msg=tier)
            self.assertTrue(0.6 < active[tier] / totals[tier] < 1, tier)

    def test_device_type_distribution(self):
        rows = duckdb(f"SELECT device_type, COUNT(*) AS sessions FROM {self.table('telemetry')} "
                      "GROUP BY device_type ORDER BY sessions DESC")
        self.assertEqual([r["device_type"] for r in rows][:2], ["tv", "mobile"])
        self.assertEqual({r["device_type"] for r in rows}, {"tv", "mobile", "tablet", "web"})
        no_4k_phones = duckdb(f"SELECT count(*) AS n FROM {self.table('telemetry')} "
                              "WHERE device_type = 'mobile' AND quality = '4K'")
        self.assertEqual(no_4k_phones, [{"n": "0"}])
        qualities = duckdb(f"SELECT DISTINCT quality FROM {self.table('telemetry')} ORDER BY 1")
        self.assertEqual([r["quality"] for r in qualities], ["4K", "HD", "SD"])

    def test_daily_viewing_trends(self):
        rows = duckdb(f"SELECT CAST(date AS VARCHAR) AS date, COUNT(*) AS events, "
                      f"SUM(watch_duration_seconds)/3600 AS hours FROM {self.table('telemetry')} "
                      "GROUP BY date ORDER BY date")
        self.assertEqual([r["date"] for r in rows], DATES)
        self.assertEqual([int(r["events"]) for r in rows],
                         [100000 * (d + 1) // 7 - 100000 * d // 7 for d in range(7)])
        self.assertTrue(all(r["hours"] > 0 for r in rows))

    def test_values_are_plausible(self):
        events, titles = self.table("telemetry"), self.table("titles")
        customers, campaigns = self.table("customers"), self.table("campaigns")
        watched = f"{events} e JOIN {titles} t USING (title_id)"
        none_of = {  # each: the rows that would be implausible
            "short_completions": f"{watched} WHERE e.event_type = 'complete' "
                                 "AND e.watch_duration_seconds <> t.duration_minutes * 60",
            "overlong": f"{watched} WHERE e.watch_duration_seconds NOT BETWEEN 0 AND t.duration_minutes * 60",
            "bad_genres": f"{customers} WHERE len(preferred_genres) NOT BETWEEN 1 AND 3 "
                          "OR len(list_distinct(preferred_genres)) <> len(preferred_genres)",
            "bad_emails": f"{customers} WHERE email NOT SIMILAR TO '[a-z]+\\.[a-z]+[0-9]+@[a-z.]+'",
            "bad_campaigns": f"{campaigns} WHERE clicks > impressions "
                             "OR abs(click_through_rate - 100.0 * clicks / impressions) > 0.0001 "
                             "OR click_through_rate NOT BETWEEN 0.19 AND 4.01",
            "bad_titles": f"{titles} WHERE (title_type = 'documentary') <> (genre = 'Documentary') "
                          "OR duration_minutes NOT BETWEEN 22 AND 165",
        }
        rows = duckdb("SELECT " + ", ".join(f"(SELECT count(*) FROM {where}) AS {name}"
                                            for name, where in none_of.items()) +
                      f", (SELECT count(DISTINCT event_type) FROM {events}) AS event_types")
        self.assertEqual(rows, [dict({name: "0" for name in none_of}, event_types="5")])


class Options(unittest.TestCase):
    def refused(self, *args, says):
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "out")
            proc = subprocess.run([PROGRAM, "--out", out, *args], capture_output=True, text=True, timeout=60)
            self.assertEqual(proc.returncode, 2, proc.stderr)
            self.assertIn(says, proc.stderr)
            self.assertEqual(proc.stdout, "")
            self.assertFalse(os.path.exists(out))

    def test_bad_numbers_are_refused(self):
        self.refused("--customers", "0",
                     says="--customers takes a whole number from 1 to 1000000 (customers), got '0'")
        self.refused("--events", "-5", says="--events takes a whole number from 1 to 10000000")
        self.refused("--events", "1e5", says="got '1e5'")
        self.refused("--titles", "", says="--titles takes a whole number")
        self.refused("--days", "367", says="--days takes a whole number from 1 to 366")
        self.refused("--seed", "99999999999999999999", says="--seed takes a whole number from 0 to")
        self.refused("--campaigns", " 5", says="--campaigns takes")

    def test_bad_dates_flags_and_values_are_refused(self):
        self.refused("--start-date", "2024-02-30", says="--start-date takes a date YYYY-MM-DD")
        self.refused("--start-date", "24-01-01", says="--start-date takes a date")
        self.refused("--rows", "5", says="unknown option '--rows'")
        self.refused("--seed", says="--seed needs a value")

    def test_a_folder_it_cannot_write_is_exit_1(self):
        with tempfile.NamedTemporaryFile() as blocker:  # a file where a folder would go
            proc = subprocess.run([PROGRAM, "--out", os.path.join(blocker.name, "lake"), "--events", "10"],
                                  capture_output=True, text=True, timeout=60)
        self.assertEqual(proc.returncode, 1)
        self.assertIn("cannot write " + os.path.join(blocker.name, "lake", "customers"), proc.stderr)
        self.assertEqual(proc.stdout, "")

    def test_help(self):
        proc = subprocess.run([PROGRAM, "--help"], capture_output=True, text=True, timeout=60)
        self.assertEqual(proc.returncode, 0)
        self.assertIn("--out DIR", proc.stdout)
        self.assertIn("default 10000", proc.stdout)


SMALL = {"seed": 5, "customers": 200, "titles": 30, "events": 3000, "campaigns": 4, "days": 3,
         "start_date": "2024-02-28"}


class Lambda(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.moto = MotoServer()
        cls.addClassCleanup(cls.moto.stop)
        cls.s3 = boto3.client("s3", endpoint_url=cls.moto.endpoint, region_name=REGION,
                              aws_access_key_id=KEY, aws_secret_access_key=SECRET)
        cls.s3.create_bucket(Bucket=BUCKET)

    def invoke(self, event, **env):
        base = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "LAKEC_"))}
        base.update(AWS_REGION=REGION, AWS_ACCESS_KEY_ID=KEY, AWS_SECRET_ACCESS_KEY=SECRET,
                    AWS_ENDPOINT_URL=self.moto.endpoint, LAKEC_WRITE_BUCKET=BUCKET, LAKEC_WRITE_PREFIX="data/")
        base.update(env)
        base = {k: v for k, v in base.items() if v is not None}
        api = FakeRuntimeApi([("req-1", json.dumps(event).encode())])
        try:
            proc = subprocess.run([PROGRAM], env=dict(base, AWS_LAMBDA_RUNTIME_API=api.address),
                                  capture_output=True, text=True, timeout=300)
        finally:
            api.stop()
        self.assertNotRegex(proc.stderr, "Sanitizer|runtime error:")
        self.assertIn("req-1", api.results, proc.stderr)
        kind, body, _ = api.results["req-1"]
        return kind, json.loads(body)

    def test_writes_the_local_runs_objects_under_the_prefix(self):
        kind, answer = self.invoke(SMALL)
        self.assertEqual(kind, "response", answer)
        self.assertEqual((answer["bucket"], answer["prefix"]), (BUCKET, "data/"))
        with tempfile.TemporaryDirectory() as tmp:
            local = generate(tmp, *[a for k, v in SMALL.items() for a in ("--" + k.replace("_", "-"), str(v))])
            expected = files_under(tmp)
        self.assertEqual(answer["files"], local["files"])
        dates = ["2024-02-28", "2024-02-29", "2024-03-01"]  # a leap year
        self.assertEqual(sorted(expected), sorted(TABLE_KEYS[:3] + ["telemetry/date=%s/part-00000.parquet" % d
                                                                    for d in dates]))
        for key, data in expected.items():
            obj = self.s3.get_object(Bucket=BUCKET, Key="data/" + key)
            self.assertEqual(obj["ContentType"], "application/vnd.apache.parquet")
            self.assertEqual(obj["Body"].read(), data, key)

    def test_bad_events_and_settings_are_errors(self):
        kind, answer = self.invoke({"customers": 0})
        self.assertEqual((kind, answer["errorType"]), ("error", "InvalidEvent"))
        self.assertIn("customers takes a whole number from 1 to 1000000", answer["errorMessage"])
        kind, answer = self.invoke({"customer": 10})
        self.assertEqual((kind, answer["errorType"]), ("error", "InvalidEvent"))
        self.assertIn("unknown option 'customer'", answer["errorMessage"])
        kind, answer = self.invoke({"start_date": "2024-13-01"})
        self.assertEqual((kind, answer["errorType"]), ("error", "InvalidEvent"))
        kind, answer = self.invoke({}, LAKEC_WRITE_BUCKET=None)
        self.assertEqual((kind, answer["errorType"]), ("error", "Configuration"))
        kind, answer = self.invoke({}, LAKEC_WRITE_PREFIX="data")
        self.assertEqual((kind, answer["errorType"]), ("error", "Configuration"))
        kind, answer = self.invoke({"events": 10}, LAKEC_WRITE_BUCKET="no-such-bucket")
        self.assertEqual((kind, answer["errorType"]), ("error", "S3Error"), answer)
        self.assertIn("s3://no-such-bucket/data/customers/part-00000.parquet", answer["errorMessage"])


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
