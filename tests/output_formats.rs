//! `--out FILE` without `--format` writes the format the file's name says, or nothing: a
//! name a spreadsheet program would open as something else (`.xls`, `.ods`, no extension)
//! is refused, naming the file and the formats.

mod common;

use common::ruhu;

#[test]
fn an_output_name_of_no_format_ruhu_writes_is_refused_and_nothing_is_written() {
    let data = tempfile::tempdir().unwrap();
    let (code, _, err) = ruhu(data.path(), &["demo", "--households", "40"]);
    assert_eq!(code, 0, "{err}");
    let out = tempfile::tempdir().unwrap();
    for command in ["findings", "rates"] {
        for name in ["结果.xls", "结果.ODS", "结果"] {
            let file = out.path().join(name);
            let path = file.to_str().unwrap();
            let (code, _, err) = ruhu(data.path(), &[command, "--out", path]);
            assert_eq!(code, 1, "{command} {name}: {err}");
            assert!(err.contains(path), "{command} {name}: {err}");
            assert!(err.contains(".xlsx") && err.contains(".csv"), "{err}");
            assert!(!file.exists(), "{command} {name}: a file was written");
            let (code, _, err) = ruhu(data.path(), &["--lang", "en", command, "--out", path]);
            assert_eq!(code, 1);
            assert!(err.contains("cannot tell which format"), "{err}");
        }
        // The names that say a format, and --format given outright, are written.
        for name in ["结果.csv", "结果.TXT", "结果.json", "结果.xlsx"] {
            let file = out.path().join(format!("{command}-{name}"));
            let (code, _, err) = ruhu(data.path(), &[command, "--out", file.to_str().unwrap()]);
            assert_eq!(code, 0, "{command} {name}: {err}");
            assert!(file.exists(), "{command} {name}");
        }
        let file = out.path().join(format!("{command}-表"));
        let (code, _, err) = ruhu(
            data.path(),
            &[command, "--out", file.to_str().unwrap(), "--format", "csv"],
        );
        assert_eq!(code, 0, "{err}");
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(
            text.starts_with('\u{feff}'),
            "a CSV with its byte-order mark"
        );
    }
}
