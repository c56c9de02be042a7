//! `ruhu report --out FILE.html`: on the demo data with interviews entered through the binary
//! and findings marked confirmed and dismissed, the HTML has every county's rates as found and
//! after review (a dismissed finding lowers a rate after review), the charts, villages, marks
//! and evidence, no address outside the file, a hostile head's name as text, ID numbers
//! masked; names that are not HTML and unknown counties are refused without touching what is
//! there. Then the file is rendered in headless Chromium to a PDF (its text read back with
//! pdftotext: Chinese words of the report, A4 pages) and a PNG (a chart's bars are there).
//! Chromium and poppler-utils are required when `RUHU_REQUIRE_CHROMIUM` is set (`.ci/run`
//! sets it); elsewhere the rendering test says it was skipped.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::ruhu;
use ruhu::registry::Status;
use serde_json::{Value, json};

const HOSTILE: &str = "<script>alert('户主')</script>";
const DEMO_COUNTY: &str = "演示县（演示数据）";
/// The county the walk's answers name (the household the registry does not know is in it).
const WALK_COUNTY: &str = "大姚县";

/// A complete answer file for a kind (the shared realistic walk), with answers changed.
fn answer_file(dir: &Path, name: &str, kind: &str, changes: Value) -> String {
    let path = common::walk::answer_file_with(dir, name, kind, changes);
    path.to_str().expect("utf-8").to_string()
}

fn apply(data: &Path, household: &[&str], file: &str) -> String {
    let mut args = vec!["interview", "apply"];
    args.extend_from_slice(household);
    args.extend_from_slice(&["--answers", file, "--complete", "--format", "json"]);
    let (code, out, err) = ruhu(data, &args);
    assert_eq!(code, 0, "{out}{err}");
    let v: Value = serde_json::from_str(&out).expect("json");
    v["interview_id"].as_str().expect("id").to_string()
}

fn mark(data: &Path, interview: &str, rule: &str, status: &str, comment: &str) {
    let (code, out, err) = ruhu(
        data,
        &[
            "mark",
            "--interview",
            interview,
            "--rule",
            rule,
            status,
            "--comment",
            comment,
            "--interviewer",
            "审计员甲",
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
}

/// What the scenario made.
struct Scenario {
    _dir: tempfile::TempDir,
    root: PathBuf,
    data: PathBuf,
    /// An ID number of a member of the first exited household (in its evidence).
    member_id: String,
    /// The villages (township and village) of the wrong exits.
    villages: Vec<String>,
}

/// The demo data with a sample drawn and five interviews: three exited households below the
/// line (wrong exits; one confirmed, one dismissed), one fine, a poor household with a car
/// (wrong inclusion, confirmed) and a household the registry does not know whose head is
/// called `<script>…` (missed).
fn scenario() -> Scenario {
    let dir = tempfile::tempdir().expect("dir");
    let root = dir.path().to_path_buf();
    let data = root.join("data");
    assert_eq!(ruhu(&data, &["demo"]).0, 0);
    let (code, out, err) = ruhu(&data, &["sample", "--seed", "7"]);
    assert_eq!(code, 0, "{out}{err}");
    // The first exited household of three villages, and a second one of the first village.
    let all_exited: Vec<_> = ruhu::demo::generate(&Default::default())
        .into_iter()
        .filter(|h| h.status == Status::Exited)
        .collect();
    let mut exited = Vec::new();
    for h in &all_exited {
        if exited.len() < 3
            && exited
                .iter()
                .all(|e: &ruhu::registry::Household| e.village != h.village)
        {
            exited.push(h.clone());
        }
    }
    assert_eq!(exited.len(), 3, "three villages with exited households");
    let second = all_exited
        .iter()
        .find(|h| h.village == exited[0].village && h.household_id != exited[0].household_id)
        .expect("a second exited household");
    exited.push(second.clone());
    let poor = common::demo_households(Status::Poor, 1);
    let low = answer_file(&root, "low", "exited", json!({"income_wage": 0}));
    let fine = answer_file(&root, "fine", "exited", json!({}));
    let a = apply(&data, &["--household", &exited[0].household_id], &low);
    let b = apply(&data, &["--household", &exited[1].household_id], &low);
    let _c = apply(&data, &["--household", &exited[2].household_id], &low);
    let _d = apply(&data, &["--household", &exited[3].household_id], &fine);
    let car = answer_file(
        &root,
        "car",
        "poor",
        json!({"red_vehicle": true, "red_detail": "有一辆面包车"}),
    );
    let e = apply(&data, &["--household", &poor[0]], &car);
    let missed = answer_file(
        &root,
        "missed",
        "non_poor",
        json!({"income_wage": 0, "income_business": 1000}),
    );
    apply(
        &data,
        &["--new-household", "--head", HOSTILE, "--village", "桂花村"],
        &missed,
    );
    mark(
        &data,
        &a,
        "wrong_exit_income",
        "--confirm",
        "入户核实：确无务工收入",
    );
    mark(
        &data,
        &b,
        "wrong_exit_income",
        "--dismiss",
        "复核：漏报外出务工收入，实际已达标",
    );
    mark(&data, &e, "wrong_inclusion_vehicle", "--confirm", "");
    Scenario {
        _dir: dir,
        root,
        data,
        member_id: exited[0].members[0].id_number.clone(),
        villages: exited[..3]
            .iter()
            .map(|h| format!("{}{}", h.township, h.village))
            .collect(),
    }
}

/// Runs `ruhu report --out NAME --format json` with `extra` arguments: the file's text and
/// what was printed.
fn report(s: &Scenario, name: &str, extra: &[&str]) -> (PathBuf, String, Value) {
    let out = s.root.join(name);
    let mut args = vec![
        "report",
        "--out",
        out.to_str().expect("utf-8"),
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    let (code, stdout, err) = ruhu(&s.data, &args);
    assert_eq!(code, 0, "{stdout}{err}");
    let v: Value = serde_json::from_str(&stdout).expect("json");
    let html = std::fs::read_to_string(&out).expect("report");
    (out, html, v)
}

/// The row of a rate in the rates table of the county section that starts at `from`.
fn rate_row<'a>(html: &'a str, county: &str, label: &str) -> &'a str {
    let section = html
        .split("<section class=\"county\">")
        .find(|s| s.contains(&format!("<h2>{county}</h2>")))
        .unwrap_or_else(|| panic!("no section of {county}"));
    let start = section
        .find(&format!("<tr><td>{label}</td>"))
        .unwrap_or_else(|| panic!("no row {label} in {county}"));
    let row = &section[start..];
    &row[..row.find("</tr>").expect("row end")]
}

#[test]
fn the_report_has_every_county_found_and_after_review_with_marks_and_nothing_outside() {
    let s = scenario();
    let (path, html, v) = report(&s, "报告.html", &[]);
    // Owner-only, and what it printed.
    let mode = std::fs::metadata(&path).expect("meta").permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    assert_eq!(v["path"], path.to_str().expect("utf-8"));
    let counties: Vec<&str> = v["counties"]
        .as_array()
        .expect("counties")
        .iter()
        .map(|c| c["county"].as_str().expect("name"))
        .collect();
    assert_eq!(counties, [WALK_COUNTY, DEMO_COUNTY]);
    assert_eq!(v["households"], 6);
    assert_eq!(v["sample_drawn"], true);
    let demo = &v["counties"][1];
    assert_eq!(demo["confirmed"], 2);
    assert_eq!(demo["dismissed"], 1);
    assert_eq!(
        demo["findings"].as_u64().expect("n"),
        demo["confirmed"].as_u64().unwrap()
            + demo["dismissed"].as_u64().unwrap()
            + demo["unmarked"].as_u64().unwrap()
    );
    assert!(demo["sampled"].as_u64().expect("sampled") > 0, "{demo}");

    // Every county has its section, rates table and five charts.
    for county in [WALK_COUNTY, DEMO_COUNTY] {
        assert!(html.contains(&format!("<h2>{county}</h2>")), "{county}");
        for label in ["错退率", "漏评率", "错评率", "认可度", "满意度"] {
            rate_row(&html, county, label);
        }
    }
    assert_eq!(html.matches("<svg").count(), 10);
    // A line on every chart of a rate with a threshold.
    let thresholds = ruhu::reconcile::Settings::bundled()
        .expect("settings")
        .thresholds
        .len();
    assert!(thresholds >= 3);
    assert_eq!(html.matches("class=\"threshold\"").count(), 2 * thresholds);
    // Wrong exit in the demo county: 3 of 4 exited households of 5 people as found; one
    // dismissed after review: 10 of 20. Failing (> 2%) both times.
    let row = rate_row(&html, DEMO_COUNTY, "错退率");
    assert!(
        row.contains("75.00%") && row.contains("15 / 20 人"),
        "{row}"
    );
    assert!(
        row.contains("50.00%") && row.contains("10 / 20 人"),
        "{row}"
    );
    assert!(
        row.contains("&gt; 2.00%") && row.contains("不达标"),
        "{row}"
    );
    // Wrong inclusion confirmed: the same after review.
    let row = rate_row(&html, DEMO_COUNTY, "错评率");
    assert_eq!(row.matches("5 / 5 人").count(), 2, "{row}");
    let row = rate_row(&html, WALK_COUNTY, "漏评率");
    assert_eq!(row.matches("100.00%").count(), 2, "{row}");
    // The header.
    for text in [
        "考核年度",
        "2017",
        "贫困线",
        "3335 元",
        "生成时间",
        "读取调查 6 份",
    ] {
        assert!(html.contains(text), "{text}");
    }
    assert!(
        !html.contains("income_per_capita="),
        "no variable ids in the evidence"
    );

    // Villages of the findings, marks with comment, who and when, evidence.
    for v in &s.villages {
        // A heading over the village's findings, and a label in the charts.
        assert!(html.contains(&format!("<h4>{v}（")), "{v}");
        assert!(
            html.contains(&format!("text-anchor=\"end\">{v}</text>")),
            "{v}"
        );
    }
    assert_eq!(s.villages.len(), 3);
    for text in [
        "已确认",
        "已排除",
        "入户核实：确无务工收入",
        "复核：漏报外出务工收入，实际已达标",
        "审计员甲",
        "未核查",
        // The evidence in words, as in every other output.
        "人均纯收入：1,580 元",
        "2017年贫困线：3,335 元",
        "抽样覆盖",
        "尚未调查的抽中户",
    ] {
        assert!(html.contains(text), "{text}");
    }

    // Warnings nobody marked (the walk's 14-year-old answered as ordinary labour) are
    // counted, not listed.
    assert!(v["counties"][0]["warnings_not_listed"].as_u64().expect("n") >= 1);
    assert!(html.contains("未列出的提示"));
    assert!(!html.contains("劳动能力答的是"));

    // Nothing from outside, no script, the hostile name as text.
    assert!(!html.contains("http://") && !html.contains("https://"));
    assert!(!html.to_ascii_lowercase().contains("<script"));
    assert!(!html.contains("url("));
    assert!(html.contains("&lt;script&gt;alert(&#39;户主&#39;)&lt;/script&gt;"));
    // Print CSS: A4, a county per page run, rows kept whole, headers repeated; CJK fonts.
    for css in [
        "@page { size: A4;",
        "break-before: page",
        "break-inside: avoid",
        "thead { display: table-header-group; }",
        "\"Noto Sans CJK SC\"",
        "\"Microsoft YaHei\"",
    ] {
        assert!(html.contains(css), "{css}");
    }
    // ID numbers masked unless asked.
    assert!(!html.contains(&s.member_id), "an ID number in full");
    let (_, full, _) = report(&s, "full.html", &["--show-ids"]);
    assert!(full.contains(&s.member_id));

    // One county, in English.
    let (_, en, v) = report(&s, "en.htm", &["--county", DEMO_COUNTY, "--lang", "en"]);
    assert_eq!(v["counties"].as_array().expect("counties").len(), 1);
    assert!(!en.contains(&format!("<h2>{WALK_COUNTY}</h2>")));
    for text in [
        "wrong-exit rate",
        "As found",
        "After review",
        "dismissed",
        "failing",
        "Coverage of the sample",
        "lang=\"en\"",
    ] {
        assert!(en.contains(text), "{text}");
    }
    let row = rate_row(&en, DEMO_COUNTY, "wrong-exit rate");
    assert!(
        row.contains("15 / 20 people") && row.contains("10 / 20 people"),
        "{row}"
    );
}

#[test]
fn wrong_names_and_unknown_counties_are_refused_and_an_empty_folder_says_so() {
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().join("data");
    assert_eq!(ruhu(&data, &["demo"]).0, 0);
    let kept = dir.path().join("旧报告.html");
    std::fs::write(&kept, "已有的内容").expect("write");
    let pdf = dir.path().join("report.pdf");
    let (code, _, err) = ruhu(&data, &["report", "--out", pdf.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(err.contains(".html") && err.contains("report.pdf"), "{err}");
    assert!(!pdf.exists());
    let (code, _, err) = ruhu(
        &data,
        &[
            "report",
            "--out",
            kept.to_str().unwrap(),
            "--county",
            "没有这个县",
        ],
    );
    assert_eq!(code, 1);
    assert!(
        err.contains("没有这个县") && err.contains(DEMO_COUNTY),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&kept).unwrap(), "已有的内容");
    let (code, _, err) = ruhu(
        &data,
        &[
            "--lang",
            "en",
            "report",
            "--out",
            kept.to_str().unwrap(),
            "--county",
            "Nowhere",
        ],
    );
    assert_eq!(code, 1);
    assert!(err.contains("there is no county 'Nowhere'"), "{err}");

    // The demo county with no interview and no sample: the notes say so.
    let (code, out, err) = ruhu(
        &data,
        &[
            "report",
            "--out",
            kept.to_str().unwrap(),
            "--county",
            DEMO_COUNTY,
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("已写出报告"), "{out}");
    let html = std::fs::read_to_string(&kept).unwrap();
    assert!(html.contains(&format!("<h2>{DEMO_COUNTY}</h2>")));
    assert!(html.contains("本县还没有已完成的调查"));
    assert!(html.contains("还没有抽样"));
    assert!(html.contains("本县没有核查问题"));

    // An empty data folder: a report that says there is nothing.
    let empty = dir.path().join("empty");
    let out = dir.path().join("empty.html");
    let (code, stdout, err) = ruhu(
        &empty,
        &["report", "--out", out.to_str().unwrap(), "--format", "json"],
    );
    assert_eq!(code, 0, "{stdout}{err}");
    let v: Value = serde_json::from_str(&stdout).expect("json");
    assert_eq!(v["counties"], json!([]));
    assert_eq!(v["interviews"], 0);
    let html = std::fs::read_to_string(&out).unwrap();
    assert!(html.contains("没有可报告的内容"));
}

// ------------------------------------------------------------------ rendering in Chromium

/// Chromium's command, or `None` (then the test is skipped unless `RUHU_REQUIRE_CHROMIUM` is
/// set, which makes it fail saying what to install).
fn chromium() -> Option<&'static str> {
    let found = ["chromium", "chromium-browser"].into_iter().find(|c| {
        Command::new(c)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    });
    let tools = Command::new("pdftotext")
        .arg("-v")
        .output()
        .is_ok_and(|o| o.status.success());
    if found.is_none() || !tools {
        assert!(
            std::env::var_os("RUHU_REQUIRE_CHROMIUM").is_none(),
            "Chromium or pdftotext is not installed (RUHU_REQUIRE_CHROMIUM is set): install Debian's chromium, poppler-utils and fonts-noto-cjk (apt-get install chromium poppler-utils fonts-noto-cjk)"
        );
        eprintln!(
            "skipped: rendering the report needs Chromium and pdftotext (apt-get install chromium poppler-utils fonts-noto-cjk)"
        );
        return None;
    }
    found
}

/// Runs headless Chromium on `html` with `args` (its own profile in `dir`).
fn render(chromium: &str, dir: &Path, html: &Path, args: &[String]) {
    let out = Command::new(chromium)
        .env("HOME", dir)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", dir.join("profile").display()))
        .args(args)
        .arg(format!("file://{}", html.display()))
        .output()
        .expect("run chromium");
    assert!(
        out.status.success(),
        "chromium: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The pixels of a PNG as RGB(A) rows: (width, height, bytes per pixel, data).
fn decode_png(path: &Path) -> (usize, usize, usize, Vec<u8>) {
    let decoder = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(path).expect("png"),
    ));
    let mut reader = decoder.read_info().expect("png header");
    let mut buf = vec![0; reader.output_buffer_size().expect("size")];
    let info = reader.next_frame(&mut buf).expect("png frame");
    let bpp = match info.color_type {
        png::ColorType::Rgb => 3,
        png::ColorType::Rgba => 4,
        other => panic!("colour type {other:?}"),
    };
    buf.truncate(info.buffer_size());
    (info.width as usize, info.height as usize, bpp, buf)
}

fn hex(colour: &str) -> [u8; 3] {
    let c = colour.trim_start_matches('#');
    let at = |i: usize| u8::from_str_radix(&c[i..i + 2], 16).expect("hex");
    [at(0), at(2), at(4)]
}

#[test]
fn the_report_renders_in_headless_chromium_to_an_a4_pdf_and_a_png_with_its_charts() {
    let Some(chromium) = chromium() else {
        return;
    };
    let s = scenario();
    let (path, _, _) = report(&s, "report.html", &["--county", DEMO_COUNTY]);
    let work = s.root.join("chromium");
    std::fs::create_dir_all(&work).unwrap();

    // The PDF: A4 pages, the Chinese words of the report as text.
    let pdf = s.root.join("report.pdf");
    render(
        chromium,
        &work,
        &path,
        &[
            format!("--print-to-pdf={}", pdf.display()),
            "--no-pdf-header-footer".to_string(),
        ],
    );
    // In reading order (-raw), lines joined: a cell's text wraps over lines.
    let text = Command::new("pdftotext")
        .args(["-raw"])
        .arg(&pdf)
        .arg("-")
        .output()
        .expect("pdftotext");
    assert!(text.status.success());
    let text: String = String::from_utf8_lossy(&text.stdout)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    for word in [
        "入户核查报告",
        DEMO_COUNTY,
        "错退率",
        "发现时",
        "复核后",
        "不达标",
        "抽样覆盖",
        "核查问题",
        "已排除",
        "复核：漏报外出务工收入，实际已达标",
        "入户核实：确无务工收入",
    ] {
        assert!(text.contains(word), "{word} not in the PDF's text:\n{text}");
    }
    let info = Command::new("pdfinfo").arg(&pdf).output().expect("pdfinfo");
    let info = String::from_utf8_lossy(&info.stdout);
    let size = info
        .lines()
        .find(|l| l.starts_with("Page size:"))
        .expect("page size");
    // A4 is 595.28 × 841.89 points (Chromium rounds to whole device pixels).
    let points: Vec<f64> = size
        .split_whitespace()
        .filter_map(|w| w.parse().ok())
        .collect();
    assert!(
        points.len() == 2
            && (points[0] - 595.28).abs() < 1.0
            && (points[1] - 841.89).abs() < 1.0
            && size.contains("(A4)"),
        "{size}"
    );
    let pages: usize = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("pages");
    assert!(pages >= 2, "{info}");

    // The PNG: the first charts are on screen; their bars are drawn in their colours.
    let png_path = s.root.join("report.png");
    render(
        chromium,
        &work,
        &path,
        &[
            format!("--screenshot={}", png_path.display()),
            "--window-size=900,2400".to_string(),
        ],
    );
    let (w, h, bpp, pixels) = decode_png(&png_path);
    assert!(w >= 800 && h >= 2000, "{w}×{h}");
    let count = |rgb: [u8; 3]| {
        pixels
            .chunks_exact(bpp)
            .filter(|p| {
                p.iter()
                    .zip(rgb)
                    .all(|(a, b)| (i16::from(*a) - i16::from(b)).abs() <= 3)
            })
            .count()
    };
    let reviewed = count(hex(ruhu::report::svg::REVIEWED_COLOUR));
    let found = count(hex(ruhu::report::svg::FOUND_COLOUR));
    let threshold = count(hex(ruhu::report::svg::THRESHOLD_COLOUR));
    assert!(reviewed > 200, "bars after review: {reviewed} pixels");
    assert!(found > 200, "bars as found: {found} pixels");
    assert!(threshold > 50, "threshold lines: {threshold} pixels");
    // Not a blank page: most of it is white, but far from all.
    let white = count([255, 255, 255]);
    assert!(white < w * h * 98 / 100, "{white} of {} white", w * h);
}
