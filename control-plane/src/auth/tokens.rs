//! HS256 JWTs. A token names its principal kind, so a customer token never opens staff routes
//! and the other way round.

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::domain::StaffRole;

const ISSUER: &str = "netops";

/// The claims netops puts in a token.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    pub sub: String,
    /// `customer` or `staff`.
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    pub iss: String,
    pub iat: i64,
    pub exp: i64,
}

/// Who a valid token belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    Customer { id: String },
    Staff { id: String, role: StaffRole },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("token has expired")]
    Expired,
    #[error("invalid token")]
    Invalid,
}

/// Signing and checking keys derived from the configured secret.
#[derive(Clone)]
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    ttl_secs: i64,
}

impl TokenKeys {
    pub fn new(secret: &[u8], ttl_secs: u64) -> Self {
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            ttl_secs: i64::try_from(ttl_secs).unwrap_or(i64::MAX),
        }
    }

    pub fn ttl_secs(&self) -> i64 {
        self.ttl_secs
    }

    /// Issues a token for a principal, valid from now for the configured lifetime.
    pub fn issue(&self, principal: &Principal, now_unix: i64) -> String {
        let (sub, kind, role) = match principal {
            Principal::Customer { id } => (id.clone(), "customer", None),
            Principal::Staff { id, role } => (id.clone(), "staff", Some(role.as_str().to_owned())),
        };
        let claims = Claims {
            sub,
            kind: kind.to_owned(),
            role,
            iss: ISSUER.to_owned(),
            iat: now_unix,
            exp: now_unix.saturating_add(self.ttl_secs),
        };
        // Encoding HS256 claims made of strings and integers cannot fail.
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .unwrap_or_default()
    }

    /// Checks signature, algorithm, issuer and expiry (no leeway) and names the principal.
    pub fn verify(&self, token: &str) -> Result<Principal, TokenError> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.leeway = 0;
        validation.set_required_spec_claims(&["exp", "iss", "sub"]);
        let data =
            jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation).map_err(|err| {
                match err.kind() {
                    jsonwebtoken::errors::ErrorKind::ExpiredSignature => TokenError::Expired,
                    _ => TokenError::Invalid,
                }
            })?;
        let claims = data.claims;
        match claims.kind.as_str() {
            "customer" => Ok(Principal::Customer { id: claims.sub }),
            "staff" => {
                let role = claims
                    .role
                    .as_deref()
                    .and_then(|r| StaffRole::parse(r).ok())
                    .ok_or(TokenError::Invalid)?;
                Ok(Principal::Staff {
                    id: claims.sub,
                    role,
                })
            }
            _ => Err(TokenError::Invalid),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> i64 {
        crate::domain::time::now().unix_timestamp()
    }

    #[test]
    fn issued_tokens_verify() {
        let keys = TokenKeys::new(b"0123456789abcdef0123456789abcdef", 60);
        let who = Principal::Staff {
            id: "s1".into(),
            role: StaffRole::Noc,
        };
        assert_eq!(keys.verify(&keys.issue(&who, now())), Ok(who));
    }

    #[test]
    fn expired_and_forged_tokens_fail() {
        let keys = TokenKeys::new(b"0123456789abcdef0123456789abcdef", 60);
        let who = Principal::Customer { id: "c1".into() };
        let old = keys.issue(&who, now() - 3600);
        assert_eq!(keys.verify(&old), Err(TokenError::Expired));
        let other = TokenKeys::new(b"another-secret-another-secret-!!", 60);
        assert_eq!(
            keys.verify(&other.issue(&who, now())),
            Err(TokenError::Invalid)
        );
        assert_eq!(keys.verify("not.a.token"), Err(TokenError::Invalid));
    }
}
