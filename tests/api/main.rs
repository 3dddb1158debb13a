//! API tests: one integration binary; every test gets its own server and database through `spawn_app()`.

mod audit;
mod auth;
mod credit;
mod errors;
mod helpers;
mod openapi;
mod sanctions;
mod subjects;
mod violation_types;
mod violations;
