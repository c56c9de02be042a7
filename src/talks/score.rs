//! One talk's knowledge questions scored against the [`Facts`]: each check says what was
//! answered and what the program holds, in words, and whether it is right. A question the
//! facts cannot settle (no income line in the settings, a village the registry does not
//! have, a helper it does not name) is left unscored and says why; it counts neither way.

use serde::Serialize;
use serde_json::{Map, Value as Json};

use super::facts::{Counts, Facts};
use super::role::Role;
use crate::i18n::Text;
use crate::tr;

/// How a check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Right,
    Wrong,
    /// The facts cannot settle it (see `expected` for why).
    Unscored,
}

/// One knowledge question of one talk.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Check {
    /// The question id (`know_income_line` …).
    pub question: &'static str,
    /// What it asks, in short.
    pub label: Text,
    pub outcome: Outcome,
    /// What was answered, in words.
    pub answered: Text,
    /// What the program holds, in words (or why it cannot say).
    pub expected: Text,
}

/// The six parts of the exit standard (一达标、两不愁、三保障), as the questionnaire names
/// them, and the choices that are not part of it.
const EXIT_STANDARD: [&str; 6] = [
    "income",
    "food",
    "clothing",
    "education",
    "medical",
    "housing",
];
const EXIT_STANDARD_LABELS: [(&str, &str); 6] = [
    ("收入达标", "income"),
    ("不愁吃", "food"),
    ("不愁穿", "clothing"),
    ("义务教育有保障", "schooling"),
    ("基本医疗有保障", "medical care"),
    ("住房安全有保障", "safe housing"),
];
/// The steps of a household's exit, in order.
const EXIT_PROCEDURE: [&str; 6] = [
    "review",
    "verify",
    "agree",
    "notice",
    "announce",
    "strike_off",
];
const EXIT_PROCEDURE_LABELS: [(&str, &str); 6] = [
    ("民主评议", "democratic review"),
    ("核实", "verification"),
    ("农户认可", "the household agrees"),
    ("村内公示", "notice in the village"),
    ("乡镇公告", "the township's announcement"),
    ("退出销号", "struck off"),
];

/// A talk as its result gives it.
pub struct Talk<'a> {
    answers: &'a Map<String, Json>,
}

impl<'a> Talk<'a> {
    /// The talk of an interview result (`{"answers": {…}, "rosters": {…}}`); `None` when it
    /// has no answers object.
    pub fn of_result(result: &'a Json) -> Option<Talk<'a>> {
        result
            .get("answers")
            .and_then(Json::as_object)
            .map(|answers| Talk { answers })
    }

    /// A text answer, trimmed; empty when unanswered.
    pub fn text(&self, id: &str) -> String {
        self.answers
            .get(id)
            .and_then(Json::as_str)
            .map(|s| s.trim().to_string())
            .unwrap_or_default()
    }

    fn number(&self, id: &str) -> Option<f64> {
        self.answers.get(id).and_then(Json::as_f64)
    }

    fn choices(&self, id: &str) -> Option<Vec<String>> {
        self.answers.get(id).and_then(Json::as_array).map(|a| {
            a.iter()
                .filter_map(Json::as_str)
                .map(str::to_string)
                .collect()
        })
    }

    pub fn role(&self) -> Option<Role> {
        Role::parse(&self.text("person_role"))
    }
}

/// An amount to the yuan (to the fen when not whole), with thousands grouped.
fn yuan(n: f64) -> String {
    crate::registry::describe::grouped(n)
}

fn households(n: usize) -> Text {
    tr!("{} 户", "{} households", n)
}

/// Every knowledge check of `talk` that its role is asked, in questionnaire order.
pub fn score(talk: &Talk, facts: &Facts) -> Vec<Check> {
    let mut out = Vec::new();
    if let Some(answer) = talk.number("know_income_line") {
        let answered = crate::registry::describe::money(answer);
        out.push(match facts.income_line {
            Some(line) => Check {
                question: "know_income_line",
                label: tr!("脱贫收入标准", "the income line"),
                outcome: if (answer - line).abs() < 0.5 {
                    Outcome::Right
                } else {
                    Outcome::Wrong
                },
                answered,
                expected: Text::new(
                    format!("{} 年为 {} 元", facts.year, yuan(line)),
                    format!("{} yuan in {}", yuan(line), facts.year),
                ),
            },
            None => Check {
                question: "know_income_line",
                label: tr!("脱贫收入标准", "the income line"),
                outcome: Outcome::Unscored,
                answered,
                expected: tr!(
                    "设置中没有 {} 年的收入标准",
                    "the settings have no income line for {}",
                    facts.year
                ),
            },
        });
    }
    if let Some(named) = talk.choices("know_exit_standard") {
        out.push(all_of(
            "know_exit_standard",
            tr!("脱贫标准", "the exit standard"),
            &named,
            &EXIT_STANDARD,
            &EXIT_STANDARD_LABELS,
        ));
    }
    if let Some(named) = talk.choices("know_exit_procedure") {
        out.push(all_of(
            "know_exit_procedure",
            tr!("退出程序", "the exit procedure"),
            &named,
            &EXIT_PROCEDURE,
            &EXIT_PROCEDURE_LABELS,
        ));
    }
    place_counts(talk, facts, &mut out);
    helper(talk, facts, &mut out);
    out
}

/// Right when every one of `all` is named and nothing else is.
fn all_of(
    question: &'static str,
    label: Text,
    named: &[String],
    all: &[&str],
    labels: &[(&str, &str)],
) -> Check {
    let shown = |names: &mut dyn Iterator<Item = &str>| {
        let picked: Vec<(&str, &str)> = names
            .filter_map(|n| all.iter().position(|a| *a == n).map(|i| labels[i]))
            .collect();
        Text::new(
            picked.iter().map(|p| p.0).collect::<Vec<_>>().join("、"),
            picked.iter().map(|p| p.1).collect::<Vec<_>>().join(", "),
        )
    };
    let missing: Vec<&str> = all
        .iter()
        .copied()
        .filter(|a| !named.iter().any(|n| n == a))
        .collect();
    let wrong = named.iter().filter(|n| !all.contains(&n.as_str())).count();
    let right = missing.is_empty() && wrong == 0;
    let said = shown(&mut named.iter().map(String::as_str));
    let mut answered = if said.zh.is_empty() {
        tr!("一项也没说出", "named none")
    } else {
        Text::new(format!("说出：{}", said.zh), format!("named: {}", said.en))
    };
    if wrong > 0 {
        answered = Text::new(
            format!("{}；另有 {} 项不属于", answered.zh, wrong),
            format!("{}; and {} not part of it", answered.en, wrong),
        );
    }
    let lacking = shown(&mut missing.iter().copied());
    Check {
        question,
        label,
        outcome: if right {
            Outcome::Right
        } else {
            Outcome::Wrong
        },
        answered,
        expected: if missing.is_empty() {
            tr!("共 {} 项", "{} parts", all.len())
        } else {
            Text::new(
                format!("共 {} 项，未说出：{}", all.len(), lacking.zh),
                format!("{} parts; not named: {}", all.len(), lacking.en),
            )
        },
    }
}

/// A count question: its id, what it asks, and the registry's count it is scored against.
type CountQuestion = (&'static str, Text, fn(&Counts) -> usize);

/// The village's (a township cadre: the township's) households, as the registry counts them.
fn place_counts(talk: &Talk, facts: &Facts, out: &mut Vec<Check>) {
    let Some(role) = talk.role() else { return };
    let (county, township, village) = (
        talk.text("county"),
        talk.text("township"),
        talk.text("village"),
    );
    let (place, counts): (Text, Option<Counts>) = match role {
        Role::TownshipCadre => (
            Text::new(township.clone(), township.clone()),
            facts.township(&county, &township),
        ),
        Role::VillageCadre | Role::WorkTeam => (
            Text::new(village.clone(), village.clone()),
            facts.village(&county, &township, &village),
        ),
        _ => return,
    };
    let asked: [CountQuestion; 3] = [
        (
            "know_poor_households",
            tr!("未脱贫户数", "poor households"),
            |c| c.poor,
        ),
        (
            "know_exited_households",
            tr!("当年脱贫户数", "households exited this year"),
            |c| c.exited_this_year,
        ),
        (
            "know_returned_households",
            tr!("返贫户数", "returned households"),
            |c| c.returned,
        ),
    ];
    for (question, label, of) in asked {
        let Some(answer) = talk.number(question) else {
            continue;
        };
        let answered = households(answer.max(0.0) as usize);
        out.push(match &counts {
            Some(c) => Check {
                question,
                label,
                outcome: if answer == of(c) as f64 {
                    Outcome::Right
                } else {
                    Outcome::Wrong
                },
                answered,
                expected: Text::new(
                    format!("建档立卡：{} {} 户", place.zh, of(c)),
                    format!("registry: {} households in {}", of(c), place.en),
                ),
            },
            None => Check {
                question,
                label,
                outcome: Outcome::Unscored,
                answered,
                expected: tr!(
                    "建档立卡中没有 {} 的农户",
                    "the registry has no households in {}",
                    place.zh
                ),
            },
        });
    }
}

/// A paired helper's households: how many, and their heads by name.
fn helper(talk: &Talk, facts: &Facts, out: &mut Vec<Check>) {
    if talk.role() != Some(Role::Helper) {
        return;
    }
    let name = talk.text("person_name");
    let helped = facts.helped_by(&talk.text("county"), &name);
    let none = || {
        tr!(
            "建档立卡中没有帮扶责任人为 {} 的户",
            "the registry names {} as helper of no household",
            name
        )
    };
    if let Some(answer) = talk.number("helped_households") {
        let answered = households(answer.max(0.0) as usize);
        out.push(Check {
            question: "helped_households",
            label: tr!("帮扶户数", "households helped"),
            outcome: if helped.is_empty() {
                Outcome::Unscored
            } else if answer == helped.len() as f64 {
                Outcome::Right
            } else {
                Outcome::Wrong
            },
            answered,
            expected: if helped.is_empty() {
                none()
            } else {
                tr!("建档立卡：{} 户", "registry: {} households", helped.len())
            },
        });
    }
    let said = talk.text("helped_heads");
    if talk.answers.contains_key("helped_heads") {
        // Names as said, whole: 王斌 is not named by 王斌文.
        let said: Vec<&str> = said
            .split(|c: char| c.is_whitespace() || "、,，;；/".contains(c))
            .filter(|n| !n.is_empty())
            .collect();
        let named: Vec<&str> = helped
            .iter()
            .map(|h| h.head_name.as_str())
            .filter(|n| !n.is_empty() && said.contains(n))
            .collect();
        let missing: Vec<&str> = helped
            .iter()
            .map(|h| h.head_name.as_str())
            .filter(|n| !named.contains(n))
            .collect();
        out.push(Check {
            question: "helped_heads",
            label: tr!("帮扶户户主", "heads of the households helped"),
            outcome: if helped.is_empty() {
                Outcome::Unscored
            } else if missing.is_empty() {
                Outcome::Right
            } else {
                Outcome::Wrong
            },
            answered: tr!(
                "说出 {} 户：{}",
                "named {}: {}",
                named.len(),
                if named.is_empty() {
                    "—".to_string()
                } else {
                    named.join("、")
                }
            ),
            expected: if helped.is_empty() {
                none()
            } else if missing.is_empty() {
                tr!("建档立卡：{} 户", "registry: {} households", helped.len())
            } else {
                tr!(
                    "建档立卡 {} 户，未说出：{}",
                    "registry: {} households; not named: {}",
                    helped.len(),
                    missing.join("、")
                )
            },
        });
    }
}
