//! Dates as clients must write them (issue 18): exactly `YYYY-MM-DD`, between 1900-01-01 and 2199-12-31. chrono's
//! own parser also takes `2026-1-1`, `+2026-01-01` and `-0001-01-01`, and any year up to 262,143, whose
//! computed ends then leave every calendar a person reads. Every date field of a request body or query uses
//! `deserialize_with = "strict::date"` (or `strict::optional_date`); the API test `strict_dates` walks the
//! OpenAPI document so that a field without it is noticed.

use crate::i18n::msg;
use chrono::NaiveDate;
use serde::{Deserialize, Deserializer};

/// The first day a legal date may be.
pub const FIRST: NaiveDate = NaiveDate::from_ymd_opt(1900, 1, 1).expect("a date");
/// The last day a legal date, given or computed, may be.
pub const LAST: NaiveDate = NaiveDate::from_ymd_opt(2199, 12, 31).expect("a date");

/// Parses exactly `YYYY-MM-DD` within `FIRST..=LAST`.
pub fn parse(text: &str) -> Result<NaiveDate, crate::i18n::Msg> {
    let bytes = text.as_bytes();
    let shape = bytes.len() == 10
        && bytes.iter().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                *b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    if !shape {
        return Err(msg!(
            "must-be-a-date-written-yyyy-mm",
            text = format!("{:?}", text)
        ));
    }
    let date = NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| msg!("date-not-a-calendar-day", text = text))?;
    in_range(date)?;
    Ok(date)
}

/// A date given or computed must lie within `FIRST..=LAST`.
pub fn in_range(date: NaiveDate) -> Result<(), crate::i18n::Msg> {
    if (FIRST..=LAST).contains(&date) {
        Ok(())
    } else {
        Err(msg!(
            "is-outside",
            date = date.to_string(),
            FIRST = FIRST.to_string(),
            LAST = LAST.to_string()
        ))
    }
}

/// `deserialize_with` for a `NaiveDate` field.
pub fn date<'de, D: Deserializer<'de>>(deserializer: D) -> Result<NaiveDate, D::Error> {
    let text = String::deserialize(deserializer)?;
    parse(&text).map_err(serde::de::Error::custom)
}

/// `deserialize_with` for an `Option<NaiveDate>` field (with `default`, so that it may be left out).
pub fn optional_date<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<NaiveDate>, D::Error> {
    match Option::<String>::deserialize(deserializer)? {
        Some(text) => parse(&text).map(Some).map_err(serde::de::Error::custom),
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_ten_characters_of_a_real_day_in_range_pass() {
        assert_eq!(
            parse("2026-01-01"),
            Ok(NaiveDate::from_ymd_opt(2026, 1, 1).unwrap())
        );
        assert!(parse("1900-01-01").is_ok() && parse("2199-12-31").is_ok());
        for bad in [
            "2026-1-1",
            "+2026-01-01",
            "-0001-01-01",
            "9999-12-31",
            "1899-12-31",
            "2200-01-01",
            "2026-02-30",
            "2026-01-01T00:00:00",
            " 2026-01-01",
            "２０２６-01-01",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
