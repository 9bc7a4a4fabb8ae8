//! Names for the ids the API hands out: the tenant's support agents (who handle tickets
//! and take privileged actions) and the first page of its directory, read once per screen.
//! A screen asks for the names of the other ids it shows (`name_these`); an id that cannot
//! be named is shown short, with the whole id in its title.

use std::collections::HashMap;

use leptos::prelude::*;
use serde::Deserialize;

use super::api::{self, ApiError};
use super::common::short_id;
use super::session::Auth;

/// A user as the directory and the agents list show them.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Person {
    pub id: String,
    pub username: String,
    pub display_name: Option<String>,
    pub role: String,
}

impl Person {
    pub fn name(&self) -> String {
        self.display_name.clone().filter(|n| !n.is_empty()).unwrap_or_else(|| self.username.clone())
    }
}

/// The people a screen can name.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct People {
    /// Staff and up, by username: who may be assigned a ticket.
    pub agents: Vec<Person>,
    names: HashMap<String, String>,
}

impl People {
    /// The name of user `id`, if known.
    pub fn name(&self, id: &str) -> Option<String> {
        self.names.get(id).cloned()
    }

    /// The name of user `id`, or its short id.
    pub fn name_or_id(&self, id: &str) -> String {
        self.name(id).unwrap_or_else(|| format!("user {}", short_id(id)))
    }
}

async fn fetch(token: String) -> Result<People, ApiError> {
    let agents = api::get_page::<Person>(&token, "/v1/chat/agents?per_page=100").await?.data;
    let directory = api::get_page::<Person>(&token, "/v1/chat/users?per_page=100").await?.data;
    let names = directory.iter().chain(agents.iter()).map(|p| (p.id.clone(), p.name())).collect();
    Ok(People { agents, names })
}

/// Loads the names once; until they arrive (or when they cannot be read) ids show short.
/// Names are a convenience: a failure here leaves the screen usable and is not reported.
pub fn load_people(auth: Auth) -> RwSignal<People> {
    let people = RwSignal::new(People::default());
    if let Some(token) = auth.access_token() {
        leptos::task::spawn_local(async move {
            match fetch(token).await {
                Ok(found) => people.set(found),
                Err(error) => auth.expired(&error),
            }
        });
    }
    people
}

/// Looks up the names of the `ids` not yet known (at most a page of them), and adds them.
/// Best effort, like `load_people`.
pub fn name_these(auth: Auth, people: RwSignal<People>, ids: impl IntoIterator<Item = String>) {
    // Only what looks like an id (a ULID): the server refuses the lookup otherwise.
    let looks_like_id = |id: &String| id.len() == 26 && id.chars().all(|c| c.is_ascii_alphanumeric());
    let mut missing: Vec<String> =
        ids.into_iter().filter(|id| looks_like_id(id) && people.with_untracked(|p| p.name(id).is_none())).collect();
    missing.sort();
    missing.dedup();
    missing.truncate(100);
    let Some(token) = auth.access_token().filter(|_| !missing.is_empty()) else { return };
    let path = api::with_query("/v1/admin/users", &[("ids", missing.join(",")), ("per_page", "100".into())]);
    leptos::task::spawn_local(async move {
        match api::get_page::<Person>(&token, &path).await {
            Ok(found) => people.update(|p| p.names.extend(found.data.iter().map(|u| (u.id.clone(), u.name())))),
            Err(error) => auth.expired(&error),
        }
    });
}
