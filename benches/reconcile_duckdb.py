#!/usr/bin/env python3
"""The reconciliation benchmark's join and rules in DuckDB, from the CSV files that
`cargo bench --bench reconcile` exports to target/bench-data/reconcile/.

    pip install duckdb
    python3 benches/reconcile_duckdb.py [data-dir]

Each run: read households.csv (1,000,000 rows), interviews.csv (100,000 rows) and
members.csv (the interviews' member rosters), join them on household_id, evaluate the
bundled rules of questionnaires/rules.json and the member checks of src/reconcile/members.rs
(translated by hand below), sort the findings list, and compute the rates per finding kind. Prints the
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
LABOUR_MIN_AGE = 16  # labour_min_age
ELDERLY_AGE = 65  # elderly_age

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


# The member checks (src/reconcile/members.rs), over `mm`: each member row with what a valid
# ID number says (id_sex, id_age; null when the number is not valid on the interview date).
MEMBER_CHECKS = [
    ("member_sex_id_number", "coalesce(trim(sex), '') <> '' and id_sex is not null and trim(sex) <> id_sex"),
    ("member_age_id_number", "age is not null and id_age is not null and age <> id_age"),
    ("member_labour_age",
     f"coalesce(trim(labour), '') <> '' and ((coalesce(age, id_age) < {LABOUR_MIN_AGE} and trim(labour) <> 'none')"
     f" or (coalesce(age, id_age) >= {ELDERLY_AGE} and trim(labour) in ('ordinary', 'skilled')))"),
    ("roster_second_head", "heads >= 2 and head_rank = 2 and trim(relation) = 'head'"),
    ("roster_head_not_first", "row = 1 and coalesce(trim(relation), '') not in ('', 'head')"),
]

MEMBERS_SQL = """
with m1 as (
  select m.*, upper(trim(coalesce(m.id_number, ''))) as idu, cast(m.interview_date as date) as on_date
  from {members} m),
m2 as (
  select *,
    length(idu) = 18 and regexp_full_match(idu, '[0-9]{{17}}[0-9X]')
      and substr(idu, 18, 1) = substr('10X98765432', 1 + cast(list_sum(list_transform(range(17),
          lambda k: (ascii(substr(idu, k + 1, 1)) - 48) * [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2][k + 1])) as bigint) % 11, 1)
      as shaped
  from m1),
m3 as (
  select *, case when shaped then try_strptime(substr(idu, 7, 8), '%Y%m%d')::date end as birth from m2),
m4 as (
  select *, birth is not null and year(birth) >= 1900 and birth <= on_date as valid from m3)
select m4.interview_id, m4.row, m4.age, m4.sex, m4.labour, m4.relation,
  case when valid then (case when cast(substr(idu, 17, 1) as integer) % 2 = 1 then 'male' else 'female' end) end as id_sex,
  case when valid then greatest(0, year(on_date) - year(birth)
       - case when month(on_date) * 100 + day(on_date) < month(birth) * 100 + day(birth) then 1 else 0 end) end as id_age,
  count(*) filter (where trim(relation) = 'head') over (partition by interview_id) as heads,
  case when trim(relation) = 'head' then row_number() over (partition by interview_id, trim(relation) = 'head' order by row) end as head_rank
from m4
"""


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
    for n, (rule, cond) in enumerate(MEMBER_CHECKS):
        parts.append(
            f"select county, township, village, household_id, interview_id, {100 + n} as ord,"
            f" '{rule}' || '@r' || row as rule, 'mismatch' as kind, 'warning' as severity"
            f" from mm join x using (interview_id) where {cond}"
        )
    return " union all ".join(parts) + " order by county, township, village, household_id, interview_id, ord, rule"


SQL = query()


CSV_INTERVIEWS = (f"read_csv('{DATA}/interviews.csv', header = true,"
                  " types = {'household_id': 'VARCHAR', 'id_numbers': 'VARCHAR'})")
CSV_HOUSEHOLDS = (f"read_csv('{DATA}/households.csv', header = true,"
                  " types = {'household_id': 'VARCHAR', 'member_id_numbers': 'VARCHAR'})")
CSV_MEMBERS = (f"read_csv('{DATA}/members.csv', header = true,"
               " types = {'id_number': 'VARCHAR', 'age': 'BIGINT', 'interview_date': 'DATE'})")


def once(con, interviews=CSV_INTERVIEWS, households=CSV_HOUSEHOLDS, members=CSV_MEMBERS):
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
    con.execute("create or replace temp table mm as " + MEMBERS_SQL.format(members=members))
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
        rule = f[6].split("@")[0]
        by_rule[rule] = by_rule.get(rule, 0) + 1
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
    con.execute(f"create table members as select * from {CSV_MEMBERS}")
    con.execute("checkpoint")
    load = time.perf_counter() - t
    con.close()
    con = duckdb.connect(str(db))
    times = []
    for _ in range(RUNS):
        t = time.perf_counter()
        stored, _ = once(con, "interviews", "households", "members")
        times.append(time.perf_counter() - t)
    print(f"duckdb {duckdb.__version__}, tables in {db.name} (loaded once in {load * 1e3:.0f} ms, not timed):"
          f" median {statistics.median(times) * 1e3:.0f} ms of {RUNS} runs (min {min(times) * 1e3:.0f} ms);"
          f" {len(stored)} findings")


if __name__ == "__main__":
    main()
