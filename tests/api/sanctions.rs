//! Manual sanctions through HTTP: the rules of each type, who may impose them, derived status, lifting and
//! revoking, the cases they rest on, and what hospitals and partners see.

use chrono::{Days, NaiveDate, Utc};
use medcredit::auth::Role;
use medcredit::domain::dates::legal_date;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;

const INSURED: &str = "11010519491231002X";

fn today() -> NaiveDate {
    legal_date(Utc::now())
}

/// `today` moved by `days` (negative: into the past), as the API writes dates.
fn day(days: i64) -> String {
    let moved = if days < 0 {
        today().checked_sub_days(Days::new(days.unsigned_abs()))
    } else {
        today().checked_add_days(Days::new(days as u64))
    };
    moved.unwrap().to_string()
}

/// An interview (约谈) of `subject` running from `from` to `to` days from today.
fn interview(subject: &str, from: i64, to: i64) -> Value {
    json!({"subject_code": subject, "type": "interview", "starts_on": day(from), "ends_on": day(to),
           "reason": "约谈医保办负责人"})
}

impl TestApp {
    /// Imposes a sanction as an approver, asserts it was created and returns its id.
    async fn impose(&self, body: Value) -> i64 {
        let response = self.post("/api/v1/sanctions", Role::Approver, &body).await;
        assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
        response.body["id"].as_i64().expect("id")
    }

    /// Ids of the sanctions `role` finds under `query`.
    async fn sanction_ids(&self, query: &str, role: Role) -> Vec<i64> {
        let response = self.get(&format!("/api/v1/sanctions?{query}"), role).await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.body);
        let items = response.body["items"].as_array().unwrap();
        items.iter().map(|s| s["id"].as_i64().unwrap()).collect()
    }
}

#[tokio::test]
async fn each_type_follows_its_rules_with_the_field_named() {
    let app = spawn_app().await;
    app.seed_registry().await;
    let start = "2026-03-01";
    let refused = [
        (
            json!({"subject_code": INSTITUTION, "type": "qualification_suspension", "scope": "all",
                "starts_on": start, "ends_on": "2026-05-31", "reason": "x"}),
            "type",
        ),
        (
            json!({"subject_code": PHYSICIAN, "type": "qualification_suspension",
                "starts_on": start, "ends_on": "2026-05-31", "reason": "x"}),
            "scope",
        ),
        (
            json!({"subject_code": PHYSICIAN, "type": "qualification_suspension", "scope": "inpatient",
                "starts_on": start, "reason": "x"}),
            "ends_on",
        ),
        (
            json!({"subject_code": PHYSICIAN, "type": "qualification_suspension", "scope": "inpatient",
                "starts_on": start, "ends_on": "2026-09-01", "reason": "over six months"}),
            "ends_on",
        ),
        (
            json!({"subject_code": INSURED, "type": "recovery", "starts_on": start, "reason": "x"}),
            "amount_fen",
        ),
        (
            json!({"subject_code": INSURED, "type": "recovery", "starts_on": start, "amount_fen": 0,
                "reason": "x"}),
            "amount_fen",
        ),
        (
            json!({"subject_code": INSTITUTION, "type": "interview", "starts_on": start, "amount_fen": 100,
                "reason": "x"}),
            "amount_fen",
        ),
        (
            json!({"subject_code": INSTITUTION, "type": "agreement_termination", "starts_on": start,
                "ends_on": "2027-03-01", "reason": "x"}),
            "ends_on",
        ),
        (
            json!({"subject_code": INSTITUTION, "type": "rectification", "starts_on": start,
                "ends_on": "2026-02-28", "reason": "x"}),
            "ends_on",
        ),
        (
            json!({"subject_code": INSTITUTION, "type": "interview", "scope": "all", "starts_on": start,
                "reason": "x"}),
            "scope",
        ),
        (
            json!({"subject_code": INSURED, "type": "settlement_suspension", "starts_on": start,
                "ends_on": "2027-03-01", "reason": "over twelve months"}),
            "ends_on",
        ),
        (
            json!({"subject_code": INSTITUTION, "type": "interview", "starts_on": start, "reason": "  "}),
            "reason",
        ),
        (
            json!({"subject_code": INSTITUTION, "type": "interview", "starts_on": start,
                "reason": "长".repeat(2001)}),
            "reason",
        ),
        (
            json!({"subject_code": INSTITUTION, "type": "interview", "starts_on": start, "reason": "x",
                "violation_ids": (1..=101).collect::<Vec<i64>>()}),
            "violation_ids",
        ),
        (
            json!({"subject_code": INSTITUTION, "type": "warning", "starts_on": start, "reason": "x"}),
            "type",
        ),
    ];
    for (body, field) in refused {
        let response = app.post("/api/v1/sanctions", Role::Approver, &body).await;
        response.assert_problem(422);
        assert_eq!(response.error_fields(), [field], "{body}");
    }
    let unknown = json!({"subject_code": "H37010299999", "type": "interview", "starts_on": start, "reason": "x"});
    app.post("/api/v1/sanctions", Role::Approver, &unknown)
        .await
        .assert_problem(404);
    let extra = json!({"subject_code": INSTITUTION, "type": "interview", "starts_on": start, "reason": "x", "points": 3});
    app.post("/api/v1/sanctions", Role::Approver, &extra)
        .await
        .assert_problem(422);

    // Seed 004 / 条例 art. 41: an insured person's networked settlement, all scopes unless said otherwise.
    let suspended = app
        .post(
            "/api/v1/sanctions",
            Role::Approver,
            &json!({"subject_code": INSURED, "type": "settlement_suspension", "starts_on": start,
                    "ends_on": "2026-05-31", "reason": " 冒名就医，暂停联网结算3个月 "}),
        )
        .await;
    assert_eq!(suspended.status, StatusCode::CREATED, "{}", suspended.body);
    let body = &suspended.body;
    assert_eq!(body["scope"], "all");
    assert_eq!(body["subject_kind"], "insured");
    assert_eq!(
        body["reason"], "冒名就医，暂停联网结算3个月",
        "reasons are trimmed"
    );
    assert_eq!(body["automatic"], false);
    assert_eq!(body["created_by"], "approver-1");
    assert_eq!(body["violation_ids"], json!([]));

    // Seed 003: the general-outpatient scope for three months.
    let doctor = app
        .post(
            "/api/v1/sanctions",
            Role::Approver,
            &json!({"subject_code": PHYSICIAN, "type": "qualification_suspension", "scope": "outpatient_general",
                    "starts_on": start, "ends_on": "2026-05-31", "reason": "滥用药、开具不合理处方"}),
        )
        .await;
    assert_eq!(doctor.status, StatusCode::CREATED, "{}", doctor.body);
    assert_eq!(doctor.body["scope"], "outpatient_general");
    assert!(doctor.body["ban_until"].is_null());

    let terminated = app
        .post(
            "/api/v1/sanctions",
            Role::Admin,
            &json!({"subject_code": INSTITUTION, "type": "agreement_termination", "starts_on": "2024-02-29",
                    "reason": "虚构医疗服务，解除服务协议"}),
        )
        .await;
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

    let recovery = app
        .post(
            "/api/v1/sanctions",
            Role::Approver,
            &json!({"subject_code": PHYSICIAN, "type": "recovery", "starts_on": start, "amount_fen": 120000,
                    "reason": "追回违规费用"}),
        )
        .await;
    assert_eq!(recovery.status, StatusCode::CREATED, "{}", recovery.body);
    assert_eq!(recovery.body["amount_fen"], 120000);
    assert!(recovery.body["scope"].is_null());
}

#[tokio::test]
async fn only_approvers_and_admins_impose_lift_and_revoke() {
    let app = spawn_app().await;
    app.seed_registry().await;
    let id = app.impose(interview(INSTITUTION, 0, 30)).await;
    let reason = json!({"reason": "整改到位"});
    for role in [
        Role::Inspector,
        Role::Reviewer,
        Role::Hospital,
        Role::Partner,
        Role::Auditor,
    ] {
        let create = app
            .post("/api/v1/sanctions", role, &interview(INSTITUTION, 0, 30))
            .await;
        create.assert_problem(403);
        for action in ["lift", "revoke"] {
            let path = format!("/api/v1/sanctions/{id}/{action}");
            app.post(&path, role, &reason).await.assert_problem(403);
        }
    }
    let anonymous = app
        .send(reqwest::Method::GET, "/api/v1/sanctions", None, None)
        .await;
    anonymous.assert_problem(401);
    assert_eq!(
        app.sanction_ids("", Role::Auditor).await,
        [id],
        "refused writes leave nothing"
    );
    let got = app
        .get(&format!("/api/v1/sanctions/{id}"), Role::Auditor)
        .await;
    assert_eq!(got.body["status"], "active");
    assert!(got.body["lifted_on"].is_null() && got.body["revoked_at"].is_null());
}

#[tokio::test]
async fn status_is_derived_from_the_dates_and_active_on_filters_by_it() {
    let app = spawn_app().await;
    app.seed_registry().await;
    let pending = app.impose(interview(INSTITUTION, 1, 30)).await;
    let expired = app.impose(interview(INSTITUTION, -30, -1)).await;
    let running = app.impose(interview(INSTITUTION, -10, 0)).await;
    let open = app
        .impose(
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
        let got = app
            .get(&format!("/api/v1/sanctions/{id}"), Role::Inspector)
            .await;
        assert_eq!(got.body["status"], status, "sanction {id}");
    }
    let on = |days: i64| format!("active_on={}", day(days));
    assert_eq!(
        app.sanction_ids(&on(0), Role::Reviewer).await,
        [running, open]
    );
    assert_eq!(
        app.sanction_ids(&on(1), Role::Reviewer).await,
        [pending, open]
    );
    // The last day counts: on its `ends_on` the expired one was still active, and is shown as such.
    assert_eq!(
        app.sanction_ids(&on(-1), Role::Reviewer).await,
        [expired, running, open]
    );
    let then = app
        .get(&format!("/api/v1/sanctions?{}", on(-1)), Role::Reviewer)
        .await;
    assert_eq!(then.body["items"][0]["status"], "active");
    assert!(app.sanction_ids(&on(-31), Role::Reviewer).await.is_empty());

    assert_eq!(
        app.sanction_ids("type=recovery", Role::Auditor).await,
        [open]
    );
    let theirs = format!("subject_code={INSTITUTION}&{}", on(0));
    assert_eq!(app.sanction_ids(&theirs, Role::Auditor).await, [running]);
    app.get("/api/v1/sanctions?type=warning", Role::Auditor)
        .await
        .assert_problem(400);
    app.get("/api/v1/sanctions?active_on=tomorrow", Role::Auditor)
        .await
        .assert_problem(400);

    // Pages are stable and cover every sanction once.
    let first = app.get("/api/v1/sanctions?limit=3", Role::Auditor).await;
    let cursor = first.body["next_cursor"].as_str().unwrap();
    let rest = app
        .sanction_ids(&format!("limit=3&cursor={cursor}"), Role::Auditor)
        .await;
    assert_eq!(first.body["items"].as_array().unwrap().len(), 3);
    assert_eq!(rest, [open]);
}

#[tokio::test]
async fn lifting_and_revoking_end_a_sanction_once_with_an_audit_trail() {
    let app = spawn_app().await;
    app.seed_registry().await;
    let running = app.impose(interview(INSTITUTION, -10, 10)).await;
    let lift = format!("/api/v1/sanctions/{running}/lift");
    app.post(&lift, Role::Approver, &json!({"reason": " "}))
        .await
        .assert_problem(422);
    let missing = app.post(&lift, Role::Approver, &json!({})).await;
    missing.assert_problem(422);
    let lifted = app
        .post(&lift, Role::Approver, &json!({"reason": "已整改到位"}))
        .await;
    assert_eq!(lifted.status, StatusCode::OK, "{}", lifted.body);
    assert_eq!(
        lifted.body["status"], "lifted",
        "a sanction lifted today is no longer active today"
    );
    assert_eq!(lifted.body["lifted_on"], day(0));
    assert_eq!(lifted.body["lifted_reason"], "已整改到位");
    app.post(&lift, Role::Approver, &json!({"reason": "again"}))
        .await
        .assert_problem(409);
    assert!(
        app.sanction_ids(&format!("active_on={}", day(0)), Role::Auditor)
            .await
            .is_empty()
    );
    let yesterday = app
        .sanction_ids(&format!("active_on={}", day(-1)), Role::Auditor)
        .await;
    assert_eq!(
        yesterday,
        [running],
        "lifting does not rewrite the days before it"
    );

    let expired = app.impose(interview(INSTITUTION, -10, -1)).await;
    let late = app
        .post(
            &format!("/api/v1/sanctions/{expired}/lift"),
            Role::Approver,
            &json!({"reason": "x"}),
        )
        .await;
    late.assert_problem(409);

    let revoke = format!("/api/v1/sanctions/{running}/revoke");
    let revoked = app
        .post(
            &revoke,
            Role::Admin,
            &json!({"reason": "申诉成立，案件撤销"}),
        )
        .await;
    assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.body);
    assert_eq!(revoked.body["status"], "revoked");
    assert_eq!(revoked.body["revoked_reason"], "申诉成立，案件撤销");
    assert!(revoked.body["revoked_at"].is_string());
    app.post(&revoke, Role::Approver, &json!({"reason": "again"}))
        .await
        .assert_problem(409);
    let yesterday = app
        .sanction_ids(&format!("active_on={}", day(-1)), Role::Auditor)
        .await;
    assert_eq!(
        yesterday,
        [expired],
        "the revoked one never counted, not even before its lift"
    );
    let pending = app.impose(interview(INSTITUTION, 5, 10)).await;
    let withdrawn = app
        .post(
            &format!("/api/v1/sanctions/{pending}/revoke"),
            Role::Approver,
            &json!({"reason": "x"}),
        )
        .await;
    assert_eq!(withdrawn.status, StatusCode::OK);
    let after = app
        .post(
            &format!("/api/v1/sanctions/{pending}/lift"),
            Role::Approver,
            &json!({"reason": "x"}),
        )
        .await;
    after.assert_problem(409);
    let nowhere = app
        .post(
            "/api/v1/sanctions/999999/lift",
            Role::Approver,
            &json!({"reason": "x"}),
        )
        .await;
    nowhere.assert_problem(404);
    app.get("/api/v1/sanctions/999999", Role::Auditor)
        .await
        .assert_problem(404);
    app.get("/api/v1/sanctions/abc", Role::Auditor)
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
    let expected = [
        "subject.create",
        "sanction.create",
        "sanction.lift",
        "sanction.create",
        "sanction.revoke",
        "sanction.create",
        "sanction.revoke",
    ];
    assert_eq!(actions, expected);
    assert_eq!(rows[1]["change"]["id"], running);
    assert_eq!(rows[1]["change"]["type"], "interview");
    assert_eq!(rows[2]["change"]["reason"], "已整改到位");
    assert_eq!(rows[4]["actor"], "admin-1");
}

#[tokio::test]
async fn hospitals_see_their_institution_and_its_practitioners_only() {
    let app = spawn_app().await;
    app.seed_registry().await;
    let own = app.impose(interview(INSTITUTION, 0, 10)).await;
    let doctor = app.impose(interview(PHYSICIAN, 0, 10)).await;
    let other = app.impose(interview(OTHER_INSTITUTION, 0, 10)).await;
    let other_doctor = app.impose(interview(OTHER_PHYSICIAN, 0, 10)).await;
    assert_eq!(app.sanction_ids("", Role::Hospital).await, [own, doctor]);
    assert_eq!(
        app.sanction_ids("", Role::Inspector).await,
        [own, doctor, other, other_doctor]
    );
    let theirs = format!("subject_code={OTHER_INSTITUTION}");
    assert!(app.sanction_ids(&theirs, Role::Hospital).await.is_empty());
    for id in [own, doctor] {
        let got = app
            .get(&format!("/api/v1/sanctions/{id}"), Role::Hospital)
            .await;
        assert_eq!(got.status, StatusCode::OK, "{}", got.body);
    }
    for id in [other, other_doctor] {
        app.get(&format!("/api/v1/sanctions/{id}"), Role::Hospital)
            .await
            .assert_problem(403);
    }
    // A hospital whose institution is not registered sees nothing, and is not told more.
    let stranger = app.token_for(Role::Hospital, "hospital-9", Some("H37010200099"));
    let page = app
        .send(
            reqwest::Method::GET,
            "/api/v1/sanctions",
            Some(&stranger),
            None,
        )
        .await;
    assert_eq!(page.body["items"], json!([]));
}

#[tokio::test]
async fn partners_see_insured_persons_codes_masked() {
    let app = spawn_app().await;
    app.seed_registry().await;
    let insured = app
        .impose(
            json!({"subject_code": INSURED, "type": "settlement_suspension", "starts_on": day(0),
                       "ends_on": day(100), "reason": "医保卡套现"}),
        )
        .await;
    let doctor = app.impose(interview(PHYSICIAN, 0, 10)).await;
    let got = app
        .get(&format!("/api/v1/sanctions/{insured}"), Role::Partner)
        .await;
    assert_eq!(got.body["subject_code"], "110105********002X");
    let listed = app.get("/api/v1/sanctions", Role::Partner).await;
    assert_eq!(
        listed.body["items"][0]["subject_code"],
        "110105********002X"
    );
    assert_eq!(listed.body["items"][1]["id"], doctor);
    assert_eq!(
        listed.body["items"][1]["subject_code"], PHYSICIAN,
        "practitioner codes are not personal IDs"
    );
    let full = app
        .get(&format!("/api/v1/sanctions/{insured}"), Role::Auditor)
        .await;
    assert_eq!(full.body["subject_code"], INSURED);
}

#[tokio::test]
async fn a_sanction_rests_only_on_approved_cases_of_its_subject() {
    let app = spawn_app().await;
    app.seed_registry().await;
    let case_type = "PRAC-IRRATIONAL-PRESCRIPTION";
    // Four points each keeps the physician below the suspension threshold: no automatic sanction interferes.
    let points = json!({"points": 4, "comment": "同意"});
    let unapproved = app.reviewed_case(PHYSICIAN, case_type).await;
    let own = app
        .approved_case(PHYSICIAN, case_type, points.clone())
        .await["id"]
        .as_i64()
        .unwrap();
    let foreign = app
        .approved_case(OTHER_PHYSICIAN, case_type, points.clone())
        .await["id"]
        .as_i64()
        .unwrap();
    let suspension = |ids: Value| {
        json!({"subject_code": PHYSICIAN, "type": "qualification_suspension", "scope": "outpatient_chronic",
               "starts_on": day(0), "ends_on": day(60), "reason": "开具不合理处方", "violation_ids": ids})
    };
    for (ids, field) in [
        (json!([own, unapproved]), "violation_ids[1]"),
        (json!([foreign]), "violation_ids[0]"),
        (json!([999999]), "violation_ids[0]"),
        (json!([own, own]), "violation_ids[1]"),
    ] {
        let response = app
            .post(
                "/api/v1/sanctions",
                Role::Approver,
                &suspension(ids.clone()),
            )
            .await;
        response.assert_problem(422);
        assert_eq!(response.error_fields(), [field], "{ids}");
    }
    let created = app
        .post(
            "/api/v1/sanctions",
            Role::Approver,
            &suspension(json!([own])),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(created.body["violation_ids"], json!([own]));
    let id = created.body["id"].as_i64().unwrap();
    let got = app
        .get(&format!("/api/v1/sanctions/{id}"), Role::Auditor)
        .await;
    assert_eq!(got.body["violation_ids"], json!([own]));

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
            "/api/v1/sanctions",
            Role::Approver,
            &recovery(OTHER_INSTITUTION, case),
        )
        .await;
    other.assert_problem(422);
    let borne = app
        .post(
            "/api/v1/sanctions",
            Role::Approver,
            &recovery(INSTITUTION, case),
        )
        .await;
    assert_eq!(borne.status, StatusCode::CREATED, "{}", borne.body);
    assert_eq!(borne.body["violation_ids"], json!([case]));
    // A case whose institution is not liable stays the physician's alone.
    let not_borne = app
        .post(
            "/api/v1/sanctions",
            Role::Approver,
            &recovery(INSTITUTION, own),
        )
        .await;
    not_borne.assert_problem(422);
}
