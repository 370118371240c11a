-- The activity monitoring rules in Spark SQL: the scale-out twin of the Rust engine
-- (crates/analytics/src/rules.rs and engine.rs). Run by tests/spark/activity_price.py, which
-- registers the views `activity` (every submitted column as text, plus file_order and
-- row_order giving argument and file order), `tariff` and `mff`, and substitutes
-- {commissioner} and {period} ('' means "do not check"). Spark's ANSI mode must be off, so
-- that an unreadable value casts to NULL instead of failing the job.
-- Rules, first failing wins: invalid_field, duplicate_record, wrong_commissioner,
-- out_of_period, no_tariff. Prices: (unit + excess days x excess price) x MFF, rounded
-- half away from zero to the penny per row, then summed.

CREATE OR REPLACE TEMPORARY VIEW numbered AS
SELECT a.*,
  row_number() OVER (PARTITION BY file_order ORDER BY row_order) AS line,
  row_number() OVER (ORDER BY file_order, row_order) AS ord
FROM activity a;

CREATE OR REPLACE TEMPORARY VIEW checked AS
SELECT n.*,
  (record_id = ''
    OR NOT age RLIKE '^[0-9]{1,3}$' OR CAST(age AS INT) > 125
    OR sex NOT IN ('1', '2', '9')
    OR NOT activity_date RLIKE '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' OR to_date(activity_date, 'yyyy-MM-dd') IS NULL
    OR NOT lsoa_code RLIKE '^(E01|W01)[0-9]{6}$'
    OR NOT los RLIKE '^[0-9]{1,9}$'
    OR pod NOT IN ('EL', 'DC', 'NEL', 'OPFA', 'OPFU', 'OPPROC', 'AE')
    OR NOT tfc RLIKE '^[0-9]{3}$') AS invalid,
  row_number() OVER (PARTITION BY provider_code, record_id ORDER BY ord) AS occurrence
FROM numbered n;

CREATE OR REPLACE TEMPORARY VIEW outcome AS
SELECT c.ord, c.line, c.record_id, c.provider_code, c.pod, substr(c.activity_date, 1, 7) AS month, c.los,
  CASE WHEN c.invalid THEN 'invalid_field'
       WHEN c.occurrence > 1 THEN 'duplicate_record'
       WHEN '{commissioner}' <> '' AND c.commissioner_code <> '{commissioner}' THEN 'wrong_commissioner'
       WHEN '{period}' <> '' AND substr(c.activity_date, 1, 7) <> '{period}' THEN 'out_of_period'
       WHEN t.hrg IS NULL THEN 'no_tariff'
  END AS reason,
  ROUND((t.unit_price + CASE WHEN c.pod IN ('EL', 'NEL') AND t.trim_days IS NOT NULL AND t.excess IS NOT NULL
                             THEN greatest(0, CAST(c.los AS INT) - t.trim_days) * t.excess ELSE 0 END)
        * COALESCE(m.mff, CAST(1 AS DECIMAL(18, 12))), 2) AS price
FROM checked c
LEFT JOIN tariff t ON t.hrg = c.hrg AND t.pod = c.pod
LEFT JOIN mff m ON m.provider_code = c.provider_code;

-- summary
SELECT provider_code, pod, month, COUNT(*) AS activity, CAST(SUM(price) AS DECIMAL(38, 2)) AS value,
       SUM(CAST(los AS BIGINT)) AS los_days
FROM outcome WHERE reason IS NULL
GROUP BY provider_code, pod, month ORDER BY provider_code, pod, month;

-- challenges
SELECT record_id, provider_code, reason, line FROM outcome WHERE reason IS NOT NULL ORDER BY ord;
