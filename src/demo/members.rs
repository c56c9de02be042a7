//! Who lives in a demo household: head first, then spouse, parents, children, grandchildren
//! (siblings or others only to fill up), with ages and sexes that fit together and surnames
//! passed down the family.

use rand::Rng;

use super::draw::{between, chance, one_of};
use super::names;

/// `relation` choice names of the members roster (DOMAIN.md, core variables).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Relation {
    Head,
    Spouse,
    Child,
    Parent,
    Grandchild,
    Sibling,
    Other,
}

impl Relation {
    /// The roster choice name.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Relation::Head => "head",
            Relation::Spouse => "spouse",
            Relation::Child => "child",
            Relation::Parent => "parent",
            Relation::Grandchild => "grandchild",
            Relation::Sibling => "sibling",
            Relation::Other => "other",
        }
    }
}

/// The Chinese word of a roster `relation` choice name, or the name itself when unknown.
pub fn relation_word(relation: &str) -> &str {
    match relation {
        "head" => "户主",
        "spouse" => "配偶",
        "child" => "子女",
        "parent" => "父母",
        "grandchild" => "孙子女",
        "sibling" => "兄弟姐妹",
        "other" => "其他",
        other => other,
    }
}

/// The Chinese word of a roster `sex` choice name, or the name itself when unknown.
pub fn sex_word(sex: &str) -> &str {
    match sex {
        "male" => "男",
        "female" => "女",
        other => other,
    }
}

/// One person of a demo household before an ID number is issued.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Person {
    pub name: String,
    pub relation: Relation,
    pub male: bool,
    /// Age in whole years on the reference date.
    pub age: u32,
}

/// Oldest age given to anyone.
pub(crate) const MAX_AGE: u32 = 95;

/// Draws the `size` people of a household whose head has the given sex, age and surname. The
/// head's given name is drawn here too. `reference_year` is the year the ages refer to.
pub(crate) fn family<R: Rng>(
    rng: &mut R,
    size: u32,
    head_male: bool,
    head_age: u32,
    head_surname: &'static str,
    reference_year: i32,
) -> Vec<Person> {
    let born = |age: u32| reference_year - age as i32;
    let mut people = Vec::with_capacity(size as usize);
    people.push(Person {
        name: names::full_name(rng, head_surname, head_male, born(head_age)),
        relation: Relation::Head,
        male: head_male,
        age: head_age,
    });
    let mut slots = size.saturating_sub(1);

    // Spouse: most heads have one living with them; fewer among the old.
    let mut spouse: Option<(bool, u32, &'static str)> = None;
    let spouse_per_mille = if head_age >= 70 { 600 } else { 860 };
    if slots > 0 && chance(rng, spouse_per_mille) {
        let male = !head_male;
        let age = if head_male {
            head_age.saturating_sub(between(rng, 0, 6)).max(20)
        } else {
            (head_age + between(rng, 0, 5)).min(MAX_AGE)
        };
        let surname = names::surname(rng);
        people.push(Person {
            name: names::full_name(rng, surname, male, born(age)),
            relation: Relation::Spouse,
            male,
            age,
        });
        spouse = Some((male, age, surname));
        slots -= 1;
    }

    // Surname of the children: the father's.
    let family_surname = match spouse {
        Some((true, _, surname)) if chance(rng, 800) => surname,
        _ => head_surname,
    };

    // Parents of younger heads.
    if slots > 0 && head_age <= 58 && chance(rng, 280) {
        let both = slots >= 2 && chance(rng, 450);
        let first_male = chance(rng, 450);
        for male in [first_male, !first_male]
            .into_iter()
            .take(if both { 2 } else { 1 })
        {
            let age = (head_age + between(rng, 20, 34)).min(MAX_AGE);
            let surname = if male {
                head_surname
            } else {
                names::surname(rng)
            };
            people.push(Person {
                name: names::full_name(rng, surname, male, born(age)),
                relation: Relation::Parent,
                male,
                age,
            });
            slots -= 1;
        }
    }

    // Children, then grandchildren once an adult child is there.
    let mother_age = match spouse {
        Some((false, age, _)) => Some(age),
        _ if !head_male => Some(head_age),
        _ => None,
    };
    let parent_age = mother_age.unwrap_or_else(|| head_age.saturating_sub(2).max(20));
    let mut children = 0;
    while slots > 0 {
        let adult_child = people
            .iter()
            .filter(|p| p.relation == Relation::Child && p.age >= 20)
            .map(|p| p.age)
            .max();
        let want_grandchild = head_age >= 48 && chance(rng, 450);
        let (relation, age) = match adult_child {
            Some(child_age) if want_grandchild || children >= 4 => {
                let gap = between(rng, 20, child_age.min(36));
                (Relation::Grandchild, child_age - gap)
            }
            _ if children < 4 => {
                let gap = between(rng, 20, parent_age.min(40));
                children += 1;
                (Relation::Child, parent_age - gap)
            }
            _ => {
                let relation = *one_of(rng, &[Relation::Sibling, Relation::Other]);
                let lo = head_age.saturating_sub(12).max(16);
                (relation, between(rng, lo, (head_age + 12).min(MAX_AGE)))
            }
        };
        let male = chance(rng, 520);
        let surname = match relation {
            Relation::Child | Relation::Grandchild => family_surname,
            Relation::Sibling => head_surname,
            _ => names::surname(rng),
        };
        people.push(Person {
            name: names::full_name(rng, surname, male, born(age)),
            relation,
            male,
            age,
        });
        slots -= 1;
    }
    people
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn families_fit_together() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        for i in 0..3000u32 {
            let size = 1 + i % 7;
            let head_age = 25 + (i * 7) % 61;
            let head_male = i % 5 != 0;
            let people = family(&mut rng, size, head_male, head_age, "李", 2017);
            assert_eq!(people.len() as u32, size);
            assert_eq!(people[0].relation, Relation::Head);
            assert_eq!(people[0].age, head_age);
            assert!(people[0].name.starts_with('李'));
            assert_eq!(
                people
                    .iter()
                    .filter(|p| p.relation == Relation::Head)
                    .count(),
                1
            );
            for p in &people {
                assert!(p.age <= MAX_AGE);
                match p.relation {
                    Relation::Spouse => {
                        assert_ne!(p.male, head_male);
                        assert!(p.age >= 20);
                    }
                    Relation::Child => assert!(p.age + 20 <= head_age + 6, "{people:?}"),
                    Relation::Parent => assert!(p.age >= head_age + 20),
                    Relation::Grandchild => assert!(p.age + 40 <= head_age + 6, "{people:?}"),
                    _ => {}
                }
            }
        }
    }

    #[test]
    fn words_of_roster_choices() {
        assert_eq!(relation_word("grandchild"), "孙子女");
        assert_eq!(relation_word("户主"), "户主");
        assert_eq!(sex_word("female"), "女");
    }
}
