//! The generic redirect gateway that providers (bKash, Nagad, Rocket, a card processor) plug
//! into by configuration: the payer's browser goes to the provider's URL with a signed request,
//! and the provider's callback is verified by HMAC-SHA256 over its raw body before its fields
//! (named per provider) are read. Pure: no I/O here.

use ring::hmac;
use serde_json::Value;

use super::{CallbackError, CallbackOutcome, GatewayCallback};

/// How a provider writes amounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AmountUnit {
    /// `1000.50`.
    Major,
    /// `100050`.
    Minor,
}

/// One `[[payments.gateways]]` entry, its secret already read from its file.
#[derive(Clone, PartialEq, Eq)]
pub struct RedirectGatewayConfig {
    /// The name in `/api/v1/payments/callback/{name}` and in `[billing] gateway`.
    pub name: String,
    /// The provider's checkout URL with `{payment_id}`, `{amount}`, `{amount_minor}`,
    /// `{callback_url}` and `{signature}` placeholders (values are percent-encoded).
    pub redirect_url: String,
    /// The HMAC-SHA256 key shared with the provider.
    pub secret: Vec<u8>,
    /// The callback header holding the hex signature of the raw body (`sha256=` allowed).
    pub signature_header: String,
    pub payment_id_field: String,
    pub status_field: String,
    pub amount_field: String,
    pub transaction_id_field: String,
    pub amount_unit: AmountUnit,
    /// Status values meaning the payment went through, and that it was cancelled.
    pub completed_value: String,
    pub cancelled_value: String,
}

impl std::fmt::Debug for RedirectGatewayConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedirectGatewayConfig")
            .field("name", &self.name)
            .field("redirect_url", &self.redirect_url)
            .field("secret", &"<redacted>")
            .finish_non_exhaustive()
    }
}

pub struct RedirectGateway {
    config: RedirectGatewayConfig,
    key: hmac::Key,
    /// Where the provider sends its callback.
    callback_url: String,
}

impl RedirectGateway {
    pub fn new(config: RedirectGatewayConfig, public_url: &str) -> Self {
        let key = hmac::Key::new(hmac::HMAC_SHA256, &config.secret);
        let callback_url = format!(
            "{}/api/v1/payments/callback/{}",
            public_url.trim_end_matches('/'),
            config.name
        );
        Self {
            config,
            key,
            callback_url,
        }
    }

    pub fn name(&self) -> &str {
        &self.config.name
    }

    /// The callback header that holds the signature.
    pub fn signature_header(&self) -> &str {
        &self.config.signature_header
    }

    /// The hex HMAC-SHA256 of `payment_id|amount_minor`: what the provider checks to know the
    /// request came from the ISP with this amount.
    pub fn request_signature(&self, payment_id: &str, amount_minor: i64) -> String {
        let text = format!("{payment_id}|{amount_minor}");
        hex::encode(hmac::sign(&self.key, text.as_bytes()).as_ref())
    }

    /// Where the payer's browser goes for this payment.
    pub fn redirect_url(&self, payment_id: &str, amount_minor: i64) -> String {
        let amount = crate::http::csv::money_text(amount_minor);
        self.config
            .redirect_url
            .replace("{payment_id}", &percent_encode(payment_id))
            .replace("{amount_minor}", &amount_minor.to_string())
            .replace("{amount}", &amount)
            .replace("{callback_url}", &percent_encode(&self.callback_url))
            .replace(
                "{signature}",
                &self.request_signature(payment_id, amount_minor),
            )
    }

    /// Verifies the raw body against the signature header's value, then reads the callback's
    /// fields. Nothing is read from a body whose signature does not verify.
    pub fn parse_callback(
        &self,
        signature: Option<&str>,
        raw_body: &[u8],
    ) -> Result<GatewayCallback, RedirectCallbackError> {
        let signature = signature.ok_or(RedirectCallbackError::NoSignature)?;
        let hex_text = signature.trim();
        let hex_text = hex_text.strip_prefix("sha256=").unwrap_or(hex_text);
        let bytes = hex::decode(hex_text).map_err(|_| CallbackError::SignatureFormat)?;
        hmac::verify(&self.key, raw_body, &bytes).map_err(|_| CallbackError::SignatureMismatch)?;
        let body: Value =
            serde_json::from_slice(raw_body).map_err(|_| RedirectCallbackError::NotJson)?;
        let c = &self.config;
        let text = |field: &str| -> Result<String, RedirectCallbackError> {
            match body.get(field) {
                Some(Value::String(s)) if !s.is_empty() => Ok(s.clone()),
                Some(Value::Number(n)) => Ok(n.to_string()),
                _ => Err(RedirectCallbackError::Field(field.to_owned())),
            }
        };
        let status = text(&c.status_field)?;
        let outcome = if status == c.completed_value {
            CallbackOutcome::Completed
        } else if status == c.cancelled_value {
            CallbackOutcome::Cancelled
        } else {
            return Err(RedirectCallbackError::Status(status));
        };
        let amount_text = text(&c.amount_field)?;
        let amount_minor = parse_amount(&amount_text, c.amount_unit)
            .ok_or_else(|| RedirectCallbackError::Field(c.amount_field.clone()))?;
        Ok(GatewayCallback {
            payment_id: text(&c.payment_id_field)?,
            outcome,
            amount_minor,
            transaction_id: text(&c.transaction_id_field)?,
        })
    }
}

/// Why a provider's callback is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RedirectCallbackError {
    #[error("the signature header is missing")]
    NoSignature,
    #[error(transparent)]
    Signature(#[from] CallbackError),
    #[error("the body is not a JSON object")]
    NotJson,
    #[error("field {0} is missing or malformed")]
    Field(String),
    #[error("status '{0}' is neither the completed nor the cancelled value")]
    Status(String),
}

/// An amount as the provider writes it, in minor units; `None` when malformed.
pub fn parse_amount(text: &str, unit: AmountUnit) -> Option<i64> {
    let text = text.trim();
    match unit {
        AmountUnit::Minor => text.parse().ok().filter(|v: &i64| *v >= 0),
        AmountUnit::Major => {
            let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
            if whole.is_empty()
                || !whole.bytes().all(|b| b.is_ascii_digit())
                || fraction.len() > 2
                || !fraction.bytes().all(|b| b.is_ascii_digit())
            {
                return None;
            }
            let whole: i64 = whole.parse().ok()?;
            let cents: i64 = format!("{fraction:0<2}").parse().ok()?;
            whole.checked_mul(100)?.checked_add(cents)
        }
    }
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gateway() -> RedirectGateway {
        RedirectGateway::new(
            RedirectGatewayConfig {
                name: "bkash".to_owned(),
                redirect_url: "https://pay.example/checkout?inv={payment_id}&amt={amount}\
                               &cb={callback_url}&sig={signature}"
                    .to_owned(),
                secret: b"key".to_vec(),
                signature_header: "x-signature".to_owned(),
                payment_id_field: "merchantInvoiceNumber".to_owned(),
                status_field: "transactionStatus".to_owned(),
                amount_field: "amount".to_owned(),
                transaction_id_field: "trxID".to_owned(),
                amount_unit: AmountUnit::Major,
                completed_value: "Completed".to_owned(),
                cancelled_value: "Cancelled".to_owned(),
            },
            "https://isp.example.net/",
        )
    }

    fn sign(body: &str) -> String {
        let key = hmac::Key::new(hmac::HMAC_SHA256, b"key");
        hex::encode(hmac::sign(&key, body.as_bytes()).as_ref())
    }

    #[test]
    fn the_redirect_carries_the_signed_request() {
        let url = gateway().redirect_url("p 1", 100_050);
        // printf 'p 1|100050' | openssl dgst -sha256 -hmac key
        let signature = gateway().request_signature("p 1", 100_050);
        assert_eq!(
            url,
            format!(
                "https://pay.example/checkout?inv=p%201&amt=1000.50\
                 &cb=https%3A%2F%2Fisp.example.net%2Fapi%2Fv1%2Fpayments%2Fcallback%2Fbkash\
                 &sig={signature}"
            )
        );
        let key = hmac::Key::new(hmac::HMAC_SHA256, b"key");
        assert!(hmac::verify(&key, b"p 1|100050", &hex::decode(signature).unwrap()).is_ok());
    }

    #[test]
    fn a_signed_callback_is_read_by_the_provider_s_field_names() {
        let body = r#"{"merchantInvoiceNumber":"p-1","transactionStatus":"Completed","amount":"1000.50","trxID":"TRX9"}"#;
        let callback = gateway()
            .parse_callback(Some(&format!("sha256={}", sign(body))), body.as_bytes())
            .unwrap();
        assert_eq!(
            callback,
            GatewayCallback {
                payment_id: "p-1".to_owned(),
                outcome: CallbackOutcome::Completed,
                amount_minor: 100_050,
                transaction_id: "TRX9".to_owned(),
            }
        );
    }

    #[test]
    fn forged_or_malformed_callbacks_are_refused() {
        let body = r#"{"merchantInvoiceNumber":"p-1","transactionStatus":"Completed","amount":"1000.50","trxID":"TRX9"}"#;
        let g = gateway();
        let changed = body.replace("1000.50", "1.00");
        assert_eq!(
            g.parse_callback(Some(&sign(body)), changed.as_bytes()),
            Err(RedirectCallbackError::Signature(
                CallbackError::SignatureMismatch
            ))
        );
        assert_eq!(
            g.parse_callback(None, body.as_bytes()),
            Err(RedirectCallbackError::NoSignature)
        );
        assert_eq!(
            g.parse_callback(Some("zz"), body.as_bytes()),
            Err(RedirectCallbackError::Signature(
                CallbackError::SignatureFormat
            ))
        );
        let odd = r#"{"merchantInvoiceNumber":"p-1","transactionStatus":"Pending","amount":"1","trxID":"T"}"#;
        assert_eq!(
            g.parse_callback(Some(&sign(odd)), odd.as_bytes()),
            Err(RedirectCallbackError::Status("Pending".to_owned()))
        );
        let missing = r#"{"transactionStatus":"Completed","amount":"1","trxID":"T"}"#;
        assert_eq!(
            g.parse_callback(Some(&sign(missing)), missing.as_bytes()),
            Err(RedirectCallbackError::Field(
                "merchantInvoiceNumber".to_owned()
            ))
        );
    }

    fn check_amount(text: &str, unit: AmountUnit, expected: Option<i64>) {
        assert_eq!(parse_amount(text, unit), expected, "{text}");
    }

    #[test]
    fn amounts() {
        check_amount("1000.50", AmountUnit::Major, Some(100_050));
        check_amount("1000.5", AmountUnit::Major, Some(100_050));
        check_amount("1000", AmountUnit::Major, Some(100_000));
        check_amount("0.07", AmountUnit::Major, Some(7));
        check_amount("1000.505", AmountUnit::Major, None);
        check_amount("-5", AmountUnit::Major, None);
        check_amount("1e3", AmountUnit::Major, None);
        check_amount(".5", AmountUnit::Major, None);
        check_amount("100050", AmountUnit::Minor, Some(100_050));
        check_amount("-1", AmountUnit::Minor, None);
        check_amount("10.5", AmountUnit::Minor, None);
    }
}
