"""Silver step of the lakehouse (a Glue 5.0 PySpark job on Apache Iceberg):
the raw JSON Lines the extract function wrote to the bronze bucket become
typed, de-duplicated rows MERGEd into the Iceberg table silver.orders, an
upsert on order_id that keeps the newest version of each order.

--bronze_prefix is the folder the job reads: the job's default argument is
the whole raw/orders/ folder (a manual run reprocesses everything, which the
MERGE makes harmless); the pipeline's Silver step passes the one date
partition that its Extract step wrote. The Iceberg catalog (glue_catalog),
its warehouse and Spark's Iceberg extensions come from the job's
--datalake-formats and --conf arguments, which lakec derives from the tables
the job reads and writes.

It runs only on AWS Glue (awsglue and pyspark exist there); the tests compile
it and check the job's arguments against the names it reads below.
"""
import sys

from awsglue.context import GlueContext
from awsglue.job import Job
from awsglue.utils import getResolvedOptions
from pyspark.context import SparkContext
from pyspark.sql import Window
from pyspark.sql import functions as F

ARGS = getResolvedOptions(
    sys.argv, ["JOB_NAME", "bronze_bucket", "bronze_prefix", "silver_database", "silver_table"])

glue = GlueContext(SparkContext.getOrCreate())
spark = glue.spark_session
job = Job(glue)
job.init(ARGS["JOB_NAME"], ARGS)

source = f"s3://{ARGS['bronze_bucket']}/{ARGS['bronze_prefix']}"
target = f"glue_catalog.{ARGS['silver_database']}.{ARGS['silver_table']}"


def merge_new_orders():
    """The folder's orders, typed, cleaned and de-duplicated, MERGEd into silver."""
    raw = spark.read.option("recursiveFileLookup", "true").json(source)

    # Typed and cleaned: an order without an id or a time cannot be merged.
    orders = (
        raw.select(
            F.col("order_id").cast("string").alias("order_id"),
            F.col("customer_id").cast("string").alias("customer_id"),
            F.lower(F.trim(F.col("status"))).alias("status"),
            F.col("amount").cast("decimal(12,2)").alias("amount"),
            F.upper(F.trim(F.col("currency"))).alias("currency"),
            F.to_timestamp("updated_at").alias("updated_at"),
        )
        .where(F.col("order_id").isNotNull() & F.col("updated_at").isNotNull())
        .withColumn("ingested_at", F.current_timestamp())
    )

    # One row per order: the newest version (the source re-sends updated orders).
    newest = Window.partitionBy("order_id").orderBy(F.col("updated_at").desc())
    latest = orders.withColumn("rank", F.row_number().over(newest)).where("rank = 1").drop("rank")
    latest.createOrReplaceTempView("incoming_orders")

    spark.sql(f"""
        MERGE INTO {target} AS t
        USING incoming_orders AS s
        ON t.order_id = s.order_id
        WHEN MATCHED AND s.updated_at >= t.updated_at THEN UPDATE SET *
        WHEN NOT MATCHED THEN INSERT *
    """)


# A day the source had no new orders, Extract writes nothing: there is no
# folder to read, and nothing to merge.
hadoop = spark.sparkContext._jvm.org.apache.hadoop
folder = hadoop.fs.Path(source)
if folder.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration()).exists(folder):
    merge_new_orders()
else:
    print(f"nothing under {source}: no new orders")

job.commit()
