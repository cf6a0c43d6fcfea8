//! What every action needs: the driver clients, profiles and settings, and a note of the step
//! it is on so a deadline can say where the command stood.

use std::sync::{Arc, Mutex};

use netops_radius::DacClient;
use netops_snmp::client::SharedTransport;
use netops_snmp::profile::ProfileSet;

use crate::config::CommandSettings;

/// Shared by every running command.
pub struct ActionContext {
    pub dac: DacClient,
    pub transport: SharedTransport,
    pub profiles: ProfileSet,
    pub settings: CommandSettings,
}

/// The step a command is on, in words, e.g. "waiting for the Disconnect-ACK".
#[derive(Clone, Default)]
pub struct Progress(Arc<Mutex<String>>);

impl Progress {
    pub fn set(&self, step: impl Into<String>) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = step.into();
    }

    pub fn get(&self) -> String {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}
