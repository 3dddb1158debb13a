//! Authentication (JWT bearer tokens) and authorisation (roles of DESIGN §1).

pub mod jwt;
pub mod keyfile;
pub mod user;

pub use jwt::{Claims, JwtKeys};
pub use user::{AuthUser, Role};
