-- Performance against national standards: a numerator and denominator per organisation,
-- metric and month (A&E 4-hour, RTT and the like). Organisations are as the source reports
-- them, so codes need not be in the organisations table (walk-in centres, merged trusts);
-- the name is the source's, when it gives one.

CREATE TABLE performance_measures (
    org_code    TEXT NOT NULL,
    metric      TEXT NOT NULL,
    period      TEXT NOT NULL,
    numerator   BIGINT NOT NULL,
    denominator BIGINT NOT NULL,
    source      TEXT NOT NULL,
    org_name    TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (org_code, metric, period)
);
CREATE INDEX performance_measures_metric ON performance_measures (metric, org_code);
