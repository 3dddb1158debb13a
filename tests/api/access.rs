//! The access-control matrix: every documented operation, called by each of the seven roles and by five kinds
//! of bad caller, against one seeded app. Expected statuses are what the service documents (DESIGN §1, the
//! `require(...)` calls and `ensure_visible`); a documented operation without a row fails the test.
//!
//! Writes act on targets of their own, so rows do not disturb each other. Callers go left to right: where a
//! role may write, the first permitted caller gets the success status and a later one (usually `admin`) gets
//! what a second identical request gets — exactly, e.g. 409 because the case has moved on.

use std::collections::BTreeSet;

use medcredit::auth::{JwtKeys, Role};
use medcredit::domain::dates::legal_date;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::*;

const CASE_TYPE: &str = "INST-OVERCHARGING";
const IMPORT_HEADER: &str = "kind,code,name,region,uscc";

#[derive(Clone, Copy, Debug)]
enum Caller {
    Role(Role),
    NoToken,
    Expired,
    WrongSignature,
    AlgNone,
    /// A hospital token whose `org` is `OTHER_INSTITUTION`, not the institution the rows read.
    OtherHospital,
}

/// The columns of `Row::expect`, in order.
const CALLERS: [Caller; 12] = [
    Caller::Role(Role::Inspector),
    Caller::Role(Role::Reviewer),
    Caller::Role(Role::Approver),
    Caller::Role(Role::Admin),
    Caller::Role(Role::Hospital),
    Caller::Role(Role::Partner),
    Caller::Role(Role::Auditor),
    Caller::NoToken,
    Caller::Expired,
    Caller::WrongSignature,
    Caller::AlgNone,
    Caller::OtherHospital,
];

/// Expected statuses, one line per documented operation. Columns: the seven roles, then the bad callers.
const MATRIX: &str = "
  operation                                                  insp revi appr admi hosp part audi | none expd sign algn othH
  GET    /healthz                                             200  200  200  200  200  200  200 |  200  200  200  200  200
  GET    /readyz                                              200  200  200  200  200  200  200 |  200  200  200  200  200
  GET    /metrics                                             200  200  200  200  200  200  200 |  200  200  200  200  200
  GET    /api/v1/audit                                        403  403  403  200  403  403  200 |  401  401  401  401  403
  GET    /api/v1/audit/verify                                 403  403  403  200  403  403  200 |  401  401  401  401  403
  GET    /api/v1/subjects                                     200  200  200  200  200  200  200 |  401  401  401  401  200
  POST   /api/v1/subjects                                     201  403  409  409  403  403  403 |  401  401  401  401  403
  POST   /api/v1/subjects:import                              201  403  422  422  403  403  403 |  401  401  401  401  403
  GET    /api/v1/imports                                      200  403  200  200  403  403  200 |  401  401  401  401  403
  GET    /api/v1/imports/{id}                                 200  403  404  200  403  403  200 |  401  401  401  401  403
  GET    /api/v1/subjects/{code}                              200  200  200  200  200  200  200 |  401  401  401  401  403
  PATCH  /api/v1/subjects/{code}                              200  403  200  200  403  403  403 |  401  401  401  401  403
  GET    /api/v1/subjects/{code}/affiliations                 200  200  200  200  200  200  200 |  401  401  401  401  403
  POST   /api/v1/subjects/{code}/affiliations                 201  403  409  409  403  403  403 |  401  401  401  401  409
  DELETE /api/v1/subjects/{code}/affiliations/{institution_code}
                                                              200  403  200  200  200  403  403 |  401  401  401  401  403
  POST   /api/v1/commitment-texts                             403  403  403  201  403  403  403 |  401  401  401  401  403
  GET    /api/v1/commitment-texts                             200  200  200  200  200  200  200 |  401  401  401  401  200
  POST   /api/v1/subjects/{code}/commitments                  201  403  403  201  201  403  403 |  401  401  401  401  403
  GET    /api/v1/subjects/{code}/commitments                  200  200  200  200  200  403  200 |  401  401  401  401  403
  GET    /api/v1/commitments/missing                          200  200  200  200  200  403  200 |  401  401  401  401  200
  GET    /api/v1/subjects/{code}/credit                       200  200  200  200  200  200  200 |  401  401  401  401  403
  GET    /api/v1/subjects/{code}/ledger                       200  200  200  200  200  200  200 |  401  401  401  401  403
  GET    /api/v1/standing/{code}                              200  200  200  200  200  200  200 |  401  401  401  401  403
  GET    /api/v1/violation-types                              200  200  200  200  200  200  200 |  401  401  401  401  200
  POST   /api/v1/violation-types                              403  403  403  201  403  403  403 |  401  401  401  401  403
  GET    /api/v1/violations                                   200  200  200  200  403  403  200 |  401  401  401  401  403
  POST   /api/v1/violations                                   201  403  403  201  403  403  403 |  401  401  401  401  403
  GET    /api/v1/violations/{id}                              200  200  200  200  403  403  200 |  401  401  401  401  403
  GET    /api/v1/violations/export                            200  200  200  200  403  403  200 |  401  401  401  401  403
  GET    /api/v1/violations/{id}/notice                       200  200  200  200  200  403  200 |  401  401  401  401  403
  PATCH  /api/v1/violations/{id}                              200  403  403  200  403  403  403 |  401  401  401  401  403
  POST   /api/v1/violations/{id}/review                       403  200  403  409  403  403  403 |  401  401  401  401  403
  POST   /api/v1/violations/{id}/approve                      403  403  200  409  403  403  403 |  401  401  401  401  403
  POST   /api/v1/violations/{id}/reject                       403  200  409  409  403  403  403 |  401  401  401  401  403
  POST   /api/v1/violations/{id}/return                       403  200  409  409  403  403  403 |  401  401  401  401  403
  POST   /api/v1/violations/{id}/resubmit                     200  403  403  409  403  403  403 |  401  401  401  401  403
  GET    /api/v1/sanctions                                    200  200  200  200  200  200  200 |  401  401  401  401  200
  POST   /api/v1/sanctions                                    403  403  201  201  403  403  403 |  401  401  401  401  403
  GET    /api/v1/sanctions/{id}                               200  200  200  200  200  200  200 |  401  401  401  401  403
  GET    /api/v1/sanctions/export                             200  200  200  200  200  200  200 |  401  401  401  401  200
  GET    /api/v1/sanctions/{id}/notice                        200  200  200  200  200  403  200 |  401  401  401  401  403
  POST   /api/v1/sanctions/{id}/lift                          403  403  200  409  403  403  403 |  401  401  401  401  403
  POST   /api/v1/sanctions/{id}/revoke                        403  403  200  409  403  403  403 |  401  401  401  401  403
  GET    /api/v1/lists/black                                  200  200  200  200  200  200  200 |  401  401  401  401  200
  POST   /api/v1/lists/black                                  403  403  201  201  403  403  403 |  401  401  401  401  403
  GET    /api/v1/lists/black/{id}                             200  200  200  200  200  200  200 |  401  401  401  401  403
  GET    /api/v1/lists/black/{id}/notice                      200  200  200  200  200  403  200 |  401  401  401  401  403
  POST   /api/v1/lists/black/{id}/remove                      403  403  200  409  403  403  403 |  401  401  401  401  403
  POST   /api/v1/violations/{id}/appeals                      201  403  403  409  409  403  403 |  401  401  401  401  403
  GET    /api/v1/appeals                                      200  200  200  200  200  403  200 |  401  401  401  401  200
  POST   /api/v1/appeals/{id}/decision                        403  403  403  200  403  403  403 |  401  401  401  401  403
  POST   /api/v1/violations/{id}/void                         403  403  200  409  403  403  403 |  401  401  401  401  403
  GET    /api/v1/repairs                                      200  200  200  200  200  403  200 |  401  401  401  401  200
  POST   /api/v1/repairs                                      201  403  403  201  201  403  403 |  401  401  401  401  403
  POST   /api/v1/repairs/{id}/decision                        403  200  403  409  403  403  403 |  401  401  401  401  403
  POST   /api/v1/subjects/{code}/commendations                201  403  403  201  403  403  403 |  401  401  401  401  403
  GET    /api/v1/subjects/{code}/commendations                200  200  200  200  403  403  200 |  401  401  401  401  403
  GET    /api/v1/commendations                                200  200  200  200  403  403  200 |  401  401  401  401  403
  GET    /api/v1/commendations/{id}                           200  200  200  200  403  403  200 |  401  401  401  401  403
  POST   /api/v1/commendations/{id}/decision                  403  403  200  409  403  403  403 |  401  401  401  401  403
  POST   /api/v1/subjects/{code}/repair-activities            201  403  403  201  403  403  403 |  401  401  401  401  403
  GET    /api/v1/subjects/{code}/repair-activities            200  200  200  200  403  403  200 |  401  401  401  401  403
  GET    /api/v1/repair-activities                            200  200  200  200  403  403  200 |  401  401  401  401  403
  GET    /api/v1/repair-activities/{id}                       200  200  200  200  403  403  200 |  401  401  401  401  403
  POST   /api/v1/repair-activities/{id}/decision              403  200  403  409  403  403  403 |  401  401  401  401  403
  GET    /api/v1/tasks                                        200  200  200  200  403  403  403 |  401  401  401  401  403
  GET    /api/v1/lists/red                                    200  200  200  200  200  200  200 |  401  401  401  401  200
  GET    /api/v1/lists/red/export                             200  200  200  200  200  200  200 |  401  401  401  401  200
  POST   /api/v1/lists/black/{id}/publish                     403  403  409  409  403  403  403 |  401  401  401  401  403
  POST   /api/v1/lists/red/proposals                          403  403  403  201  403  403  403 |  401  401  401  401  403
  GET    /api/v1/lists/red/proposals                          200  200  200  200  403  403  200 |  401  401  401  401  403
  POST   /api/v1/lists/red/proposals/{id}/decision            403  403  200  409  403  403  403 |  401  401  401  401  403
  POST   /api/v1/screenings                                   201  201  201  201  201  201  201 |  401  401  401  401  201
  GET    /api/v1/screenings                                   200  200  200  200  200  200  200 |  401  401  401  401  200
  GET    /api/v1/screenings/{id}                              200  404  404  200  404  404  200 |  401  401  401  401  404
  GET    /api/v1/lookup-quotas                                403  403  403  200  403  200  403 |  401  401  401  401  403
  GET    /api/v1/institutions/{code}/practitioners            200  200  200  200  200  200  200 |  401  401  401  401  403
  GET    /api/v1/institutions/{code}/practitioners/export     200  200  200  200  200  200  200 |  401  401  401  401  403
  GET    /api/v1/changes                                      403  403  403  200  200  200  200 |  401  401  401  401  200
  GET    /api/v1/lists/black/export                           200  200  200  200  200  200  200 |  401  401  401  401  200
  GET    /public/v1/blacklist                                 200  200  200  200  200  200  200 |  200  200  200  200  200
  GET    /public/blacklist                                    200  200  200  200  200  200  200 |  200  200  200  200  200
  GET    /public/stats                                        200  200  200  200  200  200  200 |  200  200  200  200  200
  GET    /api/v1/tips                                         200  200  200  200  403  403  200 |  401  401  401  401  403
  GET    /api/v1/tips/export                                  200  200  200  200  403  403  200 |  401  401  401  401  403
  GET    /api/v1/tips/{id}                                    200  200  200  200  403  403  200 |  401  401  401  401  403
  POST   /api/v1/tips/{id}/decision                           200  403  403  409  403  403  403 |  401  401  401  401  403
  POST   /api/v1/tips/{id}/cases                              200  403  403  409  403  403  403 |  401  401  401  401  403
  GET    /api/v1/tips/{id}/details                            200  403  403  200  403  403  403 |  401  401  401  401  403
  POST   /api/v1/tips/{id}/reward/decision                    403  403  200  409  403  403  403 |  401  401  401  401  403
  POST   /api/v1/tips/{id}/reward/payment                     403  403  200  409  403  403  403 |  401  401  401  401  403
  GET    /api/v1/suspicions                                   200  200  200  200  200  403  200 |  401  401  401  401  200
  POST   /api/v1/suspicions                                   201  403  403  200  403  403  403 |  401  401  401  401  403
  POST   /api/v1/suspicions:import                            422  403  403  422  403  403  403 |  401  401  401  401  403
  GET    /api/v1/suspicions/stats                             200  200  200  200  403  403  200 |  401  401  401  401  403
  GET    /api/v1/suspicions/{id}                              200  200  200  200  200  403  200 |  401  401  401  401  403
  POST   /api/v1/suspicions/{id}/triage                       200  403  403  409  403  403  403 |  401  401  401  401  403
  POST   /api/v1/suspicions:triage                            200  403  403  409  403  403  403 |  401  401  401  401  403
  POST   /api/v1/suspicions/{id}/explanation                  403  403  403  200  409  403  403 |  401  401  401  401  403
  POST   /api/v1/suspicions/{id}/verification                 200  403  403  409  403  403  403 |  401  401  401  401  403
  POST   /api/v1/suspicions/{id}/second-review                403  200  403  409  403  403  403 |  401  401  401  401  403
  POST   /public/v1/tips                                      201  201  201  201  201  201  201 |  201  201  201  201  201
  GET    /public/v1/tips/{number}                             404  404  404  404  404  404  404 |  404  404  404  404  404
  POST   /public/v1/tips/{number}/claim                       404  404  404  404  404  404  404 |  404  404  404  404  404
  GET    /public/tips                                         200  200  200  200  200  200  200 |  200  200  200  200  200
  POST   /public/tips                                         415  415  415  415  415  415  415 |  415  415  415  415  415
  GET    /api/v1/stats/cases                                  200  200  200  200  200  403  200 |  401  401  401  401  403
  GET    /api/v1/stats/sanctions                              200  200  200  200  403  403  200 |  401  401  401  401  403
  GET    /api/v1/stats/lists                                  200  200  200  200  403  403  200 |  401  401  401  401  403
  GET    /api/v1/stats/tips                                   200  200  200  200  403  403  200 |  401  401  401  401  403
  GET    /api/v1/stats/grades                                 200  200  200  200  403  403  200 |  401  401  401  401  403
  GET    /public/v1/stats                                     200  200  200  200  200  200  200 |  200  200  200  200  200
  POST   /api/v1/webhooks                                     403  403  403  201  201  201  403 |  401  401  401  401  201
  GET    /api/v1/webhooks                                     403  403  403  200  200  200  200 |  401  401  401  401  200
  DELETE /api/v1/webhooks/{id}                                403  403  403  200  404  404  403 |  401  401  401  401  404
  GET    /api/v1/webhooks/{id}/deliveries                     403  403  403  200  404  200  200 |  401  401  401  401  404
  POST   /api/v1/webhooks/{id}/resume                         403  403  403  200  404  200  403 |  401  401  401  401  404
  POST   /api/v1/webhooks/{id}/deliveries/{delivery_id}/redeliver
                                                              403  403  403  409  404  409  403 |  401  401  401  401  404
";

struct Row {
    /// `METHOD template`, as `openapi/openapi.json` names the operation.
    operation: String,
    expect: Vec<u16>,
}

/// The rows of `MATRIX`; a line holding only an operation continues on the next line.
fn matrix() -> Vec<Row> {
    let mut words: Vec<&str> = Vec::new();
    let mut rows = Vec::new();
    for line in MATRIX.lines().map(str::trim) {
        if line.is_empty() || line.starts_with("operation") {
            continue;
        }
        words.extend(line.split_whitespace().filter(|w| *w != "|"));
        if words.len() == 2 {
            continue;
        }
        let expect: Vec<u16> = words[2..]
            .iter()
            .map(|w| w.parse().expect("a status"))
            .collect();
        assert_eq!(expect.len(), CALLERS.len(), "{line}");
        rows.push(Row {
            operation: format!("{} {}", words[0], words[1]),
            expect,
        });
        words.clear();
    }
    rows
}

/// Ids of what the write rows act on, each used by one row only.
struct Fixture {
    case: i64,
    to_review: i64,
    to_approve: i64,
    to_reject: i64,
    to_return: i64,
    to_resubmit: i64,
    to_correct: i64,
    sanction: i64,
    to_lift: i64,
    to_revoke: i64,
    /// An approved case of INSTITUTION that sanctions rest on.
    grounds: i64,
    entry: i64,
    entry_to_remove: i64,
    to_appeal: i64,
    appeal: i64,
    to_void: i64,
    /// A minor case approved long enough ago to be repaired.
    old_case: i64,
    repair: i64,
    /// A commendation of INSTITUTION and a repair activity of PHYSICIAN, both by `inspector-1`, pending.
    commendation: i64,
    repair_activity: i64,
    proposal: i64,
    /// A screening made by the inspector: only its maker, auditors and admins read it.
    screening: i64,
    /// An import run by the inspector: only its maker, auditors and admins read it.
    import: i64,
    /// The partner's webhooks: one to delete, one whose (pending) delivery cannot be redelivered.
    webhook_to_delete: i64,
    webhook: i64,
    delivery: i64,
    tips: Tips,
    suspects: crate::suspicions::AtEachStep,
}

/// Tips at each step (`tests/api/tips.rs` makes them as a reporter and the staff would).
struct Tips {
    /// Received, waiting for the decision.
    received: i64,
    /// Taken up by `inspector-1`, with a case of INSTITUTION recorded to be linked to it.
    accepted: i64,
    case: i64,
    /// Its case approved: a reward waits for an approver.
    proposed: i64,
    /// Its reward approved by `approver-2`: the payment waits.
    approved: i64,
    number: String,
}

async fn tips(app: &TestApp) -> Tips {
    use crate::tips::{accept, case_from_tip, id_of, new_tip, submit};
    let (number, _) = submit(app, &new_tip(None)).await;
    let received = id_of(app, &number).await;
    let mut accepted_rewarded = Vec::new();
    for _ in 0..3 {
        let (number, _) = submit(app, &new_tip(None)).await;
        let id = id_of(app, &number).await;
        accept(app, id).await;
        accepted_rewarded.push(id);
    }
    let (accepted, proposed, approved) = (
        accepted_rewarded[0],
        accepted_rewarded[1],
        accepted_rewarded[2],
    );
    for id in [proposed, approved] {
        let case = case_from_tip(app, id, 5_000_000).await;
        app.review_and_approve(case, json!({"points": 6})).await;
    }
    let second = app.token_for(Role::Approver, "approver-2", None);
    let decision = json!({"outcome": "approved", "reason": "同意"});
    let path = format!("/api/v1/tips/{approved}/reward/decision");
    let response = app
        .send(Method::POST, &path, Some(&second), Some(&decision))
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    Tips {
        received,
        accepted,
        case: app.record_case(INSTITUTION, CASE_TYPE).await,
        proposed,
        approved,
        number,
    }
}

fn subscription() -> Value {
    json!({"url": "http://127.0.0.1:9/hook", "events": ["list.added"]})
}

async fn webhook(app: &TestApp) -> i64 {
    let response = app
        .post("/api/v1/webhooks", Role::Partner, &subscription())
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
    response.body["id"].as_i64().expect("id")
}

fn this_year() -> i32 {
    chrono::Datelike::year(&legal_date(chrono::Utc::now()))
}

fn repair_body(case: i64) -> Value {
    json!({"violation_id": case, "reason": "已整改", "evidence": [{"name": "整改报告.pdf"}]})
}

fn black_entry(grounds: i64) -> Value {
    let today = legal_date(chrono::Utc::now());
    json!({"subject_code": INSTITUTION, "reason": "欺诈骗保", "violation_ids": [grounds], "listed_on": today})
}

/// A black-list entry listed by a second approver, so that `approver-1` may remove it (four eyes).
async fn entry(app: &TestApp, grounds: i64) -> i64 {
    let lister = app.token_for(Role::Approver, "approver-2", None);
    let response = app
        .send(
            reqwest::Method::POST,
            "/api/v1/lists/black",
            Some(&lister),
            Some(&black_entry(grounds)),
        )
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
    response.body["id"].as_i64().expect("id")
}

/// An appeal filed by the inspector against a case the reviewer and approver acted on.
async fn appeal(app: &TestApp) -> i64 {
    let case = app.grounds(INSTITUTION).await;
    let path = format!("/api/v1/violations/{case}/appeals");
    let response = app
        .post(&path, Role::Inspector, &json!({"reason": "证据不足"}))
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
    response.body["id"].as_i64().expect("id")
}

fn interview(grounds: i64) -> Value {
    let today = legal_date(chrono::Utc::now());
    json!({"subject_code": INSTITUTION, "type": "interview", "starts_on": today,
           "ends_on": today + chrono::Days::new(30), "reason": "约谈医保办负责人",
           "violation_ids": [grounds]})
}

fn commendation() -> Value {
    json!({"points": 2, "reason": "医保基金使用规范", "evidence": [{"name": "表彰决定.pdf"}]})
}

fn repair_activity() -> Value {
    let today = legal_date(chrono::Utc::now());
    json!({"kind": "training", "held_on": today, "description": "医保政策培训",
           "evidence": [{"name": "签到表.pdf"}]})
}

async fn returned_case(app: &TestApp) -> i64 {
    let id = app.record_case(INSTITUTION, CASE_TYPE).await;
    let path = format!("/api/v1/violations/{id}/return");
    let response = app
        .post(&path, Role::Reviewer, &json!({"reason": "证据不足"}))
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    id
}

async fn sanction(app: &TestApp, grounds: i64) -> i64 {
    let response = app
        .post("/api/v1/sanctions", Role::Approver, &interview(grounds))
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
    response.body["id"].as_i64().expect("id")
}

async fn seed(app: &TestApp) -> Fixture {
    app.seed_registry().await;
    // The DELETE row ends this affiliation; PHYSICIAN's, which the hospital reads through, stays.
    let path = format!("/api/v1/subjects/{OTHER_PHYSICIAN}/affiliations");
    let body = json!({"institution_code": INSTITUTION, "valid_from": "2021-01-01"});
    let response = app.post(&path, Role::Inspector, &body).await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
    let text = json!({"applies_to": ["institution", "pharmacy", "practitioner"], "version": "access-1",
                      "title": "信用承诺书", "body": "承诺遵守医保法规", "effective_from": "2024-01-01"});
    let response = app
        .post("/api/v1/commitment-texts", Role::Admin, &text)
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
    let webhook_to_delete = webhook(app).await;
    let subscribed = webhook(app).await;
    let grounds = app.grounds(INSTITUTION).await;
    app.clock
        .set(Some(chrono::Utc::now() - chrono::Duration::days(200)));
    let old_case = app.grounds(INSTITUTION).await;
    app.clock.set(None);
    Fixture {
        case: app.record_case(INSTITUTION, CASE_TYPE).await,
        to_review: app.record_case(INSTITUTION, CASE_TYPE).await,
        to_approve: app.reviewed_case(INSTITUTION, CASE_TYPE).await,
        to_reject: app.record_case(INSTITUTION, CASE_TYPE).await,
        to_return: app.record_case(INSTITUTION, CASE_TYPE).await,
        to_resubmit: returned_case(app).await,
        to_correct: returned_case(app).await,
        sanction: sanction(app, grounds).await,
        to_lift: sanction(app, grounds).await,
        to_revoke: sanction(app, grounds).await,
        entry: entry(app, grounds).await,
        entry_to_remove: entry(app, grounds).await,
        to_appeal: app.grounds(INSTITUTION).await,
        appeal: appeal(app).await,
        to_void: app.grounds(INSTITUTION).await,
        old_case,
        repair: {
            let response = app
                .post("/api/v1/repairs", Role::Inspector, &repair_body(old_case))
                .await;
            assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
            response.body["id"].as_i64().expect("id")
        },
        commendation: {
            let path = format!("/api/v1/subjects/{INSTITUTION}/commendations");
            let response = app.post(&path, Role::Inspector, &commendation()).await;
            assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
            response.body["id"].as_i64().expect("id")
        },
        repair_activity: {
            let path = format!("/api/v1/subjects/{PHYSICIAN}/repair-activities");
            let response = app.post(&path, Role::Inspector, &repair_activity()).await;
            assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
            response.body["id"].as_i64().expect("id")
        },
        proposal: {
            let body = json!({"year": this_year()});
            let response = app
                .post("/api/v1/lists/red/proposals", Role::Admin, &body)
                .await;
            assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
            response.body["items"][0]["id"]
                .as_i64()
                .expect("a proposal")
        },
        screening: {
            let body = json!({"codes": [INSTITUTION]});
            let response = app.post("/api/v1/screenings", Role::Inspector, &body).await;
            assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
            response.body["id"].as_i64().expect("id")
        },
        import: {
            let csv = format!(
                "{IMPORT_HEADER}\ninstitution,H37010200077,导入的医院,370102,{}\n",
                uscc_for("H37010200077")
            );
            let token = app.token(Role::Inspector);
            let response = app
                .send_raw("/api/v1/subjects:import", Some(&token), "text/csv", csv)
                .await;
            assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
            response.body["id"].as_i64().expect("id")
        },
        webhook_to_delete,
        webhook: subscribed,
        delivery: {
            let path = format!("/api/v1/webhooks/{subscribed}/deliveries");
            let response = app.get(&path, Role::Partner).await;
            response.body["items"][0]["id"]
                .as_i64()
                .expect("a delivery of list.added")
        },
        grounds,
        tips: tips(app).await,
        suspects: crate::suspicions::at_each_step(app).await,
    }
}

/// The request each operation is tried with: the path with real ids and codes, and the body.
fn request(operation: &str, f: &Fixture) -> (String, Option<Value>) {
    let subject = format!("/api/v1/subjects/{INSTITUTION}");
    let case = |id: i64, action: &str| format!("/api/v1/violations/{id}{action}");
    let ending = |id: i64, action: &str| format!("/api/v1/sanctions/{id}/{action}");
    let reason = Some(json!({"reason": "复核意见"}));
    match operation {
        "POST /api/v1/subjects" => (
            "/api/v1/subjects".into(),
            Some(institution("H37010200009", "访问控制测试医院")),
        ),
        "GET /api/v1/subjects/{code}" => (subject, None),
        "PATCH /api/v1/subjects/{code}" => (
            format!("/api/v1/subjects/{OTHER_INSTITUTION}"),
            Some(json!({"name": "历下区中医医院（更正）"})),
        ),
        "GET /api/v1/subjects/{code}/affiliations" => {
            (format!("/api/v1/subjects/{PHYSICIAN}/affiliations"), None)
        }
        "POST /api/v1/subjects/{code}/affiliations" => (
            format!("/api/v1/subjects/{OTHER_PHYSICIAN}/affiliations"),
            Some(json!({"institution_code": OTHER_INSTITUTION, "valid_from": "2024-01-01"})),
        ),
        // Repeatable within the day: an affiliation ending today is still current and is ended today again.
        "DELETE /api/v1/subjects/{code}/affiliations/{institution_code}" => (
            format!("/api/v1/subjects/{OTHER_PHYSICIAN}/affiliations/{INSTITUTION}"),
            None,
        ),
        "POST /api/v1/commitment-texts" => (
            "/api/v1/commitment-texts".into(),
            Some(
                json!({"applies_to": ["institution"], "version": "access-2", "title": "承诺书",
                        "body": "承诺遵守医保法规", "effective_from": "2031-01-01"}),
            ),
        ),
        "POST /api/v1/subjects/{code}/commitments" => (
            format!("/api/v1/subjects/{PHYSICIAN}/commitments"),
            Some(
                json!({"text_version": "access-1", "signed_on": "2024-01-02", "signer_name": "张三"}),
            ),
        ),
        "GET /api/v1/subjects/{code}/commitments" => {
            (format!("/api/v1/subjects/{PHYSICIAN}/commitments"), None)
        }
        "GET /api/v1/subjects/{code}/credit" => (format!("{subject}/credit"), None),
        "GET /api/v1/subjects/{code}/ledger" => (format!("{subject}/ledger"), None),
        "GET /api/v1/standing/{code}" => (format!("/api/v1/standing/{INSTITUTION}"), None),
        "POST /api/v1/violation-types" => (
            "/api/v1/violation-types".into(),
            Some(json!({
                "code": "INST-ACCESS-MATRIX", "name": "访问控制测试", "applies_to": ["institution"],
                "severity": "general", "points_min": 6, "points_max": 10,
                "legal_basis": "《医疗保障基金使用监督管理条例》第三十八条", "effective_from": "2024-01-01"
            })),
        ),
        // Without an Idempotency-Key every post records a new case.
        "POST /api/v1/violations" => (
            "/api/v1/violations".into(),
            Some(case_body(INSTITUTION, CASE_TYPE)),
        ),
        "GET /api/v1/violations/{id}" => (case(f.case, ""), None),
        "GET /api/v1/violations/export" => ("/api/v1/violations/export".into(), None),
        "GET /api/v1/violations/{id}/notice" => (case(f.grounds, "/notice"), None),
        "GET /api/v1/sanctions/export" => ("/api/v1/sanctions/export".into(), None),
        "GET /api/v1/sanctions/{id}/notice" => {
            (format!("/api/v1/sanctions/{}/notice", f.sanction), None)
        }
        "GET /api/v1/lists/black/{id}/notice" => {
            (format!("/api/v1/lists/black/{}/notice", f.entry), None)
        }
        "GET /api/v1/lists/red/export" => ("/api/v1/lists/red/export".into(), None),
        "PATCH /api/v1/violations/{id}" => (
            case(f.to_correct, ""),
            Some(json!({"description": "补充证据后更正的违规事实"})),
        ),
        "POST /api/v1/violations/{id}/review" => (case(f.to_review, "/review"), Some(json!({}))),
        "POST /api/v1/violations/{id}/approve" => {
            (case(f.to_approve, "/approve"), Some(json!({"points": 6})))
        }
        "POST /api/v1/violations/{id}/reject" => (case(f.to_reject, "/reject"), reason),
        "POST /api/v1/violations/{id}/return" => (case(f.to_return, "/return"), reason),
        "POST /api/v1/violations/{id}/resubmit" => {
            (case(f.to_resubmit, "/resubmit"), Some(json!({})))
        }
        "POST /api/v1/sanctions" => ("/api/v1/sanctions".into(), Some(interview(f.grounds))),
        "GET /api/v1/sanctions/{id}" => (format!("/api/v1/sanctions/{}", f.sanction), None),
        "POST /api/v1/sanctions/{id}/lift" => (ending(f.to_lift, "lift"), reason),
        "POST /api/v1/sanctions/{id}/revoke" => (ending(f.to_revoke, "revoke"), reason),
        "POST /api/v1/lists/black" => ("/api/v1/lists/black".into(), Some(black_entry(f.grounds))),
        "GET /api/v1/lists/black/{id}" => (format!("/api/v1/lists/black/{}", f.entry), None),
        // A published entry: who may publish meets 409, everyone else 403 first.
        "POST /api/v1/lists/black/{id}/publish" => {
            (format!("/api/v1/lists/black/{}/publish", f.entry), None)
        }
        "POST /api/v1/lists/black/{id}/remove" => (
            format!("/api/v1/lists/black/{}/remove", f.entry_to_remove),
            reason,
        ),
        "POST /api/v1/violations/{id}/appeals" => (case(f.to_appeal, "/appeals"), reason),
        "POST /api/v1/appeals/{id}/decision" => (
            format!("/api/v1/appeals/{}/decision", f.appeal),
            Some(json!({"outcome": "rejected", "reason": "维持原决定"})),
        ),
        "POST /api/v1/violations/{id}/void" => (case(f.to_void, "/void"), reason),
        "POST /api/v1/repairs" => ("/api/v1/repairs".into(), Some(repair_body(f.old_case))),
        "POST /api/v1/repairs/{id}/decision" => (
            format!("/api/v1/repairs/{}/decision", f.repair),
            Some(json!({"outcome": "rejected", "reason": "材料不全"})),
        ),
        "POST /api/v1/subjects/{code}/commendations" => {
            (format!("{subject}/commendations"), Some(commendation()))
        }
        "GET /api/v1/subjects/{code}/commendations" => (format!("{subject}/commendations"), None),
        "GET /api/v1/commendations" => ("/api/v1/commendations".into(), None),
        "GET /api/v1/commendations/{id}" => {
            (format!("/api/v1/commendations/{}", f.commendation), None)
        }
        // Rejected, so that no cap is in play: the decider meets success, the next one 409.
        "POST /api/v1/commendations/{id}/decision" => (
            format!("/api/v1/commendations/{}/decision", f.commendation),
            Some(json!({"outcome": "rejected", "reason": "材料不全"})),
        ),
        "POST /api/v1/subjects/{code}/repair-activities" => (
            format!("/api/v1/subjects/{PHYSICIAN}/repair-activities"),
            Some(repair_activity()),
        ),
        "GET /api/v1/subjects/{code}/repair-activities" => (
            format!("/api/v1/subjects/{PHYSICIAN}/repair-activities"),
            None,
        ),
        "GET /api/v1/repair-activities" => ("/api/v1/repair-activities".into(), None),
        "GET /api/v1/repair-activities/{id}" => (
            format!("/api/v1/repair-activities/{}", f.repair_activity),
            None,
        ),
        "POST /api/v1/repair-activities/{id}/decision" => (
            format!("/api/v1/repair-activities/{}/decision", f.repair_activity),
            Some(json!({"outcome": "rejected", "reason": "材料不全"})),
        ),
        "POST /api/v1/lists/red/proposals" => (
            "/api/v1/lists/red/proposals".into(),
            Some(json!({"year": this_year() - 1})),
        ),
        "POST /api/v1/lists/red/proposals/{id}/decision" => (
            format!("/api/v1/lists/red/proposals/{}/decision", f.proposal),
            Some(json!({"outcome": "confirmed"})),
        ),
        "POST /api/v1/screenings" => (
            "/api/v1/screenings".into(),
            Some(json!({"codes": [INSTITUTION, PHYSICIAN]})),
        ),
        "GET /api/v1/screenings/{id}" => (format!("/api/v1/screenings/{}", f.screening), None),
        "GET /api/v1/imports/{id}" => (format!("/api/v1/imports/{}", f.import), None),
        // Sent as CSV by the loop below: the inspector's import succeeds; the same rows again are taken codes.
        "POST /api/v1/subjects:import" => ("/api/v1/subjects:import".into(), None),
        "POST /api/v1/suspicions:import" => ("/api/v1/suspicions:import".into(), None),
        "GET /api/v1/institutions/{code}/practitioners" => (
            format!("/api/v1/institutions/{INSTITUTION}/practitioners"),
            None,
        ),
        "GET /api/v1/institutions/{code}/practitioners/export" => (
            format!("/api/v1/institutions/{INSTITUTION}/practitioners/export"),
            None,
        ),
        "POST /api/v1/webhooks" => ("/api/v1/webhooks".into(), Some(subscription())),
        "DELETE /api/v1/webhooks/{id}" => {
            (format!("/api/v1/webhooks/{}", f.webhook_to_delete), None)
        }
        "POST /api/v1/webhooks/{id}/resume" => {
            (format!("/api/v1/webhooks/{}/resume", f.webhook), None)
        }
        "GET /api/v1/webhooks/{id}/deliveries" => {
            (format!("/api/v1/webhooks/{}/deliveries", f.webhook), None)
        }
        "POST /api/v1/webhooks/{id}/deliveries/{delivery_id}/redeliver" => (
            format!(
                "/api/v1/webhooks/{}/deliveries/{}/redeliver",
                f.webhook, f.delivery
            ),
            None,
        ),
        "GET /api/v1/tips/{id}" => (format!("/api/v1/tips/{}", f.tips.received), None),
        "POST /api/v1/tips/{id}/decision" => (
            format!("/api/v1/tips/{}/decision", f.tips.received),
            Some(json!({"outcome": "not_accepted", "reason": "不属于医保基金监管范围"})),
        ),
        "POST /api/v1/tips/{id}/cases" => (
            format!("/api/v1/tips/{}/cases", f.tips.accepted),
            Some(json!({"violation_id": f.tips.case})),
        ),
        "GET /api/v1/tips/{id}/details" => {
            (format!("/api/v1/tips/{}/details", f.tips.accepted), None)
        }
        "POST /api/v1/tips/{id}/reward/decision" => (
            format!("/api/v1/tips/{}/reward/decision", f.tips.proposed),
            Some(json!({"outcome": "approved", "reason": "同意"})),
        ),
        "POST /api/v1/tips/{id}/reward/payment" => (
            format!("/api/v1/tips/{}/reward/payment", f.tips.approved),
            Some(json!({"paid_on": legal_date(chrono::Utc::now()), "reference": "ZF-1"})),
        ),
        "POST /public/v1/tips" => ("/public/v1/tips".into(), Some(crate::tips::new_tip(None))),
        // Without the claim code, whoever asks: the answer of an unknown number.
        "GET /public/v1/tips/{number}" => (format!("/public/v1/tips/{}", f.tips.number), None),
        "POST /public/v1/tips/{number}/claim" => (
            format!("/public/v1/tips/{}/claim", f.tips.number),
            Some(json!({"decline": true})),
        ),
        // A browser posts the form; JSON is refused as the wrong type.
        "POST /public/tips" => ("/public/tips".into(), Some(json!({"facts": "x"}))),
        // A hospital reads its own institution's statistics; the other hospital asks about the same one.
        "GET /api/v1/stats/cases" => (
            format!("/api/v1/stats/cases?institution_code={INSTITUTION}"),
            None,
        ),
        "POST /api/v1/suspicions" => (
            "/api/v1/suspicions".into(),
            Some(crate::suspicions::suspect("ACCESS-1", "R-DUP", 100)),
        ),
        "GET /api/v1/suspicions/{id}" => {
            (format!("/api/v1/suspicions/{}", f.suspects.pending), None)
        }
        "POST /api/v1/suspicions/{id}/triage" => (
            format!("/api/v1/suspicions/{}/triage", f.suspects.pending),
            Some(json!({"outcome": "to_explain"})),
        ),
        "POST /api/v1/suspicions:triage" => (
            "/api/v1/suspicions:triage".into(),
            Some(json!({"ids": [f.suspects.pending_too], "outcome": "to_explain"})),
        ),
        "POST /api/v1/suspicions/{id}/explanation" => (
            format!("/api/v1/suspicions/{}/explanation", f.suspects.to_explain),
            Some(json!({"text": "系正常收费"})),
        ),
        "POST /api/v1/suspicions/{id}/verification" => (
            format!("/api/v1/suspicions/{}/verification", f.suspects.to_verify),
            Some(json!({"outcome": "cleared", "reason": "已退费"})),
        ),
        "POST /api/v1/suspicions/{id}/second-review" => (
            format!("/api/v1/suspicions/{}/second-review", f.suspects.awaiting),
            Some(json!({"outcome": "confirmed"})),
        ),
        "GET /api/v1/suspicions/stats" => (
            "/api/v1/suspicions/stats?group_by=rule_code&from=2026-01-01&to=2026-12-31".into(),
            None,
        ),
        // What is left are GETs of fixed paths.
        other => match other.strip_prefix("GET ") {
            Some(path) if !path.contains('{') => (path.to_string(), None),
            _ => panic!("no request for {other}"),
        },
    }
}

/// Every `METHOD path` the committed OpenAPI document describes.
fn documented_operations() -> BTreeSet<String> {
    let spec: Value = serde_json::from_str(include_str!("../../openapi/openapi.json"))
        .expect("openapi.json is JSON");
    let paths = spec["paths"].as_object().expect("paths");
    let methods = [
        "get", "put", "post", "delete", "options", "head", "patch", "trace",
    ];
    paths
        .iter()
        .flat_map(|(path, item)| {
            let item = item.as_object().expect("path item");
            methods
                .iter()
                .filter(|m| item.contains_key(**m))
                .map(move |m| format!("{} {path}", m.to_uppercase()))
        })
        .collect()
}

fn token(app: &TestApp, caller: Caller) -> Option<String> {
    use base64::Engine;
    let b64 = |text: String| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text);
    let hour = chrono::Duration::hours(1);
    Some(match caller {
        Caller::Role(role) => app.token(role),
        Caller::NoToken => return None,
        Caller::Expired => {
            app.keys
                .mint(Role::Admin, "admin-1", None, chrono::Duration::seconds(-10))
        }
        Caller::WrongSignature => JwtKeys::from_secret(b"not-the-secret-not-the-secret-not!").mint(
            Role::Admin,
            "admin-1",
            None,
            hour,
        ),
        Caller::AlgNone => {
            let exp = chrono::Utc::now().timestamp() + 3600;
            let claims = json!({"sub": "admin-1", "role": "admin", "exp": exp, "iat": 0});
            let header = json!({"alg": "none", "typ": "JWT", "kid": "default"});
            format!("{}.{}.", b64(header.to_string()), b64(claims.to_string()))
        }
        Caller::OtherHospital => app.token_for(Role::Hospital, "his-2", Some(OTHER_INSTITUTION)),
    })
}

#[tokio::test]
async fn every_operation_answers_each_caller_as_documented() {
    let rows = matrix();
    let covered: BTreeSet<String> = rows.iter().map(|r| r.operation.clone()).collect();
    assert_eq!(covered.len(), rows.len(), "one row per operation");
    let documented = documented_operations();
    let missing: Vec<_> = documented.difference(&covered).collect();
    let stale: Vec<_> = covered.difference(&documented).collect();
    assert!(
        missing.is_empty(),
        "documented operations without a row: {missing:?}"
    );
    assert!(
        stale.is_empty(),
        "rows for undocumented operations: {stale:?}"
    );

    // About 400 requests in a second or two, more than a client's burst: the rate limit has tests of its own.
    // Tips too: the public intake has a limit an hour of its own.
    let dir = tempfile::tempdir().expect("a temporary directory");
    let policy = dir.path().join("policy.json");
    std::fs::write(&policy, r#"{"tips": {"per_client_per_hour": 1000}}"#).expect("policy file");
    let policy = policy.to_str().expect("a UTF-8 path");
    let app = spawn_app_with(&[
        ("MEDCREDIT_RATE_LIMIT_PER_MINUTE", "0"),
        ("MEDCREDIT_POLICY_FILE", policy),
    ])
    .await;
    let fixture = seed(&app).await;
    let tokens: Vec<Option<String>> = CALLERS.iter().map(|&c| token(&app, c)).collect();
    let mut wrong = Vec::new();
    for row in &rows {
        let (path, body) = request(&row.operation, &fixture);
        let method: Method = row
            .operation
            .split(' ')
            .next()
            .unwrap()
            .parse()
            .expect("method");
        for ((caller, token), &expected) in CALLERS.iter().zip(&tokens).zip(&row.expect) {
            let response = if path.ends_with(":import") {
                let csv = format!(
                    "{IMPORT_HEADER}\ninstitution,H37010200078,访问控制导入医院,370102,{}\n",
                    uscc_for("H37010200078")
                );
                app.send_raw(&path, token.as_deref(), "text/csv", csv).await
            } else {
                app.send(method.clone(), &path, token.as_deref(), body.as_ref())
                    .await
            };
            let status = response.status.as_u16();
            let problem = response
                .content_type()
                .starts_with("application/problem+json");
            // Every refusal is problem+json too (DESIGN §10).
            if status != expected || (status >= 400 && !problem) {
                wrong.push(format!(
                    "{method} {path} as {caller:?}: expected {expected}, got {status} {} {}",
                    response.content_type(),
                    response.body
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} mismatches:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}
