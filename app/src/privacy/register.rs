//! The register of processing activities (GDPR art. 30 ust. 1), generated
//! from the code: each activity's description below, and the tables each
//! crate says serve it (`cus_db::privacy::TABLES`, `contracting::privacy`,
//! `community::privacy`, and this crate's [`TABLES`]). A test fails when a
//! table of the database is described nowhere, or holds personal data and
//! serves no activity.

use cus_db::privacy::{Holds, TableUse};
use cus_db::{Actor, DomainResult, Role};
use serde::Serialize;
use utoipa::ToSchema;

use super::RetentionKind;

/// The tables of the single window, plans, the assessment and the social
/// services program (this crate's own).
pub const TABLES: &[TableUse] = &[
    TableUse::special("residents", &["single_window", "ipus", "social_work"]),
    TableUse::plain("services"),
    TableUse::plain("case_counters"),
    TableUse::special("requests", &["single_window", "social_work"]),
    TableUse::special("request_events", &["single_window"]),
    TableUse::special("request_messages", &["social_work"]),
    TableUse::special("plans", &["ipus"]),
    TableUse::special("plan_items", &["ipus"]),
    TableUse::special("plan_events", &["ipus"]),
    TableUse::special("privacy_requests", &["data_protection"]),
    TableUse::plain("indicators"),
    TableUse::plain("indicator_sets"),
    TableUse::plain("assessment_runs"),
    TableUse::plain("assessment_results"),
    TableUse::plain("assessment_result_sets"),
    TableUse::plain("surveys"),
    TableUse::personal("survey_codes", &["surveys"]),
    TableUse::personal("survey_responses", &["surveys"]),
    TableUse::plain("benchmark_groups"),
    TableUse::plain("benchmark_members"),
    TableUse::personal("benchmark_meetings", &["benchmarking"]),
    TableUse::plain("benchmark_rounds"),
    TableUse::plain("benchmark_values"),
    TableUse::personal("corrective_actions", &["benchmarking"]),
    TableUse::personal("corrective_events", &["benchmarking"]),
    TableUse::plain("corrective_reminders"),
    TableUse::plain("diagnoses"),
    TableUse::plain("social_programs"),
    TableUse::plain("social_program_services"),
    TableUse::plain("social_program_events"),
    TableUse::personal("social_program_comments", &["consultations"]),
    TableUse::plain("social_program_evaluations"),
    // The search index holds case and agreement numbers and titles (no
    // names of people); its FTS5 shadow tables on SQLite are its own.
    TableUse::plain("search_terms"),
    // Social work (issue 25): families, referrals, social contracts; the
    // districts name only staff.
    TableUse::special("households", &["social_work"]),
    TableUse::special("household_members", &["social_work"]),
    TableUse::plain("districts"),
    TableUse::personal("district_workers", &["social_work"]),
    TableUse::special("referrals", &["social_work"]),
    TableUse::special("referral_events", &["social_work"]),
    TableUse::special("social_contracts", &["social_work"]),
    TableUse::special("contract_commitments", &["social_work"]),
];

/// Every table the platform describes, crate by crate.
pub fn tables() -> Vec<TableUse> {
    [
        cus_db::privacy::TABLES,
        TABLES,
        contracting::privacy::TABLES,
        community::privacy::TABLES,
    ]
    .concat()
}

/// A text in the register's two languages.
pub struct Text {
    pub pl: &'static str,
    pub en: &'static str,
}

const fn t(pl: &'static str, en: &'static str) -> Text {
    Text { pl, en }
}

/// An activity as the code describes it.
pub struct Activity {
    pub code: &'static str,
    pub name: Text,
    pub purpose: Text,
    pub legal_basis: &'static [Text],
    pub data_subjects: &'static [Text],
    pub data_categories: &'static [Text],
    pub recipients: &'static [Text],
    pub retention: &'static [RetentionKind],
}

const STATUTORY: Text = t(
    "art. 6 ust. 1 lit. c i e RODO (obowiązek prawny, zadanie publiczne)",
    "GDPR art. 6(1)(c) and (e) (legal obligation, public task)",
);
const ART9: Text = t(
    "art. 9 ust. 2 lit. b, g i h RODO (zabezpieczenie społeczne, interes publiczny, opieka społeczna)",
    "GDPR art. 9(2)(b), (g) and (h) (social protection, public interest, social care)",
);
const CUS_ACT: Text = t(
    "ustawa z dnia 19 lipca 2019 r. o realizowaniu usług społecznych przez centrum usług społecznych",
    "Act of 19 July 2019 on social services provided by a social services centre",
);
const SOCIAL_ASSISTANCE_ACT: Text = t(
    "ustawa z dnia 12 marca 2004 r. o pomocy społecznej",
    "Act of 12 March 2004 on social assistance",
);
const RESIDENTS: Text = t(
    "mieszkańcy korzystający z usług społecznych i ich otoczenie",
    "residents using social services and their families",
);
const STAFF: Text = t("pracownicy centrum", "the centre's staff");
const NGO_PEOPLE: Text = t(
    "osoby reprezentujące organizacje pozarządowe i osoby do kontaktu",
    "representatives and contact persons of NGOs",
);
const IDENTITY: Text = t(
    "imię, nazwisko, PESEL, adres, dane kontaktowe",
    "name, PESEL, address, contact details",
);
const SITUATION: Text = t(
    "sytuacja życiowa, potrzeby, stan zdrowia, korzystanie z pomocy społecznej",
    "life situation, needs, health, use of social assistance",
);
const CENTER_STAFF: Text = t(
    "upoważnieni pracownicy centrum (według ról)",
    "authorised staff of the centre (by role)",
);
const PROVIDERS: Text = t(
    "realizatorzy usług wskazani w planie, za zgodą mieszkańca",
    "service providers named in the plan, with the resident's consent",
);
const PROCESSOR: Text = t(
    "dostawca hostingu i poczty (podmiot przetwarzający)",
    "hosting and mail provider (processor)",
);
const PUBLIC: Text = t(
    "opinia publiczna (ogłoszenia i wyniki w BIP, bez danych beneficjentów)",
    "the public (notices and results in the Public Information Bulletin, no beneficiaries' data)",
);

/// The activities of the register, in the order it prints them.
pub const ACTIVITIES: &[Activity] = &[
    Activity {
        code: "single_window",
        name: t("Jedno okienko: wnioski mieszkańców", "Single window: residents' requests"),
        purpose: t(
            "Przyjmowanie i rozpatrywanie wniosków o usługi społeczne, kierowanie spraw",
            "Receiving and handling requests for social services, routing cases",
        ),
        legal_basis: &[STATUTORY, ART9, CUS_ACT],
        data_subjects: &[RESIDENTS],
        data_categories: &[IDENTITY, SITUATION],
        recipients: &[CENTER_STAFF, PROCESSOR],
        retention: &[RetentionKind::ClosedCases],
    },
    Activity {
        code: "ipus",
        name: t("Indywidualne plany usług społecznych (IPUS)", "Individual service plans (IPUS)"),
        purpose: t(
            "Opracowanie, realizacja, przegląd i zamknięcie indywidualnego planu usług społecznych",
            "Drawing up, carrying out, reviewing and closing an individual service plan",
        ),
        legal_basis: &[STATUTORY, ART9, CUS_ACT],
        data_subjects: &[RESIDENTS],
        data_categories: &[IDENTITY, SITUATION],
        recipients: &[CENTER_STAFF, PROVIDERS, PROCESSOR],
        retention: &[RetentionKind::ClosedCases],
    },
    Activity {
        code: "social_work",
        name: t("Praca socjalna i świadczenia", "Social work and benefits"),
        purpose: t(
            "Praca socjalna i przyznawanie świadczeń, wymiana informacji między pracownikiem socjalnym a pracownikiem ds. świadczeń, skierowania, gospodarstwa domowe, kontrakty socjalne (art. 108), obciążenie pracowników",
            "Social work and benefits, the information passed between the social worker and the benefits officer, referrals, households, social contracts (art. 108), caseload",
        ),
        legal_basis: &[STATUTORY, ART9, SOCIAL_ASSISTANCE_ACT],
        data_subjects: &[RESIDENTS],
        data_categories: &[IDENTITY, SITUATION],
        recipients: &[CENTER_STAFF, PROCESSOR],
        retention: &[RetentionKind::ClosedCases],
    },
    Activity {
        code: "surveys",
        name: t("Badania satysfakcji odbiorców", "Recipient satisfaction surveys"),
        purpose: t(
            "Ocena jakości usług na podstawie anonimowych ankiet z jednorazowymi kodami",
            "Assessing services through anonymous surveys with one-time codes",
        ),
        legal_basis: &[STATUTORY],
        data_subjects: &[RESIDENTS, STAFF],
        data_categories: &[t(
            "odpowiedzi bez danych identyfikujących, ankieter",
            "answers without identifying data, the interviewer",
        )],
        recipients: &[CENTER_STAFF],
        retention: &[RetentionKind::SurveyCodes],
    },
    Activity {
        code: "contracting",
        name: t("Zlecanie usług organizacjom pozarządowym", "Contracting services to NGOs"),
        purpose: t(
            "Otwarte konkursy ofert, ocena ofert przez komisję, umowy i sprawozdania",
            "Open competitions, commission scoring, agreements and reports",
        ),
        legal_basis: &[
            STATUTORY,
            t(
                "ustawa z dnia 24 kwietnia 2003 r. o działalności pożytku publicznego i o wolontariacie",
                "Act of 24 April 2003 on public benefit and volunteer work",
            ),
        ],
        data_subjects: &[NGO_PEOPLE, t("członkowie komisji konkursowych", "commission members")],
        data_categories: &[t(
            "imię, nazwisko, dane kontaktowe, oświadczenia, oceny",
            "name, contact details, declarations, scores",
        )],
        recipients: &[CENTER_STAFF, PUBLIC, PROCESSOR],
        retention: &[],
    },
    Activity {
        code: "consultations",
        name: t("Konsultacje programów", "Consultations on programmes"),
        purpose: t(
            "Zbieranie i rozpatrywanie uwag do programu współpracy i programu usług społecznych",
            "Collecting and answering comments on the cooperation and social services programmes",
        ),
        legal_basis: &[STATUTORY],
        data_subjects: &[RESIDENTS, NGO_PEOPLE],
        data_categories: &[t("autor i treść uwagi", "the comment's author and text")],
        recipients: &[CENTER_STAFF, PUBLIC],
        retention: &[],
    },
    Activity {
        code: "forum",
        name: t("Forum partnerów i organizowanie społeczności", "Partner forum and community work"),
        purpose: t(
            "Współpraca z partnerami: dyskusje, konsultacje, spotkania",
            "Working with partners: discussions, consultations, meetings",
        ),
        legal_basis: &[STATUTORY],
        data_subjects: &[STAFF, NGO_PEOPLE],
        data_categories: &[t("imię, nazwisko, wpisy", "name, posts")],
        recipients: &[t("członkowie forum gminy", "the municipality's forum members")],
        retention: &[],
    },
    Activity {
        code: "benchmarking",
        name: t("Ocena usług i benchmarking", "Assessment and benchmarking"),
        purpose: t(
            "Działania naprawcze i spotkania grup porównawczych gmin",
            "Corrective actions and the meetings of benchmarking groups",
        ),
        legal_basis: &[STATUTORY],
        data_subjects: &[STAFF, t("uczestnicy spotkań grup", "participants of group meetings")],
        data_categories: &[t("imię, nazwisko, stanowisko", "name, position")],
        recipients: &[CENTER_STAFF, t("gminy grupy porównawczej", "the group's municipalities")],
        retention: &[],
    },
    Activity {
        code: "accounts",
        name: t("Konta użytkowników", "User accounts"),
        purpose: t(
            "Logowanie, bezpieczeństwo kont, powiadomienia e-mail",
            "Sign-in, account security, notifications by mail",
        ),
        legal_basis: &[STATUTORY],
        data_subjects: &[STAFF, RESIDENTS, NGO_PEOPLE],
        data_categories: &[t(
            "adres e-mail, imię i nazwisko, rola, adres IP przy logowaniu",
            "email address, name, role, IP address at sign-in",
        )],
        recipients: &[PROCESSOR],
        retention: &[
            RetentionKind::Sessions,
            RetentionKind::PasswordResets,
            RetentionKind::Outbox,
        ],
    },
    Activity {
        code: "audit",
        name: t("Rejestr zdarzeń (rozliczalność)", "Audit log (accountability)"),
        purpose: t(
            "Rozliczalność: kto i kiedy odczytał lub zmienił dane (art. 5 ust. 2 RODO)",
            "Accountability: who read or changed data, and when (GDPR art. 5(2))",
        ),
        legal_basis: &[STATUTORY, t("art. 32 RODO", "GDPR art. 32")],
        data_subjects: &[STAFF, RESIDENTS],
        data_categories: &[t(
            "identyfikator użytkownika, czynność, rekord, czas",
            "user id, action, record, time",
        )],
        recipients: &[t("inspektor ochrony danych, administrator", "the data protection officer, the administrator")],
        retention: &[RetentionKind::AuditLog],
    },
    Activity {
        code: "data_protection",
        name: t("Realizacja praw osób", "Data subject rights"),
        purpose: t(
            "Przyjmowanie i rozpatrywanie żądań osób (art. 15-21 RODO), blokady prawne",
            "Handling data subject requests (GDPR art. 15-21), legal holds",
        ),
        legal_basis: &[STATUTORY, t("art. 12-21 RODO", "GDPR art. 12-21")],
        data_subjects: &[RESIDENTS],
        data_categories: &[IDENTITY, t("treść żądania i rozstrzygnięcie", "the request and the decision")],
        recipients: &[t("inspektor ochrony danych", "the data protection officer")],
        retention: &[RetentionKind::ClosedCases],
    },
];

/// One activity of the register, in one language (API.md).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Entry {
    pub code: &'static str,
    pub name: &'static str,
    pub purpose: &'static str,
    pub legal_basis: Vec<&'static str>,
    pub data_subjects: Vec<&'static str>,
    pub data_categories: Vec<&'static str>,
    pub special_categories: bool,
    pub recipients: Vec<&'static str>,
    pub retention: Vec<RetentionKind>,
    pub tables: Vec<&'static str>,
}

/// Who reads the register.
pub const READERS: &[Role] = &[Role::Iod, Role::Admin, Role::Organizer];

/// The register in `lang` (`pl` or `en`).
pub fn register(actor: &Actor, lang: &str) -> DomainResult<Vec<Entry>> {
    actor.require(READERS)?;
    Ok(entries(lang))
}

pub fn entries(lang: &str) -> Vec<Entry> {
    let say = |t: &Text| if lang == "en" { t.en } else { t.pl };
    let all = tables();
    ACTIVITIES
        .iter()
        .map(|a| {
            let mine: Vec<&TableUse> = all
                .iter()
                .filter(|u| u.activities.contains(&a.code))
                .collect();
            Entry {
                code: a.code,
                name: say(&a.name),
                purpose: say(&a.purpose),
                legal_basis: a.legal_basis.iter().map(say).collect(),
                data_subjects: a.data_subjects.iter().map(say).collect(),
                data_categories: a.data_categories.iter().map(say).collect(),
                special_categories: mine.iter().any(|u| u.holds == Holds::Special),
                recipients: a.recipients.iter().map(say).collect(),
                retention: a.retention.to_vec(),
                tables: mine.iter().map(|u| u.table).collect(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_described_table_serves_a_known_activity_and_is_described_once() {
        let all = tables();
        let mut seen = std::collections::HashSet::new();
        for u in &all {
            assert!(seen.insert(u.table), "{} described twice", u.table);
            if u.holds != Holds::Nothing {
                assert!(
                    !u.activities.is_empty(),
                    "{} holds personal data for no activity",
                    u.table
                );
            }
            for a in u.activities {
                assert!(
                    ACTIVITIES.iter().any(|x| x.code == *a),
                    "{}: unknown activity {a}",
                    u.table
                );
            }
        }
        let register = entries("pl");
        for code in ["single_window", "ipus", "social_work"] {
            let e = register.iter().find(|e| e.code == code).unwrap();
            assert!(e.special_categories, "{code}");
        }
        for code in ["surveys", "contracting", "accounts", "audit"] {
            assert!(register.iter().any(|e| e.code == code), "{code}");
        }
    }
}
