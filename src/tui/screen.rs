//! The screen trait: each screen owns its state, answers an action with a navigation result
//! and draws itself. The router (`app.rs`) keeps the stack of screens.

use std::any::Any;

use ratatui::Frame;
use ratatui::crossterm::event::KeyCode;
use ratatui::layout::Rect;
use ratatui::text::Line;

use super::ctx::Ctx;
use super::keymap::{Action, Mode};
use super::paste::Pasted;

/// Where to go after an action.
pub enum Nav {
    Stay,
    /// Open another screen over this one.
    Push(Box<dyn Screen>),
    /// Back to the screen below.
    Pop,
    /// This screen gives way to another (Esc from it goes to the one below).
    Replace(Box<dyn Screen>),
    Quit,
}

/// One screen of the UI.
pub trait Screen {
    /// The title in the title bar.
    fn title(&self, ctx: &Ctx) -> String;

    /// How the screen reads keys now.
    fn mode(&self) -> Mode;

    /// Handles an action of the key map.
    fn act(&mut self, ctx: &mut Ctx, action: Action) -> Nav;

    /// Typed text and the editing keys (when the mode takes text).
    fn type_key(&mut self, _ctx: &mut Ctx, _code: KeyCode) -> Nav {
        Nav::Stay
    }

    /// Pasted text (already cleaned of control characters), inserted in one step.
    fn paste(&mut self, _ctx: &mut Ctx, _text: &str) -> Option<Pasted> {
        None
    }

    /// Draws the body of the screen (the frame around it is drawn by the router).
    fn draw(&self, f: &mut Frame, ctx: &Ctx, area: Rect);

    /// The status line, when the screen has one.
    fn status(&self, _ctx: &Ctx) -> Option<Line<'static>> {
        None
    }

    /// Whether an action can be taken now (the key bar and the help mark those that cannot).
    fn available(&self, _ctx: &Ctx, _action: Action) -> bool {
        true
    }

    /// Whether something typed is in the field with focus (`?` is then a character).
    fn has_typed_text(&self) -> bool {
        false
    }

    /// Called when the screen above this one was closed.
    fn resumed(&mut self, _ctx: &mut Ctx) {}

    /// Called before the screen is closed (back, a jump elsewhere, quitting).
    fn leave(&mut self, _ctx: &mut Ctx) {}

    /// Slow work the screen has to do before it can show itself (run after a frame that
    /// says so has been drawn); false when there is none.
    fn settle(&mut self, _ctx: &mut Ctx) -> bool {
        false
    }

    fn as_any(&self) -> &dyn Any;
}
