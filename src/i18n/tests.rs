//! The catalogue's own rules: both languages have the same keys with the same arguments, every key the code
//! writes exists, and negotiation follows `Accept-Language`.

use std::collections::{BTreeMap, BTreeSet};

use fluent_syntax::ast::{Entry, Expression, InlineExpression, Pattern, PatternElement};

use super::catalogue::{EN, ZH_CN};
use super::*;

/// Every message of a file with the variables it uses.
fn messages(source: &str) -> BTreeMap<String, BTreeSet<String>> {
    let resource = fluent_syntax::parser::parse(source).expect("the file parses");
    resource
        .body
        .iter()
        .filter_map(|entry| match entry {
            Entry::Message(message) => {
                let mut variables = BTreeSet::new();
                if let Some(value) = &message.value {
                    pattern_variables(value, &mut variables);
                }
                Some((message.id.name.to_string(), variables))
            }
            _ => None,
        })
        .collect()
}

fn pattern_variables(pattern: &Pattern<&str>, out: &mut BTreeSet<String>) {
    for element in &pattern.elements {
        if let PatternElement::Placeable { expression } = element {
            expression_variables(expression, out);
        }
    }
}

fn expression_variables(expression: &Expression<&str>, out: &mut BTreeSet<String>) {
    match expression {
        Expression::Inline(inline) => inline_variables(inline, out),
        Expression::Select { selector, variants } => {
            inline_variables(selector, out);
            for variant in variants {
                pattern_variables(&variant.value, out);
            }
        }
    }
}

fn inline_variables(inline: &InlineExpression<&str>, out: &mut BTreeSet<String>) {
    match inline {
        InlineExpression::VariableReference { id } => {
            out.insert(id.name.to_string());
        }
        InlineExpression::FunctionReference { arguments, .. } => {
            for argument in &arguments.positional {
                inline_variables(argument, out);
            }
        }
        InlineExpression::Placeable { expression } => expression_variables(expression, out),
        _ => {}
    }
}

#[test]
fn every_message_exists_in_both_languages_with_the_same_arguments() {
    let zh = messages(ZH_CN);
    let en = messages(EN);
    let only_zh: Vec<_> = zh.keys().filter(|k| !en.contains_key(*k)).collect();
    let only_en: Vec<_> = en.keys().filter(|k| !zh.contains_key(*k)).collect();
    assert!(only_zh.is_empty(), "only in zh-CN.ftl: {only_zh:?}");
    assert!(only_en.is_empty(), "only in en.ftl: {only_en:?}");
    for (key, variables) in &zh {
        assert_eq!(variables, &en[key], "arguments of `{key}` differ");
    }
    assert_eq!(keys(Locale::ZhCn).len(), zh.len(), "a key is defined twice");
    assert_eq!(keys(Locale::En).len(), en.len(), "a key is defined twice");
}

#[test]
fn no_message_is_left_untranslated_or_empty() {
    let zh = messages(ZH_CN);
    for key in zh.keys() {
        let chinese = render(Locale::ZhCn, key, &dummy_args(&zh[key]));
        let english = render(Locale::En, key, &dummy_args(&zh[key]));
        assert!(
            !chinese.trim().is_empty() && !english.trim().is_empty(),
            "{key}"
        );
        // A Chinese message has Chinese in it (text shown as written is the one exception).
        assert!(
            key == "text-verbatim"
                || chinese
                    .chars()
                    .any(|c| ('\u{4E00}'..='\u{9FFF}').contains(&c)),
            "`{key}` in zh-CN.ftl has no Chinese: {chinese}"
        );
    }
}

fn dummy_args(variables: &BTreeSet<String>) -> Vec<(&str, Arg)> {
    variables
        .iter()
        .map(|name| (name.as_str(), Arg::Int(2)))
        .collect()
}

/// Where code writes a key: `msg!("…"`, `Msg::new("…"`, `t("…"`, `t_with("…"`.
fn keys_used_in(dir: &std::path::Path, found: &mut BTreeMap<String, String>) {
    let pattern = regex::Regex::new(
        r#"(?:(?:msg!|Msg::new|\bt|\bt_with)\(\s*|message = )"([a-z][a-z0-9-]*)""#,
    )
    .expect("a valid pattern");
    for entry in std::fs::read_dir(dir).expect("src/ is readable") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            keys_used_in(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let source = std::fs::read_to_string(&path).expect("a source file");
            // Examples in doc comments are not uses.
            let code: Vec<&str> = source
                .lines()
                .filter(|line| !line.trim_start().starts_with("//"))
                .collect();
            let text = code.join("\n");
            for capture in pattern.captures_iter(&text) {
                found.insert(capture[1].to_string(), path.display().to_string());
            }
        }
    }
}

#[test]
fn every_key_the_code_writes_is_in_the_catalogue() {
    let mut used = BTreeMap::new();
    keys_used_in(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut used,
    );
    assert!(used.len() > 5, "the scan finds the keys: {used:?}");
    let missing: Vec<_> = used
        .iter()
        .filter(|(key, _)| !has_key(Locale::ZhCn, key) || !has_key(Locale::En, key))
        .collect();
    assert!(
        missing.is_empty(),
        "keys used but not in the catalogue: {missing:?}"
    );
}

#[test]
fn a_missing_key_fails_loudly_in_tests() {
    let result = std::panic::catch_unwind(|| render(Locale::En, "no-such-key-anywhere", &[]));
    assert!(result.is_err());
}

#[test]
fn accept_language_picks_the_best_supported_language() {
    let n = |h: &str| Locale::negotiate(Some(h));
    assert_eq!(Locale::negotiate(None), Locale::ZhCn);
    assert_eq!(n(""), Locale::ZhCn);
    assert_eq!(n("en"), Locale::En);
    assert_eq!(n("en-US,en;q=0.9"), Locale::En);
    assert_eq!(n("EN-gb"), Locale::En);
    assert_eq!(n("zh-CN,zh;q=0.9,en;q=0.8"), Locale::ZhCn);
    assert_eq!(n("en;q=0.5, zh;q=0.8"), Locale::ZhCn);
    assert_eq!(n("zh;q=0.5, en;q=0.8"), Locale::En);
    assert_eq!(n("fr, en;q=0.1"), Locale::En);
    assert_eq!(n("fr, de"), Locale::ZhCn);
    assert_eq!(n("en;q=0, zh"), Locale::ZhCn);
    assert_eq!(n("en;q=0"), Locale::ZhCn);
    assert_eq!(n("*"), Locale::ZhCn);
    assert_eq!(n("en;q=abc"), Locale::ZhCn);
    assert_eq!(n("zh-TW"), Locale::ZhCn);
}

#[test]
fn messages_render_in_the_current_locale_with_their_arguments() {
    let msg = msg!("problem-head-too-large", headers = 100, kib = 64);
    assert_eq!(
        in_locale(Locale::En, || msg.text()),
        "a request may carry at most 100 headers and 64 KiB of them"
    );
    assert_eq!(
        in_locale(Locale::ZhCn, || msg.to_string()),
        "一个请求最多可带 100 个请求头，合计不超过 64 KiB"
    );
    assert_eq!(current(), Locale::ZhCn, "outside a request: zh-CN");
    assert_eq!(in_locale(Locale::En, || t("problem-404")), "Not Found");
    let json = in_locale(Locale::En, || serde_json::to_string(&msg).unwrap());
    assert_eq!(
        json,
        "\"a request may carry at most 100 headers and 64 KiB of them\""
    );
    // What a row keeps reads back as the same message, in any language.
    let stored = msg.to_stored();
    assert_eq!(Msg::from_stored(&stored), Some(msg));
    assert_eq!(
        Msg::from_stored(&serde_json::json!("old English text")),
        None
    );
}

#[test]
fn a_text_column_gives_back_the_message_it_was_given() {
    // Generated texts keep their key and arguments, nested messages included.
    let why = msg!(
        "reason-case-voided",
        id = 7,
        reason = Msg::verbatim("证据不足")
    );
    let reason = msg!(
        "reason-case-voided-points-remain",
        why = why,
        points = 3,
        cycle = "2026"
    );
    // (Arguments come back in name order; the message is the same.)
    let read = Msg::from_column(&reason.to_column());
    assert_eq!(read.to_stored(), reason.to_stored());
    assert_eq!(read.render(Locale::ZhCn), reason.render(Locale::ZhCn));
    assert_eq!(
        reason.render(Locale::En),
        "case 7 voided: 证据不足; 3 points remain in 2026"
    );
    // Words a person typed stay as typed in the column, also when they look like a stored message.
    let typed = Msg::verbatim("已整改到位");
    assert_eq!(typed.to_column(), "已整改到位");
    assert_eq!(Msg::from_column("已整改到位"), typed);
    let lookalike = r#"{"key":"list-exit-red","args":{"expires_on":"2030-01-01"}}"#;
    let typed = Msg::verbatim(lookalike);
    assert_ne!(typed.to_column(), lookalike);
    assert_eq!(Msg::from_column(&typed.to_column()), typed);
    // A column that names a key but cannot render it (an argument missing, an unknown key) is text as written.
    for text in [
        r#"{"key":"list-exit-red","args":{}}"#,
        r#"{"key":"no-such-key","args":{}}"#,
    ] {
        assert_eq!(Msg::from_column(text), Msg::verbatim(text));
    }
    // Change-log values keep the same forms: a stored message, or a plain string for words as written.
    let values = storing(|| serde_json::to_value([&reason, &Msg::verbatim("骗保")]).unwrap());
    assert_eq!(values[0], reason.to_stored());
    assert_eq!(values[1], "骗保");
    let back: Vec<Msg> = serde_json::from_value(values).unwrap();
    assert_eq!(back[0].to_stored(), reason.to_stored());
    assert_eq!(back[1], Msg::verbatim("骗保"));
}
