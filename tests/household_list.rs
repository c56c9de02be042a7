//! The household list pages through the store: filters, Chinese search, the households
//! entered one by one since the list file was made, the list made again after a bulk write.

mod common;

use ruhu::questionnaire::Kind;
use ruhu::registry::{Household, Status};
use ruhu::session::{Forms, InterviewFilter, ListFilter, Workspace};

fn workspace(dir: &std::path::Path) -> (Workspace, Vec<Household>) {
    let ws = Workspace::open(dir, Forms::bundled().unwrap()).unwrap();
    let all = ruhu::demo::generate(&Default::default());
    ws.load_households(all.clone()).unwrap();
    (ws, all)
}

fn ids(page: &ruhu::session::ListPage) -> Vec<String> {
    page.rows
        .iter()
        .map(|r| r.entry.household_id.clone())
        .collect()
}

#[test]
fn pages_filters_and_search_agree_with_the_households() {
    let dir = tempfile::tempdir().unwrap();
    let (ws, mut all) = workspace(dir.path());
    all.sort_by(|a, b| a.household_id.cmp(&b.household_id));
    let list = ws.household_list().unwrap();
    assert_eq!(list.len(), all.len());

    let everything = ListFilter::default();
    let first = list.page(&everything, 0, 20).unwrap();
    assert_eq!(first.total, all.len());
    assert_eq!(
        ids(&first),
        all.iter()
            .take(20)
            .map(|h| h.household_id.clone())
            .collect::<Vec<_>>()
    );
    let later = list.page(&everything, 290, 20).unwrap();
    assert_eq!(later.rows.len(), all.len() - 290);
    let e = &first.rows[0].entry;
    assert_eq!(e.head_name, all[0].head_name);
    assert_eq!(e.village, all[0].village);
    assert_eq!(e.township, all[0].township);
    assert_eq!(e.household_size, all[0].household_size);

    // A village, a kind, both.
    let village = all[0].village.clone();
    let in_village = ListFilter {
        village: Some(village.clone()),
        ..Default::default()
    };
    let n = all.iter().filter(|h| h.village == village).count();
    assert_eq!(list.page(&in_village, 0, 5).unwrap().total, n);
    let exited = ListFilter {
        village: Some(village.clone()),
        kind: Some(Kind::Exited),
        ..Default::default()
    };
    let page = list.page(&exited, 0, 1000).unwrap();
    assert_eq!(
        page.total,
        all.iter()
            .filter(|h| h.village == village && h.status == Status::Exited)
            .count()
    );
    assert!(page.rows.iter().all(|r| r.entry.status == Status::Exited));
    assert!(list.villages().contains(&village));

    // Search: a member's Chinese name, part of an ID number, a household id.
    let member = all.iter().find_map(|h| h.members.get(1)).unwrap();
    let by_name = ListFilter {
        search: member.name.clone(),
        ..Default::default()
    };
    let page = list.page(&by_name, 0, 1000).unwrap();
    let expected: Vec<String> = all
        .iter()
        .filter(|h| {
            h.head_name.contains(&member.name)
                || h.members.iter().any(|m| m.name.contains(&member.name))
        })
        .map(|h| h.household_id.clone())
        .collect();
    assert_eq!(ids(&page), expected);
    let tail = &all[7].head_id_number[10..];
    let page = list
        .page(
            &ListFilter {
                search: format!(" {} ", tail.to_lowercase()),
                ..Default::default()
            },
            0,
            1000,
        )
        .unwrap();
    assert!(ids(&page).contains(&all[7].household_id));
    assert_eq!(
        list.position(&everything, &all[42].household_id).unwrap(),
        Some(42)
    );
}

#[test]
fn interviews_the_sample_and_households_entered_one_by_one_show() {
    let dir = tempfile::tempdir().unwrap();
    let (ws, all) = workspace(dir.path());
    let exited = all.iter().find(|h| h.status == Status::Exited).unwrap();
    let mut s = ws.start(exited, "李调查").unwrap();
    let c = s.interview.input("interviewer_name", "李调查").unwrap();
    s.save(&ws, &c).unwrap();
    let census = ws.new_household("张新户", "桂花村").unwrap();

    let list = ws.household_list().unwrap();
    let started = ListFilter {
        interview: Some(InterviewFilter::InProgress),
        ..Default::default()
    };
    let page = list.page(&started, 0, 10).unwrap();
    assert_eq!(ids(&page), vec![exited.household_id.clone()]);
    assert_eq!(
        list.page(
            &ListFilter {
                interview: Some(InterviewFilter::NotStarted),
                ..Default::default()
            },
            0,
            1
        )
        .unwrap()
        .total,
        all.len()
    );
    // The household entered during the census visit is listed and found, without the list
    // file being made again (it is read from the store).
    let found = list
        .page(
            &ListFilter {
                search: "张新户".into(),
                ..Default::default()
            },
            0,
            10,
        )
        .unwrap();
    assert_eq!(ids(&found), vec![census.household_id.clone()]);
    assert!(found.rows[0].entry.provisional);
    assert_eq!(
        list.page(&ListFilter::default(), 0, 1).unwrap().total,
        all.len() + 1
    );
    let sample_only = ListFilter {
        sample_only: true,
        ..Default::default()
    };
    assert_eq!(list.page(&sample_only, 0, 10).unwrap().total, 0);
}

#[test]
fn the_list_follows_a_bulk_write_and_is_made_again_when_damaged() {
    let dir = tempfile::tempdir().unwrap();
    let (ws, all) = workspace(dir.path());
    assert_eq!(ws.household_list().unwrap().len(), all.len());
    let file = dir.path().join("households.list");
    let before = std::fs::read(&file).unwrap();
    let mut more = ruhu::demo::generate(&ruhu::demo::DemoOptions {
        households: 20,
        seed: 99,
    });
    for (i, h) in more.iter_mut().enumerate() {
        h.household_id = format!("Z{i:03}");
        h.head_name = format!("批量{i}");
    }
    ws.load_households(more).unwrap();
    let list = ws.household_list().unwrap();
    let found = list
        .page(
            &ListFilter {
                search: "批量1".into(),
                ..Default::default()
            },
            0,
            100,
        )
        .unwrap();
    assert_eq!(found.total, 11, "批量1 and 批量10..19");
    // A few households loaded are read from the store beside the file, which stays.
    assert_eq!(std::fs::read(&file).unwrap(), before);
    // A damaged file is derived: it is made again, with them.
    std::fs::remove_file(&file).unwrap();
    assert_eq!(ws.household_list().unwrap().len(), all.len() + 20);
    let whole = std::fs::read(&file).unwrap();
    assert!(whole.len() > before.len());
    // Not a list; empty (a rename that a power cut kept without its data); cut short; a
    // trailer whose count lies.
    let mut lying = whole.clone();
    let at = lying.len() - 16 - 11;
    lying[at..at + 8].copy_from_slice(&u64::MAX.to_le_bytes());
    for bad in [
        b"not a list".to_vec(),
        Vec::new(),
        whole[..whole.len() / 2].to_vec(),
        lying,
    ] {
        std::fs::write(&file, &bad).unwrap();
        let list = ws.household_list().unwrap();
        assert_eq!(
            list.page(&ListFilter::default(), 0, 1).unwrap().total,
            all.len() + 20
        );
        assert_eq!(std::fs::read(&file).unwrap(), whole, "made again whole");
    }
}
