//! Pages for people, rendered on the server from templates (`templates/`) that escape everything they print,
//! in the reader's language (DESIGN §14): the public black list (曝光台), the public statistics with their
//! charts drawn here as SVG, and the printable notices. Every page sends the same security headers, carries
//! its one style sheet inline (admitted by hash) and loads nothing from anywhere.

pub mod charts;
pub mod notice;
pub mod public_list;
pub mod public_stats;
pub mod tip_form;
pub mod words;

use askama::Template;
use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};

use crate::i18n;
use crate::shared::error::ServiceError;

/// The pages' CSS: readable on a phone's width, and printed in black on white without the search form.
pub const STYLE: &str = "body{font-family:system-ui,'Noto Sans CJK SC','Microsoft YaHei',sans-serif;\
margin:0 auto;max-width:46rem;padding:1rem;line-height:1.6;color:#111}\
form{display:flex;flex-wrap:wrap;gap:.5rem;margin:1rem 0}input{flex:1 1 10rem;padding:.5rem;font-size:1rem}\
button{padding:.5rem 1rem;font-size:1rem}ul{list-style:none;padding:0}\
.entry{border:1px solid #ccc;border-radius:.5rem;padding:.75rem;margin:.75rem 0}\
h1{font-size:1.4rem}h2{font-size:1.1rem;margin:1rem 0 .25rem}.meta{color:#555}\
dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;margin:.25rem 0}dt{font-weight:600}dd{margin:0}\
.notice h1{text-align:center}.number{text-align:center;color:#333}.sign{text-align:right;margin-top:2rem}\
.tip p{flex:1 1 100%;margin:.25rem 0}.tip label{display:block;font-weight:600}\
.tip textarea{width:100%;box-sizing:border-box;padding:.5rem;font-size:1rem;min-height:6rem}\
.tip input{width:100%;box-sizing:border-box}.tip .check input{width:auto}\
.code{font-size:1.6rem;font-family:monospace;letter-spacing:.1rem}.warn{border:2px solid #b00;padding:.75rem}\
.errors{color:#b00}\
svg.chart{display:block;width:100%;height:auto;margin:.5rem 0 1rem}.years{display:flex;gap:1rem}\
.scroll{overflow-x:auto}table{border-collapse:collapse;min-width:100%;font-variant-numeric:tabular-nums}\
th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:right;white-space:nowrap}th[scope=row],thead th{text-align:left}thead th{white-space:normal;min-width:5.5em}\
@media (max-width:30rem){dl{grid-template-columns:1fr}}\
@media print{body{max-width:none;padding:0;font-size:11pt;color:#000}form,.next,.no-print{display:none}\
.entry{border:none;border-bottom:1px solid #999;border-radius:0;break-inside:avoid}a{color:#000;text-decoration:none}\
section{break-inside:avoid}.scroll{overflow:visible}table{font-size:9pt}th,td{white-space:normal}\
#prefectures{break-inside:auto}svg.chart{max-width:15cm}@page{size:A4;margin:2cm}}";

/// The language tag of the page's `<html lang>`.
pub fn lang() -> &'static str {
    i18n::current().tag()
}

/// A rendered template as a page for anyone: no script may run, nothing may be loaded from elsewhere or frame
/// it, and the browser takes the type as sent.
pub fn respond(page: &impl Template) -> Result<Response, ServiceError> {
    let html = page
        .render()
        .map_err(|e| ServiceError::corrupt("template", "page", e))?;
    Ok(page_response(html))
}

fn page_response(html: String) -> Response {
    use base64::Engine;
    use sha2::Digest;
    let style_hash = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(STYLE));
    let csp = format!(
        "default-src 'none'; style-src 'sha256-{style_hash}'; form-action 'self'; base-uri 'none'; \
         frame-ancestors 'none'"
    );
    let mut response = Html(html).into_response();
    let headers = response.headers_mut();
    for (name, value) in [
        (header::CONTENT_SECURITY_POLICY, csp.as_str()),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "no-referrer"),
    ] {
        if let Ok(value) = HeaderValue::from_str(value) {
            headers.insert(name, value);
        }
    }
    response
}
