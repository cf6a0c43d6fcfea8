//! Who is calling: JWTs for customers and staff, password hashing, and abuse limits.

pub mod api_keys;
pub mod limits;
pub mod password;
pub mod tokens;

pub use limits::{LoginGuard, RateLimiter};
pub use tokens::{Claims, Principal, TokenError, TokenKeys};
