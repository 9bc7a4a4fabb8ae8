//! The success envelope of API.md: `{"success": true, "data": ...}`, with `pagination` on
//! lists, and the response types every operation returns.

use poem_openapi::payload::Json;
use poem_openapi::types::{ParseFromJSON, ToJSON};
use poem_openapi::{ApiResponse, Object};

/// A successful response.
#[derive(Object)]
pub struct Envelope<T: ParseFromJSON + ToJSON> {
    /// Always `true`.
    pub success: bool,
    /// The payload.
    pub data: T,
}

/// A successful page of a list.
#[derive(Object)]
pub struct PageEnvelope<T: ParseFromJSON + ToJSON> {
    /// Always `true`.
    pub success: bool,
    /// The items of this page.
    pub data: Vec<T>,
    /// Where this page sits in the whole list.
    pub pagination: Pagination,
}

/// Position of a page in a list.
#[derive(Object, Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pagination {
    /// The page number, from 1.
    pub page: i64,
    /// Items per page (default 20, at most 100).
    pub per_page: i64,
    /// Items in the whole list.
    pub total: i64,
    /// Pages in the whole list.
    pub total_pages: i64,
}

/// A validated page request.
#[derive(Debug, Clone, Copy)]
pub struct PageRequest {
    pub page: i64,
    pub per_page: i64,
}

impl PageRequest {
    pub const DEFAULT_PER_PAGE: i64 = 20;
    pub const MAX_PER_PAGE: i64 = 100;

    /// Page numbers start at 1; `per_page` is clamped to 1..=100.
    pub fn new(page: Option<u32>, per_page: Option<u32>) -> Self {
        PageRequest {
            page: i64::from(page.unwrap_or(1).max(1)),
            per_page: per_page.map(i64::from).unwrap_or(Self::DEFAULT_PER_PAGE).clamp(1, Self::MAX_PER_PAGE),
        }
    }

    pub fn limit(&self) -> i64 {
        self.per_page
    }

    pub fn offset(&self) -> i64 {
        (self.page - 1) * self.per_page
    }

    pub fn pagination(&self, total: i64) -> Pagination {
        Pagination { page: self.page, per_page: self.per_page, total, total_pages: (total + self.per_page - 1) / self.per_page }
    }
}

/// 200 with one item.
#[derive(ApiResponse)]
pub enum Single<T: ParseFromJSON + ToJSON> {
    /// Success.
    #[oai(status = 200)]
    Ok(Json<Envelope<T>>),
}

/// 201 with the created item.
#[derive(ApiResponse)]
pub enum Created<T: ParseFromJSON + ToJSON> {
    /// Created.
    #[oai(status = 201)]
    Created(Json<Envelope<T>>),
}

/// 201 when the item was created, 200 when it already existed.
#[derive(ApiResponse)]
pub enum Upserted<T: ParseFromJSON + ToJSON> {
    /// Created.
    #[oai(status = 201)]
    Created(Json<Envelope<T>>),
    /// It existed already (and was updated where the operation says so).
    #[oai(status = 200)]
    Existing(Json<Envelope<T>>),
}

/// 200 with a page of items.
#[derive(ApiResponse)]
pub enum Listed<T: ParseFromJSON + ToJSON> {
    /// Success.
    #[oai(status = 200)]
    Ok(Json<PageEnvelope<T>>),
}

/// 204, nothing to return.
#[derive(ApiResponse)]
pub enum Done {
    /// Done.
    #[oai(status = 204)]
    NoContent,
}

pub fn single<T: ParseFromJSON + ToJSON>(data: T) -> Single<T> {
    Single::Ok(Json(Envelope { success: true, data }))
}

pub fn created<T: ParseFromJSON + ToJSON>(data: T) -> Created<T> {
    Created::Created(Json(Envelope { success: true, data }))
}

pub fn upserted<T: ParseFromJSON + ToJSON>(data: T, was_created: bool) -> Upserted<T> {
    let body = Json(Envelope { success: true, data });
    if was_created {
        Upserted::Created(body)
    } else {
        Upserted::Existing(body)
    }
}

pub fn listed<T: ParseFromJSON + ToJSON>(data: Vec<T>, page: PageRequest, total: i64) -> Listed<T> {
    Listed::Ok(Json(PageEnvelope { success: true, data, pagination: page.pagination(total) }))
}

/// Checks that an id in the parameter `name` is a ULID, so junk is a 400 rather than a
/// lookup.
pub fn parse_id(name: &'static str, raw: &str) -> Result<String, super::error::ApiError> {
    Ok(crate::domain::parse_field_id(name, raw).map_err(crate::error::AppError::from)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_clamp_and_count() {
        let p = PageRequest::new(Some(0), Some(1000));
        assert_eq!((p.page, p.per_page), (1, 100));
        let p = PageRequest::new(Some(3), Some(10));
        assert_eq!(p.offset(), 20);
        assert_eq!(p.pagination(21).total_pages, 3);
        assert_eq!(PageRequest::new(None, None).pagination(0).total_pages, 0);
    }
}
