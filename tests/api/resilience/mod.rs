//! Faults (issue 19): slow and oversized clients, stop signals, the database going away or filling up, tokens
//! from the future, import records after a fault, and a PostgreSQL restart under a stream of writes.

mod connections;
mod database;
mod imports;
mod restart;
mod tokens;

use medcredit::auth::JwtKeys;
use medcredit::startup::Application;
use medcredit::state::AppState;

use crate::helpers::*;

/// A server like `spawn_app`'s whose state (its own pool) the test keeps, to break what the server uses.
pub struct Served {
    pub api: Api,
    pub state: AppState,
    /// Kept so that the database outlives the server (and for a second connection to it).
    pub database: TestDatabase,
}

pub async fn serve_keeping_state(settings: &[(&str, &str)]) -> Served {
    let database = TestDatabase::fresh().await;
    let settings = [&[("MEDCREDIT_JWT_SECRET", SECRET)], settings].concat();
    let config = database.config(&settings);
    let keys = JwtKeys::from_config(&config, None).expect("test keys");
    let app = Application::build(config, keys.clone())
        .await
        .expect("build app");
    let state = app.state().clone();
    let api = Api {
        address: format!("http://127.0.0.1:{}", app.port()),
        client: crate::helpers::client(),
        keys,
    };
    tokio::spawn(app.run_until(std::future::pending()));
    Served {
        api,
        state,
        database,
    }
}
