//! Bundles written and read back, plain and encrypted; every way a file is refused.

use std::os::unix::fs::PermissionsExt;

use age::secrecy::{ExposeSecret, SecretString};
use proptest::prelude::*;
use serde_json::json;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::*;
use crate::interview::Event;
use crate::registry::Household;

const DEVICE: &str = "3f2b8c1e-0d4a-4c55-9a7e-1b2c3d4e5f60";

fn uuid(n: u64) -> Uuid {
    Uuid::from_u64_pair(0x5249_4855, n)
}

/// An event built from JSON, so that fields added to `Event` later do not break the tests.
fn event(n: u64, interview: Uuid, interviewer: &str, value: serde_json::Value) -> Event {
    serde_json::from_value(json!({
        "event_id": uuid(1_000_000 + n),
        "interview_id": interview,
        "at": "2024-03-05T09:30:00+08:00",
        "device_id": DEVICE,
        "seq": n + 1,
        "interviewer": interviewer,
        "op": "set",
        "question_id": format!("q{n}"),
        "value": value,
    }))
    .unwrap()
}

fn household(id: &str) -> Household {
    serde_json::from_value(json!({
        "household_id": id,
        "head_name": "王秀英",
        "head_id_number": "532326194909155480",
        "status": "non_poor",
        "county": "演示县",
        "township": "青山镇",
        "village": "桂花村",
        "village_group": "三组",
        "income_per_capita": 4200.5,
        "members": [{"name": "王秀英", "relation": "head", "sex": "female", "age": 74}],
        "provisional": true,
    }))
    .unwrap()
}

fn head(n: u64, interviewer: &str) -> InterviewHead {
    InterviewHead {
        interview_id: uuid(n),
        household_id: format!("P-{n:06}"),
        subject: SUBJECT_HOUSEHOLD.into(),
        questionnaire: "non_poor".into(),
        questionnaire_version: "2017.1".into(),
        interviewer: interviewer.into(),
        device_id: DEVICE.into(),
        started_at: "2024-03-05T09:00:00+08:00".parse().unwrap(),
    }
}

/// `interviews` interviews of `events` events each, half with a provisional household.
fn body(interviews: u64, events: u64) -> Body {
    let mut b = Body::default();
    for i in 0..interviews {
        let who = if i % 2 == 0 { "李桂花" } else { "张建国" };
        b.interviews.push(head(i, who));
        if i % 2 == 0 {
            b.households.push(household(&format!("P-{i:06}")));
        }
        for e in 0..events {
            let n = i * events + e;
            let value = match e % 3 {
                0 => json!("桂花村 三组 王秀英"),
                1 => json!(n),
                _ => json!(["wage", "farming"]),
            };
            b.events.push(event(n, uuid(i), who, value));
        }
    }
    b
}

fn header(b: &Body) -> Header {
    let seqs = (1..=b.events.len() as u64).map(|s| (DEVICE, s));
    Header::new(DEVICE, "县扶贫办 笔记本 1", b)
        .with_to("county")
        .with_ranges(ranges_of(seqs))
        .with_questionnaires(vec![FormRef {
            id: "non_poor".into(),
            version: "2017.1".into(),
            hash: "ab".repeat(32),
        }])
}

fn plain(b: &Body) -> (Header, Vec<u8>) {
    let h = header(b);
    let mut out = Vec::new();
    write(&mut out, &h, b).unwrap();
    (h, out)
}

fn small() -> (Header, Body, Vec<u8>) {
    let b = body(3, 4);
    let (h, bytes) = plain(&b);
    (h, b, bytes)
}

fn refusal(bytes: &[u8]) -> Refusal {
    match read(bytes, &Key::None) {
        Ok(_) => panic!("accepted"),
        Err(r) => r,
    }
}

fn kind(bytes: &[u8]) -> RefusalKind {
    refusal(bytes).kind
}

/// The lines of a bundle, each with its newline.
fn lines(bytes: &[u8]) -> Vec<Vec<u8>> {
    bytes
        .split_inclusive(|&b| b == b'\n')
        .map(<[u8]>::to_vec)
        .collect()
}

/// `content` (the lines before the closing line) with a correct closing line for `records`.
fn closed(content: &[u8], records: u64) -> Vec<u8> {
    let mut out = content.to_vec();
    let sha = hex(&Sha256::digest(content));
    out.extend_from_slice(
        format!("{{\"end\":{{\"records\":{records},\"sha256\":\"{sha}\"}}}}\n").as_bytes(),
    );
    out
}

/// The bundle's lines but the closing one, with line `i` (0-based) replaced by `with`.
fn replaced(bytes: &[u8], i: usize, with: &[u8]) -> (Vec<u8>, u64) {
    let mut ls = lines(bytes);
    ls.pop();
    ls[i] = with.to_vec();
    let records = ls.len() as u64 - 2;
    (ls.concat(), records)
}

#[test]
fn a_plain_bundle_reads_back_whole_with_chinese_text() {
    let (h, b, bytes) = small();
    let text = std::str::from_utf8(&bytes).unwrap();
    assert!(text.contains("王秀英") && text.contains("桂花村"));
    let ls: Vec<&str> = text.lines().collect();
    assert_eq!(ls[0], r#"{"ruhu_bundle":1}"#);
    assert_eq!(ls.len(), 2 + 3 + 2 + 12 + 1);
    assert!(ls[2].starts_with(r#"{"interview":{"#));
    assert!(ls[5].starts_with(r#"{"household":{"#));
    assert!(ls[7].starts_with(r#"{"event":{"#));
    // The closing line, checked the way another tool would: `head -n -1 | sha256sum`.
    let end: serde_json::Value = serde_json::from_str(ls[ls.len() - 1]).unwrap();
    let before = &bytes[..bytes.len() - ls[ls.len() - 1].len() - 1];
    assert_eq!(end["end"]["records"], 17);
    assert_eq!(end["end"]["sha256"], hex(&Sha256::digest(before)));
    let header: serde_json::Value = serde_json::from_str(ls[1]).unwrap();
    assert_eq!(header["format"], 1);
    assert_eq!(
        header["program"],
        format!("ruhu {}", env!("CARGO_PKG_VERSION"))
    );
    assert_eq!(
        header["counts"],
        json!({"interviews": 3, "households": 2, "events": 12})
    );

    let (rh, rb) = read(&bytes[..], &Key::None).unwrap();
    assert_eq!(rh, h);
    assert_eq!(rb, b);
    assert_eq!(rb.households[0].head_name, "王秀英");
    assert_eq!(rb.households[0].village, "桂花村");
    assert_eq!(
        rh.interviewers,
        vec!["张建国".to_string(), "李桂花".to_string()]
    );
}

#[test]
fn an_empty_body_is_a_valid_bundle() {
    let b = Body::default();
    let (h, bytes) = plain(&b);
    assert_eq!(lines(&bytes).len(), 3);
    assert_eq!(read(&bytes[..], &Key::None).unwrap(), (h, b));
}

#[test]
fn a_bundle_sealed_with_a_passphrase_needs_that_passphrase() {
    let (h, b, _) = small();
    let pass = || SecretString::from("桂花村 2024 口令".to_string());
    let mut out = Vec::new();
    write_sealed(&mut out, &h, &b, &Seal::Passphrase(pass())).unwrap();
    assert!(out.starts_with(b"age-encryption.org/v1\n"));
    assert!(
        !out.windows("王秀英".len())
            .any(|w| w == "王秀英".as_bytes())
    );
    assert_eq!(
        read(&out[..], &Key::Passphrase(pass())).unwrap(),
        (h.clone(), b)
    );
    assert_eq!(read_header(&out[..], &Key::Passphrase(pass())).unwrap(), h);
    let wrong = read(
        &out[..],
        &Key::Passphrase(SecretString::from("错的".to_string())),
    );
    assert_eq!(wrong.as_ref().unwrap_err().kind, RefusalKind::WrongKey);
    assert!(wrong.unwrap_err().message.zh.contains("口令或密钥不对"));
    let none = read(&out[..], &Key::None).unwrap_err();
    assert_eq!(none.kind, RefusalKind::NeedsKey);
    assert!(none.message.en.contains("passphrase or key is needed"));
    let (identity, _) = keygen();
    let other = read(&out[..], &Key::Identity(identity)).unwrap_err();
    assert_eq!(other.kind, RefusalKind::WrongKey);
    assert!(other.message.en.contains("give the passphrase"));
}

#[test]
fn a_bundle_sealed_to_a_recipient_opens_with_its_identity_only() {
    let (h, b, _) = small();
    let (identity, recipient) = keygen();
    assert!(identity.expose_secret().starts_with("AGE-SECRET-KEY-1"));
    assert!(recipient.starts_with("age1"));
    assert_eq!(recipient_of(&identity).unwrap(), recipient);
    let mut out = Vec::new();
    write_sealed(&mut out, &h, &b, &Seal::Recipient(recipient.clone())).unwrap();
    assert!(crate::passphrase::is_encrypted(&out));
    assert!(
        !out.windows("桂花村".len())
            .any(|w| w == "桂花村".as_bytes())
    );
    let key = Key::Identity(SecretString::from(identity.expose_secret().to_string()));
    assert_eq!(read(&out[..], &key).unwrap(), (h.clone(), b.clone()));
    // The text of an identity file as age-keygen writes it.
    let file = format!(
        "# created: 2024-03-05T09:00:00+08:00\n# public key: {recipient}\n{}\n",
        identity.expose_secret()
    );
    assert_eq!(
        read(&out[..], &Key::Identity(SecretString::from(file))).unwrap(),
        (h, b)
    );
    let (other, _) = keygen();
    let wrong = read(&out[..], &Key::Identity(other)).unwrap_err();
    assert_eq!(wrong.kind, RefusalKind::WrongKey);
    let pass = read(
        &out[..],
        &Key::Passphrase(SecretString::from("口令".to_string())),
    );
    assert_eq!(pass.as_ref().unwrap_err().kind, RefusalKind::WrongKey);
    assert!(pass.unwrap_err().message.en.contains("encrypted to a key"));
    let garbage = read(
        &out[..],
        &Key::Identity(SecretString::from("not a key".to_string())),
    );
    assert_eq!(garbage.as_ref().unwrap_err().kind, RefusalKind::WrongKey);
    assert!(garbage.unwrap_err().message.en.contains("AGE-SECRET-KEY-1"));
    assert!(read(&out[..], &Key::None).is_err_and(|r| r.kind == RefusalKind::NeedsKey));
}

#[test]
fn an_invalid_recipient_is_refused_before_anything_is_written() {
    let (h, b, _) = small();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("b.ruhu");
    let err = write_file(&path, &h, &b, &Seal::Recipient("age1nonsense".into())).unwrap_err();
    assert!(err.en.contains("not a valid recipient key"));
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

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
fn writing_a_file_is_atomic_and_owner_only() {
    let (h, b, plain_bytes) = small();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("李桂花-2024-03-05.ruhu");
    write_file(&path, &h, &b, &Seal::None).unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), plain_bytes);
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        names,
        vec![path.file_name().unwrap().to_owned()],
        "no temporary file left"
    );
    assert_eq!(
        read_file(&path, &Key::None).unwrap(),
        (h.clone(), b.clone())
    );
    assert_eq!(read_header_file(&path, &Key::None).unwrap(), h);

    // A write that fails part way (a record too long, after the first lines went out)
    // leaves the previous file as it was and no temporary file.
    let mut big = b.clone();
    big.events.push(event(
        99,
        uuid(0),
        "李桂花",
        json!("长".repeat(MAX_LINE_BYTES / 3 + 1)),
    ));
    let big_header = Header {
        counts: big.counts(),
        ..h.clone()
    };
    let err = write_file(&path, &big_header, &big, &Seal::None).unwrap_err();
    assert!(err.en.contains("over the limit"), "{err:?}");
    assert_eq!(std::fs::read(&path).unwrap(), plain_bytes);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);

    // Encrypted, over the previous file.
    let pass = || SecretString::from("口令".to_string());
    write_file(&path, &h, &b, &Seal::Passphrase(pass())).unwrap();
    assert!(crate::passphrase::is_encrypted(
        &std::fs::read(&path).unwrap()
    ));
    assert_eq!(read_file(&path, &Key::Passphrase(pass())).unwrap(), (h, b));
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn a_header_that_does_not_describe_the_body_is_not_written() {
    let (h, b, _) = small();
    let wrong = Header {
        counts: Counts {
            events: 11,
            ..h.counts
        },
        ..h.clone()
    };
    let mut out = Vec::new();
    let e = write(&mut out, &wrong, &b).unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::InvalidInput);
    assert!(out.is_empty());
    let newer = Header {
        format: 2,
        ..h.clone()
    };
    assert!(write(&mut out, &newer, &b).is_err());
    let backwards = h.clone().with_ranges(vec![SeqRange {
        device_id: DEVICE.into(),
        first: 9,
        last: 3,
    }]);
    assert!(write(&mut out, &backwards, &b).is_err());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("b.ruhu");
    assert!(write_file(&path, &wrong, &b, &Seal::None).is_err());
    assert!(!path.exists());
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
fn fields_a_reader_does_not_know_are_ignored() {
    let (h, b, bytes) = small();
    let mut ls = lines(&bytes);
    ls.pop();
    let with_field = |line: &[u8], at: &str| {
        let s = std::str::from_utf8(line).unwrap();
        s.replacen(at, &format!("{at}\"added_later\":[1,{{\"x\":\"新\"}}],"), 1)
            .into_bytes()
    };
    ls[1] = with_field(&ls[1], "{");
    ls[7] = with_field(&ls[7], "{\"event\":{");
    ls[0] = b"{\"ruhu_bundle\":1,\"note\":\"x\"}\n".to_vec();
    let records = ls.len() as u64 - 2;
    let (rh, rb) = read(&closed(&ls.concat(), records)[..], &Key::None).unwrap();
    assert_eq!((rh, rb), (h, b));
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
fn the_header_is_read_alone_without_the_body() {
    let (h, _, bytes) = small();
    let ls = lines(&bytes);
    let first_two = ls[..2].concat();
    assert_eq!(read_header(&first_two[..], &Key::None).unwrap(), h);
    assert!(read(&first_two[..], &Key::None).is_err());
    assert!(matches!(
        read_header(&bytes[..ls[0].len() + 10], &Key::None)
            .unwrap_err()
            .kind,
        RefusalKind::Truncated { line: 2 }
    ));
}

#[test]
fn ranges_group_consecutive_numbers_per_device() {
    let r = ranges_of([
        ("b", 7),
        ("a", 3),
        ("a", 1),
        ("a", 2),
        ("a", 2),
        ("a", 5),
        ("a", u64::MAX),
    ]);
    let range = |d: &str, first, last| SeqRange {
        device_id: d.into(),
        first,
        last,
    };
    assert_eq!(
        r,
        vec![
            range("a", 1, 3),
            range("a", 5, 5),
            range("a", u64::MAX, u64::MAX),
            range("b", 7, 7)
        ]
    );
    assert!(ranges_of(std::iter::empty()).is_empty());
}

#[test]
fn a_header_describes_its_body() {
    let b = body(4, 2);
    let h = Header::new(DEVICE, "笔记本", &b);
    assert_eq!(h.format, FORMAT);
    assert_eq!(h.program, format!("ruhu {}", env!("CARGO_PKG_VERSION")));
    assert_eq!(
        h.counts,
        Counts {
            interviews: 4,
            households: 2,
            events: 8
        }
    );
    assert_eq!(h.interviewers, vec!["张建国", "李桂花"]);
    assert_eq!(
        b.forms(),
        vec![("non_poor".to_string(), "2017.1".to_string())]
    );
    assert_ne!(h.bundle_id, Header::new(DEVICE, "笔记本", &b).bundle_id);
    assert_eq!(h.to, None);
}

#[test]
fn a_lead_sized_bundle_reads_back() {
    // 200 interviews of 60 events: what a team lead receives from one interviewer.
    let b = body(200, 60);
    let (h, bytes) = plain(&b);
    let (rh, rb) = read(&bytes[..], &Key::None).unwrap();
    assert_eq!(rh, h);
    assert_eq!(rb.events.len(), 12_000);
    assert_eq!(rb, b);
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

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// A valid bundle cut short or with one byte changed is always refused, never a panic.
    #[test]
    fn any_cut_or_changed_byte_is_refused(pos in any::<proptest::sample::Index>(), xor in 1u8..=255, cut in any::<bool>()) {
        let (_, _, bytes) = small();
        let i = pos.index(bytes.len());
        let damaged = if cut {
            bytes[..i].to_vec()
        } else {
            let mut b = bytes.clone();
            b[i] ^= xor;
            b
        };
        prop_assert!(read(&damaged[..], &Key::None).is_err());
        // The header alone may survive a change after it, but never panics.
        let _ = read_header(&damaged[..], &Key::None);
    }

    /// The same for an encrypted bundle.
    #[test]
    fn any_cut_or_changed_byte_of_a_sealed_bundle_is_refused(pos in any::<proptest::sample::Index>(), xor in 1u8..=255, cut in any::<bool>()) {
        let (bytes, identity) = sealed_small();
        let i = pos.index(bytes.len());
        let damaged = if cut {
            bytes[..i].to_vec()
        } else {
            let mut b = bytes.to_vec();
            b[i] ^= xor;
            b
        };
        let key = Key::Identity(SecretString::from(identity.to_string()));
        prop_assert!(read(&damaged[..], &key).is_err());
    }

    /// Arbitrary bytes after a valid mark never panic and are never accepted.
    #[test]
    fn arbitrary_content_after_the_mark_is_refused(rest in proptest::collection::vec(any::<u8>(), 0..2000)) {
        let bytes = [b"{\"ruhu_bundle\":1}\n".as_slice(), &rest].concat();
        prop_assert!(read(&bytes[..], &Key::None).is_err());
    }
}

/// One sealed bundle for all the cases (made once: sealing takes a moment).
fn sealed_small() -> (&'static [u8], &'static str) {
    static SEALED: std::sync::OnceLock<(Vec<u8>, String)> = std::sync::OnceLock::new();
    let (bytes, identity) = SEALED.get_or_init(|| {
        let (h, b, _) = small();
        let (identity, recipient) = keygen();
        let mut out = Vec::new();
        write_sealed(&mut out, &h, &b, &Seal::Recipient(recipient)).unwrap();
        (out, identity.expose_secret().to_string())
    });
    (bytes, identity)
}
