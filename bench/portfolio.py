"""Peer for bench/portfolio.sh: solves the same portfolio problem with SciPy's milp (HiGHS)
and prints the optimum and the time as JSON. Reads the problem written by the
portfolio_solve example."""
import json
import sys
import time

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import lil_matrix

problem = json.load(open(sys.argv[1]))
cands = problem["candidates"]
n = len(cands)
index = {c["id"]: i for i, c in enumerate(cands)}
start = time.perf_counter()
groups = {}
for i, c in enumerate(cands):
    if c.get("group"):
        groups.setdefault(c["group"], []).append(i)
edges = [(i, index[r]) for i, c in enumerate(cands) for r in c.get("requires", [])]
rows = 1 + len(groups) + len(edges)
a = lil_matrix((rows, n))
low = np.full(rows, -np.inf)
high = np.zeros(rows)
for i, c in enumerate(cands):
    a[0, i] = c["cost_pence"] / 100.0
high[0] = problem["budget_pence"] / 100.0
for k, members in enumerate(groups.values(), start=1):
    for i in members:
        a[k, i] = 1.0
    high[k] = 1.0
for k, (i, j) in enumerate(edges, start=1 + len(groups)):
    a[k, i] = 1.0
    a[k, j] = -1.0
lower = np.array([1.0 if c.get("mandatory") else 0.0 for c in cands])
benefit = np.array([c["benefit"] for c in cands])
result = milp(
    -benefit,
    constraints=LinearConstraint(a.tocsr(), low, high),
    integrality=np.ones(n),
    bounds=Bounds(lower, np.ones(n)),
    options={"mip_rel_gap": 0.0, "time_limit": float(sys.argv[2]) if len(sys.argv) > 2 else 120.0},
)
seconds = time.perf_counter() - start
chosen = [i for i in range(n) if result.x is not None and result.x[i] > 0.5]
print(json.dumps({
    "seconds": seconds,
    "benefit": float(benefit[chosen].sum()) if chosen else 0.0,
    "status": result.message,
    "scipy": __import__("scipy").__version__,
}))
