//! Who acts, as use cases see it: no headers, no tokens. `auth` builds one from a verified JWT; the startup
//! catalogue seed and the date scheduler act as `Actor::system`.

use crate::i18n::msg;
use sea_orm::{ColumnTrait, Condition};

use crate::domain::masking::Audience;
use crate::domain::roles::Role;
use crate::shared::error::{ServiceError, ServiceResult};

#[derive(Clone, Debug)]
pub struct Actor {
    /// Token issuer (`iss`), empty for tokens without one: part of the principal that owns what it creates.
    pub issuer: String,
    /// Token subject (`sub`); what four eyes compares.
    pub sub: String,
    pub role: Role,
    /// Hospitals: the institution code they act for.
    pub org: Option<String>,
    /// Ties writes to log lines and audit rows.
    pub request_id: String,
    /// A visitor without a token (the public page): reads as the public audience.
    pub anonymous: bool,
}

impl Actor {
    /// The service itself (catalogue seed, scheduled changes). Admin rights, and named as such in the audit.
    pub fn system(request_id: &str) -> Self {
        Self {
            issuer: String::new(),
            sub: "system".into(),
            role: Role::Admin,
            org: None,
            request_id: request_id.into(),
            anonymous: false,
        }
    }

    /// A visitor of the public pages: reads what anyone may (published entries, people masked, no staff).
    pub fn public(request_id: &str) -> Self {
        Self {
            issuer: String::new(),
            sub: String::new(),
            role: Role::Partner,
            org: None,
            request_id: request_id.into(),
            anonymous: true,
        }
    }

    /// Whether this actor is the principal that created a row recorded with these four (DESIGN §14): issuer,
    /// role, org and sub together, so that a hospital and a partner with the same `sub` stay apart.
    pub fn is_principal(&self, issuer: &str, role: &str, org: Option<&str>, sub: &str) -> bool {
        !self.anonymous
            && self.issuer == issuer
            && self.role.as_str() == role
            && self.org.as_deref() == org
            && self.sub == sub
    }

    /// `is_principal` as a query filter over a table's owner columns `[issuer, role, org, sub]`.
    pub fn owns_rows<C: ColumnTrait>(&self, [issuer, role, org, sub]: [C; 4]) -> Condition {
        Condition::all()
            .add(issuer.eq(self.issuer.as_str()))
            .add(role.eq(self.role.as_str()))
            .add(sub.eq(self.sub.as_str()))
            .add(match &self.org {
                Some(code) => org.eq(code.as_str()),
                None => org.is_null(),
            })
    }

    /// The principal as one key (a JSON array), for rows keyed by it such as the look-up quota.
    pub fn principal_key(&self) -> String {
        serde_json::json!([self.issuer, self.role.as_str(), self.org, self.sub]).to_string()
    }

    /// Passes when the actor holds one of `roles`; `admin` may do everything the other writers may (DESIGN §1).
    pub fn require(&self, roles: &[Role]) -> ServiceResult<()> {
        if self.role == Role::Admin || roles.contains(&self.role) {
            return Ok(());
        }
        let mut allowed: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
        allowed.push(Role::Admin.as_str());
        Err(ServiceError::Forbidden(msg!(
            "role-may-not-do-this-allowed",
            role = self.role.to_string(),
            detail = (allowed.join(", ")).to_string()
        )))
    }

    /// Partners see personal identifiers masked (DESIGN §8).
    pub fn sees_masked_identities(&self) -> bool {
        self.audience().masks_people()
    }

    /// The audience every answer to this actor is built for (DESIGN §14).
    pub fn audience(&self) -> Audience {
        match self.role {
            _ if self.anonymous => Audience::Public,
            Role::Partner => Audience::Masked,
            Role::Hospital => Audience::Hospital,
            _ => Audience::Full,
        }
    }
}
