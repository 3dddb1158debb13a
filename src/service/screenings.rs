//! Keeping a screening as proof (DESIGN §8): who asked, when, the change-log position the answers reflect and
//! the SHA-256 digest of the answers, stored compressed. The read side answers; this stores.

use sea_orm::{ActiveModelTrait, Set};

use crate::read::screenings::Answered;
use crate::service::actor::Actor;
use crate::service::audit::sha256_hex;
use crate::service::context::Ctx;
use crate::service::error::ServiceResult;
use crate::service::writer::Writer;
use entity::screening;

/// Stores an answered screening for `reader`, the principal that owns it.
pub async fn store(
    db: &crate::db::Db,
    cx: &Ctx,
    reader: &Actor,
    answered: Answered,
) -> ServiceResult<screening::Model> {
    let digest = sha256_hex(answered.text.as_bytes());
    let w = Writer::begin(db, cx.clone(), reader.clone()).await?;
    let row = screening::ActiveModel {
        issuer: Set(reader.issuer.clone()),
        actor: Set(reader.sub.clone()),
        role: Set(reader.role.as_str().to_string()),
        org: Set(reader.org.clone()),
        at: Set(cx.now),
        as_of: Set(answered.as_of),
        seq: Set(answered.seq),
        code_count: Set(i32::try_from(answered.count).unwrap_or(i32::MAX)),
        digest: Set(digest),
        answers: Set(String::new()),
        answers_lz4: Set(Some(lz4_flex::compress_prepend_size(
            answered.text.as_bytes(),
        ))),
        ..Default::default()
    }
    .insert(w.db())
    .await?;
    w.commit().await?;
    Ok(row)
}
