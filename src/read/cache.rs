//! An in-process cache of `standings` rows for the hot path, invalidated by the change log.
//!
//! Freshness: a write made through this node evicts what it touched before its response is sent (the
//! after-write sync in `startup`). A write made through another node reaches this node's readers at the next
//! sync, at most `MEDCREDIT_STANDING_CACHE_MS` later (default 100 ms); `0` turns the cache off. A row read
//! while a sync ran is not cached, so a stale row can never outlive the eviction meant for it. At start the
//! cache is filled with every row (up to half a million) in the background.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::domain::standing::StandingFacts;
use crate::shared::error::ServiceResult;
use crate::shared::facts::{facts_of, last_seq};
use entity::{change, standing};

/// Changes read per sync; a longer backlog clears the whole cache instead of reading it all.
const SYNC_BATCH: u64 = 5000;
/// Rows kept at most; beyond it the cache starts again empty (a crude bound, enough for a hot path).
const MAX_ROWS: usize = 500_000;

/// A standings row with its facts already parsed: the hot path does no JSON parsing on a hit.
pub struct Cached {
    pub row: standing::Model,
    pub facts: StandingFacts,
}

#[derive(Default)]
struct Inner {
    rows: HashMap<String, Arc<Cached>>,
    /// Every change up to this `seq` has been applied (evicted).
    watermark: i64,
}

pub struct StandingCache {
    enabled: bool,
    inner: RwLock<Inner>,
}

impl StandingCache {
    pub fn new(enabled: bool) -> Self {
        Self {
            enabled,
            inner: RwLock::new(Inner::default()),
        }
    }

    pub fn enabled(&self) -> bool {
        self.enabled
    }

    /// The change-log position this cache is current to.
    pub fn watermark(&self) -> i64 {
        self.inner.read().map_or(0, |i| i.watermark)
    }

    pub fn get(&self, code: &str) -> Option<Arc<Cached>> {
        if !self.enabled {
            return None;
        }
        self.inner.read().ok()?.rows.get(code).cloned()
    }

    /// Keeps `row`, read when the cache stood at `seen_watermark`, unless a sync has run since.
    pub fn offer(&self, row: Cached, seen_watermark: i64) -> Arc<Cached> {
        let row = Arc::new(row);
        if self.enabled
            && let Ok(mut inner) = self.inner.write()
            && inner.watermark == seen_watermark
        {
            if inner.rows.len() >= MAX_ROWS {
                inner.rows.clear();
            }
            inner.rows.insert(row.row.code.clone(), row.clone());
        }
        row
    }

    /// Applies the change log after the watermark: evicts the subjects it names.
    pub async fn sync<C: ConnectionTrait>(&self, db: &C) -> ServiceResult<()> {
        if !self.enabled {
            return Ok(());
        }
        let after = self.watermark();
        let rows: Vec<(i64, String)> = change::Entity::find()
            .select_only()
            .column(change::Column::Seq)
            .column(change::Column::SubjectCode)
            .filter(change::Column::Seq.gt(after))
            .order_by_asc(change::Column::Seq)
            .limit(SYNC_BATCH)
            .into_tuple()
            .all(db)
            .await?;
        let Some(&(last, _)) = rows.last() else {
            return Ok(());
        };
        let backlog = rows.len() as u64 == SYNC_BATCH;
        let newest = if backlog { last_seq(db).await? } else { last };
        if let Ok(mut inner) = self.inner.write() {
            if backlog {
                inner.rows.clear();
            } else {
                for (_, code) in &rows {
                    inner.rows.remove(code);
                }
            }
            inner.watermark = inner.watermark.max(newest);
        }
        Ok(())
    }

    /// Fills the cache with every subject's row, in pages, so the first check of a subject is as fast as the
    /// next. Runs beside the sync loop; a page read while a sync ran is dropped like any other stale read.
    pub async fn preload<C: ConnectionTrait>(&self, db: &C) -> ServiceResult<usize> {
        const PAGE: u64 = 5000;
        let mut after = i64::MIN;
        let mut loaded = 0;
        while self.enabled && loaded < MAX_ROWS {
            let seen = self.watermark();
            let rows = standing::Entity::find()
                .filter(standing::Column::SubjectId.gt(after))
                .order_by_asc(standing::Column::SubjectId)
                .limit(PAGE)
                .all(db)
                .await?;
            let Some(last) = rows.last() else { break };
            after = last.subject_id;
            for row in rows {
                let facts = facts_of(&row)?;
                self.offer(Cached { row, facts }, seen);
                loaded += 1;
            }
        }
        Ok(loaded)
    }

    /// Starts from the current end of the change log (nothing cached yet, so nothing to evict).
    pub async fn start_at_end<C: ConnectionTrait>(&self, db: &C) -> ServiceResult<()> {
        let seq = last_seq(db).await?;
        if let Ok(mut inner) = self.inner.write() {
            inner.watermark = seq;
        }
        Ok(())
    }
}

/// One indexed read of a subject's row by code, through the cache.
pub async fn load<C: ConnectionTrait>(
    db: &C,
    cache: &StandingCache,
    code: &str,
) -> ServiceResult<Option<Arc<Cached>>> {
    if let Some(row) = cache.get(code) {
        return Ok(Some(row));
    }
    let seen = cache.watermark();
    let row = standing::Entity::find()
        .filter(standing::Column::Code.eq(code))
        .one(db)
        .await?;
    match row {
        Some(row) => {
            let facts = facts_of(&row)?;
            Ok(Some(cache.offer(Cached { row, facts }, seen)))
        }
        None => Ok(None),
    }
}
