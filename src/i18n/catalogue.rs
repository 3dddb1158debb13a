//! The catalogue: one Fluent file per language, compiled into the binary and parsed once.

use std::sync::LazyLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

use super::{Arg, Locale};

pub(super) const ZH_CN: &str = include_str!("../../locales/zh-CN.ftl");
pub(super) const EN: &str = include_str!("../../locales/en.ftl");

type Bundle = FluentBundle<FluentResource>;

fn bundle(locale: Locale, source: &'static str) -> Bundle {
    let resource = FluentResource::try_new(source.to_string()).unwrap_or_else(|(_, errors)| {
        panic!("locales/{}.ftl does not parse: {errors:?}", locale.tag())
    });
    let language = locale.tag().parse().expect("a valid language tag");
    let mut bundle = FluentBundle::new_concurrent(vec![language]);
    // Fluent wraps every argument in Unicode isolation marks by default; they are control characters that a
    // client would see in JSON and that our own input rules refuse.
    bundle.set_use_isolating(false);
    bundle
        .add_resource(resource)
        .unwrap_or_else(|errors| panic!("locales/{}.ftl: {errors:?}", locale.tag()));
    bundle
}

static BUNDLES: LazyLock<[Bundle; 2]> =
    LazyLock::new(|| [bundle(Locale::ZhCn, ZH_CN), bundle(Locale::En, EN)]);

fn bundle_of(locale: Locale) -> &'static Bundle {
    match locale {
        Locale::ZhCn => &BUNDLES[0],
        Locale::En => &BUNDLES[1],
    }
}

/// Whether the catalogue has `key` in `locale`.
pub fn has_key(locale: Locale, key: &str) -> bool {
    bundle_of(locale).has_message(key)
}

/// Every message key of `locale`'s file, in file order.
pub fn keys(locale: Locale) -> Vec<String> {
    let source = match locale {
        Locale::ZhCn => ZH_CN,
        Locale::En => EN,
    };
    let resource = FluentResource::try_new(source.to_string()).unwrap_or_else(|(r, _)| r);
    resource
        .entries()
        .filter_map(|entry| match entry {
            fluent_syntax::ast::Entry::Message(message) => Some(message.id.name.to_string()),
            _ => None,
        })
        .collect()
}

/// The message of `key` in `locale` with its arguments. A key the catalogue lacks, or a message that needs an
/// argument it was not given, is a bug: it panics in debug builds (so tests fail) and is logged in release,
/// where the key itself is shown rather than nothing.
pub fn render(locale: Locale, key: &str, args: &[(&str, Arg)]) -> String {
    let bundle = bundle_of(locale);
    let Some(pattern) = bundle.get_message(key).and_then(|m| m.value()) else {
        fault(locale, key, "no such key in the catalogue");
        return key.to_string();
    };
    let mut fluent_args = FluentArgs::new();
    for (name, value) in args {
        let value = match value {
            Arg::Int(n) => FluentValue::from(*n),
            Arg::Text(text) => FluentValue::from(text.clone()),
            Arg::Msg(inner) => FluentValue::from(inner.render(locale)),
        };
        fluent_args.set(name.to_string(), value);
    }
    let mut errors = Vec::new();
    let text = bundle.format_pattern(pattern, Some(&fluent_args), &mut errors);
    if !errors.is_empty() {
        fault(locale, key, &format!("{errors:?}"));
    }
    text.into_owned()
}

/// Whether `key` is in `locale`'s file and renders with `args` without a fault: for reading a column that
/// may hold a stored message or words a person typed that merely look like one.
pub(super) fn renders(locale: Locale, key: &str, args: &[(&str, Arg)]) -> bool {
    let bundle = bundle_of(locale);
    let Some(pattern) = bundle.get_message(key).and_then(|m| m.value()) else {
        return false;
    };
    let mut fluent_args = FluentArgs::new();
    for (name, value) in args {
        let value = match value {
            // Nested messages are checked on their own; any text stands in for them here.
            Arg::Int(n) => FluentValue::from(*n),
            Arg::Text(_) | Arg::Msg(_) => FluentValue::from(""),
        };
        fluent_args.set(name.to_string(), value);
    }
    let mut errors = Vec::new();
    bundle.format_pattern(pattern, Some(&fluent_args), &mut errors);
    errors.is_empty()
}

fn fault(locale: Locale, key: &str, problem: &str) {
    if cfg!(debug_assertions) {
        panic!("message `{key}` ({}): {problem}", locale.tag());
    }
    tracing::error!(
        key,
        locale = locale.tag(),
        problem,
        "message catalogue fault"
    );
}
