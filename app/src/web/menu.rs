//! The header's menu: at most nine entries for every role (API.md), one per
//! area the role works in, plus the language switch and signing out. Each
//! area's own pages are listed under the header on the pages of that area,
//! so no entry needs a script to open.

use cus_db::{Actor, Role};
use serde::Serialize;

use crate::window;

/// A page of an area: its path and the message key of its name.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Link {
    pub href: &'static str,
    pub key: &'static str,
}

/// An area of the menu: its name and its pages, the first one its entry.
#[derive(Debug, Clone, Serialize)]
pub struct Section {
    pub key: &'static str,
    pub links: Vec<Link>,
}

/// The header's entries besides the areas: the language switch, and
/// signing out (or in). The profile is linked from the home page.
pub const FIXED_ENTRIES: usize = 2;
/// API.md: at most nine entries in the header.
pub const MAX_ENTRIES: usize = 9;

const fn link(href: &'static str, key: &'static str) -> Link {
    Link { href, key }
}

/// The areas `actor` works in, each with the pages the role may open.
pub fn sections(actor: &Actor) -> Vec<Section> {
    let role = actor.role;
    let staff = role.is_staff();
    let local = actor.municipality.is_some();
    let mut out = Vec::new();
    let mut section = |key: &'static str, links: Vec<(bool, Link)>| {
        let links: Vec<Link> = links
            .into_iter()
            .filter(|(ok, _)| *ok)
            .map(|(_, l)| l)
            .collect();
        if !links.is_empty() {
            out.push(Section { key, links });
        }
    };
    // A resident's only area is their own cases.
    let cases = if role == Role::Resident {
        "nav-cases"
    } else {
        "section-cases"
    };
    section(
        cases,
        vec![
            (role == Role::Resident, link("/cases", "nav-cases")),
            (role == Role::Resident, link("/requests/new", "cases-new")),
            (role == Role::Resident, link("/me/data", "my-data-title")),
            (staff, link("/work", "nav-work")),
            (
                actor.is(window::SEARCHING_RESIDENTS),
                link("/residents", "nav-residents"),
            ),
            (
                actor.is(&[Role::Coordinator, Role::Organizer, Role::Admin]),
                link("/plans", "nav-plans"),
            ),
            (
                actor.is(crate::social_work::referrals::READING),
                link("/referrals", "referrals-title"),
            ),
            (
                actor.is(crate::social_work::contracts::READING),
                link("/social-contracts", "contracts-title"),
            ),
            (role == Role::Organizer, link("/caseload", "caseload-title")),
            (staff, link("/search", "nav-search")),
        ],
    );
    section(
        "section-services",
        vec![
            (staff, link("/services", "nav-services")),
            (true, link("/public/services", "public-services-title")),
        ],
    );
    section(
        "section-contracting",
        vec![
            (true, link("/competitions", "nav-competitions")),
            (
                role == Role::Organizer,
                link("/competitions/manage", "competitions-manage-title"),
            ),
            (
                staff || actor.is(&[Role::Ngo, Role::Council]),
                link("/programs", "nav-programs"),
            ),
            (
                actor.is(&[Role::Organizer, Role::Ngo, Role::Coordinator, Role::Admin]),
                link("/agreements", "nav-agreements"),
            ),
            (
                role == Role::Ngo,
                link("/organization", "org-profile-title"),
            ),
        ],
    );
    let assessing = staff && local;
    section(
        "section-assessment",
        vec![
            (assessing, link("/assessments", "nav-assessment")),
            (assessing, link("/indicators", "ind-title")),
            (assessing, link("/benchmarks", "bench-title")),
            (assessing, link("/corrective-actions", "ca-title")),
            (assessing, link("/surveys", "assess-surveys")),
            (assessing, link("/benchmark-groups", "assess-groups")),
        ],
    );
    let program = local && role != Role::Commission;
    section(
        "section-program",
        vec![
            (program, link("/social-programs", "nav-social-programs")),
            (program, link("/diagnoses", "diagnoses-title")),
        ],
    );
    section(
        "section-community",
        vec![
            (staff, link("/community", "nav-community")),
            (staff || role == Role::Ngo, link("/forum", "nav-forum")),
        ],
    );
    let officer = crate::web::privacy::is_officer(role);
    section(
        "section-privacy",
        vec![
            (officer, link("/privacy/requests", "nav-privacy-requests")),
            (officer, link("/privacy/retention", "nav-privacy-retention")),
            (officer, link("/privacy/register", "nav-privacy-register")),
        ],
    );
    section(
        "section-admin",
        vec![
            (
                actor.is(crate::platform::accounts::ADMINISTERING),
                link("/admin/users", "nav-users"),
            ),
            (
                actor.is(&[Role::Admin, Role::Organizer, Role::Iod]),
                link("/admin/audit", "nav-audit"),
            ),
            (
                role == Role::Organizer,
                link("/privacy/register", "nav-privacy-register"),
            ),
        ],
    );
    out
}

/// The areas of a visitor who is not signed in.
pub fn public_sections() -> Vec<Section> {
    vec![
        Section {
            key: "section-services",
            links: vec![link("/public/services", "public-services-title")],
        },
        Section {
            key: "section-contracting",
            links: vec![link("/competitions", "nav-competitions")],
        },
        Section {
            key: "section-program",
            links: vec![link("/public/social-programs", "sp-public-title")],
        },
    ]
}

/// Whether `path` is `href`'s page or one under it (`/plans/x` is in `/plans`).
fn within(path: &str, href: &str) -> bool {
    path == href || (path.starts_with(href) && path[href.len()..].starts_with('/'))
}

/// The section `path` belongs to: the one with the longest matching link.
pub fn current<'a>(sections: &'a [Section], path: &str) -> Option<(usize, &'a Link)> {
    sections
        .iter()
        .enumerate()
        .flat_map(|(i, s)| s.links.iter().map(move |l| (i, l)))
        .filter(|(_, l)| within(path, l.href))
        .max_by_key(|(_, l)| l.href.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role) -> Actor {
        Actor {
            user_id: "u".into(),
            email: "u@example.org".into(),
            display_name: "U".into(),
            role,
            municipality: (role != Role::Admin).then(|| "1428011".into()),
            organization_id: None,
            resident_id: None,
            locale: "pl".into(),
        }
    }

    #[test]
    fn every_role_fits_in_nine_entries() {
        for role in Role::ALL {
            let n = sections(&actor(*role)).len() + FIXED_ENTRIES;
            assert!(n <= MAX_ENTRIES, "{role:?}: {n} entries");
        }
        assert!(public_sections().len() + FIXED_ENTRIES <= MAX_ENTRIES);
    }

    #[test]
    fn a_page_belongs_to_its_longest_link() {
        let s = sections(&actor(Role::Organizer));
        let (i, l) = current(&s, "/competitions/manage").unwrap();
        assert_eq!(
            (s[i].key, l.href),
            ("section-contracting", "/competitions/manage")
        );
        let (_, l) = current(&s, "/competitions/abc").unwrap();
        assert_eq!(l.href, "/competitions");
        let (i, _) = current(&s, "/plans/abc").unwrap();
        assert_eq!(s[i].key, "section-cases");
        assert!(current(&s, "/plansx").is_none());
        assert!(current(&s, "/").is_none());
    }
}
