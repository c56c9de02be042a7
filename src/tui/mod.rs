//! The terminal UI (ratatui + crossterm): a stack of screens, each owning its state, its
//! actions and its drawing; a loop draws the screen on top and turns keys into actions.
//! Rendering is a pure function of the state.

mod app;
mod chrome;
mod ctx;
mod findings;
mod help;
pub mod home;
pub mod households;
pub mod interview;
pub mod keymap;
pub mod new_household;
pub mod paste;
mod path_prompt;
mod picker;
mod rates;
mod screen;
mod sync;
mod talks;
mod team;
#[cfg(test)]
mod tests;
pub mod text;
mod theme;

use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::cursor::Show;
use ratatui::crossterm::event::{
    self, DisableBracketedPaste, EnableBracketedPaste, Event, KeyEventKind,
};
use ratatui::crossterm::execute;
use ratatui::crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::{DefaultTerminal, Frame, Terminal};

pub use app::App;
pub use ctx::{Counts, Ctx, Outcome, SaveState, StoreTrouble};
pub use screen::{Nav, Screen};

/// Draws the whole screen from the state.
pub fn draw(f: &mut Frame, app: &App) {
    app.draw(f)
}

/// Whether the terminal is set up for the UI (and not yet restored).
static SET_UP: AtomicBool = AtomicBool::new(false);

/// Puts the terminal back as it was: bracketed paste off, raw mode off, the normal screen,
/// the cursor shown. Each step is tried even when one before it failed. Only once: a panic
/// restores in its hook and again while unwinding, and leaving the alternate screen a second
/// time would move the cursor back up over the panic message.
fn restore_terminal() {
    if !SET_UP.swap(false, Ordering::SeqCst) {
        return;
    }
    let _ = execute!(io::stdout(), DisableBracketedPaste);
    let _ = disable_raw_mode();
    let _ = execute!(io::stdout(), LeaveAlternateScreen, Show);
}

/// Restores the terminal when dropped: on return, on `?` error and on panic unwinding.
struct TerminalGuard;

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore_terminal();
    }
}

/// Installs (once per process) a panic hook that restores the terminal before the panic
/// message is printed, so that the message lands on the normal screen.
fn install_panic_hook() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore_terminal();
            hook(info);
        }));
    });
}

/// Runs `body` in the terminal set up for the UI (raw mode, the alternate screen, bracketed
/// paste) and restores the terminal however `body` ends: it returns, fails, or panics.
pub fn with_terminal<T>(body: impl FnOnce(&mut DefaultTerminal) -> io::Result<T>) -> io::Result<T> {
    install_panic_hook();
    // Before the first change: a failure half-way through setting up still restores.
    let _guard = TerminalGuard;
    SET_UP.store(true, Ordering::SeqCst);
    enable_raw_mode()?;
    execute!(io::stdout(), EnterAlternateScreen, EnableBracketedPaste)?;
    let mut terminal = Terminal::new(CrosstermBackend::new(io::stdout()))?;
    body(&mut terminal)
}

/// Runs the UI until the user quits, and says what was not saved (see [`Outcome`]: the
/// caller prints its warning and exits with 1). The terminal is restored when this returns.
/// When the terminal fails, the warning about unsaved answers is printed here, on standard
/// error after the terminal is restored, before the error is returned.
pub fn run(mut app: App) -> io::Result<Outcome> {
    let looped = with_terminal(|terminal| event_loop(terminal, &mut app));
    if looped.is_err() {
        app.leave_all();
    }
    let outcome = app.finish();
    match looped {
        Ok(()) => Ok(outcome),
        Err(e) => {
            if let Some(w) = outcome.warning() {
                eprintln!("ruhu: {}", crate::printable::clean_line(w.get(app.lang)));
            }
            Err(e)
        }
    }
}

fn event_loop(terminal: &mut DefaultTerminal, app: &mut App) -> io::Result<()> {
    // Slow work (making the household list) runs after a frame that says it is coming.
    app.settle_at_once = false;
    while !app.quit {
        terminal.draw(|f| draw(f, app))?;
        if app.settle() {
            continue;
        }
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
