//! The terminal UI (ratatui + crossterm): one `App` owns the state, a loop draws it and turns
//! keys into actions. Rendering is a pure function of the state.

mod app;
mod chrome;
mod findings;
mod help;
mod home;
mod households;
mod interview;
pub mod keymap;
pub mod text;
mod theme;

use std::io;
use std::time::Duration;

use ratatui::crossterm::event::{
    self, DisableBracketedPaste, EnableBracketedPaste, Event, KeyEventKind,
};
use ratatui::crossterm::execute;
use ratatui::{DefaultTerminal, Frame};

pub use app::{App, Screen};

use crate::tr;

/// Draws the whole screen from the state.
pub fn draw(f: &mut Frame, app: &App) {
    let lang = app.lang;
    match &app.screen {
        Screen::Home => {
            let body = chrome::frame(f, app, tr!("首页", "home").get(lang), None);
            home::draw(f, app, body);
        }
        Screen::Households(l) => {
            let body = chrome::frame(f, app, tr!("农户列表", "households").get(lang), None);
            households::draw(f, app, l, body);
        }
        Screen::NewHousehold(form, _) => {
            let body = chrome::frame(f, app, tr!("名单外农户", "new household").get(lang), None);
            households::draw_new(f, lang, form, body);
        }
        Screen::Findings(s) => {
            let body = chrome::frame(f, app, tr!("核查发现", "findings").get(lang), None);
            findings::draw(f, s, lang, body);
        }
        Screen::Rates(r, name) => {
            let body = chrome::frame(f, app, tr!("各村比率", "rates by village").get(lang), None);
            findings::draw_rates(f, r, *name, lang, body);
        }
        Screen::Interview(v) => {
            let title = interview::title(v, lang);
            let body = chrome::frame(f, app, &title, Some(interview::status_line(v, lang)));
            interview::draw(f, v, &app.findings(v), lang, body);
        }
    }
    if app.help {
        help::draw(f, app.screen_mode(), lang, f.area());
    }
}

/// Restores the terminal when dropped, also when leaving by `?` error or panic unwinding.
struct TerminalGuard;

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        let _ = execute!(io::stdout(), DisableBracketedPaste);
        ratatui::restore();
    }
}

/// Runs the UI until the user quits.
pub fn run(mut app: App) -> io::Result<()> {
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = execute!(io::stdout(), DisableBracketedPaste);
        ratatui::restore();
        hook(info);
    }));
    let mut terminal = ratatui::init();
    let _guard = TerminalGuard;
    execute!(io::stdout(), EnableBracketedPaste)?;
    event_loop(&mut terminal, &mut app)
}

fn event_loop(terminal: &mut DefaultTerminal, app: &mut App) -> io::Result<()> {
    while !app.quit {
        terminal.draw(|f| draw(f, app))?;
        if !event::poll(Duration::from_millis(500))? {
            continue;
        }
        match event::read()? {
            Event::Key(k) if k.kind == KeyEventKind::Press => app.on_key(k),
            Event::Paste(s) => app.on_paste(&s),
            // Resize: the next loop turn redraws at the new size.
            _ => {}
        }
    }
    Ok(())
}
