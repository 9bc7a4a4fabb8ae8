//! Enums that are stored and sent by a fixed lowercase name, and the time type of the
//! domain.

/// An instant, as every domain type carries it. Stored as epoch milliseconds; converted at
/// the store boundary.
pub type Timestamp = chrono::DateTime<chrono::Utc>;

/// An enum stored and sent as a fixed name: one spelling per value, and back. Parsing is
/// strict: a name no value has is `None`, never a default, so the store can refuse a row
/// that holds one instead of guessing.
pub trait Named: Sized + Copy + 'static {
    /// Every value.
    const ALL: &'static [Self];

    /// The stored name of this value.
    fn as_str(self) -> &'static str;

    /// The value stored as `raw`, if any.
    fn parse(raw: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|value| value.as_str() == raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, Copy, PartialEq)]
    enum Colour {
        Red,
        Blue,
    }

    impl Named for Colour {
        const ALL: &'static [Self] = &[Colour::Red, Colour::Blue];
        fn as_str(self) -> &'static str {
            match self {
                Colour::Red => "red",
                Colour::Blue => "blue",
            }
        }
    }

    #[test]
    fn every_name_parses_back_and_unknown_names_do_not() {
        for colour in Colour::ALL {
            assert_eq!(Colour::parse(colour.as_str()), Some(*colour));
        }
        assert_eq!(Colour::parse("green"), None);
        assert_eq!(Colour::parse("Red"), None);
    }
}
