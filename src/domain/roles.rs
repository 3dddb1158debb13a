//! Roles of DESIGN §1, carried in the JWT claim `role`.

use super::enums::string_enum;

string_enum! {
    /// Who a caller is to the service; decides what it may do and what it sees.
    pub enum Role as "role" {
        /// 稽核: registers subjects, records violations, proposes sanctions.
        Inspector = "inspector",
        /// 稽核股覆核: reviews recorded violations, decides appeals and repairs.
        Reviewer = "reviewer",
        /// 分管领导: approves reviewed violations and list entries.
        Approver = "approver",
        /// Everything the writers may do, plus catalogue, policy and clients.
        Admin = "admin",
        /// The medical-insurance office of one institution (claim `org`).
        Hospital = "hospital",
        /// A joint-punishment partner agency: lists, standing and feed, with people masked.
        Partner = "partner",
        /// Internal audit: reads everything, writes nothing.
        Auditor = "auditor",
    }
}
