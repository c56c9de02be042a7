#!/usr/bin/env python3
"""The reconciliation benchmark's join and rules in DuckDB, from the CSV files that
`cargo bench --bench reconcile` exports to target/bench-data/reconcile/.

    pip install duckdb
    python3 benches/reconcile_duckdb.py [data-dir]

Each run: read households.csv (1,000,000 rows) and interviews.csv (100,000 rows), join
them on household_id, evaluate the bundled rules of questionnaires/rules.json (translated
by hand below), sort the findings list, and compute the rates per finding kind. Prints the
median of 5 runs and the findings per rule (to compare with ruhu's).

Then the same again as a DuckDB user would work: the two CSV files loaded once into tables
of a DuckDB database file (reconcile.duckdb beside them; the loading is not timed), and the
same join, rules, sort and rates timed against those tables, median of 5 runs.
"""

import statistics
import sys
import time
from pathlib import Path

import duckdb

DATA = Path(sys.argv[1] if len(sys.argv) > 1 else "target/bench-data/reconcile")
RUNS = 5
INCOME_LINE = 3335  # settings.json: 2017
SIZE_TOL = 0  # household_size_tolerance
INCOME_TOL = 0.3  # income_tolerance

ALL = ("poor", "exited", "non_poor", "returned")
# (rule id, finding kind, severity, households, SQL condition) — questionnaires/rules.json.
RULES = [
    ("wrong_exit_income", "wrong_exit", "finding", ("exited",), f"i.income_per_capita < {INCOME_LINE}"),
    ("wrong_exit_food", "wrong_exit", "finding", ("exited",), "i.food_ok = false"),
    ("wrong_exit_clothing", "wrong_exit", "finding", ("exited",), "i.clothing_ok = false"),
    ("wrong_exit_schooling", "wrong_exit", "finding", ("exited",), "i.children_out_of_school > 0"),
    ("wrong_exit_medical", "wrong_exit", "finding", ("exited",), "i.members_count > 0 and i.medical_insured_all = false"),
    ("wrong_exit_housing", "wrong_exit", "finding", ("exited",), "i.house_rating in ('C', 'D')"),
    ("wrong_exit_water_power", "wrong_exit", "warning", ("exited",), "i.water_ok = false or i.power_ok = false"),
    ("exit_not_accepted", "wrong_exit", "warning", ("exited",), "i.accepts_exit = false"),
    ("missed_income", "missed", "finding", ("non_poor",), f"i.income_per_capita < {INCOME_LINE}"),
    ("missed_two_worries", "missed", "finding", ("non_poor",), "i.food_ok = false or i.clothing_ok = false"),
    ("missed_three_guarantees", "missed", "finding", ("non_poor",),
     "i.children_out_of_school > 0 or (i.members_count > 0 and i.medical_insured_all = false) or i.house_rating in ('C', 'D')"),
    ("missed_refused_shortlist", "missed", "warning", ("non_poor",),
     "i.applied_refused = true and (i.edge_dibao or i.edge_dangerous_house or i.edge_illness or i.edge_no_labour or i.edge_elderly_alone)"),
    ("missed_fell_back", "missed", "finding", ("exited",), "i.fell_back = true and i.reregistered = false"),
    ("returned_fell_back", "returned", "finding", ("exited",), "i.fell_back = true"),
    ("returned_registry", "returned", "finding", ("returned",), "h.status = 'returned'"),
    ("returned_not_reregistered", "returned", "warning", ("returned",), "i.reregistered = false"),
] + [
    (f"wrong_inclusion_{r}", "wrong_inclusion", "finding", ("poor",), f"i.red_{r} = true")
    for r in ("public_servant", "village_cadre", "vehicle", "town_house", "company", "large_scale", "split_household")
] + [
    ("mismatch_household_size", "mismatch", "finding", ALL,
     f"i.household_size - h.household_size > {SIZE_TOL} or h.household_size - i.household_size > {SIZE_TOL}"),
    ("mismatch_member_ids", "mismatch", "finding", ALL,
     "len(h.ids) > 0 and len(i.ids) > 0 and (len(list_filter(i.ids, lambda x: not list_contains(h.ids, x))) > 0"
     " or len(list_filter(h.ids, lambda x: not list_contains(i.ids, x))) > 0)"),
    ("mismatch_income", "mismatch", "finding", ALL,
     f"i.income_per_capita > h.income_per_capita * (1 + {INCOME_TOL}) or i.income_per_capita < h.income_per_capita * (1 - {INCOME_TOL})"),
    ("mismatch_exit_year", "mismatch", "finding", ("exited",), "i.exit_year <> h.exit_year"),
]


def query():
    parts = []
    for rule, kind, severity, households, cond in RULES:
        kinds = ", ".join(f"'{k}'" for k in households)
        cond = cond.replace("h.", "h_").replace("i.", "")
        parts.append(
            f"select county, township, village, household_id, interview_id, {len(parts)} as ord,"
            f" '{rule}' as rule, '{kind}' as kind, '{severity}' as severity"
            f" from x where questionnaire in ({kinds}) and ({cond})"
        )
    return " union all ".join(parts) + " order by county, township, village, household_id, interview_id, ord"


SQL = query()


CSV_INTERVIEWS = (f"read_csv('{DATA}/interviews.csv', header = true,"
                  " types = {'household_id': 'VARCHAR', 'id_numbers': 'VARCHAR'})")
CSV_HOUSEHOLDS = (f"read_csv('{DATA}/households.csv', header = true,"
                  " types = {'household_id': 'VARCHAR', 'member_id_numbers': 'VARCHAR'})")


def once(con, interviews=CSV_INTERVIEWS, households=CSV_HOUSEHOLDS):
    # The join, once: each interview with its household's registry values.
    con.execute(
        f"""create or replace temp table x as
        select i.*, list_filter(string_split(upper(coalesce(i.id_numbers, '')), ';'), lambda s: s <> '') as ids,
               h.status as h_status, h.household_size as h_household_size,
               h.income_per_capita as h_income_per_capita, h.exit_year as h_exit_year,
               h.county, h.township, h.village,
               list_filter(string_split(upper(coalesce(h.member_id_numbers, '')), ';'), lambda s: s <> '') as h_ids
        from {interviews} i
        left join {households} h
          using (household_id)
        where i.status = 'completed'"""
    )
    con.execute("create or replace temp table f as " + SQL)
    findings = con.execute("select * from f").fetchall()
    # Rates: households with a finding of each kind (severity 'finding').
    rates = con.execute(
        """select kind, count(distinct household_id) from f
           where severity = 'finding' group by kind order by kind"""
    ).fetchall()
    return findings, rates


def main():
    con = duckdb.connect()
    times = []
    for _ in range(RUNS):
        t = time.perf_counter()
        findings, rates = once(con)
        times.append(time.perf_counter() - t)
    print(f"duckdb {duckdb.__version__}: median {statistics.median(times) * 1e3:.0f} ms of {RUNS} runs "
          f"(min {min(times) * 1e3:.0f} ms); {len(findings)} findings")
    by_rule = {}
    for f in findings:
        by_rule[f[6]] = by_rule.get(f[6], 0) + 1
    for rule, n in sorted(by_rule.items()):
        print(f"  {rule:<34} {n}")
    print("  households with a finding, by kind:", dict(rates))

    # The tables loaded once into a database file (not timed), then queried.
    db = DATA / "reconcile.duckdb"
    db.unlink(missing_ok=True)
    con = duckdb.connect(str(db))
    t = time.perf_counter()
    con.execute(f"create table households as select * from {CSV_HOUSEHOLDS}")
    con.execute(f"create table interviews as select * from {CSV_INTERVIEWS}")
    con.execute("checkpoint")
    load = time.perf_counter() - t
    con.close()
    con = duckdb.connect(str(db))
    times = []
    for _ in range(RUNS):
        t = time.perf_counter()
        stored, _ = once(con, "interviews", "households")
        times.append(time.perf_counter() - t)
    print(f"duckdb {duckdb.__version__}, tables in {db.name} (loaded once in {load * 1e3:.0f} ms, not timed):"
          f" median {statistics.median(times) * 1e3:.0f} ms of {RUNS} runs (min {min(times) * 1e3:.0f} ms);"
          f" {len(stored)} findings")


if __name__ == "__main__":
    main()
