//! Ids. Every id is a ULID in its canonical text form; input is checked once, so junk is
//! refused as malformed instead of being looked up.

/// An id from a request that is not a ULID. It names the field it came from and keeps
/// nothing of the value, so no error message can echo the input back.
#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error("`{field}` must be an id: a ULID of 26 letters and digits")]
pub struct MalformedId {
    pub field: &'static str,
}

/// The canonical form of the id `raw`, from a path segment named `id`.
pub fn parse_id(raw: &str) -> Result<String, MalformedId> {
    parse_field_id("id", raw)
}

/// The canonical form of the id `raw`, from the request field or parameter `field`.
pub fn parse_field_id(field: &'static str, raw: &str) -> Result<String, MalformedId> {
    // The ulid crate drops the bits a first character above `7` would add past 128, so
    // two texts would name one id; the ULID spec calls such text invalid, and so does this.
    if !raw.as_bytes().first().is_some_and(|b| (b'0'..=b'7').contains(b)) {
        return Err(MalformedId { field });
    }
    ulid::Ulid::from_string(raw).map(|id| id.to_string()).map_err(|_| MalformedId { field })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_ulids_in_canonical_form() {
        let id = ulid::Ulid::new().to_string();
        assert_eq!(parse_id(&id.to_lowercase()).unwrap(), id);
        assert!(parse_id("not-an-id").is_err());
        assert!(parse_id("").is_err());
        assert!(parse_id("8ZZZZZZZZZZZZZZZZZZZZZZZZZ").is_err(), "past 128 bits");
    }

    #[test]
    fn a_malformed_id_names_its_field_and_never_its_value() {
        let message = parse_field_id("user_id", "<script>").unwrap_err().to_string();
        assert_eq!(message, "`user_id` must be an id: a ULID of 26 letters and digits");
    }
}
