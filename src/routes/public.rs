//! 曝光台 (DESIGN §9): the published, active black-list entries for anyone, without a token — as JSON at
//! `/public/v1/blacklist` and as a server-rendered page at `/public/blacklist` (no external assets, usable on a
//! phone, searchable by name or region). People are masked as for partners.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::domain::lists::{ListMeasure, Remedy};
use crate::domain::scoring::SubjectKind;
use crate::error::ApiResult;
use crate::extract::ApiQuery;
use crate::pagination::Page;
use crate::routes::problems::{BadRequest, Validation};
use crate::service::lists::{self, ListQuery, PublicEntryView};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(public_blacklist))
        .routes(routes!(public_page))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PublicQuery {
    /// Part of a name or code as the page shows it: organisations' in full, people's masked (`王**`). A hidden
    /// character never matches.
    pub q: Option<String>,
    /// 6-digit region code.
    pub region: Option<String>,
    /// Page size, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

async fn entries(state: &AppState, query: PublicQuery) -> ApiResult<Page<PublicEntryView>> {
    let cx = state.ctx();
    let query = ListQuery {
        kind: None,
        region: query.region.filter(|r| !r.trim().is_empty()),
        active_on: Some(cx.today()),
        q: query.q.filter(|q| !q.trim().is_empty()),
        limit: query.limit,
        cursor: query.cursor,
    };
    Ok(lists::public_black(&state.db.conn, &cx, query).await?)
}

/// The published black list (曝光台).
///
/// The entries in force today that are published, people masked, paginated. No token.
#[utoipa::path(get, path = "/public/v1/blacklist", tag = "lists",
    params(PublicQuery),
    responses(
        (status = 200, description = "One page", body = Page<PublicEntryView>),
        (status = 400, response = BadRequest), (status = 422, response = Validation),
    ))]
async fn public_blacklist(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<PublicQuery>,
) -> ApiResult<Json<Page<PublicEntryView>>> {
    Ok(Json(entries(&state, query).await?))
}

/// The published black list as a page.
///
/// The same list as a page for people (曝光台), with a search by name or region. No token.
#[utoipa::path(get, path = "/public/blacklist", tag = "lists",
    params(PublicQuery),
    responses(
        (status = 200, description = "The page", content_type = "text/html", body = String),
        (status = 400, response = BadRequest), (status = 422, response = Validation),
    ))]
async fn public_page(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<PublicQuery>,
) -> ApiResult<Response> {
    let (q, region) = (
        query.q.clone().unwrap_or_default(),
        query.region.clone().unwrap_or_default(),
    );
    let page = entries(&state, query).await?;
    Ok(page_response(render(&page, &q, &region)))
}

/// The page's CSS, inline so the page needs nothing from elsewhere; the CSP admits exactly this text by hash.
const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:0 auto;max-width:46rem;padding:1rem;line-height:1.5}\
form{display:flex;flex-wrap:wrap;gap:.5rem;margin:1rem 0}input{flex:1 1 10rem;padding:.5rem;font-size:1rem}\
button{padding:.5rem 1rem;font-size:1rem}ul{list-style:none;padding:0}\
.entry{border:1px solid #ccc;border-radius:.5rem;padding:.75rem;margin:.75rem 0}\
h2{font-size:1.1rem;margin:0}.meta{color:#555}";

/// A page for anyone (DESIGN §14): no script may run, nothing may be loaded from elsewhere or frame it, and
/// the browser takes the type as sent.
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

/// Text for HTML: the five characters that could open markup are escaped (what we render is ours; a library
/// template engine would be more than these few lines).
fn esc(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn measure(m: &ListMeasure) -> &'static str {
    match m {
        ListMeasure::PublicDisclosure => "公开曝光",
        ListMeasure::KeyMonitoring => "重点监管",
        ListMeasure::NoNewAgreement => "限制新签服务协议",
        ListMeasure::NoHonoursOrSubsidies => "限制评优评先及财政支持",
        ListMeasure::SettlementRestriction => "限制联网结算",
        ListMeasure::ReducedInspection => "减少检查频次",
        ListMeasure::PublicCommendation => "公开表扬",
    }
}

/// A remedy in words, with its window.
fn remedy(r: &Remedy) -> String {
    let name = match r.kind.as_str() {
        "appeal" => "申诉",
        "administrative_review" => "行政复议",
        "litigation" => "行政诉讼",
        "credit_repair" => "信用修复",
        other => other,
    };
    match r.until {
        Some(until) => format!("{name}：{} 至 {until}", r.from),
        None => format!("{name}：{} 起可申请", r.from),
    }
}

fn kind_name(kind: SubjectKind) -> &'static str {
    match kind {
        SubjectKind::Institution => "定点医疗机构",
        SubjectKind::Pharmacy => "定点零售药店",
        SubjectKind::Practitioner => "医保相关人员",
        SubjectKind::Insured => "参保人",
    }
}

fn render(page: &Page<PublicEntryView>, q: &str, region: &str) -> String {
    let mut items = String::new();
    for e in &page.items {
        let measures: Vec<&str> = e.measures.iter().map(measure).collect();
        let remedies: Vec<String> = e.remedies.iter().map(remedy).collect();
        let until = e.expires_on.map(|d| d.to_string()).unwrap_or_default();
        items.push_str(&format!(
            "<li class=\"entry\"><h2>{name} <small>{code}</small></h2>\
             <p class=\"meta\">{kind} · 地区 {region} · 列入 {from} · 至 {until}</p>\
             <p><b>事由</b> {reason}</p><p><b>依据</b> {basis}</p>\
             <p><b>惩戒措施</b> {measures}</p><p><b>退出条件</b> {exit}</p>\
             <p><b>救济途径</b> {remedies}</p></li>",
            name = esc(&e.subject_name),
            code = esc(&e.subject_code),
            kind = kind_name(e.subject_kind),
            remedies = esc(&remedies.join("；")),
            region = esc(&e.region),
            from = e.listed_on,
            reason = esc(&e.reason),
            basis = esc(&e.legal_basis),
            measures = esc(&measures.join("、")),
            exit = esc(&e.exit_conditions),
        ));
    }
    if page.items.is_empty() {
        items.push_str("<li class=\"empty\">没有符合条件的名单信息</li>");
    }
    let next = page
        .next_cursor
        .as_ref()
        .map(|c| {
            format!(
                "<a class=\"next\" href=\"?q={}&amp;region={}&amp;cursor={}\">下一页</a>",
                esc(q),
                esc(region),
                esc(c)
            )
        })
        .unwrap_or_default();
    format!(
        "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>医疗保障领域严重失信主体名单（曝光台）</title><style>{STYLE}</style></head><body>\
         <h1>医疗保障领域严重失信主体名单</h1><p>曝光台：在列期间公开，个人信息已脱敏。</p>\
         <form method=\"get\" action=\"/public/blacklist\">\
         <input name=\"q\" value=\"{q}\" placeholder=\"名称或代码（个人按页面显示的脱敏形式）\" aria-label=\"名称\">\
         <input name=\"region\" value=\"{region}\" placeholder=\"地区代码，如 370102\" aria-label=\"地区\">\
         <button type=\"submit\">搜索</button></form><ul id=\"entries\">{items}</ul>{next}</body></html>",
        q = esc(q),
        region = esc(region),
    )
}
