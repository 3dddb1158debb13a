//! `GET /api/v1/lists/black/export`: the whole black list as the reader sees it, with the change-log `seq` it is
//! current to, read in one snapshot. An export plus the feed after its `seq` reproduces the list exactly
//! (unlike monthly files plus supplements).

use crate::i18n::msg;
use sea_orm::{
    AccessMode, ColumnTrait, DatabaseConnection, EntityTrait, IsolationLevel, QueryFilter,
    QueryOrder, TransactionTrait,
};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::domain::enums::string_enum;
use crate::domain::lists::ListKind;
use crate::domain::roles::Role;
use crate::domain::text::csv_cell;
use crate::read::batch::hospital_view;
use crate::shared::actor::Actor;
use crate::shared::context::Ctx;
use crate::shared::error::{ServiceError, ServiceResult};
use crate::shared::facts::last_seq;
use crate::shared::views::{ListEntryView, views};
use entity::list_entry;

string_enum! {
    pub enum ExportFormat as "export format" {
        Csv = "csv",
        Jsonl = "jsonl",
    }
}

#[derive(Debug, Deserialize, IntoParams, ToSchema)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ExportQuery {
    /// `csv` or `jsonl` (default).
    pub format: Option<ExportFormat>,
}

pub struct Export {
    pub seq: i64,
    pub format: ExportFormat,
    pub body: Vec<u8>,
}

pub async fn export(
    conn: &DatabaseConnection,
    cx: &Ctx,
    reader: &Actor,
    query: ExportQuery,
) -> ServiceResult<Export> {
    let snapshot = conn
        .begin_with_config(
            Some(IsolationLevel::RepeatableRead),
            Some(AccessMode::ReadOnly),
        )
        .await?;
    let seq = last_seq(&snapshot).await?;
    let mut select = list_entry::Entity::find()
        .filter(list_entry::Column::List.eq(ListKind::Black.as_str()))
        .order_by_asc(list_entry::Column::Id);
    if matches!(reader.role, Role::Partner | Role::Hospital) {
        select = select.filter(list_entry::Column::Published.eq(true));
    }
    let mut rows = select.all(&snapshot).await?;
    if let Some(ids) = hospital_view(&snapshot, cx, reader).await? {
        rows.retain(|e| ids.contains(&e.subject_id));
    }
    let entries = views(&snapshot, rows, cx.today(), reader).await?;
    snapshot.commit().await?;
    let format = query.format.unwrap_or(ExportFormat::Jsonl);
    let body = match format {
        ExportFormat::Jsonl => jsonl(&entries)?,
        ExportFormat::Csv => csv(&entries)?,
    };
    Ok(Export { seq, format, body })
}

fn jsonl(entries: &[ListEntryView]) -> ServiceResult<Vec<u8>> {
    let mut out = Vec::new();
    for entry in entries {
        serde_json::to_writer(&mut out, entry).map_err(|e| {
            ServiceError::Unprocessable(crate::i18n::msg!(
                "fault-serialise",
                detail = e.to_string()
            ))
        })?;
        out.push(b'\n');
    }
    Ok(out)
}

fn csv(entries: &[ListEntryView]) -> ServiceResult<Vec<u8>> {
    let fail =
        |e: csv::Error| ServiceError::Unprocessable(msg!("cannot-write-csv", e = e.to_string()));
    // A byte-order mark first, so that a Chinese spreadsheet reads the file as UTF-8; headers in Chinese.
    let mut writer = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    writer
        .write_record([
            "编号",
            "主体代码",
            "主体类型",
            "主体名称",
            "地区",
            "状态",
            "列入日期",
            "届满日期",
            "终止日期",
            "终止方式",
            "是否公开",
            "自动列入",
            "案件编号",
            "列入事由",
            "惩戒措施",
            "依据",
            "退出条件",
            "救济途径",
        ])
        .map_err(fail)?;
    for e in entries {
        let date = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
        let ids: Vec<String> = e.violation_ids.iter().map(i64::to_string).collect();
        let measures: Vec<&str> = e.measures.iter().map(|m| m.as_str()).collect();
        let remedies = serde_json::to_string(&e.remedies).map_err(|x| {
            ServiceError::Unprocessable(crate::i18n::msg!(
                "fault-serialise",
                detail = x.to_string()
            ))
        })?;
        let row = [
            e.id.to_string(),
            e.subject_code.clone(),
            e.subject_kind.to_string(),
            e.subject_name.clone(),
            e.region.clone(),
            e.status.to_string(),
            e.listed_on.to_string(),
            date(e.expires_on),
            date(e.ended_on),
            e.end_kind.map(|k| k.to_string()).unwrap_or_default(),
            e.published.to_string(),
            e.automatic.to_string(),
            ids.join(";"),
            e.reason.clone(),
            measures.join(";"),
            e.legal_basis.clone(),
            e.exit_conditions.clone(),
            remedies,
        ];
        // Every cell, whoever typed it, is written so that a spreadsheet shows it rather than runs it.
        writer
            .write_record(row.iter().map(|cell| csv_cell(cell).into_owned()))
            .map_err(fail)?;
    }
    writer
        .into_inner()
        .map_err(|e| ServiceError::Unprocessable(msg!("cannot-write-csv", e = e.to_string())))
}
