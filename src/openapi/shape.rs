//! Corrections to the generated document that the derive macros cannot express, applied once every route is
//! collected: page schemas that refer to their item's component, the rule every text a client sends is
//! held to, and the change feed's value typed by entity. Each works on the JSON form of the document, since
//! it reaches across components.

use serde_json::{Map, Value, json};

use crate::domain::changes::ChangeEntity;

macro_rules! controls {
    () => {
        "\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069"
    };
}

/// What `domain::text::check_no_controls` refuses in any string of a body, a path or a query: C0 and C1
/// controls but tab, line feed and carriage return, DEL, and the bidirectional embedding, override and
/// isolate controls.
pub const NO_CONTROLS: &str = concat!("^[^", controls!(), "]*$");

/// Text that is required (`minLength` 1) is also refused when blank once trimmed: it needs one character
/// that is neither a control nor a space.
pub const NOT_BLANK: &str = concat!(
    "^[^",
    controls!(),
    "]*[^\\s",
    controls!(),
    "][^",
    controls!(),
    "]*$"
);

/// The dates clients may write (`domain::dates::strict`): 1900-01-01 to 2199-12-31.
pub const DATE_RANGE: &str = "^(19[0-9]{2}|2[01][0-9]{2})-[0-9]{2}-[0-9]{2}$";

/// The idempotency key (`routes::once`): 1 to 200 visible ASCII characters.
const IDEMPOTENCY_KEY: &str = "^[\\x21-\\x7E]{1,200}$";

pub fn apply(doc: &mut Value) {
    refer_page_items(doc);
    type_change_values(doc);
    hold_request_text(doc);
    // Each change row now names its entity with a one-word enum; the whole set is left unused unless
    // another schema refers to it.
    let reference = "\"#/components/schemas/ChangeEntity\"";
    if !doc.to_string().contains(reference) {
        schemas(doc).remove("ChangeEntity");
    }
}

fn schemas(doc: &mut Value) -> &mut Map<String, Value> {
    doc.pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
        .expect("the document has component schemas")
}

/// utoipa inlines a generic argument (`Page<SubjectView>` repeats `SubjectView` inside `Page_SubjectView`,
/// juhaku/utoipa#1586), so generated clients would get two types for one thing. Each `Page_X` is made to
/// refer to `X`, which is added from the inline copy when nothing else named it.
fn refer_page_items(doc: &mut Value) {
    let schemas = schemas(doc);
    let pages: Vec<String> = schemas
        .keys()
        .filter(|name| name.starts_with("Page_"))
        .cloned()
        .collect();
    for page in pages {
        let item = page.trim_start_matches("Page_").to_string();
        let Some(inline) = schemas
            .get_mut(&page)
            .and_then(|p| p.pointer_mut("/properties/items/items"))
        else {
            continue;
        };
        if inline.get("$ref").is_some() {
            continue;
        }
        let reference = json!({ "$ref": format!("#/components/schemas/{item}") });
        let copy = std::mem::replace(inline, reference);
        schemas.entry(item).or_insert(copy);
    }
}

/// `ChangeView.value` is one view per entity (`shared::outward::ChangeValue`). Their shapes overlap, so a
/// bare `oneOf` of the values could match twice; each branch is therefore a whole row whose `entity` is
/// one word, and `entity` discriminates them.
fn type_change_values(doc: &mut Value) {
    let schemas = schemas(doc);
    let Some(base) = schemas.get("ChangeView").cloned() else {
        return;
    };
    let mut branches = Vec::new();
    let mut mapping = Map::new();
    for entity in ChangeEntity::ALL {
        let (view, note) = match entity {
            ChangeEntity::Subject => ("SubjectView", "The subject as registered or corrected."),
            ChangeEntity::Standing => (
                "StandingChange",
                "The facts the standing answer is computed from.",
            ),
            ChangeEntity::Sanction => ("SanctionChange", "The sanction and what changed about it."),
            ChangeEntity::LedgerEntry => ("LedgerEntryView", "The ledger entry written."),
            ChangeEntity::ListEntry => ("ListEntryView", "The list entry as it now stands."),
            ChangeEntity::Registration => (
                "AffiliationView",
                "The registration (affiliation) filed or ended, with its state then.",
            ),
            ChangeEntity::Commitment => (
                "CommitmentView",
                "Staff and hospitals only: the signature recorded.",
            ),
            ChangeEntity::Case => (
                "ViolationView",
                "Staff only: the case as it was when it changed.",
            ),
            ChangeEntity::Appeal => (
                "AppealView",
                "Staff only: the appeal as it was when it changed.",
            ),
            ChangeEntity::Repair => (
                "RepairView",
                "Staff only: the repair as it was when it changed.",
            ),
            ChangeEntity::Commendation => (
                "CommendationView",
                "Staff only: the commendation as it was when it changed.",
            ),
            ChangeEntity::RepairActivity => (
                "RepairActivityView",
                "Staff only: the repair activity as it was when it changed.",
            ),
            ChangeEntity::Suspicion => (
                "SuspicionView",
                "Staff only: the suspect as it was when it changed.",
            ),
        };
        let name = format!("{}Change", camel(entity.as_str()));
        let mut branch = base.clone();
        branch["description"] = json!(format!("A `{entity}` row of the change feed."));
        branch["properties"]["entity"] = json!({ "type": "string", "enum": [entity.as_str()] });
        branch["properties"]["value"] = json!({
            "$ref": format!("#/components/schemas/{view}"),
            "description": note,
        });
        mapping.insert(
            entity.as_str().to_string(),
            json!(format!("#/components/schemas/{name}Row")),
        );
        branches.push(json!({ "$ref": format!("#/components/schemas/{name}Row") }));
        schemas.insert(format!("{name}Row"), branch);
    }
    schemas.insert(
        "ChangeView".into(),
        json!({
            "description": "One row of the change feed; its `value` is the view of its `entity`, built for the \
reader (people masked for partners, staff identities only for staff and hospitals).",
            "oneOf": branches,
            "discriminator": { "propertyName": "entity", "mapping": mapping },
        }),
    );
}

fn camel(word: &str) -> String {
    word.split('_')
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// Every string a client sends (JSON bodies, paths, queries) is refused when it carries a control character
/// (`shared::error::check_strings`, `query_rules`): the document says so with [`NO_CONTROLS`] on each text
/// that has no stricter pattern, format or enum of its own.
fn hold_request_text(doc: &mut Value) {
    let mut components = Vec::new();
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for item in paths.values_mut() {
            let Some(item) = item.as_object_mut() else {
                continue;
            };
            for operation in item.values_mut() {
                for parameter in operation
                    .get_mut("parameters")
                    .and_then(Value::as_array_mut)
                    .into_iter()
                    .flatten()
                {
                    if parameter["name"] == "cursor" && parameter["in"] == "query" {
                        parameter["schema"] = json!({
                            "type": "string", "pattern": crate::pagination::CURSOR_PATTERN,
                        });
                    }
                    if parameter["name"] == "Idempotency-Key" {
                        parameter["schema"] = json!({
                            "type": "string", "minLength": 1, "maxLength": 200, "pattern": IDEMPOTENCY_KEY,
                        });
                    }
                    if matches!(parameter["in"].as_str(), Some("path" | "query"))
                        && let Some(schema) = parameter.get_mut("schema")
                    {
                        hold(schema, &mut components);
                    }
                }
                if let Some(schema) =
                    operation.pointer_mut("/requestBody/content/application~1json/schema")
                {
                    // An optional body (`Option<T>`) may be left out, but `null` is not a body.
                    let non_null = schema["oneOf"].as_array().and_then(|options| {
                        let mut kept = options.iter().filter(|o| o["type"] != "null");
                        match (kept.next(), kept.next()) {
                            (Some(only), None) => Some(only.clone()),
                            _ => None,
                        }
                    });
                    if let Some(only) = non_null {
                        *schema = only;
                    }
                    hold(schema, &mut components);
                }
            }
        }
    }
    let mut done = std::collections::HashSet::new();
    while let Some(name) = components.pop() {
        if !done.insert(name.clone()) {
            continue;
        }
        if let Some(schema) = schemas(doc).get_mut(&name) {
            hold(schema, &mut components);
        }
    }
}

/// Adds the pattern to the free text of `schema`, and collects the components it refers to.
fn hold(schema: &mut Value, components: &mut Vec<String>) {
    let Some(object) = schema.as_object_mut() else {
        return;
    };
    if let Some(reference) = object.get("$ref").and_then(Value::as_str) {
        if let Some(name) = reference.strip_prefix("#/components/schemas/") {
            components.push(name.to_string());
        }
        return;
    }
    let is_text = match object.get("type") {
        Some(Value::String(t)) => t == "string",
        Some(Value::Array(types)) => types.iter().any(|t| t == "string"),
        _ => false,
    };
    let constrained = ["enum", "format", "pattern"]
        .iter()
        .any(|k| object.contains_key(*k));
    if is_text && !constrained {
        let required = object.get("minLength").and_then(Value::as_u64).unwrap_or(0) > 0;
        let pattern = if required { NOT_BLANK } else { NO_CONTROLS };
        object.insert("pattern".into(), json!(pattern));
    }
    if is_text && object.get("format") == Some(&json!("date")) && !object.contains_key("pattern") {
        object.insert("pattern".into(), json!(DATE_RANGE));
    }
    for key in ["properties", "patternProperties"] {
        if let Some(properties) = object.get_mut(key).and_then(Value::as_object_mut) {
            properties.values_mut().for_each(|p| hold(p, components));
        }
    }
    for key in ["items", "additionalProperties", "not"] {
        if let Some(inner) = object.get_mut(key) {
            hold(inner, components);
        }
    }
    for key in ["oneOf", "anyOf", "allOf"] {
        if let Some(options) = object.get_mut(key).and_then(Value::as_array_mut) {
            options.iter_mut().for_each(|o| hold(o, components));
        }
    }
}
