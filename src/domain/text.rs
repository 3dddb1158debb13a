//! Rules every piece of text a client sends must meet, whatever the field: no control characters (PostgreSQL
//! refuses NUL outright and SQLite would store it, so one input had two outcomes), and names that name something.

use crate::i18n::msg;

/// Tab, line feed and carriage return are layout in free text; every other C0/C1 control character and DEL
/// is refused, and so are the bidirectional embedding, override and isolate controls (U+202A–U+202E,
/// U+2066–U+2069), which make a list show a name in another order than the one stored.
pub fn check_no_controls(text: &str) -> Result<(), crate::i18n::Msg> {
    let bidi = |c: char| matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
    match text
        .chars()
        .find(|c| (c.is_control() && !matches!(c, '\t' | '\n' | '\r')) || bidi(*c))
    {
        Some(c) => Err(msg!(
            "must-not-contain-control-characters-found-u",
            detail = format!("{:04X}", u32::from(c))
        )),
        None => Ok(()),
    }
}

/// A name needs at least one letter (any script, CJK included) once trimmed: invisible characters (zero-width
/// spaces and joiners, BOM), emoji and symbols alone are not a name.
pub fn check_name_has_letter(name: &str) -> Result<(), crate::i18n::Msg> {
    if name.chars().any(char::is_alphabetic) {
        Ok(())
    } else {
        Err(msg!("must-contain-at-least-one-letter-or"))
    }
}

/// Trims ordinary whitespace and the invisible characters that `trim` leaves (zero-width space, joiners, BOM).
pub fn trim_invisible(text: &str) -> &str {
    text.trim_matches(|c: char| {
        c.is_whitespace()
            || matches!(
                c,
                '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}'
            )
    })
}

/// A CSV cell that a spreadsheet will not run: text beginning with `=`, `+`, `-`, `@`, a tab or a carriage
/// return is prefixed with `'` (OWASP, CSV injection), so `=HYPERLINK(…)` in a name is shown, not evaluated.
pub fn csv_cell(text: &str) -> std::borrow::Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{text}"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_that_a_spreadsheet_would_run_are_prefixed() {
        for formula in [
            "=HYPERLINK(\"http://x\")",
            "+1+cmd|' /C calc'!A0",
            "-2",
            "@SUM(A1)",
            "\tx",
            "\rx",
        ] {
            assert_eq!(csv_cell(formula), format!("'{formula}"));
        }
        assert_eq!(csv_cell("济南市第一人民医院"), "济南市第一人民医院");
    }

    #[test]
    fn controls_are_refused_but_layout_is_kept() {
        assert!(check_no_controls("第一行\n第二行\t").is_ok());
        assert!(check_no_controls("a\u{0}b").is_err());
        assert!(check_no_controls("a\u{1b}[31m").is_err());
        assert!(check_no_controls("\u{7f}").is_err());
        assert!(check_no_controls("\u{85}").is_err());
        for bidi in ['\u{202A}', '\u{202E}', '\u{2066}', '\u{2069}'] {
            assert!(
                check_no_controls(&format!("张{bidi}三")).is_err(),
                "{bidi:?}"
            );
        }
        assert!(check_no_controls("\u{2065}\u{202F}").is_ok());
    }

    #[test]
    fn a_name_needs_a_letter() {
        assert!(check_name_has_letter("张三").is_ok());
        assert!(check_name_has_letter("Clinic 1").is_ok());
        assert!(check_name_has_letter("\u{200B}\u{200D}").is_err());
        assert!(check_name_has_letter("😀🏥").is_err());
        assert!(check_name_has_letter("123-!").is_err());
        assert_eq!(trim_invisible("\u{FEFF} 张三\u{200B}"), "张三");
    }
}
