//! Domain values with their validation rules: money, identifiers, statuses, dates and BGP
//! peering changes.

pub mod bgp_peering;
pub mod bgp_peering_count;
pub mod enums;
pub mod ids;
pub mod money;
pub mod time;

pub use enums::*;
pub use ids::{CustomerCode, Email, InterfaceName, MacAddress, Phone, PppoeUsername};
pub use money::{Money, MoneyError};
