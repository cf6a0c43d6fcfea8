//! `POST /accounting` (rlm_rest accounting): Start, Interim-Update and Stop move the session and
//! the subscriber's network state; Accounting-On/Off close every session of the NAS. `204`
//! lets FreeRADIUS send the Accounting-Response; any error leaves the packet unanswered, so the
//! NAS retransmits it.

use axum::extract::State;
use axum::http::StatusCode;
use serde_json::Value;

use super::attributes::{AttributeError, RadiusAttributes};
use super::authorize::RestAttributes;
use super::FreeRadius;
use crate::aaa::accounting::{AcctStatus, SessionReport};
use crate::aaa::octets::OctetCounter;
use crate::domain::MacAddress;
use crate::http::extract::ApiJson;
use crate::http::response::{ApiError, ErrorBody};
use crate::http::state::AppState;
use crate::live::now_unix_ms;
use crate::store::sessions::{SessionKey, SessionOwner};

/// An accounting packet, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountingPacket {
    Session {
        key: SessionKey,
        username: String,
        report: SessionReport,
    },
    NasRestart {
        nas_key: String,
        at_ms: i64,
    },
    /// A status netops does not act on (e.g. Failed); acknowledged and dropped.
    Other(String),
}

/// Reads an accounting packet received at `received_ms`.
pub fn accounting_packet(
    attributes: &RadiusAttributes,
    received_ms: i64,
) -> Result<AccountingPacket, String> {
    let status_text = attributes
        .text("Acct-Status-Type")
        .ok_or("Acct-Status-Type is required")?;
    let Some(status) = AcctStatus::parse(status_text) else {
        return Ok(AccountingPacket::Other(status_text.to_owned()));
    };
    let number = |name: &str| -> Result<u64, String> {
        attributes
            .unsigned(name)
            .map(Option::unwrap_or_default)
            .map_err(|e: AttributeError| e.to_string())
    };
    let nas_ip_address = attributes.text("NAS-IP-Address").map(str::to_owned);
    let nas_identifier = attributes.text("NAS-Identifier").map(str::to_owned);
    let nas_key = nas_ip_address
        .clone()
        .or_else(|| nas_identifier.clone())
        .ok_or("NAS-IP-Address or NAS-Identifier is required")?;
    let delay_secs = i64::try_from(number("Acct-Delay-Time")?).unwrap_or(i64::MAX);
    let at_ms = received_ms.saturating_sub(delay_secs.saturating_mul(1000));
    if matches!(status, AcctStatus::AccountingOn | AcctStatus::AccountingOff) {
        return Ok(AccountingPacket::NasRestart { nas_key, at_ms });
    }
    let acct_session_id = attributes
        .text("Acct-Session-Id")
        .ok_or("Acct-Session-Id is required")?
        .to_owned();
    let username = attributes
        .text("User-Name")
        .ok_or("User-Name is required")?
        .to_owned();
    let input = OctetCounter {
        octets: number("Acct-Input-Octets")?,
        gigawords: number("Acct-Input-Gigawords")?,
    };
    let output = OctetCounter {
        octets: number("Acct-Output-Octets")?,
        gigawords: number("Acct-Output-Gigawords")?,
    };
    let calling_station_id = attributes.text("Calling-Station-Id").map(|text| {
        MacAddress::parse("Calling-Station-Id", text)
            .map(MacAddress::into_string)
            .unwrap_or_else(|_| text.to_owned())
    });
    Ok(AccountingPacket::Session {
        key: SessionKey {
            nas_key,
            acct_session_id,
            nas_ip_address,
            nas_identifier,
        },
        username,
        report: SessionReport {
            status,
            framed_ip: attributes.text("Framed-IP-Address").map(str::to_owned),
            calling_station_id,
            input_octets: input.total(),
            output_octets: output.total(),
            session_time_secs: i64::try_from(number("Acct-Session-Time")?).unwrap_or(i64::MAX),
            terminate_cause: attributes.text("Acct-Terminate-Cause").map(str::to_owned),
            event_at_ms: at_ms,
        },
    })
}

#[utoipa::path(post, path = "/accounting", tag = "radius", security(("bearer" = [])),
    request_body = RestAttributes,
    responses(
        (status = 204, description = "Recorded; FreeRADIUS answers the NAS"),
        (status = 400, description = "Not an accounting packet netops can read", body = ErrorBody),
    ))]
pub async fn accounting(
    State(state): State<AppState>,
    _caller: FreeRadius,
    ApiJson(body): ApiJson<Value>,
) -> Result<StatusCode, ApiError> {
    let attributes =
        RadiusAttributes::from_json(&body).map_err(|e| ApiError::bad_request(e.to_string()))?;
    let packet = accounting_packet(&attributes, now_unix_ms()).map_err(ApiError::bad_request)?;
    match packet {
        AccountingPacket::Other(status) => {
            tracing::debug!(status = %status, "accounting status ignored");
        }
        AccountingPacket::NasRestart { nas_key, at_ms } => {
            let states = state.store.close_nas_sessions(&nas_key, at_ms).await?;
            tracing::info!(nas = %nas_key, closed_subscribers = states.len(), "NAS restarted; its sessions are closed");
            for network_state in states {
                state.live.update(network_state);
            }
        }
        AccountingPacket::Session {
            key,
            username,
            report,
        } => {
            let customer_id = state.store.customer_id_by_pppoe(&username).await?;
            let owner = SessionOwner {
                username,
                customer_id,
            };
            let outcome = state.store.apply_accounting(&key, &owner, &report).await?;
            tracing::debug!(
                nas = %key.nas_key,
                session = %key.acct_session_id,
                username = %owner.username,
                effect = ?outcome.effect,
                "accounting applied"
            );
            if let Some(network_state) = outcome.network_state {
                state.live.update(network_state);
            }
        }
    }
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn packet(body: Value) -> Result<AccountingPacket, String> {
        accounting_packet(&RadiusAttributes::from_json(&body).unwrap(), 1_000_000)
    }

    #[test]
    fn interim_with_gigawords_and_delay() {
        let got = packet(json!({
            "Acct-Status-Type": {"type": "integer", "value": ["Interim-Update"]},
            "NAS-IP-Address": {"type": "ipaddr", "value": ["10.0.0.1"]},
            "Acct-Session-Id": {"type": "string", "value": ["81000001"]},
            "User-Name": {"type": "string", "value": ["rahim.gulshan"]},
            "Acct-Input-Octets": {"type": "integer", "value": [100]},
            "Acct-Input-Gigawords": {"type": "integer", "value": [1]},
            "Acct-Output-Octets": {"type": "integer", "value": [200]},
            "Acct-Output-Gigawords": {"type": "integer", "value": [2]},
            "Acct-Session-Time": {"type": "integer", "value": [600]},
            "Acct-Delay-Time": {"type": "integer", "value": [5]},
            "Calling-Station-Id": {"type": "string", "value": ["aa-bb-cc-dd-ee-01"]},
            "Framed-IP-Address": {"type": "ipaddr", "value": ["100.64.0.10"]},
        }))
        .unwrap();
        let AccountingPacket::Session { key, report, .. } = got else {
            panic!("{got:?}");
        };
        assert_eq!(key.nas_key, "10.0.0.1");
        assert_eq!(report.input_octets, (1 << 32) + 100);
        assert_eq!(report.output_octets, (2 << 32) + 200);
        assert_eq!(report.event_at_ms, 995_000);
        assert_eq!(report.implied_start_ms(), 395_000);
        assert_eq!(
            report.calling_station_id.as_deref(),
            Some("AA:BB:CC:DD:EE:01")
        );
    }

    #[test]
    fn nas_restart_and_other_statuses() {
        assert_eq!(
            packet(json!({"Acct-Status-Type": "Accounting-On", "NAS-Identifier": "bras-1"})),
            Ok(AccountingPacket::NasRestart {
                nas_key: "bras-1".to_owned(),
                at_ms: 1_000_000
            })
        );
        assert_eq!(
            packet(json!({"Acct-Status-Type": "Failed"})),
            Ok(AccountingPacket::Other("Failed".to_owned()))
        );
    }

    #[test]
    fn required_attributes() {
        let check = |body: Value, needle: &str| {
            let err = packet(body.clone()).unwrap_err();
            assert!(err.contains(needle), "{body}: {err}");
        };
        check(json!({}), "Acct-Status-Type");
        check(json!({"Acct-Status-Type": "Start"}), "NAS-IP-Address");
        check(
            json!({"Acct-Status-Type": "Start", "NAS-IP-Address": "10.0.0.1"}),
            "Acct-Session-Id",
        );
        check(
            json!({"Acct-Status-Type": "Start", "NAS-IP-Address": "10.0.0.1", "Acct-Session-Id": "1"}),
            "User-Name",
        );
        check(
            json!({"Acct-Status-Type": "Stop", "NAS-IP-Address": "10.0.0.1", "Acct-Session-Id": "1",
                   "User-Name": "u", "Acct-Input-Octets": "-5"}),
            "Acct-Input-Octets",
        );
    }
}
