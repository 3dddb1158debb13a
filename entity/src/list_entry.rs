//! An entry on the black (严重失信) or red (守信) list. Ends by expiry, removal, repair or voiding of its cases.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "list_entries")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// `black` or `red`.
    pub list: String,
    pub subject_id: i64,
    pub subject_code: String,
    pub subject_kind: String,
    pub reason: String,
    pub legal_basis: String,
    /// JSON array of measure codes partners apply.
    pub measures: String,
    pub exit_conditions: String,
    /// JSON array of remedies with their deadlines.
    pub remedies: String,
    pub listed_on: Date,
    pub expires_on: Option<Date>,
    pub published: bool,
    #[sea_orm(unique)]
    pub cause_key: Option<String>,
    pub ended_on: Option<Date>,
    /// `removed`, `repaired` or `voided`.
    pub end_kind: Option<String>,
    pub end_reason: Option<String>,
    pub created_by: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
