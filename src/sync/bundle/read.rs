//! Reading a bundle: every check passes before anything is returned. Lines are read with a
//! bounded reader and hashed as they are read, in one pass.

use std::cell::Cell;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;
use std::rc::Rc;

use age::secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};

use super::refusal::Source;
use super::{
    Body, FORMAT, Header, Line, MAX_BUNDLE_BYTES, MAX_LINE_BYTES, MAX_MARK_BYTES, MAX_RECORDS,
    MAX_SEAL_HEADER_BYTES, Mark, Refusal, RefusalKind, hex,
};
use crate::i18n::Text;
use crate::tr;

/// What opens an encrypted bundle: nothing (a plain bundle), its passphrase, or the
/// identity it was sent to (`AGE-SECRET-KEY-1…`, or the text of an identity file as
/// `age-keygen` writes it, `#` comments and all). A plain bundle is read whatever the key.
pub enum Key {
    None,
    Passphrase(SecretString),
    Identity(SecretString),
}

/// Reads and verifies the bundle file at `path`.
pub fn read_file(path: &Path, key: &Key) -> Result<(Header, Body), Refusal> {
    let src = Source::path(path);
    let file = std::fs::File::open(path).map_err(|e| Refusal::io(&src, &e))?;
    read_from(file, key, &src, false).map(|(h, b)| (h, b.unwrap_or_default()))
}

/// Reads and verifies a bundle from `r`.
pub fn read(r: impl Read, key: &Key) -> Result<(Header, Body), Refusal> {
    read_from(r, key, &Source::stream(), false).map(|(h, b)| (h, b.unwrap_or_default()))
}

/// The header of the bundle file at `path`, reading only its first two lines (decrypting
/// only what holds them): for listing bundles. Nothing after the header is verified; a
/// bundle to import is read with [`read_file`].
pub fn read_header_file(path: &Path, key: &Key) -> Result<Header, Refusal> {
    let src = Source::path(path);
    let file = std::fs::File::open(path).map_err(|e| Refusal::io(&src, &e))?;
    read_from(file, key, &src, true).map(|(h, _)| h)
}

/// The header of a bundle from `r` (see [`read_header_file`]).
pub fn read_header(r: impl Read, key: &Key) -> Result<Header, Refusal> {
    read_from(r, key, &Source::stream(), true).map(|(h, _)| h)
}

/// An identity from its string or an identity file's text: the first line that is neither
/// empty nor a `#` comment.
pub(super) fn parse_identity(text: &str) -> Result<age::x25519::Identity, Text> {
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .unwrap_or("");
    line.parse::<age::x25519::Identity>().map_err(|_| {
        tr!(
            "给出的密钥不是有效的 age 私钥（应以 AGE-SECRET-KEY-1 开头）",
            "the key given is not an age identity (it starts with AGE-SECRET-KEY-1)"
        )
    })
}

/// How the mark starts as ruhu writes it.
const MARK_START: &[u8] = b"{\"ruhu_bundle\":";

/// How an age file in ASCII armor starts.
const ARMOR: &[u8] = b"-----BEGIN AGE ENCRYPTED FILE-----";

/// Bytes read from the start of the input to tell an age file from a plain one.
const PEEK: usize = 64;

fn read_from<R: Read>(
    mut r: R,
    key: &Key,
    src: &Source,
    header_only: bool,
) -> Result<(Header, Option<Body>), Refusal> {
    let mut start = [0u8; PEEK];
    let mut n = 0;
    while n < PEEK {
        match r.read(&mut start[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(Refusal::io(src, &e)),
        }
    }
    if n == 0 {
        return Err(Refusal::new(RefusalKind::Empty, src));
    }
    let input = io::Cursor::new(start[..n].to_vec()).chain(r);
    if !crate::passphrase::is_encrypted(&start[..n]) {
        let mut plain = BufReader::with_capacity(1 << 20, input);
        return parse(&mut plain, src, false, header_only);
    }
    if start[..n].starts_with(ARMOR) {
        return Err(Refusal::with(
            RefusalKind::SealBroken,
            src,
            tr!(
                "这是 ASCII 格式（age -a）的加密文件，ruhu 只读二进制格式：请用 age -d 解密后再导入，或加密时不加 -a",
                "an encrypted file in ASCII armor (age -a); ruhu reads the binary form: decrypt it with age -d first, or encrypt without -a"
            ),
        ));
    }
    // The age header is read through a cap: its length is not bounded otherwise, and age
    // parses it again from its start at each line. The cap is lifted once it is read.
    let left = Rc::new(Cell::new(MAX_SEAL_HEADER_BYTES));
    let capped = Capped {
        inner: BufReader::with_capacity(1 << 16, input),
        left: Rc::clone(&left),
    };
    let decryptor = match age::Decryptor::new_buffered(capped) {
        Ok(d) => d,
        Err(e) => return Err(decrypt_refusal(e, src, left.get() == 0)),
    };
    left.set(u64::MAX);
    let scrypt = decryptor.is_scrypt();
    let stream = match key {
        Key::None => return Err(Refusal::new(RefusalKind::NeedsKey, src)),
        Key::Passphrase(_) if !scrypt => {
            return Err(Refusal::with(
                RefusalKind::WrongKey,
                src,
                tr!(
                    "这个答卷包是发给某个密钥的，不是用口令加密的：请给出接收方的私钥",
                    "this bundle is encrypted to a key, not with a passphrase: give the recipient's identity"
                ),
            ));
        }
        Key::Identity(_) if scrypt => {
            return Err(Refusal::with(
                RefusalKind::WrongKey,
                src,
                tr!(
                    "这个答卷包是用口令加密的，不是发给密钥的：请给出口令",
                    "this bundle is encrypted with a passphrase, not to a key: give the passphrase"
                ),
            ));
        }
        Key::Passphrase(p) => {
            let identity = age::scrypt::Identity::new(p.clone());
            decryptor.decrypt(std::iter::once(&identity as &dyn age::Identity))
        }
        Key::Identity(text) => {
            let identity = parse_identity(text.expose_secret())
                .map_err(|t| Refusal::with(RefusalKind::WrongKey, src, t))?;
            decryptor.decrypt(std::iter::once(&identity as &dyn age::Identity))
        }
    }
    .map_err(|e| decrypt_refusal(e, src, false))?;
    let mut plain = BufReader::with_capacity(1 << 20, stream);
    parse(&mut plain, src, true, header_only)
}

/// A buffered reader that gives at most `left` bytes, then seems to end.
struct Capped<R> {
    inner: R,
    left: Rc<Cell<u64>>,
}

impl<R: BufRead> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = {
            let avail = self.fill_buf()?;
            let n = avail.len().min(buf.len());
            buf[..n].copy_from_slice(&avail[..n]);
            n
        };
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Capped<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        let left = usize::try_from(self.left.get()).unwrap_or(usize::MAX);
        let avail = self.inner.fill_buf()?;
        Ok(&avail[..avail.len().min(left)])
    }

    fn consume(&mut self, n: usize) {
        self.left.set(self.left.get().saturating_sub(n as u64));
        self.inner.consume(n);
    }
}

fn decrypt_refusal(e: age::DecryptError, src: &Source, over_cap: bool) -> Refusal {
    use age::DecryptError as E;
    if over_cap {
        return Refusal::with(
            RefusalKind::TooLarge { line: None },
            src,
            tr!(
                "加密文件头超过 {} 字节的上限：不是 ruhu 写出的答卷包",
                "the encryption header is over the limit of {} bytes: not a bundle ruhu wrote",
                MAX_SEAL_HEADER_BYTES
            ),
        );
    }
    match e {
        E::DecryptionFailed | E::KeyDecryptionFailed | E::NoMatchingKeys => {
            Refusal::new(RefusalKind::WrongKey, src)
        }
        E::ExcessiveWork { .. } => Refusal::with(
            RefusalKind::TooLarge { line: None },
            src,
            tr!(
                "这个文件的口令加密强度超出本机能在合理时间内解开的范围",
                "the file's passphrase protection needs more work than this machine does in reasonable time"
            ),
        ),
        E::Io(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
            Refusal::new(RefusalKind::SealBroken, src)
        }
        E::Io(e) => Refusal::io(src, &e),
        _ => Refusal::new(RefusalKind::SealBroken, src),
    }
}

/// How a line ended.
enum Got {
    /// With its newline.
    Line,
    /// At the end of the input, without a newline (the line holds something).
    Unterminated,
    /// The input had ended before the line.
    End,
}

/// Why a line was not read.
enum Stop {
    /// The line is longer than the limit asked for.
    TooLong,
    /// The content is over [`MAX_BUNDLE_BYTES`].
    TooLarge,
    Io(io::Error),
}

/// Reads lines into one buffer, never more than a limit per line and in all.
struct LineReader<'a> {
    r: &'a mut dyn BufRead,
    line: Vec<u8>,
    /// The number of the line in `line` (from 1).
    number: u64,
    total: u64,
}

impl LineReader<'_> {
    /// Reads the next line (without its newline) into `self.line`.
    fn next(&mut self, max: usize) -> Result<Got, Stop> {
        self.line.clear();
        self.number += 1;
        loop {
            let avail = match self.r.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(Stop::Io(e)),
            };
            if avail.is_empty() {
                return Ok(if self.line.is_empty() {
                    Got::End
                } else {
                    Got::Unterminated
                });
            }
            let (take, content, done) = match avail.iter().position(|&b| b == b'\n') {
                Some(i) => (i + 1, i, true),
                None => (avail.len(), avail.len(), false),
            };
            if self.line.len() + content > max {
                return Err(Stop::TooLong);
            }
            self.total += take as u64;
            if self.total > MAX_BUNDLE_BYTES {
                return Err(Stop::TooLarge);
            }
            self.line.extend_from_slice(&avail[..content]);
            self.r.consume(take);
            if done {
                return Ok(Got::Line);
            }
        }
    }

    /// Whether anything follows what was read.
    fn at_end(&mut self) -> io::Result<bool> {
        loop {
            match self.r.fill_buf() {
                Ok(b) => return Ok(b.is_empty()),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }
}

/// Verifies and reads the plain content.
fn parse(
    r: &mut dyn BufRead,
    src: &Source,
    sealed: bool,
    header_only: bool,
) -> Result<(Header, Option<Body>), Refusal> {
    let io_refusal = |e: io::Error| -> Refusal {
        if sealed
            && matches!(
                e.kind(),
                io::ErrorKind::InvalidData | io::ErrorKind::UnexpectedEof
            )
        {
            Refusal::new(RefusalKind::SealBroken, src)
        } else {
            Refusal::io(src, &e)
        }
    };
    let stop = |s: Stop, line: u64| -> Refusal {
        match s {
            Stop::TooLong => Refusal::new(RefusalKind::TooLarge { line: Some(line) }, src),
            Stop::TooLarge => Refusal::new(RefusalKind::TooLarge { line: None }, src),
            Stop::Io(e) => io_refusal(e),
        }
    };
    let damaged = |line: u64, why: Text| Refusal::new(RefusalKind::Damaged { line, why }, src);
    let mut lines = LineReader {
        r,
        line: Vec::with_capacity(4096),
        number: 0,
        total: 0,
    };
    let mut hash = Sha256::new();

    // Line 1: the mark.
    let got = match lines.next(MAX_MARK_BYTES) {
        Ok(g) => g,
        Err(Stop::TooLong) => return Err(Refusal::new(RefusalKind::NotABundle, src)),
        Err(s) => return Err(stop(s, 1)),
    };
    let mark = match got {
        Got::End => return Err(Refusal::new(RefusalKind::Empty, src)),
        Got::Line | Got::Unterminated => match serde_json::from_slice::<Mark>(&lines.line) {
            Ok(m) => m,
            // Cut inside the mark as ruhu writes it: a bundle cut short.
            Err(_) if matches!(got, Got::Unterminated) && MARK_START.starts_with(&lines.line) => {
                return Err(Refusal::new(RefusalKind::Truncated { line: 1 }, src));
            }
            Err(_) => return Err(Refusal::new(RefusalKind::NotABundle, src)),
        },
    };
    let found = match mark.ruhu_bundle.as_u64() {
        Some(0) => {
            return Err(damaged(1, tr!("格式 0 不存在", "there is no format 0")));
        }
        Some(f) => f,
        None => {
            return Err(damaged(
                1,
                tr!(
                    "格式号不是正整数",
                    "the format number is not a positive whole number"
                ),
            ));
        }
    };
    if found > u64::from(FORMAT) {
        return Err(Refusal::new(
            RefusalKind::NewerFormat {
                found,
                supported: FORMAT,
            },
            src,
        ));
    }
    if let Got::Unterminated = got {
        return Err(Refusal::new(RefusalKind::Truncated { line: 1 }, src));
    }
    hash.update(&lines.line);
    hash.update(b"\n");

    // Line 2: the header.
    match lines.next(MAX_LINE_BYTES) {
        Ok(Got::Line) => {}
        Ok(Got::End | Got::Unterminated) => {
            return Err(Refusal::new(RefusalKind::Truncated { line: 2 }, src));
        }
        Err(s) => return Err(stop(s, 2)),
    }
    let header: Header = serde_json::from_slice(&lines.line).map_err(|e| damaged(2, why(&e)))?;
    if u64::from(header.format) != found {
        return Err(damaged(
            2,
            tr!(
                "答卷包头写的格式是 {}，第 1 行写的是 {}",
                "the header says format {}, line 1 says {}",
                header.format,
                found
            ),
        ));
    }
    if let Some(r) = header.ranges.iter().find(|r| r.first > r.last) {
        return Err(damaged(
            2,
            tr!(
                "设备 {} 的序号范围 {}–{} 倒过来了",
                "the sequence range {1}–{2} of device {0} ends before it starts",
                crate::printable::clean_line(&r.device_id),
                r.first,
                r.last
            ),
        ));
    }
    if header_only {
        return Ok((header, None));
    }
    hash.update(&lines.line);
    hash.update(b"\n");

    // The records, up to the closing line.
    let mut body = Body::default();
    let mut records: u64 = 0;
    let trailer = loop {
        let n = lines.number + 1;
        match lines.next(MAX_LINE_BYTES) {
            Ok(Got::Line) => {}
            Ok(Got::End | Got::Unterminated) => {
                return Err(Refusal::new(RefusalKind::Truncated { line: n }, src));
            }
            Err(s) => return Err(stop(s, n)),
        }
        let record: Line = serde_json::from_slice(&lines.line).map_err(|e| damaged(n, why(&e)))?;
        match record {
            Line::Interview(i) => body.interviews.push(i),
            Line::Household(h) => body.households.push(h),
            Line::Event(e) => body.events.push(e),
            Line::End(t) => break t,
        }
        records += 1;
        if records > MAX_RECORDS {
            return Err(Refusal::with(
                RefusalKind::TooLarge { line: Some(n) },
                src,
                tr!(
                    "记录超过一个答卷包 {} 条的上限",
                    "more records than a bundle's limit of {}",
                    MAX_RECORDS
                ),
            ));
        }
        hash.update(&lines.line);
        hash.update(b"\n");
    };
    let end_line = lines.number;

    // Nothing after it; then the counts and the checksum.
    match lines.at_end() {
        Ok(true) => {}
        Ok(false) => {
            return Err(Refusal::new(
                RefusalKind::TrailingData { line: end_line + 1 },
                src,
            ));
        }
        Err(e) => return Err(io_refusal(e)),
    }
    if trailer.records != records {
        return Err(Refusal::with(
            RefusalKind::CountMismatch { line: end_line },
            src,
            tr!(
                "结尾行说有 {} 条记录，文件里有 {} 条：有记录缺失或多出；请重新拷贝",
                "the closing line says {} records, the file holds {}: records are missing or were added; copy it again",
                trailer.records,
                records
            ),
        ));
    }
    // Compared exactly: the writer writes lower-case hex, and a byte changed to its other
    // case is a change like any other.
    if trailer.sha256 != hex(&hash.finalize()) {
        return Err(Refusal::new(RefusalKind::ChecksumMismatch, src));
    }
    let counts = body.counts();
    if header.counts != counts {
        return Err(Refusal::with(
            RefusalKind::CountMismatch { line: 2 },
            src,
            tr!(
                "答卷包头说有访谈 {}、户 {}、事件 {}，文件里有访谈 {}、户 {}、事件 {}",
                "the header says {} interviews, {} households, {} events; the file holds {}, {}, {}",
                header.counts.interviews,
                header.counts.households,
                header.counts.events,
                counts.interviews,
                counts.households,
                counts.events
            ),
        ));
    }
    Ok((header, Some(body)))
}

/// Why a line did not parse, in both languages, with the column; data quoted by the parser
/// has its ID numbers masked and its control characters replaced.
fn why(e: &serde_json::Error) -> Text {
    use serde_json::error::Category;
    let full = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    let detail = full.strip_suffix(&suffix).unwrap_or(&full);
    let detail = crate::printable::clean_line(&crate::redact::mask_ids(detail));
    let col = e.column();
    match e.classify() {
        Category::Syntax => tr!(
            "不是有效的 JSON（第 {} 列：{}）",
            "not valid JSON (column {}: {})",
            col,
            detail
        ),
        Category::Eof => tr!(
            "这一行在中途结束（第 {} 列：{}）",
            "the line ends part way (column {}: {})",
            col,
            detail
        ),
        Category::Data | Category::Io => tr!(
            "内容不是答卷包的记录（第 {} 列：{}）",
            "not a record of a bundle (column {}: {})",
            col,
            detail
        ),
    }
}
