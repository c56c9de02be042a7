//! The text encoding of a CSV export: UTF-8 (with or without a byte order mark), GBK/GB18030
//! (what Excel and most county systems write on a Chinese Windows), or UTF-16 with a byte
//! order mark. Detected from the first chunk of the file; [`Decoding`] turns a non-UTF-8
//! stream into UTF-8 as it is read, so a file of any size streams through.

use std::io::{self, Read};

/// What the user asked for (`--encoding`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EncodingChoice {
    /// Detect from the byte order mark, then UTF-8 validity, else GB18030.
    #[default]
    Auto,
    Utf8,
    /// GBK, read with the GB18030 decoder (a superset of GBK and GB2312).
    Gbk,
}

/// The encoding a file is read with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Gb18030,
    Utf16Le,
    Utf16Be,
}

impl Encoding {
    /// The name reported to the user (and in `--format json`).
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Utf8 => "utf-8",
            Encoding::Gb18030 => "gb18030",
            Encoding::Utf16Le => "utf-16le",
            Encoding::Utf16Be => "utf-16be",
        }
    }

    fn encoding_rs(self) -> &'static encoding_rs::Encoding {
        match self {
            Encoding::Utf8 => encoding_rs::UTF_8,
            Encoding::Gb18030 => encoding_rs::GB18030,
            Encoding::Utf16Le => encoding_rs::UTF_16LE,
            Encoding::Utf16Be => encoding_rs::UTF_16BE,
        }
    }
}

/// The encoding of a file starting with `first` (a chunk of its first bytes, possibly cut in
/// the middle of a character) and the length of its byte order mark.
pub fn detect(first: &[u8], choice: EncodingChoice) -> (Encoding, usize) {
    let utf8_bom = first.starts_with(b"\xEF\xBB\xBF");
    match choice {
        EncodingChoice::Utf8 => return (Encoding::Utf8, if utf8_bom { 3 } else { 0 }),
        EncodingChoice::Gbk => return (Encoding::Gb18030, 0),
        EncodingChoice::Auto => {}
    }
    if utf8_bom {
        return (Encoding::Utf8, 3);
    }
    if first.starts_with(b"\xFF\xFE") {
        return (Encoding::Utf16Le, 2);
    }
    if first.starts_with(b"\xFE\xFF") {
        return (Encoding::Utf16Be, 2);
    }
    match std::str::from_utf8(first) {
        Ok(_) => (Encoding::Utf8, 0),
        // Cut at the end of the chunk in the middle of a character: still UTF-8.
        Err(e) if e.error_len().is_none() => (Encoding::Utf8, 0),
        Err(_) => (Encoding::Gb18030, 0),
    }
}

/// A reader that decodes `inner` (after its byte order mark) into UTF-8. Malformed bytes
/// become U+FFFD, which the row checks report as garbled text.
pub struct Decoding<R> {
    inner: R,
    decoder: encoding_rs::Decoder,
    raw: Vec<u8>,
    raw_start: usize,
    raw_end: usize,
    out: Vec<u8>,
    out_start: usize,
    out_end: usize,
    eof: bool,
    done: bool,
}

const CHUNK: usize = 64 * 1024;

impl<R: Read> Decoding<R> {
    pub fn new(inner: R, encoding: Encoding) -> Decoding<R> {
        Decoding {
            inner,
            decoder: encoding.encoding_rs().new_decoder_without_bom_handling(),
            raw: vec![0; CHUNK],
            raw_start: 0,
            raw_end: 0,
            // Room for the worst case of one chunk (3 bytes of UTF-8 per input byte).
            out: vec![0; CHUNK * 3 + 16],
            out_start: 0,
            out_end: 0,
            eof: false,
            done: false,
        }
    }

    /// Decodes the next chunk into `out`; false at the end of the input.
    fn refill(&mut self) -> io::Result<bool> {
        loop {
            if self.done {
                return Ok(false);
            }
            if self.raw_start == self.raw_end && !self.eof {
                let n = self.inner.read(&mut self.raw)?;
                self.raw_start = 0;
                self.raw_end = n;
                self.eof = n == 0;
            }
            let (_, read, written, _) = self.decoder.decode_to_utf8(
                &self.raw[self.raw_start..self.raw_end],
                &mut self.out,
                self.eof,
            );
            self.raw_start += read;
            self.out_start = 0;
            self.out_end = written;
            if self.eof && self.raw_start == self.raw_end {
                self.done = true;
            }
            if written > 0 {
                return Ok(true);
            }
        }
    }
}

impl<R: Read> Read for Decoding<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.out_start == self.out_end && !self.refill()? {
            return Ok(0);
        }
        let n = buf.len().min(self.out_end - self.out_start);
        buf[..n].copy_from_slice(&self.out[self.out_start..self.out_start + n]);
        self.out_start += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gbk(s: &str) -> Vec<u8> {
        encoding_rs::GBK.encode(s).0.into_owned()
    }

    #[test]
    fn detects_bom_utf8_and_gbk() {
        let text = "户编号,户主姓名\n1,张三\n";
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice(text.as_bytes());
        assert_eq!(detect(&bom, EncodingChoice::Auto), (Encoding::Utf8, 3));
        assert_eq!(
            detect(text.as_bytes(), EncodingChoice::Auto),
            (Encoding::Utf8, 0)
        );
        assert_eq!(
            detect(&gbk(text), EncodingChoice::Auto),
            (Encoding::Gb18030, 0)
        );
        assert_eq!(
            detect(b"\xFF\xFEa\0", EncodingChoice::Auto),
            (Encoding::Utf16Le, 2)
        );
        // cut in the middle of 张 (3 bytes in UTF-8)
        let cut = &text.as_bytes()[..text.len() - 5];
        assert_eq!(detect(cut, EncodingChoice::Auto), (Encoding::Utf8, 0));
        // forced
        assert_eq!(
            detect(text.as_bytes(), EncodingChoice::Gbk).0,
            Encoding::Gb18030
        );
        assert_eq!(detect(&bom, EncodingChoice::Utf8), (Encoding::Utf8, 3));
    }

    #[test]
    fn decodes_gbk_across_chunk_boundaries() {
        let line = "532326,刘明国,已脱贫,非贫困村\n";
        let text: String = line.repeat(10_000);
        let bytes = gbk(&text);
        // read in odd sizes so characters are cut between reads
        let mut r = Decoding::new(std::io::Cursor::new(bytes), Encoding::Gb18030);
        let mut out = Vec::new();
        let mut buf = [0u8; 7];
        loop {
            let n = r.read(&mut buf).unwrap();
            if n == 0 {
                break;
            }
            out.extend_from_slice(&buf[..n]);
        }
        assert_eq!(String::from_utf8(out).unwrap(), text);
    }

    #[test]
    fn malformed_bytes_become_replacement_characters() {
        let mut r = Decoding::new(std::io::Cursor::new(b"a\xFFb".to_vec()), Encoding::Gb18030);
        let mut s = String::new();
        r.read_to_string(&mut s).unwrap();
        assert!(s.contains('\u{FFFD}'));
    }
}
