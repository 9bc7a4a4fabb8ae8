//! Shops as the API shows them.

use chrono::{DateTime, Utc};
use poem_openapi::types::MaybeUndefined;
use poem_openapi::Object;

use crate::domain::shop::Shop;

/// A shop: a name and an address owned by one user, whom buyers message in shop threads.
#[derive(Object, Debug, Clone)]
pub struct ShopDto {
    /// The shop's id.
    pub id: String,
    /// The user who owns it and answers its threads.
    pub owner_id: String,
    /// Its name.
    pub name: String,
    /// Its address, of any scheme (`https://...`, `rbx://...`).
    pub url: Option<String>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it was last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<&Shop> for ShopDto {
    fn from(s: &Shop) -> Self {
        ShopDto {
            id: s.id.clone(),
            owner_id: s.owner_id.clone(),
            name: s.name.clone(),
            url: s.url.clone(),
            created_at: s.created_at,
            updated_at: s.updated_at,
        }
    }
}

/// The shop of a shop thread, as a conversation listing shows it.
#[derive(Object, Debug, Clone)]
pub struct ShopSummaryDto {
    /// The shop's id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its address.
    pub url: Option<String>,
}

impl From<&Shop> for ShopSummaryDto {
    fn from(s: &Shop) -> Self {
        ShopSummaryDto { id: s.id.clone(), name: s.name.clone(), url: s.url.clone() }
    }
}

/// Create a shop owned by the caller.
#[derive(Object, Debug)]
pub struct CreateShopRequest {
    /// Its name, 1 to 100 characters.
    #[oai(validator(min_length = 1, max_length = 100))]
    pub name: String,
    /// Its address, up to 2048 characters without spaces.
    #[oai(validator(max_length = 2048))]
    pub url: Option<String>,
}

/// Change a shop.
#[derive(Object, Debug, Default)]
pub struct UpdateShopRequest {
    /// New name, 1 to 100 characters.
    #[oai(validator(min_length = 1, max_length = 100))]
    pub name: Option<String>,
    /// New address, up to 2048 characters without spaces; `null` clears it.
    #[oai(validator(max_length = 2048))]
    pub url: MaybeUndefined<String>,
}
