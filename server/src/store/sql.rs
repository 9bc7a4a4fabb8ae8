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
            };
        }
        query
    }
}

/// One page of `T` from `from` (a ` FROM ... WHERE ...` clause and its binds) in `order`,
/// and how many rows match in all: the two queries of every paged list.
pub async fn page_of<T>(db: &super::Db, columns: &str, from: &Sql, order: &str, limit: i64, offset: i64) -> super::StoreResult<(Vec<T>, i64)>
where
    T: for<'r> FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
{
    let mut rows = Sql { text: format!("SELECT {columns}{}", from.text), args: from.args.clone() };
    rows.push(&format!(" ORDER BY {order} LIMIT ")).bind(limit).push(" OFFSET ").bind(offset);
    let count = Sql { text: format!("SELECT COUNT(*){}", from.text), args: from.args.clone() };
    let rows = rows.query_as::<T>().fetch_all(db.pool()).await?;
    let total = count.query_scalar::<i64>().fetch_one(db.pool()).await?;
    Ok((rows, total))
}

/// A column list such as "id, name" with every column qualified by `alias`: "c.id, c.name".
pub fn qualified(columns: &str, alias: &str) -> String {
    columns.split(", ").map(|c| format!("{alias}.{c}")).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

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
