//! # medcredit
//!
//! Credit supervision for a medical-insurance (医保) fund: inspectors record violations against designated
//! institutions, pharmacies, practitioners and insured persons; the service turns them into points, grades,
//! sanctions and list entries, and answers "what is this subject's standing now".
//!
//! # Layout
//!
//! - [`domain`]: pure rules (identifier check digits, masking, dates in UTC+8, scoring, policy). No HTTP, no
//!   storage; unit-tested in place.
//! - [`service`]: use cases. Each runs in one database transaction together with its audit row.
//! - [`routes`]: one module per resource, each with its own router and OpenAPI annotations.
//! - [`auth`]: JWT verification and the role checks of DESIGN §1.
//! - [`error`]: the single [`error::ApiError`], rendered as RFC 9457 problem+json.
//! - [`startup`]: [`startup::Application::build`] connects, migrates, binds (port 0 in tests) and serves.
//! - [`config`], [`state`], [`db`], [`pagination`], [`middleware`], [`extract`], [`openapi`], [`demo`]:
//!   the plumbing those share; [`rate_limit`] and [`metrics`]: the per-client limit and `/metrics`.
//!
//! Tables are defined in the `entity` crate and created by the `migration` crate; both run unchanged on SQLite
//! and PostgreSQL.

pub mod auth;
pub mod config;
pub mod db;
pub mod demo;
pub mod domain;
pub mod error;
pub mod extract;
pub mod metrics;
pub mod middleware;
pub mod openapi;
pub mod pagination;
pub mod rate_limit;
pub mod routes;
pub mod service;
pub mod startup;
pub mod state;
pub mod telemetry;
