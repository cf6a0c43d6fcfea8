//! Tokens: missing, malformed, forged, expired, of the wrong kind, or of a deleted account.

use control_plane::auth::{Principal, TokenKeys};
use control_plane::domain::StaffRole;
use serde_json::json;

use crate::both_backends;
use crate::helpers::{TestApp, RAHIM};

async fn bad_tokens_are_refused(app: &TestApp) {
    let id = app.customer_id(RAHIM.0).await;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let path = "/api/v1/customer/profile";

    let missing = app.get(path, None).await;
    assert!(missing.error(401).contains("Authorization"));
    let wrong_scheme = app
        .client
        .get(format!("{}{path}", app.base))
        .header("authorization", "Basic abc")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_scheme.status().as_u16(), 401);
    app.get(path, Some("garbage")).await.error(401);

    let forged = TokenKeys::new(b"some-other-secret-some-other-secret!", 3600)
        .issue(&Principal::Customer { id: id.clone() }, now);
    assert!(app
        .get(path, Some(&forged))
        .await
        .error(401)
        .contains("invalid"));

    let expired = app.token_for(
        &Principal::Customer { id: id.clone() },
        now - 7 * 24 * 3600 - 10,
    );
    assert!(app
        .get(path, Some(&expired))
        .await
        .error(401)
        .contains("expired"));

    // An unsigned ("alg": "none") token with the right claims.
    let header = base64url(r#"{"alg":"none","typ":"JWT"}"#);
    let claims = base64url(&format!(
        r#"{{"sub":"{id}","kind":"customer","iss":"netops","iat":{now},"exp":{}}}"#,
        now + 3600
    ));
    app.get(path, Some(&format!("{header}.{claims}.")))
        .await
        .error(401);

    // Tokens do not cross between the customer and staff APIs.
    let staff = app.staff_token("admin").await;
    app.get(path, Some(&staff)).await.error(401);
    let customer = app.customer_token(RAHIM.0, RAHIM.1).await;
    app.get("/api/v1/admin/customers", Some(&customer))
        .await
        .error(401);

    // A valid token for a customer who no longer exists.
    let ghost = app.token_for(
        &Principal::Customer {
            id: "00000000-0000-0000-0000-000000000000".into(),
        },
        now,
    );
    app.get(path, Some(&ghost)).await.error(401);

    // A staff token for a disabled account stops working at once.
    let noc = app.staff_token("noc").await;
    let me = app.get("/api/v1/admin/auth/me", Some(&noc)).await;
    let noc_id = me.data()["id"].as_str().unwrap().to_owned();
    app.put(
        &format!("/api/v1/admin/staff/{noc_id}/status"),
        Some(&staff),
        json!({ "disabled": true }),
    )
    .await
    .data();
    app.get("/api/v1/admin/auth/me", Some(&noc))
        .await
        .error(401);
    // A token claiming a role the account does not have.
    let upgraded = app.token_for(
        &Principal::Staff {
            id: noc_id,
            role: StaffRole::Admin,
        },
        now,
    );
    app.get("/api/v1/admin/staff", Some(&upgraded))
        .await
        .error(401);
}
both_backends!(bad_tokens_are_refused);

fn base64url(text: &str) -> String {
    const TABLE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let bytes = text.as_bytes();
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let chars = chunk.len() + 1;
        for i in 0..chars {
            out.push(TABLE[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}
