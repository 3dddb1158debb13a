//! The black list and appeals (issue 9), through the API: each automatic trigger, expiry, removal, the standing
//! it forces, and appeals that undo what a case set in motion.

use chrono::{Days, Utc};
use medcredit::auth::Role;
use medcredit::domain::dates::{add_years, legal_date};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;

const INSURED: &str = "11010519491231002X";

pub(crate) fn today() -> chrono::NaiveDate {
    legal_date(Utc::now())
}

pub(crate) async fn black(app: &TestApp, query: &str, role: Role) -> Vec<Value> {
    let response = app.get(&format!("/api/v1/lists/black?{query}"), role).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    response.body["items"].as_array().unwrap().clone()
}

pub(crate) async fn standing(app: &TestApp, code: &str, as_of: Option<chrono::NaiveDate>) -> Value {
    let path = match as_of {
        Some(day) => format!("/api/v1/standing/{code}?as_of={day}"),
        None => format!("/api/v1/standing/{code}"),
    };
    app.get(&path, Role::Inspector).await.body
}

#[tokio::test]
async fn an_approver_lists_a_subject_which_then_reads_as_blacklisted_until_expiry_or_removal() {
    let app = spawn_app().await;
    app.seed_registry().await;
    let case = app.grounds(INSTITUTION).await;
    let body = json!({"subject_code": INSTITUTION, "reason": "虚构医疗服务，骗取医保基金",
                      "violation_ids": [case], "listed_on": today()});
    let created = app.post("/api/v1/lists/black", Role::Approver, &body).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let entry = &created.body;
    let expires = add_years(today(), 3);
    assert_eq!(
        entry["expires_on"],
        expires.to_string(),
        "listed_on + 3 years"
    );
    assert_eq!(entry["published"], true);
    assert_eq!(entry["automatic"], false);
    assert_eq!(entry["status"], "active");
    for field in ["legal_basis", "exit_conditions"] {
        assert!(!entry[field].as_str().unwrap().is_empty(), "{field}");
    }
    assert!(
        entry["measures"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m == "no_new_agreement")
    );
    let remedies: Vec<&str> = entry["remedies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["kind"].as_str().unwrap())
        .collect();
    assert!(
        remedies.contains(&"appeal") && remedies.contains(&"credit_repair"),
        "{remedies:?}"
    );

    let now = standing(&app, INSTITUTION, None).await;
    assert_eq!(now["status"], "blacklisted");
    assert_eq!(
        now["grade"], "D",
        "a listed organisation cannot look good: {now}"
    );
    assert_eq!(now["lists"][0]["expires_on"], expires.to_string());
    // Expiry by date alone: the day after the last day, nothing is left.
    let after = expires + Days::new(1);
    assert_eq!(
        standing(&app, INSTITUTION, Some(after)).await["status"],
        "normal"
    );
    assert_eq!(
        black(&app, &format!("active_on={after}"), Role::Partner)
            .await
            .len(),
        0
    );
    assert_eq!(
        black(&app, &format!("active_on={expires}"), Role::Partner)
            .await
            .len(),
        1
    );

    // Early removal, with its history; not by the approver who listed it (four eyes).
    let id = entry["id"].clone();
    let path = format!("/api/v1/lists/black/{id}/remove");
    let own = app
        .post(&path, Role::Approver, &json!({"reason": "整改到位"}))
        .await;
    own.assert_problem(403);
    let other = app.token_for(Role::Approver, "approver-2", None);
    let body = json!({"reason": "整改到位"});
    let removed = app
        .send(reqwest::Method::POST, &path, Some(&other), Some(&body))
        .await;
    assert_eq!(removed.status, StatusCode::OK, "{}", removed.body);
    assert_eq!(removed.body["status"], "removed");
    assert_eq!(standing(&app, INSTITUTION, None).await["status"], "normal");
    let again = app
        .send(
            reqwest::Method::POST,
            &path,
            Some(&other),
            Some(&json!({"reason": "再次"})),
        )
        .await;
    again.assert_problem(409);
    let detail = app
        .get(&format!("/api/v1/lists/black/{id}"), Role::Auditor)
        .await
        .body;
    let ops: Vec<&str> = detail["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["op"].as_str().unwrap())
        .collect();
    assert_eq!(ops, ["added", "removed"]);

    // An unpublished entry is not there for partners.
    let hidden = json!({"subject_code": INSTITUTION, "reason": "内部", "violation_ids": [case],
                        "listed_on": today(), "published": false});
    let hidden = app
        .post("/api/v1/lists/black", Role::Approver, &hidden)
        .await
        .body;
    assert!(
        black(&app, "", Role::Partner)
            .await
            .iter()
            .all(|e| e["id"] != hidden["id"])
    );
    app.get(
        &format!("/api/v1/lists/black/{}", hidden["id"]),
        Role::Partner,
    )
    .await
    .assert_problem(404);
    // It must rest on an approved case of the subject.
    let groundless = json!({"subject_code": INSTITUTION, "reason": "无", "violation_ids": [], "listed_on": today()});
    let refused = app
        .post("/api/v1/lists/black", Role::Approver, &groundless)
        .await;
    assert_eq!(refused.error_fields(), ["violation_ids"]);
}

#[tokio::test]
async fn each_automatic_trigger_lists_in_the_transaction_of_its_cause() {
    let app = spawn_app().await;
    app.seed_registry().await;
    // A practitioner terminated by a single 12-point event.
    app.approved_case(PHYSICIAN, "PRAC-FALSE-PRESCRIPTION", json!({"points": 12}))
        .await;
    // A major case transferred to the judiciary.
    let mut case = case_body(OTHER_INSTITUTION, "INST-OVERCHARGING");
    case["amount_involved_fen"] = json!(6_000_000);
    case["transferred_to_judiciary"] = json!(true);
    let id = app
        .post("/api/v1/violations", Role::Inspector, &case)
        .await
        .body["id"]
        .as_i64()
        .unwrap();
    app.review_and_approve(id, json!({"points": 6})).await;
    // An insured person's fraud above the configured amount (10,000 yuan).
    let mut fraud = case_body(INSURED, "INSD-CARD-CASHOUT");
    fraud["amount_involved_fen"] = json!(1_500_000);
    let id = app
        .post("/api/v1/violations", Role::Inspector, &fraud)
        .await
        .body["id"]
        .as_i64()
        .unwrap();
    app.review_and_approve(id, json!({"points": 0, "settlement_suspension_months": 6}))
        .await;
    // An agreement terminated on a fraud-type case.
    let fake = app
        .approved_case(INSTITUTION, "INST-FAKE-SERVICE", json!({"points": 30}))
        .await;
    let termination = json!({"subject_code": INSTITUTION, "type": "agreement_termination", "starts_on": today(),
                             "violation_ids": [fake["id"]], "reason": "虚构医疗服务，解除服务协议"});
    let response = app
        .post("/api/v1/sanctions", Role::Approver, &termination)
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);

    let entries = black(&app, "", Role::Inspector).await;
    let mut codes: Vec<&str> = entries
        .iter()
        .map(|e| e["subject_code"].as_str().unwrap())
        .collect();
    codes.sort_unstable();
    assert_eq!(
        codes,
        [INSURED, PHYSICIAN, INSTITUTION, OTHER_INSTITUTION],
        "{entries:?}"
    );
    assert!(
        entries
            .iter()
            .all(|e| e["automatic"] == true && e["status"] == "active")
    );
    assert_eq!(
        standing(&app, PHYSICIAN, None).await["status"],
        "blacklisted"
    );
    // A non-fraud termination and a minor insured case list nobody.
    let minor = app
        .approved_case(INSTITUTION, "INST-OVERCHARGING", json!({"points": 6}))
        .await;
    let plain = json!({"subject_code": INSTITUTION, "type": "agreement_termination", "starts_on": today(),
                       "violation_ids": [minor["id"]], "reason": "多收费"});
    app.post("/api/v1/sanctions", Role::Approver, &plain).await;
    assert_eq!(black(&app, "", Role::Inspector).await.len(), 4);

    // Partners: masked, and no prefix search recovers anyone.
    let seen = black(&app, "", Role::Partner).await;
    let insured = seen
        .iter()
        .find(|e| e["subject_kind"] == "insured")
        .unwrap();
    assert_eq!(insured["subject_code"], "110105********002X");
    assert_eq!(insured["subject_name"], "李*");
    assert!(black(&app, "q=110105", Role::Partner).await.is_empty());
    // Not even the full ID number finds a person: a partner reaches one only through a screening row that
    // carries the ID number and the name together.
    assert!(
        black(&app, &format!("q={INSURED}"), Role::Partner)
            .await
            .is_empty()
    );
    assert_eq!(
        black(&app, "kind=practitioner", Role::Partner).await.len(),
        1
    );
    assert_eq!(black(&app, "region=999999", Role::Partner).await.len(), 0);
}

#[tokio::test]
async fn bans_refuse_re_registration_and_re_affiliation_naming_the_end() {
    let app = spawn_app().await;
    app.seed_registry().await;
    // A single 12-point event: terminated from tomorrow, banned for 3 years.
    app.approved_case(
        OTHER_PHYSICIAN,
        "PRAC-FALSE-PRESCRIPTION",
        json!({"points": 12}),
    )
    .await;
    let until = add_years(today() + Days::new(1), 3).to_string();
    let path = format!("/api/v1/subjects/{OTHER_PHYSICIAN}/affiliations");
    let refused = app
        .post(
            &path,
            Role::Inspector,
            &json!({"institution_code": OTHER_INSTITUTION, "valid_from": today()}),
        )
        .await;
    refused.assert_problem(409);
    assert!(
        refused.body["detail"].as_str().unwrap().contains(&until),
        "{}",
        refused.body
    );
    // A new practitioner code for the same person (ID number) is the same person.
    let again = app
        .post(
            "/api/v1/subjects",
            Role::Inspector,
            &practitioner("D370102000099", "王小明", "440524188001010014"),
        )
        .await;
    again.assert_problem(409);
    assert!(again.body["detail"].as_str().unwrap().contains(&until));

    // An agreement terminated: no new agreement for the legal entity (USCC) for 3 years.
    let case = app.grounds(INSTITUTION).await;
    let termination = json!({"subject_code": INSTITUTION, "type": "agreement_termination", "starts_on": today(),
                             "violation_ids": [case], "reason": "解除服务协议"});
    let response = app
        .post("/api/v1/sanctions", Role::Approver, &termination)
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
    let ban = response.body["ban_until"].as_str().unwrap().to_string();
    let mut reopened = institution("H37010200055", "改名后的医院");
    reopened["uscc"] = json!(uscc_for(INSTITUTION));
    let refused = app
        .post("/api/v1/subjects", Role::Inspector, &reopened)
        .await;
    refused.assert_problem(409);
    assert!(refused.body["detail"].as_str().unwrap().contains(&ban));
    // A bulk import is held to the same ban, row by row.
    let csv = format!(
        "kind,code,name,region,uscc\ninstitution,H37010200055,改名后的医院,370102,{}\n",
        uscc_for(INSTITUTION)
    );
    let token = app.token(Role::Inspector);
    let imported = app
        .send_raw("/api/v1/subjects:import", Some(&token), "text/csv", csv)
        .await;
    let error = &imported.assert_problem(422)["errors"][0];
    assert_eq!(
        (error["line"].as_u64(), error["field"].as_str()),
        (Some(2), Some("uscc"))
    );
    assert!(error["message"].as_str().unwrap().contains(&ban), "{error}");
    // Revoking the termination lifts the ban; the legal entity still has its one file, so a second record is
    // refused naming the first (it carries on under its own code).
    let id = response.body["id"].clone();
    app.post(
        &format!("/api/v1/sanctions/{id}/revoke"),
        Role::Approver,
        &json!({"reason": "复议撤销"}),
    )
    .await;
    let second = app
        .post("/api/v1/subjects", Role::Inspector, &reopened)
        .await;
    let detail = second.assert_problem(409)["detail"].as_str().unwrap();
    assert!(
        detail.contains(INSTITUTION) && !detail.contains(&ban),
        "{detail}"
    );
}

#[tokio::test]
async fn the_red_list_is_proposed_confirmed_and_ended_by_a_new_case() {
    use chrono::{Datelike, TimeZone};
    let app = spawn_app().await;
    app.seed_registry().await;
    let year = today().year();
    // The other hospital had a sanction in the previous year: not proposed.
    app.clock
        .set(Some(Utc.with_ymd_and_hms(year - 1, 5, 1, 2, 0, 0).unwrap()));
    let case = app.grounds(OTHER_INSTITUTION).await;
    let interview = json!({"subject_code": OTHER_INSTITUTION, "type": "interview",
        "starts_on": format!("{}-05-10", year - 1), "violation_ids": [case], "reason": "约谈"});
    assert_eq!(
        app.post("/api/v1/sanctions", Role::Approver, &interview)
            .await
            .status,
        StatusCode::CREATED
    );
    app.clock.set(None);

    let open = app
        .post(
            "/api/v1/lists/red/proposals",
            Role::Admin,
            &json!({"year": year + 1}),
        )
        .await;
    open.assert_problem(422);
    assert_eq!(open.error_fields(), ["year"]);
    let proposed = app
        .post(
            "/api/v1/lists/red/proposals",
            Role::Admin,
            &json!({"year": year}),
        )
        .await;
    assert_eq!(proposed.status, StatusCode::CREATED, "{}", proposed.body);
    let codes: Vec<&str> = proposed.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["subject_code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        [INSTITUTION],
        "grade A two years running and no sanction"
    );
    let again = app
        .post(
            "/api/v1/lists/red/proposals",
            Role::Admin,
            &json!({"year": year}),
        )
        .await;
    assert_eq!(
        again.body,
        json!({"items": [], "next_cursor": null}),
        "proposed once per year"
    );

    let id = proposed.body["items"][0]["id"].clone();
    let path = format!("/api/v1/lists/red/proposals/{id}/decision");
    // The admin who asked for the proposals may not confirm one (four eyes).
    let own = app
        .post(&path, Role::Admin, &json!({"outcome": "confirmed"}))
        .await;
    let detail = own.assert_problem(403)["detail"].as_str().unwrap();
    assert!(detail.contains("four eyes"), "{detail}");
    let bare = app
        .post(&path, Role::Approver, &json!({"outcome": "declined"}))
        .await;
    assert_eq!(bare.error_fields(), ["reason"]);
    let confirmed = app
        .post(&path, Role::Approver, &json!({"outcome": "confirmed"}))
        .await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
    let red = app.get("/api/v1/lists/red", Role::Partner).await.body;
    assert_eq!(red["items"][0]["subject_code"], INSTITUTION);
    assert_eq!(red["items"][0]["expires_on"], format!("{year}-12-31"));
    let standing = app
        .get(&format!("/api/v1/standing/{INSTITUTION}"), Role::Inspector)
        .await
        .body;
    assert_eq!(standing["lists"][0]["list"], "red", "{standing}");

    // A new approved case ends it, naming the case.
    let new_case = app.grounds(INSTITUTION).await;
    let red = app.get("/api/v1/lists/red", Role::Inspector).await.body;
    assert_eq!(red["items"][0]["status"], "removed");
    assert!(
        red["items"][0]["end_reason"]
            .as_str()
            .unwrap()
            .contains(&format!("case {new_case}"))
    );
}
