//! The languages people read (DESIGN §10 "Language"): every message a person reads comes from one catalogue,
//! `locales/zh-CN.ftl` and `locales/en.ftl` (Project Fluent), in the language the request asked for.
//!
//! - [`Locale`]: zh-CN (the default) or English. A middleware ([`negotiate`]) reads `Accept-Language` (q-values
//!   honoured) and runs the request in a tokio task-local, so any code on the request's task asks [`current`].
//!   Outside a request (workers, the CLI) the locale is zh-CN unless [`in_locale`] says otherwise.
//! - [`t`] and [`t_with`] render a key in the current locale; [`render`] in a given one.
//! - [`Msg`]: a key and its arguments, not yet rendered. Errors and stored texts carry it from the use case to
//!   the response, which renders it (as `Display` or when serialised) in the request's language. Its
//!   [`Msg::to_stored`]/[`Msg::from_stored`] form is what a row keeps, so a text written today reads in either
//!   language later.
//!
//! Keys are written literally where they are used (`msg!("key")`, `t("key")`, `t_with("key", …)`,
//! `Msg::new("key")`), which lets a test find every key the code uses and fail when the catalogue lacks one;
//! keys built from an enum (`subject-kind-{kind}`) are checked by tests that walk the enum. In debug builds (and
//! so in tests) a missing key panics where it is rendered; a release build logs it and shows the key.
//! Machine codes (`type` URIs, enum values, field names, JSON keys) are never translated.

mod catalogue;
mod msg;
#[cfg(test)]
mod tests;

use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

/// `use crate::i18n::msg;` brings the macro in with the rest of the module.
pub use crate::msg;
pub use catalogue::{has_key, keys, render};
pub use msg::{Arg, Msg, storing};

/// A language of the catalogue.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Locale {
    /// Simplified Chinese: the people who read these answers are Chinese officials, hospital staff and the public.
    #[default]
    ZhCn,
    En,
}

impl Locale {
    pub const ALL: [Locale; 2] = [Locale::ZhCn, Locale::En];

    /// The BCP 47 tag, as sent in `Content-Language`.
    pub fn tag(self) -> &'static str {
        match self {
            Locale::ZhCn => "zh-CN",
            Locale::En => "en",
        }
    }

    /// The language a tag of `Accept-Language` asks for, if the catalogue has it: any Chinese is zh-CN (the
    /// only Chinese there is), any English is English.
    fn from_tag(tag: &str) -> Option<Locale> {
        let primary = tag.split(['-', '_']).next().unwrap_or("");
        if primary.eq_ignore_ascii_case("zh") {
            Some(Locale::ZhCn)
        } else if primary.eq_ignore_ascii_case("en") {
            Some(Locale::En)
        } else if tag == "*" {
            Some(Locale::default())
        } else {
            None
        }
    }

    /// RFC 9110 §12.5.4: the supported language of the highest q-value (the first of equals); q=0 means "not
    /// this one". No header, or none we have, gives the default, zh-CN.
    pub fn negotiate(accept_language: Option<&str>) -> Locale {
        let Some(header) = accept_language else {
            return Locale::default();
        };
        let mut best: Option<(f32, Locale)> = None;
        for item in header.split(',') {
            let mut parts = item.split(';');
            let tag = parts.next().unwrap_or("").trim();
            let mut q = 1.0_f32;
            for param in parts {
                if let Some((name, value)) = param.split_once('=')
                    && name.trim().eq_ignore_ascii_case("q")
                {
                    q = value.trim().parse().unwrap_or(-1.0);
                }
            }
            if !(q > 0.0 && q <= 1.0) {
                continue;
            }
            if let Some(locale) = Locale::from_tag(tag)
                && best.is_none_or(|(top, _)| q > top)
            {
                best = Some((q, locale));
            }
        }
        best.map_or_else(Locale::default, |(_, locale)| locale)
    }
}

tokio::task_local! {
    static LOCALE: Locale;
}

/// The language of the request being served (zh-CN outside a request).
pub fn current() -> Locale {
    LOCALE.try_with(|locale| *locale).unwrap_or_default()
}

/// Runs `f` with `locale` as the current language: for text rendered outside a request's task (a streamed
/// body, a worker, a test).
pub fn in_locale<R>(locale: Locale, f: impl FnOnce() -> R) -> R {
    LOCALE.sync_scope(locale, f)
}

/// Runs a future with `locale` as the current language.
pub async fn scope<F: std::future::Future>(locale: Locale, future: F) -> F::Output {
    LOCALE.scope(locale, future).await
}

/// The message of `key` in the current language.
pub fn t(key: &str) -> String {
    render(current(), key, &[])
}

/// The message of `key` in the current language, with named arguments: `t_with("key", &[("days", 15.into())])`.
pub fn t_with(key: &str, args: &[(&str, Arg)]) -> String {
    render(current(), key, args)
}

/// Middleware: serves the request in the language its `Accept-Language` asks for and says which in
/// `Content-Language`; `Vary: Accept-Language` tells caches that the answer depends on it.
pub async fn negotiate(request: Request, next: Next) -> Response {
    let asked = request
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|value| value.to_str().ok());
    let locale = Locale::negotiate(asked);
    let mut response = LOCALE.scope(locale, next.run(request)).await;
    let headers = response.headers_mut();
    if !headers.contains_key(header::CONTENT_LANGUAGE) {
        headers.insert(
            header::CONTENT_LANGUAGE,
            HeaderValue::from_static(locale.tag()),
        );
    }
    headers.append(header::VARY, HeaderValue::from_static("accept-language"));
    response
}

/// A [`Msg`] from a key written literally and optional named arguments:
/// `msg!("case-not-found")`, `msg!("points-out-of-range", min = 1, max = 3)`.
#[macro_export]
macro_rules! msg {
    ($key:literal $(,)?) => {
        $crate::i18n::Msg::new($key)
    };
    ($key:literal, $($name:ident = $value:expr),+ $(,)?) => {
        $crate::i18n::Msg::new($key)$(.arg(stringify!($name), $value))+
    };
}
