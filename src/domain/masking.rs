//! Masking of personal identifiers for readers who may not see them in full (partners, the public page).
//! Every read path that can reach such a reader goes through these two functions.

/// Keeps the family name (first character) and stars the rest: `张三` → `张*`, `王小明` → `王**`.
pub fn mask_name(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => std::iter::once(first).chain(chars.map(|_| '*')).collect(),
        None => String::new(),
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
        assert_eq!(mask_name("李"), "李");
        assert_eq!(mask_name(""), "");
    }

    #[test]
    fn id_numbers_keep_region_and_last_four() {
        assert_eq!(mask_id_number("11010519491231002X"), "110105********002X");
        assert_eq!(mask_id_number("short"), "*****");
    }
}
