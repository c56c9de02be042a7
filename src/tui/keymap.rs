//! Key bindings as data: for each screen (mode), which key does what. The key-hint bar and the
//! `?` help are generated from this table, so they cannot go stale.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::i18n::Text;

/// The screens and sub-states that read keys differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Home,
    Households,
    /// Typing a search in the household list.
    Search,
    /// Entering a household the registry does not know.
    NewHousehold,
    /// Answering one question (typing goes to the answer).
    Question,
    /// The roster table of a roster question.
    Roster,
    Review,
    /// The auditors' findings table.
    Findings,
    /// One finding in detail.
    FindingDetail,
    /// Rates per village.
    Rates,
    Help,
}

/// What a key asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Quit,
    Help,
    Back,
    OpenHouseholds,
    Up,
    Down,
    PageUp,
    PageDown,
    Confirm,
    StartSearch,
    CycleVillage,
    CycleKind,
    CycleStatus,
    CycleSample,
    ClearFilters,
    NewHousehold,
    LoadDemo,
    NextField,
    NextQuestion,
    PreviousQuestion,
    Toggle,
    Review,
    Complete,
    AddRow,
    RemoveRow,
    OpenFindings,
    OpenRates,
    CycleSeverity,
    Sort,
    MarkConfirmed,
    MarkDismissed,
    Export,
    NextRate,
}

/// One binding of the key map.
pub struct Binding {
    pub mode: Mode,
    pub code: KeyCode,
    pub mods: KeyModifiers,
    pub action: Action,
    /// How the key is written in the hint bar and help.
    pub key: &'static str,
    pub does: (&'static str, &'static str),
    /// Shown in the one-line hint bar (the help lists every binding).
    pub hint: bool,
}

const NONE: KeyModifiers = KeyModifiers::NONE;
const CTRL: KeyModifiers = KeyModifiers::CONTROL;

macro_rules! bind {
    ($mode:ident, $code:expr, $mods:expr, $action:ident, $key:literal, $zh:literal, $en:literal, $hint:literal) => {
        Binding {
            mode: Mode::$mode,
            code: $code,
            mods: $mods,
            action: Action::$action,
            key: $key,
            does: ($zh, $en),
            hint: $hint,
        }
    };
}

use KeyCode::{BackTab, Char, Delete, Down, End, Enter, Esc, F, Insert, PageDown, PageUp, Tab, Up};

/// The key map. The first binding of a mode and key wins.
pub static BINDINGS: &[Binding] = &[
    // home
    bind!(
        Home,
        Char('1'),
        NONE,
        OpenHouseholds,
        "1",
        "农户列表",
        "households",
        true
    ),
    bind!(
        Home,
        Enter,
        NONE,
        OpenHouseholds,
        "Enter",
        "农户列表",
        "households",
        false
    ),
    bind!(
        Home,
        Char('2'),
        NONE,
        OpenFindings,
        "2",
        "核查发现",
        "findings",
        true
    ),
    bind!(
        Home,
        Char('3'),
        NONE,
        OpenRates,
        "3",
        "各村比率",
        "rates",
        true
    ),
    bind!(
        Home,
        Char('d'),
        NONE,
        LoadDemo,
        "d",
        "载入演示数据",
        "load demo data",
        true
    ),
    bind!(
        Home,
        Char('n'),
        NONE,
        NewHousehold,
        "n",
        "登记名单外农户",
        "household not in registry",
        true
    ),
    bind!(Home, Char('?'), NONE, Help, "?", "帮助", "help", true),
    bind!(Home, F(1), NONE, Help, "F1", "帮助", "help", false),
    bind!(Home, Char('q'), NONE, Quit, "q", "退出", "quit", true),
    bind!(Home, Char('c'), CTRL, Quit, "Ctrl+C", "退出", "quit", false),
    // household list
    bind!(Households, Up, NONE, Up, "↑", "上一户", "previous", false),
    bind!(Households, Down, NONE, Down, "↓", "下一户", "next", false),
    bind!(
        Households,
        PageUp,
        NONE,
        PageUp,
        "PgUp",
        "上一页",
        "page up",
        false
    ),
    bind!(
        Households,
        PageDown,
        NONE,
        PageDown,
        "PgDn",
        "下一页",
        "page down",
        false
    ),
    bind!(
        Households,
        Enter,
        NONE,
        Confirm,
        "Enter",
        "开始或继续调查",
        "interview",
        true
    ),
    bind!(
        Households,
        Char('/'),
        NONE,
        StartSearch,
        "/",
        "搜索",
        "search",
        true
    ),
    bind!(
        Households,
        Char('v'),
        NONE,
        CycleVillage,
        "v",
        "按村筛选",
        "village",
        true
    ),
    bind!(
        Households,
        Char('k'),
        NONE,
        CycleKind,
        "k",
        "按类型筛选",
        "kind",
        true
    ),
    bind!(
        Households,
        Char('s'),
        NONE,
        CycleStatus,
        "s",
        "按调查状态筛选",
        "status",
        true
    ),
    bind!(
        Households,
        Char('m'),
        NONE,
        CycleSample,
        "m",
        "只看抽样户",
        "in sample",
        false
    ),
    bind!(
        Households,
        Char('x'),
        NONE,
        ClearFilters,
        "x",
        "清除筛选",
        "clear filters",
        false
    ),
    bind!(
        Households,
        Char('n'),
        NONE,
        NewHousehold,
        "n",
        "名单外农户",
        "not in registry",
        true
    ),
    bind!(Households, Char('?'), NONE, Help, "?", "帮助", "help", true),
    bind!(Households, F(1), NONE, Help, "F1", "帮助", "help", false),
    bind!(Households, Esc, NONE, Back, "Esc", "返回", "back", true),
    bind!(
        Households,
        Char('q'),
        NONE,
        Back,
        "q",
        "返回",
        "back",
        false
    ),
    bind!(
        Households,
        Char('c'),
        CTRL,
        Quit,
        "Ctrl+C",
        "退出",
        "quit",
        false
    ),
    // search (typing goes to the search field)
    bind!(
        Search,
        Enter,
        NONE,
        Confirm,
        "Enter",
        "完成搜索",
        "done",
        true
    ),
    bind!(
        Search,
        Down,
        NONE,
        Confirm,
        "↓",
        "到列表",
        "to the list",
        false
    ),
    bind!(
        Search,
        Esc,
        NONE,
        Back,
        "Esc",
        "取消搜索",
        "cancel search",
        true
    ),
    bind!(Search, F(1), NONE, Help, "F1", "帮助", "help", true),
    bind!(
        Search,
        Char('c'),
        CTRL,
        Quit,
        "Ctrl+C",
        "退出",
        "quit",
        false
    ),
    // new household form (typing goes to the field)
    bind!(
        NewHousehold,
        Tab,
        NONE,
        NextField,
        "Tab",
        "下一栏",
        "next field",
        true
    ),
    bind!(
        NewHousehold,
        Down,
        NONE,
        NextField,
        "↓",
        "下一栏",
        "next field",
        false
    ),
    bind!(
        NewHousehold,
        Up,
        NONE,
        NextField,
        "↑",
        "上一栏",
        "other field",
        false
    ),
    bind!(
        NewHousehold,
        Enter,
        NONE,
        Confirm,
        "Enter",
        "登记并开始调查",
        "enter and interview",
        true
    ),
    bind!(NewHousehold, Esc, NONE, Back, "Esc", "取消", "cancel", true),
    bind!(NewHousehold, F(1), NONE, Help, "F1", "帮助", "help", true),
    bind!(
        NewHousehold,
        Char('c'),
        CTRL,
        Quit,
        "Ctrl+C",
        "退出",
        "quit",
        false
    ),
    // one question (typing goes to the answer)
    bind!(
        Question,
        Enter,
        NONE,
        Confirm,
        "Enter",
        "保存并下一题",
        "save, next",
        true
    ),
    bind!(
        Question,
        Tab,
        NONE,
        NextQuestion,
        "Tab",
        "下一题",
        "next",
        false
    ),
    bind!(
        Question,
        PageDown,
        NONE,
        NextQuestion,
        "PgDn",
        "下一题",
        "next",
        true
    ),
    bind!(
        Question,
        BackTab,
        NONE,
        PreviousQuestion,
        "Shift+Tab",
        "上一题",
        "previous",
        false
    ),
    bind!(
        Question,
        PageUp,
        NONE,
        PreviousQuestion,
        "PgUp",
        "上一题",
        "previous",
        true
    ),
    bind!(
        Question,
        Up,
        NONE,
        Up,
        "↑",
        "上一个选项",
        "previous option",
        false
    ),
    bind!(
        Question,
        Down,
        NONE,
        Down,
        "↓",
        "下一个选项",
        "next option",
        false
    ),
    bind!(
        Question,
        Char(' '),
        NONE,
        Toggle,
        "空格",
        "选中或取消（多选）",
        "tick (multiple choice)",
        false
    ),
    bind!(
        Question,
        F(2),
        NONE,
        Review,
        "F2",
        "检查全部答案",
        "review",
        true
    ),
    bind!(
        Question,
        Char('r'),
        CTRL,
        Review,
        "Ctrl+R",
        "检查全部答案",
        "review",
        false
    ),
    bind!(Question, Esc, NONE, Back, "Esc", "返回", "back", true),
    bind!(Question, F(1), NONE, Help, "F1", "帮助", "help", true),
    bind!(
        Question,
        Char('?'),
        NONE,
        Help,
        "?",
        "帮助（答案为空时）",
        "help (when the answer is empty)",
        false
    ),
    bind!(
        Question,
        Char('c'),
        CTRL,
        Quit,
        "Ctrl+C",
        "退出",
        "quit",
        false
    ),
    // roster table
    bind!(Roster, Up, NONE, Up, "↑", "上一行", "previous row", false),
    bind!(Roster, Down, NONE, Down, "↓", "下一行", "next row", false),
    bind!(
        Roster,
        Enter,
        NONE,
        Confirm,
        "Enter",
        "填写这一行",
        "edit row",
        true
    ),
    bind!(
        Roster,
        Char('a'),
        NONE,
        AddRow,
        "a",
        "添加成员",
        "add row",
        true
    ),
    bind!(
        Roster,
        Insert,
        NONE,
        AddRow,
        "Insert",
        "添加成员",
        "add row",
        false
    ),
    bind!(
        Roster,
        Char('d'),
        NONE,
        RemoveRow,
        "d",
        "删除这一行",
        "remove row",
        true
    ),
    bind!(
        Roster,
        Delete,
        NONE,
        RemoveRow,
        "Delete",
        "删除这一行",
        "remove row",
        false
    ),
    bind!(
        Roster,
        Tab,
        NONE,
        NextQuestion,
        "Tab",
        "下一题",
        "next",
        false
    ),
    bind!(
        Roster,
        PageDown,
        NONE,
        NextQuestion,
        "PgDn",
        "下一题",
        "next",
        true
    ),
    bind!(
        Roster,
        BackTab,
        NONE,
        PreviousQuestion,
        "Shift+Tab",
        "上一题",
        "previous",
        false
    ),
    bind!(
        Roster,
        PageUp,
        NONE,
        PreviousQuestion,
        "PgUp",
        "上一题",
        "previous",
        true
    ),
    bind!(
        Roster,
        F(2),
        NONE,
        Review,
        "F2",
        "检查全部答案",
        "review",
        true
    ),
    bind!(Roster, Esc, NONE, Back, "Esc", "返回", "back", true),
    bind!(Roster, Char('?'), NONE, Help, "?", "帮助", "help", true),
    bind!(Roster, F(1), NONE, Help, "F1", "帮助", "help", false),
    bind!(
        Roster,
        Char('c'),
        CTRL,
        Quit,
        "Ctrl+C",
        "退出",
        "quit",
        false
    ),
    // review
    bind!(Review, Up, NONE, Up, "↑", "上一题", "previous", false),
    bind!(Review, Down, NONE, Down, "↓", "下一题", "next", false),
    bind!(
        Review,
        PageUp,
        NONE,
        PageUp,
        "PgUp",
        "上一页",
        "page up",
        false
    ),
    bind!(
        Review,
        PageDown,
        NONE,
        PageDown,
        "PgDn",
        "下一页",
        "page down",
        false
    ),
    bind!(
        Review,
        Enter,
        NONE,
        Confirm,
        "Enter",
        "修改这一题",
        "edit",
        true
    ),
    bind!(
        Review,
        F(10),
        NONE,
        Complete,
        "F10",
        "完成调查",
        "complete",
        true
    ),
    bind!(
        Review,
        Char('c'),
        NONE,
        Complete,
        "c",
        "完成调查",
        "complete",
        false
    ),
    bind!(Review, Esc, NONE, Back, "Esc", "返回答题", "back", true),
    bind!(Review, Char('?'), NONE, Help, "?", "帮助", "help", true),
    bind!(Review, F(1), NONE, Help, "F1", "帮助", "help", false),
    bind!(
        Review,
        Char('c'),
        CTRL,
        Quit,
        "Ctrl+C",
        "退出",
        "quit",
        false
    ),
    // findings
    bind!(Findings, Up, NONE, Up, "↑", "上一项", "previous", false),
    bind!(Findings, Down, NONE, Down, "↓", "下一项", "next", false),
    bind!(
        Findings,
        PageUp,
        NONE,
        PageUp,
        "PgUp",
        "上一页",
        "page up",
        false
    ),
    bind!(
        Findings,
        PageDown,
        NONE,
        PageDown,
        "PgDn",
        "下一页",
        "page down",
        false
    ),
    bind!(
        Findings, Enter, NONE, Confirm, "Enter", "详情", "detail", true
    ),
    bind!(
        Findings,
        Char('k'),
        NONE,
        CycleKind,
        "k",
        "按类别筛选",
        "kind",
        true
    ),
    bind!(
        Findings,
        Char('v'),
        NONE,
        CycleVillage,
        "v",
        "按村筛选",
        "village",
        true
    ),
    bind!(
        Findings,
        Char('e'),
        NONE,
        CycleSeverity,
        "e",
        "按程度筛选",
        "severity",
        false
    ),
    bind!(Findings, Char('o'), NONE, Sort, "o", "排序", "sort", false),
    bind!(
        Findings,
        Char('y'),
        NONE,
        MarkConfirmed,
        "y",
        "标记为已确认",
        "mark confirmed",
        false
    ),
    bind!(
        Findings,
        Char('n'),
        NONE,
        MarkDismissed,
        "n",
        "标记为已排除",
        "mark dismissed",
        false
    ),
    bind!(
        Findings,
        Char('x'),
        NONE,
        Export,
        "x",
        "导出 Excel",
        "export to Excel",
        true
    ),
    bind!(Findings, Char('?'), NONE, Help, "?", "帮助", "help", true),
    bind!(Findings, F(1), NONE, Help, "F1", "帮助", "help", false),
    bind!(Findings, Esc, NONE, Back, "Esc", "返回", "back", true),
    bind!(Findings, Char('q'), NONE, Back, "q", "返回", "back", false),
    bind!(
        Findings,
        Char('c'),
        CTRL,
        Quit,
        "Ctrl+C",
        "退出",
        "quit",
        false
    ),
    bind!(
        FindingDetail,
        Char('y'),
        NONE,
        MarkConfirmed,
        "y",
        "标记为已确认",
        "mark confirmed",
        true
    ),
    bind!(
        FindingDetail,
        Char('n'),
        NONE,
        MarkDismissed,
        "n",
        "标记为已排除",
        "mark dismissed",
        true
    ),
    bind!(
        FindingDetail,
        Up,
        NONE,
        Up,
        "↑",
        "上一项",
        "previous",
        false
    ),
    bind!(
        FindingDetail,
        Down,
        NONE,
        Down,
        "↓",
        "下一项",
        "next",
        false
    ),
    bind!(
        FindingDetail,
        Char('?'),
        NONE,
        Help,
        "?",
        "帮助",
        "help",
        true
    ),
    bind!(FindingDetail, F(1), NONE, Help, "F1", "帮助", "help", false),
    bind!(
        FindingDetail,
        Esc,
        NONE,
        Back,
        "Esc",
        "返回列表",
        "back to the list",
        true
    ),
    bind!(
        FindingDetail,
        Enter,
        NONE,
        Back,
        "Enter",
        "返回列表",
        "back to the list",
        false
    ),
    bind!(
        FindingDetail,
        Char('c'),
        CTRL,
        Quit,
        "Ctrl+C",
        "退出",
        "quit",
        false
    ),
    // rates
    bind!(
        Rates,
        Char('r'),
        NONE,
        NextRate,
        "r",
        "下一个指标",
        "next rate",
        true
    ),
    bind!(Rates, Char('?'), NONE, Help, "?", "帮助", "help", true),
    bind!(Rates, F(1), NONE, Help, "F1", "帮助", "help", false),
    bind!(Rates, Esc, NONE, Back, "Esc", "返回", "back", true),
    bind!(Rates, Char('q'), NONE, Back, "q", "返回", "back", false),
    bind!(
        Rates,
        Char('c'),
        CTRL,
        Quit,
        "Ctrl+C",
        "退出",
        "quit",
        false
    ),
    // help
    bind!(Help, Esc, NONE, Back, "Esc", "关闭帮助", "close help", true),
    bind!(
        Help,
        Char('?'),
        NONE,
        Back,
        "?",
        "关闭帮助",
        "close help",
        false
    ),
    bind!(
        Help,
        Char('q'),
        NONE,
        Back,
        "q",
        "关闭帮助",
        "close help",
        false
    ),
    bind!(
        Help,
        Enter,
        NONE,
        Back,
        "Enter",
        "关闭帮助",
        "close help",
        false
    ),
    bind!(
        Help,
        F(1),
        NONE,
        Back,
        "F1",
        "关闭帮助",
        "close help",
        false
    ),
    bind!(Help, Char('c'), CTRL, Quit, "Ctrl+C", "退出", "quit", false),
];

/// The action of a key in a mode. Shift is ignored for characters (it is part of the char).
pub fn lookup(mode: Mode, key: &KeyEvent) -> Option<Action> {
    let mods = if matches!(key.code, Char(_) | BackTab) {
        key.modifiers - KeyModifiers::SHIFT
    } else {
        key.modifiers
    };
    BINDINGS
        .iter()
        .find(|b| b.mode == mode && b.code == key.code && b.mods == mods)
        .map(|b| b.action)
}

/// The bindings of a mode, each action once (first key wins), for the help screen.
pub fn help(mode: Mode) -> Vec<(String, Text)> {
    let mut out: Vec<(String, Text, Action)> = Vec::new();
    for b in BINDINGS.iter().filter(|b| b.mode == mode) {
        match out
            .iter_mut()
            .find(|(_, t, a)| *a == b.action && t.zh == b.does.0)
        {
            Some(entry) => {
                entry.0.push_str(" / ");
                entry.0.push_str(b.key);
            }
            None => out.push((b.key.to_string(), Text::new(b.does.0, b.does.1), b.action)),
        }
    }
    out.into_iter().map(|(k, t, _)| (k, t)).collect()
}

/// The one-line hint bar of a mode.
pub fn hints(mode: Mode) -> Vec<(&'static str, Text)> {
    BINDINGS
        .iter()
        .filter(|b| b.mode == mode && b.hint)
        .map(|b| (b.key, Text::new(b.does.0, b.does.1)))
        .collect()
}

/// Whether End is bound anywhere (kept for text inputs: Home/End move the cursor).
pub fn is_text_editing_key(code: KeyCode) -> bool {
    matches!(
        code,
        KeyCode::Left | KeyCode::Right | KeyCode::Home | End | KeyCode::Backspace | Delete
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn every_mode_has_help_and_a_way_out() {
        for mode in [
            Mode::Home,
            Mode::Households,
            Mode::Search,
            Mode::NewHousehold,
            Mode::Question,
            Mode::Roster,
            Mode::Review,
            Mode::Findings,
            Mode::FindingDetail,
            Mode::Rates,
        ] {
            assert_eq!(lookup(mode, &key(F(1))), Some(Action::Help), "{mode:?}");
            assert!(
                BINDINGS
                    .iter()
                    .any(|b| b.mode == mode && matches!(b.action, Action::Back | Action::Quit)),
                "{mode:?}"
            );
        }
    }

    #[test]
    fn no_bare_letters_while_typing() {
        for b in BINDINGS
            .iter()
            .filter(|b| matches!(b.mode, Mode::Search | Mode::NewHousehold))
        {
            if let Char(c) = b.code {
                assert!(b.mods.contains(CTRL), "{c} would steal typing");
            }
        }
    }

    #[test]
    fn no_key_is_bound_twice_in_a_mode() {
        for (i, a) in BINDINGS.iter().enumerate() {
            for b in &BINDINGS[i + 1..] {
                assert!(
                    !(a.mode == b.mode && a.code == b.code && a.mods == b.mods),
                    "{:?} {} bound twice",
                    a.mode,
                    a.key
                );
            }
        }
    }

    #[test]
    fn help_merges_keys_of_one_action() {
        let h = help(Mode::Home);
        assert!(
            h.iter()
                .any(|(k, t)| k == "1 / Enter" && t.zh == "农户列表")
        );
    }

    #[test]
    fn shift_does_not_hide_a_character_binding() {
        let k = KeyEvent::new(Char('?'), KeyModifiers::SHIFT);
        assert_eq!(lookup(Mode::Home, &k), Some(Action::Help));
    }
}
