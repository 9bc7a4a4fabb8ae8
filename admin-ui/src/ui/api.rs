//! Calls to the Confab API and the words shown for each way they can fail: the console never
//! shows a raw response body.

use gloo_net::http::{Request, RequestBuilder, Response};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A failed call, already in words for the person using the console.
#[derive(Clone, Debug, PartialEq)]
pub struct ApiError {
    pub status: u16,
    pub code: String,
    pub message: String,
}

impl ApiError {
    fn network() -> Self {
        ApiError {
            status: 0,
            code: "network".into(),
            message: "The server could not be reached. Check the connection and try again.".into(),
        }
    }

    fn unreadable(status: u16) -> Self {
        ApiError {
            status,
            code: "unreadable".into(),
            message: format!("The server sent an answer the console cannot read (status {status})."),
        }
    }

    pub fn is_unauthorized(&self) -> bool {
        self.status == 401
    }
}

#[derive(Deserialize)]
struct ErrorBody {
    code: String,
    message: String,
}

#[derive(Deserialize)]
struct Envelope<T> {
    data: T,
}

/// The signed-in account as the login answer describes it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Account {
    pub id: String,
    pub username: String,
    pub display_name: Option<String>,
    pub email: Option<String>,
    pub role: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TenantInfo {
    pub name: String,
    pub slug: String,
}

#[derive(Clone, Debug, Deserialize)]
pub struct Tokens {
    pub access_token: String,
    pub refresh_token: String,
    pub expires_in: i64,
    pub user: Account,
    pub tenant: TenantInfo,
}

#[derive(Serialize)]
struct LoginBody<'a> {
    tenant: &'a str,
    email: &'a str,
    password: &'a str,
}

#[derive(Serialize)]
struct RefreshBody<'a> {
    refresh_token: &'a str,
}

/// Words for the error codes a person can act on; anything else keeps the server's message.
fn in_words(status: u16, body: ErrorBody) -> ApiError {
    let message = match body.code.as_str() {
        "invalid_credentials" => "The tenant, email or password is not right.".to_owned(),
        "unauthorized" => "Your session has ended. Sign in again.".to_owned(),
        "forbidden" => "Your account may not do this.".to_owned(),
        "rate_limited" | "too_many_requests" => "Too many attempts. Wait a moment and try again.".to_owned(),
        "not_found" => "The server has no such resource (it answered “not found”).".to_owned(),
        _ if status >= 500 => "The server failed to answer. Try again in a moment.".to_owned(),
        _ => body.message,
    };
    ApiError { status, code: body.code, message }
}

async fn read<T: DeserializeOwned>(response: Response) -> Result<T, ApiError> {
    let status = response.status();
    if response.ok() {
        let envelope: Envelope<T> = response.json().await.map_err(|_| ApiError::unreadable(status))?;
        return Ok(envelope.data);
    }
    match response.json::<ErrorBody>().await {
        Ok(body) => Err(in_words(status, body)),
        Err(_) => Err(ApiError::unreadable(status)),
    }
}

async fn read_empty(response: Response) -> Result<(), ApiError> {
    let status = response.status();
    if response.ok() {
        return Ok(());
    }
    match response.json::<ErrorBody>().await {
        Ok(body) => Err(in_words(status, body)),
        Err(_) => Err(ApiError::unreadable(status)),
    }
}

async fn send_json<B: Serialize>(builder: RequestBuilder, body: &B) -> Result<Response, ApiError> {
    let request: Request = builder.json(body).map_err(|_| ApiError::network())?;
    request.send().await.map_err(|_| ApiError::network())
}

pub async fn login(tenant: &str, email: &str, password: &str) -> Result<Tokens, ApiError> {
    let response = send_json(Request::post("/v1/auth/login"), &LoginBody { tenant, email, password }).await?;
    read(response).await
}

pub async fn refresh(refresh_token: &str) -> Result<Tokens, ApiError> {
    let response = send_json(Request::post("/v1/auth/refresh"), &RefreshBody { refresh_token }).await?;
    read(response).await
}

pub async fn logout(access_token: &str, refresh_token: &str) -> Result<(), ApiError> {
    let builder = Request::post("/v1/auth/logout").header("Authorization", &format!("Bearer {access_token}"));
    read_empty(send_json(builder, &RefreshBody { refresh_token }).await?).await
}

/// `GET path` as the signed-in account.
pub async fn get_json(access_token: &str, path: &str) -> Result<Value, ApiError> {
    get(access_token, path).await
}

fn bearer(builder: RequestBuilder, access_token: &str) -> RequestBuilder {
    builder.header("Authorization", &format!("Bearer {access_token}"))
}

/// `GET path` as the signed-in account, read as `T`.
pub async fn get<T: DeserializeOwned>(access_token: &str, path: &str) -> Result<T, ApiError> {
    let response = bearer(Request::get(path), access_token).send().await.map_err(|_| ApiError::network())?;
    read(response).await
}

/// One page of a list and where it sits in the whole list.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Page<T> {
    pub data: Vec<T>,
    pub pagination: Pagination,
}

#[derive(Clone, Copy, Debug, PartialEq, Deserialize)]
pub struct Pagination {
    pub page: i64,
    pub per_page: i64,
    pub total: i64,
    pub total_pages: i64,
}

/// `GET path` of a paged list.
pub async fn get_page<T: DeserializeOwned>(access_token: &str, path: &str) -> Result<Page<T>, ApiError> {
    let response = bearer(Request::get(path), access_token).send().await.map_err(|_| ApiError::network())?;
    let status = response.status();
    if response.ok() {
        return response.json::<Page<T>>().await.map_err(|_| ApiError::unreadable(status));
    }
    match response.json::<ErrorBody>().await {
        Ok(body) => Err(in_words(status, body)),
        Err(_) => Err(ApiError::unreadable(status)),
    }
}

/// `POST path` with a JSON body, read as `T`.
pub async fn post<B: Serialize, T: DeserializeOwned>(access_token: &str, path: &str, body: &B) -> Result<T, ApiError> {
    read(send_json(bearer(Request::post(path), access_token), body).await?).await
}

/// `PATCH path` with a JSON body, read as `T`.
pub async fn patch<B: Serialize, T: DeserializeOwned>(access_token: &str, path: &str, body: &B) -> Result<T, ApiError> {
    read(send_json(bearer(Request::patch(path), access_token), body).await?).await
}

/// `DELETE path`; any success is enough.
pub async fn delete(access_token: &str, path: &str) -> Result<(), ApiError> {
    let response = bearer(Request::delete(path), access_token).send().await.map_err(|_| ApiError::network())?;
    read_empty(response).await
}

/// A path with its query string, leaving out empty values and encoding the rest.
pub fn with_query(path: &str, params: &[(&str, String)]) -> String {
    let query: Vec<String> = params
        .iter()
        .filter(|(_, value)| !value.trim().is_empty())
        .map(|(key, value)| format!("{key}={}", String::from(js_sys::encode_uri_component(value.trim()))))
        .collect();
    if query.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{}", query.join("&"))
    }
}
