-- RTT completed pathways by weeks waited: one row per month, pathway (admitted or
-- non_admitted), provider and treatment function, the 105 weekly bands (more than k and up
-- to k + 1 weeks, then over 104) as comma-separated counts. The all-specialty total (C_999)
-- is checked on import and not stored, so sums over treatment functions never double count.

CREATE TABLE rtt_pathways (
    period                  TEXT NOT NULL,
    pathway                 TEXT NOT NULL,
    provider_code           TEXT NOT NULL,
    provider_name           TEXT NOT NULL,
    region_code             TEXT NOT NULL,
    treatment_function_code TEXT NOT NULL,
    treatment_function_name TEXT NOT NULL,
    bands                   TEXT NOT NULL,
    completed_all           BIGINT NOT NULL,
    PRIMARY KEY (period, pathway, provider_code, treatment_function_code)
);
