//! Unit tests of the work queue's cursor and kinds.
use super::*;

#[test]
fn cursor_positions_round_trip_and_sort_as_the_keys_do() {
    let key = (NaiveDate::from_ymd_opt(2026, 12, 7).unwrap(), 3, 42);
    assert_eq!(unpack(pack(key)), key);
    let later_day = (NaiveDate::from_ymd_opt(2026, 12, 8).unwrap(), 0, 1);
    let later_kind = (key.0, 4, 1);
    assert!(pack(key) < pack(later_kind) && pack(later_kind) < pack(later_day));
    let last = (
        NaiveDate::from_ymd_opt(2199, 12, 31).unwrap(),
        15,
        (1 << 39) - 1,
    );
    assert_eq!(unpack(pack(last)), last);
    assert!(pack(last) < 1 << 60, "fits the 15 hex digits of a cursor");
}

#[test]
fn every_kind_waits_for_a_role_that_may_have_tasks() {
    for kind in TaskKind::ALL {
        assert!(WORKERS.contains(&kind.role()), "{kind}");
    }
}
