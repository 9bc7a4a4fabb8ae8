//! Ids. Every id is a ULID in its canonical text form; input is checked once, so junk is
//! refused as malformed instead of being looked up.

/// An id from a request that is not a ULID.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{0:?} is not a valid id")]
pub struct MalformedId(pub String);

/// The canonical form of the id `raw`.
pub fn parse_id(raw: &str) -> Result<String, MalformedId> {
    ulid::Ulid::from_string(raw).map(|id| id.to_string()).map_err(|_| MalformedId(raw.to_owned()))
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
    }
}
