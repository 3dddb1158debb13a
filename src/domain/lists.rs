//! Red and black lists (DESIGN §7): what an entry is, when it is in force, and what the subject must be told
//! about it — its legal basis, the measures partners apply, how it ends and the remedies with their deadlines.

use crate::i18n::{Msg, msg};
use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::dates::{add_months, add_years};
use super::enums::string_enum;
use super::policy::{Policy, Severity};

string_enum! {
    pub enum ListKind as "list" {
        /// 严重失信主体名单
        Black = "black",
        /// 守信名单
        Red = "red",
    }
}

string_enum! {
    /// How an entry ended before its expiry.
    pub enum EndKind as "end kind" {
        /// Taken off by an approver, with a reason.
        Removed = "removed",
        /// Ended early by an approved credit repair (信用修复).
        Repaired = "repaired",
        /// The case it rested on was voided (appeal accepted or correction).
        Voided = "voided",
    }
}

string_enum! {
    /// An entry's state on one day.
    pub enum EntryStatus as "list entry status" {
        /// Listed from a later day.
        Pending = "pending",
        Active = "active",
        Expired = "expired",
        Removed = "removed",
        Repaired = "repaired",
        Voided = "voided",
    }
}

string_enum! {
    /// Joint-punishment measures (联合惩戒) partners apply to a black-listed subject.
    pub enum ListMeasure as "list measure" {
        /// 公开曝光
        PublicDisclosure = "public_disclosure",
        /// 重点监管、提高检查频次
        KeyMonitoring = "key_monitoring",
        /// 限制新签或续签服务协议
        NoNewAgreement = "no_new_agreement",
        /// 限制评优评先、财政资金支持
        NoHonoursOrSubsidies = "no_honours_or_subsidies",
        /// 暂停联网结算 (insured persons)
        SettlementRestriction = "settlement_restriction",
        /// Red list: 减少检查频次
        ReducedInspection = "reduced_inspection",
        /// Red list: 公开表扬、优先服务
        PublicCommendation = "public_commendation",
    }
}

/// Status of an entry on `day`: ended entries are what ended them from their end day on.
pub fn status(
    listed_on: NaiveDate,
    expires_on: Option<NaiveDate>,
    ended: Option<(NaiveDate, EndKind)>,
    day: NaiveDate,
) -> EntryStatus {
    match ended {
        Some((on, kind)) if on <= day => match kind {
            EndKind::Removed => EntryStatus::Removed,
            EndKind::Repaired => EntryStatus::Repaired,
            EndKind::Voided => EntryStatus::Voided,
        },
        _ if day < listed_on => EntryStatus::Pending,
        _ if expires_on.is_some_and(|end| end < day) => EntryStatus::Expired,
        _ => EntryStatus::Active,
    }
}

string_enum! {
    /// A way out of a list entry that the subject may take.
    pub enum RemedyKind as "remedy kind" {
        /// 申诉, against the cases the entry rests on.
        Appeal = "appeal",
        /// 行政复议.
        AdministrativeReview = "administrative_review",
        /// 行政诉讼.
        Litigation = "litigation",
        /// 信用修复.
        CreditRepair = "credit_repair",
    }
}

/// A remedy the subject may use, with its window.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Remedy {
    pub kind: RemedyKind,
    /// First day it may be used.
    pub from: NaiveDate,
    /// Last day it may be used, if limited.
    pub until: Option<NaiveDate>,
}

/// What a black-list entry tells the subject, derived from the policy and the listing dates.
pub struct Notice {
    pub expires_on: NaiveDate,
    pub measures: Vec<ListMeasure>,
    /// How the entry ends, as a message: the row keeps its key and dates, and each reader reads it in their
    /// language.
    pub exit_conditions: Msg,
    pub remedies: Vec<Remedy>,
}

/// The notice of a black-list entry listed on `listed_on` until `expires_on` (default: the policy's years).
pub fn black_notice(
    policy: &Policy,
    listed_on: NaiveDate,
    expires_on: Option<NaiveDate>,
    insured: bool,
) -> Notice {
    // The default: `listed_on` + the policy's years (3), that day included.
    let expires_on =
        expires_on.unwrap_or_else(|| add_years(listed_on, policy.lists.blacklist_years));
    let mut measures = vec![
        ListMeasure::PublicDisclosure,
        ListMeasure::KeyMonitoring,
        ListMeasure::NoHonoursOrSubsidies,
    ];
    measures.push(if insured {
        ListMeasure::SettlementRestriction
    } else {
        ListMeasure::NoNewAgreement
    });
    let (repair_months, _) = policy.lists.repair_publication_months(Severity::Serious);
    let repair_from = add_months(listed_on, repair_months);
    let appeal_until = listed_on + Days::new(u64::from(policy.cases.appeal_window_days));
    let exit_conditions = msg!(
        "list-exit-black",
        expires_on = expires_on,
        repair_from = repair_from
    );
    let remedies = vec![
        Remedy {
            kind: RemedyKind::Appeal,
            from: listed_on,
            until: Some(appeal_until),
        },
        Remedy {
            kind: RemedyKind::AdministrativeReview,
            from: listed_on,
            until: Some(listed_on + Days::new(60)),
        },
        Remedy {
            kind: RemedyKind::Litigation,
            from: listed_on,
            until: Some(add_months(listed_on, 6)),
        },
        Remedy {
            kind: RemedyKind::CreditRepair,
            from: repair_from,
            until: Some(expires_on),
        },
    ];
    Notice {
        expires_on,
        measures,
        exit_conditions,
        remedies,
    }
}

/// The notice of a red-list entry: it lasts until `expires_on` unless a new case is approved against the subject.
pub fn red_notice(expires_on: NaiveDate) -> Notice {
    Notice {
        expires_on,
        measures: vec![
            ListMeasure::ReducedInspection,
            ListMeasure::PublicCommendation,
        ],
        exit_conditions: msg!("list-exit-red", expires_on = expires_on),
        remedies: Vec::new(),
    }
}

/// The basis of a red-list entry (守信激励).
pub const RED_LIST_BASIS: &str =
    "国家医保局《医疗保障基金使用信用管理》守信激励; 定点医药机构分级分类监管";

/// The legal basis of a black-list entry.
pub const BLACK_LIST_BASIS: &str = "《医疗保障基金使用监督管理条例》; 国家医保局《医疗保障领域严重失信主体名单管理办法》; \
     国家发展改革委《失信行为纠正后的信用信息修复管理办法》";

/// The terms an approver gives a black-list entry, against `today`: an entry that would already have ended
/// is refused (it would list nobody and only look like a listing), and so is one starting more than the
/// policy's days ahead; an earlier `listed_on` stays possible (entries brought in from a replaced system).
/// Returns the field and the reason of each refusal.
pub fn check_black_terms(
    policy: &Policy,
    listed_on: NaiveDate,
    expires_on: Option<NaiveDate>,
    today: NaiveDate,
) -> Vec<(&'static str, crate::i18n::Msg)> {
    let mut refused = Vec::new();
    let ahead = policy.lists.max_days_listed_ahead;
    if listed_on > today + Days::new(u64::from(ahead)) {
        refused.push((
            "listed_on",
            msg!(
                "must-be-at-most-days-after-today",
                ahead = ahead.to_string(),
                today = today.to_string()
            ),
        ));
    }
    let ends = expires_on.unwrap_or_else(|| add_years(listed_on, policy.lists.blacklist_years));
    if let Err(why) = super::dates::strict::in_range(ends) {
        refused.push(("listed_on", msg!("the-entry-would-end-on-a-day", why = why)));
    }
    if ends < today {
        let field = if expires_on.is_some() {
            "expires_on"
        } else {
            "listed_on"
        };
        refused.push((
            field,
            msg!("list-entry-would-have-ended", ends = ends, today = today),
        ));
    }
    refused
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn an_entry_runs_from_listing_to_expiry_unless_ended() {
        let (from, to) = (day(2026, 3, 1), Some(day(2029, 2, 28)));
        assert_eq!(
            status(from, to, None, day(2026, 2, 28)),
            EntryStatus::Pending
        );
        assert_eq!(status(from, to, None, day(2026, 3, 1)), EntryStatus::Active);
        assert_eq!(
            status(from, to, None, day(2029, 2, 28)),
            EntryStatus::Active
        );
        assert_eq!(
            status(from, to, None, day(2029, 3, 1)),
            EntryStatus::Expired
        );
        let removed = Some((day(2027, 1, 1), EndKind::Removed));
        assert_eq!(
            status(from, to, removed, day(2026, 12, 31)),
            EntryStatus::Active
        );
        assert_eq!(
            status(from, to, removed, day(2027, 1, 1)),
            EntryStatus::Removed
        );
    }

    #[test]
    fn the_default_listing_lasts_three_years_and_says_how_it_ends() {
        let notice = black_notice(&Policy::default(), day(2026, 3, 1), None, false);
        assert_eq!(notice.expires_on, day(2029, 3, 1));
        assert_eq!(notice.exit_conditions.key(), "list-exit-black");
        let english = notice.exit_conditions.render(crate::i18n::Locale::En);
        assert!(english.contains("2029-03-01") && english.contains("2027-03-01"));
        let chinese = notice.exit_conditions.render(crate::i18n::Locale::ZhCn);
        assert!(chinese.contains("2029-03-01") && chinese.contains("信用修复"));
        assert!(
            notice
                .remedies
                .iter()
                .any(|r| r.kind == RemedyKind::CreditRepair && r.from == day(2027, 3, 1))
        );
        assert!(notice.measures.contains(&ListMeasure::NoNewAgreement));
    }

    #[test]
    fn an_entry_is_neither_over_at_birth_nor_far_ahead() {
        let policy = Policy::default();
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        let today = day(2026, 12, 6);
        // Three years from 2020-01-01 ended in 2023.
        let over = check_black_terms(&policy, day(2020, 1, 1), None, today);
        assert_eq!(over.len(), 1);
        assert_eq!(over[0].0, "listed_on");
        // An earlier start still running today is fine, as is one a month ahead.
        assert!(check_black_terms(&policy, day(2024, 1, 1), None, today).is_empty());
        assert!(check_black_terms(&policy, day(2027, 1, 5), None, today).is_empty());
        assert_eq!(
            check_black_terms(&policy, day(2027, 1, 6), None, today)[0].0,
            "listed_on"
        );
        let ended = check_black_terms(&policy, day(2026, 1, 1), Some(day(2026, 12, 5)), today);
        assert_eq!(ended[0].0, "expires_on");
    }
}
