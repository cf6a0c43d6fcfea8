//! Payment gateways: where a subscriber's browser goes to pay, and how the gateway's callback
//! is checked. A callback names the payment, the outcome and the amount the gateway took; the
//! control plane settles the stored payment's amount, never one from the request.

pub mod callback;
pub mod redirect;
pub mod sandbox;
pub mod settings;

pub use callback::{CallbackError, CallbackOutcome, GatewayCallback};

/// One gateway (the sandbox; providers such as bKash or a card processor plug in here).
pub trait PaymentGateway: Send + Sync {
    /// The name in callback URLs (`/api/v1/payments/callback/{name}`).
    fn name(&self) -> &'static str;

    /// Where the subscriber's browser goes to pay this payment.
    fn payment_url(&self, payment_id: &str) -> String;

    /// Checks a callback's signature; only a verified callback may change a payment.
    fn verify(&self, callback: &GatewayCallback, signature: &str) -> Result<(), CallbackError>;
}
