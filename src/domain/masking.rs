//! Who sees what (DESIGN §14): the audience an answer is built for, and the one masking rule for people.
//!
//! Views are built for an audience field by field (`for_audience` on each view type); this module decides, in
//! one place, which characters of a name and of an ID number an audience sees, and what else it may see.

use serde::{Deserialize, Serialize};

/// The reader an answer is built for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    /// Staff: inspectors, reviewers, approvers, admins, auditors. Everything, unmasked.
    Full,
    /// A hospital office: its own institution and practitioners, unmasked; published entries only.
    Hospital,
    /// A partner agency: people masked, published entries only, no staff identities.
    Masked,
    /// Anyone: what the public page shows.
    Public,
}

impl Audience {
    /// People's names and ID numbers come out masked.
    pub fn masks_people(self) -> bool {
        matches!(self, Self::Masked | Self::Public)
    }

    /// Unpublished list entries exist only for staff.
    pub fn sees_unpublished(self) -> bool {
        self == Self::Full
    }

    /// Staff identities (who recorded, decided or created something) are for staff and hospitals only; a
    /// partner or a visitor is told the deciding authority instead.
    pub fn sees_staff(self) -> bool {
        matches!(self, Self::Full | Self::Hospital)
    }

    /// A person's name as this audience sees it.
    pub fn name(self, name: &str, is_person: bool) -> String {
        if is_person && self.masks_people() {
            mask_name(name)
        } else {
            name.to_string()
        }
    }

    /// A person's ID number (or an insured person's code, which is one) as this audience sees it.
    pub fn id_number(self, id: &str) -> String {
        if self.masks_people() {
            mask_id_number(id)
        } else {
            id.to_string()
        }
    }

    /// A staff identity as this audience sees it: `None` for those who see the authority, not the person.
    pub fn staff(self, sub: String) -> Option<String> {
        self.sees_staff().then_some(sub)
    }
}

/// Keeps the family name (first character) and stars the rest: `张三` → `张*`, `王小明` → `王**`. A name of one
/// character would show in full, so it is starred whole.
pub fn mask_name(name: &str) -> String {
    let mut chars = name.chars();
    match (chars.next(), chars.clone().next()) {
        (Some(first), Some(_)) => std::iter::once(first).chain(chars.map(|_| '*')).collect(),
        (Some(_), None) => "*".into(),
        (None, _) => String::new(),
    }
}

/// Keeps the region prefix (6) and the last 4 characters: `11010519491231002X` → `110105********002X`.
pub fn mask_id_number(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    if chars.len() <= 10 {
        return "*".repeat(chars.len());
    }
    let stars = chars.len() - 10;
    chars[..6]
        .iter()
        .chain(std::iter::repeat_n(&'*', stars))
        .chain(chars[chars.len() - 4..].iter())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_keep_the_family_name() {
        assert_eq!(mask_name("张三"), "张*");
        assert_eq!(mask_name("王小明"), "王**");
        assert_eq!(mask_name("李"), "*");
        assert_eq!(mask_name(""), "");
    }

    #[test]
    fn id_numbers_keep_region_and_last_four() {
        assert_eq!(mask_id_number("11010519491231002X"), "110105********002X");
        assert_eq!(mask_id_number("short"), "*****");
    }

    #[test]
    fn audiences_see_what_they_may() {
        assert_eq!(Audience::Masked.name("王小明", true), "王**");
        assert_eq!(Audience::Masked.name("某医院", false), "某医院");
        assert_eq!(Audience::Hospital.name("王小明", true), "王小明");
        assert_eq!(Audience::Public.staff("demo-approver".into()), None);
        assert!(!Audience::Hospital.sees_unpublished());
    }
}
