//! Bar charts as inline SVG: one rate by village, a bar as found and one after review per
//! village, the threshold as a dashed line. Labels are whole names, wrapped by display width
//! (a Chinese character is two cells); every text is escaped.

use std::fmt::Write;

use unicode_width::UnicodeWidthStr;

use super::html::escape;

fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// The colour of a bar as found.
pub const FOUND_COLOUR: &str = "#9fb8de";
/// The colour of a bar after review.
pub const REVIEWED_COLOUR: &str = "#1f4e96";
/// The colour of the threshold line.
pub const THRESHOLD_COLOUR: &str = "#c62828";

/// What a legend item shows before its text.
enum Swatch {
    Bar(&'static str),
    Line,
}

/// One village's bars.
#[derive(Debug, Clone)]
pub struct Bar {
    pub label: String,
    /// Fractions (0.02 = 2 %); `None`: nobody to count.
    pub found: Option<f64>,
    pub reviewed: Option<f64>,
    /// The value after review is beyond the threshold.
    pub failing: bool,
}

/// What a chart shows beside its bars.
#[derive(Debug, Clone)]
pub struct Chart<'a> {
    /// The accessible title (`<title>`), e.g. `错退率（按村）`.
    pub title: &'a str,
    pub bars: &'a [Bar],
    pub threshold: Option<f64>,
    /// Legend texts: as found, after review, threshold, failing, nobody counted.
    pub legend: [&'a str; 5],
}

const WIDTH: f64 = 680.0;
const FONT: f64 = 12.0;
/// Width of one display cell at [`FONT`] (a Chinese character takes two).
const CELL: f64 = 6.6;
const BAR: f64 = 9.0;
const LINE: f64 = 15.0;
/// Widest label column before labels wrap.
const MAX_LABEL: f64 = 230.0;

/// A label cut into lines of at most `cells` display cells (never inside a character).
fn wrap(label: &str, cells: usize) -> Vec<String> {
    let mut lines = vec![String::new()];
    let mut used = 0;
    for c in label.chars() {
        let w = width(c.encode_utf8(&mut [0; 4]));
        if used + w > cells && used > 0 {
            lines.push(String::new());
            used = 0;
        }
        if let Some(l) = lines.last_mut() {
            l.push(c);
        }
        used += w;
    }
    lines
}

/// A rounded top of the scale above `max` (a fraction): 1 %, 2 %, 5 %, 10 %, 20 %, 25 %,
/// 50 %, 100 %, then whole multiples of 100 %.
fn scale_top(max: f64) -> f64 {
    let steps = [0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.5, 1.0];
    steps
        .into_iter()
        .find(|s| max <= *s)
        .unwrap_or_else(|| max.ceil())
}

fn pct(x: f64) -> String {
    let p = x * 100.0;
    if (p - p.round()).abs() < 1e-9 {
        format!("{p:.0}%")
    } else {
        format!("{p:.2}%")
    }
}

/// The chart as an `<svg>` element (no namespace attribute: inline in HTML it needs none).
pub fn bar_chart(chart: &Chart) -> String {
    let longest = chart
        .bars
        .iter()
        .map(|b| width(&b.label))
        .max()
        .unwrap_or(4);
    let cells = longest.clamp(4, ((MAX_LABEL - 14.0) / CELL).floor() as usize);
    let label_w = cells as f64 * CELL + 14.0;
    let value_w = 92.0;
    let plot_x = label_w;
    let plot_w = WIDTH - label_w - value_w;
    let max = chart
        .bars
        .iter()
        .flat_map(|b| [b.found, b.reviewed])
        .flatten()
        .chain(chart.threshold)
        .fold(0.0_f64, f64::max);
    // Room after the longest bar, but a scale of fractions stops at 100 %.
    let top = if max <= 1.0 {
        scale_top((max * 1.1).min(1.0))
    } else {
        scale_top(max * 1.1)
    };
    let x_of = |v: f64| plot_x + (v / top).clamp(0.0, 1.0) * plot_w;
    let top_margin = 26.0;
    let mut rows = Vec::new();
    let mut y = top_margin;
    for b in chart.bars {
        let lines = wrap(&b.label, cells);
        let h = (lines.len() as f64 * LINE).max(2.0 * BAR + 10.0) + 8.0;
        rows.push((b, lines, y, h));
        y += h;
    }
    let plot_bottom = y;
    let height = plot_bottom + 44.0;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="chart" role="img" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" font-size="{FONT}"><title>{}</title>"#,
        escape(chart.title)
    );
    // Grid and scale.
    for i in 0..=4 {
        let v = top * f64::from(i) / 4.0;
        let x = x_of(v);
        let _ = write!(
            s,
            r##"<line x1="{x:.1}" y1="{:.1}" x2="{x:.1}" y2="{plot_bottom:.1}" stroke="#dddddd" stroke-width="1"/><text x="{x:.1}" y="{:.1}" text-anchor="middle" fill="#555555">{}</text>"##,
            top_margin - 4.0,
            top_margin - 8.0,
            pct(v)
        );
    }
    for (b, lines, y, h) in &rows {
        let first = y + (h - lines.len() as f64 * LINE) / 2.0 + LINE - 3.0;
        for (i, line) in lines.iter().enumerate() {
            let _ = write!(
                s,
                r#"<text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
                label_w - 8.0,
                first + i as f64 * LINE,
                escape(line)
            );
        }
        let mid = y + h / 2.0;
        for (k, (value, colour)) in [(b.found, FOUND_COLOUR), (b.reviewed, REVIEWED_COLOUR)]
            .into_iter()
            .enumerate()
        {
            let by = mid - BAR - 1.0 + k as f64 * (BAR + 2.0);
            match value {
                Some(v) => {
                    let w = (x_of(v) - plot_x).max(if v > 0.0 { 1.5 } else { 0.0 });
                    let bold = k == 1 && b.failing;
                    let _ = write!(
                        s,
                        r##"<rect x="{plot_x:.1}" y="{by:.1}" width="{w:.1}" height="{BAR}" fill="{colour}"/><text x="{:.1}" y="{:.1}" font-size="10"{}>{}{}</text>"##,
                        plot_x + w + 4.0,
                        by + BAR - 1.0,
                        if bold {
                            format!(r#" fill="{THRESHOLD_COLOUR}" font-weight="bold""#)
                        } else {
                            r##" fill="#333333""##.to_string()
                        },
                        pct(v),
                        if bold { " ✗" } else { "" }
                    );
                }
                // One note for a village with nobody to count.
                None if k == 1 && b.found.is_none() => {}
                None => {
                    let _ = write!(
                        s,
                        r##"<text x="{:.1}" y="{:.1}" font-size="10" fill="#777777">{}</text>"##,
                        plot_x + 4.0,
                        by + BAR - 1.0,
                        escape(chart.legend[4])
                    );
                }
            }
        }
    }
    let _ = write!(
        s,
        r##"<line x1="{plot_x:.1}" y1="{:.1}" x2="{plot_x:.1}" y2="{plot_bottom:.1}" stroke="#444444" stroke-width="1"/>"##,
        top_margin - 4.0
    );
    if let Some(t) = chart.threshold {
        let x = x_of(t);
        let _ = write!(
            s,
            r#"<line class="threshold" x1="{x:.1}" y1="{:.1}" x2="{x:.1}" y2="{:.1}" stroke="{THRESHOLD_COLOUR}" stroke-width="1.5" stroke-dasharray="5 3"/>"#,
            top_margin - 4.0,
            plot_bottom + 4.0
        );
    }
    // Legend: a swatch and its text, side by side.
    let ly = plot_bottom + 26.0;
    let mut lx = plot_x;
    let mut items = vec![
        (Swatch::Bar(FOUND_COLOUR), chart.legend[0]),
        (Swatch::Bar(REVIEWED_COLOUR), chart.legend[1]),
    ];
    if chart.threshold.is_some() {
        items.push((Swatch::Line, chart.legend[2]));
    }
    for (swatch, text) in items {
        match swatch {
            Swatch::Bar(colour) => {
                let _ = write!(
                    s,
                    r#"<rect x="{lx:.1}" y="{:.1}" width="12" height="{BAR}" fill="{colour}"/>"#,
                    ly - BAR
                );
            }
            Swatch::Line => {
                let _ = write!(
                    s,
                    r#"<line x1="{lx:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="{THRESHOLD_COLOUR}" stroke-width="1.5" stroke-dasharray="5 3"/>"#,
                    ly - 4.0,
                    lx + 12.0,
                    ly - 4.0
                );
            }
        }
        let _ = write!(
            s,
            r##"<text x="{:.1}" y="{ly:.1}" fill="#333333">{}</text>"##,
            lx + 18.0,
            escape(text)
        );
        lx += 18.0 + width(text) as f64 * CELL + 18.0;
    }
    let _ = write!(
        s,
        r#"<text x="{lx:.1}" y="{ly:.1}" fill="{THRESHOLD_COLOUR}">✗ {}</text>"#,
        escape(chart.legend[3])
    );
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart(bars: &[Bar]) -> String {
        bar_chart(&Chart {
            title: "错退率",
            bars,
            threshold: Some(0.02),
            legend: ["发现时", "复核后", "阈值", "不达标", "无样本"],
        })
    }

    #[test]
    fn long_chinese_names_wrap_whole_and_are_escaped() {
        let bars = [
            Bar {
                label: "云南省楚雄彝族自治州大姚县昙华乡松子园村民委员会<b>".into(),
                found: Some(0.05),
                reviewed: Some(0.01),
                failing: false,
            },
            Bar {
                label: "桂花村".into(),
                found: None,
                reviewed: None,
                failing: false,
            },
        ];
        let svg = chart(&bars);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(!svg.contains("<b>"));
        assert!(svg.contains("&lt;b&gt;"));
        // Every character of the long name is there, over several lines.
        let text: String = svg
            .split("text-anchor=\"end\">")
            .skip(1)
            .map(|t| t.split('<').next().unwrap_or(""))
            .collect();
        assert!(text.contains("云南省楚雄彝族自治州"), "{text}");
        assert!(text.contains("松子园村民委员会&lt;b&gt;"), "{text}");
        assert!(svg.contains("无样本"));
        assert!(svg.contains(REVIEWED_COLOUR) && svg.contains("stroke-dasharray"));
    }

    #[test]
    fn the_scale_covers_the_threshold_and_the_values() {
        assert_eq!(scale_top(0.0), 0.01);
        assert_eq!(scale_top(0.022), 0.05);
        assert_eq!(scale_top(0.95), 1.0);
        assert_eq!(scale_top(1.3), 2.0);
        for line in wrap("松子园村民委员会", 6) {
            assert!(width(&line) <= 6, "{line}");
        }
    }
}
