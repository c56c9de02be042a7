//! Every way a file is refused, each with its kind and a message that says where.

use serde_json::json;

use super::*;

#[test]
fn a_sealed_bundle_cut_short_or_altered_is_refused() {
    let (h, b, _) = small();
    let (identity, recipient) = keygen();
    let mut out = Vec::new();
    write_sealed(&mut out, &h, &b, &Seal::Recipient(recipient)).unwrap();
    let key = Key::Identity(identity);
    for cut in [20, 100, out.len() - 200, out.len() - 1] {
        let r = read(&out[..cut], &key).unwrap_err();
        assert!(
            matches!(
                r.kind,
                RefusalKind::SealBroken | RefusalKind::Truncated { .. }
            ),
            "cut at {cut}: {r:?}"
        );
    }
    let mut altered = out.clone();
    let i = out.len() - 50;
    altered[i] ^= 0x10;
    assert_eq!(
        read(&altered[..], &key).unwrap_err().kind,
        RefusalKind::SealBroken
    );
}

#[test]
fn an_age_header_over_its_limit_is_refused() {
    let mut bytes = b"age-encryption.org/v1\n-> X25519 ".to_vec();
    bytes.extend_from_slice(&[b'A'; 43]);
    bytes.push(b'\n');
    for _ in 0..(MAX_SEAL_HEADER_BYTES / 64 + 10) {
        bytes.extend_from_slice(&[b'A'; 64]);
        bytes.push(b'\n');
    }
    let r = refusal(&bytes);
    assert_eq!(r.kind, RefusalKind::TooLarge { line: None });
    assert!(r.message.en.contains("encryption header"));
}

#[test]
fn a_bundle_cut_short_anywhere_is_refused_as_incomplete() {
    let (_, _, bytes) = small();
    let ls = lines(&bytes);
    let at = |i: usize| ls[..i].iter().map(Vec::len).sum::<usize>();
    let before_trailer = at(ls.len() - 1);
    let cases = [
        (5, 1),                                 // inside the mark
        (at(1) - 1, 1),                         // the mark without its newline
        (at(1), 2),                             // the mark alone
        (at(1) + 40, 2),                        // inside the header
        (at(2), 3),                             // the header and nothing more
        (at(4) + 17, 5),                        // inside a record
        (before_trailer, ls.len() as u64),      // exactly before the closing line
        (before_trailer + 20, ls.len() as u64), // inside the closing line
        (bytes.len() - 1, ls.len() as u64),     // the closing line without its newline
    ];
    for (cut, line) in cases {
        let r = refusal(&bytes[..cut]);
        assert_eq!(r.kind, RefusalKind::Truncated { line }, "cut at {cut}");
        assert!(r.message.zh.contains("不完整"), "{:?}", r.message);
        assert!(r.message.en.contains(&format!("line {line}")));
    }
    assert_eq!(kind(&[]), RefusalKind::Empty);
}

#[test]
fn a_byte_altered_in_the_body_or_the_header_fails_the_checksum() {
    let (_, _, bytes) = small();
    let find = |needle: &[u8]| {
        bytes
            .windows(needle.len())
            .position(|w| w == needle)
            .unwrap()
    };
    // In an event: question q7 becomes q8, still a valid record.
    let mut b = bytes.clone();
    let i = find(b"\"q7\"") + 2;
    b[i] = b'8';
    assert_eq!(kind(&b), RefusalKind::ChecksumMismatch);
    // In the header: a digit of the device id, still valid JSON.
    let mut b = bytes.clone();
    let i = find(b"\"device_id\":\"3f2b") + 13;
    b[i] = b'4';
    let r = refusal(&b);
    assert_eq!(r.kind, RefusalKind::ChecksumMismatch);
    assert!(r.message.zh.contains("校验和不符"));
    // In the mark's line.
    let mut b = bytes.clone();
    b[2] = b'R';
    assert_eq!(kind(&b), RefusalKind::NotABundle);
    // The header no longer JSON: refused with its line.
    let mut b = bytes.clone();
    b[lines(&bytes)[0].len()] = b'[';
    let r = refusal(&b);
    assert!(
        matches!(r.kind, RefusalKind::Damaged { line: 2, .. }),
        "{r:?}"
    );
    assert!(r.message.zh.contains("第 2 行") && r.message.en.contains("line 2"));
    // The checksum itself altered (its case too).
    let mut b = bytes.clone();
    let i = b.len() - 5;
    b[i] = if b[i] == b'0' { b'1' } else { b'0' };
    assert_eq!(kind(&b), RefusalKind::ChecksumMismatch);
}

#[test]
fn a_bundle_of_a_newer_format_is_refused_naming_both_versions() {
    let (_, _, bytes) = small();
    let rest = &bytes[lines(&bytes)[0].len()..];
    let newer = [b"{\"ruhu_bundle\":2}\n".as_slice(), rest].concat();
    let r = refusal(&newer);
    assert_eq!(
        r.kind,
        RefusalKind::NewerFormat {
            found: 2,
            supported: 1
        }
    );
    assert!(r.message.zh.contains("格式 2") && r.message.zh.contains("格式 1"));
    assert!(r.message.zh.contains("升级 ruhu"));
    assert!(r.message.en.contains("format 2") && r.message.en.contains("update ruhu"));
    // Whatever follows the mark: a newer format's header or records need not parse.
    assert_eq!(
        kind(b"{\"ruhu_bundle\":7}\n{\"something\": \"else\"}\n"),
        RefusalKind::NewerFormat {
            found: 7,
            supported: 1
        }
    );
    // The header contradicting the mark.
    let (h, b, _) = small();
    let mut out = Vec::new();
    write(&mut out, &h, &b).unwrap();
    let text = String::from_utf8(out)
        .unwrap()
        .replacen("{\"format\":1,", "{\"format\":2,", 1);
    let r = refusal(text.as_bytes());
    assert!(matches!(r.kind, RefusalKind::Damaged { line: 2, .. }));
    assert!(
        r.message
            .en
            .contains("the header says format 2, line 1 says 1")
    );
}

#[test]
fn files_that_are_not_bundles_are_refused_as_such() {
    let not = |bytes: &[u8]| {
        let r = refusal(bytes);
        assert_eq!(
            r.kind,
            RefusalKind::NotABundle,
            "{:?}",
            String::from_utf8_lossy(bytes)
        );
        assert!(r.message.zh.contains("不是 ruhu 答卷包"));
    };
    not(b"\n");
    not("户编号,户主姓名\n5323,王秀英\n".as_bytes());
    not(b"{\"format\":\"ruhu-store-backup\",\"schema_version\":1}\n");
    not(b"[1,2,3]\n");
    not(&[0xFFu8; 10_000]);
    not(b"PK\x03\x04 a zip");
    assert_eq!(kind(b""), RefusalKind::Empty);
    let r = refusal(b"");
    assert!(r.message.zh.contains("空的") && r.message.en.contains("empty"));
    // An age file that is not a valid one.
    assert_eq!(
        kind(b"age-encryption.org/v1\n-> nonsense\n"),
        RefusalKind::SealBroken
    );
    let armored = refusal(b"-----BEGIN AGE ENCRYPTED FILE-----\nYWdl\n");
    assert_eq!(armored.kind, RefusalKind::SealBroken);
    assert!(armored.message.en.contains("age -d"));
    // The mark with a number that is not a format.
    assert!(matches!(
        kind(b"{\"ruhu_bundle\":0}\n"),
        RefusalKind::Damaged { line: 1, .. }
    ));
    assert!(matches!(
        kind(b"{\"ruhu_bundle\":\"1\"}\n"),
        RefusalKind::Damaged { line: 1, .. }
    ));
}

#[test]
fn a_line_over_the_limit_is_refused_with_its_number() {
    let (_, _, bytes) = small();
    let long = format!(
        "{{\"event\":{{\"question_id\":\"{}\"}}}}\n",
        "x".repeat(MAX_LINE_BYTES)
    );
    let (content, records) = replaced(&bytes, 4, long.as_bytes());
    let r = refusal(&closed(&content, records));
    assert_eq!(r.kind, RefusalKind::TooLarge { line: Some(5) });
    assert!(r.message.zh.contains("第 5 行") && r.message.en.contains("line 5"));
    // A first line longer than a mark can be, without a newline: not a bundle, read no
    // further than the mark's limit.
    let mut huge = b"{\"ruhu_bundle\":1, \"pad\": \"".to_vec();
    huge.extend(std::iter::repeat_n(b'x', 8 * MAX_LINE_BYTES));
    assert_eq!(kind(&huge), RefusalKind::NotABundle);
    // Writing refuses what reading would refuse.
    let mut b = body(1, 1);
    b.events.push(event(
        5,
        uuid(0),
        "李桂花",
        json!("x".repeat(MAX_LINE_BYTES)),
    ));
    let h = header(&b);
    let mut out = Vec::new();
    let e = write(&mut out, &h, &b).unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::InvalidInput);
    assert!(e.to_string().contains(&uuid(1_000_005).to_string()));
}

#[test]
fn anything_after_the_closing_line_is_refused() {
    let (_, _, bytes) = small();
    let n = lines(&bytes).len() as u64;
    let twice = [bytes.as_slice(), bytes.as_slice()].concat();
    let r = refusal(&twice);
    assert_eq!(r.kind, RefusalKind::TrailingData { line: n + 1 });
    assert!(r.message.en.contains(&format!("line {}", n + 1)));
    let newline = [bytes.as_slice(), b"\n"].concat();
    assert_eq!(kind(&newline), RefusalKind::TrailingData { line: n + 1 });
    let record = [bytes.as_slice(), &lines(&bytes)[5]].concat();
    assert_eq!(kind(&record), RefusalKind::TrailingData { line: n + 1 });
}

#[test]
fn counts_that_do_not_match_the_records_are_refused() {
    let (_, _, bytes) = small();
    let mut ls = lines(&bytes);
    ls.pop();
    // A record line gone, the checksum made again: the closing line's count is wrong.
    let mut fewer = ls.clone();
    fewer.remove(8);
    let content = fewer.concat();
    let r = refusal(&closed(&content, 17));
    let end_line = fewer.len() as u64 + 1;
    assert_eq!(r.kind, RefusalKind::CountMismatch { line: end_line });
    assert!(r.message.en.contains("says 17 records, the file holds 16"));
    // The closing line right, the header's counts wrong.
    let r = refusal(&closed(&content, 16));
    assert_eq!(r.kind, RefusalKind::CountMismatch { line: 2 });
    assert!(r.message.zh.contains("事件 12") && r.message.zh.contains("事件 11"));
}

#[test]
fn a_line_that_is_not_a_record_is_refused_with_its_number() {
    let (_, _, bytes) = small();
    let (content, records) = replaced(&bytes, 6, b"{\"review\":{\"ok\":true}}\n");
    let r = refusal(&closed(&content, records));
    assert!(
        matches!(r.kind, RefusalKind::Damaged { line: 7, .. }),
        "{r:?}"
    );
    assert!(r.message.en.contains("line 7") && r.message.en.contains("review"));
    let (content, records) = replaced(&bytes, 9, b"{\"event\":{\"event_id\":\n");
    let r = refusal(&closed(&content, records));
    assert!(matches!(r.kind, RefusalKind::Damaged { line: 10, .. }));
    assert!(r.message.zh.contains("第 10 行"));
    // An ID number quoted by the parser is masked in the message.
    let (content, records) = replaced(
        &bytes,
        5,
        b"{\"household\":{\"household_id\":532326194909155480}}\n",
    );
    let r = refusal(&closed(&content, records));
    assert!(matches!(r.kind, RefusalKind::Damaged { line: 6, .. }));
    assert!(!r.message.en.contains("194909155"), "{}", r.message.en);
}

#[test]
fn refusals_of_a_file_name_the_file() {
    let (_, _, bytes) = small();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("张建国.ruhu");
    std::fs::write(&path, &bytes[..bytes.len() - 30]).unwrap();
    let r = read_file(&path, &Key::None).unwrap_err();
    assert!(matches!(r.kind, RefusalKind::Truncated { .. }));
    assert!(r.message.zh.starts_with(&path.display().to_string()));
    assert!(r.message.en.starts_with(&path.display().to_string()));
    let gone = read_file(&dir.path().join("没有.ruhu"), &Key::None).unwrap_err();
    assert_eq!(gone.kind, RefusalKind::Io);
    assert!(gone.message.zh.contains("没有.ruhu") && gone.message.zh.contains("不存在"));
    // Read through a stream, the message names the bundle.
    let r = refusal(&bytes[..bytes.len() - 30]);
    assert!(r.message.zh.starts_with("答卷包") && r.message.en.starts_with("the bundle"));
}

#[test]
fn a_reader_error_is_an_io_refusal() {
    struct Failing;
    impl std::io::Read for Failing {
        fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
            Err(std::io::Error::other("the stick was pulled out"))
        }
    }
    let r = read(Failing, &Key::None).unwrap_err();
    assert_eq!(r.kind, RefusalKind::Io);
    assert!(r.message.en.contains("stick was pulled out"));
}
