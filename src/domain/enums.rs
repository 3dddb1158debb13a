//! Closed sets of words (kinds, states, types) shared by the API, the database and error messages.

/// A string that names no variant of one of the domain enums (shared by every `FromStr` here).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} `{value}`, expected one of: {}", .expected.join(", "))]
pub struct UnknownVariant {
    pub what: &'static str,
    pub value: String,
    pub expected: &'static [&'static str],
}

/// Declares a fieldless enum whose wire form, `as_str`, `Display` and `FromStr` are one table, so the
/// JSON, the database column and error messages can never spell a variant differently. `$text` is a
/// `tt`, not a `literal`: utoipa does not see through the invisible group a `literal` fragment becomes
/// and would document the Rust variant names instead of the wire names.
macro_rules! string_enum {
    ($(#[$meta:meta])* pub enum $name:ident as $what:literal {
        $($(#[$vmeta:meta])* $variant:ident = $text:tt),+ $(,)?
    }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[derive(serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(&self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::domain::enums::UnknownVariant;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::ALL.iter().copied().find(|v| v.as_str() == s).ok_or_else(|| {
                    $crate::domain::enums::UnknownVariant {
                        what: $what,
                        value: s.to_owned(),
                        expected: &[$($text),+],
                    }
                })
            }
        }
    };
}
pub(crate) use string_enum;
