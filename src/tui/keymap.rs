//! Key bindings as data: the global keys (declared once, for every screen they apply to) and,
//! for each screen (mode), which key does what. The key-hint bar and the `?` help are
//! generated from these tables, so they cannot go stale.

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
    /// A yes-or-no question before something is done (deleting a member, completing).
    Confirm,
    /// The possible findings of an interview on the whole screen.
    Flags,
    /// The auditors' findings table.
    Findings,
    /// One finding in detail.
    FindingDetail,
    /// Rates per village.
    Rates,
    Help,
    /// The team lead's screen: coverage and the interviews to review.
    Team,
    /// Typing the comment of a return on the team screen.
    TeamComment,
    /// The sync screen: conflicts, duplicates, held aside, gaps, bundles imported.
    Sync,
    /// Typing the path of a bundle to import (or of its key file) on the sync screen.
    SyncImport,
    /// Picking one of many from a list with a search (a village, a township, an interviewer).
    Picker,
    /// Typing where an export goes.
    ExportPath,
    /// Typing the comment of a mark (or the auditor's name, asked once).
    MarkComment,
    /// The cadre talks: knowledge per role or township, the people to prepare again.
    Talks,
}

impl Mode {
    /// Every mode but the help.
    pub const ALL: [Mode; 20] = [
        Mode::Home,
        Mode::Households,
        Mode::Search,
        Mode::NewHousehold,
        Mode::Question,
        Mode::Roster,
        Mode::Review,
        Mode::Confirm,
        Mode::Flags,
        Mode::Findings,
        Mode::FindingDetail,
        Mode::Rates,
        Mode::Team,
        Mode::TeamComment,
        Mode::Sync,
        Mode::SyncImport,
        Mode::Picker,
        Mode::ExportPath,
        Mode::MarkComment,
        Mode::Talks,
    ];

    /// Whether typed characters go into a text field (no bare-letter keys then).
    pub fn takes_text(self) -> bool {
        matches!(
            self,
            Mode::Search
                | Mode::NewHousehold
                | Mode::Question
                | Mode::TeamComment
                | Mode::SyncImport
                | Mode::Picker
                | Mode::ExportPath
                | Mode::MarkComment
        )
    }

    /// Whether the screen numbers jump to the main screens from here (not inside an
    /// interview, where a number is an answer or could leave typed work behind).
    fn jumps(self) -> bool {
        matches!(
            self,
            Mode::Home
                | Mode::Households
                | Mode::Findings
                | Mode::FindingDetail
                | Mode::Rates
                | Mode::Team
                | Mode::Talks
        )
    }
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
    Flags,
    Complete,
    AddRow,
    RemoveRow,
    Undo,
    MoveUp,
    MoveDown,
    NextSection,
    PreviousSection,
    Yes,
    No,
    OpenFindings,
    OpenRates,
    CycleSeverity,
    Sort,
    MarkConfirmed,
    MarkDismissed,
    Export,
    NextRate,
    OpenTeam,
    Approve,
    ReturnInterview,
    OpenSync,
    OpenTalks,
    /// Take a side of the conflict selected: `1` here; `2`–`9` reach the screen as typed
    /// keys (one binding, so that the help lists them as one).
    TakeSide,
    /// Mark the duplicate visit selected as the one that counts.
    ChooseVisit,
    /// Import an answer bundle (its path typed on the screen).
    ImportBundle,
    /// The first item of a list (Home).
    First,
    /// The last item of a list (End).
    Last,
    /// Filter by village, picked from a list.
    PickVillage,
    /// Filter by township, picked from a list.
    PickTownship,
    /// Filter by county (few: one after the other).
    CycleCounty,
    /// Filter by interviewer, picked from a list.
    PickInterviewer,
    /// Clear the mark of the finding selected.
    ClearMark,
    /// Group the rates by village, township or county.
    CycleGroup,
}

/// Where a binding applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// One mode.
    In(Mode),
    /// Every mode (the help too).
    Everywhere,
    /// Every mode where typed characters are not text.
    NotTyping,
    /// The main screens (see [`Mode::jumps`]).
    Jumps,
}

impl Scope {
    fn covers(self, mode: Mode) -> bool {
        match self {
            Scope::In(m) => m == mode,
            Scope::Everywhere => true,
            // `?` while answering is help until something is typed (the router checks).
            Scope::NotTyping => mode == Mode::Help || mode == Mode::Question || !mode.takes_text(),
            Scope::Jumps => mode.jumps(),
        }
    }

    /// True for the global layer.
    fn is_global(self) -> bool {
        !matches!(self, Scope::In(_))
    }
}

/// One binding of the key map.
pub struct Binding {
    pub scope: Scope,
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
    ($scope:expr, $code:expr, $mods:expr, $action:ident, $key:literal, $zh:literal, $en:literal, $hint:literal) => {
        Binding {
            scope: $scope,
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
use Mode::*;
use Scope::{Everywhere, In, Jumps, NotTyping};

/// The global keys, declared once. A screen's own binding of the same key wins.
pub static GLOBAL: &[Binding] = &[
    bind!(
        Jumps,
        Char('1'),
        NONE,
        OpenHouseholds,
        "1",
        "农户列表",
        "households",
        false
    ),
    bind!(
        Jumps,
        Char('2'),
        NONE,
        OpenFindings,
        "2",
        "核查发现",
        "findings",
        false
    ),
    bind!(
        Jumps,
        Char('3'),
        NONE,
        OpenRates,
        "3",
        "各村比率",
        "rates",
        false
    ),
    bind!(
        Jumps,
        Char('4'),
        NONE,
        OpenTeam,
        "4",
        "组长审核",
        "team lead",
        false
    ),
    bind!(
        Jumps,
        Char('5'),
        NONE,
        OpenSync,
        "5",
        "同步与冲突",
        "sync",
        false
    ),
    bind!(
        Jumps,
        Char('6'),
        NONE,
        OpenTalks,
        "6",
        "干部访谈",
        "cadre talks",
        false
    ),
    bind!(Everywhere, Esc, NONE, Back, "Esc", "返回", "back", true),
    bind!(NotTyping, Char('?'), NONE, Help, "?", "帮助", "help", true),
    bind!(Everywhere, F(1), NONE, Help, "F1", "帮助", "help", true),
    bind!(
        Everywhere,
        Char('c'),
        CTRL,
        Quit,
        "Ctrl+C",
        "退出",
        "quit",
        false
    ),
];

/// The keys of each screen. The first binding of a mode and key wins.
pub static BINDINGS: &[Binding] = &[
    // home
    bind!(
        In(Home),
        Enter,
        NONE,
        OpenHouseholds,
        "Enter",
        "农户列表",
        "households",
        false
    ),
    bind!(
        In(Home),
        Char('d'),
        NONE,
        LoadDemo,
        "d",
        "载入演示数据",
        "load demo data",
        true
    ),
    bind!(
        In(Home),
        Char('n'),
        NONE,
        NewHousehold,
        "n",
        "登记名单外农户",
        "household not in registry",
        true
    ),
    bind!(In(Home), Char('q'), NONE, Quit, "q", "退出", "quit", true),
    // household list
    bind!(
        In(Households),
        Up,
        NONE,
        Up,
        "↑",
        "上一户",
        "previous",
        false
    ),
    bind!(
        In(Households),
        Down,
        NONE,
        Down,
        "↓",
        "下一户",
        "next",
        false
    ),
    bind!(
        In(Households),
        PageUp,
        NONE,
        PageUp,
        "PgUp",
        "上一页",
        "page up",
        false
    ),
    bind!(
        In(Households),
        PageDown,
        NONE,
        PageDown,
        "PgDn",
        "下一页",
        "page down",
        false
    ),
    bind!(
        In(Households),
        Enter,
        NONE,
        Confirm,
        "Enter",
        "开始或继续调查",
        "interview",
        true
    ),
    bind!(
        In(Households),
        Char('/'),
        NONE,
        StartSearch,
        "/",
        "搜索",
        "search",
        true
    ),
    bind!(
        In(Households),
        Char('v'),
        NONE,
        CycleVillage,
        "v",
        "按村筛选",
        "village",
        true
    ),
    bind!(
        In(Households),
        Char('k'),
        NONE,
        CycleKind,
        "k",
        "按类型筛选",
        "kind",
        true
    ),
    bind!(
        In(Households),
        Char('s'),
        NONE,
        CycleStatus,
        "s",
        "按调查状态筛选",
        "status",
        true
    ),
    bind!(
        In(Households),
        Char('m'),
        NONE,
        CycleSample,
        "m",
        "只看抽样户",
        "in sample",
        false
    ),
    bind!(
        In(Households),
        Char('x'),
        NONE,
        ClearFilters,
        "x",
        "清除筛选",
        "clear filters",
        false
    ),
    bind!(
        In(Households),
        Char('n'),
        NONE,
        NewHousehold,
        "n",
        "名单外农户",
        "not in registry",
        true
    ),
    bind!(
        In(Households),
        Char('q'),
        NONE,
        Back,
        "q",
        "返回",
        "back",
        false
    ),
    // typing a search
    bind!(
        In(Search),
        Enter,
        NONE,
        Confirm,
        "Enter",
        "完成搜索",
        "done",
        true
    ),
    bind!(
        In(Search),
        Down,
        NONE,
        Confirm,
        "↓",
        "到列表",
        "to the list",
        false
    ),
    bind!(
        In(Search),
        Esc,
        NONE,
        Back,
        "Esc",
        "取消搜索",
        "cancel search",
        true
    ),
    // a household not in the registry
    bind!(
        In(NewHousehold),
        Tab,
        NONE,
        NextField,
        "Tab",
        "下一栏",
        "next field",
        true
    ),
    bind!(
        In(NewHousehold),
        Up,
        NONE,
        Up,
        "↑",
        "上一个村",
        "previous village",
        false
    ),
    bind!(
        In(NewHousehold),
        Down,
        NONE,
        Down,
        "↓",
        "下一个村",
        "next village",
        false
    ),
    bind!(
        In(NewHousehold),
        Enter,
        NONE,
        Confirm,
        "Enter",
        "登记并开始调查",
        "enter and interview",
        true
    ),
    bind!(
        In(NewHousehold),
        Esc,
        NONE,
        Back,
        "Esc",
        "取消",
        "cancel",
        true
    ),
    // one question
    bind!(
        In(Question),
        Enter,
        NONE,
        Confirm,
        "Enter",
        "保存并下一题",
        "save, next",
        true
    ),
    bind!(
        In(Question),
        Tab,
        NONE,
        NextQuestion,
        "Tab",
        "跳过或下一题",
        "skip or next",
        true
    ),
    bind!(
        In(Question),
        PageDown,
        NONE,
        NextQuestion,
        "PgDn",
        "跳过或下一题",
        "skip or next",
        false
    ),
    bind!(
        In(Question),
        BackTab,
        NONE,
        PreviousQuestion,
        "Shift+Tab",
        "上一题",
        "previous",
        false
    ),
    bind!(
        In(Question),
        PageUp,
        NONE,
        PreviousQuestion,
        "PgUp",
        "上一题",
        "previous",
        false
    ),
    bind!(
        In(Question),
        Up,
        NONE,
        Up,
        "↑",
        "上一个选项（填空题：上一题）",
        "previous option (text: previous question)",
        false
    ),
    bind!(
        In(Question),
        Down,
        NONE,
        Down,
        "↓",
        "下一个选项（填空题：下一题）",
        "next option (text: next question)",
        false
    ),
    bind!(
        In(Question),
        Char(' '),
        NONE,
        Toggle,
        "Space",
        "选中或取消（多选）",
        "tick (multiple choice)",
        false
    ),
    bind!(
        In(Question),
        F(2),
        NONE,
        Review,
        "F2",
        "检查全部答案",
        "review",
        true
    ),
    bind!(
        In(Question),
        Char('r'),
        CTRL,
        Review,
        "Ctrl+R",
        "检查全部答案",
        "review",
        false
    ),
    bind!(
        In(Question),
        F(3),
        NONE,
        Flags,
        "F3",
        "可能的发现（全屏）",
        "possible findings (full screen)",
        false
    ),
    bind!(
        In(Question),
        Esc,
        NONE,
        Back,
        "Esc",
        "撤销/返回",
        "undo/back",
        true
    ),
    bind!(
        In(Question),
        PageDown,
        CTRL,
        NextSection,
        "Ctrl+PgDn",
        "下一部分",
        "next section",
        false
    ),
    bind!(
        In(Question),
        PageUp,
        CTRL,
        PreviousSection,
        "Ctrl+PgUp",
        "上一部分",
        "previous section",
        false
    ),
    // the roster table
    bind!(
        In(Roster),
        Up,
        NONE,
        Up,
        "↑",
        "上一行",
        "previous row",
        false
    ),
    bind!(
        In(Roster),
        Down,
        NONE,
        Down,
        "↓",
        "下一行",
        "next row",
        false
    ),
    bind!(
        In(Roster),
        Enter,
        NONE,
        Confirm,
        "Enter",
        "填写这一行",
        "edit row",
        true
    ),
    bind!(
        In(Roster),
        Char('a'),
        NONE,
        AddRow,
        "a",
        "添加成员",
        "add row",
        true
    ),
    bind!(
        In(Roster),
        Insert,
        NONE,
        AddRow,
        "Insert",
        "添加成员",
        "add row",
        false
    ),
    bind!(
        In(Roster),
        Char('d'),
        NONE,
        RemoveRow,
        "d",
        "删除这一行",
        "remove row",
        true
    ),
    bind!(
        In(Roster),
        Delete,
        NONE,
        RemoveRow,
        "Delete",
        "删除这一行",
        "remove row",
        false
    ),
    bind!(
        In(Roster),
        Char('u'),
        NONE,
        Undo,
        "u",
        "恢复删除的成员",
        "undo the removal",
        false
    ),
    bind!(
        In(Roster),
        Tab,
        NONE,
        NextQuestion,
        "Tab",
        "下一题",
        "next",
        true
    ),
    bind!(
        In(Roster),
        PageDown,
        NONE,
        NextQuestion,
        "PgDn",
        "下一题",
        "next",
        false
    ),
    bind!(
        In(Roster),
        BackTab,
        NONE,
        PreviousQuestion,
        "Shift+Tab",
        "上一题",
        "previous",
        false
    ),
    bind!(
        In(Roster),
        PageUp,
        NONE,
        PreviousQuestion,
        "PgUp",
        "上一题",
        "previous",
        false
    ),
    bind!(
        In(Roster),
        F(2),
        NONE,
        Review,
        "F2",
        "检查全部答案",
        "review",
        true
    ),
    bind!(
        In(Roster),
        F(3),
        NONE,
        Flags,
        "F3",
        "可能的发现（全屏）",
        "possible findings (full screen)",
        false
    ),
    bind!(
        In(Roster),
        Up,
        CTRL,
        MoveUp,
        "Ctrl+↑",
        "这一行上移",
        "move the row up",
        false
    ),
    bind!(
        In(Roster),
        Down,
        CTRL,
        MoveDown,
        "Ctrl+↓",
        "这一行下移",
        "move the row down",
        false
    ),
    bind!(
        In(Roster),
        Char('['),
        NONE,
        MoveUp,
        "[",
        "这一行上移",
        "move the row up",
        false
    ),
    bind!(
        In(Roster),
        Char(']'),
        NONE,
        MoveDown,
        "]",
        "这一行下移",
        "move the row down",
        false
    ),
    // review
    bind!(In(Review), Up, NONE, Up, "↑", "上一题", "previous", false),
    bind!(In(Review), Down, NONE, Down, "↓", "下一题", "next", false),
    bind!(
        In(Review),
        PageUp,
        NONE,
        PageUp,
        "PgUp",
        "上一页",
        "page up",
        false
    ),
    bind!(
        In(Review),
        PageDown,
        NONE,
        PageDown,
        "PgDn",
        "下一页",
        "page down",
        false
    ),
    bind!(
        In(Review),
        Enter,
        NONE,
        Confirm,
        "Enter",
        "修改这一题",
        "edit",
        true
    ),
    bind!(
        In(Review),
        F(10),
        NONE,
        Complete,
        "F10",
        "完成调查",
        "complete",
        true
    ),
    bind!(
        In(Review),
        Char('c'),
        NONE,
        Complete,
        "c",
        "完成调查",
        "complete",
        false
    ),
    bind!(
        In(Review),
        F(3),
        NONE,
        Flags,
        "F3",
        "可能的发现（全屏）",
        "possible findings (full screen)",
        false
    ),
    bind!(In(Review), Esc, NONE, Back, "Esc", "返回答题", "back", true),
    // a yes-or-no question
    bind!(In(Confirm), Char('y'), NONE, Yes, "y", "确定", "yes", true),
    bind!(In(Confirm), Enter, NONE, Yes, "Enter", "确定", "yes", false),
    bind!(In(Confirm), Char('n'), NONE, No, "n", "取消", "no", true),
    bind!(In(Confirm), Esc, NONE, No, "Esc", "取消", "no", false),
    // possible findings on the whole screen
    bind!(In(Flags), Up, NONE, Up, "↑", "向上滚动", "scroll up", false),
    bind!(
        In(Flags),
        Down,
        NONE,
        Down,
        "↓",
        "向下滚动",
        "scroll down",
        false
    ),
    bind!(In(Flags), F(3), NONE, Back, "F3", "返回答题", "back", true),
    // findings
    bind!(In(Findings), Up, NONE, Up, "↑", "上一项", "previous", false),
    bind!(In(Findings), Down, NONE, Down, "↓", "下一项", "next", false),
    bind!(
        In(Findings),
        PageUp,
        NONE,
        PageUp,
        "PgUp",
        "上一页",
        "page up",
        false
    ),
    bind!(
        In(Findings),
        PageDown,
        NONE,
        PageDown,
        "PgDn",
        "下一页",
        "page down",
        false
    ),
    bind!(
        In(Findings),
        KeyCode::Home,
        NONE,
        First,
        "Home",
        "第一项",
        "first",
        false
    ),
    bind!(
        In(Findings),
        End,
        NONE,
        Last,
        "End",
        "最后一项",
        "last",
        false
    ),
    bind!(
        In(Findings),
        Enter,
        NONE,
        Confirm,
        "Enter",
        "详情",
        "detail",
        true
    ),
    bind!(
        In(Findings),
        Char('/'),
        NONE,
        StartSearch,
        "/",
        "搜索（户主姓名、户编号）",
        "search (head, household id)",
        true
    ),
    bind!(
        In(Findings),
        Char('s'),
        NONE,
        CycleStatus,
        "s",
        "按核查状态筛选（未核查、已确认、已排除）",
        "by review (not reviewed, confirmed, dismissed)",
        false
    ),
    bind!(
        In(Findings),
        Char('k'),
        NONE,
        CycleKind,
        "k",
        "按类别筛选",
        "kind",
        true
    ),
    bind!(
        In(Findings),
        Char('v'),
        NONE,
        PickVillage,
        "v",
        "按村筛选（从列表选）",
        "village (from a list)",
        true
    ),
    bind!(
        In(Findings),
        Char('t'),
        NONE,
        PickTownship,
        "t",
        "按乡镇筛选（从列表选）",
        "township (from a list)",
        false
    ),
    bind!(
        In(Findings),
        Char('c'),
        NONE,
        CycleCounty,
        "c",
        "按县筛选",
        "county",
        false
    ),
    bind!(
        In(Findings),
        Char('i'),
        NONE,
        PickInterviewer,
        "i",
        "按调查员筛选（从列表选）",
        "interviewer (from a list)",
        false
    ),
    bind!(
        In(Findings),
        Char('e'),
        NONE,
        CycleSeverity,
        "e",
        "按程度筛选",
        "severity",
        false
    ),
    bind!(
        In(Findings),
        Char('a'),
        NONE,
        ClearFilters,
        "a",
        "清除筛选（显示全部）",
        "clear the filters (show all)",
        false
    ),
    bind!(
        In(Findings),
        Char('o'),
        NONE,
        Sort,
        "o",
        "排序（地区、类别、程度）",
        "sort (place, kind, severity)",
        false
    ),
    bind!(
        In(Findings),
        Char('y'),
        NONE,
        MarkConfirmed,
        "y",
        "标记为已确认（写意见）",
        "mark confirmed (with a comment)",
        true
    ),
    bind!(
        In(Findings),
        Char('n'),
        NONE,
        MarkDismissed,
        "n",
        "标记为已排除（写意见）",
        "mark dismissed (with a comment)",
        true
    ),
    bind!(
        In(Findings),
        Char('u'),
        NONE,
        ClearMark,
        "u",
        "撤销标记",
        "clear the mark",
        false
    ),
    bind!(
        In(Findings),
        Char('x'),
        NONE,
        Export,
        "x",
        "导出（选择位置）",
        "export (choose where)",
        true
    ),
    bind!(
        In(Findings),
        Char('q'),
        NONE,
        Back,
        "q",
        "返回",
        "back",
        false
    ),
    bind!(
        In(FindingDetail),
        Char('y'),
        NONE,
        MarkConfirmed,
        "y",
        "标记为已确认（写意见）",
        "mark confirmed (with a comment)",
        true
    ),
    bind!(
        In(FindingDetail),
        Char('n'),
        NONE,
        MarkDismissed,
        "n",
        "标记为已排除（写意见）",
        "mark dismissed (with a comment)",
        true
    ),
    bind!(
        In(FindingDetail),
        Char('u'),
        NONE,
        ClearMark,
        "u",
        "撤销标记",
        "clear the mark",
        true
    ),
    bind!(
        In(FindingDetail),
        Up,
        NONE,
        Up,
        "↑",
        "上一项",
        "previous",
        false
    ),
    bind!(
        In(FindingDetail),
        Down,
        NONE,
        Down,
        "↓",
        "下一项",
        "next",
        false
    ),
    bind!(
        In(FindingDetail),
        PageUp,
        NONE,
        PageUp,
        "PgUp",
        "向上滚动",
        "scroll up",
        false
    ),
    bind!(
        In(FindingDetail),
        PageDown,
        NONE,
        PageDown,
        "PgDn",
        "向下滚动",
        "scroll down",
        false
    ),
    bind!(
        In(FindingDetail),
        Esc,
        NONE,
        Back,
        "Esc",
        "返回列表",
        "back to the list",
        true
    ),
    bind!(
        In(FindingDetail),
        Enter,
        NONE,
        Back,
        "Enter",
        "返回列表",
        "back to the list",
        false
    ),
    // picking from a list (a village, a township, an interviewer)
    bind!(In(Picker), Up, NONE, Up, "↑", "上一个", "previous", false),
    bind!(In(Picker), Down, NONE, Down, "↓", "下一个", "next", false),
    bind!(
        In(Picker),
        PageUp,
        NONE,
        PageUp,
        "PgUp",
        "上一页",
        "page up",
        false
    ),
    bind!(
        In(Picker),
        PageDown,
        NONE,
        PageDown,
        "PgDn",
        "下一页",
        "page down",
        false
    ),
    bind!(
        In(Picker),
        KeyCode::Home,
        NONE,
        First,
        "Home",
        "第一个（全部）",
        "first (all)",
        false
    ),
    bind!(
        In(Picker),
        End,
        NONE,
        Last,
        "End",
        "最后一个",
        "last",
        false
    ),
    bind!(
        In(Picker),
        Enter,
        NONE,
        Confirm,
        "Enter",
        "选定",
        "pick",
        true
    ),
    bind!(In(Picker), Esc, NONE, Back, "Esc", "取消", "cancel", true),
    // typing where to export
    bind!(
        In(ExportPath),
        Enter,
        NONE,
        Confirm,
        "Enter",
        "导出",
        "export",
        true
    ),
    bind!(
        In(ExportPath),
        Esc,
        NONE,
        Back,
        "Esc",
        "取消导出",
        "cancel the export",
        true
    ),
    // typing a mark's comment (or the auditor's name)
    bind!(
        In(MarkComment),
        Enter,
        NONE,
        Confirm,
        "Enter",
        "确定",
        "OK",
        true
    ),
    bind!(
        In(MarkComment),
        Esc,
        NONE,
        Back,
        "Esc",
        "取消，不标记",
        "cancel, no mark",
        true
    ),
    // rates
    bind!(
        In(Rates),
        Char('r'),
        NONE,
        NextRate,
        "r",
        "下一个指标",
        "next rate",
        true
    ),
    bind!(
        In(Rates),
        Char('g'),
        NONE,
        CycleGroup,
        "g",
        "按村、乡镇或县分组",
        "by village, township or county",
        true
    ),
    bind!(
        In(Rates),
        Char('m'),
        NONE,
        CycleSample,
        "m",
        "只看抽样户 / 全部调查",
        "drawn sample only / every interview",
        true
    ),
    bind!(
        In(Rates),
        Char('x'),
        NONE,
        Export,
        "x",
        "导出（选择位置）",
        "export (choose where)",
        true
    ),
    bind!(In(Rates), Up, NONE, Up, "↑", "上一行", "previous", false),
    bind!(In(Rates), Down, NONE, Down, "↓", "下一行", "next", false),
    bind!(
        In(Rates),
        PageUp,
        NONE,
        PageUp,
        "PgUp",
        "上一页",
        "page up",
        false
    ),
    bind!(
        In(Rates),
        PageDown,
        NONE,
        PageDown,
        "PgDn",
        "下一页",
        "page down",
        false
    ),
    bind!(
        In(Rates),
        KeyCode::Home,
        NONE,
        First,
        "Home",
        "第一行",
        "first",
        false
    ),
    bind!(
        In(Rates),
        End,
        NONE,
        Last,
        "End",
        "最后一行（合计）",
        "last (total)",
        false
    ),
    bind!(In(Rates), Char('q'), NONE, Back, "q", "返回", "back", false),
    // cadre talks
    bind!(
        In(Talks),
        Char('g'),
        NONE,
        CycleGroup,
        "g",
        "按身份 / 按乡镇",
        "by role / by township",
        true
    ),
    bind!(In(Talks), Up, NONE, Up, "↑", "上滚", "scroll up", false),
    bind!(
        In(Talks),
        Down,
        NONE,
        Down,
        "↓",
        "下滚",
        "scroll down",
        false
    ),
    bind!(
        In(Talks),
        PageUp,
        NONE,
        PageUp,
        "PgUp",
        "上一页",
        "page up",
        false
    ),
    bind!(
        In(Talks),
        PageDown,
        NONE,
        PageDown,
        "PgDn",
        "下一页",
        "page down",
        false
    ),
    bind!(
        In(Talks),
        KeyCode::Home,
        NONE,
        First,
        "Home",
        "回到开头",
        "to the top",
        false
    ),
    bind!(In(Talks), Char('q'), NONE, Back, "q", "返回", "back", false),
    // team
    bind!(In(Team), Up, NONE, Up, "↑", "上一份", "previous", false),
    bind!(In(Team), Down, NONE, Down, "↓", "下一份", "next", false),
    bind!(
        In(Team),
        Char('a'),
        NONE,
        Approve,
        "a",
        "通过",
        "approve",
        true
    ),
    bind!(
        In(Team),
        Char('r'),
        NONE,
        ReturnInterview,
        "r",
        "退回（写意见）",
        "return (with a comment)",
        true
    ),
    bind!(In(Team), Char('q'), NONE, Back, "q", "返回", "back", false),
    // sync
    bind!(
        In(Sync),
        Up,
        NONE,
        Up,
        "↑",
        "上一项（冲突、入户、暂存、导入记录）",
        "previous item (conflict, visit, held, import)",
        false
    ),
    bind!(
        In(Sync),
        Down,
        NONE,
        Down,
        "↓",
        "下一项",
        "next item",
        false
    ),
    bind!(
        In(Sync),
        PageUp,
        NONE,
        PageUp,
        "PgUp",
        "上一页",
        "page up",
        false
    ),
    bind!(
        In(Sync),
        PageDown,
        NONE,
        PageDown,
        "PgDn",
        "下一页",
        "page down",
        false
    ),
    bind!(
        In(Sync),
        Tab,
        NONE,
        NextSection,
        "Tab",
        "下一部分（冲突、重复入户、暂存、导入记录）",
        "next section (conflicts, duplicates, held aside, imports)",
        false
    ),
    bind!(
        In(Sync),
        BackTab,
        NONE,
        PreviousSection,
        "Shift+Tab",
        "上一部分",
        "previous section",
        false
    ),
    bind!(
        In(Sync),
        Char('1'),
        NONE,
        TakeSide,
        "1–9",
        "取第几方解决冲突",
        "resolve with side 1–9",
        true
    ),
    bind!(
        In(Sync),
        Char('c'),
        NONE,
        ChooseVisit,
        "c",
        "以选中的这次入户为准",
        "the visit selected counts",
        true
    ),
    bind!(
        In(Sync),
        Char('i'),
        NONE,
        ImportBundle,
        "i",
        "导入答卷包",
        "import a bundle",
        true
    ),
    bind!(In(Sync), Char('q'), NONE, Back, "q", "返回", "back", false),
    bind!(
        In(SyncImport),
        Enter,
        NONE,
        Confirm,
        "Enter",
        "确定",
        "OK",
        true
    ),
    bind!(
        In(SyncImport),
        Esc,
        NONE,
        Back,
        "Esc",
        "取消导入",
        "cancel the import",
        true
    ),
    bind!(
        In(TeamComment),
        Enter,
        NONE,
        Confirm,
        "Enter",
        "退回",
        "return it",
        true
    ),
    // help
    bind!(
        In(Help),
        Char('q'),
        NONE,
        Back,
        "q",
        "关闭帮助",
        "close help",
        false
    ),
];

/// The bindings that apply in a mode: its own first, then the global ones.
fn in_mode(mode: Mode) -> impl Iterator<Item = &'static Binding> {
    BINDINGS
        .iter()
        .filter(move |b| b.scope == Scope::In(mode))
        .chain(GLOBAL.iter().filter(move |b| b.scope.covers(mode)))
}

/// The action of a key in a mode. Shift is ignored for characters (it is part of the char).
pub fn lookup(mode: Mode, key: &KeyEvent) -> Option<Action> {
    let mods = if matches!(key.code, Char(_) | BackTab) {
        key.modifiers - KeyModifiers::SHIFT
    } else {
        key.modifiers
    };
    in_mode(mode)
        .find(|b| b.code == key.code && b.mods == mods)
        .map(|b| b.action)
}

/// Whether a binding is the one its key finds in the mode (a screen's own binding hides a
/// global one of the same key).
fn wins(mode: Mode, b: &Binding) -> bool {
    in_mode(mode)
        .find(|o| o.code == b.code && o.mods == b.mods)
        .is_some_and(|o| std::ptr::eq(o, b))
}

/// One line of the help or the hint bar.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub keys: String,
    pub does: Text,
    pub action: Action,
}

/// The bindings of a mode, each action once (first key wins, the others joined to it), for
/// the help screen.
pub fn help(mode: Mode) -> Vec<Entry> {
    let mut out: Vec<Entry> = Vec::new();
    for b in in_mode(mode).filter(|b| wins(mode, b)) {
        match out
            .iter_mut()
            .find(|e| e.action == b.action && e.does.zh == b.does.0)
        {
            Some(e) => {
                e.keys.push_str(" / ");
                e.keys.push_str(b.key);
            }
            None => out.push(Entry {
                keys: b.key.to_string(),
                does: Text::new(b.does.0, b.does.1),
                action: b.action,
            }),
        }
    }
    out
}

/// The one-line hint bar of a mode: the screen's keys, then the global ones.
pub fn hints(mode: Mode) -> Vec<Entry> {
    let mut out: Vec<Entry> = Vec::new();
    // The screen numbers are hinted on the home screen, where they are the way on.
    let hinted = |b: &Binding| b.hint || (b.scope == Scope::Jumps && mode == Mode::Home);
    for b in in_mode(mode).filter(|b| hinted(b) && wins(mode, b)) {
        // One help key is enough in the bar.
        if b.action == Action::Help && out.iter().any(|e| e.action == Action::Help) {
            continue;
        }
        if b.scope.is_global() && out.iter().any(|e| e.action == b.action) {
            continue;
        }
        out.push(Entry {
            keys: b.key.to_string(),
            does: Text::new(b.does.0, b.does.1),
            action: b.action,
        });
    }
    out
}

/// Whether a key edits text (kept for text inputs: Home/End move the cursor).
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
        for mode in Mode::ALL {
            assert_eq!(lookup(mode, &key(F(1))), Some(Action::Help), "{mode:?}");
            assert!(
                in_mode(mode).any(|b| matches!(b.action, Action::Back | Action::Quit | Action::No)),
                "{mode:?}"
            );
            let k = KeyEvent::new(Char('c'), CTRL);
            assert_eq!(lookup(mode, &k), Some(Action::Quit), "{mode:?}");
        }
    }

    #[test]
    fn global_keys_are_declared_once() {
        for b in BINDINGS {
            let clash = GLOBAL.iter().any(|g| {
                g.code == b.code && g.mods == b.mods && g.action == b.action && g.does == b.does
            });
            assert!(!clash, "{:?} {} repeats a global key", b.scope, b.key);
        }
    }

    #[test]
    fn no_bare_letters_while_typing() {
        for mode in [
            Mode::Search,
            Mode::NewHousehold,
            Mode::TeamComment,
            Mode::SyncImport,
            Mode::Picker,
            Mode::ExportPath,
            Mode::MarkComment,
        ] {
            for b in in_mode(mode) {
                if let Char(c) = b.code {
                    assert!(b.mods.contains(CTRL), "{c} would steal typing in {mode:?}");
                }
            }
        }
        for b in in_mode(Mode::Question) {
            if let Char(c) = b.code {
                assert!(
                    b.mods.contains(CTRL) || c == ' ' || c == '?',
                    "{c} would steal typing"
                );
            }
        }
    }

    #[test]
    fn screen_numbers_jump_from_the_main_screens_only() {
        let one = key(Char('1'));
        assert_eq!(lookup(Mode::Households, &one), Some(Action::OpenHouseholds));
        assert_eq!(
            lookup(Mode::Rates, &key(Char('2'))),
            Some(Action::OpenFindings)
        );
        assert_eq!(lookup(Mode::Question, &one), None);
        assert_eq!(lookup(Mode::Roster, &one), None);
        assert_eq!(lookup(Mode::Search, &one), None);
    }

    #[test]
    fn no_key_is_bound_twice_in_a_mode() {
        for (i, a) in BINDINGS.iter().enumerate() {
            for b in &BINDINGS[i + 1..] {
                assert!(
                    !(a.scope == b.scope && a.code == b.code && a.mods == b.mods),
                    "{:?} {} bound twice",
                    a.scope,
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
                .any(|e| e.keys == "Enter / 1" && e.does.zh == "农户列表"),
            "{h:?}"
        );
        // The global Esc is hidden where the screen binds Esc itself.
        let h = help(Mode::Search);
        assert_eq!(
            h.iter().filter(|e| e.keys.contains("Esc")).count(),
            1,
            "{h:?}"
        );
    }

    #[test]
    fn shift_does_not_hide_a_character_binding() {
        let k = KeyEvent::new(Char('?'), KeyModifiers::SHIFT);
        assert_eq!(lookup(Mode::Home, &k), Some(Action::Help));
    }
}
