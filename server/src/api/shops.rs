//! `/v1/shops`: shops and their owners' buyer threads. Buyers open a thread with a shop
//! through `POST /v1/chat/conversations` `{kind: "shop", shop_id}`.

use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::OpenApi;

use super::dto::conversations::ConversationDto;
use super::dto::patched;
use super::dto::shops::*;
use super::envelope::{created, listed, single, Created, Listed, PageRequest, Single};
use super::error::ApiResult;
use super::security::BearerAuth;
use super::ApiTags;
use crate::chat;
use crate::state::AppState;

#[derive(Default)]
pub struct ShopsApi;

#[OpenApi(prefix_path = "/v1/shops", tag = "ApiTags::Shops")]
impl ShopsApi {
    /// Create a shop owned by the caller.
    #[oai(path = "/", method = "post", operation_id = "shops_create")]
    async fn create(&self, state: Data<&AppState>, auth: BearerAuth, body: Json<CreateShopRequest>) -> ApiResult<Created<ShopDto>> {
        let shop = chat::shops::create(&state, &auth.0, &body.name, body.url.as_deref()).await?;
        Ok(created(ShopDto::from(&shop)))
    }

    /// The tenant's shops, newest first, optionally only those of one owner.
    #[oai(path = "/", method = "get", operation_id = "shops_list")]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// Only this user's shops.
        owner_id: Query<Option<String>>,
        /// Page number, from 1.
        page: Query<Option<u32>>,
        /// Items per page, 1 to 100 (default 20).
        per_page: Query<Option<u32>>,
    ) -> ApiResult<Listed<ShopDto>> {
        let page = PageRequest::new(page.0, per_page.0);
        let (rows, total) = chat::shops::list(&state, &auth.0, owner_id.0.as_deref(), page.limit(), page.offset()).await?;
        Ok(listed(rows.iter().map(ShopDto::from).collect(), page, total))
    }

    /// One shop of the tenant.
    #[oai(path = "/:id", method = "get", operation_id = "shops_get")]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The shop's id.
        id: Path<String>,
    ) -> ApiResult<Single<ShopDto>> {
        let shop = chat::shops::visible(&state, &auth.0, &id.0).await?;
        Ok(single(ShopDto::from(&shop)))
    }

    /// Rename a shop or change its address (its owner).
    #[oai(path = "/:id", method = "patch", operation_id = "shops_update")]
    async fn update(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The shop's id.
        id: Path<String>,
        body: Json<UpdateShopRequest>,
    ) -> ApiResult<Single<ShopDto>> {
        let shop = chat::shops::update(&state, &auth.0, &id.0, body.name.as_deref(), patched(&body.url)).await?;
        Ok(single(ShopDto::from(&shop)))
    }

    /// The buyers' threads with a shop, most recent activity first, with the owner's
    /// unread counts (its owner).
    #[oai(path = "/:id/threads", method = "get", operation_id = "shops_threads_list")]
    async fn threads(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The shop's id.
        id: Path<String>,
        /// Page number, from 1.
        page: Query<Option<u32>>,
        /// Items per page, 1 to 100 (default 20).
        per_page: Query<Option<u32>>,
    ) -> ApiResult<Listed<ConversationDto>> {
        let caller = auth.0;
        let page = PageRequest::new(page.0, per_page.0);
        let (views, total) = chat::listing::shop_threads(&state, &caller, &id.0, page.limit(), page.offset()).await?;
        Ok(listed(ConversationDto::many(views, &caller.user.id), page, total))
    }
}
