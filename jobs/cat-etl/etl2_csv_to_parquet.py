"""ETL-2 of the CAT data platform (a Glue 4.0 PySpark job): the CSV files
ETL-1 writes under --SOURCE_PATH (one a day, in dt=YYYY-MM-DD/ folders)
become Parquet under --TARGET_PATH, partitioned by dt so the crawler makes
partitions of them. Job bookmarks (lakec turns them on) make each run read
only the CSV files earlier runs did not: a file is converted once.

It runs only on AWS Glue (awsglue and pyspark exist there); the tests compile
it and check the job's arguments against the names it reads below.
"""
import sys

from awsglue.context import GlueContext
from awsglue.job import Job
from awsglue.utils import getResolvedOptions
from pyspark.context import SparkContext

ARGS = getResolvedOptions(sys.argv, ["JOB_NAME", "SOURCE_PATH", "TARGET_PATH"])

glue = GlueContext(SparkContext.getOrCreate())
job = Job(glue)
job.init(ARGS["JOB_NAME"], ARGS)

# The dt=YYYY-MM-DD folders become the column dt (Hive-style partitions);
# transformation_ctx names the source for the bookmarks.
conversations = glue.create_dynamic_frame.from_options(
    connection_type="s3",
    connection_options={"paths": [ARGS["SOURCE_PATH"]], "recurse": True},
    format="csv",
    format_options={"withHeader": True, "separator": ",", "quoteChar": '"', "multiLine": True},
    transformation_ctx="clean_csv",
)

if conversations.count() > 0:
    glue.write_dynamic_frame.from_options(
        frame=conversations,
        connection_type="s3",
        connection_options={"path": ARGS["TARGET_PATH"], "partitionKeys": ["dt"]},
        format="parquet",
        format_options={"compression": "snappy"},
        transformation_ctx="curated_parquet",
    )

job.commit()
