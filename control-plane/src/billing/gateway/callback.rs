//! A gateway callback and its HMAC-SHA256 signature over a fixed text form, verified in
//! constant time.

use ring::hmac;

/// What the gateway says happened to a payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallbackOutcome {
    Completed,
    Cancelled,
}

impl CallbackOutcome {
    pub fn parse(text: &str) -> Result<Self, CallbackError> {
        match text {
            "completed" => Ok(Self::Completed),
            "cancelled" => Ok(Self::Cancelled),
            _ => Err(CallbackError::Outcome),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Completed => "completed",
            Self::Cancelled => "cancelled",
        }
    }
}

/// The signed fields of a callback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatewayCallback {
    pub payment_id: String,
    pub outcome: CallbackOutcome,
    /// What the gateway charged, in minor units; must equal the stored payment's amount.
    pub amount_minor: i64,
    /// The gateway's reference for the transaction.
    pub transaction_id: String,
}

/// Why a callback is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallbackError {
    #[error("status must be completed or cancelled")]
    Outcome,
    #[error("signature is not hex")]
    SignatureFormat,
    #[error("signature does not match the callback")]
    SignatureMismatch,
}

impl GatewayCallback {
    /// The text that is signed: `payment_id|status|amount_minor|transaction_id`. No field may
    /// hold `|` without changing the text of another, so the form is unambiguous.
    pub fn signing_text(&self) -> String {
        format!(
            "{}|{}|{}|{}",
            self.payment_id.replace('|', "%7C"),
            self.outcome.as_str(),
            self.amount_minor,
            self.transaction_id.replace('|', "%7C")
        )
    }

    /// The hex HMAC-SHA256 of the signing text.
    pub fn sign(&self, key: &hmac::Key) -> String {
        hex::encode(hmac::sign(key, self.signing_text().as_bytes()).as_ref())
    }

    /// Checks a hex signature in constant time.
    pub fn verify(&self, key: &hmac::Key, signature_hex: &str) -> Result<(), CallbackError> {
        let signature =
            hex::decode(signature_hex.trim()).map_err(|_| CallbackError::SignatureFormat)?;
        hmac::verify(key, self.signing_text().as_bytes(), &signature)
            .map_err(|_| CallbackError::SignatureMismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn callback() -> GatewayCallback {
        GatewayCallback {
            payment_id: "p-1".to_owned(),
            outcome: CallbackOutcome::Completed,
            amount_minor: 100_000,
            transaction_id: "SBX-1".to_owned(),
        }
    }

    #[test]
    fn signature_matches_an_independent_hmac() {
        // printf 'p-1|completed|100000|SBX-1' | openssl dgst -sha256 -hmac key
        let key = hmac::Key::new(hmac::HMAC_SHA256, b"key");
        assert_eq!(
            callback().sign(&key),
            "b3a268895ff2cf8a752f26c7660d54922d1ea4cd4142f6b7e7c4d4a807df8f63"
        );
    }

    #[test]
    fn any_changed_field_fails_verification() {
        let key = hmac::Key::new(hmac::HMAC_SHA256, b"key");
        let signature = callback().sign(&key);
        assert_eq!(callback().verify(&key, &signature), Ok(()));
        let more = GatewayCallback {
            amount_minor: 100_001,
            ..callback()
        };
        assert_eq!(
            more.verify(&key, &signature),
            Err(CallbackError::SignatureMismatch)
        );
        let cancelled = GatewayCallback {
            outcome: CallbackOutcome::Cancelled,
            ..callback()
        };
        assert_eq!(
            cancelled.verify(&key, &signature),
            Err(CallbackError::SignatureMismatch)
        );
        let other_key = hmac::Key::new(hmac::HMAC_SHA256, b"other");
        assert_eq!(
            callback().verify(&other_key, &signature),
            Err(CallbackError::SignatureMismatch)
        );
        assert_eq!(
            callback().verify(&key, "zz"),
            Err(CallbackError::SignatureFormat)
        );
    }
}
