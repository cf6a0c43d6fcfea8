//! Agents' `Inventory` frames: what each agent polls (devices, their interfaces). A frame is
//! checked against `[inventory]` limits (`limits`, `report`), compared with what is stored
//! (`diff`) and stored as the agent's current inventory (`apply`, `store::inventory`);
//! `matching` says which staff-configured device a reported one is.

pub mod apply;
pub mod diff;
pub mod limits;
pub mod matching;
pub mod report;

pub use limits::InventoryLimits;
pub use report::InventoryError;
