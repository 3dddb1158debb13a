//! Service commitments (信用承诺, issue 20): how long a signature of a replaced text stays valid when a text is
//! published without saying. The national rules name no period; 30 days is one month for every signer of a
//! region to sign the new version, and a text may set its own up to the ceiling.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct CommitmentPolicy {
    /// Days a signature of the version before stays valid once a new text takes effect, when the text gives none.
    pub resign_within_days: u32,
    /// The most days a text may give: a signature of a replaced text may not stay valid longer.
    pub max_resign_within_days: u32,
}

impl Default for CommitmentPolicy {
    fn default() -> Self {
        CommitmentPolicy {
            resign_within_days: 30,
            max_resign_within_days: 365,
        }
    }
}

impl CommitmentPolicy {
    pub(super) fn validate(&self) -> Result<(), String> {
        if self.max_resign_within_days == 0 || self.max_resign_within_days > 3650 {
            return Err("commitments.max_resign_within_days must be 1-3650".into());
        }
        if self.resign_within_days > self.max_resign_within_days {
            return Err(format!(
                "commitments.resign_within_days ({}) must not exceed commitments.max_resign_within_days ({})",
                self.resign_within_days, self.max_resign_within_days
            ));
        }
        Ok(())
    }
}
