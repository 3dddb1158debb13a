//! Statistics (issue 23) through the HTTP API, against fixtures whose counts are known: counting days in China
//! Standard Time across a year boundary with last year beside them, a voided case, the roll-up from county to
//! prefecture and province, small cells hidden (in public, and for staff where a cell is one person), CSV, who
//! may read what, and the rebuild from the facts equal to the counters the writer kept.

use medcredit::auth::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;

/// Noon in Beijing on a day well inside its year: the default period (1 January to today) holds what a test
/// does, whenever it runs.
const MIDYEAR: &str = "2026-06-15T04:00:00Z";

/// An institution of its own in `region`, numbered `n`.
pub async fn institution_in(app: &TestApp, n: u32, region: &str) -> String {
    let code = format!("H{:011}", 37_010_290_000u64 + u64::from(n));
    let mut body = institution(&code, &format!("统计测试医院{n}"));
    body["region"] = json!(region);
    app.register(body).await;
    code
}

/// Approves a light case against `code`, returning its id.
pub async fn approve(app: &TestApp, code: &str) -> i64 {
    app.grounds(code).await
}

pub async fn stats(app: &TestApp, path: &str) -> Value {
    let response = app.get(path, Role::Auditor).await;
    assert_eq!(response.status, StatusCode::OK, "{path}: {}", response.body);
    response.body
}

/// The row whose group values are `values`, in order.
pub fn row<'a>(answer: &'a Value, values: &[&str]) -> &'a Value {
    answer["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| {
            let group: Vec<&str> = r["group"]
                .as_array()
                .unwrap()
                .iter()
                .map(|g| g["value"].as_str().unwrap())
                .collect();
            group == values
        })
        .unwrap_or_else(|| panic!("no row {values:?} in {answer}"))
}

#[tokio::test]
async fn cases_count_on_their_day_in_china_time_and_a_voided_case_where_it_was_voided() {
    let app = spawn_app().await;
    app.seed_registry().await;
    // 23:30 on 31 December in Beijing, 15:30 UTC.
    app.set_now("2025-12-31T15:30:00Z");
    let december = approve(&app, INSTITUTION).await;
    // 00:30 on 1 January in Beijing, still 31 December in UTC.
    app.set_now("2025-12-31T16:30:00Z");
    let january = approve(&app, INSTITUTION).await;
    app.record_case(OTHER_INSTITUTION, "INST-MANAGEMENT-DEFICIENCY")
        .await;
    app.set_now("2026-01-05T02:00:00Z");
    let voided = app
        .post(
            &format!("/api/v1/violations/{december}/void"),
            Role::Approver,
            &json!({"reason": "复核发现事实不清"}),
        )
        .await;
    assert_eq!(voided.status, StatusCode::OK, "{}", voided.body);
    assert!(january > december);

    let by_year = stats(
        &app,
        "/api/v1/stats/cases?from=2025-01-01&to=2026-12-31&group_by=year",
    )
    .await;
    assert_eq!(row(&by_year, &["2025"])["values"]["approved"], 1);
    assert_eq!(row(&by_year, &["2025"])["values"]["voided"], 0);
    assert_eq!(row(&by_year, &["2026"])["values"]["approved"], 1);
    // The case approved in December and voided in January counts as voided in January.
    assert_eq!(row(&by_year, &["2026"])["values"]["voided"], 1);
    // Recorded on the night of the new year: the case approved then, and one still waiting.
    assert_eq!(row(&by_year, &["2026"])["values"]["recorded"], 2);

    // This January beside last January's days, and the whole year beside the one before.
    let compared = stats(
        &app,
        "/api/v1/stats/cases?from=2026-01-01&to=2026-12-31&compare=previous_year",
    )
    .await;
    assert_eq!(compared["previous_from"], "2025-01-01");
    let only = &compared["items"][0];
    assert_eq!(only["values"]["approved"], 1);
    assert_eq!(only["previous"]["approved"], 1);
    assert_eq!(only["change"]["approved"], 0);
    assert_eq!(only["change"]["voided"], 1);
    // Waiting at the end of the period: the case recorded on the night of the new year.
    assert_eq!(only["values"]["pending"], 1);
    assert_eq!(only["previous"]["pending"], 0);
    assert!(compared["seq"].as_i64().unwrap() > 0);

    let months = stats(
        &app,
        "/api/v1/stats/cases?from=2026-01-01&to=2026-03-31&group_by=month&compare=previous_year",
    )
    .await;
    let jan = row(&months, &["2026-01"]);
    assert_eq!(jan["values"]["approved"], 1);
    assert_eq!(jan["previous"]["approved"], 0);
    // A stock has no place in rows by period.
    assert!(jan["values"].get("pending").is_none());
    let amounts = &row(&by_year, &["2025"])["values"]["amount_to_recover_fen"];
    assert_eq!(amounts, 120_000);
}

#[tokio::test]
async fn counties_roll_up_to_their_prefecture_and_province() {
    let app = spawn_app().await;
    app.set_now(MIDYEAR);
    let lixia = institution_in(&app, 1, "370102").await;
    let shizhong = institution_in(&app, 2, "370103").await;
    let dongcheng = institution_in(&app, 3, "110101").await;
    for code in [&lixia, &shizhong, &shizhong, &dongcheng] {
        approve(&app, code).await;
    }
    let prefectures = stats(&app, "/api/v1/stats/cases?group_by=prefecture").await;
    let jinan = row(&prefectures, &["370100"]);
    assert_eq!(jinan["values"]["approved"], 3);
    assert_eq!(jinan["group"][0]["name"], "济南市");
    // A district of a municipality rolls up to the municipality itself.
    assert_eq!(row(&prefectures, &["110000"])["values"]["approved"], 1);

    let provinces = stats(&app, "/api/v1/stats/cases?group_by=province").await;
    assert_eq!(row(&provinces, &["370000"])["values"]["approved"], 3);
    assert_eq!(row(&provinces, &["370000"])["group"][0]["name"], "山东省");

    let counties = stats(
        &app,
        "/api/v1/stats/cases?region=370100&group_by=region,subject_kind",
    )
    .await;
    assert_eq!(counties["items"].as_array().unwrap().len(), 2);
    assert_eq!(
        row(&counties, &["370103", "institution"])["values"]["approved"],
        2
    );
    let one = stats(&app, "/api/v1/stats/cases?region=370000").await;
    assert_eq!(one["items"][0]["values"]["approved"], 3);
    let none = stats(
        &app,
        "/api/v1/stats/cases?region=110000&subject_kind=pharmacy",
    )
    .await;
    assert_eq!(none["items"][0]["values"]["approved"], 0);

    let unknown = app
        .get(
            "/api/v1/stats/cases?region=379999&group_by=county",
            Role::Auditor,
        )
        .await;
    unknown.assert_problem(422);
    assert_eq!(unknown.error_fields(), ["group_by", "region"]);
    let backwards = app
        .get(
            "/api/v1/stats/cases?from=2026-02-01&to=2026-01-01",
            Role::Auditor,
        )
        .await;
    assert_eq!(backwards.error_fields(), ["to"]);
    let bad_date = app
        .get("/api/v1/stats/cases?from=2026-02-30", Role::Auditor)
        .await;
    assert_eq!(
        bad_date.status,
        StatusCode::BAD_REQUEST,
        "{}",
        bad_date.body
    );
}

#[tokio::test]
async fn public_figures_count_organisations_only_and_hide_cells_under_five() {
    let app = spawn_app().await;
    app.set_now(MIDYEAR);
    app.seed_registry().await;
    for n in 1..=5 {
        let code = institution_in(&app, n, "370103").await;
        approve(&app, &code).await;
    }
    for n in 10..=14 {
        let code = institution_in(&app, n, "370202").await;
        approve(&app, &code).await;
    }
    let dongcheng = institution_in(&app, 9, "110101").await;
    approve(&app, &dongcheng).await;
    approve(&app, &dongcheng).await;
    // People are never counted in public.
    approve(&app, PHYSICIAN).await;

    let public = app
        .send(reqwest::Method::GET, "/public/v1/stats", None, None)
        .await;
    assert_eq!(public.status, StatusCode::OK, "{}", public.body);
    // Beijing: two cases of one hospital are one hospital's figures.
    let beijing = row(&public.body, &["110000"]);
    assert_eq!(beijing["values"]["cases_approved"], "<5");
    assert_eq!(beijing["values"]["amount_recovered_fen"], "<5");
    // The nation (12 cases) less Qingdao and Jinan would be Beijing's: Jinan, the first of the two smallest,
    // is withheld beside it; Qingdao's five hospitals are shown.
    let qingdao = row(&public.body, &["370200"]);
    assert_eq!(qingdao["values"]["cases_approved"], 5);
    assert_eq!(qingdao["values"]["amount_recovered_fen"], 600_000);
    assert_eq!(
        row(&public.body, &["370100"])["values"]["cases_approved"],
        "<5"
    );

    // By province, 北京 alone would be given away by the nation less 山东: 山东, whose withheld Jinan keeps
    // it from being summed back, is withheld too.
    let provinces = app
        .send(
            reqwest::Method::GET,
            "/public/v1/stats?group_by=province&compare=previous_year",
            None,
            None,
        )
        .await;
    let shandong = row(&provinces.body, &["370000"]);
    assert_eq!(
        shandong["values"]["cases_approved"], "<5",
        "{}",
        provinces.body
    );
    assert_eq!(shandong["previous"]["cases_approved"], 0);
    assert_eq!(shandong["change"]["cases_approved"], "<5");
    // The national total is published: what it gives away, less every shown cell, rests on six hospitals.
    for query in ["group_by=year", "group_by=year&compare=previous_year"] {
        let nation = app
            .send(
                reqwest::Method::GET,
                &format!("/public/v1/stats?{query}"),
                None,
                None,
            )
            .await;
        assert_eq!(nation.status, StatusCode::OK, "{}", nation.body);
        assert_eq!(
            nation.body["items"][0]["values"]["cases_approved"], 12,
            "{}",
            nation.body
        );
    }
    // A region asked for is the same cell, whatever the grouping.
    for (query, expected) in [
        ("region=370200", json!(5)),
        ("region=370100", json!("<5")),
        ("region=370000&group_by=province", json!("<5")),
        ("region=110000&group_by=year", json!("<5")),
    ] {
        let one = app
            .send(
                reqwest::Method::GET,
                &format!("/public/v1/stats?{query}"),
                None,
                None,
            )
            .await;
        assert_eq!(
            one.body["items"][0]["values"]["cases_approved"], expected,
            "{query} {}",
            one.body
        );
    }
    // The public figures go down to prefectures, not counties.
    let county = app
        .send(
            reqwest::Method::GET,
            "/public/v1/stats?region=370103",
            None,
            None,
        )
        .await;
    assert_eq!(county.error_fields(), ["region"]);
    let refused = app
        .send(
            reqwest::Method::GET,
            "/public/v1/stats?group_by=subject_kind",
            None,
            None,
        )
        .await;
    assert_eq!(refused.error_fields(), ["group_by"]);

    // Staff: one practitioner's figures are hidden, an institution's are not.
    let people = stats(&app, "/api/v1/stats/cases?subject_kind=practitioner").await;
    assert_eq!(people["items"][0]["values"]["approved"], "<2");
    let kinds = stats(&app, "/api/v1/stats/cases?group_by=subject_kind").await;
    assert_eq!(row(&kinds, &["institution"])["values"]["approved"], 12);
    assert_eq!(row(&kinds, &["practitioner"])["values"]["approved"], "<2");
}

#[tokio::test]
async fn hospitals_read_their_own_figures_and_partners_the_public_ones() {
    let app = spawn_app().await;
    app.set_now(MIDYEAR);
    app.seed_registry().await;
    approve(&app, INSTITUTION).await;
    approve(&app, OTHER_INSTITUTION).await;
    let own = format!("/api/v1/stats/cases?institution_code={INSTITUTION}");
    let hospital = app.token_for(Role::Hospital, "office-1", Some(INSTITUTION));
    let mine = app
        .send(reqwest::Method::GET, &own, Some(&hospital), None)
        .await;
    assert_eq!(mine.status, StatusCode::OK, "{}", mine.body);
    assert_eq!(mine.body["items"][0]["values"]["approved"], 1);
    // Another's code, none, or a query it cannot read: the same 403.
    let other = format!("/api/v1/stats/cases?institution_code={OTHER_INSTITUTION}");
    for path in [
        other.as_str(),
        "/api/v1/stats/cases",
        "/api/v1/stats/cases?institution_code=H99999999999",
        "/api/v1/stats/cases?group_by=nonsense",
        "/api/v1/stats/lists",
        "/api/v1/stats/tips",
        "/api/v1/stats/grades",
    ] {
        let refused = app
            .send(reqwest::Method::GET, path, Some(&hospital), None)
            .await;
        refused.assert_problem(403);
    }
    // A token of the other institution's office with a colleague's `sub` is still that institution's.
    let theirs = app.token_for(Role::Hospital, "office-1", Some(OTHER_INSTITUTION));
    let refused = app
        .send(reqwest::Method::GET, &own, Some(&theirs), None)
        .await;
    refused.assert_problem(403);
    for path in [
        "/api/v1/stats/cases",
        "/api/v1/stats/sanctions?group_by=nonsense",
    ] {
        app.get(path, Role::Partner).await.assert_problem(403);
        let anonymous = app.send(reqwest::Method::GET, path, None, None).await;
        anonymous.assert_problem(401);
    }
    // Staff may narrow to one institution too.
    let staff = stats(&app, &other).await;
    assert_eq!(staff["items"][0]["values"]["approved"], 1);
}

#[tokio::test]
async fn sanctions_lists_tips_and_grades_are_counted() {
    let app = spawn_app().await;
    app.set_now(MIDYEAR);
    app.seed_registry().await;
    let grounds = app.grounds(INSTITUTION).await;
    let today = medcredit::domain::dates::legal_date(app.clock.now());
    let suspension = json!({"subject_code": INSTITUTION, "type": "agreement_suspension",
        "starts_on": today, "ends_on": today + chrono::Days::new(30),
        "reason": "暂停协议整改", "violation_ids": [grounds]});
    let created = app
        .post("/api/v1/sanctions", Role::Approver, &suspension)
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    // Nine points in the year suspend a practitioner's qualification (automatically).
    for points in [5, 4] {
        let approval = json!({ "points": points });
        app.approved_case(PHYSICIAN, "PRAC-IRRATIONAL-PRESCRIPTION", approval)
            .await;
    }
    let listed = json!({"subject_code": INSTITUTION, "reason": "欺诈骗保",
        "violation_ids": [grounds], "listed_on": today});
    let listed = app
        .post("/api/v1/lists/black", Role::Approver, &listed)
        .await;
    assert_eq!(listed.status, StatusCode::CREATED, "{}", listed.body);

    // The engine's suspension starts after the approval: it counts on its start date.
    let ahead = today + chrono::Days::new(60);
    let path = format!("/api/v1/stats/sanctions?group_by=sanction_type&to={ahead}");
    let sanctions = stats(&app, &path).await;
    let agreement = row(&sanctions, &["agreement_suspension"]);
    assert_eq!(agreement["values"]["agreements_suspended"], 1);
    assert_eq!(agreement["values"]["started"], 1);
    // One practitioner: staff see it is hidden, not that it is one.
    let qualification = row(&sanctions, &["qualification_suspension"]);
    assert_eq!(qualification["values"]["practitioners_suspended"], "<2");
    let all = stats(&app, "/api/v1/stats/sanctions?subject_kind=institution").await;
    assert_eq!(all["items"][0]["values"]["started"], 1);

    let lists = stats(&app, "/api/v1/stats/lists").await;
    assert_eq!(lists["items"][0]["values"]["black_added"], 1);
    assert_eq!(lists["items"][0]["values"]["black_in_force"], 1);
    assert_eq!(lists["items"][0]["values"]["black_ended"], 0);

    let mut tip = crate::tips::new_tip(None);
    tip["region"] = json!("370102");
    crate::tips::submit(&app, &tip).await;
    let tips = stats(&app, "/api/v1/stats/tips?group_by=region").await;
    assert_eq!(row(&tips, &["370102"])["values"]["received"], 1);
    assert_eq!(row(&tips, &["370102"])["values"]["accepted"], 0);

    let grades = stats(&app, "/api/v1/stats/grades?group_by=subject_kind").await;
    let organisations = row(&grades, &["institution"]);
    // The black-listed institution is D, the other A.
    assert_eq!(organisations["values"]["grade_D"], 1);
    assert_eq!(organisations["values"]["grade_A"], 1);
    // Two physicians: one with 9 points, one with none, each alone in its band.
    let people = row(&grades, &["practitioner"]);
    assert_eq!(people["values"]["points_9-11"], "<2");
    let earlier = app
        .get("/api/v1/stats/grades?date=2020-06-01", Role::Auditor)
        .await;
    assert_eq!(earlier.error_fields(), ["date"]);
}

#[tokio::test]
async fn csv_gives_the_same_table_with_chinese_headers_and_a_byte_order_mark() {
    let app = spawn_app().await;
    app.set_now(MIDYEAR);
    app.seed_registry().await;
    approve(&app, INSTITUTION).await;
    let response = app
        .client
        .get(format!(
            "{}/api/v1/stats/cases?group_by=prefecture&compare=previous_year",
            app.address
        ))
        .bearer_auth(app.token(Role::Auditor))
        .header("Accept", "text/csv")
        // Chinese, the default language, as a desktop in China asks.
        .header("Accept-Language", "zh-CN")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    assert!(response.headers().contains_key("x-medcredit-seq"));
    let body = response.bytes().await.unwrap();
    assert!(body.starts_with(b"\xEF\xBB\xBF"));
    let text = String::from_utf8(body[3..].to_vec()).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    assert!(
        header.starts_with("地市,区划名称,审核通过案件数,审核通过案件数（上年同期）"),
        "{header}"
    );
    let line = lines.next().unwrap();
    assert!(line.starts_with("370100,济南市,1,0,1,"), "{line}");
}
