//! The streaming writer: the same bundle as one written from memory, plain and sealed,
//! whatever order the records come in; nothing left beside it.

use super::*;

/// The records of `b` through a [`Stream`], events first (the order an export reads them).
fn streamed(b: &Body, dir: &std::path::Path, path: &std::path::Path, seal: &Seal) -> Header {
    let mut s = Stream::new(dir).unwrap();
    for e in &b.events {
        s.event(e).unwrap();
    }
    for h in &b.households {
        s.household(h).unwrap();
    }
    for i in &b.interviews {
        s.interview(i).unwrap();
    }
    let forms = s
        .forms()
        .into_iter()
        .map(|(id, version)| FormRef {
            id,
            version,
            hash: "ab".repeat(32),
        })
        .collect();
    let h = s.header(DEVICE, "县扶贫办 笔记本 1", forms, Some("county".into()));
    s.finish(path, &h, seal).unwrap();
    h
}

#[test]
fn a_streamed_bundle_reads_back_as_the_body_given_with_the_header_made_from_it() {
    let dir = tempfile::tempdir().unwrap();
    let spool = dir.path().join("store");
    std::fs::create_dir(&spool).unwrap();
    let b = body(7, 5);
    let path = dir.path().join("交换/答卷包.ruhu");
    std::fs::create_dir(path.parent().unwrap()).unwrap();
    let h = streamed(&b, &spool, &path, &Seal::None);
    let (read_h, read_b) = read_file(&path, &Key::None).unwrap();
    assert_eq!(read_h, h);
    assert_eq!(
        read_b, b,
        "interviews, households and events in their order"
    );
    // The header is what one written from memory would say.
    let expected = header(&b);
    assert_eq!(h.counts, expected.counts);
    assert_eq!(
        h.interviewers,
        vec!["张建国".to_string(), "李桂花".to_string()]
    );
    assert_eq!(h.interviewers, expected.interviewers);
    assert_eq!(h.ranges, expected.ranges);
    assert_eq!(h.questionnaires, expected.questionnaires);
    assert_eq!(h.to.as_deref(), Some("county"));
    // Owner-only, and no spool or temporary file left in either folder.
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    assert_eq!(std::fs::read_dir(&spool).unwrap().count(), 0);
    assert_eq!(
        std::fs::read_dir(path.parent().unwrap()).unwrap().count(),
        1
    );
}

#[test]
fn a_streamed_bundle_sealed_with_a_passphrase_opens_with_it_only() {
    let dir = tempfile::tempdir().unwrap();
    let b = body(3, 4);
    let path = dir.path().join("b.ruhu");
    let pass = SecretString::from("青山镇 2024".to_string());
    streamed(&b, dir.path(), &path, &Seal::Passphrase(pass.clone()));
    let bytes = std::fs::read(&path).unwrap();
    assert!(
        !bytes
            .windows("王秀英".len())
            .any(|w| w == "王秀英".as_bytes()),
        "no answer in the clear"
    );
    let (_, read_b) = read_file(&path, &Key::Passphrase(pass)).unwrap();
    assert_eq!(read_b, b);
    let wrong = read_file(&path, &Key::Passphrase(SecretString::from("x".to_string())));
    assert!(matches!(wrong.unwrap_err().kind, RefusalKind::WrongKey));
}

#[test]
fn a_header_that_does_not_count_the_records_written_is_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let b = body(2, 2);
    let mut s = Stream::new(dir.path()).unwrap();
    for e in &b.events {
        s.event(e).unwrap();
    }
    let mut h = s.header(DEVICE, "x", Vec::new(), None);
    h.counts.events += 1;
    let path = dir.path().join("b.ruhu");
    let err = s.finish(&path, &h, &Seal::None).unwrap_err();
    assert!(err.en.contains("counts"), "{}", err.en);
    assert!(!path.exists());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}
