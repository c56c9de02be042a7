#![no_main]
//! Fuzz target `expression`: the body is [`ruhu_fuzz::expression`] (fuzz/src/lib.rs), which
//! tests/fuzz_regressions.rs also runs on the inputs kept in tests/fuzz/expression/.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| ruhu_fuzz::expression(data));
