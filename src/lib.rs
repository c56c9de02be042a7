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
