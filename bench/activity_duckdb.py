"""The activity monitoring rules in DuckDB SQL: validate, de-duplicate, price, summarise.

Usage: python activity_duckdb.py INPUT(.csv|.parquet) TARIFF MFF COMMISSIONER SUMMARY_OUT CHALLENGES_OUT
Writes the same summary and challenges CSVs as `commissioner activity price`, and prints
the seconds the query took. Run by bench/activity.sh, which compares the outputs.
"""
import sys
import time

import duckdb

source, tariff, mff, commissioner, summary_out, challenges_out = sys.argv[1:7]
reader = (
    f"read_parquet('{source}')" if source.endswith(".parquet")
    else f"read_csv('{source}', all_varchar = true, header = true, auto_detect = false, columns = {{"
    + ", ".join(f"'{c}': 'VARCHAR'" for c in [
        "record_id", "provider_code", "commissioner_code", "patient_id", "lsoa_code", "age", "sex", "pod", "tfc", "hrg",
        "activity_date", "los"]) + "})"
)

started = time.perf_counter()
con = duckdb.connect()
con.execute(f"""
CREATE TEMP TABLE tariff AS
  SELECT hrg, pod, CAST(unit_price AS DECIMAL(18, 2)) AS unit_price,
         TRY_CAST(NULLIF(trim_point_days, '') AS INTEGER) AS trim_days,
         TRY_CAST(NULLIF(excess_bed_day_price, '') AS DECIMAL(18, 2)) AS excess
  FROM read_csv('{tariff}', all_varchar = true, header = true);
CREATE TEMP TABLE mff AS
  SELECT provider_code, CAST(mff AS DECIMAL(18, 12)) AS mff FROM read_csv('{mff}', all_varchar = true, header = true);
CREATE TEMP TABLE outcome AS
WITH raw AS (
  SELECT row_number() OVER () AS line,
    COALESCE(record_id, '') AS record_id, COALESCE(provider_code, '') AS provider_code,
    COALESCE(commissioner_code, '') AS commissioner_code, COALESCE(lsoa_code, '') AS lsoa_code,
    COALESCE(CAST(age AS VARCHAR), '') AS age, COALESCE(CAST(sex AS VARCHAR), '') AS sex, COALESCE(pod, '') AS pod,
    COALESCE(CAST(tfc AS VARCHAR), '') AS tfc, COALESCE(hrg, '') AS hrg,
    COALESCE(CAST(activity_date AS VARCHAR), '') AS activity_date, COALESCE(CAST(los AS VARCHAR), '') AS los
  FROM {reader}
), checked AS (
  SELECT *,
    record_id = ''
      OR NOT regexp_full_match(age, '[0-9]{{1,3}}') OR TRY_CAST(age AS INTEGER) > 125
      OR sex NOT IN ('1', '2', '9')
      OR NOT regexp_full_match(activity_date, '[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}') OR TRY_CAST(activity_date AS DATE) IS NULL
      OR NOT regexp_full_match(lsoa_code, '(E01|W01)[0-9]{{6}}')
      OR NOT regexp_full_match(los, '[0-9]{{1,9}}')
      OR pod NOT IN ('EL', 'DC', 'NEL', 'OPFA', 'OPFU', 'OPPROC', 'AE')
      OR NOT regexp_full_match(tfc, '[0-9]{{3}}') AS invalid,
    row_number() OVER (PARTITION BY provider_code, record_id ORDER BY line) AS occurrence
  FROM raw
)
SELECT c.line, c.record_id, c.provider_code, c.pod, substr(c.activity_date, 1, 7) AS month, c.los,
  CASE WHEN c.invalid THEN 'invalid_field'
       WHEN c.occurrence > 1 THEN 'duplicate_record'
       WHEN c.commissioner_code <> '{commissioner}' THEN 'wrong_commissioner'
       WHEN t.hrg IS NULL THEN 'no_tariff'
  END AS reason,
  ROUND((t.unit_price + CASE WHEN c.pod IN ('EL', 'NEL') AND t.trim_days IS NOT NULL AND t.excess IS NOT NULL
                             THEN greatest(0, CAST(c.los AS INTEGER) - t.trim_days) * t.excess ELSE 0 END)
        * COALESCE(m.mff, 1), 2) AS price
FROM checked c
LEFT JOIN tariff t ON t.hrg = c.hrg AND t.pod = c.pod
LEFT JOIN mff m ON m.provider_code = c.provider_code;
COPY (
  SELECT provider_code, pod, month, COUNT(*) AS activity, CAST(SUM(price) AS DECIMAL(38, 2)) AS value,
         SUM(CAST(los AS BIGINT)) AS los_days
  FROM outcome WHERE reason IS NULL
  GROUP BY provider_code, pod, month ORDER BY provider_code, pod, month
) TO '{summary_out}' (HEADER, DELIMITER ',');
COPY (SELECT NULLIF(record_id, '') AS record_id, NULLIF(provider_code, '') AS provider_code, reason, line FROM outcome WHERE reason IS NOT NULL ORDER BY line)
  TO '{challenges_out}' (HEADER, DELIMITER ',');
""")
print(f"{time.perf_counter() - started:.2f}")
