//! Identifier rules of DESIGN §2: the two national check-digit algorithms (GB 32100 USCC, GB 11643 resident ID)
//! and the simple format checks. Code patterns are configuration (see `config.rs`); check digits never change.

use crate::i18n::msg;
use chrono::NaiveDate;

const USCC_CHARSET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const USCC_WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];
const ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK: &[u8] = b"10X98765432";

/// Unified social credit code (统一社会信用代码, GB 32100-2015): 18 characters of a 31-letter alphabet,
/// the last one a mod-31 check character.
pub fn validate_uscc(code: &str) -> Result<(), crate::i18n::Msg> {
    let bytes = code.as_bytes();
    if bytes.len() != 18 {
        return Err(msg!("must-be-18-characters"));
    }
    let mut values = [0u32; 18];
    for (i, b) in bytes.iter().enumerate() {
        match USCC_CHARSET.iter().position(|c| c == b) {
            Some(v) => values[i] = v as u32,
            None => {
                return Err(msg!(
                    "character-is-not-allowed-in-a-uscc",
                    detail = (i + 1).to_string()
                ));
            }
        }
    }
    let sum: u32 = USCC_WEIGHTS
        .iter()
        .zip(values.iter())
        .map(|(w, v)| w * v)
        .sum();
    let expected = (31 - sum % 31) % 31;
    if values[17] != expected {
        return Err(msg!("check-character-does-not-match-gb-32100"));
    }
    Ok(())
}

/// Resident identity number (公民身份号码, GB 11643-1999): 17 digits, a mod-11 check character, and digits 7–14
/// a real birth date that is not in the future. Returns the birth date.
pub fn validate_id_number(id: &str, today: NaiveDate) -> Result<NaiveDate, crate::i18n::Msg> {
    let bytes = id.as_bytes();
    if bytes.len() != 18 {
        return Err(msg!("must-be-18-characters"));
    }
    if !bytes[..17].iter().all(u8::is_ascii_digit) {
        return Err(msg!("the-first-17-characters-must-be-digits"));
    }
    let sum: u32 = ID_WEIGHTS
        .iter()
        .zip(bytes.iter())
        .map(|(w, b)| w * u32::from(b - b'0'))
        .sum();
    if bytes[17] != ID_CHECK[(sum % 11) as usize] {
        return Err(msg!("check-character-does-not-match-gb-11643"));
    }
    let birth = NaiveDate::parse_from_str(&id[6..14], "%Y%m%d")
        .map_err(|_| msg!("id-number-birth-date-invalid"))?;
    if birth > today {
        return Err(msg!("birth-date-is-in-the-future"));
    }
    Ok(birth)
}

/// Administrative division code (行政区划代码, `admdvs`): a county-level division that exists (GB/T 2260, the
/// 2024 list in `data/regions.txt`). Six digits alone would let a typo file a case in no place at all.
/// Whether `code` has the shape of a resident ID number (17 digits and a digit or `X`), as an insured
/// person's code does: what a reader who sees people masked is never told by code.
pub fn looks_like_id_number(code: &str) -> bool {
    let bytes = code.as_bytes();
    bytes.len() == 18
        && bytes[..17].iter().all(u8::is_ascii_digit)
        && (bytes[17].is_ascii_digit() || bytes[17] == b'X' || bytes[17] == b'x')
}

pub fn validate_region(region: &str) -> Result<(), crate::i18n::Msg> {
    if !(region.len() == 6 && region.bytes().all(|b| b.is_ascii_digit())) {
        return Err(msg!("must-be-a-6-digit-administrative-division"));
    }
    if super::regions::is_county(region) {
        Ok(())
    } else {
        Err(msg!("is-not-a-county-level-administrative-division"))
    }
}

/// Names are trimmed by the caller; here only the length rule (1–100 characters, not bytes).
/// A subject's or catalogue entry's name, already trimmed: 1–100 characters, at least one a letter.
pub fn validate_name(name: &str) -> Result<(), crate::i18n::Msg> {
    let n = name.chars().count();
    if !(1..=100).contains(&n) {
        return Err(msg!("must-be-1-to-100-characters"));
    }
    super::text::check_name_has_letter(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    const VALID_USCC: [&str; 2] = ["91350100M000100Y43", "92370102MA3M9AG94X"];
    const VALID_IDS: [&str; 2] = ["11010519491231002X", "440524188001010014"];

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()
    }

    /// Every string that differs from `s` in exactly one position, drawn from `alphabet`.
    fn single_mutations(s: &str, alphabet: &[u8]) -> Vec<String> {
        let mut out = Vec::new();
        for i in 0..s.len() {
            for &c in alphabet {
                if s.as_bytes()[i] != c {
                    let mut b = s.as_bytes().to_vec();
                    b[i] = c;
                    out.push(String::from_utf8(b).unwrap());
                }
            }
        }
        out
    }

    #[test]
    fn design_examples_of_uscc_are_valid() {
        for code in VALID_USCC {
            assert_eq!(validate_uscc(code), Ok(()), "{code}");
        }
    }

    #[test]
    fn every_single_character_change_of_a_uscc_fails() {
        for code in VALID_USCC {
            for bad in single_mutations(code, USCC_CHARSET) {
                assert!(validate_uscc(&bad).is_err(), "{bad} should fail");
            }
        }
    }

    #[test]
    fn uscc_rejects_wrong_length_and_letters_outside_the_alphabet() {
        assert!(validate_uscc("91350100M000100Y4").is_err());
        assert!(validate_uscc("91350100M000100Y433").is_err());
        assert!(validate_uscc("91350100I000100Y43").is_err()); // I is not in the alphabet
        assert!(validate_uscc("91350100m000100Y43").is_err());
    }

    #[test]
    fn design_examples_of_id_numbers_are_valid() {
        assert_eq!(
            validate_id_number(VALID_IDS[0], today()),
            Ok(NaiveDate::from_ymd_opt(1949, 12, 31).unwrap())
        );
        assert!(validate_id_number(VALID_IDS[1], today()).is_ok());
    }

    #[test]
    fn every_single_character_change_of_an_id_number_fails() {
        for id in VALID_IDS {
            for bad in single_mutations(id, b"0123456789X") {
                assert!(
                    validate_id_number(&bad, today()).is_err(),
                    "{bad} should fail"
                );
            }
        }
    }

    #[test]
    fn id_number_needs_a_real_past_birth_date() {
        // Check digits are correct for both; the dates are not acceptable.
        let feb30 = with_check("11010519490230001");
        assert!(
            validate_id_number(&feb30, today())
                .unwrap_err()
                .render(crate::i18n::Locale::En)
                .contains("birth date")
        );
        let future = with_check("11010520991231001");
        assert!(
            validate_id_number(&future, today())
                .unwrap_err()
                .render(crate::i18n::Locale::En)
                .contains("future")
        );
    }

    fn with_check(first17: &str) -> String {
        let sum: u32 = ID_WEIGHTS
            .iter()
            .zip(first17.bytes())
            .map(|(w, b)| w * u32::from(b - b'0'))
            .sum();
        format!("{first17}{}", ID_CHECK[(sum % 11) as usize] as char)
    }

    #[test]
    fn the_region_list_is_well_formed() {
        let mut previous = "";
        for line in super::super::regions::COUNTIES
            .lines()
            .filter(|l| !l.starts_with('#'))
        {
            let (code, name) = line.split_once(' ').expect("`code name`");
            assert!(
                code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()),
                "{line}"
            );
            assert!(!name.trim().is_empty(), "{line}");
            assert!(code > previous, "sorted and unique at {code}");
            previous = code;
        }
        assert_eq!(super::super::regions::COUNTY_NAMES.len(), 2850);
    }

    #[test]
    fn only_existing_county_level_regions_pass() {
        // Districts, a county-level city directly under a province, a city without counties, a 2021 district.
        for code in ["370102", "370103", "110105", "419001", "441900", "330113"] {
            assert_eq!(validate_region(code), Ok(()), "{code}");
        }
        // A province, a prefecture with counties, an abolished county (潮阳县, 2003), a statistics-only
        // development zone, Taiwan, a number that was never assigned.
        for code in ["370000", "370100", "440524", "130171", "710000", "370199"] {
            let err = validate_region(code).unwrap_err();
            let err = err.render(crate::i18n::Locale::En);
            assert!(err.contains("GB/T 2260"), "{code}: {err}");
        }
    }

    #[test]
    fn region_and_name_rules() {
        assert!(validate_region("370102").is_ok());
        assert!(validate_region("37010").is_err());
        assert!(validate_region("37010a").is_err());
        assert!(validate_name("济南市第一人民医院").is_ok());
        assert!(validate_name("").is_err());
        assert!(validate_name(&"医".repeat(100)).is_ok());
        assert!(validate_name(&"医".repeat(101)).is_err());
    }
}
