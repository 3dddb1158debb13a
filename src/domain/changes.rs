//! The words of the change log (DESIGN §13): what kind of thing changed and how.

use super::enums::string_enum;

string_enum! {
    /// What a `changes` row is about.
    pub enum ChangeEntity as "change entity" {
        /// A case coming into force or being voided.
        Case = "case",
        LedgerEntry = "ledger_entry",
        Sanction = "sanction",
        Subject = "subject",
        /// An entry on the red or black list.
        ListEntry = "list_entry",
        /// An appeal filed or decided.
        Appeal = "appeal",
        /// A credit repair applied for or decided.
        Repair = "repair",
        /// A commendation (守信激励) proposed or decided.
        Commendation = "commendation",
        /// A practitioner's repair activity recorded or decided.
        RepairActivity = "repair_activity",
        /// A practitioner's registration (affiliation) filed or ended.
        Registration = "registration",
        /// A commitment signature recorded.
        Commitment = "commitment",
        /// The materialised standing of a subject, when what it answers changes.
        Standing = "standing",
        /// A smart-monitoring suspect (疑点): staff only, and never a standing.
        Suspicion = "suspicion",
    }
}

string_enum! {
    /// How it changed.
    pub enum ChangeOp as "change op" {
        Added = "added",
        Changed = "changed",
        Ended = "ended",
        Removed = "removed",
    }
}
