//! The compact encoding of records read in bulk: a format byte, then the record in postcard
//! (serde, no field names, numbers as varints). A household takes about a third of its JSON.
//!
//! postcard writes fields and enum variants by position: the order of the fields of
//! [`Household`] and [`Member`](crate::registry::Member) and of the variants of their enums
//! is part of the format. Changing it means a new format byte here and a conversion of
//! stored blocks (see `migrate.rs`).

use super::{Result, StoreError};
use crate::registry::Household;

/// The format byte of a household.
const HOUSEHOLD_V1: u8 = 1;

pub fn encode_household(h: &Household) -> Result<Vec<u8>> {
    check_id(&h.household_id)?;
    let mut out = vec![HOUSEHOLD_V1];
    postcard::to_io(h, &mut out)
        .map_err(|e| StoreError::Invalid(format!("cannot encode household: {e}")))?;
    Ok(out)
}

/// Refuses a household id that is empty or longer than [`crate::limits::MAX_ID_BYTES`]:
/// every way in (import, restore, a new household) checks it first with its own message;
/// this is the store's own guard.
pub fn check_id(id: &str) -> Result<()> {
    if id.is_empty() || id.len() > crate::limits::MAX_ID_BYTES {
        return Err(StoreError::BadId {
            start: id.chars().take(20).collect(),
            bytes: id.len(),
        });
    }
    Ok(())
}

pub fn decode_household(bytes: &[u8]) -> std::result::Result<Household, String> {
    match bytes.split_first() {
        Some((&HOUSEHOLD_V1, rest)) => postcard::from_bytes(rest).map_err(|e| e.to_string()),
        Some((f, _)) => Err(format!("unknown household format {f}")),
        None => Err("empty record".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::{Member, Status, VillageType};

    #[test]
    fn a_household_round_trips_and_is_smaller_than_json() {
        let mut h =
            Household::provisional("522701000000001".into(), "张三丰".into(), "桂花村".into());
        h.provisional = false;
        h.status = Status::Exited;
        h.exit_year = Some(2017);
        h.income_per_capita = Some(4512.5);
        h.village_type = Some(VillageType::Exited);
        h.members.push(Member {
            name: "张三丰".into(),
            id_number: "52270119800101001X".into(),
            relation: "head".into(),
            sex: "male".into(),
            age: Some(37),
        });
        let bytes = encode_household(&h).unwrap();
        assert_eq!(decode_household(&bytes).unwrap(), h);
        assert!(bytes.len() * 2 < serde_json::to_vec(&h).unwrap().len());
        assert!(decode_household(&bytes[..bytes.len() - 1]).is_err());
        assert!(decode_household(b"{\"household_id\":1}").is_err());
        assert!(decode_household(b"").is_err());
    }
}
