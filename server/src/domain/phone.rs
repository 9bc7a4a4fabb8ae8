//! Phone numbers as the directory compares them: people write one number many ways
//! ("+1 555-0100", "1 (555) 0100"), so comparison is on its digits alone.

/// The characters people put between a number's digits; they never decide a match.
pub const PHONE_SEPARATORS: [char; 6] = [' ', '-', '.', '(', ')', '+'];

/// The digits of `raw` when it reads as a whole phone number (digits and separators only,
/// at least one digit), else `None`.
pub fn phone_digits(raw: &str) -> Option<String> {
    let digits: String = raw.chars().filter(|c| !PHONE_SEPARATORS.contains(c)).collect();
    (!digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit())).then_some(digits)
}

#[cfg(test)]
mod tests {
    use super::phone_digits;

    #[test]
    fn a_number_is_its_digits_whatever_the_separators() {
        assert_eq!(phone_digits("+1 555-0100").as_deref(), Some("15550100"));
        assert_eq!(phone_digits("1 (555) 01.00").as_deref(), Some("15550100"));
        assert_eq!(phone_digits("555 jane"), None);
        assert_eq!(phone_digits(" - "), None);
        assert_eq!(phone_digits("٥٥٥"), None, "only ASCII digits");
    }
}
