//! How far each running bulk import of this node has come (`GET /imports` while its transaction is open), and
//! how many run (`/metrics`).

use std::collections::HashMap;
use std::sync::Mutex;

/// How far each running import of this node has come, for `GET /imports` while the import's transaction is
/// open: the body arriving (rows and bytes, of the bytes announced), then its rows checked and written.
#[derive(Default)]
pub struct Progress(Mutex<HashMap<i64, Running>>);

#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Running {
    /// Rows arrived, then rows checked; never fewer than before.
    pub rows_read: u64,
    /// The body's rows, known once all of it has arrived.
    pub rows_total: Option<u64>,
    /// Rows checked and handed to the writer, once the body has arrived.
    rows_checked: u64,
    pub bytes_read: u64,
    /// The `Content-Length` the client announced, if it did.
    pub bytes_total: Option<u64>,
}

impl Running {
    /// The share done, in percent: the body's arrival is the first half (known only with a `Content-Length`),
    /// checking and writing its rows the second. Below 100 while running.
    pub fn percent(&self) -> Option<u32> {
        let share = |done: u64, total: u64| (done.min(total) * 50).checked_div(total).unwrap_or(50);
        let done = match self.rows_total {
            Some(total) => 50 + share(self.rows_checked, total),
            None => share(self.bytes_read, self.bytes_total?),
        };
        Some(u32::try_from(done.min(99)).unwrap_or(99))
    }
}

impl Progress {
    fn update(&self, id: i64, change: impl FnOnce(&mut Running)) {
        if let Ok(mut map) = self.0.lock() {
            change(map.entry(id).or_default());
        }
    }

    /// Rows checked so far (after the body has arrived), and never fewer rows read than before.
    pub(super) fn set(&self, id: i64, rows: u64) {
        self.update(id, |r| {
            r.rows_read = r.rows_read.max(rows);
            if r.rows_total.is_some() {
                r.rows_checked = r.rows_checked.max(rows);
            }
        });
    }

    pub(super) fn announced(&self, id: i64, bytes_total: Option<u64>) {
        self.update(id, |r| r.bytes_total = bytes_total);
    }

    pub(super) fn arrived(&self, id: i64, rows: u64, bytes: u64) {
        self.update(id, |r| {
            r.rows_read = r.rows_read.max(rows);
            r.bytes_read = bytes;
        });
    }

    /// The whole body is here: `rows` in all, to be checked and written.
    pub(super) fn received(&self, id: i64, rows: u64) {
        self.update(id, |r| {
            r.rows_read = r.rows_read.max(rows);
            r.rows_total = Some(rows);
        });
    }

    pub(super) fn of(&self, id: i64) -> Option<Running> {
        self.0.lock().ok().and_then(|map| map.get(&id).copied())
    }

    pub(super) fn forget(&self, id: i64) {
        if let Ok(mut map) = self.0.lock() {
            map.remove(&id);
        }
    }

    /// Imports running on this node (for `/metrics`).
    pub fn running(&self) -> i64 {
        self.0
            .lock()
            .map_or(0, |map| i64::try_from(map.len()).unwrap_or(i64::MAX))
    }

    pub(super) fn rows(&self, id: i64) -> Option<u64> {
        self.of(id).map(|r| r.rows_read)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_share_is_the_bodys_arrival_then_its_rows_and_never_100_while_running() {
        let progress = Progress::default();
        progress.arrived(1, 10, 100);
        assert_eq!(progress.of(1).unwrap().percent(), None, "no Content-Length");
        progress.announced(2, Some(1000));
        progress.arrived(2, 10, 500);
        assert_eq!(progress.of(2).unwrap().percent(), Some(25));
        progress.received(2, 40);
        assert_eq!(progress.of(2).unwrap().percent(), Some(50));
        progress.set(2, 20);
        assert_eq!(progress.of(2).unwrap().percent(), Some(75));
        progress.set(2, 40);
        assert_eq!(progress.of(2).unwrap().percent(), Some(99));
        assert_eq!(progress.rows(2), Some(40));
        assert_eq!(progress.running(), 2);
        progress.forget(1);
        assert_eq!(progress.running(), 1);
    }
}
