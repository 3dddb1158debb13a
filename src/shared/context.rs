//! What every use case runs with besides its transaction: the instant it happens at (read once from the
//! server's clock, so an approval's audit row, ledger entry and sanction dates agree) and the configuration
//! with the policy table.

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};

use crate::config::Config;
use crate::domain::dates::{cycle_of_instant, legal_date};
use crate::domain::policy::Policy;

#[derive(Clone)]
pub struct Ctx {
    pub now: DateTime<Utc>,
    pub config: Arc<Config>,
}

impl Ctx {
    pub fn new(now: DateTime<Utc>, config: Arc<Config>) -> Self {
        Self { now, config }
    }

    pub fn policy(&self) -> &Policy {
        &self.config.policy
    }

    /// Today as a legal date (UTC+8).
    pub fn today(&self) -> NaiveDate {
        legal_date(self.now)
    }

    /// The credit cycle (natural year in UTC+8) of `now`.
    pub fn cycle(&self) -> i32 {
        cycle_of_instant(self.now)
    }
}
