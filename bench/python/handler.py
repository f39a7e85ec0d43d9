#!/usr/bin/env python3
"""The Python counterpart of lakec's C handlers, for bench/handlers.py only:
the same Lambda Runtime API loop and the same three jobs (ingest, process,
query) with boto3, the way such handlers are usually written. It does what
the C programs do against the same services, so that their start-up time and
memory can be compared run for run.

usage: handler.py ingest|process|query   (AWS_LAMBDA_RUNTIME_API set)
"""
import datetime
import json
import os
import random
import re
import sys
import time
import urllib.request

import boto3

HEADER = "timestamp,service,requests,errors,latency_ms_p50,latency_ms_p99"


def s3():
    return boto3.client("s3")


def ingest(event, _deadline):
    bucket, service = os.environ["LAKEC_BUCKET_DATA"], os.environ.get("SERVICE_NAME", "metrics")
    t = datetime.datetime.strptime(event["time"][:19], "%Y-%m-%dT%H:%M:%S")
    rng = random.Random(f"{service} {t:%Y%m%d%H%M}")
    requests, errors = 500 + rng.randrange(1500), rng.randrange(20)
    p50 = 20 + rng.randrange(4000) / 100
    p99 = p50 * 3 + rng.randrange(10000) / 100
    body = f"{HEADER}\n{t:%Y-%m-%dT%H:%M}:00Z,{service},{requests},{errors},{p50:.2f},{p99:.2f}\n"
    key = f"raw/year={t:%Y}/month={t:%m}/day={t:%d}/hour={t:%H}/{service}-{t:%H-%M}_.csv"
    s3().put_object(Bucket=bucket, Key=key, Body=body.encode(), ContentType="text/csv")
    return {"bucket": bucket, "key": key, "bytes": len(body)}


def csv_problem(text):
    lines = text.split("\n")
    if lines[0].rstrip("\r") != HEADER:
        return f"the first line is not the header '{HEADER}'"
    rows = 0
    for n, line in enumerate(lines[1:], start=2):
        fields = line.rstrip("\r").split(",")
        if fields == [""]:
            continue
        if len(fields) != 6:
            return f"line {n} does not have 6 fields"
        if len(fields[0]) < 10 or not fields[1] or not all(f.isdigit() for f in fields[2:4]) \
                or not all(re.fullmatch(r"\d+(\.\d*)?|\.\d+", f) for f in fields[4:6]):
            return f"line {n} is not valid"
        rows += 1
    return None if rows else "there is no data row"


def process(event, _deadline):
    bucket, key = event["detail"]["bucket"]["name"], event["detail"]["object"]["key"]
    client = s3()
    body = client.get_object(Bucket=bucket, Key=key)["Body"].read()
    problem = csv_problem(body.decode("utf-8", "replace"))
    dest = ("quarantine/" if problem else "processed/") + key[len("raw/"):]
    extra = {"Metadata": {"lakec-quarantine-reason": problem}, "MetadataDirective": "REPLACE"} if problem else {}
    client.copy_object(Bucket=bucket, Key=dest, CopySource={"Bucket": bucket, "Key": key}, **extra)
    client.delete_object(Bucket=bucket, Key=key)
    crawler = next((v for k, v in os.environ.items() if k.startswith("LAKEC_CRAWLER_")), None)
    if crawler and not problem:
        glue = boto3.client("glue")
        try:
            glue.start_crawler(Name=crawler)
        except glue.exceptions.CrawlerRunningException:
            pass
    return {"status": "quarantined" if problem else "processed", "from": key, "to": dest}


def query(event, deadline):
    params = event.get("queryStringParameters") or {}
    athena = boto3.client("athena")
    # the C handler's query: the time bound, and the partition bound that prunes
    start = f"{params['from']}T00:00:00Z"
    sql = ("SELECT timestamp, service, requests, errors, latency_ms_p50, latency_ms_p99 FROM processed"
           " WHERE 1 = 1 AND service = ? AND timestamp >= ? AND (year || month || day || hour) >= ?"
           " ORDER BY timestamp DESC LIMIT " + str(int(params.get("limit", 100))))
    qid = athena.start_query_execution(
        QueryString=sql, QueryExecutionContext={"Database": os.environ["LAKEC_DATABASE"]},
        WorkGroup=os.environ["LAKEC_WORKGROUP"],
        ExecutionParameters=[f"'{params['service']}'", f"'{start}'",
                             f"'{start[0:4]}{start[5:7]}{start[8:10]}{start[11:13]}'"])["QueryExecutionId"]
    delay = 0.05
    while True:
        state = athena.get_query_execution(QueryExecutionId=qid)["QueryExecution"]["Status"]["State"]
        if state in ("SUCCEEDED", "FAILED", "CANCELLED") or time.time() * 1000 + delay * 1000 > deadline:
            break
        time.sleep(delay)
        delay = min(delay * 2, 1)
    rows = athena.get_query_results(QueryExecutionId=qid)["ResultSet"]["Rows"]
    names = [c.get("VarCharValue") for c in rows[0]["Data"]] if rows else []
    out = [dict(zip(names, (c.get("VarCharValue") for c in r["Data"]))) for r in rows[1:]]
    return {"statusCode": 200, "headers": {"Content-Type": "application/json",
                                           "Access-Control-Allow-Origin": "*"},
            "body": json.dumps({"rows": out, "query_execution_id": qid})}


def main():
    handle = {"ingest": ingest, "process": process, "query": query}[sys.argv[1]]
    api = "http://" + os.environ["AWS_LAMBDA_RUNTIME_API"] + "/2018-06-01/runtime/invocation/"
    while True:
        try:
            with urllib.request.urlopen(api + "next") as r:
                request_id = r.headers["Lambda-Runtime-Aws-Request-Id"]
                deadline = int(r.headers["Lambda-Runtime-Deadline-Ms"])
                event = json.loads(r.read())
        except urllib.error.HTTPError:
            return 1
        try:
            path, body = "response", json.dumps(handle(event, deadline))
        except Exception as e:  # noqa: BLE001 - reported to the runtime, as Lambda's own clients do
            path, body = "error", json.dumps({"errorType": type(e).__name__, "errorMessage": str(e)})
        urllib.request.urlopen(urllib.request.Request(api + request_id + "/" + path, data=body.encode(),
                                                      method="POST")).close()


if __name__ == "__main__":
    sys.exit(main())
