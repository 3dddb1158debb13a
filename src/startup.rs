//! Building the application: connect, migrate, assemble the router with its layers, bind. Tests call
//! `Application::build` with port 0 and read the bound port back.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{Request, StatusCode};
use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, DbBackend, TransactionTrait};
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_swagger_ui::SwaggerUi;

use crate::auth::JwtKeys;
use crate::config::Config;
use crate::db::Db;
use crate::error::ApiError;
use crate::metrics::Metrics;
use crate::middleware::{REQUEST_ID, problem_for_bare_errors};
use crate::openapi::ApiDoc;
use crate::rate_limit::RateLimit;
use crate::state::{AppState, Clock};

/// Request bodies above this are refused with 413 (DESIGN §10).
pub const BODY_LIMIT: usize = 1024 * 1024;

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct StartupError(pub String);

pub struct Application {
    listener: TcpListener,
    router: Router,
    state: AppState,
}

/// The routes and the OpenAPI document collected from them.
pub fn documented_routes() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let (router, mut spec) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(crate::routes::api())
        .split_for_parts();
    utoipa::Modify::modify(&crate::openapi::RateLimited, &mut spec);
    (router, spec)
}

pub async fn connect_and_migrate(config: &Config) -> Result<Db, StartupError> {
    let db = Db::connect(&config.database_url, config.db_schema.as_deref())
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
    crate::service::catalogue::ensure_default(&db.conn)
        .await
        .map_err(|e| StartupError(format!("cannot load the default catalogue: {e}")))?;
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
        let listener = TcpListener::bind(config.bind)
            .await
            .map_err(|e| StartupError(format!("cannot bind {}: {e}", config.bind)))?;
        let state = AppState {
            db,
            config: Arc::new(config),
            jwt: Arc::new(jwt),
            clock,
            metrics: Arc::new(Metrics::new()),
        };
        let router = app_router(state.clone());
        Ok(Self {
            listener,
            router,
            state,
        })
    }

    pub fn port(&self) -> u16 {
        self.listener.local_addr().map(|a| a.port()).unwrap_or(0)
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` resolves, then finishes in-flight requests.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        // The peer address keys anonymous callers' rate-limit buckets.
        let service = self
            .router
            .into_make_service_with_connect_info::<SocketAddr>();
        axum::serve(self.listener, service)
            .with_graceful_shutdown(shutdown)
            .await
    }

    /// Serves until Ctrl-C or SIGTERM.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.run_until(shutdown_signal()).await
    }
}

pub fn app_router(state: AppState) -> Router {
    let (api, spec) = documented_routes();
    let timeout = state.config.request_timeout;
    api.merge(SwaggerUi::new("/docs").url("/api-docs/openapi.json", spec))
        .fallback(|| async { ApiError::NotFound("no such route".into()) })
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        // Each `.layer` wraps the ones before it: the request id is set first, bare errors from the inner layers
        // (limit, timeout, panic) are rewritten as problem+json on the way out.
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, timeout))
        .layer(CatchPanicLayer::new())
        .layer(axum::middleware::from_fn(problem_for_bare_errors))
        // Throttled requests are refused before their body is read; the metrics layer sees them (429) too.
        .layer(axum::middleware::from_fn_with_state(
            RateLimit::new(&state),
            crate::rate_limit::enforce,
        ))
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
