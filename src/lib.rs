//! ruhu (入户): rehearse and check the household interviews of a poverty-alleviation results
//! assessment. The library holds the domain core (questionnaires, interviews) and the command
//! line; the binary only calls [`cli::main`].

pub mod cli;
pub mod demo;
pub mod i18n;
pub mod id_number;
pub mod interview;
pub mod questionnaire;
pub mod reconcile;
pub mod registry;
pub mod sample;
pub mod session;
pub mod store;
pub mod tui;

/// mimalloc instead of the system allocator: reading and writing records allocates many
/// small strings and maps, and glibc's malloc was a fifth of the time of an import or a
/// reconciliation (BENCHMARKS.md). Declared here so that the program, its tests and its
/// benchmarks all run with the same allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
