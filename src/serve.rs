//! The connection loop: `axum::serve` with the limits it does not expose. hyper's HTTP/1 connection does the
//! work (a header-read timeout, a cap on the request head); this module accepts, hands each connection to
//! hyper, and on shutdown closes the listener, asks every connection to finish its request in flight, and
//! after the grace period drops whatever is left, in any state, so a stop signal always ends the process.
//!
//! HTTP/1.1 only: HTTP/2 (h2c) would have to sniff each connection's first bytes before any HTTP/1 timer runs,
//! and a client sending nothing would hold that sniff open for ever. Load balancers speak HTTP/1.1 to backends.

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;
use tower::ServiceExt;

/// Request heads hyper itself accepts. Above these hyper answers a bare `431` and closes; below them the
/// `middleware::limit_head` layer refuses with problem+json at `middleware::MAX_HEADERS` / `MAX_HEAD_BYTES`,
/// so the limits a client meets in practice are ours.
const HYPER_MAX_HEADERS: usize = 1000;
const HYPER_MAX_BUF: usize = 1024 * 1024;

#[derive(Clone, Copy, Debug)]
pub struct ServeOptions {
    /// A connection that has not sent a whole request head in this time is closed. hyper's timer also runs
    /// while a keep-alive connection waits for its next request, so it is the idle timeout too.
    pub header_read_timeout: Duration,
    /// After the shutdown signal, how long requests in flight may run before their connections are closed.
    pub grace: Duration,
}

/// Serves `router` on `listener` until `shutdown` resolves, then stops as described in the module doc.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    options: ServeOptions,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(options.header_read_timeout)
        .max_headers(HYPER_MAX_HEADERS)
        .max_buf_size(HYPER_MAX_BUF)
        .keep_alive(true);
    let (closing, closing_seen) = watch::channel(false);
    let mut connections = JoinSet::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            () = &mut shutdown => break,
            // Finished connections are reaped as they end, so the set holds only open ones.
            Some(_) = connections.join_next(), if !connections.is_empty() => continue,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    accept_failed(e).await;
                    continue;
                }
            },
        };
        let service = router
            .clone()
            .map_request(move |request: hyper::Request<Incoming>| {
                let mut request = request.map(Body::new);
                // What `into_make_service_with_connect_info` would insert: the rate limiter keys on it.
                request
                    .extensions_mut()
                    .insert(ConnectInfo::<SocketAddr>(peer));
                request
            });
        let connection =
            builder.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
        let mut closing_seen = closing_seen.clone();
        connections.spawn(async move {
            let mut connection = std::pin::pin!(connection);
            let mut asked = false;
            loop {
                tokio::select! {
                    result = connection.as_mut() => {
                        if let Err(e) = result {
                            tracing::debug!(error = %e, %peer, "connection ended with an error");
                        }
                        return;
                    }
                    // Idle connections close at once; one with a request in flight after its response.
                    changed = closing_seen.changed(), if !asked => {
                        asked = true;
                        if changed.is_ok() {
                            connection.as_mut().graceful_shutdown();
                        }
                    }
                }
            }
        });
    }
    // New clients are refused from here on; a load balancer takes them elsewhere.
    drop(listener);
    let _ = closing.send(true);
    let drained = tokio::time::timeout(options.grace, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        tracing::warn!(
            open = connections.len(),
            grace_secs = options.grace.as_secs(),
            "grace period over: closing the connections still open"
        );
        // Dropping a connection's task drops its request too: an open transaction rolls back.
        connections.shutdown().await;
    }
    Ok(())
}

/// As `axum::serve` does: a failure of one connection's accept (reset before it was taken) is nothing; others
/// (out of file descriptors) would spin, so the loop pauses a moment.
async fn accept_failed(e: std::io::Error) {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if matches!(
        e.kind(),
        ConnectionRefused | ConnectionAborted | ConnectionReset
    ) {
        return;
    }
    tracing::error!(error = %e, "accept failed");
    tokio::time::sleep(Duration::from_secs(1)).await;
}
