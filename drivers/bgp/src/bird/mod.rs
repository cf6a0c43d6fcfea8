//! BIRD 2: change plans as netops-managed protocol stanzas in an included directory, applied
//! with `birdc configure timeout` (BIRD reverts by itself unless confirmed), and the neighbor
//! state from `birdc show protocols all NAME`.

mod plan;
pub mod stanza;
pub mod status;

pub use plan::plan;
pub use stanza::{protocol_name, stanza_path, PeerStanza};
pub use status::{parse_show_protocols, status_command};
