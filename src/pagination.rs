//! Keyset pagination shared by every list: `limit` (default 50, max 500) and an opaque `cursor` that encodes the
//! last id seen, so pages stay stable while rows are appended.

use crate::i18n::msg;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::service::error::ServiceError as ApiError;

pub const DEFAULT_LIMIT: u64 = 50;
pub const MAX_LIMIT: u64 = 500;

#[derive(Clone, Copy, Debug)]
pub struct PageRequest {
    pub limit: u64,
    /// Rows with an id greater than this come next.
    pub after: i64,
}

impl PageRequest {
    pub fn parse(limit: Option<u64>, cursor: Option<&str>) -> Result<Self, ApiError> {
        let limit = limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(ApiError::validation(
                "limit",
                msg!("must-be-between-1-and", MAX_LIMIT = MAX_LIMIT.to_string()),
            ));
        }
        let after = match cursor {
            None | Some("") => 0,
            Some(text) => decode(text).ok_or_else(|| {
                ApiError::validation("cursor", msg!("is-not-a-cursor-from-this-api"))
            })?,
        };
        Ok(Self { limit, after })
    }

    /// Fetch one row more than the page holds, to know whether another page follows.
    pub fn fetch_limit(&self) -> u64 {
        self.limit + 1
    }

    /// Trims the extra row and builds the page; `id_of` gives each row's keyset id.
    pub fn page<R, T>(
        &self,
        mut rows: Vec<R>,
        id_of: impl Fn(&R) -> i64,
        view: impl FnMut(R) -> T,
    ) -> Page<T> {
        let more = rows.len() as u64 > self.limit;
        rows.truncate(self.limit as usize);
        let next_cursor = if more {
            rows.last().map(|r| encode(id_of(r)))
        } else {
            None
        };
        Page {
            items: rows.into_iter().map(view).collect(),
            next_cursor,
        }
    }
}

impl PageRequest {
    /// For lists whose items were built one by one (each needing its own reads): `more` says whether a row
    /// beyond the page was fetched, `last_id` is the keyset id of the last item kept.
    pub fn page_of_views<T>(&self, items: Vec<T>, more: bool, last_id: Option<i64>) -> Page<T> {
        Page {
            items,
            next_cursor: if more { last_id.map(encode) } else { None },
        }
    }
}

/// The query of a list that has no filters of its own: just the page.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PageParams {
    /// Page size, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl PageParams {
    pub fn request(&self) -> Result<PageRequest, ApiError> {
        PageRequest::parse(self.limit, self.cursor.as_deref())
    }
}

/// One page of a list: every list answers this shape (the change feed alone pages by `seq`).
/// In the document each `Page_*` refers to its item's component (see `openapi::pages`).
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// What a cursor looks like, as the document states it: `c` and up to 15 hexadecimal digits. Every string of
/// that shape is a cursor (a position after which the page starts), so a client that writes one to the pattern
/// is never refused; anything else is.
pub const CURSOR_PATTERN: &str = "^c[0-9a-f]{1,15}$";

fn encode(id: i64) -> String {
    format!("c{:x}", id.max(0))
}

fn decode(text: &str) -> Option<i64> {
    let digits = text.strip_prefix('c')?;
    if digits.is_empty()
        || digits.len() > 15
        || !digits
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    {
        return None;
    }
    i64::from_str_radix(digits, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        assert_eq!(decode(&encode(42)), Some(42));
        assert_eq!(
            decode(&encode(i64::from(u32::MAX) * 4096)),
            Some(i64::from(u32::MAX) * 4096)
        );
        let pattern = regex::Regex::new(CURSOR_PATTERN).unwrap();
        for text in ["c0", "cfff", "c123456789abcdef"] {
            assert!(pattern.is_match(text) && decode(text).is_some(), "{text}");
        }
        for text in ["", "c", "C1", "cg", "c1234567890abcdef0", "v1:42"] {
            assert!(decode(text).is_none(), "{text}");
        }
        assert!(PageRequest::parse(None, Some("garbage!")).is_err());
        assert!(PageRequest::parse(Some(0), None).is_err());
        assert!(PageRequest::parse(Some(501), None).is_err());
        assert_eq!(PageRequest::parse(None, None).unwrap().limit, DEFAULT_LIMIT);
    }

    #[test]
    fn a_page_knows_whether_more_follow() {
        let request = PageRequest::parse(Some(2), None).unwrap();
        let page = request.page(vec![1i64, 2, 3], |r| *r, |r| r);
        assert_eq!(page.items, vec![1, 2]);
        assert_eq!(page.next_cursor.as_deref().and_then(decode), Some(2));
        let last = request.page(vec![1i64, 2], |r| *r, |r| r);
        assert!(last.next_cursor.is_none());
    }
}
