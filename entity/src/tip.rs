//! 举报: a tip-off from anyone, its handling and its reward. Contact and payment details are sealed text.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tips")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The number the reporter is given (`JB…`).
    pub number: String,
    /// SHA-256 (hex) of the claim code; the code itself is shown once and never stored.
    pub claim_hash: String,
    /// `received`, `accepted`, `not_accepted` or `closed`.
    pub state: String,
    /// Who is reported, as the reporter knows them.
    pub reported_code: Option<String>,
    pub reported_name: Option<String>,
    pub reported_region: Option<String>,
    /// The subject the handler linked it to on acceptance.
    pub subject_id: Option<i64>,
    pub subject_code: Option<String>,
    pub facts: String,
    pub occurred: Option<String>,
    pub place: Option<String>,
    /// JSON array of evidence references.
    pub evidence: String,
    pub wants_reward: bool,
    /// The reporter gave contact details.
    pub named: bool,
    /// The handler found the reporter to be an insider of the reported institution.
    pub insider: bool,
    pub contact_sealed: Option<String>,
    pub payment_sealed: Option<String>,
    pub received_at: DateTimeUtc,
    pub decision_due: Date,
    pub handler_issuer: Option<String>,
    pub handler_role: Option<String>,
    pub handler_org: Option<String>,
    pub handler_sub: Option<String>,
    pub decided_at: Option<DateTimeUtc>,
    pub decision_reason: Option<String>,
    pub notify_due: Option<Date>,
    pub closed_at: Option<DateTimeUtc>,
    /// `proposed`, `approved`, `paid` or `declined`; none until a linked case is approved.
    pub reward_state: Option<String>,
    pub confirmed_fen: Option<i64>,
    pub reward_proposed_fen: Option<i64>,
    pub reward_fen: Option<i64>,
    pub reward_proposed_at: Option<DateTimeUtc>,
    pub reward_decided_by: Option<String>,
    pub reward_decided_at: Option<DateTimeUtc>,
    pub reward_reason: Option<String>,
    pub paid_on: Option<Date>,
    pub payment_reference: Option<String>,
    pub declined_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
