//! The roles of the people the assessment team talks to (the notice's 四(四)): the choice
//! names of the cadre questionnaire's `person_role`, a stable contract.

use serde::Serialize;

use crate::i18n::Text;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    CountyCadre,
    TownshipCadre,
    VillageCadre,
    EastWestCadre,
    WorkTeam,
    Helper,
    PartyRep,
    NpcDeputy,
    CppccMember,
}

impl Role {
    pub const ALL: [Role; 9] = [
        Role::CountyCadre,
        Role::TownshipCadre,
        Role::VillageCadre,
        Role::EastWestCadre,
        Role::WorkTeam,
        Role::Helper,
        Role::PartyRep,
        Role::NpcDeputy,
        Role::CppccMember,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Role::CountyCadre => "county_cadre",
            Role::TownshipCadre => "township_cadre",
            Role::VillageCadre => "village_cadre",
            Role::EastWestCadre => "east_west_cadre",
            Role::WorkTeam => "work_team",
            Role::Helper => "helper",
            Role::PartyRep => "party_rep",
            Role::NpcDeputy => "npc_deputy",
            Role::CppccMember => "cppcc_member",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.id() == s)
    }

    pub fn label(self) -> Text {
        match self {
            Role::CountyCadre => Text::new("县级干部", "County cadre"),
            Role::TownshipCadre => Text::new("乡镇干部", "Township cadre"),
            Role::VillageCadre => Text::new("村干部", "Village cadre"),
            Role::EastWestCadre => Text::new(
                "东西部扶贫协作挂职干部",
                "East–West cooperation cadre on secondment",
            ),
            Role::WorkTeam => Text::new("驻村工作队员", "Resident work team member"),
            Role::Helper => Text::new("结对帮扶责任人", "Paired helper"),
            Role::PartyRep => Text::new("党代表", "Party congress representative"),
            Role::NpcDeputy => Text::new("人大代表", "People's congress deputy"),
            Role::CppccMember => Text::new("政协委员", "CPPCC member"),
        }
    }
}
