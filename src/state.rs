//! What every handler shares: the database, the configuration and the token keys.

use std::sync::Arc;

use crate::auth::JwtKeys;
use crate::config::Config;
use crate::db::Db;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    pub jwt: Arc<JwtKeys>,
}
