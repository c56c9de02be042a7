#![no_main]
//! Fuzz target `questionnaire`: the body is [`ruhu_fuzz::questionnaire`] (fuzz/src/lib.rs), which
//! tests/fuzz_regressions.rs also runs on the inputs kept in tests/fuzz/questionnaire/.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| ruhu_fuzz::questionnaire(data));
