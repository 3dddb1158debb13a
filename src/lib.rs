//! # medcredit
//!
//! Credit supervision for a medical-insurance (医保) fund: inspectors record violations against designated
//! institutions, pharmacies, practitioners and insured persons; the service turns them into points, grades,
//! sanctions and list entries, and answers "what is this subject's standing now".
//!
//! # Layout
//!
//! - [`domain`]: pure rules (identifier check digits, masking, text, dates in UTC+8 and the holiday calendar,
//!   scoring, policy, the effects engine, the standing fold, registration states and commitment validity,
//!   lists, appeals). No HTTP, no storage; unit-tested
//!   in place.
//! - [`service`]: use cases over a caller's transaction ([`service::writer::Writer`]), free of HTTP: they take an
//!   [`service::actor::Actor`] and a [`service::context::Ctx`] (the one clock, the policy) and return a
//!   [`service::error::ServiceError`]. The writer appends audit and change-log rows and rewrites the subjects'
//!   `standings` rows in the same transaction (DESIGN §13); [`service::bulk`] lets a bulk write (an import) build
//!   its next statement on a blocking thread while the database executes the one before.
//! - [`shared`]: what use cases and the read side both stand on, so neither imports the other: the actor, the
//!   clock and policy, the one service error, lookups with who may see what (and the partners' daily quota of
//!   person look-ups), the standing facts, and the typed views every answer is built from for its audience
//!   (full, hospital, masked, public; DESIGN §14).
//! - [`read`]: the read side built on `standings` and the change log: the standing answer and its cache, the
//!   feed, screenings, the roster, the work queue, and the statistics read from the counters the writer keeps
//!   (`service::stats`). It imports `shared`, never `service`. Exports
//!   (`service::exports`) and notices (`service::notices`) compose the list use cases, so they live in `service`.
//! - [`pages`]: pages for people (the public list, notices, the tip form), rendered from `templates/` with the
//!   catalogue's words and the security headers of a page for anyone.
//! - [`worker`]: background work with a shutdown signal (the date scheduler).
//! - [`routes`]: one module per resource, each with its own router and OpenAPI annotations.
//! - [`auth`]: JWT verification and the role checks of DESIGN §1.
//! - [`i18n`]: the message catalogue (zh-CN by default, English on `Accept-Language: en`), the request's
//!   language, and [`i18n::Msg`], the key-and-arguments form errors and stored texts carry until rendered.
//! - [`error`]: the single [`error::ApiError`], rendered as RFC 9457 problem+json.
//! - [`startup`]: [`startup::Application::build`] connects, migrates, binds (port 0 in tests) and serves;
//!   [`serve`]: the connection loop with its timeouts and the shutdown's grace period.
//! - [`config`], [`state`], [`db`], [`pagination`], [`middleware`], [`extract`], [`openapi`], [`demo`]:
//!   the plumbing those share; [`query_rules`]: what a URI may carry (no control characters, no undocumented
//!   parameter); [`rate_limit`] and [`metrics`]: the per-client limit and `/metrics` (with the series an
//!   operator alerts on in `metrics::operator`).
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
pub mod i18n;
pub mod metrics;
pub mod middleware;
pub mod openapi;
pub mod pages;
pub mod pagination;
pub mod query_rules;
pub mod rate_limit;
pub mod read;
pub mod routes;
pub mod serve;
pub mod service;
pub mod shared;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod worker;
