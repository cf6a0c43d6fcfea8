//! API keys, staff (`nok_`) and customer (`nck_`): the prefix and 64 hex digits of randomness,
//! kept only as their SHA-256 (a key has 256 bits of entropy, so a fast hash is enough, unlike
//! a password). No I/O.

use sha2::{Digest, Sha256};

/// Every staff key starts with this, so a key is told from a login token at a glance.
pub const KEY_PREFIX: &str = "nok_";
/// Every customer key starts with this, so the two APIs tell their keys apart.
pub const CUSTOMER_KEY_PREFIX: &str = "nck_";
/// Characters of a key shown in lists (the prefix and 8 hex digits).
const SHOWN: usize = 12;

/// A new random staff key.
pub fn new_key() -> String {
    new_key_with(KEY_PREFIX)
}

/// A new random customer key.
pub fn new_customer_key() -> String {
    new_key_with(CUSTOMER_KEY_PREFIX)
}

fn new_key_with(prefix: &str) -> String {
    format!("{prefix}{}", hex::encode(rand::random::<[u8; 32]>()))
}

/// What the store keeps of a key.
pub fn key_hash(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

/// The start of a key, to tell keys apart in lists.
pub fn shown_prefix(key: &str) -> String {
    key.chars().take(SHOWN).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_random_hex_with_the_prefix() {
        let a = new_key();
        let b = new_key();
        assert_ne!(a, b);
        assert_eq!(a.len(), KEY_PREFIX.len() + 64);
        assert!(a[KEY_PREFIX.len()..].chars().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(shown_prefix(&a).len(), 12);
        let c = new_customer_key();
        assert!(c.starts_with(CUSTOMER_KEY_PREFIX) && c.len() == 68, "{c}");
        // sha256("abc"), from FIPS 180-2.
        assert_eq!(
            key_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
