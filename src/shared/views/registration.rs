//! Registrations (登记备案) and commitment signatures (信用承诺) as readers are shown them, in answers, the
//! change feed and webhook deliveries (issue 20).

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::masking::Audience;
use crate::domain::registration::{CommitmentState, RegistrationState};
use crate::domain::scoring::SubjectKind;

/// A practitioner's registration at an institution or pharmacy (the affiliation), with its state today.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct AffiliationView {
    pub practitioner_code: String,
    pub institution_code: String,
    pub institution_name: String,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    /// Whether the affiliation covers today (UTC+8).
    pub active: bool,
    /// The registration's state today (UTC+8), derived from its dates, the person's commitment and running
    /// qualification sanctions; rows written before states existed carry none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<RegistrationState>,
}

/// One signature of a commitment text recorded for a subject.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct CommitmentView {
    pub id: i64,
    pub subject_code: String,
    pub subject_kind: SubjectKind,
    pub text_version: String,
    pub signed_on: NaiveDate,
    /// Who signed (the legal representative, or the practitioner).
    pub signer_name: String,
    #[schema(value_type = Vec<crate::service::cases::Evidence>)]
    pub evidence: serde_json::Value,
    pub recorded_at: DateTime<Utc>,
    /// The subject's commitment after this signature, on the day it was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<CommitmentState>,
}

impl CommitmentView {
    /// Whether `audience` is shown signatures at all: staff, and a hospital for its own subjects (the feed and
    /// webhooks pick those); partners and the public learn the commitment's state from standing only.
    pub fn exists_for(audience: Audience) -> bool {
        audience.sees_staff()
    }
}
