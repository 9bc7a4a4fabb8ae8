//! Telling a database that cannot be reached from a statement it refused: the first is
//! worth retrying (503 `unavailable`), the second is a failure of the server (500).

/// SQLSTATEs of a PostgreSQL that is going away or not yet back: `admin_shutdown` (a fast
/// stop ends every session), `crash_shutdown` and `cannot_connect_now` (starting up or
/// shutting down). Class `08`, connection exceptions, is matched as a whole.
const SHUTTING_DOWN: &[&str] = &["57P01", "57P02", "57P03"];

/// Whether `err` means the database could not be reached: the link itself (`Io`, `Tls`),
/// the pool giving up (`PoolTimedOut` is also what sqlx returns after retrying a refused
/// connection until the acquire timeout), or the server saying it is going down or not up
/// yet.
pub(super) fn is_unreachable(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::Io(_) | sqlx::Error::Tls(_) | sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed => true,
        sqlx::Error::Database(db) => db.code().is_some_and(|code| code.starts_with("08") || SHUTTING_DOWN.contains(&code.as_ref())),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;
    use std::io;

    use sqlx::error::{DatabaseError, ErrorKind};

    use super::super::StoreError;

    /// A database error with only a SQLSTATE, as a driver reports one.
    #[derive(Debug)]
    struct Refusal(&'static str);

    impl std::fmt::Display for Refusal {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "SQLSTATE {}", self.0)
        }
    }

    impl std::error::Error for Refusal {}

    impl DatabaseError for Refusal {
        fn message(&self) -> &str {
            "refused"
        }
        fn code(&self) -> Option<Cow<'_, str>> {
            Some(Cow::Borrowed(self.0))
        }
        fn as_error(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
            self
        }
        fn as_error_mut(&mut self) -> &mut (dyn std::error::Error + Send + Sync + 'static) {
            self
        }
        fn into_error(self: Box<Self>) -> Box<dyn std::error::Error + Send + Sync + 'static> {
            self
        }
        fn kind(&self) -> ErrorKind {
            ErrorKind::Other
        }
    }

    fn refused(code: &'static str) -> sqlx::Error {
        sqlx::Error::Database(Box::new(Refusal(code)))
    }

    fn unavailable(err: sqlx::Error) -> bool {
        matches!(StoreError::from(err), StoreError::Unavailable(_))
    }

    #[test]
    fn a_database_out_of_reach_is_unavailable() {
        assert!(unavailable(sqlx::Error::Io(io::Error::from(io::ErrorKind::ConnectionRefused))));
        assert!(unavailable(sqlx::Error::Io(io::Error::from(io::ErrorKind::UnexpectedEof))));
        assert!(unavailable(sqlx::Error::Tls("handshake failed".into())));
        assert!(unavailable(sqlx::Error::PoolTimedOut));
        assert!(unavailable(sqlx::Error::PoolClosed));
        for code in ["08000", "08003", "08006", "08001", "57P01", "57P02", "57P03"] {
            assert!(unavailable(refused(code)), "{code}");
        }
    }

    #[test]
    fn a_statement_the_database_refused_is_not() {
        for code in ["23505", "23503", "40001", "42P01", "57014", "53300"] {
            assert!(!unavailable(refused(code)), "{code}");
        }
        assert!(matches!(StoreError::from(sqlx::Error::RowNotFound), StoreError::Database(_)));
        assert!(matches!(StoreError::from(sqlx::Error::Protocol("bad message".into())), StoreError::Database(_)));
    }
}
