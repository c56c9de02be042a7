//! The registry (建档立卡): the household model that interviews are checked against, and its
//! import from county exports (CSV in UTF-8 or GBK, XLSX): columns, encodings, row checks,
//! import runs, villages. Plain Rust: the store implements [`HouseholdTarget`].

pub mod columns;
pub mod describe;
pub mod encoding;
pub mod export;
mod household;
pub mod ids;
pub mod import;
mod read_csv;
mod read_xlsx;
pub mod rejects;
pub mod rows;
pub mod table;
pub mod valid;
pub mod village;

pub use household::{Household, Member, Status, VillageType};
pub use import::{
    HouseholdTarget, ImportOptions, Phase, Stored, Summary, import_households, import_members,
    read_villages,
};
pub use read_xlsx::number_text;
pub use rows::Reject;
pub use village::{
    StatusCounts, Tally, Village, VillageGroup, VillageIndex, VillageRecord, VillageTally,
};
