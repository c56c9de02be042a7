#![no_main]
//! Fuzz target `rules_settings`: the body is [`ruhu_fuzz::rules_settings`] (fuzz/src/lib.rs), which
//! tests/fuzz_regressions.rs also runs on the inputs kept in tests/fuzz/rules_settings/.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| ruhu_fuzz::rules_settings(data));
