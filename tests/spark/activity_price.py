"""Runs crates/analytics/sql/activity_price.sql on Apache Spark over activity Parquet files
and writes the summary and challenges CSVs of `commissioner activity price`.

Local mode (tests): python activity_price.py --tariff T --mff M --commissioner Q99 \
    --summary-out S --challenges-out C INPUT.parquet [INPUT.parquet ...]
On a cluster: spark-submit --master yarn (or k8s://...) tests/spark/activity_price.py ...
with INPUT paths on shared storage (hdfs://, s3a://); see docs/spark.md.
"""
import argparse
import csv
import pathlib

from pyspark.sql import SparkSession, functions as F

parser = argparse.ArgumentParser()
parser.add_argument("--tariff", required=True)
parser.add_argument("--mff", required=True)
parser.add_argument("--commissioner", default="")
parser.add_argument("--period", default="")
parser.add_argument("--summary-out", required=True)
parser.add_argument("--challenges-out", required=True)
parser.add_argument("--master", default=None)
parser.add_argument("inputs", nargs="+")
args = parser.parse_args()

builder = SparkSession.builder.appName("commissioner-activity-price").config("spark.sql.ansi.enabled", "false")
if args.master:
    builder = builder.master(args.master)
spark = builder.getOrCreate()
spark.sparkContext.setLogLevel("ERROR")

COLUMNS = ["record_id", "provider_code", "commissioner_code", "patient_id", "lsoa_code", "age", "sex", "pod", "tfc",
           "hrg", "activity_date", "los"]
frames = []
for file_order, path in enumerate(args.inputs):
    frame = spark.read.parquet(path)
    frame = frame.select([F.coalesce(F.col(c).cast("string"), F.lit("")).alias(c) for c in COLUMNS])
    # Row order within a file: ids grow with the file's splits, which Spark reads in order.
    frames.append(frame.withColumn("file_order", F.lit(file_order)).withColumn("row_order", F.monotonically_increasing_id()))
activity = frames[0]
for frame in frames[1:]:
    activity = activity.unionByName(frame)
activity.createOrReplaceTempView("activity")

tariff = spark.read.option("header", True).csv(args.tariff)
tariff.selectExpr(
    "hrg", "pod", "CAST(unit_price AS DECIMAL(18, 2)) AS unit_price",
    "CAST(NULLIF(trim_point_days, '') AS INT) AS trim_days",
    "CAST(NULLIF(excess_bed_day_price, '') AS DECIMAL(18, 2)) AS excess",
).createOrReplaceTempView("tariff")
spark.read.option("header", True).csv(args.mff).selectExpr(
    "provider_code", "CAST(mff AS DECIMAL(18, 12)) AS mff"
).createOrReplaceTempView("mff")

sql_path = pathlib.Path(__file__).resolve().parents[2] / "crates" / "analytics" / "sql" / "activity_price.sql"
text = sql_path.read_text().replace("{commissioner}", args.commissioner).replace("{period}", args.period)
statements = [s.strip() for s in text.split(";") if s.strip() and not all(l.startswith("--") for l in s.strip().splitlines())]
*views, summary_sql, challenges_sql = statements
for statement in views:
    spark.sql(statement)


def write(path, header, rows):
    with open(path, "w", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow(["" if value is None else value for value in row])


write(args.summary_out, ["provider_code", "pod", "month", "activity", "value", "los_days"],
      [(r.provider_code, r.pod, r.month, r.activity, f"{r.value:.2f}", r.los_days) for r in spark.sql(summary_sql).collect()])
write(args.challenges_out, ["record_id", "provider_code", "reason", "line"],
      [tuple(r) for r in spark.sql(challenges_sql).collect()])
spark.stop()
