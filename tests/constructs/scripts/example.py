"""A small PySpark Glue job: CSV under the source prefix to Parquet under the
target prefix, with job bookmarks (tests/constructs/jobs.yaml runs it)."""
import sys

from awsglue.context import GlueContext
from awsglue.job import Job
from awsglue.utils import getResolvedOptions
from pyspark.context import SparkContext

args = getResolvedOptions(sys.argv, ["JOB_NAME", "source", "target"])
glue = GlueContext(SparkContext.getOrCreate())
job = Job(glue)
job.init(args["JOB_NAME"], args)
rows = glue.create_dynamic_frame.from_options(
    connection_type="s3",
    connection_options={"paths": [args["source"]]},
    format="csv",
    format_options={"withHeader": True},
    transformation_ctx="rows",
)
glue.write_dynamic_frame.from_options(
    frame=rows,
    connection_type="s3",
    connection_options={"path": args["target"]},
    format="parquet",
)
job.commit()
