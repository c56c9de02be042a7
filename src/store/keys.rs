//! How records are keyed. Every key is built and taken apart here.
//!
//! - `households`: the household id, UTF-8.
//! - `interviews`: the interview uuid, 16 bytes.
//! - `events`: interview uuid (16) ++ sequence (big-endian u64, 8) ++ event uuid (16): a prefix
//!   scan over the interview uuid returns its events in insertion order.
//! - `by_household`: household id ++ 0x00 ++ interview uuid (16), value empty.
//! - `settings`: the setting name, UTF-8.
//! - `meta`: the names below.

use uuid::Uuid;

/// Store schema version (big-endian u32).
pub const META_SCHEMA_VERSION: &[u8] = b"schema_version";
/// This laptop's device id (uuid v4 text).
pub const META_DEVICE_ID: &[u8] = b"device_id";
/// Number of households (big-endian u64).
pub const META_HOUSEHOLD_COUNT: &[u8] = b"household_count";
/// Number of interviews (big-endian u64).
pub const META_INTERVIEW_COUNT: &[u8] = b"interview_count";
/// Present while a bulk load is running: the counters are recounted at the next open if a
/// crash left it behind.
pub const META_COUNTS_DIRTY: &[u8] = b"counts_dirty";

/// Present while a backup is being restored: a restore killed on the way is undone at the
/// next open (everything it wrote is removed).
pub const META_RESTORING: &[u8] = b"restoring";

/// A long write (an import) that began and has not ended (`operation.rs`).
pub const META_UNFINISHED: &[u8] = b"unfinished";

/// Present when the household list file is out of date (`list.rs`).
pub const META_LIST_STALE: &[u8] = b"list_stale";

/// Version of the derived trees (`results`, `interviewed`; big-endian u32).
pub const META_DERIVED_VERSION: &[u8] = b"derived_version";

pub const EVENT_KEY_LEN: usize = 16 + 8 + 16;

pub fn interview(id: Uuid) -> [u8; 16] {
    *id.as_bytes()
}

pub fn event(interview: Uuid, seq: u64, event: Uuid) -> [u8; EVENT_KEY_LEN] {
    let mut k = [0u8; EVENT_KEY_LEN];
    k[..16].copy_from_slice(interview.as_bytes());
    k[16..24].copy_from_slice(&seq.to_be_bytes());
    k[24..].copy_from_slice(event.as_bytes());
    k
}

/// The interview, sequence and event id of an event key.
pub fn parse_event(key: &[u8]) -> Option<(Uuid, u64, Uuid)> {
    if key.len() != EVENT_KEY_LEN {
        return None;
    }
    let interview = Uuid::from_slice(&key[..16]).ok()?;
    let seq = u64::from_be_bytes(key[16..24].try_into().ok()?);
    let event = Uuid::from_slice(&key[24..]).ok()?;
    Some((interview, seq, event))
}

/// The prefix of every `by_household` key of a household.
pub fn by_household_prefix(household_id: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(household_id.len() + 1 + 16);
    k.extend_from_slice(household_id.as_bytes());
    k.push(0);
    k
}

pub fn by_household(household_id: &str, interview: Uuid) -> Vec<u8> {
    let mut k = by_household_prefix(household_id);
    k.extend_from_slice(interview.as_bytes());
    k
}

/// The interview of a `by_household` key found under `prefix`; `None` when the key is not
/// exactly `prefix ++ uuid` (a household id that itself contains 0x00).
pub fn parse_by_household(prefix: &[u8], key: &[u8]) -> Option<Uuid> {
    if key.len() != prefix.len() + 16 || !key.starts_with(prefix) {
        return None;
    }
    Uuid::from_slice(&key[prefix.len()..]).ok()
}

/// The household id of a `by_household` (or `results`) key.
pub fn household_of(key: &[u8]) -> Option<&[u8]> {
    let cut = key.len().checked_sub(17)?;
    (key[cut] == 0).then_some(&key[..cut])
}

pub fn u64_value(n: u64) -> [u8; 8] {
    n.to_be_bytes()
}

pub fn parse_u64(v: &[u8]) -> Option<u64> {
    Some(u64::from_be_bytes(v.try_into().ok()?))
}

pub fn parse_u32(v: &[u8]) -> Option<u32> {
    Some(u32::from_be_bytes(v.try_into().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_keys_sort_by_interview_then_sequence() {
        let a = Uuid::from_u128(1);
        let e1 = Uuid::from_u128(u128::MAX);
        let e2 = Uuid::from_u128(0);
        assert!(event(a, 1, e1) < event(a, 2, e2));
        assert!(event(a, 255, e1) < event(a, 256, e2));
        assert_eq!(parse_event(&event(a, 7, e1)), Some((a, 7, e1)));
        assert_eq!(parse_event(b"short"), None);
    }

    #[test]
    fn by_household_keys_do_not_mix_prefixes() {
        let id = Uuid::from_u128(42);
        let p = by_household_prefix("12");
        assert_eq!(parse_by_household(&p, &by_household("12", id)), Some(id));
        assert!(!by_household("123", id).starts_with(&p));
        assert_eq!(household_of(&by_household("12", id)), Some(&b"12"[..]));
        assert_eq!(household_of(b"short"), None);
    }
}
