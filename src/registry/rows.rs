//! One row of a registry file → a household, a member or a village record, or the reasons it
//! is rejected (every problem of the row, in both languages). Values are read the way county
//! exports write them: status as words or aar010 codes, 是/否 flags, whole numbers that a
//! spreadsheet wrote as `3.0`, full-width digits. ID numbers are checked by
//! [`crate::id_number`]; one that Excel turned into a number is named as such.

use chrono::NaiveDate;

use crate::i18n::Text;
use crate::id_number::{self, IdProblem};
use crate::tr;

use super::columns::{Field, Header};
use super::table::Cells;
use super::village::VillageRecord;
use super::{Household, Member, Status, VillageType};

/// A row that is not imported: its line (CSV: line in the file, header = 1; XLSX: sheet row)
/// and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Reject {
    pub line: u64,
    pub reason: Text,
}

/// The problems of one row, joined into one reason.
#[derive(Debug, Default)]
struct Problems(Vec<Text>);

impl Problems {
    fn push(&mut self, t: Text) {
        self.0.push(t);
    }

    fn into_result<T>(self, line: u64, value: T) -> Result<T, Reject> {
        if self.0.is_empty() {
            return Ok(value);
        }
        Err(Reject {
            line,
            reason: join(&self.0),
        })
    }
}

/// Several reasons as one text (`；` in Chinese, `; ` in English).
pub fn join(reasons: &[Text]) -> Text {
    Text::new(
        reasons
            .iter()
            .map(|t| t.zh.as_str())
            .collect::<Vec<_>>()
            .join("；"),
        reasons
            .iter()
            .map(|t| t.en.as_str())
            .collect::<Vec<_>>()
            .join("; "),
    )
}

/// A value shown in a reason: cut to 30 characters.
fn shown(v: &str) -> String {
    if v.chars().count() > 30 {
        let mut s: String = v.chars().take(29).collect();
        s.push('~');
        s
    } else {
        v.to_string()
    }
}

/// A cell of a row, trimmed: `None` when the file has no such column, `""` when empty. One
/// leading `'` is taken off: ruhu's own CSV files (a rejects file to fix and import again)
/// mark ID numbers and long ids with it so that a spreadsheet keeps them as text, and a
/// spreadsheet saving such a file keeps the mark.
pub fn cell<'a>(header: &Header, cells: &'a Cells, field: Field) -> Option<&'a str> {
    let i = header.column(field)?;
    // `trim` knows the ideographic space (U+3000) too.
    Some(crate::sheet_csv::unmark(cells.get(i).unwrap_or("").trim()).trim())
}

/// True when every cell of the row is empty (spreadsheets leave such rows at the end).
pub fn is_blank(cells: &Cells) -> bool {
    cells.iter().all(|c| c.trim().is_empty())
}

/// Checks the row's width against the header: a short row is rejected; a long one too, unless
/// the extra cells are empty (a trailing delimiter).
pub fn check_width(header: &Header, cells: &Cells) -> Option<Text> {
    check_row_width(header.width(), cells)
}

/// [`check_width`] against a header of `width` cells (the project files' header too).
pub fn check_row_width(width: usize, cells: &Cells) -> Option<Text> {
    let (n, m) = (cells.len(), width);
    if n < m {
        return Some(tr!(
            "该行只有 {} 列，标题行有 {} 列（行不完整）",
            "short row: {} fields, the header has {}",
            n,
            m
        ));
    }
    if n > m && cells.iter().skip(m).any(|c| !c.trim().is_empty()) {
        return Some(tr!(
            "该行有 {} 列，比标题行（{} 列）多：可能有未加引号的逗号",
            "the row has {} fields, more than the header's {}: an unquoted comma?",
            n,
            m
        ));
    }
    None
}

/// Garbled text: characters that could not be decoded (wrong encoding).
pub fn check_garbled(cells: &Cells) -> Option<Text> {
    // U+FFFD is EF BF BD in UTF-8: look for the rare lead byte over the whole row at once.
    let bytes = cells.as_slice().as_bytes();
    let garbled = bytes
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == 0xEF)
        .any(|(i, _)| bytes.get(i + 1..i + 3) == Some(&[0xBF, 0xBD][..]));
    garbled.then(|| {
        tr!(
            "含有乱码（无法解码的字符）：文件编码不对？可用 --encoding 指定",
            "has undecodable characters: wrong encoding? use --encoding"
        )
    })
}

/// Control characters in a cell: terminal escapes (`\x1b[2J`, `\x1b]0;…\x07`), other C0 and
/// C1 controls but tab and line breaks, and bidirectional overrides, which no registry value
/// holds and which would act on the terminal or the eye when shown. Says which column.
pub fn check_control(cells: &Cells) -> Option<Text> {
    let bytes = cells.as_slice().as_bytes();
    // Fast path: most rows have no byte that could start such a character.
    if !bytes.iter().any(|&b| {
        (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')) || b == 0x7f || b == 0xC2 || b == 0xE2
    }) {
        return None;
    }
    let column = cells.iter().position(|c| {
        c.chars()
            .any(|ch| ch != '\r' && crate::printable::is_unsafe(ch))
    })?;
    Some(tr!(
        "第 {} 列含有控制字符（如终端转义序列），不能导入",
        "column {} holds control characters (such as terminal escape sequences) and cannot be imported",
        column + 1
    ))
}

/// Full-width digits, signs and points as ASCII, spaces removed.
fn ascii_number(v: &str) -> std::borrow::Cow<'_, str> {
    if v.bytes().all(|b| b.is_ascii_graphic()) {
        return std::borrow::Cow::Borrowed(v);
    }
    v.chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{3000}')
        .map(|c| match c {
            '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
            '．' => '.',
            '－' => '-',
            '＋' => '+',
            c => c,
        })
        .collect::<String>()
        .into()
}

/// Scientific notation, as Excel shows a long number (`5.32326E+17`).
pub fn is_scientific(v: &str) -> bool {
    let v = ascii_number(v);
    let Some(e) = v.find(['e', 'E']) else {
        return false;
    };
    let (mantissa, exp) = (&v[..e], &v[e + 1..]);
    let exp = exp.strip_prefix('+').unwrap_or(exp);
    !mantissa.is_empty()
        && mantissa.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && !exp.is_empty()
        && exp.bytes().all(|b| b.is_ascii_digit())
}

/// A whole number (also `3.0`).
pub fn parse_whole(v: &str) -> Option<i64> {
    let s = ascii_number(v);
    if let Ok(n) = s.parse::<i64>() {
        return Some(n);
    }
    if s.bytes()
        .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-')
        && let Ok(f) = s.parse::<f64>()
        && f.is_finite()
        && f.fract() == 0.0
        && f.abs() < 1e15
    {
        return Some(f as i64);
    }
    None
}

/// An amount of money: thousands separators and a trailing 元 allowed.
pub fn parse_money(v: &str) -> Option<f64> {
    let s: String = ascii_number(v)
        .chars()
        .filter(|c| !matches!(c, ',' | '，'))
        .collect();
    let s = s.strip_suffix('元').unwrap_or(&s);
    if s.is_empty()
        || !s
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-')
    {
        return None;
    }
    s.parse::<f64>().ok().filter(|f| f.is_finite())
}

/// 脱贫状态 as words (Chinese or English) or aar010 codes.
pub fn parse_status(v: &str) -> Option<Status> {
    let s = ascii_number(v).to_ascii_lowercase();
    let s = s.as_str();
    Some(match s {
        "未脱贫" | "贫困户" | "未脱贫户" | "0" | "00" | "poor" => Status::Poor,
        "已脱贫" | "脱贫" | "已脱贫户" | "脱贫户" | "1" | "01" | "4" | "04" | "exited" => {
            Status::Exited
        }
        "返贫" | "返贫户" | "3" | "03" | "returned" => Status::Returned,
        "非贫困户" | "非贫困" | "non_poor" | "non-poor" | "nonpoor" => Status::NonPoor,
        // 已脱贫（享受政策）, 已脱贫(不再享受政策)
        s if s.starts_with("已脱贫") => Status::Exited,
        _ => return None,
    })
}

/// 村属性 as words (Chinese or English).
pub fn parse_village_type(v: &str) -> Option<VillageType> {
    Some(match v.trim().to_ascii_lowercase().as_str() {
        "贫困村" | "poor" => VillageType::Poor,
        "非贫困村" | "non_poor" | "non-poor" | "nonpoor" => VillageType::NonPoor,
        "已出列贫困村" | "出列贫困村" | "已退出贫困村" | "已出列" | "exited" => {
            VillageType::Exited
        }
        _ => return None,
    })
}

/// 是/否 flags (also yes/no, y/n, true/false, 1/0).
pub fn parse_yes_no(v: &str) -> Option<bool> {
    match ascii_number(v).to_ascii_lowercase().as_str() {
        "是" | "yes" | "y" | "true" | "1" => Some(true),
        "否" | "no" | "n" | "false" | "0" => Some(false),
        _ => None,
    }
}

/// 与户主关系 as a `relation` choice name of the members roster; words it does not know are
/// `other`.
pub fn parse_relation(v: &str) -> String {
    let s = v.trim().to_ascii_lowercase();
    let name = match s.as_str() {
        "" => "",
        "户主" | "本人" | "head" => "head",
        "配偶" | "妻" | "妻子" | "夫" | "丈夫" | "spouse" => "spouse",
        "子女" | "子" | "女" | "儿子" | "女儿" | "长子" | "次子" | "三子" | "长女" | "次女"
        | "三女" | "之子" | "之女" | "养子" | "养女" | "独生子" | "独生女" | "child" => {
            "child"
        }
        "父母" | "父亲" | "母亲" | "父" | "母" | "parent" => "parent",
        "孙子女" | "孙子" | "孙女" | "外孙子女" | "外孙" | "外孙女" | "grandchild" => {
            "grandchild"
        }
        "兄弟姐妹" | "兄弟" | "姐妹" | "兄" | "弟" | "姐" | "妹" | "哥哥" | "弟弟" | "姐姐"
        | "妹妹" | "sibling" => "sibling",
        _ => "other",
    };
    name.to_string()
}

/// 性别 as the `sex` choice name (GB/T 2261.1 codes 1 and 2 too).
pub fn parse_sex(v: &str) -> Option<&'static str> {
    match ascii_number(v).to_ascii_lowercase().as_str() {
        "男" | "male" | "m" | "1" => Some("male"),
        "女" | "female" | "f" | "2" => Some("female"),
        _ => None,
    }
}

/// Checks an ID number cell; the checked number (upper-case `X`) or the problem.
fn check_id_number(field: Field, v: &str, today: NaiveDate) -> Result<String, Text> {
    let label = field.label();
    if is_scientific(v) {
        return Err(Text::new(
            format!(
                "{}被 Excel 改成了数字（{}），后几位已丢失：请把该列设为“文本”后重新导出",
                label.zh,
                shown(v)
            ),
            format!(
                "{} was turned into a number by Excel ({}), its last digits are lost: format the column as text and export again",
                label.en,
                shown(v)
            ),
        ));
    }
    let id: String = ascii_number(v).to_ascii_uppercase();
    match id_number::check(&id, today) {
        Ok(()) => Ok(id),
        Err(problem) => {
            let m = problem.message();
            let hint = match problem {
                IdProblem::WrongCheckDigit => {
                    let expected = id_number::check_char(&id[..17]).unwrap_or('?');
                    Text::new(
                        format!("（按前17位应为 {expected}）"),
                        format!(" (by the first 17 digits it would be {expected})"),
                    )
                }
                _ => Text::default(),
            };
            Err(Text::new(
                format!("{} {}：{}{}", label.zh, shown(v), m.zh, hint.zh),
                format!("{} {}: {}{}", label.en, shown(v), m.en, hint.en),
            ))
        }
    }
}

/// A household id cell: present and not mangled by Excel.
fn household_id(v: Option<&str>, problems: &mut Problems) -> String {
    let v = v.unwrap_or("");
    if v.is_empty() {
        problems.push(tr!("缺少户编号", "household id missing"));
    } else if v.len() > crate::limits::MAX_ID_BYTES {
        problems.push(tr!(
            "户编号太长（{} 字节，最多 {} 字节）",
            "household id too long ({} bytes, at most {})",
            v.len(),
            crate::limits::MAX_ID_BYTES
        ));
    } else if is_scientific(v) {
        problems.push(tr!(
            "户编号被 Excel 改成了科学计数法（{}）：请把该列设为“文本”后重新导出",
            "household id was turned into scientific notation by Excel ({}): format the column as text and export again",
            shown(v)
        ));
    } else if crate::subject::looks_like_other_subject(v) {
        problems.push(other_subject_id(v));
    }
    v.to_string()
}

/// A household id that reads as another subject's key (`project:…`, `person:…`,
/// `place:…`; see [`crate::subject`]).
pub(crate) fn other_subject_id(v: &str) -> Text {
    tr!(
        "户编号 {} 不能以 project:、person: 或 place: 开头（这些前缀表示项目、访谈对象和地方）",
        "household id {} cannot begin with project:, person: or place: (those name projects, people and places)",
        shown(v)
    )
}

fn not_number(field: Field, v: &str, what_zh: &str, what_en: &str) -> Text {
    let label = field.label();
    Text::new(
        format!("{}不是{}：{}", label.zh, what_zh, shown(v)),
        format!("{} is not {}: {}", label.en, what_en, shown(v)),
    )
}

fn unknown(field: Field, v: &str, accepted_zh: &str, accepted_en: &str) -> Text {
    let label = field.label();
    Text::new(
        format!("未知的{}：{}（可用：{}）", label.zh, shown(v), accepted_zh),
        format!("unknown {}: {} (use {})", label.en, shown(v), accepted_en),
    )
}

/// A household of the household file. Columns the file lacks keep their defaults (the import
/// merges them with the stored record); a missing status column gives [`Status::NonPoor`]
/// here and is dealt with by the import.
pub fn household(
    header: &Header,
    line: u64,
    cells: &Cells,
    today: NaiveDate,
) -> Result<Household, Reject> {
    let mut p = Problems::default();
    let text = |f: Field| cell(header, cells, f).unwrap_or("").to_string();
    let id = household_id(cell(header, cells, Field::HouseholdId), &mut p);
    let mut h = Household::provisional(id, text(Field::HeadName), text(Field::Village));
    h.provisional = false;

    if let Some(v) = cell(header, cells, Field::HeadIdNumber)
        && !v.is_empty()
    {
        match check_id_number(Field::HeadIdNumber, v, today) {
            Ok(id) => h.head_id_number = id,
            Err(t) => p.push(t),
        }
    }
    if let Some(v) = cell(header, cells, Field::HouseholdSize)
        && !v.is_empty()
    {
        match parse_whole(v) {
            Some(n) if (1..=99).contains(&n) => h.household_size = u32::try_from(n).ok(),
            Some(_) => p.push(tr!(
                "家庭人口数不合理：{}（应为 1 到 99）",
                "household size out of range: {} (1 to 99)",
                shown(v)
            )),
            None => p.push(not_number(
                Field::HouseholdSize,
                v,
                "整数",
                "a whole number",
            )),
        }
    }
    if let Some(v) = cell(header, cells, Field::Status) {
        if v.is_empty() {
            p.push(tr!("缺少脱贫状态", "status missing"));
        } else {
            match parse_status(v) {
                Some(s) => h.status = s,
                None => p.push(unknown(
                    Field::Status,
                    v,
                    "未脱贫、已脱贫、返贫、非贫困户，或 aar010 代码 0、1、3、4",
                    "poor, exited, returned, non_poor, or the aar010 codes 0, 1, 3, 4",
                )),
            }
        }
    }
    if let Some(v) = cell(header, cells, Field::ExitYear)
        && !v.is_empty()
    {
        let v2 = v.strip_suffix('年').unwrap_or(v);
        match parse_whole(v2) {
            Some(y) if (1978..=2100).contains(&y) => h.exit_year = i32::try_from(y).ok(),
            _ => p.push(not_number(Field::ExitYear, v, "年份", "a year")),
        }
    }
    h.household_type = text(Field::HouseholdType);
    if let Some(v) = cell(header, cells, Field::IncomePerCapita)
        && !v.is_empty()
    {
        match parse_money(v) {
            Some(x) => h.income_per_capita = Some(x),
            None => p.push(not_number(Field::IncomePerCapita, v, "数字", "a number")),
        }
    }
    h.county = text(Field::County);
    h.township = text(Field::Township);
    h.village_group = text(Field::VillageGroup);
    h.helper = text(Field::Helper);
    if let Some(v) = cell(header, cells, Field::VillageType)
        && !v.is_empty()
    {
        match parse_village_type(v) {
            Some(t) => h.village_type = Some(t),
            None => p.push(unknown(
                Field::VillageType,
                v,
                "贫困村、非贫困村、已出列贫困村",
                "poor, non_poor, exited",
            )),
        }
    }
    for (field, slot) in [(Field::Remote, &mut h.remote), (Field::Edge, &mut h.edge)] {
        if let Some(v) = cell(header, cells, field)
            && !v.is_empty()
        {
            match parse_yes_no(v) {
                Some(b) => *slot = b,
                None => p.push(unknown(field, v, "是、否", "是/否, yes/no")),
            }
        }
    }
    p.into_result(line, h)
}

/// A member row: the household id it belongs to and the member.
pub fn member(
    header: &Header,
    line: u64,
    cells: &Cells,
    today: NaiveDate,
) -> Result<(String, Member), Reject> {
    let mut p = Problems::default();
    let id = household_id(cell(header, cells, Field::HouseholdId), &mut p);
    let name = cell(header, cells, Field::MemberName).unwrap_or("");
    if name.is_empty() {
        p.push(tr!("缺少姓名", "name missing"));
    }
    let mut m = Member {
        name: name.to_string(),
        ..Member::default()
    };
    if let Some(v) = cell(header, cells, Field::MemberIdNumber)
        && !v.is_empty()
    {
        match check_id_number(Field::MemberIdNumber, v, today) {
            Ok(id) => m.id_number = id,
            Err(t) => p.push(t),
        }
    }
    if let Some(v) = cell(header, cells, Field::Relation) {
        m.relation = parse_relation(v);
    }
    if let Some(v) = cell(header, cells, Field::Sex)
        && !v.is_empty()
    {
        match parse_sex(v) {
            Some(s) => m.sex = s.to_string(),
            None => p.push(unknown(Field::Sex, v, "男、女", "男/女, male/female")),
        }
    }
    if let Some(v) = cell(header, cells, Field::Age)
        && !v.is_empty()
    {
        match parse_whole(v) {
            Some(a) if (0..=130).contains(&a) => m.age = u32::try_from(a).ok(),
            Some(_) => p.push(tr!("年龄不合理：{}", "age out of range: {}", shown(v))),
            None => p.push(not_number(Field::Age, v, "整数", "a whole number")),
        }
    }
    p.into_result(line, (id, m))
}

/// A village row.
pub fn village(header: &Header, line: u64, cells: &Cells) -> Result<VillageRecord, Reject> {
    let mut p = Problems::default();
    let text = |f: Field| cell(header, cells, f).unwrap_or("").to_string();
    let mut r = VillageRecord {
        county: text(Field::County),
        township: text(Field::Township),
        village: text(Field::Village),
        village_type: None,
        remote: None,
    };
    if r.village.is_empty() {
        p.push(tr!("缺少行政村名称", "village name missing"));
    }
    if let Some(v) = cell(header, cells, Field::VillageType)
        && !v.is_empty()
    {
        match parse_village_type(v) {
            Some(t) => r.village_type = Some(t),
            None => p.push(unknown(
                Field::VillageType,
                v,
                "贫困村、非贫困村、已出列贫困村",
                "poor, non_poor, exited",
            )),
        }
    }
    if let Some(v) = cell(header, cells, Field::Remote)
        && !v.is_empty()
    {
        match parse_yes_no(v) {
            Some(b) => r.remote = Some(b),
            None => p.push(unknown(Field::Remote, v, "是、否", "是/否, yes/no")),
        }
    }
    p.into_result(line, r)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::columns::FileKind;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2018, 6, 1).unwrap()
    }

    fn header(names: &[&str]) -> Header {
        Header::map(
            FileKind::Households,
            names.iter().map(|s| s.to_string()).collect(),
        )
        .unwrap()
    }

    fn row(cells: &[&str]) -> Cells {
        Cells::from(cells.to_vec())
    }

    const H: &[&str] = &[
        "户编号",
        "户主姓名",
        "证件号码",
        "家庭人口数",
        "脱贫状态",
        "脱贫年度",
        "人均纯收入",
        "村属性",
        "是否边远",
    ];

    fn household_of(cells: &[&str]) -> Result<Household, Reject> {
        household(&header(H), 7, &row(cells), today())
    }

    #[test]
    fn a_good_row_becomes_a_household() {
        let h = household_of(&[
            "532326007000000",
            "周国红",
            "53232619490915548x",
            "3.0",
            "已脱贫",
            "2017年",
            "3,335元",
            "已出列贫困村",
            "是",
        ])
        .unwrap();
        assert_eq!(h.household_id, "532326007000000");
        assert_eq!(h.head_id_number, "53232619490915548X");
        assert_eq!(h.household_size, Some(3));
        assert_eq!(h.status, Status::Exited);
        assert_eq!(h.exit_year, Some(2017));
        assert_eq!(h.income_per_capita, Some(3335.0));
        assert_eq!(h.village_type, Some(VillageType::Exited));
        assert!(h.remote && !h.provisional && !h.demo);
    }

    #[test]
    fn status_words_and_codes() {
        for (v, s) in [
            ("未脱贫", Status::Poor),
            ("0", Status::Poor),
            ("已脱贫", Status::Exited),
            ("1", Status::Exited),
            ("4", Status::Exited),
            ("已脱贫（不再享受政策）", Status::Exited),
            ("返贫", Status::Returned),
            ("3", Status::Returned),
            ("非贫困户", Status::NonPoor),
            ("non_poor", Status::NonPoor),
            ("Exited", Status::Exited),
        ] {
            assert_eq!(parse_status(v), Some(s), "{v}");
        }
        assert_eq!(parse_status("2"), None);
        assert_eq!(parse_status("脱贫中"), None);
    }

    #[test]
    fn every_problem_of_a_row_is_named() {
        let r = household_of(&[
            "",
            "张三",
            "110105194912310021",
            "三",
            "已脱",
            "",
            "abc",
            "",
            "",
        ])
        .unwrap_err();
        assert_eq!(r.line, 7);
        let zh = &r.reason.zh;
        assert!(zh.contains("缺少户编号"), "{zh}");
        assert!(zh.contains("校验位错误"), "{zh}");
        assert!(zh.contains("应为 X"), "{zh}");
        assert!(zh.contains("家庭人口数不是整数"), "{zh}");
        assert!(zh.contains("未知的脱贫状态"), "{zh}");
        assert!(zh.contains("人均纯收入不是数字"), "{zh}");
        let en = &r.reason.en;
        assert!(en.contains("household id missing"), "{en}");
        assert!(en.contains("check digit"), "{en}");
    }

    #[test]
    fn impossible_birth_date_and_excel_numbers() {
        let first17 = "53232619490230548";
        let id = format!("{first17}{}", id_number::check_char(first17).unwrap());
        let r = household_of(&["1", "a", &id, "", "0", "", "", "", ""]).unwrap_err();
        assert!(r.reason.zh.contains("出生日期"), "{}", r.reason.zh);
        let r = household_of(&["1", "a", "5.32326E+17", "", "0", "", "", "", ""]).unwrap_err();
        assert!(r.reason.zh.contains("Excel"), "{}", r.reason.zh);
        assert!(r.reason.en.contains("turned into a number"));
        let r = household_of(&["5.32326E+14", "a", "", "", "0", "", "", "", ""]).unwrap_err();
        assert!(r.reason.zh.contains("科学计数法"), "{}", r.reason.zh);
    }

    #[test]
    fn empty_status_is_missing() {
        let r = household_of(&["1", "a", "", "", "", "", "", "", ""]).unwrap_err();
        assert_eq!(r.reason.zh, "缺少脱贫状态");
    }

    #[test]
    fn row_width() {
        let h = header(&["户编号", "户主姓名", "脱贫状态"]);
        assert!(
            check_width(&h, &row(&["1", "a"]))
                .unwrap()
                .zh
                .contains("只有 2 列")
        );
        assert!(check_width(&h, &row(&["1", "a", "0", ""])).is_none());
        assert!(check_width(&h, &row(&["1", "a", "0", "x"])).is_some());
        assert!(check_width(&h, &row(&["1", "a", "0"])).is_none());
    }

    #[test]
    fn numbers() {
        assert_eq!(parse_whole("３"), Some(3));
        assert_eq!(parse_whole("4.0"), Some(4));
        assert_eq!(parse_whole("4.5"), None);
        assert_eq!(parse_whole("1e3"), None);
        assert_eq!(parse_money("1,234.5"), Some(1234.5));
        assert_eq!(parse_money("NaN"), None);
        assert_eq!(parse_money("inf"), None);
        assert_eq!(parse_money(""), None);
        assert!(is_scientific("5.32326E+17"));
        assert!(is_scientific("5.323261949091555E17"));
        assert!(!is_scientific("53232619490915548X"));
        assert!(!is_scientific("E17"));
    }

    #[test]
    fn members_and_villages() {
        let h = Header::map(
            FileKind::Members,
            ["户编号", "姓名", "证件号码", "与户主关系", "性别", "年龄"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
        )
        .unwrap();
        let (id, m) = member(
            &h,
            2,
            &row(&["9", "李四", "11010519491231002X", "长子", "男", "40"]),
            today(),
        )
        .unwrap();
        assert_eq!(id, "9");
        assert_eq!(
            (m.relation.as_str(), m.sex.as_str(), m.age),
            ("child", "male", Some(40))
        );
        let r = member(&h, 3, &row(&["9", "", "", "", "X", "x"]), today()).unwrap_err();
        assert!(r.reason.zh.contains("缺少姓名") && r.reason.zh.contains("性别"));

        let vh = Header::map(
            FileKind::Villages,
            ["乡镇", "行政村", "村属性", "是否边远"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
        )
        .unwrap();
        let v = village(&vh, 2, &row(&["昙华乡", "桂花村", "贫困村", "否"])).unwrap();
        assert_eq!(v.village_type, Some(VillageType::Poor));
        assert_eq!(v.remote, Some(false));
        assert!(village(&vh, 3, &row(&["昙华乡", "桂花村", "穷村", "否"])).is_err());
    }

    proptest::proptest! {
        #[test]
        fn any_row_is_checked_without_panicking(cells in proptest::collection::vec(".{0,20}", 0..12)) {
            let h = header(H);
            let r = row(&cells.iter().map(String::as_str).collect::<Vec<_>>());
            let _ = check_width(&h, &r);
            let _ = household(&h, 2, &r, today());
        }
    }
}
