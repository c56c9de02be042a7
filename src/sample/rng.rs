//! Seeded draws that give the same result on every machine: a ChaCha8 stream per purpose,
//! integer arithmetic only.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A fixed 64-bit hash (FNV-1a) of the parts, separated by a byte UTF-8 never holds.
pub(crate) fn stream(parts: &[&str]) -> u64 {
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for b in part.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(PRIME);
        }
        h ^= 0xff;
        h = h.wrapping_mul(PRIME);
    }
    h
}

/// The generator of one draw: the seed's ChaCha8 with the stream of `parts`.
pub(crate) fn rng(seed: u64, parts: &[&str]) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(stream(parts));
    rng
}

/// An index in `0..n` (n > 0).
fn index(rng: &mut ChaCha8Rng, from: usize, n: usize) -> usize {
    let from = from as u64;
    let n = n as u64;
    usize::try_from(rng.random_range(from..n)).unwrap_or(0)
}

/// `k` of `items` by lot, without replacement (a partial Fisher–Yates shuffle), in drawn order.
pub(crate) fn choose<T>(rng: &mut ChaCha8Rng, mut items: Vec<T>, k: usize) -> Vec<T> {
    let n = items.len();
    let k = k.min(n);
    for i in 0..k {
        let j = index(rng, i, n);
        items.swap(i, j);
    }
    items.truncate(k);
    items
}

/// `k` of `items` by lot without replacement, each as likely as its weight (0 counts as 1),
/// in drawn order.
pub(crate) fn choose_weighted<T>(
    rng: &mut ChaCha8Rng,
    mut items: Vec<(T, u64)>,
    k: usize,
) -> Vec<T> {
    let mut chosen = Vec::with_capacity(k.min(items.len()));
    while chosen.len() < k && !items.is_empty() {
        let total: u64 = items.iter().map(|(_, w)| (*w).max(1)).sum();
        let mut ticket = rng.random_range(0..total);
        let mut pick = items.len() - 1;
        for (i, (_, w)) in items.iter().enumerate() {
            let w = (*w).max(1);
            if ticket < w {
                pick = i;
                break;
            }
            ticket -= w;
        }
        chosen.push(items.remove(pick).0);
    }
    chosen
}

/// A tie-breaking number for each of `n` items, by lot.
pub(crate) fn lots(rng: &mut ChaCha8Rng, n: usize) -> Vec<u64> {
    (0..n).map(|_| rng.random::<u64>()).collect()
}
