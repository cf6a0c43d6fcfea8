//! `GET /packages`: the packages on offer, the subscriber's own marked and a pending change
//! request shown; `POST /packages/change` asks staff for another package, as the API does.

use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::State;
use axum::Form;
use serde::Deserialize;

use super::{checked_form, Chrome, HasToken, SubscriberSession, PORTAL};
use crate::http::customer::packages::{list_packages, request_change, PackageChangeRequest};
use crate::http::customer::profile::get_profile;
use crate::http::extract::{ApiJson, ClientIp};
use crate::http::portal::page::{html, redirect, PortalResult};
use crate::http::state::AppState;

pub struct PackageCard {
    pub id: String,
    pub name: String,
    pub description: String,
    pub speeds: String,
    pub price: String,
    pub validity_days: i64,
    pub current: bool,
    pub requested: bool,
}

#[derive(Template)]
#[template(path = "packages.html")]
struct PackagesPage {
    chrome: Chrome,
    packages: Vec<PackageCard>,
    /// The package a pending change request asks for, by name.
    pending: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ChangeForm {
    csrf: Option<String>,
    package_id: Option<String>,
}

impl HasToken for ChangeForm {
    fn token(&self) -> Option<&str> {
        self.csrf.as_deref()
    }
}

#[utoipa::path(get, path = "/packages", tag = "portal",
    responses((status = 200, description = "Packages on offer and any pending change request", content_type = "text/html")))]
pub async fn packages(State(state): State<AppState>, session: SubscriberSession) -> PortalResult {
    let err = |e| PORTAL.error(e);
    let own = get_profile(State(state.clone()), session.auth.clone())
        .await
        .map_err(err)?
        .0
        .data
        .package
        .map(|p| p.id);
    let pending_id = state
        .store
        .pending_package_change(&session.auth.customer_id)
        .await
        .map_err(|e| err(e.into()))?;
    let offers = list_packages(State(state.clone()), session.auth.clone())
        .await
        .map_err(err)?
        .0
        .data;
    let pending = pending_id.as_deref().map(|id| {
        offers
            .iter()
            .find(|p| p.id == id)
            .map_or_else(|| "another package".to_owned(), |p| p.name.clone())
    });
    let packages = offers
        .into_iter()
        .map(|p| PackageCard {
            current: own.as_deref() == Some(p.id.as_str()),
            requested: pending_id.as_deref() == Some(p.id.as_str()),
            speeds: format!(
                "{} down / {} up {}",
                p.download_speed,
                p.upload_speed,
                super::speed_unit_words(&p.speed_unit)
            ),
            id: p.id,
            name: p.name,
            description: p.description.unwrap_or_default(),
            price: p.price.0.to_string(),
            validity_days: p.validity_days,
        })
        .collect();
    Ok(html(&PackagesPage {
        chrome: Chrome::load(&state, "Packages", "packages", &session).await?,
        packages,
        pending,
    }))
}

#[utoipa::path(post, path = "/packages/change", tag = "portal",
    request_body(content = ChangeForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 303, description = "Requested; back to the packages, showing it pending"),
        (status = 400, description = "Already on this package", content_type = "text/html"),
        (status = 403, description = "Missing or wrong anti-forgery token", content_type = "text/html"),
        (status = 404, description = "No such package offered", content_type = "text/html"),
        (status = 409, description = "A change request is already pending", content_type = "text/html"),
    ))]
pub async fn change(
    State(state): State<AppState>,
    session: SubscriberSession,
    client_ip: ClientIp,
    form: Result<Form<ChangeForm>, FormRejection>,
) -> PortalResult {
    let form = checked_form(&state, &session, form)?;
    let request = PackageChangeRequest {
        package_id: form.package_id,
        effective: None,
    };
    let _requested = request_change(State(state), session.auth, client_ip, ApiJson(request))
        .await
        .map_err(|e| PORTAL.error(e))?;
    Ok(redirect("/packages#pending-change"))
}
