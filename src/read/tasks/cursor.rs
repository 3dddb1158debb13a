//! The work queue's cursor: a task's place in the queue packed into the one number `pagination` carries.

use chrono::NaiveDate;

/// A task's place in the queue as the one number a cursor carries (`pagination`): days since 1900-01-01 (17
/// bits reach 2199), the kind's rank (4 bits) and the row id (39 bits), in that order of significance, so that
/// the numbers sort as the keys do.
pub(super) fn pack((due_on, rank, id): (NaiveDate, usize, i64)) -> i64 {
    let days = (due_on - EPOCH).num_days().clamp(0, (1 << 17) - 1);
    (days << 43) | ((rank as i64 & 0xF) << 39) | (id & ((1 << 39) - 1))
}

pub(super) fn unpack(key: i64) -> (NaiveDate, usize, i64) {
    let due_on = EPOCH + chrono::Days::new((key >> 43) as u64);
    (due_on, ((key >> 39) & 0xF) as usize, key & ((1 << 39) - 1))
}

pub(super) const EPOCH: NaiveDate = NaiveDate::from_ymd_opt(1900, 1, 1).expect("a date");
