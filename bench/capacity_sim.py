"""The waiting-list simulator of bench/capacity_sim.sh in numpy: the same cohort model as
commissioning::methods::simulate (each week: withdrawals, Poisson referrals per class, the
week's slots to the urgent class first and first come first served within a class),
vectorised over the replications. Reads configs.json, writes python.json, prints timings."""

import json
import sys
import time

import numpy as np


def season(config, profile, week):
    if len(profile) == 12:
        return profile[(config["start_month"] - 1 + week * 12 // 52) % 12]
    if len(profile) == 52:
        return profile[week % 52]
    return 1.0


def simulate(config, rng):
    reps = config["replications"]
    weeks = config["horizon_weeks"]
    classes = config["classes"]
    total_share = sum(c["share"] for c in classes)
    p = config["withdrawal_prob"]
    queues = []
    for c in classes:
        initial = c["initial_waiting"]
        width = len(initial) + weeks
        cohorts = np.zeros((reps, width), dtype=np.int64)
        # Column j holds the cohort referred in week j - len(initial); initial[k] waited k weeks.
        for k, count in enumerate(initial):
            cohorts[:, len(initial) - 1 - k] = count
        queues.append((cohorts, len(initial), c["standard_weeks"], c["share"] / total_share))
    queue_out = np.zeros((weeks, reps), dtype=np.int64)
    breach_out = np.zeros((weeks, reps), dtype=np.int64)
    cumulative = 0.0
    for week in range(weeks):
        demand = config["demand"] * season(config, config["demand_seasonality"], week)
        capacity = config["capacity"] * season(config, config["capacity_seasonality"], week)
        before = np.floor(cumulative)
        cumulative += capacity
        slots = np.full(reps, int(np.floor(cumulative) - before), dtype=np.int64)
        for cohorts, offset, _, share in queues:
            live = cohorts[:, : offset + week]
            if p > 0:
                live -= rng.binomial(live, p)
            cohorts[:, offset + week] = rng.poisson(demand * share, reps)
        for cohorts, offset, _, _ in queues:
            live = cohorts[:, : offset + week + 1]
            cum = np.cumsum(live, axis=1)
            left = np.maximum(cum - slots[:, None], 0)
            served = cum[:, -1] - left[:, -1]
            live[:, :] = np.diff(left, axis=1, prepend=0)
            slots -= served
        size = np.zeros(reps, dtype=np.int64)
        breached = np.zeros(reps, dtype=np.int64)
        for cohorts, offset, standard, _ in queues:
            size += cohorts.sum(axis=1)
            # The cohort of column j was referred in week j - offset; at the end of this week it
            # breaches when week - (j - offset) + 1 > standard.
            last = int(np.floor(week + offset + 1 - standard - 1e-12))
            if last >= 0:
                breached += cohorts[:, : last + 1].sum(axis=1)
        queue_out[week] = size
        breach_out[week] = breached
    return queue_out, breach_out


def main():
    out = sys.argv[1]
    configs = json.load(open(f"{out}/configs.json"))
    best = float("inf")
    for _ in range(int(sys.argv[2]) if len(sys.argv) > 2 else 1):
        started = time.perf_counter()
        summary = []
        for i, config in enumerate(configs):
            rng = np.random.default_rng(config["seed"])
            queue, breaches = simulate(config, rng)
            # Percentiles across replications for every week, as the Rust run reports.
            spread = np.percentile(queue, config["percentiles"], axis=1)
            np.percentile(breaches, config["percentiles"], axis=1)
            summary.append(
                {
                    "queue_mean": float(queue[-1].mean()),
                    "queue_median": float(spread[3, -1]),
                    "breaches_mean": float(breaches[-1].mean()),
                }
            )
        best = min(best, time.perf_counter() - started)
    json.dump(summary, open(f"{out}/python.json", "w"))
    print(json.dumps({"seconds": round(best, 4), "numpy": np.__version__}))


main()
