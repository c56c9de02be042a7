//! Whom or what an interview is about: a household (the household visit), a person (a cadre
//! talked to one to one), a project (checked on site) or a place (a county, township or
//! village whose archives are read).
//!
//! Stores, backups and answer bundles name an interview's subject by a **subject key** in the
//! field that has always held the household id (`household_id`), beside the subject's kind
//! (`subject`): a household's key is its household id as it always was, so older stores,
//! backups and bundles read unchanged; any other subject's key is its kind and its id joined
//! by a colon (`project:XM-2017-003`, `person:R-5f2c9a`, `place:village:演示县/清溪镇/石门村`).
//! The registry refuses household ids that begin like another kind's key, so keys never
//! collide.

use serde::{Deserialize, Serialize};

use crate::i18n::Text;

/// The kinds of subject.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum SubjectKind {
    #[default]
    Household,
    /// A cadre or another person talked to (交流座谈), with a role.
    Person,
    /// A poverty-alleviation or East–West cooperation project (实地查核).
    Project,
    /// A county, township or village, for the archive check (档案台账).
    Place,
}

impl SubjectKind {
    pub const ALL: [SubjectKind; 4] = [
        SubjectKind::Household,
        SubjectKind::Person,
        SubjectKind::Project,
        SubjectKind::Place,
    ];

    /// The name in files: `household`, `person`, `project`, `place`.
    pub fn id(self) -> &'static str {
        match self {
            SubjectKind::Household => "household",
            SubjectKind::Person => "person",
            SubjectKind::Project => "project",
            SubjectKind::Place => "place",
        }
    }

    pub fn parse(s: &str) -> Option<SubjectKind> {
        SubjectKind::ALL.into_iter().find(|k| k.id() == s)
    }

    pub fn label(self) -> Text {
        match self {
            SubjectKind::Household => Text::new("农户", "household"),
            SubjectKind::Person => Text::new("访谈对象", "person"),
            SubjectKind::Project => Text::new("项目", "project"),
            SubjectKind::Place => Text::new("地方", "place"),
        }
    }

    pub fn is_household(&self) -> bool {
        *self == SubjectKind::Household
    }
}

/// One subject: its kind and its id within the kind.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Subject {
    pub kind: SubjectKind,
    pub id: String,
}

impl Subject {
    pub fn household(id: impl Into<String>) -> Subject {
        Subject {
            kind: SubjectKind::Household,
            id: id.into(),
        }
    }

    pub fn new(kind: SubjectKind, id: impl Into<String>) -> Subject {
        Subject {
            kind,
            id: id.into(),
        }
    }

    /// The subject key (see the module docs).
    pub fn key(&self) -> String {
        match self.kind {
            SubjectKind::Household => self.id.clone(),
            k => format!("{}:{}", k.id(), self.id),
        }
    }

    /// The subject a key names: `kind:id` for a kind other than household, else the
    /// household the key is the id of.
    pub fn from_key(key: &str) -> Subject {
        kind_of_key(key)
            .and_then(|k| {
                let id = key.get(k.id().len() + 1..)?;
                Some(Subject::new(k, id))
            })
            .unwrap_or_else(|| Subject::household(key))
    }
}

/// The kind a key's prefix names, when it is not a household's (`project:` …).
fn kind_of_key(key: &str) -> Option<SubjectKind> {
    let (prefix, _) = key.split_once(':')?;
    SubjectKind::parse(prefix).filter(|k| !k.is_household())
}

/// Whether a household id would read as another kind's subject key (the registry refuses
/// such ids).
pub fn looks_like_other_subject(household_id: &str) -> bool {
    kind_of_key(household_id).is_some()
}

/// Whether `key` is a key of a subject of `kind` (a record's `subject` and `household_id`
/// agree).
pub fn key_is_of(key: &str, kind: SubjectKind) -> bool {
    Subject::from_key(key).kind == kind
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn household_keys_are_household_ids() {
        let h = Subject::household("532325100101000123");
        assert_eq!(h.key(), "532325100101000123");
        assert_eq!(Subject::from_key("532325100101000123"), h);
        // A colon alone does not make a key of another kind.
        assert_eq!(Subject::from_key("A:1").kind, SubjectKind::Household);
        assert_eq!(
            Subject::from_key("household:1").kind,
            SubjectKind::Household
        );
    }

    #[test]
    fn other_keys_carry_their_kind() {
        for (kind, id) in [
            (SubjectKind::Project, "XM-2017-003"),
            (SubjectKind::Person, "R-5f2c9a"),
            (SubjectKind::Place, "village:演示县/清溪镇/石门村"),
        ] {
            let s = Subject::new(kind, id);
            let key = s.key();
            assert!(key.starts_with(kind.id()));
            assert_eq!(Subject::from_key(&key), s, "{key}");
            assert!(key_is_of(&key, kind));
            assert!(!key_is_of(&key, SubjectKind::Household));
            assert!(looks_like_other_subject(&key));
        }
        assert!(!looks_like_other_subject("532325100101000123"));
    }

    #[test]
    fn kinds_read_back_and_are_labelled() {
        for k in SubjectKind::ALL {
            assert_eq!(SubjectKind::parse(k.id()), Some(k));
            assert!(!k.label().zh.is_empty());
            let json = serde_json::to_string(&k).unwrap();
            assert_eq!(json, format!("\"{}\"", k.id()));
        }
        assert_eq!(SubjectKind::parse("cadre"), None);
    }
}
