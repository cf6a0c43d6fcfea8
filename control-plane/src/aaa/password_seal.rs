//! PPPoE passwords sealed at rest. CHAP needs the clear text, so a hash will not do: each
//! password is encrypted with AES-256-GCM under the `[aaa]` password key, with a fresh random
//! nonce and the customer's id as associated data, so a sealed value copied onto another
//! customer does not open. Stored as `v1:<nonce hex>:<ciphertext and tag hex>`.

use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN};

const VERSION: &str = "v1";

/// Why a password could not be sealed or opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    #[error("the PPPoE password key must be 32 bytes (64 hex characters)")]
    BadKey,
    #[error("the stored PPPoE password is not in a known format")]
    Malformed,
    #[error("the stored PPPoE password does not open with this key (was the key changed?)")]
    WrongKey,
    #[error("unable to seal the PPPoE password")]
    Seal,
}

/// Seals and opens PPPoE passwords with one key.
pub struct PasswordSealer {
    key: LessSafeKey,
}

impl std::fmt::Debug for PasswordSealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordSealer(***)")
    }
}

impl PasswordSealer {
    /// A sealer over a key given as 64 hex characters.
    pub fn from_hex(key_hex: &str) -> Result<Self, SealError> {
        let bytes = hex::decode(key_hex.trim()).map_err(|_| SealError::BadKey)?;
        Self::from_bytes(&bytes)
    }

    pub fn from_bytes(key: &[u8]) -> Result<Self, SealError> {
        let unbound = UnboundKey::new(&AES_256_GCM, key).map_err(|_| SealError::BadKey)?;
        Ok(Self {
            key: LessSafeKey::new(unbound),
        })
    }

    /// Encrypts `password` for the customer `customer_id`.
    pub fn seal(&self, customer_id: &str, password: &str) -> Result<String, SealError> {
        let nonce_bytes: [u8; NONCE_LEN] = rand::random();
        let mut in_out = password.as_bytes().to_vec();
        self.key
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce_bytes),
                Aad::from(customer_id.as_bytes()),
                &mut in_out,
            )
            .map_err(|_| SealError::Seal)?;
        Ok(format!(
            "{VERSION}:{}:{}",
            hex::encode(nonce_bytes),
            hex::encode(in_out)
        ))
    }

    /// Decrypts a value made by [`PasswordSealer::seal`] for the same customer.
    pub fn open(&self, customer_id: &str, sealed: &str) -> Result<String, SealError> {
        let mut parts = sealed.split(':');
        let (Some(VERSION), Some(nonce_hex), Some(body_hex), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(SealError::Malformed);
        };
        let nonce_bytes: [u8; NONCE_LEN] = hex::decode(nonce_hex)
            .ok()
            .and_then(|bytes| bytes.try_into().ok())
            .ok_or(SealError::Malformed)?;
        let mut in_out = hex::decode(body_hex).map_err(|_| SealError::Malformed)?;
        let clear = self
            .key
            .open_in_place(
                Nonce::assume_unique_for_key(nonce_bytes),
                Aad::from(customer_id.as_bytes()),
                &mut in_out,
            )
            .map_err(|_| SealError::WrongKey)?;
        String::from_utf8(clear.to_vec()).map_err(|_| SealError::Malformed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

    #[test]
    fn round_trip_with_fresh_nonces() {
        let sealer = PasswordSealer::from_hex(KEY).unwrap();
        let a = sealer.seal("cust-1", "s3cret pass").unwrap();
        let b = sealer.seal("cust-1", "s3cret pass").unwrap();
        assert_ne!(a, b, "each seal uses a new nonce");
        assert!(!a.contains("s3cret"));
        assert_eq!(sealer.open("cust-1", &a).unwrap(), "s3cret pass");
        assert_eq!(sealer.open("cust-1", &b).unwrap(), "s3cret pass");
    }

    #[test]
    fn bound_to_customer_and_key() {
        let sealer = PasswordSealer::from_hex(KEY).unwrap();
        let sealed = sealer.seal("cust-1", "pw").unwrap();
        assert_eq!(sealer.open("cust-2", &sealed), Err(SealError::WrongKey));
        let other = PasswordSealer::from_bytes(&[7; 32]).unwrap();
        assert_eq!(other.open("cust-1", &sealed), Err(SealError::WrongKey));
    }

    #[test]
    fn malformed_values_and_keys_are_refused() {
        let sealer = PasswordSealer::from_hex(KEY).unwrap();
        for bad in ["", "pw", "v1:zz:00", "v2:00:00", "v1:0011:00", "v1:a:b:c"] {
            assert_eq!(sealer.open("c", bad), Err(SealError::Malformed), "{bad}");
        }
        assert_eq!(
            PasswordSealer::from_hex("abcd").unwrap_err(),
            SealError::BadKey
        );
        assert!(format!("{sealer:?}").contains("***"));
    }
}
