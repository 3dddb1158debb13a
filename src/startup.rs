//! Building the application: connect, migrate, assemble the router with its layers, bind. Tests call
//! `Application::build` with port 0 and read the bound port back.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::extract::State;
use axum::http::{Method, Request, StatusCode};
use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, DbBackend, TransactionTrait};
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use utoipa_swagger_ui::SwaggerUi;

use crate::auth::JwtKeys;
use crate::config::Config;
use crate::db::Db;
use crate::error::ApiError;
use crate::metrics::Metrics;
use crate::middleware::{REQUEST_ID, problem_for_bare_errors};
use crate::rate_limit::RateLimit;
use crate::read::cache::StandingCache;
use crate::state::{AppState, Clock};

/// Request bodies above this are refused with 413 (DESIGN §10).
pub const BODY_LIMIT: usize = 1024 * 1024;
/// A bulk import streams up to 100,000 rows: its own body limit (rows are a few hundred bytes) and time limit.
pub use crate::service::imports::MAX_BYTES as IMPORT_BODY_LIMIT;
pub use crate::service::imports::MAX_DURATION as IMPORT_TIMEOUT;

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct StartupError(pub String);

pub struct Application {
    listener: TcpListener,
    router: Router,
    state: AppState,
    rate_limit: RateLimit,
}

pub async fn connect_and_migrate(config: &Config) -> Result<Db, StartupError> {
    let url = secrecy::ExposeSecret::expose_secret(&config.database_url);
    let db = Db::connect_with(url, config.db_schema.as_deref(), config.db_acquire_timeout)
        .await
        .map_err(|e| StartupError(format!("cannot connect to the database: {e}")))?;
    // Several nodes may start at once against one PostgreSQL: the first to take this lock migrates and seeds, the
    // others wait and then find nothing to do. The lock is held by an open transaction on a connection of its
    // own and is released when it ends; keyed by schema, so deployments in other schemas do not wait.
    let start_lock = match db.backend() {
        DbBackend::Postgres => {
            let txn = db.conn.begin().await.map_err(startup_db_error)?;
            txn.execute_unprepared(
                "SELECT pg_advisory_xact_lock(hashtext('medcredit-migrate:' || current_schema()))",
            )
            .await
            .map_err(startup_db_error)?;
            Some(txn)
        }
        _ => None,
    };
    Migrator::up(&db.conn, None)
        .await
        .map_err(|e| StartupError(format!("database migration failed: {e}")))?;
    // Start-up acts outside any request: the system clock is the clock here.
    let now = chrono::Utc::now();
    crate::service::catalogue::ensure_default(&db.conn, now)
        .await
        .map_err(|e| StartupError(format!("cannot load the default catalogue: {e}")))?;
    let cx = crate::service::context::Ctx::new(now, Arc::new(config.clone()));
    crate::service::standings::materialise(&db, cx.clone(), false)
        .await
        .map_err(|e| {
            StartupError(format!(
                "cannot write the standings of existing subjects: {e}"
            ))
        })?;
    crate::service::standings::refresh_unpublished(&db, cx.clone())
        .await
        .map_err(|e| {
            StartupError(format!(
                "cannot refresh standings of unpublished entries: {e}"
            ))
        })?;
    crate::service::standings::refresh_unregistered(&db, cx)
        .await
        .map_err(|e| StartupError(format!("cannot refresh standings of registrations: {e}")))?;
    if let Some(txn) = start_lock {
        txn.commit().await.map_err(startup_db_error)?;
    }
    Ok(db)
}

fn startup_db_error(e: sea_orm::DbErr) -> StartupError {
    StartupError(format!("cannot take the start-up lock: {e}"))
}

impl Application {
    pub async fn build(config: Config, jwt: JwtKeys) -> Result<Self, StartupError> {
        Self::build_with_clock(config, jwt, Clock::default()).await
    }

    /// As `build`, with a clock the caller keeps a handle to (tests move it across year boundaries).
    pub async fn build_with_clock(
        config: Config,
        jwt: JwtKeys,
        clock: Clock,
    ) -> Result<Self, StartupError> {
        let db = connect_and_migrate(&config).await?;
        // Imports this server (or a node that is gone) was running when it stopped: say so now, not 10 minutes on.
        let stopped = crate::service::imports::fail_abandoned(&db, clock.now())
            .await
            .map_err(|e| StartupError(format!("cannot close abandoned imports: {e}")))?;
        if stopped > 0 {
            tracing::warn!(imports = stopped, "imports cut off by a stop marked failed");
        }
        let listener = TcpListener::bind(config.bind)
            .await
            .map_err(|e| StartupError(format!("cannot bind {}: {e}", config.bind)))?;
        let standings = Arc::new(StandingCache::new(config.standing_cache_ms > 0));
        standings
            .start_at_end(&db.conn)
            .await
            .map_err(|e| StartupError(format!("cannot read the change log: {e}")))?;
        let tip_key = config.tip_key.as_ref().and_then(|key| {
            crate::shared::sealed::TipKey::from_hex(secrecy::ExposeSecret::expose_secret(key))
        });
        if tip_key.is_none() {
            tracing::warn!(
                "no MEDCREDIT_TIP_KEY: tips are taken only without contact or payment details"
            );
        }
        let per_hour = std::num::NonZeroU32::new(config.policy.tips.per_client_per_hour)
            .unwrap_or(std::num::NonZeroU32::MIN);
        let state = AppState {
            tip_key: tip_key.map(Arc::new),
            tip_limiter: Arc::new(crate::rate_limit::ClientLimiter::per_hour(per_hour)),
            db,
            config: Arc::new(config),
            jwt: Arc::new(jwt),
            clock,
            metrics: Arc::new(Metrics::new()),
            standings,
            imports: Arc::default(),
        };
        let rate_limit = RateLimit::new(&state.config, state.jwt.clone());
        let router = app_router(state.clone(), rate_limit.clone());
        Ok(Self {
            listener,
            router,
            state,
            rate_limit,
        })
    }

    pub fn port(&self) -> u16 {
        self.local_addr().port()
    }

    /// The address actually bound: the configured one, with the port the system chose for port 0.
    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr().unwrap_or(self.state.config.bind)
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` resolves, then lets requests in flight finish (up to the grace period) and stops
    /// the background tasks.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        // One signal for every background task; each is awaited before this returns.
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let cleaner = self.rate_limit.spawn_cleaner(stopped.clone());
        let tip_cleaner =
            crate::rate_limit::spawn_tip_cleaner(self.state.tip_limiter.clone(), stopped.clone());
        let options = crate::serve::ServeOptions {
            header_read_timeout: self.state.config.header_read_timeout,
            grace: self.state.config.shutdown_grace,
        };
        let dates = tokio::spawn(run_dates(self.state.clone(), stopped.clone()));
        let deliveries = tokio::spawn(run_outbox(self.state.clone(), stopped.clone()));
        // Other nodes' commits wake this node's delivery loop and cache sync (PostgreSQL `LISTEN`).
        let listener = crate::worker::signals::listen(&self.state.db, stopped.clone());
        let sync = tokio::spawn(sync_standings(self.state.clone(), stopped));
        let served = crate::serve::serve(self.listener, self.router, options, shutdown).await;
        let _ = stop.send(true);
        let _ = sync.await;
        let _ = dates.await;
        let _ = deliveries.await;
        if let Some(listener) = listener {
            let _ = listener.await;
        }
        let _ = tip_cleaner.await;
        if let Some(cleaner) = cleaner {
            let _ = cleaner.await;
        }
        served
    }

    /// Serves until Ctrl-C or SIGTERM.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.run_until(shutdown_signal()).await
    }
}

/// Sends due webhook deliveries as soon as a commit of this process writes some, and every `outbox_ms` for the
/// rest, until shutdown (off at 0). Each subscriber's deliveries go out on a task of their own, so a slow
/// receiver holds up only its own queue.
async fn run_outbox(state: AppState, mut stopped: tokio::sync::watch::Receiver<bool>) {
    let period = state.config.outbox_ms;
    if period == 0 {
        return;
    }
    let client = crate::worker::outbox::Outbound::new(state.config.webhook_allow.clone());
    let dispatcher = crate::worker::outbox::Dispatcher::default();
    let mut tick = tokio::time::interval(std::time::Duration::from_millis(u64::from(period)));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = state.db.deliveries.notified() => {}
            _ = stopped.changed() => return,
        }
        let now = state.clock.now();
        if let Err(e) = dispatcher.dispatch(&state.db, &client, now).await {
            tracing::warn!(error = %e, "webhook delivery failed");
        }
    }
}

/// Writes the change-log rows of date-driven changes every `dates_secs` (and at start), until shutdown.
async fn run_dates(state: AppState, mut stopped: tokio::sync::watch::Receiver<bool>) {
    let period = state.config.dates_secs;
    if period == 0 {
        return;
    }
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(u64::from(period)));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {
                crate::worker::dates::pass(&state).await;
            }
            _ = stopped.changed() => return,
        }
    }
}

/// Applies other nodes' changes to the standing cache as soon as they announce a commit (PostgreSQL), and every
/// `standing_cache_ms`, until shutdown.
async fn sync_standings(state: AppState, mut stopped: tokio::sync::watch::Receiver<bool>) {
    let period = state.config.standing_cache_ms;
    if period == 0 {
        return;
    }
    let preload = state.clone();
    tokio::spawn(async move {
        match preload.standings.preload(&preload.db.conn).await {
            Ok(rows) => tracing::info!(rows, "standing cache preloaded"),
            Err(e) => tracing::warn!(error = %e, "standing cache preload failed"),
        }
    });
    let mut tick = tokio::time::interval(std::time::Duration::from_millis(u64::from(period)));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = state.db.changes.notified() => {}
            _ = stopped.changed() => return,
        }
        if let Err(e) = state.standings.sync(&state.db.conn).await {
            tracing::warn!(error = %e, "standing cache sync failed");
        }
    }
}

/// After a request that may have written, this node's cache forgets what the write touched before the
/// response leaves, so a client reads its own writes through the same node at once.
async fn sync_after_write(
    State(state): State<AppState>,
    request: Request<axum::body::Body>,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let writes = !matches!(
        request.method(),
        &Method::GET | &Method::HEAD | &Method::OPTIONS
    );
    let response = next.run(request).await;
    if response.status() == StatusCode::INSUFFICIENT_STORAGE {
        state.db.note_storage_full();
    }
    // A write the database refused changed nothing, and asking it again now would only keep the client waiting
    // for the same answer (the background sync catches up after an outage).
    let refused = response.status().is_server_error();
    if writes
        && !refused
        && let Err(e) = state.standings.sync(&state.db.conn).await
    {
        tracing::warn!(error = %e, "standing cache sync failed");
    }
    response
}

pub fn app_router(state: AppState, rate_limit: RateLimit) -> Router {
    let (api, streaming, spec) = crate::openapi::documented_routes();
    let query_rules = crate::query_rules::QueryRules::from_spec(&spec);
    let timeout = state.config.request_timeout;
    // `validatorUrl: none`: by default the UI sends the whole document to validator.swagger.io, which leaks the
    // API's shape to a third party and fails (with a broken badge) on the offline networks this runs on.
    let docs = SwaggerUi::new("/docs")
        .url("/api-docs/openapi.json", spec)
        .config(utoipa_swagger_ui::Config::default().validator_url("none"));
    api.merge(docs)
        .fallback(|| async { ApiError::NotFound(crate::i18n::msg!("problem-no-such-route")) })
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        // Each `.layer` wraps the ones before it: the request id is set first, bare errors from the inner layers
        // (limit, timeout, panic) are rewritten as problem+json on the way out.
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, timeout))
        .merge(
            streaming
                .layer(RequestBodyLimitLayer::new(IMPORT_BODY_LIMIT))
                .layer(axum::middleware::from_fn(
                    crate::routes::imports::name_the_limit,
                ))
                .layer(TimeoutLayer::with_status_code(
                    StatusCode::REQUEST_TIMEOUT,
                    IMPORT_TIMEOUT,
                )),
        )
        .layer(CatchPanicLayer::new())
        .layer(axum::middleware::from_fn_with_state(
            query_rules,
            crate::query_rules::enforce,
        ))
        .layer(axum::middleware::from_fn(problem_for_bare_errors))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            sync_after_write,
        ))
        // Throttled requests are refused before their body is read; the metrics layer sees them (429) too.
        .layer(axum::middleware::from_fn_with_state(
            rate_limit,
            crate::rate_limit::enforce,
        ))
        // An oversized head is refused before anything reads it, still counted by the metrics layer.
        .layer(axum::middleware::from_fn(crate::middleware::limit_head))
        // Every answer, refusals of the layers above included, in the language the request asked for.
        .layer(axum::middleware::from_fn(crate::i18n::negotiate))
        .layer(axum::middleware::from_fn_with_state(
            state.metrics.clone(),
            crate::metrics::record,
        ))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
            let request_id = request
                .headers()
                .get(REQUEST_ID)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("-");
            tracing::info_span!("request", method = %request.method(), uri = %request.uri(), request_id)
        }))
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .with_state(state)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutdown signal received; finishing in-flight requests");
}
