"""The peer of `cargo bench --bench answers`: DuckDB writing the same tables to Parquet.

Loads answers.parquet and answers.members.parquet (written by the Rust benchmark into the
folder given, default target/bench-data/answers) into tables of an in-memory DuckDB
database (not timed), then times COPY ... TO '....parquet' (FORMAT parquet) of each, median
of 5 runs. Prints `duckdb answers_ms N` and `duckdb members_ms N`.
"""

import os
import statistics
import sys
import time

import duckdb

RUNS = 5


def main():
    folder = sys.argv[1] if len(sys.argv) > 1 else "target/bench-data/answers"
    con = duckdb.connect()
    for name, file in [("answers", "answers.parquet"), ("members", "answers.members.parquet")]:
        path = os.path.join(folder, file)
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM read_parquet('{path}')")
    threads = con.execute("SELECT current_setting('threads')").fetchone()[0]
    print(f"duckdb {duckdb.__version__}, threads {threads}")
    for name in ["answers", "members"]:
        rows = con.execute(f"SELECT count(*) FROM {name}").fetchone()[0]
        out = os.path.join(folder, f"duckdb-{name}.parquet")
        times = []
        for _ in range(RUNS):
            t = time.perf_counter()
            con.execute(f"COPY {name} TO '{out}' (FORMAT parquet)")
            times.append((time.perf_counter() - t) * 1000)
        print(f"duckdb {name}_ms {statistics.median(times):.1f}")
        print(f"duckdb {name} rows {rows} runs {', '.join(f'{x:.0f}' for x in times)}")


if __name__ == "__main__":
    main()
