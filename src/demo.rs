//! Demo data for `serve --demo`: a handful of subjects of every kind and a little history of their cases, seeded
//! idempotently through the same use cases as the API, and one token per role so a new user can curl at once.
//! Nine organisations across Jinan's districts: the public statistics publish no figure about fewer than five,
//! so fewer would leave the page's charts empty.

mod history;

use chrono::{Duration, NaiveDate};

use crate::auth::{Actor, Role};
use crate::domain::scoring::SubjectKind;
use crate::domain::subject::{InsuranceType, Profession};
use crate::service::affiliations::{self, NewAffiliation};
use crate::service::commitments::{self, NewCommitmentText};
use crate::service::error::ServiceError;
use crate::service::subjects::{self, NewSubject};
use crate::state::AppState;

pub const DEMO_INSTITUTION: &str = "H37010200001";

/// Organisations that only the history's statistics need: (kind, code, name, region, USCC), each USCC
/// registered in its region with its check character.
pub(crate) const MORE_ORGANISATIONS: [(SubjectKind, &str, &str, &str, &str); 6] = [
    (
        SubjectKind::Institution,
        "H37010300001",
        "市中区示范社区卫生服务中心",
        "370103",
        "12370103495274310K",
    ),
    (
        SubjectKind::Institution,
        "H37010400001",
        "槐荫区示范妇幼保健院",
        "370104",
        "12370104495275521Q",
    ),
    (
        SubjectKind::Institution,
        "H37010500001",
        "天桥区示范骨科医院",
        "370105",
        "12370105495276732X",
    ),
    (
        SubjectKind::Institution,
        "H37011200001",
        "历城区示范口腔医院",
        "370112",
        "12370112495277943Q",
    ),
    (
        SubjectKind::Pharmacy,
        "P37010300001",
        "市中区示范健康药房",
        "370103",
        "91370103MA3D4F6K1G",
    ),
    (
        SubjectKind::Pharmacy,
        "P37011200001",
        "历城区示范便民药店",
        "370112",
        "91370112MA3E7H2N5J",
    ),
];

fn subject(kind: SubjectKind, code: &str, name: &str) -> NewSubject {
    NewSubject {
        kind,
        code: Some(code.to_string()),
        name: name.to_string(),
        region: "370102".to_string(),
        uscc: None,
        id_number: None,
        profession: None,
        insurance_type: None,
        level: None,
        responsible_person: None,
        designated_since: None,
    }
}

fn demo_subjects() -> Vec<NewSubject> {
    let mut list = Vec::new();
    // Every identifier passes every rule: USCCs registered in the subject's region (characters 3–8) with
    // valid check characters, one per organisation; distinct ID numbers of people born in Jinan in plausible years.
    list.push(NewSubject {
        uscc: Some("123701024952731064".into()),
        level: Some("三级甲等".into()),
        ..subject(
            SubjectKind::Institution,
            DEMO_INSTITUTION,
            "济南市示范人民医院",
        )
    });
    list.push(NewSubject {
        uscc: Some("123701024952732888".into()),
        level: Some("二级".into()),
        ..subject(
            SubjectKind::Institution,
            "H37010200002",
            "历下区示范中医医院",
        )
    });
    for (code, name, id) in [
        ("D370102000001", "张三", "370102197803121353"),
        ("D370102000002", "王小明", "370102198506211576"),
    ] {
        list.push(NewSubject {
            id_number: Some(id.into()),
            profession: Some(Profession::Physician),
            ..subject(SubjectKind::Practitioner, code, name)
        });
    }
    list.push(NewSubject {
        uscc: Some("91370102MA3C8K2Q7C".into()),
        responsible_person: Some("D370102000002".into()),
        ..subject(SubjectKind::Pharmacy, "P37010200001", "泉城示范大药房")
    });
    list.push(NewSubject {
        code: None,
        id_number: Some("370102196209152646".into()),
        insurance_type: Some(InsuranceType::Employee),
        ..subject(SubjectKind::Insured, "", "李四")
    });
    for (kind, code, name, region, uscc) in MORE_ORGANISATIONS {
        list.push(NewSubject {
            uscc: Some(uscc.into()),
            region: region.into(),
            ..subject(kind, code, name)
        });
    }
    list
}

/// Seeds the demo subjects; those already there are left as they are.
pub async fn seed(state: &AppState) -> Result<(), ServiceError> {
    let actor = Actor {
        sub: "demo-seed".into(),
        ..Actor::system("demo-seed")
    };
    // One transaction per subject: one already there is a conflict that must not undo the others.
    for input in demo_subjects() {
        let w = state.writer(actor.clone()).await?;
        match subjects::create(&w, input).await {
            Ok(_) => w.commit().await?,
            Err(ServiceError::Conflict(_)) => {}
            Err(e) => return Err(e),
        }
    }
    let affiliation = NewAffiliation {
        institution_code: DEMO_INSTITUTION.into(),
        valid_from: NaiveDate::from_ymd_opt(2020, 1, 1).expect("valid date"),
        valid_to: None,
    };
    let w = state.writer(actor.clone()).await?;
    match affiliations::create(&w, "D370102000001", affiliation).await {
        Ok(_) => w.commit().await?,
        // Rolled back before the next transaction begins: SQLite has one writer at a time.
        Err(ServiceError::Conflict(_)) => drop(w),
        Err(e) => return Err(e),
    }
    // One published commitment text (信用承诺书) for every kind that signs, so that the tour can sign it.
    let w = state.writer(actor).await?;
    match commitments::publish(&w, demo_commitment_text()).await {
        Ok(_) => w.commit().await?,
        Err(ServiceError::Conflict(_)) => drop(w),
        Err(e) => return Err(e),
    }
    history::seed(state).await
}

/// The version of the demo's commitment text.
pub const DEMO_COMMITMENT_VERSION: &str = "2026-1";

fn demo_commitment_text() -> NewCommitmentText {
    NewCommitmentText {
        applies_to: vec![
            SubjectKind::Institution,
            SubjectKind::Pharmacy,
            SubjectKind::Practitioner,
        ],
        version: DEMO_COMMITMENT_VERSION.into(),
        title: "医保基金使用信用承诺书".into(),
        body: "本单位（本人）承诺遵守医疗保障法律法规和服务协议，规范使用医保基金，\
               不虚构医疗服务、不串换项目、不分解收费，自觉接受医疗保障部门监督检查。"
            .into(),
        effective_from: NaiveDate::from_ymd_opt(2026, 1, 1).expect("valid date"),
        resign_within_days: None,
    }
}

/// One token per role, valid for a day; the hospital token belongs to the demo institution.
pub fn tokens(state: &AppState) -> Vec<(Role, String)> {
    Role::ALL
        .iter()
        .map(|&role| {
            let org = (role == Role::Hospital).then_some(DEMO_INSTITUTION);
            let token = state.jwt.mint(
                role,
                &format!("demo-{}", role.as_str()),
                org,
                Duration::days(1),
            );
            (role, token)
        })
        .collect()
}
