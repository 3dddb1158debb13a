//! Manual sanctions through HTTP: the rules of each type, who may impose them, derived status, lifting and
//! revoking, the cases they rest on, and what hospitals and partners see.

use chrono::{Days, Utc};
use medcredit::auth::Role;
use medcredit::domain::dates::legal_date;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;

const SANCTIONS: &str = "/api/v1/sanctions";
const INSURED: &str = "11010519491231002X";

/// Today (UTC+8) moved by `days`, as the API writes dates.
fn day(days: i64) -> String {
    let today = legal_date(Utc::now());
    let moved = if days < 0 {
        today.checked_sub_days(Days::new(days.unsigned_abs()))
    } else {
        today.checked_add_days(Days::new(days.unsigned_abs()))
    };
    moved.unwrap().to_string()
}

/// An interview (约谈) of `subject` running from `from` to `to` days from today.
fn interview(subject: &str, from: i64, to: i64) -> Value {
    json!({"subject_code": subject, "type": "interview", "starts_on": day(from), "ends_on": day(to),
           "reason": "约谈医保办负责人"})
}

/// Imposes a sanction as an approver, asserts it was created and returns it.
/// A body without `violation_ids` gets an approved case of its subject to rest on.
async fn impose(app: &TestApp, mut body: Value) -> Value {
    if body.get("violation_ids").is_none() {
        let subject = body["subject_code"].as_str().unwrap().to_string();
        body["violation_ids"] = json!([app.grounds(&subject).await]);
    }
    let response = app.post(SANCTIONS, Role::Approver, &body).await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
    response.body
}

async fn impose_id(app: &TestApp, body: Value) -> i64 {
    impose(app, body).await["id"].as_i64().expect("id")
}

async fn read(app: &TestApp, id: i64, role: Role) -> TestResponse {
    app.get(&format!("{SANCTIONS}/{id}"), role).await
}

/// Lifts or revokes (`action`) a sanction.
async fn end(app: &TestApp, id: i64, action: &str, role: Role, reason: &str) -> TestResponse {
    let path = format!("{SANCTIONS}/{id}/{action}");
    app.post(&path, role, &json!({"reason": reason})).await
}

/// Ids of the sanctions `role` finds under `query`.
async fn ids(app: &TestApp, query: &str, role: Role) -> Vec<i64> {
    let response = app.get(&format!("{SANCTIONS}?{query}"), role).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    let items = response.body["items"].as_array().unwrap();
    items.iter().map(|s| s["id"].as_i64().unwrap()).collect()
}

/// One refused request per line: `field => body`; `starts_on` 2026-03-01 and a reason are added unless present.
const REFUSED: &str = r#"
    type       => {"subject_code": "H37010200001", "type": "qualification_suspension", "scope": "all", "ends_on": "2026-05-31"}
    scope      => {"subject_code": "D370102000001", "type": "qualification_suspension", "ends_on": "2026-05-31"}
    ends_on    => {"subject_code": "D370102000001", "type": "qualification_suspension", "scope": "inpatient"}
    ends_on    => {"subject_code": "D370102000001", "type": "qualification_suspension", "scope": "inpatient", "ends_on": "2026-09-01"}
    amount_fen => {"subject_code": "11010519491231002X", "type": "recovery"}
    amount_fen => {"subject_code": "11010519491231002X", "type": "recovery", "amount_fen": 0}
    amount_fen => {"subject_code": "H37010200001", "type": "interview", "amount_fen": 100}
    ends_on    => {"subject_code": "H37010200001", "type": "agreement_termination", "ends_on": "2027-03-01"}
    ends_on    => {"subject_code": "H37010200001", "type": "rectification", "ends_on": "2026-02-28"}
    scope      => {"subject_code": "H37010200001", "type": "interview", "scope": "all"}
    ends_on    => {"subject_code": "11010519491231002X", "type": "settlement_suspension", "ends_on": "2027-03-01"}
    ends_on    => {"subject_code": "11010519491231002X", "type": "settlement_suspension", "ends_on": "2026-05-30"}
    reason     => {"subject_code": "H37010200001", "type": "interview", "reason": "  "}
    type       => {"subject_code": "H37010200001", "type": "warning"}
    scope      => {"subject_code": "D370102000001", "type": "qualification_suspension", "scope": "ward", "ends_on": "2026-05-31"}
"#;

#[tokio::test]
async fn each_type_follows_its_rules_with_the_field_named() {
    let app = spawn_app().await;
    app.seed_registry().await;
    let mut cases: Vec<(Value, &str)> = REFUSED
        .lines()
        .filter_map(|line| line.split_once(" => "))
        .map(|(field, body)| (serde_json::from_str(body).unwrap(), field.trim()))
        .collect();
    let long = "长".repeat(2001);
    cases.push((
        json!({"subject_code": INSTITUTION, "type": "interview", "reason": long}),
        "reason",
    ));
    let many: Vec<i64> = (1..=101).collect();
    cases.push((
        json!({"subject_code": INSTITUTION, "type": "interview", "violation_ids": many}),
        "violation_ids",
    ));
    let mut grounds = std::collections::HashMap::new();
    for (mut body, field) in cases {
        let subject = body["subject_code"].as_str().unwrap().to_string();
        if !grounds.contains_key(&subject) {
            grounds.insert(subject.clone(), app.grounds(&subject).await);
        }
        let object = body.as_object_mut().unwrap();
        object
            .entry("violation_ids")
            .or_insert(json!([grounds[&subject]]));
        body["starts_on"] = json!("2026-03-01");
        body.as_object_mut()
            .unwrap()
            .entry("reason")
            .or_insert(json!("x"));
        let response = app.post(SANCTIONS, Role::Approver, &body).await;
        response.assert_problem(422);
        assert_eq!(response.error_fields(), [field], "{body}");
    }
    let unknown = json!({"subject_code": "H37010299999", "type": "interview", "starts_on": "2026-03-01", "reason": "x",
                         "violation_ids": [1]});
    app.post(SANCTIONS, Role::Approver, &unknown)
        .await
        .assert_problem(404);
    let mut extra = interview(INSTITUTION, 0, 1);
    extra["points"] = json!(3);
    app.post(SANCTIONS, Role::Approver, &extra)
        .await
        .assert_problem(422);

    // 条例 art. 41: an insured person's networked settlement, in every scope unless said otherwise.
    let insured = impose(&app, json!({"subject_code": INSURED, "type": "settlement_suspension",
        "starts_on": "2026-03-01", "ends_on": "2026-05-31", "reason": " 冒名就医，暂停联网结算3个月 "}))
    .await;
    assert_eq!(insured["scope"], "all");
    assert_eq!(insured["subject_kind"], "insured");
    assert_eq!(
        insured["reason"], "冒名就医，暂停联网结算3个月",
        "reasons are trimmed"
    );
    assert_eq!(insured["automatic"], false);
    assert_eq!(insured["created_by"], "approver-1");
    assert_eq!(
        insured["violation_ids"].as_array().unwrap().len(),
        1,
        "it rests on a case"
    );

    // Seed 003: the general-outpatient scope for three months.
    let doctor = impose(&app, json!({"subject_code": PHYSICIAN, "type": "qualification_suspension",
        "scope": "outpatient_general", "starts_on": "2026-03-01", "ends_on": "2026-05-31", "reason": "不合理处方"}))
    .await;
    assert_eq!(doctor["scope"], "outpatient_general");
    assert!(doctor["ban_until"].is_null());

    let body = json!({"subject_code": INSTITUTION, "type": "agreement_termination", "starts_on": "2024-02-29",
        "reason": "虚构医疗服务，解除服务协议", "violation_ids": [grounds[INSTITUTION]]});
    let terminated = app.post(SANCTIONS, Role::Admin, &body).await;
    assert_eq!(
        terminated.status,
        StatusCode::CREATED,
        "{}",
        terminated.body
    );
    assert!(terminated.body["ends_on"].is_null());
    assert_eq!(
        terminated.body["ban_until"], "2027-02-28",
        "three years, from the policy"
    );
    assert_eq!(
        terminated.body["status"], "active",
        "a termination runs until lifted"
    );

    let recovery = impose(
        &app,
        json!({"subject_code": PHYSICIAN, "type": "recovery", "starts_on": "2026-03-01",
        "amount_fen": 120000, "reason": "追回违规费用"}),
    )
    .await;
    assert_eq!(recovery["amount_fen"], 120000);
    assert!(recovery["scope"].is_null() && recovery["ends_on"].is_null());
}

#[tokio::test]
async fn only_approvers_and_admins_impose_lift_and_revoke() {
    let app = spawn_app().await;
    app.seed_registry().await;
    let id = impose_id(&app, interview(INSTITUTION, 0, 30)).await;
    for role in [
        Role::Inspector,
        Role::Reviewer,
        Role::Hospital,
        Role::Partner,
        Role::Auditor,
    ] {
        let create = app
            .post(SANCTIONS, role, &interview(INSTITUTION, 0, 30))
            .await;
        create.assert_problem(403);
        end(&app, id, "lift", role, "整改到位")
            .await
            .assert_problem(403);
        end(&app, id, "revoke", role, "撤销")
            .await
            .assert_problem(403);
    }
    let anonymous = app.send(reqwest::Method::GET, SANCTIONS, None, None).await;
    anonymous.assert_problem(401);
    assert_eq!(
        ids(&app, "", Role::Auditor).await,
        [id],
        "refused writes leave nothing"
    );
    let got = read(&app, id, Role::Auditor).await;
    assert_eq!(got.body["status"], "active");
    assert!(got.body["lifted_on"].is_null() && got.body["revoked_at"].is_null());
}

#[tokio::test]
async fn status_is_derived_from_the_dates_and_active_on_filters_by_it() {
    let app = spawn_app().await;
    app.seed_registry().await;
    let pending = impose_id(&app, interview(INSTITUTION, 1, 30)).await;
    let expired = impose_id(&app, interview(INSTITUTION, -30, -1)).await;
    let running = impose_id(&app, interview(INSTITUTION, -10, 0)).await;
    let open = impose_id(
        &app,
        json!({"subject_code": PHYSICIAN, "type": "recovery", "starts_on": day(-5),
        "amount_fen": 5000, "reason": "追回"}),
    )
    .await;
    for (id, status) in [
        (pending, "pending"),
        (expired, "expired"),
        (running, "active"),
        (open, "active"),
    ] {
        assert_eq!(
            read(&app, id, Role::Inspector).await.body["status"],
            status,
            "{id}"
        );
    }
    let on = |days: i64| format!("active_on={}", day(days));
    assert_eq!(ids(&app, &on(0), Role::Reviewer).await, [running, open]);
    assert_eq!(ids(&app, &on(1), Role::Reviewer).await, [pending, open]);
    // The last day counts: on its `ends_on` the expired one was active, and is shown as such.
    assert_eq!(
        ids(&app, &on(-1), Role::Reviewer).await,
        [expired, running, open]
    );
    let then = app
        .get(&format!("{SANCTIONS}?{}", on(-1)), Role::Reviewer)
        .await;
    assert_eq!(then.body["items"][0]["status"], "active");
    assert!(ids(&app, &on(-31), Role::Reviewer).await.is_empty());

    assert_eq!(ids(&app, "type=recovery", Role::Auditor).await, [open]);
    let theirs = format!("subject_code={INSTITUTION}&{}", on(0));
    assert_eq!(ids(&app, &theirs, Role::Auditor).await, [running]);
    for (bad, status) in [
        ("type=warning", 400),
        ("active_on=tomorrow", 400),
        ("limit=0", 422),
    ] {
        let response = app.get(&format!("{SANCTIONS}?{bad}"), Role::Auditor).await;
        response.assert_problem(status);
    }

    // Pages are stable and hold every sanction once.
    let first = app
        .get(&format!("{SANCTIONS}?limit=3"), Role::Auditor)
        .await;
    assert_eq!(first.body["items"].as_array().unwrap().len(), 3);
    let cursor = first.body["next_cursor"].as_str().unwrap();
    assert_eq!(
        ids(&app, &format!("limit=3&cursor={cursor}"), Role::Auditor).await,
        [open]
    );
}

#[tokio::test]
async fn lifting_and_revoking_end_a_sanction_once_with_an_audit_trail() {
    let app = spawn_app().await;
    app.seed_registry().await;
    let running = impose_id(&app, interview(INSTITUTION, -10, 10)).await;
    end(&app, running, "lift", Role::Approver, " ")
        .await
        .assert_problem(422);
    let missing = app
        .post(
            &format!("{SANCTIONS}/{running}/lift"),
            Role::Approver,
            &json!({}),
        )
        .await;
    missing.assert_problem(422);
    let lifted = end(&app, running, "lift", Role::Approver, "已整改到位").await;
    assert_eq!(lifted.status, StatusCode::OK, "{}", lifted.body);
    assert_eq!(
        lifted.body["status"], "lifted",
        "lifted today: no longer active today"
    );
    assert_eq!(lifted.body["lifted_on"], day(0));
    assert_eq!(lifted.body["lifted_reason"], "已整改到位");
    end(&app, running, "lift", Role::Approver, "again")
        .await
        .assert_problem(409);
    assert!(
        ids(&app, &format!("active_on={}", day(0)), Role::Auditor)
            .await
            .is_empty()
    );
    let yesterday = ids(&app, &format!("active_on={}", day(-1)), Role::Auditor).await;
    assert_eq!(
        yesterday,
        [running],
        "lifting does not rewrite the days before it"
    );

    let expired = impose_id(&app, interview(INSTITUTION, -10, -1)).await;
    end(&app, expired, "lift", Role::Approver, "too late")
        .await
        .assert_problem(409);

    let revoked = end(&app, running, "revoke", Role::Admin, "申诉成立，案件撤销").await;
    assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.body);
    assert_eq!(revoked.body["status"], "revoked");
    assert_eq!(revoked.body["revoked_reason"], "申诉成立，案件撤销");
    assert!(revoked.body["revoked_at"].is_string());
    end(&app, running, "revoke", Role::Approver, "again")
        .await
        .assert_problem(409);
    let yesterday = ids(&app, &format!("active_on={}", day(-1)), Role::Auditor).await;
    assert_eq!(
        yesterday,
        [expired],
        "the revoked one never counted, even before its lift"
    );

    let pending = impose_id(&app, interview(INSTITUTION, 5, 10)).await;
    let withdrawn = end(&app, pending, "revoke", Role::Approver, "重复处理").await;
    assert_eq!(withdrawn.body["status"], "revoked");
    end(&app, pending, "lift", Role::Approver, "x")
        .await
        .assert_problem(409);
    end(&app, 999_999, "lift", Role::Approver, "x")
        .await
        .assert_problem(404);
    read(&app, 999_999, Role::Auditor).await.assert_problem(404);
    app.get(&format!("{SANCTIONS}/abc"), Role::Auditor)
        .await
        .assert_problem(400);

    let audit = app
        .get(
            &format!("/api/v1/audit?target={INSTITUTION}&limit=500"),
            Role::Auditor,
        )
        .await;
    let rows = audit.body["items"].as_array().unwrap();
    let actions: Vec<&str> = rows.iter().map(|r| r["action"].as_str().unwrap()).collect();
    let create = "sanction.create";
    let expected = [
        "subject.create",
        create,
        "sanction.lift",
        create,
        "sanction.revoke",
        create,
        "sanction.revoke",
    ];
    assert_eq!(actions, expected, "refused actions leave no row");
    assert_eq!(rows[1]["change"]["id"], running);
    assert_eq!(rows[1]["change"]["type"], "interview");
    assert_eq!(rows[2]["change"]["reason"], "已整改到位");
    assert_eq!(rows[4]["actor"], "admin-1");
}

#[tokio::test]
async fn hospitals_see_their_institution_and_its_practitioners_only() {
    let app = spawn_app().await;
    app.seed_registry().await;
    let own = impose_id(&app, interview(INSTITUTION, 0, 10)).await;
    let doctor = impose_id(&app, interview(PHYSICIAN, 0, 10)).await;
    let other = impose_id(&app, interview(OTHER_INSTITUTION, 0, 10)).await;
    let other_doctor = impose_id(&app, interview(OTHER_PHYSICIAN, 0, 10)).await;
    assert_eq!(ids(&app, "", Role::Hospital).await, [own, doctor]);
    assert_eq!(
        ids(&app, "", Role::Inspector).await,
        [own, doctor, other, other_doctor]
    );
    let theirs = format!("subject_code={OTHER_INSTITUTION}");
    assert!(ids(&app, &theirs, Role::Hospital).await.is_empty());
    for id in [own, doctor] {
        assert_eq!(read(&app, id, Role::Hospital).await.status, StatusCode::OK);
    }
    for id in [other, other_doctor] {
        read(&app, id, Role::Hospital).await.assert_problem(403);
    }
    // A hospital whose institution is not registered sees nothing.
    let stranger = app.token_for(Role::Hospital, "hospital-9", Some("H37010200099"));
    let page = app
        .send(reqwest::Method::GET, SANCTIONS, Some(&stranger), None)
        .await;
    assert_eq!(page.body["items"], json!([]));
}

#[tokio::test]
async fn partners_see_insured_persons_codes_masked() {
    let app = spawn_app().await;
    app.seed_registry().await;
    let insured = impose_id(
        &app,
        json!({"subject_code": INSURED, "type": "settlement_suspension",
        "starts_on": day(0), "ends_on": day(100), "reason": "医保卡套现"}),
    )
    .await;
    let doctor = impose_id(&app, interview(PHYSICIAN, 0, 10)).await;
    let masked = "110105********002X";
    assert_eq!(
        read(&app, insured, Role::Partner).await.body["subject_code"],
        masked
    );
    // The insured person's own case suspended settlement too: every row of theirs is masked.
    let listed = app.get(SANCTIONS, Role::Partner).await;
    let items = listed.body["items"].as_array().unwrap();
    let of = |id: i64| items.iter().find(|s| s["id"] == id).unwrap();
    assert_eq!(of(insured)["subject_code"], masked);
    for item in items.iter().filter(|s| s["subject_kind"] == "insured") {
        assert_eq!(item["subject_code"], masked, "{item}");
    }
    assert_eq!(of(doctor)["subject_code"], PHYSICIAN, "not a personal ID");
    assert_eq!(
        read(&app, insured, Role::Auditor).await.body["subject_code"],
        INSURED
    );
}

#[tokio::test]
async fn a_sanction_rests_only_on_approved_cases_of_its_subject() {
    let app = spawn_app().await;
    app.seed_registry().await;
    let case_type = "PRAC-IRRATIONAL-PRESCRIPTION";
    // Four points per case keep the physician below the suspension threshold: no automatic sanction.
    let points = json!({"points": 4, "comment": "同意"});
    let unapproved = app.reviewed_case(PHYSICIAN, case_type).await;
    let own = app
        .approved_case(PHYSICIAN, case_type, points.clone())
        .await;
    let own = own["id"].as_i64().unwrap();
    let foreign = app
        .approved_case(OTHER_PHYSICIAN, case_type, points.clone())
        .await;
    let foreign = foreign["id"].as_i64().unwrap();
    let suspension = |ids: Value| {
        json!({"subject_code": PHYSICIAN, "type": "qualification_suspension", "scope": "outpatient_chronic",
               "starts_on": day(0), "ends_on": day(60), "reason": "开具不合理处方", "violation_ids": ids})
    };
    for (ids, field) in [
        (json!([own, unapproved]), "violation_ids[1]"),
        (json!([foreign]), "violation_ids[0]"),
        (json!([999_999]), "violation_ids[0]"),
        (json!([own, own]), "violation_ids[1]"),
    ] {
        let response = app
            .post(SANCTIONS, Role::Approver, &suspension(ids.clone()))
            .await;
        response.assert_problem(422);
        assert_eq!(response.error_fields(), [field], "{ids}");
    }
    let created = impose(&app, suspension(json!([own]))).await;
    assert_eq!(created["violation_ids"], json!([own]));
    let id = created["id"].as_i64().unwrap();
    assert_eq!(
        read(&app, id, Role::Auditor).await.body["violation_ids"],
        json!([own])
    );

    // Seed 003: the institution bears the losses of its physician's case, so the recovery is its own.
    let mut liable = case_body(PHYSICIAN, case_type);
    liable["institution_code"] = json!(INSTITUTION);
    liable["institution_liable"] = json!(true);
    let recorded = app
        .post("/api/v1/violations", Role::Inspector, &liable)
        .await;
    assert_eq!(recorded.status, StatusCode::CREATED, "{}", recorded.body);
    let case = recorded.body["id"].as_i64().unwrap();
    let review = app
        .post(
            &format!("/api/v1/violations/{case}/review"),
            Role::Reviewer,
            &json!({}),
        )
        .await;
    assert_eq!(review.status, StatusCode::OK, "{}", review.body);
    let approve = app
        .post(
            &format!("/api/v1/violations/{case}/approve"),
            Role::Approver,
            &points,
        )
        .await;
    assert_eq!(approve.status, StatusCode::OK, "{}", approve.body);
    let recovery = |subject: &str, case: i64| {
        json!({"subject_code": subject, "type": "recovery", "starts_on": day(0), "amount_fen": 120000,
               "reason": "追回医师违规费用，由定点医疗机构承担", "violation_ids": [case]})
    };
    let other = app
        .post(
            SANCTIONS,
            Role::Approver,
            &recovery(OTHER_INSTITUTION, case),
        )
        .await;
    other.assert_problem(422);
    let borne = impose(&app, recovery(INSTITUTION, case)).await;
    assert_eq!(borne["violation_ids"], json!([case]));
    // A case whose institution is not liable stays the physician's alone.
    let not_borne = app
        .post(SANCTIONS, Role::Approver, &recovery(INSTITUTION, own))
        .await;
    not_borne.assert_problem(422);
}
