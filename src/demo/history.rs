//! A little history for the demo organisations, so that the public statistics page has something in each
//! chart: cases approved over several months of last year and of this one, and a few sanctions. The page
//! withholds any figure about fewer than five organisations (and a month that would give one away), so some
//! months are rounds of light cases against five or more of them, and some are left small to show `<5`. Each step
//! runs through the same use cases as the API, at the day it is dated (the writer's clock set to it), in the
//! order of those days, with an inspector, a reviewer and an approver who are three people.

use chrono::{Datelike, Days, NaiveDate};
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::json;

use crate::auth::{Actor, Role};
use crate::domain::dates::start_of_legal_day_utc;
use crate::domain::sanctions::SanctionType;
use crate::service::cases::{self, ApproveCase, ReviewCase};
use crate::service::error::ServiceError;
use crate::service::sanctions::{self, NewSanction};
use crate::service::writer::Writer;
use crate::shared::context::Ctx;
use crate::state::AppState;

const HOSPITAL: &str = super::DEMO_INSTITUTION;
const CLINIC: &str = "H37010200002";
const PHARMACY: &str = "P37010200001";
const H3: &str = super::MORE_ORGANISATIONS[0].1;
const H4: &str = super::MORE_ORGANISATIONS[1].1;
const H5: &str = super::MORE_ORGANISATIONS[2].1;
const H6: &str = super::MORE_ORGANISATIONS[3].1;
const P2: &str = super::MORE_ORGANISATIONS[4].1;
const P3: &str = super::MORE_ORGANISATIONS[5].1;

/// One approved case: (month, organisation, violation type, points, amount to recover in fen, the measure
/// decided with it). This year's cases fall on the 10th or today, whichever is earlier, and those of the months
/// still to come are left out; January's rounds carry interviews and agreement suspensions, so that every chart
/// has something from the 1st.
type Case = (
    u32,
    &'static str,
    &'static str,
    u32,
    i64,
    Option<SanctionType>,
);

const LAST_YEAR: [Case; 8] = [
    (2, HOSPITAL, "INST-MANAGEMENT-DEFICIENCY", 2, 30_000, None),
    (4, PHARMACY, "PHAR-MANAGEMENT-DEFICIENCY", 1, 12_000, None),
    (5, CLINIC, "INST-OVERCHARGING", 6, 86_000, None),
    (
        5,
        HOSPITAL,
        "INST-DUPLICATE-BILLING",
        7,
        152_000,
        Some(SanctionType::Interview),
    ),
    (7, PHARMACY, "PHAR-DRUG-SWAP", 11, 64_000, None),
    (9, HOSPITAL, "INST-SPLIT-BILLING", 6, 98_000, None),
    (10, CLINIC, "INST-MANAGEMENT-DEFICIENCY", 1, 8_000, None),
    (12, HOSPITAL, "INST-OVERCHARGING", 6, 45_000, None),
];

const THIS_YEAR: [Case; 10] = [
    (
        1,
        CLINIC,
        "INST-MANAGEMENT-DEFICIENCY",
        2,
        15_000,
        Some(SanctionType::Interview),
    ),
    (3, HOSPITAL, "INST-DUPLICATE-BILLING", 6, 120_000, None),
    (
        3,
        PHARMACY,
        "PHAR-DRUG-SWAP",
        12,
        73_000,
        Some(SanctionType::AgreementSuspension),
    ),
    (4, HOSPITAL, "INST-MANAGEMENT-DEFICIENCY", 1, 9_000, None),
    (6, PHARMACY, "PHAR-CARD-RETENTION", 11, 54_000, None),
    (
        6,
        HOSPITAL,
        "INST-OVERCHARGING",
        6,
        210_000,
        Some(SanctionType::Interview),
    ),
    (8, CLINIC, "INST-MANAGEMENT-DEFICIENCY", 1, 6_000, None),
    (
        9,
        HOSPITAL,
        "INST-SPLIT-BILLING",
        6,
        88_000,
        Some(SanctionType::Rectification),
    ),
    (11, PHARMACY, "PHAR-MANAGEMENT-DEFICIENCY", 2, 21_000, None),
    // One termination: a figure about one organisation, withheld on the page as `<5`.
    (
        11,
        P3,
        "PHAR-DRUG-SWAP",
        11,
        58_000,
        Some(SanctionType::AgreementTermination),
    ),
];

/// A round: light cases (one point for internal management, 管理制度缺失) against several organisations in one
/// month, each with the same measure, so that the month (and the measure) rests on five or more of them.
type Round = (u32, &'static [&'static str], Option<SanctionType>);

const LAST_YEAR_ROUNDS: [Round; 4] = [
    (3, &[H3, H4, H5, H6, P2], None),
    (5, &[H3, H4, P2], None),
    (9, &[H5, H6, P3, P2], None),
    (12, &[H3, H4, H5, H6], None),
];

const THIS_YEAR_ROUNDS: [Round; 5] = [
    (1, &[H3, H4, H5, H6, P2], Some(SanctionType::Interview)),
    (
        1,
        &[H3, H4, H6, P2, P3],
        Some(SanctionType::AgreementSuspension),
    ),
    (3, &[H3, H4, P2, P3], None),
    (6, &[H5, H6, P3], None),
    (10, &[H3, H4, H5, H6, P2], None),
];

/// A year's cases and rounds as cases, in the order of their months.
fn year_of(cases: &[Case], rounds: &[Round]) -> Vec<Case> {
    let mut all = cases.to_vec();
    for &(month, organisations, measure) in rounds {
        for (i, &code) in organisations.iter().enumerate() {
            let type_code = if code.starts_with('P') {
                "PHAR-MANAGEMENT-DEFICIENCY"
            } else {
                "INST-MANAGEMENT-DEFICIENCY"
            };
            let amount = 4_000 + 1_500 * i64::from(month) + 700 * i as i64;
            all.push((month, code, type_code, 1, amount, measure));
        }
    }
    all.sort_by_key(|case| case.0);
    all
}

fn person(role: Role, sub: &str) -> Actor {
    Actor {
        sub: sub.into(),
        role,
        ..Actor::system("demo-seed")
    }
}

/// A writer whose clock reads 10:00 China time on `day`, or now if that is earlier.
async fn writer_on(state: &AppState, day: NaiveDate, actor: Actor) -> Result<Writer, ServiceError> {
    let at = (start_of_legal_day_utc(day) + chrono::Duration::hours(10)).min(state.clock.now());
    Writer::begin(&state.db, Ctx::new(at, state.config.clone()), actor).await
}

/// Records, reviews and approves one case on `day`; returns its id.
async fn approved_case(state: &AppState, day: NaiveDate, case: Case) -> Result<i64, ServiceError> {
    let (_, subject, type_code, points, amount, _) = case;
    let earlier = |days| (day - Days::new(days)).to_string();
    let body = json!({
        "subject_code": subject, "type_code": type_code,
        "occurred_on": earlier(40), "discovered_on": earlier(20),
        "description": "日常稽核发现的违规行为（演示数据）",
        "amount_involved_fen": amount, "amount_to_recover_fen": amount,
    });
    let w = writer_on(state, day, person(Role::Inspector, "demo-inspector")).await?;
    let id = cases::record::record(&w, body).await?.id;
    w.commit().await?;
    let w = writer_on(state, day, person(Role::Reviewer, "demo-reviewer")).await?;
    cases::workflow::review(&w, id, ReviewCase { comment: None }).await?;
    w.commit().await?;
    let w = writer_on(state, day, person(Role::Approver, "demo-approver")).await?;
    let approval = ApproveCase {
        points,
        comment: None,
        settlement_suspension_months: None,
        fine_multiple: None,
    };
    cases::workflow::approve(&w, id, approval).await?;
    w.commit().await?;
    Ok(id)
}

async fn sanction(
    state: &AppState,
    day: NaiveDate,
    subject: &str,
    sanction_type: SanctionType,
    case: i64,
) -> Result<(), ServiceError> {
    let ends_on = sanction_type.needs_end().then(|| day + Days::new(30));
    let input = NewSanction {
        subject_code: subject.into(),
        sanction_type,
        scope: None,
        starts_on: day,
        ends_on,
        violation_ids: vec![case],
        amount_fen: None,
        reason: "依据稽核结果作出的处理（演示数据）".into(),
    };
    let w = writer_on(state, day, person(Role::Approver, "demo-approver")).await?;
    sanctions::create(&w, input).await?;
    w.commit().await
}

/// The history, written once: a database with any case already is left as it is.
pub async fn seed(state: &AppState) -> Result<(), ServiceError> {
    if entity::violation::Entity::find()
        .count(&state.db.conn)
        .await?
        > 0
    {
        return Ok(());
    }
    let today = state.ctx().today();
    for (year, cases) in [
        (today.year() - 1, year_of(&LAST_YEAR, &LAST_YEAR_ROUNDS)),
        (today.year(), year_of(&THIS_YEAR, &THIS_YEAR_ROUNDS)),
    ] {
        for case in cases {
            let Some(day) = NaiveDate::from_ymd_opt(year, case.0, 10).map(|d| d.min(today)) else {
                continue;
            };
            if year == today.year() && case.0 > today.month() {
                continue;
            }
            let id = approved_case(state, day, case).await?;
            if let Some(measure) = case.5 {
                sanction(state, day, case.1, measure, id).await?;
            }
        }
    }
    Ok(())
}
