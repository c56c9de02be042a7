//! Portable random draws for the demo data: integer ranges and weighted tables only, so the
//! same seed yields the same data on every platform (no `usize` ranges, no float maths).

use rand::Rng;

/// A table of choices with integer weights and their precomputed sum.
pub(crate) struct Weighted<T: 'static> {
    items: &'static [(T, u32)],
    total: u32,
}

impl<T: 'static> Weighted<T> {
    /// Builds the table at compile time; the weights must not all be zero.
    pub(crate) const fn new(items: &'static [(T, u32)]) -> Weighted<T> {
        let mut total = 0;
        let mut i = 0;
        while i < items.len() {
            total += items[i].1;
            i += 1;
        }
        assert!(total > 0, "a weighted table needs a positive weight");
        Weighted { items, total }
    }

    /// One choice, with probability proportional to its weight.
    pub(crate) fn pick<R: Rng>(&self, rng: &mut R) -> &'static T {
        let mut ticket = rng.random_range(0..self.total);
        for (item, weight) in self.items {
            if ticket < *weight {
                return item;
            }
            ticket -= weight;
        }
        unreachable!("ticket is below the total weight")
    }
}

/// True with probability `per_mille` / 1000.
pub(crate) fn chance<R: Rng>(rng: &mut R, per_mille: u32) -> bool {
    rng.random_range(0..1000u32) < per_mille
}

/// A value in `lo..=hi` (inclusive).
pub(crate) fn between<R: Rng>(rng: &mut R, lo: u32, hi: u32) -> u32 {
    rng.random_range(lo..=hi)
}

/// A value in `lo..=hi` leaning to the middle (sum of two uniform draws).
pub(crate) fn hump<R: Rng>(rng: &mut R, lo: u32, hi: u32) -> u32 {
    let span = hi - lo;
    let a = rng.random_range(0..=span / 2);
    let b = rng.random_range(0..=span - span / 2);
    lo + a + b
}

/// One element of a non-empty slice, uniformly.
pub(crate) fn one_of<'a, R: Rng, T>(rng: &mut R, items: &'a [T]) -> &'a T {
    let n = u32::try_from(items.len()).expect("short table");
    &items[rng.random_range(0..n) as usize]
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    static TABLE: Weighted<&str> = Weighted::new(&[("a", 1), ("b", 0), ("c", 3)]);

    #[test]
    fn weighted_pick_skips_zero_weights_and_follows_weights() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut counts = [0u32; 3];
        for _ in 0..4000 {
            match *TABLE.pick(&mut rng) {
                "a" => counts[0] += 1,
                "b" => counts[1] += 1,
                _ => counts[2] += 1,
            }
        }
        assert_eq!(counts[1], 0);
        assert!((800..1200).contains(&counts[0]), "{counts:?}");
    }

    #[test]
    fn hump_stays_in_range() {
        let mut rng = ChaCha8Rng::seed_from_u64(2);
        for _ in 0..1000 {
            let v = hump(&mut rng, 25, 85);
            assert!((25..=85).contains(&v));
        }
    }
}
