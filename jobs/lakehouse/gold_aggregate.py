"""Gold step of the lakehouse (a Glue 5.0 PySpark job on Apache Iceberg):
the silver orders summed per day and status into the Iceberg table
gold.daily_order_summary. Each run recomputes the days present in silver and
replaces exactly those partitions (overwritePartitions), so a re-run gives
the same table.

The Iceberg catalog (glue_catalog) and Spark's Iceberg extensions come from
the job's --datalake-formats and --conf arguments, which lakec derives from
the tables the job reads and writes.

It runs only on AWS Glue (awsglue and pyspark exist there); the tests compile
it and check the job's arguments against the names it reads below.
"""
import sys

from awsglue.context import GlueContext
from awsglue.job import Job
from awsglue.utils import getResolvedOptions
from pyspark.context import SparkContext
from pyspark.sql import functions as F

ARGS = getResolvedOptions(
    sys.argv, ["JOB_NAME", "silver_database", "silver_table", "gold_database", "gold_table"])

glue = GlueContext(SparkContext.getOrCreate())
spark = glue.spark_session
job = Job(glue)
job.init(ARGS["JOB_NAME"], ARGS)

silver = spark.table(f"glue_catalog.{ARGS['silver_database']}.{ARGS['silver_table']}")

summary = (
    # status is required in gold: an order without one is counted as "unknown"
    silver.groupBy(F.to_date("updated_at").alias("order_date"),
                   F.coalesce(F.col("status"), F.lit("unknown")).alias("status"))
    .agg(
        F.count(F.lit(1)).alias("order_count"),
        F.sum("amount").cast("decimal(18,2)").alias("total_amount"),
    )
    .withColumn("refreshed_at", F.current_timestamp())
    .select("order_date", "status", "order_count", "total_amount", "refreshed_at")
)

summary.writeTo(
    f"glue_catalog.{ARGS['gold_database']}.{ARGS['gold_table']}").overwritePartitions()

job.commit()
