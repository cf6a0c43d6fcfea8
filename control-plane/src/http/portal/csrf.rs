//! Anti-forgery tokens for the portals' forms and script requests: an HMAC of the session's
//! token (or, before login, of a nonce kept in a cookie), checked in constant time.

use ring::hmac;

/// The token a form for this session must carry.
pub fn token_for(key: &hmac::Key, session: &str) -> String {
    hex::encode(hmac::sign(key, session.as_bytes()).as_ref())
}

/// Whether `presented` is this session's token.
pub fn is_valid(key: &hmac::Key, session: &str, presented: &str) -> bool {
    match hex::decode(presented.trim()) {
        Ok(tag) => hmac::verify(key, session.as_bytes(), &tag).is_ok(),
        Err(_) => false,
    }
}

/// A fresh nonce for a login form.
pub fn new_nonce() -> String {
    hex::encode(rand::random::<[u8; 16]>())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_bound_to_their_session_and_key() {
        let key = hmac::Key::new(hmac::HMAC_SHA256, b"one key");
        let other_key = hmac::Key::new(hmac::HMAC_SHA256, b"another key");
        let token = token_for(&key, "session-a");
        assert!(is_valid(&key, "session-a", &token));
        assert!(!is_valid(&key, "session-b", &token));
        assert!(!is_valid(&other_key, "session-a", &token));
        assert!(!is_valid(&key, "session-a", ""));
        assert!(!is_valid(&key, "session-a", "not hex"));
        assert!(!is_valid(&key, "session-a", &token[..32]));
    }
}
