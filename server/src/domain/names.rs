//! Newtypes that parse user input once; the rest of the code trusts them.

use super::text::check_name;
use super::{Invalid, WebUrl};

fn trimmed(field: &'static str, raw: &str, max: usize) -> Result<String, Invalid> {
    let value = raw.trim();
    if value.is_empty() {
        return Err(Invalid::new(field, "must not be empty"));
    }
    if value.chars().count() > max {
        return Err(Invalid::new(field, format!("must be at most {max} characters")));
    }
    if value.chars().any(char::is_control) {
        return Err(Invalid::new(field, "must not contain control characters"));
    }
    Ok(value.to_owned())
}

/// A name others see: `trimmed`, and without bidirectional controls.
fn name(field: &'static str, raw: &str, max: usize) -> Result<String, Invalid> {
    let value = trimmed(field, raw, max)?;
    check_name(field, &value)?;
    Ok(value)
}

/// A login name: 1 to 64 of letters, digits, `_`, `.`, `-` and `@`; unique per tenant
/// without regard to case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Username(String);

impl Username {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let value = trimmed("username", raw, 64)?;
        if !value.chars().all(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | '-' | '@')) {
            return Err(Invalid::new("username", "may contain only letters, digits, '_', '.', '-' and '@'"));
        }
        Ok(Username(value))
    }

    /// Builds a valid username from free text (an email's local part, an external id).
    pub fn derive_from(raw: &str) -> Self {
        let cleaned: String =
            raw.chars().map(|c| if c.is_alphanumeric() || matches!(c, '_' | '.' | '-') { c } else { '_' }).take(64).collect();
        if cleaned.is_empty() {
            Username("user".into())
        } else {
            Username(cleaned)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The case-folded form the uniqueness index holds.
    pub fn key(&self) -> String {
        self.0.to_lowercase()
    }
}

/// An email address, checked for shape only; compared without regard to case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let value = trimmed("email", raw, 254)?;
        let (local, domain) = value.split_once('@').ok_or_else(|| Invalid::new("email", "must be an email address"))?;
        let shape_ok = !local.is_empty()
            && !domain.is_empty()
            && !domain.contains('@')
            && !value.chars().any(char::is_whitespace)
            && !domain.starts_with('.')
            && !domain.ends_with('.');
        if !shape_ok {
            return Err(Invalid::new("email", "must be an email address"));
        }
        Ok(Email(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn key(&self) -> String {
        self.0.to_lowercase()
    }

    pub fn local_part(&self) -> &str {
        self.0.split('@').next().unwrap_or_default()
    }
}

/// A password: 8 to 256 characters. Only its hash is ever stored.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let count = raw.chars().count();
        if count < 8 {
            return Err(Invalid::new("password", "must be at least 8 characters"));
        }
        if count > 256 {
            return Err(Invalid::new("password", "must be at most 256 characters"));
        }
        Ok(Password(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

/// A tenant's display name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantName(String);

impl TenantName {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        name("tenant_name", raw, 100).map(TenantName)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A tenant's URL-safe handle: 2 to 63 lowercase letters, digits and single dashes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slug(String);

impl Slug {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let value = raw.trim();
        let ok = (2..=63).contains(&value.len())
            && value.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !value.starts_with('-')
            && !value.ends_with('-')
            && !value.contains("--");
        if !ok {
            return Err(Invalid::new("tenant_slug", "must be 2 to 63 lowercase letters, digits and single dashes"));
        }
        Ok(Slug(value.to_owned()))
    }

    /// Derives a slug from a display name ("Acme Inc." → "acme-inc").
    pub fn derive_from(name: &str) -> Self {
        let mut slug = String::new();
        for c in name.chars().flat_map(char::to_lowercase) {
            if c.is_ascii_alphanumeric() {
                slug.push(c);
            } else if !slug.is_empty() && !slug.ends_with('-') {
                slug.push('-');
            }
        }
        let mut slug: String = slug.trim_matches('-').chars().take(40).collect();
        slug = slug.trim_end_matches('-').to_owned();
        if slug.len() < 2 {
            slug = format!("tenant-{}", ulid::Ulid::new().to_string().to_lowercase().split_off(16));
        }
        Slug(slug)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A person's display name, 1 to 100 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayName(String);

impl DisplayName {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        name("display_name", raw, 100).map(DisplayName)
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// A shop's name, 1 to 100 characters.
pub fn shop_name(raw: &str) -> Result<String, Invalid> {
    name("name", raw, 100)
}

/// A shop's address: an http or https URL on a public host (see `WebUrl`), since buyers'
/// clients open it.
pub fn shop_url(raw: &str) -> Result<String, Invalid> {
    WebUrl::parse("url", raw).map(WebUrl::into_string)
}

/// A ticket's subject, 1 to 200 characters.
pub fn ticket_subject(raw: &str) -> Result<String, Invalid> {
    trimmed("subject", raw, 200)
}

/// A ticket's category, 1 to 50 characters, compared as given.
pub fn ticket_category(raw: &str) -> Result<String, Invalid> {
    trimmed("category", raw, 50)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_refuse_spaces_and_accept_common_handles() {
        assert!(Username::parse("john_doe").is_ok());
        assert!(Username::parse("a.b-c@d").is_ok());
        assert!(Username::parse("john doe").is_err());
        assert!(Username::parse("").is_err());
        assert!(Username::parse(&"x".repeat(65)).is_err());
    }

    #[test]
    fn emails_need_a_local_part_and_a_domain() {
        assert!(Email::parse("a@b.co").is_ok());
        assert!(Email::parse("ab.co").is_err());
        assert!(Email::parse("@b.co").is_err());
        assert!(Email::parse("a@b@c").is_err());
        assert_eq!(Email::parse("A@B.co").unwrap().key(), "a@b.co");
    }

    #[test]
    fn slugs_are_derived_from_names() {
        assert_eq!(Slug::derive_from("Acme Inc.").as_str(), "acme-inc");
        assert!(Slug::parse(Slug::derive_from("!!").as_str()).is_ok());
        assert!(Slug::parse("Bad Slug").is_err());
        assert!(Slug::parse("ok-slug").is_ok());
    }

    #[test]
    fn shop_urls_are_web_urls_and_names_refuse_bidi_controls() {
        assert_eq!(shop_url(" https://shop.test/x ").unwrap(), "https://shop.test/x");
        assert!(shop_url("rbx://myshop").is_err());
        assert!(shop_url("javascript:alert(1)").is_err());
        assert!(shop_name("my\u{202E}pohs").is_err());
        assert!(DisplayName::parse("\u{2066}Admin").is_err());
        assert!(TenantName::parse("Acme\u{202B}").is_err());
        assert!(shop_url("").is_err());
        assert!(shop_name(&"n".repeat(101)).is_err());
        assert!(ticket_subject("Payment\u{0}").is_err());
    }

    #[test]
    fn passwords_have_bounds_and_hide_in_debug() {
        assert!(Password::parse("short").is_err());
        let p = Password::parse("long enough").unwrap();
        assert!(!format!("{p:?}").contains("long"));
    }
}
