#![no_main]
//! Fuzz target `registry_xlsx`: the body is [`ruhu_fuzz::registry_xlsx`] (fuzz/src/lib.rs), which
//! tests/fuzz_regressions.rs also runs on the inputs kept in tests/fuzz/registry_xlsx/.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| ruhu_fuzz::registry_xlsx(data));
