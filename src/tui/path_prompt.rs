//! Where to write an export: a line under the screen with a path prefilled (a name with the
//! date in the data folder's parent folder), the format taken from the name's ending as the
//! command line does (.xlsx, .csv, .json; any other name is refused, saying why), a file
//! already there overwritten only after a second Enter, and the whole path written said.

use std::path::{Path, PathBuf};

use ratatui::Frame;
use ratatui::crossterm::event::KeyCode;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use tui_input::Input;

use super::paste::{self, Pasted};
use super::text::{input_request, truncate, width};
use super::theme;
use crate::i18n::{Lang, Text};
use crate::tr;

/// Characters a path may have.
const MAX_PATH_CHARS: usize = 4096;

/// What an export can be written as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Xlsx,
    Csv,
    Json,
}

/// The format a file name asks for, or why there is none.
pub fn format_of(path: &Path) -> Result<ExportFormat, Text> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("xlsx") => Ok(ExportFormat::Xlsx),
        Some("csv") => Ok(ExportFormat::Csv),
        Some("json") => Ok(ExportFormat::Json),
        _ => Err(tr!(
            "不知道以什么格式写 {}：文件名请以 .xlsx、.csv 或 .json 结尾（.xls 和 .ods 不支持）",
            "cannot tell which format to write {} in: end the file name with .xlsx, .csv or .json (.xls and .ods are not supported)",
            path.display()
        )),
    }
}

/// The folder an export goes to by default: the data folder's parent, else the current one.
pub fn default_folder(data: &Path) -> PathBuf {
    std::path::absolute(data)
        .ok()
        .and_then(|p| p.parent().map(Path::to_path_buf))
        .filter(|p| p.is_dir())
        .or_else(|| std::env::current_dir().ok())
        .unwrap_or_else(|| PathBuf::from("."))
}

/// The path typed, made whole (a relative path is taken from the current folder).
pub fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// The prompt while it is open.
#[derive(Debug)]
pub struct PathPrompt {
    /// What is exported (`核查发现`), for the prompt's label.
    what: Text,
    pub input: Input,
    pub error: Option<Text>,
    /// An existing file the user was told of: a second Enter writes over it.
    overwrite: Option<PathBuf>,
}

impl PathPrompt {
    pub fn new(what: Text, prefill: &Path) -> PathPrompt {
        PathPrompt {
            what,
            input: Input::new(prefill.display().to_string()),
            error: None,
            overwrite: None,
        }
    }

    /// A typed key: into the path.
    pub fn type_key(&mut self, code: KeyCode) {
        if let Some(req) = input_request(code) {
            self.input.handle(req);
            self.error = None;
            self.overwrite = None;
        }
    }

    pub fn paste(&mut self, text: &str) -> Pasted {
        self.error = None;
        self.overwrite = None;
        paste::insert(&mut self.input, text, MAX_PATH_CHARS)
    }

    /// Enter: the whole path to write and its format, or `None` with the reason shown on the
    /// line (no name, no known format, a folder, a file there that a second Enter overwrites).
    pub fn submit(&mut self) -> Option<(PathBuf, ExportFormat)> {
        let typed = self.input.value().trim();
        if typed.is_empty() {
            self.error = Some(tr!("请输入文件名", "type a file name"));
            return None;
        }
        let path = absolute(Path::new(typed));
        let format = match format_of(&path) {
            Ok(f) => f,
            Err(e) => {
                self.error = Some(e);
                return None;
            }
        };
        if path.is_dir() {
            self.error = Some(tr!(
                "{} 是一个文件夹，请在后面加上文件名",
                "{} is a folder: add a file name",
                path.display()
            ));
            return None;
        }
        if path.exists() && self.overwrite.as_ref() != Some(&path) {
            self.error = Some(tr!(
                "已有文件 {}：再按 Enter 覆盖它，或改一个文件名",
                "{} exists: Enter again writes over it, or change the name",
                path.display()
            ));
            self.overwrite = Some(path);
            return None;
        }
        Some((path, format))
    }

    /// Draws the prompt in the three lines of `area` (a rule, the path, the reason or the
    /// keys) and puts the cursor in the path.
    pub fn draw(&self, f: &mut Frame, lang: Lang, area: Rect) {
        let w = area.width as usize;
        let label = tr!("导出{}到：", "export {} to: ", self.what.get(lang));
        let label = label.get(lang).to_string();
        let room = w.saturating_sub(width(&label) + 1);
        // The end of a long path is what matters (the file name): keep it in view.
        let value = self.input.value();
        let before: String = value.chars().take(self.input.cursor()).collect();
        let skip = width(&before).saturating_sub(room);
        let shown = skip_cells(value, skip);
        let third = match &self.error {
            Some(e) => Span::styled(truncate(&format!("! {}", e.get(lang)), w), theme::error()),
            None => Span::styled(
                truncate(
                    tr!(
                        "格式看文件名的结尾：.xlsx、.csv 或 .json。Enter 导出  Esc 取消",
                        "the format is the name's ending: .xlsx, .csv or .json. Enter exports  Esc cancels"
                    )
                    .get(lang),
                    w,
                ),
                theme::dim(),
            ),
        };
        f.render_widget(
            Paragraph::new(vec![
                Line::from(Span::styled("─".repeat(w), theme::dim())),
                Line::from(vec![
                    Span::styled(label.clone(), theme::heading()),
                    Span::raw(truncate(&shown, room)),
                ]),
                Line::from(third),
            ]),
            area,
        );
        let x = area.x + (width(&label) + width(&before) - skip).min(w.saturating_sub(1)) as u16;
        if area.height > 1 {
            f.set_cursor_position(Position::new(x, area.y + 1));
        }
    }
}

/// The text without its first `cells` cells.
fn skip_cells(s: &str, cells: usize) -> String {
    let mut w = 0;
    let mut out = String::new();
    for c in s.chars() {
        if w >= cells {
            out.push(c);
        } else {
            w += unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        }
    }
    out
}

/// Writes an export owner-only, whole or not at all; the message says the whole path.
pub fn write(path: &Path, bytes: &[u8]) -> Result<(), Text> {
    use std::io::Write;
    crate::private_file::write_atomic(path, |f| f.write_all(bytes))
        .map_err(|e| crate::i18n::cannot_write(path, &e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_format_is_the_names_ending_and_others_are_refused() {
        assert_eq!(format_of(Path::new("a.XLSX")), Ok(ExportFormat::Xlsx));
        assert_eq!(format_of(Path::new("核查.csv")), Ok(ExportFormat::Csv));
        assert_eq!(format_of(Path::new("a.json")), Ok(ExportFormat::Json));
        for bad in ["a.xls", "a.ods", "核查发现"] {
            let e = format_of(Path::new(bad)).unwrap_err();
            assert!(e.zh.contains(bad) && e.zh.contains(".xlsx"), "{}", e.zh);
        }
    }

    #[test]
    fn a_file_there_is_written_over_only_after_a_second_enter() {
        let dir = tempfile::tempdir().unwrap();
        let there = dir.path().join("已有.xlsx");
        std::fs::write(&there, b"x").unwrap();
        let mut p = PathPrompt::new(tr!("核查发现", "findings"), &there);
        assert_eq!(p.submit(), None);
        assert!(p.error.as_ref().unwrap().zh.contains("再按 Enter 覆盖"));
        assert_eq!(p.submit(), Some((there.clone(), ExportFormat::Xlsx)));
        let mut p = PathPrompt::new(tr!("核查发现", "findings"), dir.path());
        assert_eq!(p.submit(), None, "a folder is not a file name");
    }

    #[test]
    fn a_relative_path_is_made_whole() {
        let mut p = PathPrompt::new(tr!("核查发现", "findings"), Path::new("相对/a.csv"));
        let (path, f) = p.submit().unwrap();
        assert!(path.is_absolute());
        assert!(path.ends_with("相对/a.csv"));
        assert_eq!(f, ExportFormat::Csv);
    }
}
