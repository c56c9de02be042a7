#!/usr/bin/env python3
"""The reconciliation benchmark's join and rules in pandas, from the CSV files that
`cargo bench --bench reconcile` exports to target/bench-data/reconcile/.

    pip install pandas
    python3 benches/reconcile_pandas.py [data-dir]

Each run: read households.csv (1,000,000 rows) and interviews.csv (100,000 rows), join
them on household_id, evaluate the bundled rules of questionnaires/rules.json (translated
by hand below, vectorised), sort the findings list, and compute the rates per finding kind.
Prints the median of 5 runs and the findings per rule (to compare with ruhu's).
"""

import statistics
import sys
import time
from pathlib import Path

import pandas as pd

DATA = Path(sys.argv[1] if len(sys.argv) > 1 else "target/bench-data/reconcile")
RUNS = 5
INCOME_LINE = 3335  # settings.json: 2017
SIZE_TOL = 0  # household_size_tolerance
INCOME_TOL = 0.3  # income_tolerance
ALL = ("poor", "exited", "non_poor", "returned")
BOOLS = [
    "food_ok", "clothing_ok", "medical_insured_all", "water_ok", "power_ok", "accepts_exit", "fell_back",
    "reregistered", "red_public_servant", "red_village_cadre", "red_vehicle", "red_town_house", "red_company",
    "red_large_scale", "red_split_household", "applied_refused", "edge_dibao", "edge_dangerous_house",
    "edge_illness", "edge_no_labour", "edge_elderly_alone",
]


def is_(col, value):
    """`${x} = true()` / `= false()`: a missing answer never matches."""
    return col.eq(value).fillna(False).astype(bool)


def ids_differ(a, b):
    out = []
    for x, y in zip(a, b):
        if not isinstance(x, str) or not isinstance(y, str) or not x or not y:
            out.append(False)
            continue
        sx = set(x.upper().split(";"))
        sy = set(y.upper().split(";"))
        out.append(sx != sy)
    return pd.Series(out, index=a.index)


def rules(j):
    inc = j["income_per_capita_i"]
    reg_inc = j["income_per_capita_h"]
    size_i, size_h = j["household_size_i"], j["household_size_h"]
    bad_house = j["house_rating"].isin(["C", "D"])
    uninsured = (j["members_count"] > 0) & is_(j["medical_insured_all"], False)
    r = [
        ("wrong_exit_income", "wrong_exit", "finding", ("exited",), inc < INCOME_LINE),
        ("wrong_exit_food", "wrong_exit", "finding", ("exited",), is_(j["food_ok"], False)),
        ("wrong_exit_clothing", "wrong_exit", "finding", ("exited",), is_(j["clothing_ok"], False)),
        ("wrong_exit_schooling", "wrong_exit", "finding", ("exited",), j["children_out_of_school"] > 0),
        ("wrong_exit_medical", "wrong_exit", "finding", ("exited",), uninsured),
        ("wrong_exit_housing", "wrong_exit", "finding", ("exited",), bad_house),
        ("wrong_exit_water_power", "wrong_exit", "warning", ("exited",),
         is_(j["water_ok"], False) | is_(j["power_ok"], False)),
        ("exit_not_accepted", "wrong_exit", "warning", ("exited",), is_(j["accepts_exit"], False)),
        ("missed_income", "missed", "finding", ("non_poor",), inc < INCOME_LINE),
        ("missed_two_worries", "missed", "finding", ("non_poor",),
         is_(j["food_ok"], False) | is_(j["clothing_ok"], False)),
        ("missed_three_guarantees", "missed", "finding", ("non_poor",),
         (j["children_out_of_school"] > 0) | uninsured | bad_house),
        ("missed_refused_shortlist", "missed", "warning", ("non_poor",),
         is_(j["applied_refused"], True) & (is_(j["edge_dibao"], True) | is_(j["edge_dangerous_house"], True)
                                           | is_(j["edge_illness"], True) | is_(j["edge_no_labour"], True)
                                           | is_(j["edge_elderly_alone"], True))),
        ("missed_fell_back", "missed", "finding", ("exited",),
         is_(j["fell_back"], True) & is_(j["reregistered"], False)),
        ("returned_fell_back", "returned", "finding", ("exited",), is_(j["fell_back"], True)),
        ("returned_registry", "returned", "finding", ("returned",), j["status_h"] == "returned"),
        ("returned_not_reregistered", "returned", "warning", ("returned",), is_(j["reregistered"], False)),
    ]
    for red in ("public_servant", "village_cadre", "vehicle", "town_house", "company", "large_scale",
                "split_household"):
        r.append((f"wrong_inclusion_{red}", "wrong_inclusion", "finding", ("poor",), is_(j[f"red_{red}"], True)))
    r += [
        ("mismatch_household_size", "mismatch", "finding", ALL,
         (size_i - size_h > SIZE_TOL) | (size_h - size_i > SIZE_TOL)),
        ("mismatch_member_ids", "mismatch", "finding", ALL, ids_differ(j["member_id_numbers"], j["id_numbers"])),
        ("mismatch_income", "mismatch", "finding", ALL,
         (inc > reg_inc * (1 + INCOME_TOL)) | (inc < reg_inc * (1 - INCOME_TOL))),
        ("mismatch_exit_year", "mismatch", "finding", ("exited",),
         (j["exit_year_i"] < j["exit_year_h"]) | (j["exit_year_i"] > j["exit_year_h"])),
    ]
    return r


def once():
    hh = pd.read_csv(DATA / "households.csv", dtype={"household_id": str, "member_id_numbers": str})
    iv = pd.read_csv(DATA / "interviews.csv", dtype={"household_id": str, "id_numbers": str,
                                                     **{b: "boolean" for b in BOOLS}})
    iv = iv[iv["status"] == "completed"]
    j = iv.merge(hh, on="household_id", how="left", suffixes=("_i", "_h"))
    frames = []
    for order, (rule, kind, severity, households, cond) in enumerate(rules(j)):
        hit = j[j["questionnaire"].isin(households) & cond.fillna(False).astype(bool)]
        frames.append(pd.DataFrame({
            "county": hit["county"], "township": hit["township"], "village": hit["village"],
            "household_id": hit["household_id"], "interview_id": hit["interview_id"],
            "ord": order, "rule": rule, "kind": kind, "severity": severity,
        }))
    f = pd.concat(frames, ignore_index=True)
    f = f.sort_values(["county", "township", "village", "household_id", "interview_id", "ord"], kind="stable")
    rates = f[f["severity"] == "finding"].groupby("kind")["household_id"].nunique()
    return f, rates


def main():
    times = []
    for _ in range(RUNS):
        t = time.perf_counter()
        f, rates = once()
        times.append(time.perf_counter() - t)
    print(f"pandas {pd.__version__}: median {statistics.median(times) * 1e3:.0f} ms of {RUNS} runs "
          f"(min {min(times) * 1e3:.0f} ms); {len(f)} findings")
    for rule, n in sorted(f["rule"].value_counts().items()):
        print(f"  {rule:<34} {n}")
    print("  households with a finding, by kind:", rates.to_dict())


if __name__ == "__main__":
    main()
