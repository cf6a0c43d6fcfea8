//! `GET /noc/devices/{id}/bgp` and `POST /noc/devices/{id}/bgp`: a BGP peering change on a
//! router or BRAS, always previewed first. The form's change goes to the staff API's
//! `bgp_peers::create` as a dry run; the command's page (`command.rs`) then lists the exact
//! commands the agent would run against the router's current state, with the button that
//! applies that same change.

use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::Form;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::{Chrome, StaffSession, ACTION_ROLES, PORTAL};
use crate::domain::bgp_peering::ACTIONS;
use crate::http::admin::bgp_peers::{create, BgpPeerBody};
use crate::http::admin::network::{get_device, DeviceRecord};
use crate::http::extract::{non_empty, ApiJson, ClientIp};
use crate::http::portal::page::{html, redirect, PortalResult};
use crate::http::state::AppState;

#[derive(Template)]
#[template(path = "noc/bgp.html")]
struct BgpPage {
    chrome: Chrome,
    device: DeviceRecord,
    actions: Vec<&'static str>,
}

#[utoipa::path(get, path = "/noc/devices/{id}/bgp", tag = "portal",
    params(("id" = String, Path, description = "Device id of a router or BRAS")),
    responses(
        (status = 200, description = "The BGP peering change form", content_type = "text/html"),
        (status = 403, description = "The role may not change BGP peerings", content_type = "text/html"),
        (status = 404, description = "No such device", content_type = "text/html"),
    ))]
pub async fn form(
    State(state): State<AppState>,
    session: StaffSession,
    Path(id): Path<String>,
) -> PortalResult {
    if !session.may(ACTION_ROLES) {
        return Err(PORTAL.forbidden("only the NOC changes BGP peerings"));
    }
    let device = get_device(State(state), session.auth.clone(), Path(id))
        .await
        .map_err(|e| PORTAL.error(e))?
        .0
        .data;
    Ok(html(&BgpPage {
        chrome: Chrome::new(
            format!("BGP peering on {}", device.name),
            "/noc/devices",
            &session,
        ),
        device,
        actions: ACTIONS.split(", ").collect(),
    }))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct BgpForm {
    csrf: Option<String>,
    peer_ip: Option<String>,
    action: Option<String>,
    remote_as: Option<String>,
    max_prefixes: Option<String>,
    import_policy: Option<String>,
    export_policy: Option<String>,
}

/// A number typed into the form as JSON: a whole number, or the text for the API to refuse by
/// name; empty is null.
fn number(text: Option<String>) -> Value {
    match non_empty(text) {
        None => Value::Null,
        Some(text) => text.parse::<u64>().map_or(Value::String(text), Value::from),
    }
}

fn name(text: Option<String>) -> Value {
    non_empty(text).map_or(Value::Null, Value::String)
}

/// The form as the API's `change` object: only the fields the action uses.
fn change(form: BgpForm) -> Value {
    let action = non_empty(form.action).unwrap_or_default();
    let mut change = Map::new();
    match action.as_str() {
        "add" => {
            change.insert("remote_as".into(), number(form.remote_as));
            change.insert("max_prefixes".into(), number(form.max_prefixes));
            change.insert("import_policy".into(), name(form.import_policy));
            change.insert("export_policy".into(), name(form.export_policy));
        }
        "set_prefix_limit" => {
            change.insert("max_prefixes".into(), number(form.max_prefixes));
        }
        "set_policy" => {
            change.insert("import_policy".into(), name(form.import_policy));
            change.insert("export_policy".into(), name(form.export_policy));
        }
        _ => {}
    }
    change.insert("action".into(), Value::String(action));
    Value::Object(change)
}

#[utoipa::path(post, path = "/noc/devices/{id}/bgp", tag = "portal",
    params(("id" = String, Path, description = "Device id of a router or BRAS")),
    responses(
        (status = 303, description = "Dry run queued; to its command page, which lists the router commands"),
        (status = 403, description = "The role may not change BGP peerings, or the form's token is wrong", content_type = "text/html"),
        (status = 422, description = "A value is wrong; the page names each problem", content_type = "text/html"),
    ))]
pub async fn preview(
    State(state): State<AppState>,
    session: StaffSession,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    form: Result<Form<BgpForm>, FormRejection>,
) -> PortalResult {
    let form = form.ok().map(|Form(f)| f);
    session.check_csrf(&state, form.as_ref().and_then(|f| f.csrf.as_deref()))?;
    let form = form.ok_or_else(|| PORTAL.bad_request("the form was not sent as a form"))?;
    let peer_ip = json!(non_empty(form.peer_ip.clone()).unwrap_or_default());
    let command = create(
        State(state),
        session.auth,
        ClientIp(ip),
        Path(id),
        ApiJson(BgpPeerBody {
            customer_id: None,
            peer_ip: Some(peer_ip),
            change: Some(change(form)),
            dry_run: Some(Value::Bool(true)),
            other: Map::new(),
        }),
    )
    .await
    .map_err(|e| PORTAL.error(e))?
    .0
    .data;
    Ok(redirect(&format!("/noc/commands/{}", command.id)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(action: &str, remote_as: &str, limit: &str, expected: Value) {
        let form = BgpForm {
            csrf: None,
            peer_ip: None,
            action: Some(action.into()),
            remote_as: Some(remote_as.into()),
            max_prefixes: Some(limit.into()),
            import_policy: Some("".into()),
            export_policy: Some("OUT".into()),
        };
        assert_eq!(change(form), expected);
    }

    #[test]
    fn form_fields_become_the_apis_change() {
        check(
            "add",
            "65002",
            "",
            json!({ "action": "add", "remote_as": 65002, "max_prefixes": null, "import_policy": null, "export_policy": "OUT" }),
        );
        check(
            "add",
            "AS65002",
            "10",
            json!({ "action": "add", "remote_as": "AS65002", "max_prefixes": 10, "import_policy": null, "export_policy": "OUT" }),
        );
        check("shutdown", "65002", "10", json!({ "action": "shutdown" }));
        check(
            "set_prefix_limit",
            "",
            "500",
            json!({ "action": "set_prefix_limit", "max_prefixes": 500 }),
        );
    }
}
