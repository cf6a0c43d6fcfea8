//! Agents' `Inventory` frames: what each agent polls (devices, their interfaces). From protocol
//! version 3 an inventory too large for one frame comes as `InventoryChunk`s, put together per
//! connection by `assembly` and then handled like one `Inventory`. A frame is
//! checked against `[inventory]` limits (`limits`, `report`), compared with what is stored
//! (`diff`) and stored as the agent's current inventory (`apply`, `store::inventory`);
//! `matching` says which staff-configured device a reported one is.

pub mod apply;
pub mod assembly;
pub mod diff;
pub mod limits;
pub mod matching;
pub mod report;

pub use assembly::{ChunkAssembly, ChunkError};
pub use limits::InventoryLimits;
pub use report::InventoryError;
