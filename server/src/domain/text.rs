//! Which characters stored text may hold, one rule for every path input arrives by (REST,
//! WebSocket frames): prose keeps newlines and tabs but no other control character, and
//! names also refuse the bidirectional overrides that make one name look like another.

use super::Invalid;

/// Bidirectional embedding, override and isolate controls (U+202A–U+202E, U+2066–U+2069):
/// in a name they reorder what readers see, so "evil\u{202E}gpj.exe" shows as another.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Text people write (message bodies, descriptions): newlines and tabs, but no other
/// control character.
pub fn check_prose(field: &'static str, text: &str) -> Result<(), Invalid> {
    if text.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(Invalid::new(field, "must not contain control characters other than newline and tab"));
    }
    Ok(())
}

/// A single line of text (subjects, file names, keys): no control character at all.
pub fn check_line(field: &'static str, text: &str) -> Result<(), Invalid> {
    if text.chars().any(char::is_control) {
        return Err(Invalid::new(field, "must not contain control characters"));
    }
    Ok(())
}

/// A name others see: a single line without bidirectional controls.
pub fn check_name(field: &'static str, text: &str) -> Result<(), Invalid> {
    check_line(field, text)?;
    if text.chars().any(is_bidi_control) {
        return Err(Invalid::new(field, "must not contain bidirectional control characters"));
    }
    Ok(())
}

/// Whether raw JSON text holds a NUL character, literally or escaped (`\u0000`). PostgreSQL
/// cannot store NUL in text, so input holding one is refused before it is parsed, on REST
/// and on the socket alike.
pub fn has_nul(bytes: &[u8]) -> bool {
    bytes.contains(&0) || bytes.windows(6).any(|w| w[0] == b'\\' && (w[1] == b'u' || w[1] == b'U') && &w[2..] == b"0000")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prose_keeps_newlines_and_tabs_only() {
        assert!(check_prose("body", "line one\nline\ttwo").is_ok());
        assert!(check_prose("body", "bell\u{7}").is_err());
        assert!(check_prose("body", "cr\r\n").is_err());
        assert!(check_prose("body", "nul\u{0}").is_err());
        assert!(check_prose("body", "c1\u{85}").is_err());
    }

    #[test]
    fn names_refuse_bidi_controls_and_any_control() {
        assert!(check_name("name", "Zoë's shop").is_ok());
        assert!(check_name("name", "evil\u{202E}gpj.exe").is_err());
        assert!(check_name("name", "a\u{2067}b").is_err());
        assert!(check_name("name", "tab\there").is_err());
    }

    #[test]
    fn nul_is_found_raw_and_escaped() {
        assert!(has_nul(b"a\0b"));
        assert!(has_nul(br#"{"body": "a\u0000b"}"#));
        assert!(!has_nul(br#"{"body": "a\u0041b"}"#));
    }
}
