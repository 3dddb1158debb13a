//! Attributes of subjects that are closed sets (DESIGN §2). Schema derives only; no HTTP or storage here.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Professions under the 12-point system (医保医师/药师/护士/技师/审核人员/药店负责人).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Profession {
    Physician,
    Pharmacist,
    Nurse,
    Technician,
    Reviewer,
    PharmacyHead,
}

/// 职工医保 or 城乡居民医保.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InsuranceType {
    Employee,
    Resident,
}

/// Round-trips a closed-set value through its serde name, so the database holds the same words as the API.
pub fn to_text<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

pub fn from_text<T: for<'de> Deserialize<'de>>(text: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(text.to_string())).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closed_sets_round_trip_through_text() {
        assert_eq!(to_text(&Profession::PharmacyHead), "pharmacy_head");
        assert_eq!(from_text::<Profession>("nurse"), Some(Profession::Nurse));
        assert_eq!(from_text::<InsuranceType>("nobody"), None);
    }
}
