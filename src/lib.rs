//! ruhu (入户): rehearse and check the household interviews of a poverty-alleviation results
//! assessment. The library holds the domain core (questionnaires, interviews) and the command
//! line; the binary only calls [`cli::main`].

pub mod archive;
pub mod cli;
pub mod demo;
pub mod i18n;
pub mod id_number;
pub mod interview;
pub mod limits;
pub mod passphrase;
pub mod printable;
pub mod private_file;
pub mod projects;
pub mod questionnaire;
pub mod reconcile;
pub mod redact;
pub mod registry;
pub mod report;
pub mod sample;
pub mod session;
pub mod sheet_csv;
pub mod store;
pub mod subject;
pub mod sync;
pub mod tables;
pub mod talks;
pub mod tui;

/// mimalloc instead of the system allocator: reading and writing records allocates many
/// small strings and maps, and glibc's malloc was a fifth of the time of an import or a
/// reconciliation (BENCHMARKS.md). Declared here so that the program, its tests and its
/// benchmarks all run with the same allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` in mimalloc's `mi_option_e` (include/mimalloc.h of the bundled
/// v3 sources; the same position in v2). The crate does not export the constant.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
/// How long freed memory stays with the program before it goes back to the system.
const PURGE_DELAY_MS: std::ffi::c_long = 10_000;

/// Tunes the allocator for ruhu's work; call once at start (the program and the benchmarks
/// do). mimalloc gives freed memory back to the system after 10 ms by default; reading a
/// store allocates and frees sled's nodes all the time, and the pages given back and taken
/// again cost a quarter of a reconciliation (BENCHMARKS.md). Ten seconds keeps them through a
/// burst of work and still gives them back when the program sits idle.
pub fn tune_allocator() {
    // SAFETY: mi_option_set only stores an option value; any value is valid for this one.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, PURGE_DELAY_MS) };
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_purge_delay_option_is_set() {
        super::tune_allocator();
        // SAFETY: reads an option value.
        let v = unsafe { libmimalloc_sys::mi_option_get(super::MI_OPTION_PURGE_DELAY) };
        assert_eq!(v, super::PURGE_DELAY_MS);
    }
}
