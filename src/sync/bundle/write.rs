//! Writing a bundle: plain, or inside age encryption; to a file, whole or not at all.

use std::io::{self, BufWriter, Write};
use std::path::Path;

use age::secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};

use super::{
    Body, FORMAT, Header, MARK, MAX_BUNDLE_BYTES, MAX_LINE_BYTES, MAX_RECORDS, RecordRef, Trailer,
    hex,
};
use crate::i18n::Text;
use crate::tr;

/// How a bundle is written: plain, or encrypted with a passphrase (age's scrypt) or to one
/// X25519 recipient (an `age1…` public key, see [`keygen`]).
pub enum Seal {
    None,
    Passphrase(SecretString),
    Recipient(String),
}

/// Why writing failed: the output, or a bundle that must not be written.
pub(super) enum Fail {
    Io(io::Error),
    Invalid(Text),
}

impl From<io::Error> for Fail {
    fn from(e: io::Error) -> Fail {
        Fail::Io(e)
    }
}

/// A new X25519 key pair: the identity (secret, `AGE-SECRET-KEY-1…`, what opens bundles
/// sent to it) and its recipient (public, `age1…`, what a sender encrypts to). The identity
/// is what `age-keygen` writes; the `age` and `rage` tools take it as an identity file.
pub fn keygen() -> (SecretString, String) {
    let identity = age::x25519::Identity::generate();
    let recipient = identity.to_public().to_string();
    (identity.to_string(), recipient)
}

/// The recipient (`age1…`) of an identity (`AGE-SECRET-KEY-1…`, or an identity file's text
/// with its `#` comments).
pub fn recipient_of(identity: &SecretString) -> Result<String, Text> {
    let id = super::read::parse_identity(identity.expose_secret())?;
    Ok(id.to_public().to_string())
}

/// Writes a plain bundle. Refuses (`InvalidInput`, before writing anything) a header that
/// does not describe the body: another format, counts that differ, a range that ends before
/// it starts; and stops at a record too long for a reader to accept.
pub fn write(w: impl Write, header: &Header, body: &Body) -> io::Result<()> {
    match write_plain(w, header, body) {
        Ok(_) => Ok(()),
        Err(Fail::Io(e)) => Err(e),
        Err(Fail::Invalid(t)) => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{} / {}", t.zh, t.en),
        )),
    }
}

/// Writes a bundle, plain or encrypted as `seal` says.
pub fn write_sealed(w: impl Write, header: &Header, body: &Body, seal: &Seal) -> Result<(), Text> {
    write_sealed_inner(w, header, body, seal).map_err(|f| match f {
        Fail::Io(e) => tr!("无法写出答卷包：{}", "cannot write the bundle: {}", e),
        Fail::Invalid(t) => t,
    })
}

/// Writes a bundle file at `path`, owner-only, whole or not at all: into a temporary file in
/// the same folder, synced, renamed over `path`, the folder synced. On any error nothing is
/// left under `path` but what was there before, and no temporary file.
pub fn write_file(path: &Path, header: &Header, body: &Body, seal: &Seal) -> Result<(), Text> {
    let mark = |t: Text| {
        Text::new(
            format!("{}：{}", path.display(), t.zh),
            format!("{}: {}", path.display(), t.en),
        )
    };
    // What would fail anyway fails before the file is made.
    check(header, body).map_err(mark)?;
    if let Seal::Recipient(r) = seal {
        parse_recipient(r).map_err(mark)?;
    }
    crate::private_file::write_atomic(path, |f| write_sealed_inner(&mut *f, header, body, seal))
        .map_err(|fail| match fail {
            Fail::Io(e) => crate::i18n::cannot_write(path, &e),
            Fail::Invalid(t) => mark(t),
        })
}

fn write_sealed_inner(
    w: impl Write,
    header: &Header,
    body: &Body,
    seal: &Seal,
) -> Result<(), Fail> {
    check(header, body).map_err(Fail::Invalid)?;
    seal_output(w, seal, |w| write_plain(w, header, body).map(|_| ()))
}

fn parse_recipient(r: &str) -> Result<age::x25519::Recipient, Text> {
    r.trim().parse::<age::x25519::Recipient>().map_err(|_| {
        tr!(
            "不是有效的接收方公钥（应以 age1 开头）",
            "not a valid recipient key (it starts with age1)"
        )
    })
}

/// Whether the header describes the body and every count is within what a reader accepts.
fn check(header: &Header, body: &Body) -> Result<(), Text> {
    check_counts(header, body.counts())
}

/// Whether the header describes records of these counts, within what a reader accepts.
pub(super) fn check_counts(header: &Header, counts: super::Counts) -> Result<(), Text> {
    if header.format != FORMAT {
        return Err(tr!(
            "答卷包头的格式是 {}，本程序只写格式 {}",
            "the header's format is {}; this ruhu writes format {}",
            header.format,
            FORMAT
        ));
    }
    if header.counts != counts {
        return Err(tr!(
            "答卷包头的记录数（访谈 {}、户 {}、事件 {}）与内容（访谈 {}、户 {}、事件 {}）不符",
            "the header's counts (interviews {}, households {}, events {}) differ from the body's (interviews {}, households {}, events {})",
            header.counts.interviews,
            header.counts.households,
            header.counts.events,
            counts.interviews,
            counts.households,
            counts.events
        ));
    }
    if counts.records() > MAX_RECORDS {
        return Err(tr!(
            "记录太多：{} 条，一个答卷包最多 {} 条",
            "too many records: {}; a bundle holds at most {}",
            counts.records(),
            MAX_RECORDS
        ));
    }
    if let Some(r) = header.ranges.iter().find(|r| r.first > r.last) {
        return Err(tr!(
            "设备 {} 的序号范围 {}–{} 倒过来了",
            "the sequence range {1}–{2} of device {0} ends before it starts",
            r.device_id,
            r.first,
            r.last
        ));
    }
    Ok(())
}

/// Writes lines, each hashed, into a large buffer.
pub(super) struct Lines<W: Write> {
    out: BufWriter<W>,
    hash: Sha256,
    line: Vec<u8>,
    pub(super) records: u64,
    /// Bytes written so far.
    bytes: u64,
}

impl<W: Write> Lines<W> {
    /// Writes `self.line` (filled by the caller) with its newline; `what` names it in an error.
    fn emit(&mut self, what: impl FnOnce() -> Text) -> Result<(), Fail> {
        if self.line.len() > MAX_LINE_BYTES {
            let what = what();
            return Err(Fail::Invalid(tr!(
                "{} 写成一行有 {} 字节，超过 {} 字节的上限",
                "{} takes {} bytes on one line, over the limit of {} bytes",
                what.zh,
                self.line.len(),
                MAX_LINE_BYTES
            )));
        }
        self.line.push(b'\n');
        self.bytes += self.line.len() as u64;
        if self.bytes > MAX_BUNDLE_BYTES {
            return Err(Fail::Invalid(too_large()));
        }
        self.hash.update(&self.line);
        self.out.write_all(&self.line)?;
        Ok(())
    }

    /// Writes whole record lines already made (each with its newline), hashed and counted.
    pub(super) fn raw(&mut self, bytes: &[u8]) -> Result<(), Fail> {
        self.bytes += bytes.len() as u64;
        if self.bytes > MAX_BUNDLE_BYTES {
            return Err(Fail::Invalid(too_large()));
        }
        self.records += bytes.iter().filter(|&&b| b == b'\n').count() as u64;
        self.hash.update(bytes);
        self.out.write_all(bytes)?;
        Ok(())
    }

    fn record(&mut self, r: RecordRef<'_>, what: impl FnOnce() -> Text) -> Result<(), Fail> {
        self.line.clear();
        serde_json::to_writer(&mut self.line, &r).map_err(json_fail)?;
        self.emit(what)?;
        self.records += 1;
        Ok(())
    }
}

pub(super) fn too_large() -> Text {
    tr!(
        "答卷包超过 {} 字节的上限：请分成几个导出",
        "the bundle is over the limit of {} bytes: export it in parts",
        MAX_BUNDLE_BYTES
    )
}

fn json_fail(e: serde_json::Error) -> Fail {
    match e.io_error_kind() {
        Some(kind) => Fail::Io(io::Error::new(kind, e)),
        None => Fail::Invalid(tr!("无法写成 JSON：{}", "cannot write as JSON: {}", e)),
    }
}

/// Writes the plain bundle into `w`; returns `w`, flushed.
fn write_plain<W: Write>(w: W, header: &Header, body: &Body) -> Result<W, Fail> {
    check(header, body).map_err(Fail::Invalid)?;
    let mut lines = begin(w, header)?;
    for i in &body.interviews {
        lines.record(RecordRef::Interview(i), || {
            tr!("访谈 {}", "interview {}", i.interview_id)
        })?;
    }
    for h in &body.households {
        lines.record(RecordRef::Household(h), || {
            tr!(
                "户 {}",
                "household {}",
                crate::redact::mask_ids(&h.household_id)
            )
        })?;
    }
    for e in &body.events {
        lines.record(RecordRef::Event(e), || {
            tr!("事件 {}", "event {}", e.event_id)
        })?;
    }
    end(lines)
}

/// Starts a plain bundle in `w`: the mark and the header (checked against its own counts).
pub(super) fn begin<W: Write>(w: W, header: &Header) -> Result<Lines<W>, Fail> {
    check_counts(header, header.counts).map_err(Fail::Invalid)?;
    let mut lines = Lines {
        out: BufWriter::with_capacity(1 << 18, w),
        hash: Sha256::new(),
        line: Vec::with_capacity(4096),
        records: 0,
        bytes: 0,
    };
    lines.line.clear();
    lines
        .line
        .extend_from_slice(format!("{{\"{MARK}\":{FORMAT}}}").as_bytes());
    lines.emit(|| tr!("第 1 行", "line 1"))?;
    lines.line.clear();
    serde_json::to_writer(&mut lines.line, header).map_err(json_fail)?;
    lines.emit(|| tr!("答卷包头", "the header"))?;
    Ok(lines)
}

/// Ends a plain bundle: the closing line with the count and the checksum; returns the
/// output, flushed.
pub(super) fn end<W: Write>(mut lines: Lines<W>) -> Result<W, Fail> {
    let trailer = Trailer {
        records: lines.records,
        sha256: hex(&lines.hash.finalize_reset()),
    };
    lines.line.clear();
    lines.line.extend_from_slice(b"{\"end\":");
    serde_json::to_writer(&mut lines.line, &trailer).map_err(json_fail)?;
    lines.line.extend_from_slice(b"}\n");
    lines.bytes += lines.line.len() as u64;
    if lines.bytes > MAX_BUNDLE_BYTES {
        return Err(Fail::Invalid(too_large()));
    }
    lines.out.write_all(&lines.line)?;
    lines.out.into_inner().map_err(|e| Fail::Io(e.into_error()))
}

/// Runs `plain` (which writes a plain bundle into the writer it is given) into `w`, inside
/// the encryption `seal` names; the output flushed.
pub(super) fn seal_output<W: Write>(
    w: W,
    seal: &Seal,
    plain: impl FnOnce(&mut dyn Write) -> Result<(), Fail>,
) -> Result<(), Fail> {
    match seal {
        Seal::None => {
            let mut w = w;
            plain(&mut w)?;
            w.flush()?;
        }
        Seal::Passphrase(p) => {
            let mut sealed = age::Encryptor::with_user_passphrase(p.clone()).wrap_output(w)?;
            plain(&mut sealed)?;
            sealed.finish()?.flush()?;
        }
        Seal::Recipient(r) => {
            let recipient = parse_recipient(r).map_err(Fail::Invalid)?;
            let encryptor =
                age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient))
                    .map_err(|e| Fail::Invalid(tr!("无法加密：{}", "cannot encrypt: {}", e)))?;
            let mut sealed = encryptor.wrap_output(w)?;
            plain(&mut sealed)?;
            sealed.finish()?.flush()?;
        }
    }
    Ok(())
}
