#![no_main]
//! Fuzz target `backup`: the body is [`ruhu_fuzz::backup`] (fuzz/src/lib.rs), which
//! tests/fuzz_regressions.rs also runs on the inputs kept in tests/fuzz/backup/.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| ruhu_fuzz::backup(data));
