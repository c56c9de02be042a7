//! Runs the real `ruhu` binary in a pseudo-terminal and reads its screen (vt100).

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};

/// What a shell prints after the program it ran has exited (see [`Tui::start_in_shell`]):
/// whether the terminal was left in raw mode, and the program's exit code.
const AFTER: &str = r#""$0" "$@"; code=$?
if stty -a | grep -Eq -- '(^| )-(icanon|echo)( |;|$)'; then echo "tty=raw"; else echo "tty=cooked"; fi
echo "exit=$code"
exit $code"#;

pub struct Tui {
    parser: Arc<Mutex<vt100::Parser>>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn Child + Send + Sync>,
    /// Kept open as long as the reader thread reads from it.
    _master: Box<dyn MasterPty + Send>,
    /// Keys sent so far: a character, or one escape sequence (an arrow, a function key).
    pub keys: usize,
}

impl Tui {
    /// Starts `ruhu ARGS` in an 80×24 terminal.
    pub fn start(args: &[&str]) -> Tui {
        Self::start_sized(args, 80, 24)
    }

    pub fn start_sized(args: &[&str], cols: u16, rows: u16) -> Tui {
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_ruhu"));
        cmd.args(args);
        Self::spawn(cmd, cols, rows)
    }

    /// Starts `program ARGS` (with `env`) from a shell in an 80×24 terminal. When the program
    /// has exited, the shell prints on the terminal `tty=raw` or `tty=cooked` (whether raw
    /// mode was left on) and `exit=CODE`, and exits with the program's code: once `exit=`
    /// shows, the screen is what a user sees after the program.
    pub fn start_in_shell(program: &str, args: &[&str], env: &[(&str, &str)]) -> Tui {
        let mut cmd = CommandBuilder::new("sh");
        cmd.args(["-c", AFTER, program]);
        cmd.args(args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        Self::spawn(cmd, 80, 24)
    }

    /// `ruhu ARGS` from a shell (see [`Tui::start_in_shell`]).
    pub fn start_ruhu_in_shell(args: &[&str]) -> Tui {
        Self::start_in_shell(env!("CARGO_BIN_EXE_ruhu"), args, &[])
    }

    fn spawn(mut cmd: CommandBuilder, cols: u16, rows: u16) -> Tui {
        let pty = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("open a pty");
        cmd.env("TERM", "xterm-256color");
        cmd.env("NO_COLOR", "1");
        let child = pty.slave.spawn_command(cmd).expect("spawn ruhu");
        drop(pty.slave);
        let mut reader = pty.master.try_clone_reader().expect("pty reader");
        let writer = pty.master.take_writer().expect("pty writer");
        let parser = Arc::new(Mutex::new(vt100::Parser::new(rows, cols, 0)));
        let p = parser.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                p.lock().unwrap().process(&buf[..n]);
            }
        });
        Tui {
            parser,
            writer,
            keys: 0,
            child,
            _master: pty.master,
        }
    }

    pub fn screen(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    /// Whether the program has the alternate screen on.
    pub fn alternate_screen(&self) -> bool {
        self.parser.lock().unwrap().screen().alternate_screen()
    }

    /// Whether the program has bracketed paste on.
    pub fn bracketed_paste(&self) -> bool {
        self.parser.lock().unwrap().screen().bracketed_paste()
    }

    /// Whether the program has hidden the cursor.
    pub fn cursor_hidden(&self) -> bool {
        self.parser.lock().unwrap().screen().hide_cursor()
    }

    /// Waits until the screen contains `text` (and has stopped changing), or panics with the
    /// screen after 15 s.
    pub fn wait_for(&self, text: &str) {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if s.contains(text) {
                std::thread::sleep(Duration::from_millis(60));
                if self.screen() == s {
                    return;
                }
                continue;
            }
            if start.elapsed() > Duration::from_secs(15) {
                panic!("timed out waiting for {text:?}; screen:\n{s}");
            }
            std::thread::sleep(Duration::from_millis(30));
        }
    }

    /// Sends raw bytes (text in UTF-8, or escape sequences).
    pub fn send(&mut self, bytes: &str) {
        self.keys += 1;
        self.writer.write_all(bytes.as_bytes()).unwrap();
        self.writer.flush().unwrap();
        std::thread::sleep(Duration::from_millis(80));
    }

    /// Types text one character at a time, as a person (or an input method) would.
    pub fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            self.send(&c.to_string());
        }
    }

    pub fn enter(&mut self) {
        self.send("\r");
    }

    pub fn key_f2(&mut self) {
        self.send("\x1bOQ");
    }

    pub fn esc(&mut self) {
        self.send("\x1b");
        std::thread::sleep(Duration::from_millis(100));
    }

    pub fn ctrl_c(&mut self) {
        self.send("\x03");
    }

    /// Waits until the screen has not changed for a moment, and returns it.
    pub fn settled(&self) -> String {
        let mut last = self.screen();
        let start = Instant::now();
        loop {
            std::thread::sleep(Duration::from_millis(40));
            let now = self.screen();
            if now == last || start.elapsed() > Duration::from_secs(5) {
                return now;
            }
            last = now;
        }
    }

    /// The screen once it has changed from `before` (what the keys just sent were acting on)
    /// and then stopped changing. A loaded machine may take longer than the 40 ms of
    /// [`Tui::settled`] to answer a key: without the wait for a change, the screen before the
    /// keys would be read as the answer to them. After 5 s without a change, the screen as
    /// it is.
    pub fn settled_after(&self, before: &str) -> String {
        let start = Instant::now();
        while self.screen() == before && start.elapsed() < Duration::from_secs(5) {
            std::thread::sleep(Duration::from_millis(10));
        }
        // Then 150 ms without a change: the keys of one step (an answer and Enter) are
        // answered by several frames, and the one between them is not the answer.
        let mut last = self.screen();
        let mut still = Instant::now();
        while still.elapsed() < Duration::from_millis(150)
            && start.elapsed() < Duration::from_secs(10)
        {
            std::thread::sleep(Duration::from_millis(15));
            let now = self.screen();
            if now != last {
                last = now;
                still = Instant::now();
            }
        }
        last
    }

    pub fn tab(&mut self) {
        self.send("\t");
    }

    pub fn key_f10(&mut self) {
        self.send("\x1b[21~");
    }

    pub fn down(&mut self) {
        self.send("\x1b[B");
    }

    pub fn page_down(&mut self) {
        self.send("\x1b[6~");
    }

    /// Waits for the program to exit; returns its success.
    pub fn wait_exit(&mut self) -> bool {
        self.wait_status().success()
    }

    /// Waits for the program to exit; returns its exit code (1 when a signal ended it).
    pub fn wait_exit_code(&mut self) -> u32 {
        self.wait_status().exit_code()
    }

    fn wait_status(&mut self) -> portable_pty::ExitStatus {
        let start = Instant::now();
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status;
            }
            if start.elapsed() > Duration::from_secs(10) {
                let _ = self.child.kill();
                panic!("ruhu did not exit; screen:\n{}", self.screen());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Tui {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}
