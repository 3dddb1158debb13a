//! Who acts, as use cases see it: no headers, no tokens. `auth` builds one from a verified JWT; the startup
//! catalogue seed and the date scheduler act as `Actor::system`.

use crate::domain::roles::Role;
use crate::service::error::{ServiceError, ServiceResult};

#[derive(Clone, Debug)]
pub struct Actor {
    /// Token subject (`sub`); what four eyes compares.
    pub sub: String,
    pub role: Role,
    /// Hospitals: the institution code they act for.
    pub org: Option<String>,
    /// Ties writes to log lines and audit rows.
    pub request_id: String,
}

impl Actor {
    /// The service itself (catalogue seed, scheduled changes). Admin rights, and named as such in the audit.
    pub fn system(request_id: &str) -> Self {
        Self {
            sub: "system".into(),
            role: Role::Admin,
            org: None,
            request_id: request_id.into(),
        }
    }

    /// Passes when the actor holds one of `roles`; `admin` may do everything the other writers may (DESIGN §1).
    pub fn require(&self, roles: &[Role]) -> ServiceResult<()> {
        if self.role == Role::Admin || roles.contains(&self.role) {
            return Ok(());
        }
        let mut allowed: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
        allowed.push(Role::Admin.as_str());
        Err(ServiceError::Forbidden(format!(
            "role {} may not do this; allowed: {}",
            self.role,
            allowed.join(", ")
        )))
    }

    /// Partners see personal identifiers masked (DESIGN §8).
    pub fn sees_masked_identities(&self) -> bool {
        self.role == Role::Partner
    }
}
