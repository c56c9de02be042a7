#!/usr/bin/env bash
# Fills fuzz/corpus/<target>/ with real inputs (see fuzz/README.md). Needs the ruhu binary
# (RUHU=path, default ../target/release/ruhu: `cargo build --release` in the main folder) and
# builds examples/make_seeds.rs in fuzz/target. Existing corpus files are kept.
set -euo pipefail
cd "$(dirname "$0")"
FUZZ=$(pwd)
ROOT=$(cd .. && pwd)
RUHU=${RUHU:-$ROOT/target/release/ruhu}
[ -x "$RUHU" ] || { echo "no ruhu binary at $RUHU (cargo build --release, or set RUHU)" >&2; exit 1; }
C=$FUZZ/corpus
TARGETS="questionnaire expression rules_settings registry_csv registry_xlsx answers backup"
for t in $TARGETS; do mkdir -p "$C/$t"; done
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# questionnaire: the bundled questionnaires and the test fixtures (valid and broken).
for f in "$ROOT"/questionnaires/*.json "$ROOT"/tests/fixtures/*.json "$ROOT"/tests/fixtures/broken/*.json; do
  case "$(basename "$f")" in rules.json|settings.json) continue ;; esac
  cp "$f" "$C/questionnaire/$(basename "$(dirname "$f")")-$(basename "$f")"
done

# rules_settings: rules NUL settings (the bundled pair, and each fixture with the bundled
# other half), and each file alone (both halves get the same text).
R=$ROOT/questionnaires/rules.json
S=$ROOT/questionnaires/settings.json
{ cat "$R"; printf '\0'; cat "$S"; } > "$C/rules_settings/bundled-pair"
cp "$R" "$C/rules_settings/rules.json"
cp "$S" "$C/rules_settings/settings.json"
for f in "$ROOT"/tests/fixtures/rules/*.rules.json; do
  { cat "$f"; printf '\0'; cat "$S"; } > "$C/rules_settings/$(basename "$f")"
done
for f in "$ROOT"/tests/fixtures/rules/*.settings.json; do
  { cat "$R"; printf '\0'; cat "$f"; } > "$C/rules_settings/$(basename "$f")"
done

# registry_csv: the fixtures and a demo county of 50 households.
cp "$ROOT"/tests/fixtures/registry/*.csv "$C/registry_csv/"
"$RUHU" demo --households 50 --csv "$WORK/demo50.csv" > /dev/null
cp "$WORK/demo50.csv" "$C/registry_csv/demo50.csv"

# answers, expression, registry_xlsx, demo members CSV: from the library.
cargo run --quiet --example make_seeds -- "$C" \
  "$WORK/demo50.csv" "$ROOT"/tests/fixtures/registry/*.csv

# backup: a demo store with an interview of each kind (answer files above), a drawn
# sample and an auditor's mark, backed up; the backup of an empty store; a small one (three
# households, one interview in progress). The sample and
# the findings exported as workbooks go to registry_xlsx (real files ruhu writes).
DATA=$WORK/data
"$RUHU" --data "$DATA" demo --households 40 > /dev/null
"$RUHU" --data "$DATA" registry list --format json > "$WORK/list.json"
for kind in poor exited non_poor returned; do
  id=$(jq -r --arg k "$kind" '[.[] | select(.status == $k)][0].household_id' "$WORK/list.json")
  [ "$id" != null ] || continue
  "$RUHU" --data "$DATA" interview apply --household "$id" --answers "$C/answers/$kind.json" \
    --complete > /dev/null || true
done
"$RUHU" --data "$DATA" sample --seed 1 --out "$C/registry_xlsx/sample.xlsx" > /dev/null || true
"$RUHU" --data "$DATA" findings --format xlsx --out "$C/registry_xlsx/findings.xlsx" > /dev/null || true
"$RUHU" --data "$DATA" findings --format json > "$WORK/findings.json" || true
read -r iv rule < <(jq -r '.[0] | "\(.interview_id) \(.rule)"' "$WORK/findings.json" 2>/dev/null || echo "null null")
if [ "$iv" != null ]; then
  "$RUHU" --data "$DATA" mark --interview "$iv" --rule "$rule" --confirm --comment 核实 > /dev/null || true
fi
"$RUHU" --data "$DATA" backup "$C/backup/demo40.json" > /dev/null
"$RUHU" --data "$WORK/empty" backup "$C/backup/empty.json" > /dev/null
SMALL=$WORK/small
"$RUHU" --data "$SMALL" demo --households 3 > /dev/null
"$RUHU" --data "$SMALL" registry list --format json > "$WORK/small.json"
id=$(jq -r '.[0].household_id' "$WORK/small.json")
kind=$(jq -r '.[0].status' "$WORK/small.json")
"$RUHU" --data "$SMALL" interview apply --household "$id" --answers "$C/answers/$kind.json" > /dev/null || true
"$RUHU" --data "$SMALL" backup "$C/backup/small.json" > /dev/null

# registry_xlsx: every workbook again with its parts stored uncompressed, so that the
# fuzzer's byte mutations reach the worksheet XML (in a deflated part they rarely do).
if command -v python3 > /dev/null; then
  python3 - "$C/registry_xlsx" <<'PY'
import os, sys, zipfile
d = sys.argv[1]
for name in sorted(os.listdir(d)):
    if not name.endswith(".xlsx") or name.startswith("stored-"):
        continue
    try:
        src = zipfile.ZipFile(os.path.join(d, name))
    except zipfile.BadZipFile:
        continue
    with zipfile.ZipFile(os.path.join(d, "stored-" + name), "w", zipfile.ZIP_STORED) as out:
        for n in src.namelist():
            out.writestr(n, src.read(n))
PY
fi

# The regression inputs kept in the repository (not the known crashes under pending/).
for t in $TARGETS; do
  [ -d "$ROOT/tests/fuzz/$t" ] || continue
  find "$ROOT/tests/fuzz/$t" -maxdepth 1 -type f ! -name '*.md' -exec cp {} "$C/$t/" \;
done
for t in $TARGETS; do echo "$t: $(ls "$C/$t" | wc -l) files"; done
