#![no_main]
//! Fuzz target `answers`: the body is [`ruhu_fuzz::answers`] (fuzz/src/lib.rs), which
//! tests/fuzz_regressions.rs also runs on the inputs kept in tests/fuzz/answers/.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| ruhu_fuzz::answers(data));
