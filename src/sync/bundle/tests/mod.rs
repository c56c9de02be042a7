//! Bundles written and read back, plain and encrypted; the helpers of the other tests.

mod props;
mod refusals;
mod stream;

use std::os::unix::fs::PermissionsExt;

use age::secrecy::{ExposeSecret, SecretString};
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
fn the_documented_format_is_the_format() {
    let doc = include_str!("../../../../docs/bundle.md");
    // The example bundle parses line by line as what it says it is.
    let example = doc
        .split("```json\n")
        .nth(1)
        .and_then(|s| s.split("```").next())
        .unwrap();
    let ls: Vec<&str> = example.lines().collect();
    assert_eq!(ls[0], format!("{{\"{MARK}\":{FORMAT}}}"));
    let h: Header = serde_json::from_str(ls[1]).unwrap();
    let mut b = Body::default();
    for l in &ls[2..ls.len() - 1] {
        match serde_json::from_str::<Line>(l).unwrap() {
            Line::Interview(i) => b.interviews.push(i),
            Line::Household(x) => b.households.push(x),
            Line::Event(e) => b.events.push(e),
            Line::End(_) => panic!("the closing line comes last"),
        }
    }
    assert_eq!(h.counts, b.counts());
    let end: serde_json::Value = serde_json::from_str(ls[ls.len() - 1]).unwrap();
    assert_eq!(end["end"]["records"], b.counts().records());
    // Every field ruhu writes is described.
    let (_, _, bytes) = small();
    for line in std::str::from_utf8(&bytes).unwrap().lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let mut objects = vec![&v];
        while let Some(o) = objects.pop() {
            let Some(map) = o.as_object() else { continue };
            for (k, v) in map {
                assert!(
                    doc.contains(&format!("`{k}`")),
                    "field {k} is not documented"
                );
                match v {
                    serde_json::Value::Object(_) => objects.push(v),
                    serde_json::Value::Array(a) => objects.extend(a.iter()),
                    _ => {}
                }
            }
        }
    }
    for limit in ["4 KiB", "1 MiB", "2 GiB", "10,000,000", "16 KiB"] {
        assert!(doc.contains(limit), "limit {limit}");
    }
    assert_eq!(MAX_MARK_BYTES, 4 << 10);
    assert_eq!(MAX_LINE_BYTES, 1 << 20);
    assert_eq!(MAX_BUNDLE_BYTES, 2 << 30);
    assert_eq!(MAX_RECORDS, 10_000_000);
    assert_eq!(MAX_SEAL_HEADER_BYTES, 16 << 10);
}
