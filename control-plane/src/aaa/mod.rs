//! AAA for PPPoE subscribers behind FreeRADIUS: what to answer an Access-Request (reply items
//! from the customer's package, status and expiry), how accounting packets move a session, the
//! octet arithmetic of gigawords, and the sealing of PPPoE passwords: pure logic that the store
//! (`store/sessions.rs`) and the HTTP endpoints (`http/radius/`) call into. `runtime.rs` loads
//! the keys at start; `pppoe_logins.rs` (the login table authorize answers from),
//! `stale_sweep.rs` and `auth_log.rs` (batched authentication results) run in the background.

pub mod accounting;
pub mod auth_log;
pub mod expiry;
pub mod octets;
pub mod password_seal;
pub mod pppoe_logins;
pub mod reply;
pub mod runtime;
pub mod settings;
pub mod stale_sweep;

pub use password_seal::PasswordSealer;
pub use runtime::AaaRuntime;
pub use settings::AaaSettings;
