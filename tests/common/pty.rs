//! Runs the real `ruhu` binary in a pseudo-terminal and reads its screen (vt100).

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, PtySize, native_pty_system};

pub struct Tui {
    parser: Arc<Mutex<vt100::Parser>>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn Child + Send + Sync>,
}

impl Tui {
    /// Starts `ruhu ARGS` in an 80×24 terminal.
    pub fn start(args: &[&str]) -> Tui {
        Self::start_sized(args, 80, 24)
    }

    pub fn start_sized(args: &[&str], cols: u16, rows: u16) -> Tui {
        let pty = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("open a pty");
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_ruhu"));
        cmd.args(args);
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
        // Keep the master alive as long as the reader thread needs it.
        std::mem::forget(pty.master);
        Tui {
            parser,
            writer,
            child,
        }
    }

    pub fn screen(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
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

    /// Waits for the program to exit; returns its success.
    pub fn wait_exit(&mut self) -> bool {
        let start = Instant::now();
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.success();
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
