//! The bundled archive catalogue against the notice's attachment (档案台账目录清单), item by
//! item, and the checklist built on it. The attachment is copied unchanged from the seed
//! notice (from 附件： after the signature to the end) into
//! tests/fixtures/notice/attachment.txt and parsed here on its own terms.

use ruhu::archive::{self, Checklist, ChecklistError, ItemNumber, Level, Retention, Status};
use serde_json::{Value, json};

const ATTACHMENT: &str = include_str!("fixtures/notice/attachment.txt");

/// One item as the attachment lists it.
#[derive(Debug, Clone, PartialEq)]
struct NoticeItem {
    level: Level,
    number: String,
    /// The category's label without its number and spaces.
    category: String,
    /// The label exactly as written.
    category_written: String,
    stage: Option<String>,
    text: String,
    retention: Option<String>,
}

/// `N.M text` → (`N.M`, text); `None` for anything else.
fn split_item(cell: &str) -> Option<(&str, &str)> {
    let (number, text) = cell.split_once(' ')?;
    let (a, b) = number.split_once('.')?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit());
    (digits(a) && digits(b)).then_some((number, text))
}

fn major(number: &str) -> &str {
    number.split_once('.').unwrap().0
}

/// The tables are blocks of lines separated by blank lines: the county table, the township
/// table, then the village table (its second block starts again with the header 类别及阶段).
/// Columns are tab-separated: category label, for the village table a stage, the item, its
/// retention. A label or stage holds until the next one; an item whose number is the next
/// category's and not its own category's (township 2.1, one line above 贫困乡退出类) goes to the
/// next category.
fn parse_attachment(text: &str) -> Vec<NoticeItem> {
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("附件："));
    let mut blocks: Vec<Vec<&str>> = vec![Vec::new()];
    for line in lines {
        if line.trim().is_empty() {
            if !blocks.last().unwrap().is_empty() {
                blocks.push(Vec::new());
            }
        } else {
            blocks.last_mut().unwrap().push(line);
        }
    }
    if blocks.last().unwrap().is_empty() {
        blocks.pop();
    }
    assert_eq!(blocks.len(), 4, "county, township and two village blocks");
    let mut out: Vec<NoticeItem> = Vec::new();
    for (b, block) in blocks.iter().enumerate() {
        let level = match b {
            0 => Level::County,
            1 => Level::Township,
            _ => Level::Village,
        };
        if b == 3 {
            assert!(block[0].starts_with("类别及阶段"), "continuation header");
        }
        let mut category: Option<(String, String)> = None;
        let mut stage: Option<String> = None;
        for line in block {
            let cols: Vec<&str> = line.split('\t').collect();
            if cols[0] == "类别及阶段" {
                assert_eq!(level, Level::Village);
                continue;
            }
            let at = cols
                .iter()
                .position(|c| split_item(c).is_some())
                .unwrap_or_else(|| panic!("no item on line {line:?}"));
            let (number, text) = split_item(cols[at]).unwrap();
            let label = cols[0];
            if !label.is_empty() && category.as_ref().is_none_or(|(_, w)| w != label) {
                let name: String = label.chars().filter(|c| *c != ' ').collect();
                let name = match name.split_once('.') {
                    Some((n, rest)) if n.bytes().all(|c| c.is_ascii_digit()) => rest.to_string(),
                    _ => name,
                };
                // An item of this category's number left in the one before.
                let previous: Vec<&NoticeItem> = out
                    .iter()
                    .filter(|i| {
                        i.level == level && Some(&i.category) == category.as_ref().map(|c| &c.0)
                    })
                    .collect();
                if let (Some(first), Some(last)) = (previous.first(), previous.last())
                    && major(&last.number) == major(number)
                    && major(&first.number) != major(number)
                {
                    let last = out.last_mut().unwrap();
                    last.category = name.clone();
                    last.category_written = label.to_string();
                }
                category = Some((name, label.to_string()));
                stage = None;
            }
            if level == Level::Village && at >= 2 && !cols[1].is_empty() {
                stage = Some(cols[1].to_string());
            }
            let retention = cols[at + 1..]
                .iter()
                .find(|c| !c.is_empty())
                .map(|c| c.to_string());
            let (category, written) = category.clone().expect("a category before the item");
            out.push(NoticeItem {
                level,
                number: number.to_string(),
                category,
                category_written: written,
                stage: stage.clone(),
                text: text.to_string(),
                retention,
            });
        }
    }
    out
}

fn catalogue() -> archive::Catalogue {
    archive::catalogue::bundled().expect("bundled catalogue")
}

#[test]
fn the_attachment_parses_into_the_three_tables() {
    let items = parse_attachment(ATTACHMENT);
    let count = |l| items.iter().filter(|i| i.level == l).count();
    assert_eq!(count(Level::County), 30);
    assert_eq!(count(Level::Township), 15);
    assert_eq!(count(Level::Village), 48);
    let t21 = items
        .iter()
        .find(|i| i.level == Level::Township && i.number == "2.1")
        .unwrap();
    assert_eq!(t21.category, "贫困乡退出类");
    assert!(
        items
            .iter()
            .filter(|i| i.level != Level::Village)
            .all(|i| i.retention.is_none() && i.stage.is_none())
    );
}

#[test]
fn every_item_of_the_catalogue_is_the_notice_s() {
    let notice = parse_attachment(ATTACHMENT);
    let cat = catalogue();
    let mut ours = Vec::new();
    for level in Level::ALL {
        for (c, i) in cat.table(level).unwrap().items() {
            ours.push(NoticeItem {
                level,
                number: i.number.to_string(),
                category: c.name.zh.clone(),
                category_written: c.written.clone(),
                stage: i.stage.as_ref().map(|s| s.zh.clone()),
                text: i.text.zh.clone(),
                retention: i.retention.map(|r| r.as_str().to_string()),
            });
        }
    }
    assert_eq!(ours.len(), notice.len());
    for (a, b) in ours.iter().zip(&notice) {
        assert_eq!(a, b, "{:?} {}", a.level, a.number);
    }
    // Every village item has a retention the catalogue knows.
    assert!(
        notice
            .iter()
            .filter(|i| i.level == Level::Village)
            .all(|i| matches!(i.retention.as_deref(), Some("永久" | "30年")))
    );
    // The counts.
    assert_eq!(cat.table(Level::County).unwrap().len(), 30);
    assert_eq!(cat.table(Level::Township).unwrap().len(), 15);
    assert_eq!(
        cat.table(Level::Village).unwrap().len(),
        notice.iter().filter(|i| i.level == Level::Village).count()
    );
    // Every item and category has an English gloss.
    for t in &cat.tables {
        for (c, i) in t.items() {
            assert!(!c.name.en.trim().is_empty() && !i.text.en.trim().is_empty());
            if let Some(s) = &i.stage {
                assert!(!s.en.trim().is_empty());
            }
        }
    }
}

#[test]
fn the_notice_s_punctuation_and_typos_are_kept() {
    let cat = catalogue();
    let v = cat.table(Level::Village).unwrap();
    let text = |n: &str| {
        v.item(ItemNumber::parse(n).unwrap())
            .unwrap()
            .1
            .text
            .zh
            .clone()
    };
    assert_eq!(text("3.1"), "特色产项目的材料；");
    assert_eq!(text("3.9"), "其他精准帮扶项目的材料；");
    assert_eq!(text("3.10"), "东西部协作项目的材料;");
    assert_eq!(text("4.11"), "公示公告等文件材料。");
    assert_eq!(
        text("2.8"),
        "举报信箱、举报电话照片依据及核实情况 支撑性材料等；"
    );
}

fn answers(list: &[(&str, Value)]) -> Vec<(String, Value)> {
    list.iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

#[test]
fn completeness_per_category_of_a_village() {
    let cat = catalogue();
    let v = cat.table(Level::Village).unwrap();
    let given = answers(&[
        // 1.综合管理类: 6 items, all checked.
        ("archive_1_1", json!("present")),
        ("archive_1_2", json!("present")),
        ("archive_1_3", json!("present")),
        ("archive_1_4", json!("incomplete")),
        ("archive_1_4_note", json!("缺领导批示")),
        ("archive_1_5", json!("present")),
        ("archive_1_6", json!("missing")),
        // 4.精准脱贫类: two of 11.
        ("archive_4_5", json!("present")),
        ("archive_4_11", json!("missing")),
    ]);
    let list = Checklist::from_answers(v, "某某村", given.iter().map(|(k, v)| (k, v))).unwrap();
    assert_eq!(
        list.entry(ItemNumber::parse("1.4").unwrap())
            .unwrap()
            .item
            .text
            .zh,
        "综合类：领导讲话、指示、批示、以及相关工作总结、上报材料等；"
    );
    let s = list.summary();
    let names: Vec<&str> = s.categories.iter().map(|c| c.name.zh.as_str()).collect();
    assert_eq!(
        names,
        ["综合管理类", "精准识别类", "精准施策类", "精准脱贫类"]
    );
    let m = &s.categories[0].counts;
    assert_eq!(
        (m.total, m.present, m.incomplete, m.missing, m.unchecked),
        (6, 4, 1, 1, 0)
    );
    assert_eq!(m.share_present, 0.6667);
    let x = &s.categories[3].counts;
    assert_eq!((x.total, x.present, x.missing, x.unchecked), (11, 1, 1, 9));
    assert_eq!(s.categories[2].counts.unchecked, 19);
    assert_eq!(s.overall.total, 48);
    assert_eq!(s.overall.present, 5);
    assert_eq!(s.overall.share_present, 0.1042);
}

#[test]
fn the_fix_list_follows_the_catalogue_order() {
    let cat = catalogue();
    let v = cat.table(Level::Village).unwrap();
    // Given out of order on purpose.
    let given = answers(&[
        ("archive_4_11", json!("missing")),
        ("archive_3_18", json!("incomplete")),
        ("archive_3_18_note", json!("缺用地审批")),
        ("archive_2_10", json!("missing")),
        ("archive_1_2", json!("present")),
        ("archive_3_1", json!("incomplete")),
    ]);
    let list = Checklist::from_answers(v, "某某村", given.iter().map(|(k, v)| (k, v))).unwrap();
    let fixes = list.fixes().fixes;
    let order: Vec<&str> = fixes.iter().map(|f| f.number.as_str()).collect();
    assert_eq!(order, ["2.10", "3.1", "3.18", "4.11"]);
    let f = &fixes[0];
    assert_eq!(f.category.name.zh, "精准识别类");
    assert_eq!(f.stage.as_ref().unwrap().zh, "贫困村识别");
    assert_eq!(f.text.zh, "贫困村初选申报材料；");
    assert_eq!(f.retention, Some(Retention::ThirtyYears));
    assert_eq!(f.status, Status::Missing);
    let f = &fixes[2];
    assert_eq!(f.stage.as_ref().unwrap().zh, "贫困村精准扶贫");
    assert_eq!(f.retention, Some(Retention::Permanent));
    assert_eq!(f.note.as_deref(), Some("缺用地审批"));
    assert_eq!(f.question, "archive_3_18");
    let json = serde_json::to_value(list.fixes()).unwrap();
    assert_eq!(json["fixes"][3]["text"]["zh"], "公示公告等文件材料。");
    assert_eq!(json["fixes"][3]["retention"], "永久");
    assert_eq!(json["fixes"][3]["note"], Value::Null);
}

#[test]
fn a_county_checklist_and_its_exit_category() {
    let cat = catalogue();
    let c = cat.table(Level::County).unwrap();
    let given = answers(&[
        ("archive_1_23", json!("present")),
        ("archive_1_28", json!("missing")),
        ("archive_1_28_note", json!("备案登记材料未归档")),
    ]);
    let list = Checklist::from_answers(c, "大姚县", given.iter().map(|(k, v)| (k, v))).unwrap();
    let s = list.summary();
    assert_eq!(s.categories[1].name.zh, "贫困县摘帽退出类");
    assert_eq!(s.categories[1].counts.total, 8);
    let fixes = list.fixes().fixes;
    assert_eq!(fixes.len(), 1);
    assert_eq!(
        fixes[0].text.zh,
        "国务院扶贫开发领导小组评估检查、备案登记有关材料；"
    );
    assert_eq!(fixes[0].retention, None);
    assert_eq!(fixes[0].stage, None);
}

#[test]
fn an_unknown_item_id_is_refused_naming_it() {
    let cat = catalogue();
    let t = cat.table(Level::Township).unwrap();
    // 1.10 exists for a county, not for a township (1.1–1.9).
    let v = json!("present");
    let e = Checklist::from_answers(t, "金碧镇", [("archive_1_10", &v)]).unwrap_err();
    assert_eq!(
        e,
        ChecklistError::UnknownQuestion {
            level: "township",
            id: "archive_1_10".into()
        }
    );
    let msg = e.to_string();
    assert!(msg.contains("archive_1_10"), "{msg}");
    let e = Checklist::from_answers(t, "金碧镇", [("archive_2_7_note", &v)]).unwrap_err();
    assert!(e.to_string().contains("archive_2_7_note"));
}

#[test]
fn the_questions_cover_every_item_of_a_level() {
    let cat = catalogue();
    for level in Level::ALL {
        let t = cat.table(level).unwrap();
        let qs = archive::questions(t);
        assert_eq!(qs.len(), t.len() * 2);
        // Every question id is accepted by the checklist of its level.
        let mut list = Checklist::new(t, "某地").unwrap();
        for q in &qs {
            let value = match q.kind {
                archive::QuestionKind::Choice => json!("missing"),
                archive::QuestionKind::Text => json!("说明"),
            };
            list.answer(&q.id, &value).unwrap();
        }
        assert_eq!(list.fixes().fixes.len(), t.len());
    }
}

#[test]
fn the_questionnaires_folder_still_loads_with_the_catalogue_beside_them() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("questionnaires");
    assert!(dir.join("archive_catalogue.json").is_file());
    let report = ruhu::questionnaire::load_dir(&dir);
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    // The folder's questionnaires are the bundled ones, the catalogue not among them.
    assert_eq!(
        report.questionnaires.len(),
        ruhu::questionnaire::load_bundled().questionnaires.len()
    );
    assert!(
        report
            .questionnaires
            .iter()
            .all(|q| q.id != "archive_catalogue")
    );
}
