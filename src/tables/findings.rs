//! Findings as a table: one row per finding with the columns of the findings sheet
//! (`reconcile::export::FINDING_HEADERS`, their English names as column names, the same cells
//! as the sheet in the user's language), the time of the mark as a time, and beside them the
//! codes a script filters on: `kind_code`, `severity_code`, `mark_code`, `in_progress`.

use super::column::{Column, Kind, Table, TableBuilder};
use crate::questionnaire::Choice;
use crate::reconcile::export::{ExportOptions, FINDING_HEADERS, Marks, finding_cells};
use crate::reconcile::{Finding, FindingKind, MarkStatus, Severity};

/// The name of the findings table.
pub const FINDINGS: &str = "findings";

fn choices<T: Copy>(
    all: &[T],
    name: fn(T) -> &'static str,
    label: fn(T) -> crate::i18n::Text,
) -> Vec<Choice> {
    all.iter()
        .map(|k| Choice {
            name: name(*k).to_string(),
            label: label(*k),
        })
        .collect()
}

/// The columns of the findings table.
pub fn finding_columns() -> Vec<Column> {
    let mut cols: Vec<Column> = FINDING_HEADERS
        .iter()
        .map(|(zh, en)| {
            let kind = if *en == "marked_at" {
                Kind::Time
            } else {
                Kind::Text
            };
            Column::new(en, kind, zh, en)
        })
        .collect();
    cols.push(
        Column::new("kind_code", Kind::Choice, "类别代码", "kind code").with_choices(choices(
            &FindingKind::ALL,
            FindingKind::name,
            FindingKind::label,
        )),
    );
    cols.push(
        Column::new("severity_code", Kind::Choice, "级别代码", "severity code").with_choices(
            choices(
                &[Severity::Finding, Severity::Warning],
                Severity::name,
                Severity::label,
            ),
        ),
    );
    cols.push(
        Column::new("mark_code", Kind::Choice, "核查结论代码", "mark code").with_choices(choices(
            &[MarkStatus::Confirmed, MarkStatus::Dismissed],
            MarkStatus::name,
            MarkStatus::label,
        )),
    );
    cols.push(Column::new(
        "in_progress",
        Kind::YesNo,
        "调查进行中",
        "interview in progress",
    ));
    cols
}

/// The findings as a table (labels in `opts.lang`, ID numbers masked unless asked).
pub fn findings_table(list: &[Finding], marks: &Marks, opts: ExportOptions) -> Table {
    let mut t = TableBuilder::new(FINDINGS, finding_columns(), list.len());
    let n = FINDING_HEADERS.len();
    for f in list {
        let mark = marks.get(&f.key());
        let cells = finding_cells(f, mark, opts);
        for (c, (cell, (_, en))) in cells.iter().zip(FINDING_HEADERS.iter()).enumerate() {
            if *en == "marked_at" {
                t.time(c, mark.map(|m| &m.at));
            } else {
                t.text(c, Some(cell.as_str()));
            }
        }
        t.text(n, Some(f.kind.name()));
        t.text(n + 1, Some(f.severity.name()));
        t.text(n + 2, mark.map(|m| m.status.name()));
        t.bool(n + 3, Some(f.in_progress));
        t.end_row();
    }
    t.finish()
}
