//! The household ids seen in one file, with the line each was first seen on: the check for an
//! id that comes twice. Ids of digits (what registries use) are packed into a `u64`, so that a
//! million ids take about 32 MB; others are kept as text.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A fast hasher for packed ids (a multiply and a rotate): the ids come from the user's own
/// file, so there is no one to attack the table.
#[derive(Default)]
struct PackedHasher(u64);

impl Hasher for PackedHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.write_u64(u64::from(*b));
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0 ^ n)
            .wrapping_mul(0x9E37_79B9_7F4A_7C15)
            .rotate_left(26);
    }
}

type Packed<V> = HashMap<u64, V, BuildHasherDefault<PackedHasher>>;

/// A map keyed by household id (see the module docs for the packing).
#[derive(Debug)]
pub struct IdMap<V> {
    packed: Packed<V>,
    other: HashMap<Box<str>, V>,
}

impl<V> Default for IdMap<V> {
    fn default() -> Self {
        IdMap {
            packed: Packed::default(),
            other: HashMap::new(),
        }
    }
}

impl<V> IdMap<V> {
    pub fn new() -> IdMap<V> {
        IdMap::default()
    }

    pub fn get_mut(&mut self, id: &str) -> Option<&mut V> {
        match pack(id) {
            Some(n) => self.packed.get_mut(&n),
            None => self.other.get_mut(id),
        }
    }

    pub fn get(&self, id: &str) -> Option<&V> {
        match pack(id) {
            Some(n) => self.packed.get(&n),
            None => self.other.get(id),
        }
    }

    /// Inserts `value` unless `id` is there; the value already there, if any.
    pub fn insert_new(&mut self, id: &str, value: V) -> Option<&V> {
        use std::collections::hash_map::Entry;
        match pack(id) {
            Some(n) => match self.packed.entry(n) {
                Entry::Occupied(e) => Some(e.into_mut()),
                Entry::Vacant(e) => {
                    e.insert(value);
                    None
                }
            },
            None => {
                if self.other.contains_key(id) {
                    return self.other.get(id);
                }
                self.other.insert(id.into(), value);
                None
            }
        }
    }

    pub fn contains(&self, id: &str) -> bool {
        self.get(id).is_some()
    }

    pub fn len(&self) -> usize {
        self.packed.len() + self.other.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Ids seen so far → the line of their first row.
pub type IdSet = IdMap<u64>;

impl IdMap<u64> {
    /// Records `id` first seen on `line`; when it was seen before, the line it was first seen on.
    pub fn first_seen(&mut self, id: &str, line: u64) -> Option<u64> {
        self.insert_new(id, line).copied()
    }
}

/// A digit string of up to 18 digits (optionally ending in `X`, as ID numbers do) as one
/// number: a leading `1` (or `2` for the `X`) keeps leading zeros and lengths apart.
fn pack(id: &str) -> Option<u64> {
    let (digits, lead) = match id.strip_suffix(['X', 'x']) {
        Some(d) => (d, 2u64),
        None => (id, 1u64),
    };
    if digits.is_empty() || digits.len() > 18 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut n = lead;
    for b in digits.bytes() {
        n = n.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
    }
    Some(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_differing_in_leading_zeros_or_x_are_different() {
        let mut s = IdSet::new();
        for (i, id) in [
            "1",
            "01",
            "001",
            "10",
            "1X",
            "01X",
            "999999999999999999",
            "P-1",
            "户1",
        ]
        .iter()
        .enumerate()
        {
            assert_eq!(s.first_seen(id, i as u64 + 2), None, "{id}");
        }
        assert_eq!(s.first_seen("01", 50), Some(3));
        assert_eq!(s.first_seen("P-1", 50), Some(9));
        assert_eq!(s.len(), 9);
        assert!(s.contains("1X") && !s.contains("2"));
    }

    #[test]
    fn packing_is_injective_on_samples() {
        let mut seen = HashMap::new();
        for id in [
            "0",
            "00",
            "000000000000000000",
            "99",
            "099",
            "9X",
            "09X",
            "1000000000000000000",
        ] {
            if let Some(n) = pack(id) {
                assert!(
                    seen.insert(n, id).is_none(),
                    "{id} collides with {:?}",
                    seen.get(&n)
                );
            }
        }
        assert_eq!(
            pack("1000000000000000000"),
            None,
            "19 digits are kept as text"
        );
    }
}
