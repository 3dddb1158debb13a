//! Attributes of subjects that are closed sets (DESIGN §2). Schema derives only; no HTTP or storage here.

use super::enums::string_enum;

string_enum! {
    /// Professions under the 12-point system (医保医师/药师/护士/技师/审核人员/药店负责人).
    pub enum Profession as "profession" {
        Physician = "physician",
        Pharmacist = "pharmacist",
        Nurse = "nurse",
        Technician = "technician",
        Reviewer = "reviewer",
        PharmacyHead = "pharmacy_head",
    }
}

string_enum! {
    /// 职工医保 or 城乡居民医保.
    pub enum InsuranceType as "insurance type" {
        Employee = "employee",
        Resident = "resident",
    }
}
