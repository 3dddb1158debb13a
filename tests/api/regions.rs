//! Regions are real county-level divisions (GB/T 2260, `data/regions.txt`), not any six digits.

use medcredit::auth::Role;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn an_unknown_region_is_a_422_naming_region() {
    let app = spawn_app().await;
    for region in ["370199", "370100", "440524"] {
        let mut body = institution(INSTITUTION, "济南市第一人民医院");
        body["region"] = json!(region);
        let response = app.post("/api/v1/subjects", Role::Inspector, &body).await;
        response.assert_problem(422);
        assert_eq!(
            response.error_fields(),
            ["region"],
            "{region}: {}",
            response.body
        );
    }

    let created = app
        .register(institution(INSTITUTION, "济南市第一人民医院"))
        .await;
    assert_eq!(created["region"], "370102");
    let path = format!("/api/v1/subjects/{INSTITUTION}");
    let moved = app
        .patch(&path, Role::Inspector, &json!({"region": "999999"}))
        .await;
    moved.assert_problem(422);
    assert_eq!(moved.error_fields(), ["region"]);
    let unchanged = app.get(&path, Role::Inspector).await;
    assert_eq!(unchanged.status, StatusCode::OK);
    assert_eq!(unchanged.body["region"], "370102");
}

/// `serve --demo` shows newcomers what valid data looks like, so it must pass every rule, including those a
/// stricter deployment adds: USCCs registered in the subject's region, one identifier per organisation and person,
/// and people of working age.
#[tokio::test]
async fn the_demo_data_passes_every_identifier_rule() {
    use medcredit::domain::identifiers::{validate_id_number, validate_region, validate_uscc};

    let database = TestDatabase::fresh().await;
    let config = database.config(&[]);
    let keys = medcredit::auth::JwtKeys::from_secret(SECRET.as_bytes());
    let app = medcredit::startup::Application::build(config, keys.clone())
        .await
        .expect("build app");
    medcredit::demo::seed(app.state()).await.expect("seed");
    medcredit::demo::seed(app.state())
        .await
        .expect("seeding twice changes nothing");
    let address = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until(std::future::pending()));
    let token = keys.mint(Role::Auditor, "auditor-1", None, chrono::Duration::hours(1));
    let page: serde_json::Value = crate::helpers::client()
        .get(format!("{address}/api/v1/subjects?limit=500"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let subjects = page["items"].as_array().expect("items");
    assert_eq!(subjects.len(), 12, "{page}");

    let today = chrono::Utc::now().date_naive();
    let (mut usccs, mut ids) = (Vec::new(), Vec::new());
    for subject in subjects {
        let region = subject["region"].as_str().unwrap();
        assert_eq!(validate_region(region), Ok(()), "{subject}");
        if let Some(uscc) = subject["uscc"].as_str() {
            assert_eq!(validate_uscc(uscc), Ok(()), "{subject}");
            assert_eq!(
                &uscc[2..8],
                region,
                "registered in the subject's region: {subject}"
            );
            usccs.push(uscc.to_string());
        }
        if let Some(id) = subject["id_number"].as_str() {
            let birth = validate_id_number(id, today).expect("valid ID number");
            let age = today.years_since(birth).unwrap_or_default();
            assert!((18..=90).contains(&age), "age {age}: {subject}");
            ids.push(id.to_string());
        }
    }
    for list in [&mut usccs, &mut ids] {
        let count = list.len();
        list.sort();
        list.dedup();
        assert_eq!(list.len(), count, "distinct: {list:?}");
    }
    assert_eq!((usccs.len(), ids.len()), (9, 3));
}

/// Answers that carry a `region` code also name it, with its prefecture and province, from the shipped
/// GB/T 2260 data; names are the same in every language.
#[tokio::test]
async fn answers_name_the_region_with_its_prefecture_and_province() {
    let app = spawn_app().await;
    let created = app
        .register(institution(INSTITUTION, "济南市第一人民医院"))
        .await;
    assert_eq!(created["region"], "370102");
    assert_eq!(created["region_name"], "历下区");
    assert_eq!(
        created["region_detail"],
        json!({
            "code": "370102",
            "name": "历下区",
            "prefecture": {"code": "370100", "name": "济南市"},
            "province": {"code": "370000", "name": "山东省"}
        })
    );

    let standing = app
        .in_language(None)
        .get(&format!("/api/v1/standing/{INSTITUTION}"), Role::Inspector)
        .await;
    assert_eq!(standing.status, StatusCode::OK, "{}", standing.body);
    assert_eq!(standing.body["region_name"], "历下区");
    assert_eq!(standing.body["region_detail"]["province"]["name"], "山东省");

    // A Beijing district is directly under a province-level unit: no prefecture.
    let path = format!("/api/v1/subjects/{INSTITUTION}");
    let moved = app
        .patch(&path, Role::Inspector, &json!({"region": "110105"}))
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.body);
    let english = app.get(&path, Role::Partner).await;
    assert_eq!(english.body["region_name"], "朝阳区");
    assert_eq!(english.body["region_detail"]["prefecture"], json!(null));
    assert_eq!(english.body["region_detail"]["province"]["name"], "北京市");
}
