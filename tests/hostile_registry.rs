//! Hostile registry files: workbooks that lie about their sizes or their dimension, cells and
//! lines far beyond any real export, merged cells, quotes that never close. Each is read in
//! bounded memory, or refused (exit 1) with a message that names the file, the place and the
//! limit. The workbooks are made by tests/fixtures/hostile/make.py (run once, kept here);
//! CSV files and normal workbooks are made in the tests.

mod common;

use std::path::{Path, PathBuf};

use common::ruhu;
use ruhu::i18n::Text;
use ruhu::registry::encoding::EncodingChoice;
use ruhu::registry::table::{self, Cells, Visitor};
use serde_json::Value;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/hostile")
        .join(name)
}

/// `ruhu registry import FILE` with the rejects file in `dir`: exit code, stdout, stderr.
fn import(dir: &Path, file: &Path, extra: &[&str]) -> (i32, String, String) {
    let data = dir.join("data");
    let rejects = dir.join("rejects.csv");
    let mut args = vec![
        "registry",
        "import",
        file.to_str().unwrap(),
        "--rejects",
        rejects.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    ruhu(&data, &args)
}

/// The JSON summary of an import.
fn import_json(dir: &Path, file: &Path) -> (i32, Value) {
    let (code, out, err) = import(dir, file, &["--format", "json"]);
    let v = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}{err}"));
    (code, v)
}

fn households(dir: &Path) -> Vec<Value> {
    let (code, out, err) = ruhu(&dir.join("data"), &["registry", "list", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    serde_json::from_str(&out).unwrap()
}

/// Asserts that the import of `file` fails (exit 1) and says all of `says` (in Chinese, then
/// in English with `says_en`), and that nothing was imported. (A file refused half way keeps
/// the rows before the place it names: see `refused_after`.)
fn refused(file: &Path, says: &[&str], says_en: &[&str]) {
    refused_after(file, says, says_en, 0);
}

/// [`refused`] for a file refused after `before` households were read.
fn refused_after(file: &Path, says: &[&str], says_en: &[&str], before: usize) {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = import(dir.path(), file, &[]);
    assert_eq!(code, 1, "{out}{err}");
    let name = file.file_name().unwrap().to_str().unwrap();
    for s in says.iter().chain([&name]) {
        assert!(err.contains(s), "no {s:?} in {err}");
    }
    let (code, out, err) = import(dir.path(), file, &["--lang", "en"]);
    assert_eq!(code, 1, "{out}{err}");
    for s in says_en {
        assert!(err.contains(s), "no {s:?} in {err}");
    }
    assert_eq!(households(dir.path()).len(), before);
}

/// What a reader gives: rows with their lines, unreadable rows, notices.
#[derive(Default)]
struct Collect {
    rows: Vec<(u64, Vec<String>)>,
    unreadable: Vec<(u64, Text)>,
    notices: Vec<Text>,
}

impl Visitor for Collect {
    fn row(&mut self, line: u64, cells: &Cells) -> Result<(), Text> {
        self.rows
            .push((line, cells.iter().map(str::to_string).collect()));
        Ok(())
    }
    fn unreadable_row(&mut self, line: u64, reason: Text) -> Result<(), Text> {
        self.unreadable.push((line, reason));
        Ok(())
    }
    fn notice(&mut self, notice: Text) {
        self.notices.push(notice);
    }
}

fn read(path: &Path) -> Result<Collect, Text> {
    let mut c = Collect::default();
    table::read(path, EncodingChoice::Auto, &mut c)?;
    Ok(c)
}

// ---------------------------------------------------------------------------------------
// XLSX

#[test]
fn a_lying_dimension_is_not_trusted_rows_are_as_wide_as_their_content() {
    for name in ["dimension.xlsx", "dimension_stored.xlsx"] {
        let c = read(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e:?}"));
        assert_eq!(c.rows.len(), 4, "{name}");
        assert!(c.rows.iter().all(|(_, cells)| cells.len() == 5), "{name}");
        assert_eq!(c.rows[1].1[1], "张三");
        let dir = tempfile::tempdir().unwrap();
        let (code, v) = import_json(dir.path(), &fixture(name));
        assert_eq!(code, 0, "{name}: {v}");
        assert_eq!(v["added"], 3, "{v}");
        assert!(!dir.path().join("rejects.csv").exists());
    }
}

#[test]
fn a_reference_calamine_cannot_read_is_refused() {
    refused(
        &fixture("dimension_overflow.xlsx"),
        &["ZZZZZZZ4000000000", "XFD1048576"],
        &["cell reference ZZZZZZZ4000000000"],
    );
}

#[test]
fn a_value_beyond_the_last_column_or_row_stops_the_read() {
    refused_after(
        &fixture("far_column.xlsx"),
        &["第 5 行", "ZZZZZZ 列", "最多 512 列"],
        &["row 5", "column ZZZZZZ", "limit of 512 columns"],
        3,
    );
    refused_after(
        &fixture("far_row.xlsx"),
        &["第 2000000 行", "最多 1048576 行"],
        &["row 2000000", "limit of 1048576 rows"],
        3,
    );
}

#[test]
fn parts_over_their_limit_are_refused_before_anything_is_unpacked() {
    refused(
        &fixture("huge_part.xlsx"),
        &["xl/worksheets/sheet1.xml", "3221225472", "上限 2147483648"],
        &["3221225472 bytes uncompressed", "limit of 2147483648"],
    );
    refused(
        &fixture("shared_size.xlsx"),
        &["xl/sharedStrings.xml", "629145600", "上限 536870912"],
        &["limit of 536870912"],
    );
}

#[test]
fn a_part_larger_than_it_declares_is_refused() {
    refused(
        &fixture("lying_size.xlsx"),
        &["xl/worksheets/sheet1.xml", "声明的 1000 字节"],
        &["than the 1000 bytes it declares"],
    );
}

#[test]
fn a_packed_cell_of_megabytes_is_refused_with_its_place() {
    // 3 MB of one letter in cell B5, packed into 5 KB
    refused(
        &fixture("huge_cell.xlsx"),
        &["第 5 行 B 列（B5）", "超过 2097152 字节", "最多 4096 字节"],
        &["cell B5 (row 5, column B)", "longer than 2097152 bytes"],
    );
}

#[test]
fn shared_strings_that_declare_more_than_they_hold_are_refused() {
    refused(
        &fixture("shared_count.xlsx"),
        &["声明有 4000000000 个字符串", "实际只有 2 个"],
        &["declare 4000000000 strings but hold 2"],
    );
}

#[test]
fn a_cell_over_the_cell_limit_rejects_its_row_with_its_column() {
    let dir = tempfile::tempdir().unwrap();
    let (code, v) = import_json(dir.path(), &fixture("long_cell.xlsx"));
    assert_eq!(code, 3, "{v}");
    assert_eq!(v["added"], 3);
    let rejected = v["rejected"].as_array().unwrap();
    assert_eq!(rejected.len(), 1, "{v}");
    assert_eq!(rejected[0]["line"], 5);
    let reason = rejected[0]["reason"].as_str().unwrap();
    assert!(
        reason.contains("B 列的单元格有 5100 字节，超过上限 4096 字节"),
        "{reason}"
    );
}

#[test]
fn a_file_that_is_not_a_workbook_or_is_protected_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let ole = dir.path().join("protected.xlsx");
    let mut bytes = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    bytes.resize(4096, 0);
    std::fs::write(&ole, bytes).unwrap();
    refused(&ole, &["密码保护"], &["password-protected"]);
    let cut = dir.path().join("cut.xlsx");
    let whole = std::fs::read(fixture("dimension.xlsx")).unwrap();
    std::fs::write(&cut, &whole[..whole.len() - 30]).unwrap();
    refused(
        &cut,
        &["不是完好的 .xlsx 文件"],
        &["not a sound .xlsx file"],
    );
}

#[test]
fn a_workbook_of_thousands_of_parts_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("parts.xlsx");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for i in 0..5000 {
        zip.start_file(format!("xl/media/p{i}.xml"), stored)
            .unwrap();
    }
    zip.finish().unwrap();
    refused(
        &path,
        &["工作簿有 5000 个部件，超过上限 4096 个"],
        &["the workbook has 5000 parts, more than the limit of 4096"],
    );
}

#[test]
fn a_zip_directory_of_megabytes_is_refused_before_it_is_listed() {
    // 65,000 directory records on one part (its checksum left 0): 6.9 MB, which the zip
    // crate would take a few times that to list
    let part = b"<a/>";
    let size = (part.len() as u32).to_le_bytes();
    let mut bytes = b"PK\x03\x04\x14\0\0\0\0\0\0\0\0\0\0\0\0\0".to_vec();
    bytes.extend_from_slice(&size);
    bytes.extend_from_slice(&size);
    bytes.extend_from_slice(&[0; 4]);
    bytes.extend_from_slice(part);
    let start = bytes.len();
    let n = 65_000u32;
    for i in 0..n {
        let name = format!("xl/media/{i:0>50}.xml");
        bytes.extend_from_slice(b"PK\x01\x02\x14\0\x14\0\0\0\0\0\0\0\0\0\0\0\0\0");
        bytes.extend_from_slice(&size);
        bytes.extend_from_slice(&size);
        bytes.extend_from_slice(&(name.len() as u16).to_le_bytes());
        bytes.extend_from_slice(&[0; 16]);
        bytes.extend_from_slice(name.as_bytes());
    }
    let directory = (bytes.len() - start) as u32;
    bytes.extend_from_slice(b"PK\x05\x06\0\0\0\0");
    bytes.extend_from_slice(&(n as u16).to_le_bytes());
    bytes.extend_from_slice(&(n as u16).to_le_bytes());
    bytes.extend_from_slice(&directory.to_le_bytes());
    bytes.extend_from_slice(&(start as u32).to_le_bytes());
    bytes.extend_from_slice(&[0; 2]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("directory.xlsx");
    std::fs::write(&path, bytes).unwrap();
    refused(
        &path,
        &["zip 目录超过 2097152 字节"],
        &["zip directory of the workbook is larger than 2097152 bytes"],
    );
}

/// The zip `bytes` (no comment, no zip64 end record) with a second directory record for the
/// part `name`, named `alias` (as long as `name`): two parts on the same bytes.
fn with_alias(bytes: &[u8], name: &str, alias: &str) -> Vec<u8> {
    let u16_at = |at: usize| usize::from(u16::from_le_bytes([bytes[at], bytes[at + 1]]));
    let u32_at = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
    let end = bytes.len() - 22;
    assert_eq!(&bytes[end..end + 4], b"PK\x05\x06");
    let (count, size, mut at) = (u16_at(end + 10), u32_at(end + 12), u32_at(end + 16));
    let mut record = loop {
        let n = u16_at(at + 28);
        let len = 46 + n + u16_at(at + 30) + u16_at(at + 32);
        if &bytes[at + 46..at + 46 + n] == name.as_bytes() {
            break bytes[at..at + len].to_vec();
        }
        at += len;
    };
    assert_eq!(alias.len(), name.len());
    record[46..46 + name.len()].copy_from_slice(alias.as_bytes());
    let mut out = bytes[..end].to_vec();
    out.extend_from_slice(&record);
    let mut tail = bytes[end..].to_vec();
    let count = (count as u16 + 1).to_le_bytes();
    tail[8..10].copy_from_slice(&count);
    tail[10..12].copy_from_slice(&count);
    tail[12..16].copy_from_slice(&((size + record.len()) as u32).to_le_bytes());
    out.extend_from_slice(&tail);
    out
}

#[test]
fn a_workbook_whose_parts_share_bytes_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("merged.xlsx");
    merged_workbook(&path);
    assert!(read(&path).is_ok());
    let bytes = std::fs::read(&path).unwrap();
    let shared = dir.path().join("shared.xlsx");
    let aliased = with_alias(
        &bytes,
        "xl/worksheets/sheet1.xml",
        "xl/worksheets/sheet9.xml",
    );
    std::fs::write(&shared, aliased).unwrap();
    refused(
        &shared,
        &["不是完好的 .xlsx 文件（overlapping parts）"],
        &["not a sound .xlsx file (overlapping parts)"],
    );
}

/// A registry the way counties export it: a title merged over the table, 乡镇 and 行政村
/// merged over the households of each, a merged range reaching past the data.
fn merged_workbook(path: &Path) {
    let mut book = rust_xlsxwriter::Workbook::new();
    let s = book.add_worksheet();
    let plain = rust_xlsxwriter::Format::new();
    s.merge_range(0, 0, 0, 4, "建档立卡贫困户信息表", &plain)
        .unwrap();
    for (c, h) in ["户编号", "乡镇", "行政村", "户主姓名", "脱贫状态"]
        .iter()
        .enumerate()
    {
        s.write_string(1, c as u16, *h).unwrap();
    }
    let people = ["张三", "李四", "王五", "赵六", "孙七"];
    for (i, name) in people.iter().enumerate() {
        let r = 2 + i as u32;
        s.write_string(r, 0, format!("53232600{i:02}")).unwrap();
        s.write_string(r, 3, *name).unwrap();
        s.write_string(r, 4, "未脱贫").unwrap();
    }
    // 乡镇: rows 3–5 and 6–9 (row 8 and 9 hold no household)
    s.merge_range(2, 1, 4, 1, "清溪乡", &plain).unwrap();
    s.merge_range(5, 1, 8, 1, "桂花乡", &plain).unwrap();
    // 行政村: one village over all five
    s.merge_range(2, 2, 6, 2, "桂花村", &plain).unwrap();
    book.save(path).unwrap();
}

#[test]
fn merged_cells_count_for_every_row_they_span_and_are_announced_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("merged.xlsx");
    merged_workbook(&path);
    let c = read(&path).unwrap();
    let data: Vec<&Vec<String>> = c
        .rows
        .iter()
        .filter(|(l, _)| (3..=7).contains(l))
        .map(|(_, cells)| cells)
        .collect();
    let towns: Vec<&str> = data.iter().map(|r| r[1].as_str()).collect();
    assert_eq!(towns, ["清溪乡", "清溪乡", "清溪乡", "桂花乡", "桂花乡"]);
    assert!(data.iter().all(|r| r[2] == "桂花村"));
    // the title is not spread over the header's columns; rows past the data stay blank
    assert_eq!(c.rows[0].1[0], "建档立卡贫困户信息表");
    assert!(c.rows[0].1[1..].iter().all(String::is_empty));
    assert!(
        c.rows
            .iter()
            .filter(|(l, _)| *l > 7)
            .all(|(_, cells)| cells.iter().all(String::is_empty))
    );
    assert_eq!(c.notices.len(), 1, "{:?}", c.notices);
    let n = &c.notices[0];
    assert!(
        n.zh.contains("合并单元格 B3:B5、C3:C7、B6:B9 的值已填入其中的每一行"),
        "{}",
        n.zh
    );
    assert!(
        n.en.contains("merged cells B3:B5, C3:C7, B6:B9 was filled into each of their rows"),
        "{}",
        n.en
    );

    let (code, v) = import_json(dir.path(), &path);
    assert_eq!((code, v["added"].as_u64()), (0, Some(5)), "{v}");
    let hs = households(dir.path());
    let town_of = |id: &str| {
        hs.iter()
            .find(|h| h["household_id"] == id)
            .map(|h| h["township"].clone())
    };
    assert_eq!(town_of("5323260001"), Some(Value::from("清溪乡")), "{hs:?}");
    assert_eq!(town_of("5323260004"), Some(Value::from("桂花乡")), "{hs:?}");
}

// ---------------------------------------------------------------------------------------
// CSV

fn csv(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

#[test]
fn an_unclosed_quote_is_reported_where_it_opens() {
    let dir = tempfile::tempdir().unwrap();
    let short = csv(
        dir.path(),
        "quote.csv",
        "户编号,户主姓名,家庭人口数\n1,\"张三,2\n3,李四,4\n".as_bytes(),
    );
    refused(
        &short,
        &[
            "第 2 行第 2 个单元格的开引号（\"）没有对应的结束引号",
            "文件末尾",
        ],
        &["the opening quote (\") of field 2 on line 2 has no closing quote"],
    );
    // without a newline at the end, in a GBK file
    let gbk = encoding_rs::GBK
        .encode("户编号,户主姓名\r\n1,张三\r\n2,\"李四")
        .0;
    refused(
        &csv(dir.path(), "gbk.csv", &gbk),
        &["第 3 行第 2 个单元格"],
        &[],
    );
    // a quote that swallows more than a record may hold
    let mut long = "户编号,户主姓名,家庭人口数\n1,张三,2\n3,\"李四,4\n".to_string();
    long.push_str(&"5,王五,6\n".repeat(300_000));
    refused(
        &csv(dir.path(), "long.csv", long.as_bytes()),
        &["第 3 行第 2 个单元格的开引号（\"）之后 2097152 字节内没有结束引号"],
        &["field 2 on line 3 is not closed within 2097152 bytes"],
    );
}

#[test]
fn a_line_longer_than_a_record_may_be_stops_the_read() {
    let dir = tempfile::tempdir().unwrap();
    // one line of 3 MB without a newline
    let one = vec![b'a'; 3 << 20];
    refused(
        &csv(dir.path(), "one_line.csv", &one),
        &["第 1 行超过 2097152 字节", "最多 512 列"],
        &["line 1 is longer than 2097152 bytes"],
    );
    let mut third = "户编号,户主姓名\r\n1,张三\r\n\r\n2,".as_bytes().to_vec();
    third.extend(std::iter::repeat_n(b'x', 3 << 20));
    third.extend_from_slice(b"\r\n3,y\r\n");
    refused(&csv(dir.path(), "third.csv", &third), &["第 4 行超过"], &[]);
}

#[test]
fn blank_lines_are_no_part_of_a_long_line() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = "户编号,脱贫状态\n1,未脱贫\n".as_bytes().to_vec();
    bytes.extend(std::iter::repeat_n(b'\n', 3 << 20));
    bytes.extend_from_slice("2,已脱贫\n".as_bytes());
    let p = csv(dir.path(), "blank.csv", &bytes);
    let (code, v) = import_json(dir.path(), &p);
    assert_eq!((code, v["added"].as_u64()), (0, Some(2)), "{v}");
}

#[test]
fn a_row_with_more_cells_than_the_column_limit_stops_the_read() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = "户编号,脱贫状态\n1,未脱贫\n2".to_string();
    text.push_str(&",x".repeat(600));
    text.push('\n');
    refused_after(
        &csv(dir.path(), "wide.csv", text.as_bytes()),
        &["第 3 行有 601 列，超过最多 512 列"],
        &["line 3 has 601 fields, more than the limit of 512"],
        1,
    );
    // empty cells at the end (trailing delimiters) do not count
    let mut text = "户编号,脱贫状态\n1,未脱贫".to_string();
    text.push_str(&",".repeat(600));
    text.push('\n');
    let (code, v) = import_json(dir.path(), &csv(dir.path(), "commas.csv", text.as_bytes()));
    assert_eq!(code, 0, "{v}");
}

#[test]
fn a_csv_cell_over_the_cell_limit_rejects_its_row() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "户编号,户主姓名,脱贫状态\n1,张三,未脱贫\n2,{},未脱贫\n3,王五,已脱贫\n",
        "李".repeat(1700)
    );
    let (code, v) = import_json(dir.path(), &csv(dir.path(), "cell.csv", text.as_bytes()));
    assert_eq!(code, 3, "{v}");
    assert_eq!(v["added"], 2);
    let rejected = v["rejected"].as_array().unwrap();
    assert_eq!(rejected.len(), 1);
    assert_eq!(rejected[0]["line"], 3);
    let reason = rejected[0]["reason"].as_str().unwrap();
    assert!(
        reason.contains("第 2 列的单元格有 5100 字节，超过上限 4096 字节"),
        "{reason}"
    );
}
