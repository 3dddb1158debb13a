//! A message not yet rendered: a catalogue key and its named arguments.

use std::borrow::Cow;
use std::fmt;

use super::{Locale, current, render};

/// An argument of a message: text (a name, a code, a date), a whole number (Fluent picks plural forms by it),
/// or another message rendered in the same language (the kind of a sanction inside exit conditions).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Arg {
    Int(i64),
    Text(String),
    Msg(Box<Msg>),
}

impl From<&str> for Arg {
    fn from(value: &str) -> Self {
        Arg::Text(value.to_string())
    }
}
impl From<String> for Arg {
    fn from(value: String) -> Self {
        Arg::Text(value)
    }
}
impl From<&String> for Arg {
    fn from(value: &String) -> Self {
        Arg::Text(value.clone())
    }
}
impl From<Msg> for Arg {
    fn from(value: Msg) -> Self {
        Arg::Msg(Box::new(value))
    }
}
macro_rules! int_arg {
    ($($t:ty),*) => {$(
        impl From<$t> for Arg {
            fn from(value: $t) -> Self {
                Arg::Int(i64::try_from(value).unwrap_or(i64::MAX))
            }
        }
    )*};
}
int_arg!(i32, i64, u8, u16, u32, u64, usize);
impl From<chrono::NaiveDate> for Arg {
    fn from(value: chrono::NaiveDate) -> Self {
        Arg::Text(value.to_string())
    }
}

/// A catalogue key and its arguments. It renders in the current language when shown (`Display`) or
/// serialised into an answer, so an error built deep in a use case reaches the client in the client's language.
/// A row keeps [`Msg::to_stored`], never the rendered text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Msg {
    key: Cow<'static, str>,
    args: Vec<(String, Arg)>,
}

impl Msg {
    /// The message of `key`; write the key literally (`Msg::new("…")` or `msg!("…")`) so the catalogue test
    /// finds it.
    pub fn new(key: impl Into<Cow<'static, str>>) -> Self {
        Msg {
            key: key.into(),
            args: Vec::new(),
        }
    }

    /// The same message with one more named argument.
    pub fn arg(mut self, name: &str, value: impl Into<Arg>) -> Self {
        self.args.push((name.to_string(), value.into()));
        self
    }

    /// Text that is not from the catalogue, shown as written in every language: a row written before its texts
    /// were stored as keys, or words a person typed.
    pub fn verbatim(text: impl Into<String>) -> Self {
        Msg::new("text-verbatim").arg("text", text.into())
    }

    /// What a text column keeps: the stored form as JSON, or, for words as written ([`Msg::verbatim`]), the
    /// words themselves, so a person's text stays readable in the column; only words that would read back as
    /// a stored message are kept in the stored form. Either way [`Msg::from_column`] gives this message back.
    pub fn to_column(&self) -> String {
        if let Some(text) = self.as_verbatim()
            && Msg::stored_in(text).is_none()
        {
            return text.to_string();
        }
        self.to_stored().to_string()
    }

    /// Reads a text column: a stored message whose key the catalogue has and whose arguments it renders with,
    /// else the text as written (an older row's English, or a person's words).
    pub fn from_column(text: &str) -> Msg {
        Msg::stored_in(text).unwrap_or_else(|| Msg::verbatim(text))
    }

    /// The stored message a column's text holds, if it holds one the catalogue can render.
    fn stored_in(text: &str) -> Option<Msg> {
        if !text.trim_start().starts_with('{') {
            return None;
        }
        serde_json::from_str::<serde_json::Value>(text)
            .ok()
            .filter(|value| value.get("key").is_some())
            .and_then(|value| Msg::from_stored(&value))
            .filter(Msg::renders)
    }

    /// Whether every key of this message (its arguments' too) is in the catalogue and renders with the
    /// arguments given, in every language.
    fn renders(&self) -> bool {
        let args: Vec<(&str, Arg)> = self
            .args
            .iter()
            .map(|(name, value)| (name.as_str(), value.clone()))
            .collect();
        super::Locale::ALL
            .iter()
            .all(|locale| super::catalogue::renders(*locale, &self.key, &args))
            && self.args.iter().all(|(_, value)| match value {
                Arg::Msg(inner) => inner.renders(),
                _ => true,
            })
    }

    /// The words of a [`Msg::verbatim`] message.
    pub fn as_verbatim(&self) -> Option<&str> {
        match (self.key.as_ref(), self.args.as_slice()) {
            ("text-verbatim", [(name, Arg::Text(text))]) if name == "text" => Some(text),
            _ => None,
        }
    }

    pub fn key(&self) -> &str {
        &self.key
    }

    pub fn args(&self) -> &[(String, Arg)] {
        &self.args
    }

    /// The text in `locale`.
    pub fn render(&self, locale: Locale) -> String {
        let args: Vec<(&str, Arg)> = self
            .args
            .iter()
            .map(|(name, value)| (name.as_str(), value.clone()))
            .collect();
        render(locale, &self.key, &args)
    }

    /// The text in the current language.
    pub fn text(&self) -> String {
        self.render(current())
    }

    /// What a row keeps: `{"key": …, "args": {…}}`, readable in any language later.
    pub fn to_stored(&self) -> serde_json::Value {
        let args: serde_json::Map<String, serde_json::Value> = self
            .args
            .iter()
            .map(|(name, value)| {
                let value = match value {
                    Arg::Int(n) => serde_json::Value::from(*n),
                    Arg::Text(text) => serde_json::Value::from(text.as_str()),
                    Arg::Msg(inner) => inner.to_stored(),
                };
                (name.clone(), value)
            })
            .collect();
        serde_json::json!({ "key": self.key, "args": args })
    }

    /// Reads what [`Msg::to_stored`] wrote; `None` for anything else (a row written before texts were stored
    /// as keys, which its reader shows as it was written).
    pub fn from_stored(value: &serde_json::Value) -> Option<Msg> {
        let object = value.as_object()?;
        let key = object.get("key")?.as_str()?;
        let mut msg = Msg::new(key.to_string());
        if let Some(args) = object.get("args") {
            for (name, value) in args.as_object()? {
                let arg = match value {
                    serde_json::Value::Number(n) => Arg::Int(n.as_i64()?),
                    serde_json::Value::String(text) => Arg::Text(text.clone()),
                    other => Arg::Msg(Box::new(Msg::from_stored(other)?)),
                };
                msg.args.push((name.clone(), arg));
            }
        }
        Some(msg)
    }
}

impl fmt::Display for Msg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text())
    }
}

thread_local! {
    static STORING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f` (a serialisation) so that every [`Msg`] in it is written in its stored form (key and arguments)
/// rather than rendered: for what a row keeps (a change-log value, an import's errors), read back later in the
/// reader's language. Serialisation is synchronous, so a thread-local flag is enough.
pub fn storing<R>(f: impl FnOnce() -> R) -> R {
    struct Reset(bool);
    impl Drop for Reset {
        fn drop(&mut self) {
            STORING.with(|flag| flag.set(self.0));
        }
    }
    let _reset = Reset(STORING.with(|flag| flag.replace(true)));
    f()
}

impl serde::Serialize for Msg {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if STORING.with(std::cell::Cell::get) {
            // Words as written stay a plain string, which reads back as the same words.
            if let Some(text) = self.as_verbatim() {
                return serializer.serialize_str(text);
            }
            serde::Serialize::serialize(&self.to_stored(), serializer)
        } else {
            serializer.serialize_str(&self.text())
        }
    }
}

/// Reads a stored message, or a plain string (a row written before texts were stored as keys, or text a
/// person typed), which is shown as written.
impl<'de> serde::Deserialize<'de> for Msg {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(deserializer)?;
        match &value {
            serde_json::Value::String(text) => Ok(Msg::verbatim(text.clone())),
            other => Msg::from_stored(other)
                .ok_or_else(|| serde::de::Error::custom("neither a text nor a stored message")),
        }
    }
}

/// In the OpenAPI document a message is what the client receives: text in the request's language.
impl utoipa::PartialSchema for Msg {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .description(Some(
                "Text for a person, in the language of `Accept-Language` (zh-CN by default, `en` for English).",
            ))
            .into()
    }
}

impl utoipa::ToSchema for Msg {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("Message")
    }
}
