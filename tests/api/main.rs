//! API tests: one integration binary; every test gets its own server and database through `spawn_app()`.

mod access;
mod audit;
mod auth;
mod concurrency;
mod crash;
mod credit;
mod errors;
mod helpers;
mod keys;
mod limits;
mod metrics;
mod openapi;
mod sanctions;
mod subjects;
mod violation_types;
mod violations;
