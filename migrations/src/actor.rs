//! Who is acting: the authenticated user, their role and municipality.

use serde::Serialize;

crate::text_enum! {
    /// The roles of API.md; stored as their snake_case names.
    pub enum Role {
        Admin = "admin",
        Desk = "desk",
        Organizer = "organizer",
        Coordinator = "coordinator",
        SocialWorker = "social_worker",
        Benefits = "benefits",
        CommunityOrganizer = "community_organizer",
        Commission = "commission",
        Council = "council",
        Ngo = "ngo",
        Resident = "resident",
        /// The data protection officer (inspektor ochrony danych).
        Iod = "iod",
    }
}

impl Role {
    /// Employees of the center (or the municipality's administrator), who
    /// work on residents' cases. Commission and council members are not.
    pub fn is_staff(self) -> bool {
        matches!(
            self,
            Role::Admin
                | Role::Desk
                | Role::Organizer
                | Role::Coordinator
                | Role::SocialWorker
                | Role::Benefits
                | Role::CommunityOrganizer
        )
    }
}

/// The user behind a request, as every service function sees them.
#[derive(Debug, Clone, Serialize)]
pub struct Actor {
    pub user_id: String,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    /// TERYT code; `None` only for a global administrator.
    pub municipality: Option<String>,
    pub organization_id: Option<crate::ids::OrganizationId>,
    pub resident_id: Option<String>,
    pub locale: String,
}

impl Actor {
    pub fn is(&self, roles: &[Role]) -> bool {
        roles.contains(&self.role)
    }

    /// Refuses with 403 unless the actor has one of `roles`.
    pub fn require(&self, roles: &[Role]) -> Result<(), crate::DomainError> {
        if self.is(roles) {
            Ok(())
        } else {
            Err(crate::DomainError::Forbidden)
        }
    }

    /// Whether a record of `municipality` is visible to this actor. A global
    /// administrator sees every municipality.
    pub fn sees_municipality(&self, municipality: &str) -> bool {
        match &self.municipality {
            Some(m) => m == municipality,
            None => self.role == Role::Admin,
        }
    }

    /// Whether the actor is an NGO account acting for organization `org`
    /// of `municipality`. An account's organization is of its own
    /// municipality (checked when the account is made); this checks both
    /// again, so an account that slipped through still sees nothing of
    /// another municipality's organization.
    pub fn acts_for(&self, org: &crate::ids::OrganizationId, municipality: &str) -> bool {
        self.role == Role::Ngo
            && self.organization_id.as_ref() == Some(org)
            && self.municipality.as_deref() == Some(municipality)
    }

    /// The actor's municipality, or 403 for a user that has none (global admin
    /// acting where a municipality is needed).
    pub fn home(&self) -> Result<&str, crate::DomainError> {
        self.municipality
            .as_deref()
            .ok_or(crate::DomainError::Forbidden)
    }
}
