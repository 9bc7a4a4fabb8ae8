//! A small builder for queries whose shape depends on input (optional filters, `IN` lists).
//! sqlx's `QueryBuilder` writes `?` placeholders for the `Any` driver, which PostgreSQL
//! refuses; this one numbers them `$1, $2, ...`, which both databases accept.

use std::fmt::Write;

use sqlx::any::AnyArguments;
use sqlx::query::{QueryAs, QueryScalar};
use sqlx::{Any, FromRow};

/// A bound value.
#[derive(Debug, Clone)]
pub enum Arg {
    Text(String),
    Int(i64),
    /// A text column set to NULL.
    NullText,
    /// An integer column set to NULL.
    NullInt,
}

impl From<Option<i64>> for Arg {
    fn from(v: Option<i64>) -> Self {
        v.map_or(Arg::NullInt, Arg::Int)
    }
}

impl From<Option<String>> for Arg {
    fn from(v: Option<String>) -> Self {
        v.map_or(Arg::NullText, Arg::Text)
    }
}

impl From<&str> for Arg {
    fn from(v: &str) -> Self {
        Arg::Text(v.to_owned())
    }
}

impl From<String> for Arg {
    fn from(v: String) -> Self {
        Arg::Text(v)
    }
}

impl From<&String> for Arg {
    fn from(v: &String) -> Self {
        Arg::Text(v.clone())
    }
}

impl From<i64> for Arg {
    fn from(v: i64) -> Self {
        Arg::Int(v)
    }
}

#[derive(Debug, Clone, Default)]
pub struct Sql {
    text: String,
    args: Vec<Arg>,
}

impl Sql {
    pub fn new(text: &str) -> Self {
        Sql { text: text.to_owned(), args: Vec::new() }
    }

    /// Appends SQL text; never put input here, only `bind` it.
    pub fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Appends a placeholder for `value`.
    pub fn bind(&mut self, value: impl Into<Arg>) -> &mut Self {
        self.args.push(value.into());
        let _ = write!(self.text, "${}", self.args.len());
        self
    }

    /// Appends `$a, $b, ...` for every item; an empty list becomes `NULL`, which matches
    /// nothing in an `IN (...)`.
    pub fn bind_list<T: Into<Arg> + Clone>(&mut self, items: &[T]) -> &mut Self {
        if items.is_empty() {
            return self.push("NULL");
        }
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.bind(item.clone());
        }
        self
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn query_as<'q, T>(&'q self) -> QueryAs<'q, Any, T, AnyArguments<'q>>
    where
        T: for<'r> FromRow<'r, sqlx::any::AnyRow>,
    {
        let mut query = sqlx::query_as::<_, T>(&self.text);
        for arg in &self.args {
            query = match arg {
                Arg::Text(v) => query.bind(v.as_str()),
                Arg::Int(v) => query.bind(*v),
                Arg::NullText => query.bind(None::<String>),
                Arg::NullInt => query.bind(None::<i64>),
            };
        }
        query
    }

    pub fn query_scalar<'q, T>(&'q self) -> QueryScalar<'q, Any, T, AnyArguments<'q>>
    where
        (T,): for<'r> FromRow<'r, sqlx::any::AnyRow>,
    {
        let mut query = sqlx::query_scalar::<_, T>(&self.text);
        for arg in &self.args {
            query = match arg {
                Arg::Text(v) => query.bind(v.as_str()),
                Arg::Int(v) => query.bind(*v),
                Arg::NullText => query.bind(None::<String>),
                Arg::NullInt => query.bind(None::<i64>),
            };
        }
        query
    }
}

/// One page of `T` from `from` (a ` FROM ... WHERE ...` clause and its binds) in `order`,
/// and how many rows match in all: the two queries of every paged list.
pub async fn page_of<T>(
    db: &super::Db,
    columns: &str,
    from: &Sql,
    order: &str,
    limit: i64,
    offset: i64,
) -> super::StoreResult<(Vec<T>, i64)>
where
    T: for<'r> FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
{
    let mut rows = Sql { text: format!("SELECT {columns}{}", from.text), args: from.args.clone() };
    rows.push(&format!(" ORDER BY {order} LIMIT ")).bind(limit).push(" OFFSET ").bind(offset);
    let count = Sql { text: format!("SELECT COUNT(*){}", from.text), args: from.args.clone() };
    let rows = rows.query_as::<T>().fetch_all(db.reads()).await?;
    let total = count.query_scalar::<i64>().fetch_one(db.reads()).await?;
    Ok((rows, total))
}

/// A `LIKE ... ESCAPE '\'` pattern matching any text that contains `raw`, ignoring case
/// (the column side is lower-cased by the query): `%`, `_` and `\` in `raw` match
/// themselves, so input never acts as a wildcard.
pub fn contains_pattern(raw: &str) -> String {
    let mut pattern = String::with_capacity(raw.len() + 2);
    pattern.push('%');
    for c in raw.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// A column list such as "id, name" with every column qualified by `alias`: "c.id, c.name".
pub fn qualified(columns: &str, alias: &str) -> String {
    columns.split(", ").map(|c| format!("{alias}.{c}")).collect::<Vec<_>>().join(", ")
}

/// Crockford's base-32 digits, the alphabet of ULIDs.
const CROCKFORD: &str = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// The first 20 characters of a fresh ULID (its time and 50 random bits): the common part
/// of the ids one `ulid_series` statement makes.
pub fn ulid_prefix() -> String {
    let mut id = super::new_id();
    id.truncate(20);
    id
}

/// A SQL expression, the same in both dialects, that makes one new id per row of a
/// set-based insert: the text parameter `prefix` (a `ulid_prefix`) followed by `n`, an
/// integer expression numbering the rows from 1 (such as `ROW_NUMBER() OVER (...)` of a
/// subquery), as six base-32 digits. Each id is a valid ULID, distinct for up to 2^30 rows
/// per prefix.
pub fn ulid_series(prefix: &str, n: &str) -> String {
    let mut expr = prefix.to_owned();
    for place in (0..6).rev() {
        let divisor = 32_i64.pow(place);
        let _ = write!(expr, " || SUBSTR('{CROCKFORD}', CAST(({n} / {divisor}) % 32 AS INTEGER) + 1, 1)");
    }
    expr
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_ulid_series_numbers_rows_as_distinct_valid_ulids() {
        let db = crate::store::Db::connect("sqlite::memory:").await.unwrap();
        let prefix = ulid_prefix();
        let sql = format!(
            "SELECT {} FROM (SELECT 1 AS n UNION ALL SELECT 31 UNION ALL SELECT 32 UNION ALL SELECT 1073741823) t ORDER BY n",
            ulid_series("$1", "t.n")
        );
        let ids: Vec<String> = sqlx::query_scalar(&sql).bind(&prefix).fetch_all(db.pool()).await.unwrap();
        let suffixes: Vec<&str> = ids.iter().map(|id| &id[20..]).collect();
        assert_eq!(suffixes, ["000001", "00000Z", "000010", "ZZZZZZ"]);
        for id in &ids {
            assert!(id.starts_with(&prefix));
            assert_eq!(ulid::Ulid::from_string(id).unwrap().to_string(), *id);
        }
    }

    #[test]
    fn like_wildcards_in_a_search_term_match_literally() {
        assert_eq!(contains_pattern("50%_off\\"), "%50\\%\\_off\\\\%");
        assert_eq!(contains_pattern("Jane"), "%jane%");
    }

    #[test]
    fn placeholders_are_numbered_in_order() {
        let mut sql = Sql::new("SELECT 1 WHERE a = ");
        sql.bind("x").push(" AND b IN (").bind_list(&[1i64, 2]).push(")");
        assert_eq!(sql.text(), "SELECT 1 WHERE a = $1 AND b IN ($2, $3)");
        let mut empty = Sql::new("x IN (");
        empty.bind_list::<i64>(&[]).push(")");
        assert_eq!(empty.text(), "x IN (NULL)");
    }
}
