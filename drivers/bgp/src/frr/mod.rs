//! FRR: change plans as vtysh command batches with their inverses, and the neighbor state
//! from `show bgp neighbors IP json`.

mod plan;
pub mod status;

pub use plan::plan;
pub use status::{parse_neighbor_json, status_command};
