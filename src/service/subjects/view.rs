//! What a reader sees of a subject: the one place masking decides, for answers and for searches.

use super::*;
pub use crate::service::lookup::kind_of;
pub use crate::service::views::{SubjectView, designated_since};

/// What `q` may match. A reader who sees people masked may search only what it sees unmasked: organisations'
/// names and codes and practitioners' codes. No name or ID number of a person matches, in part or in full, so
/// no search can confirm a guess at a masked character (DESIGN §14); a person is reached by ID number only
/// through a screening row that carries the full ID number and the full name.
pub fn search(q: &str, masked: bool) -> Condition {
    use subject::Column::{Code, Kind, Name};
    if !masked {
        return Condition::any().add(Name.contains(q)).add(Code.contains(q));
    }
    let kinds = |kinds: &[SubjectKind]| Kind.is_in(kinds.iter().map(|k| k.as_str()));
    let organisations = [SubjectKind::Institution, SubjectKind::Pharmacy];
    Condition::any()
        .add(
            Condition::all()
                .add(kinds(&organisations))
                .add(Condition::any().add(Name.contains(q)).add(Code.contains(q))),
        )
        .add(
            Condition::all()
                .add(Kind.eq(SubjectKind::Practitioner.as_str()))
                .add(Code.contains(q)),
        )
}
