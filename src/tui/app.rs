//! The router: the stack of screens, the help overlay and the message line. Keys become
//! actions through the key map; the screen on top handles them and says where to go next.

use std::ops::{Deref, DerefMut};

use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::ctx::{Ctx, Outcome};
use super::home::Home;
use super::keymap::{self, Action, Mode};
use super::screen::{Nav, Screen};
use super::{chrome, help, paste};
use crate::i18n::Lang;
use crate::session::Workspace;

/// The whole state of the terminal UI: what the screens share and the stack of screens
/// (the home screen at the bottom).
pub struct App {
    pub ctx: Ctx,
    stack: Vec<Box<dyn Screen>>,
    pub help: bool,
    pub quit: bool,
    /// Whether slow work of a screen runs right after the key that asked for it (tests); the
    /// event loop turns this off to draw a frame saying so first.
    pub settle_at_once: bool,
}

impl Deref for App {
    type Target = Ctx;
    fn deref(&self) -> &Ctx {
        &self.ctx
    }
}

impl DerefMut for App {
    fn deref_mut(&mut self) -> &mut Ctx {
        &mut self.ctx
    }
}

impl App {
    pub fn new(ws: Workspace, lang: Lang, interviewer: String) -> Self {
        App {
            ctx: Ctx::new(ws, lang, interviewer),
            stack: vec![Box::new(Home)],
            help: false,
            quit: false,
            settle_at_once: true,
        }
    }

    /// ID numbers in full (`--show-ids`) instead of masked.
    pub fn with_show_ids(mut self, show: bool) -> Self {
        self.ctx.show_ids = show;
        self
    }

    /// The auditor's name for marks (for a command-line flag), over the one kept in the store.
    pub fn with_auditor(mut self, name: Option<String>) -> Self {
        if let Some(n) = name.filter(|n| !n.trim().is_empty()) {
            self.ctx.auditor = Some(n.trim().to_string());
        }
        self
    }

    /// The screen on top.
    pub fn screen(&self) -> &dyn Screen {
        self.stack.last().map(|s| s.as_ref()).unwrap_or(&Home)
    }

    /// The screen on top as its own type, when it is one.
    pub fn top<T: 'static>(&self) -> Option<&T> {
        self.screen().as_any().downcast_ref::<T>()
    }

    /// How deep the stack of screens is (the home screen is 1).
    pub fn depth(&self) -> usize {
        self.stack.len()
    }

    /// How keys are read now.
    pub fn mode(&self) -> Mode {
        if self.help {
            return Mode::Help;
        }
        self.screen().mode()
    }

    /// Whether an action can be taken now on the screen under the help.
    pub fn available(&self, action: Action) -> bool {
        self.screen().available(&self.ctx, action)
    }

    pub fn on_key(&mut self, key: KeyEvent) {
        let mode = self.mode();
        if let Some(action) = keymap::lookup(mode, &key) {
            // `?` opens help while answering only when nothing has been typed.
            let typing_question_mark = action == Action::Help
                && mode == Mode::Question
                && key.code == KeyCode::Char('?')
                && self.screen().has_typed_text();
            if !typing_question_mark {
                self.ctx.flash = None;
                self.act(action);
                self.settle_if_at_once();
                return;
            }
        }
        if key
            .modifiers
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
            || self.help
        {
            return;
        }
        if let Some(top) = self.stack.last_mut() {
            let nav = top.type_key(&mut self.ctx, key.code);
            self.go(nav);
        }
        self.settle_if_at_once();
    }

    /// Pasted text goes where typed text goes, in one step: it is inserted at the cursor
    /// whole (line breaks and tabs as spaces, other control characters dropped, at most what
    /// the field holds), then the search or the validation runs once.
    pub fn on_paste(&mut self, text: &str) {
        let text = paste::clean(text);
        if text.is_empty() || self.help {
            return;
        }
        let Some(top) = self.stack.last_mut() else {
            return;
        };
        let pasted = top.paste(&mut self.ctx, &text);
        if let Some(message) = pasted.and_then(|p| p.message()) {
            self.ctx.flash_error(message);
        }
        self.settle_if_at_once();
    }

    fn settle_if_at_once(&mut self) {
        if self.settle_at_once {
            while self.settle() {}
        }
    }

    /// Runs the slow work the screen on top waits for; false when there was none.
    pub fn settle(&mut self) -> bool {
        match self.stack.last_mut() {
            Some(top) => top.settle(&mut self.ctx),
            None => false,
        }
    }

    fn act(&mut self, action: Action) {
        if action == Action::Quit {
            self.leave_all();
            self.quit = true;
            return;
        }
        if self.help {
            if matches!(action, Action::Back | Action::Help) {
                self.help = false;
            }
            return;
        }
        if action == Action::Help {
            self.help = true;
            return;
        }
        if matches!(
            action,
            Action::OpenHouseholds
                | Action::OpenFindings
                | Action::OpenRates
                | Action::OpenTeam
                | Action::OpenSync
                | Action::OpenTalks
        ) && self.stack.len() > 1
        {
            // A jump: back to the home screen, which opens the one asked for.
            while self.stack.len() > 1 {
                self.pop();
            }
        }
        let Some(top) = self.stack.last_mut() else {
            return;
        };
        let nav = top.act(&mut self.ctx, action);
        self.go(nav);
    }

    fn go(&mut self, nav: Nav) {
        match nav {
            Nav::Stay => {}
            Nav::Push(s) => self.stack.push(s),
            Nav::Pop if self.stack.len() <= 1 => self.quit = true,
            Nav::Pop => {
                self.pop();
                if let Some(top) = self.stack.last_mut() {
                    top.resumed(&mut self.ctx);
                }
            }
            Nav::Replace(s) => {
                if self.stack.len() > 1 {
                    self.stack.pop();
                }
                self.stack.push(s);
            }
            Nav::Quit => {
                self.leave_all();
                self.quit = true;
            }
        }
    }

    fn pop(&mut self) {
        if let Some(mut s) = self.stack.pop() {
            s.leave(&mut self.ctx);
        }
    }

    /// Lets every open screen finish what it holds (before quitting).
    pub(super) fn leave_all(&mut self) {
        for s in self.stack.iter_mut().rev() {
            s.leave(&mut self.ctx);
        }
    }

    /// Ends the run: checks once more that the data folder is still there and says what was
    /// not saved.
    pub fn finish(&mut self) -> Outcome {
        self.ctx.finish()
    }

    /// Draws the whole screen: the frame, the screen on top, the help over it.
    pub fn draw(&self, f: &mut Frame) {
        let screen = self.screen();
        let title = screen.title(&self.ctx);
        let available = |a: Action| screen.available(&self.ctx, a);
        let keys = chrome::Keys {
            mode: self.mode(),
            available: &available,
        };
        let body = chrome::frame(f, &self.ctx, &keys, &title, screen.status(&self.ctx));
        if chrome::too_small(f, self.ctx.lang, body) {
            return;
        }
        screen.draw(f, &self.ctx, body);
        if self.help {
            help::draw(f, self.ctx.lang, screen.mode(), &available, f.area());
        }
    }
}

/// How often the household search and the answer validation ran (tests show that a paste
/// runs them once, whatever its length).
#[cfg(test)]
pub(super) mod runs {
    use std::cell::Cell;

    thread_local! {
        pub static FILTERS: Cell<usize> = const { Cell::new(0) };
        pub static VALIDATIONS: Cell<usize> = const { Cell::new(0) };
    }

    pub fn bump(counter: &'static std::thread::LocalKey<Cell<usize>>) {
        counter.with(|c| c.set(c.get() + 1));
    }
}
