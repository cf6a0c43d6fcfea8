//! `GET /packages`: the packages on offer, the subscriber's own marked.

use askama::Template;
use axum::extract::State;

use super::{Chrome, SubscriberSession, PORTAL};
use crate::http::customer::packages::list_packages;
use crate::http::customer::profile::get_profile;
use crate::http::portal::page::{html, PortalResult};
use crate::http::state::AppState;

pub struct PackageCard {
    pub name: String,
    pub description: String,
    pub speeds: String,
    pub price: String,
    pub validity_days: i64,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "packages.html")]
struct PackagesPage {
    chrome: Chrome,
    packages: Vec<PackageCard>,
}

#[utoipa::path(get, path = "/packages", tag = "portal",
    responses((status = 200, description = "Packages on offer", content_type = "text/html")))]
pub async fn packages(State(state): State<AppState>, session: SubscriberSession) -> PortalResult {
    let err = |e| PORTAL.error(e);
    let own = get_profile(State(state.clone()), session.auth.clone())
        .await
        .map_err(err)?
        .0
        .data
        .package
        .map(|p| p.id);
    let offers = list_packages(State(state), session.auth.clone())
        .await
        .map_err(err)?
        .0
        .data;
    let packages = offers
        .into_iter()
        .map(|p| PackageCard {
            current: own.as_deref() == Some(p.id.as_str()),
            speeds: format!(
                "{} down / {} up {}",
                p.download_speed,
                p.upload_speed,
                super::speed_unit_words(&p.speed_unit)
            ),
            name: p.name,
            description: p.description.unwrap_or_default(),
            price: p.price.0.to_string(),
            validity_days: p.validity_days,
        })
        .collect();
    Ok(html(&PackagesPage {
        chrome: Chrome::new("Packages", "packages", &session),
        packages,
    }))
}
