"""The national small-area DSR benchmark in numpy and scipy: the same Dobson DSRs with 95%
and 99.8% limits (PHEindicatormethods' calculate_dsr, always Byar's, NA below 10 events)
on the inputs written by the Rust benchmark, timed best of three, then checked against the
Rust results to 1e-9 relative. Usage: needs_dsr.py DIR"""

import json
import sys
import time

import numpy as np
from scipy.stats import norm

ESP2013 = np.array([5000, 5500, 5500, 5500, 6000, 6000, 6500, 7000, 7000, 7000, 7000, 6500, 6000, 5500, 5000,
                    4000, 2500, 1500, 1000], dtype=np.float64)


def dsr(x, n, multiplier=100000.0):
    total_weight = ESP2013.sum()
    ratio = ESP2013 / n
    weighted = (x * ratio).sum(axis=1)
    squares = (x * ratio * ratio).sum(axis=1)
    observed = x.sum(axis=1)
    value = weighted / total_weight * multiplier
    with np.errstate(divide="ignore", invalid="ignore"):
        spread = np.sqrt(squares / total_weight**2 / observed) * multiplier
        out = [observed, value]
        for level in (0.95, 0.998):
            z = norm.ppf(level + (1 - level) / 2)
            lower = observed * (1 - 1 / (9 * observed) - z / (3 * np.sqrt(observed))) ** 3
            lower = np.where((observed > 0) & (lower >= 0), lower, np.nan)
            upper = (observed + 1) * (1 - 1 / (9 * (observed + 1)) + z / (3 * np.sqrt(observed + 1))) ** 3
            out += [value + spread * (lower - observed), value + spread * (upper - observed)]
    small = observed < 10
    for column in out[1:]:
        column[small] = np.nan
    return np.column_stack(out)


def main():
    directory = sys.argv[1]
    x = np.fromfile(f"{directory}/x.f64", dtype="<f8").reshape(-1, 19)
    n = np.fromfile(f"{directory}/n.f64", dtype="<f8").reshape(-1, 19)
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        result = dsr(x, n)
        best = min(best, time.perf_counter() - started)
    rust = np.fromfile(f"{directory}/result.f64", dtype="<f8").reshape(-1, 6)
    same_missing = bool(np.array_equal(np.isnan(rust), np.isnan(result)))
    both = ~np.isnan(rust) & ~np.isnan(result)
    relative = np.abs(rust[both] - result[both]) / np.maximum(np.abs(result[both]), 1e-300)
    print(json.dumps({"groups": int(x.shape[0]), "seconds": round(best, 4), "same_missing": same_missing,
                      "max_relative_difference": float(relative.max()), "numpy": np.__version__}))


if __name__ == "__main__":
    main()
