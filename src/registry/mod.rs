//! The registry (建档立卡): the household model that interviews are checked against.

mod household;

pub use household::{Household, Member, Status, VillageType};
