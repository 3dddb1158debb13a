//! Unit tests of the work queue's cursor and kinds.
use super::*;

#[test]
fn cursors_round_trip_and_others_are_refused() {
    let key = (NaiveDate::from_ymd_opt(2026, 12, 7).unwrap(), 3, 42);
    assert_eq!(decode(&encode(key)), Some(key));
    assert_eq!(decode(&URL_SAFE_NO_PAD.encode("v1:42")), None);
    assert_eq!(decode("not base64!"), None);
}

#[test]
fn every_kind_waits_for_a_role_that_may_have_tasks() {
    for kind in TaskKind::ALL {
        assert!(WORKERS.contains(&kind.role()), "{kind}");
    }
}
