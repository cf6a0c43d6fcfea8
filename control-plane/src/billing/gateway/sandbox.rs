//! The sandbox gateway: a page served by the control plane that confirms or cancels a payment
//! without real money, answering with a callback signed like a real gateway's. For demos and
//! app development only; `[billing] gateway = "sandbox"` turns it on.

use ring::hmac;

use super::{CallbackError, GatewayCallback, PaymentGateway};

pub struct SandboxGateway {
    /// Base of the control plane's public URL, without a trailing slash.
    public_url: String,
    key: hmac::Key,
}

impl SandboxGateway {
    pub fn new(public_url: &str, key: hmac::Key) -> Self {
        Self {
            public_url: public_url.trim_end_matches('/').to_owned(),
            key,
        }
    }

    /// Signs a callback as the sandbox's side would before sending it.
    pub fn sign(&self, callback: &GatewayCallback) -> String {
        callback.sign(&self.key)
    }

    /// A new sandbox transaction reference.
    pub fn transaction_id() -> String {
        format!(
            "SBX-{}",
            hex::encode(rand::random::<[u8; 6]>()).to_uppercase()
        )
    }
}

impl PaymentGateway for SandboxGateway {
    fn name(&self) -> &'static str {
        "sandbox"
    }

    fn payment_url(&self, payment_id: &str) -> String {
        format!("{}/api/v1/payments/sandbox/{payment_id}", self.public_url)
    }

    fn verify(&self, callback: &GatewayCallback, signature: &str) -> Result<(), CallbackError> {
        callback.verify(&self.key, signature)
    }
}
