//! Use cases: each public function is one thing a caller can do, run in one transaction with its audit row.

pub mod affiliations;
pub mod audit;
pub mod case_rules;
pub mod catalogue;
pub mod credit;
pub mod engine;
pub mod sanctions;
pub mod subjects;
pub mod violations;
pub mod workflow;
