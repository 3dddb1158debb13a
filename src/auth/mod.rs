//! Authentication (JWT bearer tokens) and authorisation (roles of DESIGN §1).

pub mod demo_secret;
pub mod jwt;
pub mod keyfile;
pub mod user;

pub use jwt::{Claims, JwtKeys};
pub use user::{Actor, Role};
