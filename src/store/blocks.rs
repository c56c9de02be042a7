//! Households are stored in blocks: each value of the `household_blocks` tree holds up to
//! [`MAX_ENTRIES`] households with neighbouring ids, sorted by id, and its key is the first
//! of them. sled's cost is per key (a leaf splits every few entries, each insert logs and
//! later rewrites its node), so a million households under a million keys took 6–15 s to
//! write here, and the same data in 64-household blocks about half a second (BENCHMARKS.md).
//!
//! A block's bytes:
//!
//! ```text
//! FORMAT (u8 = 1)  count (u32 LE)  { id_len (u16 LE)  id  len (u32 LE)  payload }*count
//! ```
//!
//! ids strictly ascending; a payload is one encoded household (see `codec.rs`). This module
//! only knows the layout and how blocks are cut; `households.rs` reads and writes them.

use std::ops::Range;

/// The format byte of a block.
const FORMAT: u8 = 1;

/// Most households in one block. A merge that gives more cuts the block into even parts.
pub const MAX_ENTRIES: usize = 64;

/// A decoded block: the entries' positions in its bytes (no copy).
#[derive(Debug, Clone)]
pub struct Block<B> {
    bytes: B,
    entries: Vec<(Range<usize>, Range<usize>)>,
}

impl<B: AsRef<[u8]>> Block<B> {
    /// Reads a block's layout; `Err` says what is wrong with the bytes.
    pub fn decode(bytes: B) -> Result<Block<B>, String> {
        let b = bytes.as_ref();
        let Some((&format, rest)) = b.split_first() else {
            return Err("empty block".into());
        };
        if format != FORMAT {
            return Err(format!("unknown block format {format}"));
        }
        let mut pos = 1;
        let count = read_u32(rest, 0).ok_or("block shorter than its header")? as usize;
        pos += 4;
        let mut entries: Vec<(Range<usize>, Range<usize>)> =
            Vec::with_capacity(count.min(b.len() / 6));
        for i in 0..count {
            let id_len = read_u16(b, pos).ok_or_else(|| cut(i))? as usize;
            pos += 2;
            let id = pos..pos + id_len;
            pos = id.end;
            let len = read_u32(b, pos).ok_or_else(|| cut(i))? as usize;
            pos += 4;
            let payload = pos..pos.checked_add(len).ok_or_else(|| cut(i))?;
            pos = payload.end;
            if pos > b.len() {
                return Err(cut(i));
            }
            if let Some((last, _)) = entries.last()
                && b[last.clone()] >= b[id.clone()]
            {
                return Err(format!("entry {i} is out of order"));
            }
            entries.push((id, payload));
        }
        if pos != b.len() {
            return Err(format!("{} bytes after the last entry", b.len() - pos));
        }
        Ok(Block { bytes, entries })
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// The `i`th entry: id and payload.
    pub fn entry(&self, i: usize) -> (&[u8], &[u8]) {
        let (id, payload) = &self.entries[i];
        let b = self.bytes.as_ref();
        (&b[id.clone()], &b[payload.clone()])
    }

    /// The payload stored under `id`.
    pub fn find(&self, id: &[u8]) -> Option<&[u8]> {
        let b = self.bytes.as_ref();
        self.entries
            .binary_search_by(|(k, _)| b[k.clone()].cmp(id))
            .ok()
            .map(|i| &b[self.entries[i].1.clone()])
    }

    pub fn iter(&self) -> impl Iterator<Item = (&[u8], &[u8])> {
        (0..self.entries.len()).map(|i| self.entry(i))
    }
}

fn cut(i: usize) -> String {
    format!("entry {i} is cut short")
}

fn read_u16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn read_u32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// Encodes entries (ids strictly ascending). An id of 64 KiB or more, or a payload of 4 GiB
/// or more, does not fit the layout: `Err` names it (the store refuses such ids before they
/// get here: [`crate::limits::MAX_ID_BYTES`]).
pub fn encode<'a>(
    entries: impl ExactSizeIterator<Item = (&'a [u8], &'a [u8])> + Clone,
) -> Result<Vec<u8>, String> {
    let size: usize = entries.clone().map(|(k, v)| 6 + k.len() + v.len()).sum();
    let mut out = Vec::with_capacity(5 + size);
    out.push(FORMAT);
    let count = u32::try_from(entries.len()).map_err(|_| "too many entries for a block")?;
    out.extend_from_slice(&count.to_le_bytes());
    for (k, v) in entries {
        let id_len = u16::try_from(k.len())
            .map_err(|_| format!("an id of {} bytes does not fit a block", k.len()))?;
        let len = u32::try_from(v.len())
            .map_err(|_| format!("a record of {} bytes does not fit a block", v.len()))?;
        out.extend_from_slice(&id_len.to_le_bytes());
        out.extend_from_slice(k);
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(v);
    }
    Ok(out)
}

/// How `n` entries are cut into blocks: the sizes, as even as can be, each at most
/// [`MAX_ENTRIES`]. No blocks for none.
pub fn cuts(n: usize) -> Vec<usize> {
    if n == 0 {
        return Vec::new();
    }
    let parts = n.div_ceil(MAX_ENTRIES);
    let (base, extra) = (n / parts, n % parts);
    (0..parts).map(|i| base + usize::from(i < extra)).collect()
}

/// An entry borrowed from a block or a change: id and payload.
pub type Entry<'a> = (&'a [u8], &'a [u8]);

/// Merges a block's entries with changes (sorted by id, unique; `None` removes): the entries
/// after the change, sorted, and how many ids were added (negative: removed).
pub fn merge<'a>(
    old: impl Iterator<Item = Entry<'a>>,
    changes: &'a [(Vec<u8>, Option<Vec<u8>>)],
) -> (Vec<Entry<'a>>, i64) {
    let mut out = Vec::new();
    let mut delta = 0i64;
    let mut old = old.peekable();
    let mut changes = changes.iter().peekable();
    loop {
        match (old.peek(), changes.peek()) {
            (None, None) => break,
            (Some(_), None) => out.extend(old.by_ref()),
            (Some(&(k, _)), Some((c, _))) if k < c.as_slice() => {
                out.push(old.next().expect("peeked"));
            }
            (o, Some((c, v))) => {
                let existed = o.is_some_and(|&(k, _)| k == c.as_slice());
                if existed {
                    old.next();
                }
                match (existed, v) {
                    (true, None) => delta -= 1,
                    (false, Some(_)) => delta += 1,
                    _ => {}
                }
                if let Some(v) = v {
                    out.push((c.as_slice(), v.as_slice()));
                }
                changes.next();
            }
        }
    }
    (out, delta)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    #[test]
    fn round_trip_and_find() {
        let entries: Vec<(&[u8], &[u8])> = vec![
            ("522701".as_bytes(), "张三".as_bytes()),
            ("522702".as_bytes(), b""),
            ("522703".as_bytes(), "李四".as_bytes()),
        ];
        let bytes = encode(entries.iter().copied()).unwrap();
        let block = Block::decode(&bytes[..]).unwrap();
        assert_eq!(block.len(), 3);
        assert_eq!(block.find(b"522703"), Some("李四".as_bytes()));
        assert_eq!(block.find(b"522702"), Some(&b""[..]));
        assert_eq!(block.find(b"5227"), None);
        assert_eq!(block.iter().collect::<Vec<_>>(), entries);
    }

    #[test]
    fn damaged_blocks_are_errors() {
        let good = encode([(&b"a"[..], &b"xy"[..]), (&b"b"[..], &b"z"[..])].into_iter()).unwrap();
        assert!(Block::decode(&good[..]).is_ok());
        assert!(Block::decode(&b""[..]).is_err());
        assert!(Block::decode(&b"{\"json\":1}"[..]).is_err());
        for n in 1..good.len() {
            assert!(Block::decode(&good[..n]).is_err(), "cut at {n}");
        }
        let mut long = good.clone();
        long.push(0);
        assert!(Block::decode(&long[..]).is_err());
        let unsorted = encode([(&b"b"[..], &b""[..]), (&b"a"[..], &b""[..])].into_iter()).unwrap();
        assert!(Block::decode(&unsorted[..]).is_err());
        let huge_count = [FORMAT, 255, 255, 255, 255];
        assert!(Block::decode(&huge_count[..]).is_err());
    }

    /// Found by a tester: a 户编号 of 65,536 bytes was written with its length cut to 16 bits,
    /// and the block's other households were lost to every later read.
    #[test]
    fn an_id_too_long_for_the_layout_is_refused_not_cut() {
        let long = vec![b'1'; 65_536];
        let entries = [(&b"1"[..], &b"x"[..]), (long.as_slice(), &b"y"[..])];
        assert!(encode(entries.into_iter()).is_err());
        let longest = vec![b'1'; 65_535];
        let bytes = encode([(longest.as_slice(), &b"y"[..])].into_iter()).unwrap();
        assert_eq!(
            Block::decode(&bytes[..]).unwrap().find(&longest),
            Some(&b"y"[..])
        );
    }

    #[test]
    fn cuts_are_even_and_bounded() {
        assert_eq!(cuts(0), Vec::<usize>::new());
        assert_eq!(cuts(1), vec![1]);
        assert_eq!(cuts(64), vec![64]);
        assert_eq!(cuts(65), vec![33, 32]);
        assert_eq!(cuts(4160), vec![64; 65]);
    }

    proptest! {
        #[test]
        fn merge_agrees_with_a_map(
            old in proptest::collection::btree_map("[0-9]{1,3}", "[a-z]{0,3}", 0..40),
            changes in proptest::collection::btree_map("[0-9]{1,3}", proptest::option::of("[a-z]{0,3}"), 0..40),
        ) {
            let bytes = encode(old.iter().map(|(k, v)| (k.as_bytes(), v.as_bytes()))).unwrap();
            let block = Block::decode(&bytes[..]).unwrap();
            let changes: Vec<(Vec<u8>, Option<Vec<u8>>)> = changes
                .iter()
                .map(|(k, v)| (k.clone().into_bytes(), v.clone().map(String::into_bytes)))
                .collect();
            let (merged, delta) = merge(block.iter(), &changes);
            let mut model: BTreeMap<Vec<u8>, Vec<u8>> = old
                .iter()
                .map(|(k, v)| (k.clone().into_bytes(), v.clone().into_bytes()))
                .collect();
            for (k, v) in &changes {
                match v {
                    Some(v) => { model.insert(k.clone(), v.clone()); }
                    None => { model.remove(k); }
                }
            }
            let expect: Vec<(&[u8], &[u8])> =
                model.iter().map(|(k, v)| (k.as_slice(), v.as_slice())).collect();
            prop_assert_eq!(merged, expect);
            prop_assert_eq!(delta, model.len() as i64 - old.len() as i64);
        }
    }
}
