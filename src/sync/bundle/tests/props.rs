//! Damage at random: always refused, never a panic.

use age::secrecy::{ExposeSecret, SecretString};
use proptest::prelude::*;

use super::*;

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
