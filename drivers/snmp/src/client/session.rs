//! `SnmpSession`: one device's SNMP client on the shared socket, with its timeout, retries
//! and GETBULK size.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use async_snmp::{Auth, Client, Retry, UdpHandle, UsmConfig};

use super::convert::{from_wire_oid, map_error, to_wire_oid};
use super::credentials::SnmpCredentials;
use super::{SharedTransport, SnmpError};
use crate::Oid;

/// Where and how to reach one device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnmpTarget {
    /// `host`, `host:port` or `[v6]:port`; the port defaults to 161.
    pub address: String,
    pub credentials: SnmpCredentials,
    /// Per attempt.
    pub timeout: Duration,
    /// Extra attempts after the first times out.
    pub retries: u32,
    /// GETBULK max-repetitions; 25 (snmp_exporter's default) unless the device needs less.
    pub max_repetitions: u32,
}

impl SnmpTarget {
    pub const DEFAULT_MAX_REPETITIONS: u32 = 25;
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_millis(1000);
    pub const DEFAULT_RETRIES: u32 = 1;
}

/// A device's SNMP client. Cheap to clone; clones share request ids and the socket.
#[derive(Clone)]
pub struct SnmpSession {
    client: Client<UdpHandle>,
    target: SnmpTarget,
    /// GETBULK max-repetitions in use: the configured value, lowered when the device
    /// answers large requests with an error.
    bulk_size: Arc<AtomicU32>,
}

impl std::fmt::Debug for SnmpSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SnmpSession")
            .field("target", &self.target)
            .finish_non_exhaustive()
    }
}

impl SnmpSession {
    /// Resolves the address and prepares the client; sends nothing (SNMPv3 engine discovery
    /// happens with the first request).
    pub async fn open(target: SnmpTarget, transport: &SharedTransport) -> Result<Self, SnmpError> {
        let setup = |detail: String| SnmpError::Setup {
            target: target.address.clone(),
            detail,
        };
        let auth = auth_for(&target.credentials).map_err(setup)?;
        let retry = Retry::fixed(target.retries, Duration::ZERO)
            .map_err(|error| setup(format!("retries: {error}")))?;
        let client = Client::builder(target.address.clone(), auth)
            .request_timeout(target.timeout)
            .retry(retry)
            .construction_timeout(Duration::from_secs(5))
            .build_with(transport.udp())
            .await
            .map_err(|error| setup(error.to_string()))?;
        let bulk_size = Arc::new(AtomicU32::new(target.max_repetitions.max(1)));
        Ok(Self {
            client,
            target,
            bulk_size,
        })
    }

    pub fn target(&self) -> &SnmpTarget {
        &self.target
    }

    /// The GETBULK max-repetitions this device currently gets.
    pub fn bulk_size(&self) -> u32 {
        self.bulk_size.load(Ordering::Relaxed)
    }

    /// Halves the GETBULK size after the device refused a large request; `false` at 1.
    pub(crate) fn shrink_bulk_size(&self) -> bool {
        let current = self.bulk_size();
        if current <= 1 {
            return false;
        }
        self.bulk_size.store(current / 2, Ordering::Relaxed);
        true
    }

    /// The name errors use: the configured address and the resolved socket address.
    pub fn peer(&self) -> String {
        format!("{} ({})", self.target.address, self.client.peer_addr())
    }

    /// GET of several scalars; exceptions (noSuchObject, …) stay in the returned values.
    pub async fn get(&self, oids: &[Oid]) -> Result<Vec<(Oid, async_snmp::Value)>, SnmpError> {
        let wire: Vec<async_snmp::Oid> = oids.iter().map(to_wire_oid).collect();
        let response = self
            .client
            .get_many(&wire)
            .await
            .map_err(|error| map_error(&error, &self.target))?;
        Ok(response
            .varbinds
            .into_iter()
            .map(|varbind| (from_wire_oid(&varbind.oid), varbind.value))
            .collect())
    }

    /// One SET of INTEGER values, all varbinds in a single atomic request (e.g. an ONU reboot).
    pub async fn set_integers(&self, varbinds: &[(Oid, i64)]) -> Result<(), SnmpError> {
        let mut wire = Vec::with_capacity(varbinds.len());
        for (oid, value) in varbinds {
            let value = i32::try_from(*value).map_err(|_| SnmpError::Setup {
                target: self.peer(),
                detail: format!("{oid}: {value} does not fit an SNMP INTEGER"),
            })?;
            wire.push((to_wire_oid(oid), async_snmp::Value::Integer(value)));
        }
        self.client
            .set_many(&wire)
            .await
            .map_err(|error| map_error(&error, &self.target))?;
        Ok(())
    }

    /// One GETBULK request.
    pub async fn get_bulk(
        &self,
        oids: &[Oid],
        non_repeaters: u32,
        max_repetitions: u32,
    ) -> Result<Vec<(Oid, async_snmp::Value)>, SnmpError> {
        let varbinds = self
            .get_bulk_wire(oids, non_repeaters, max_repetitions)
            .await?;
        Ok(varbinds
            .into_iter()
            .map(|varbind| (from_wire_oid(&varbind.oid), varbind.value))
            .collect())
    }

    /// GETBULK with the varbinds as decoded, for table walks that read OIDs without copying.
    pub(crate) async fn get_bulk_wire(
        &self,
        oids: &[Oid],
        non_repeaters: u32,
        max_repetitions: u32,
    ) -> Result<Vec<async_snmp::VarBind>, SnmpError> {
        let wire: Vec<async_snmp::Oid> = oids.iter().map(to_wire_oid).collect();
        self.client
            .get_bulk(&wire, non_repeaters, max_repetitions)
            .await
            .map_err(|error| map_error(&error, &self.target))
    }
}

fn auth_for(credentials: &SnmpCredentials) -> Result<Auth, String> {
    match credentials {
        SnmpCredentials::V2c { community } => Ok(Auth::v2c(community.expose_secret().to_owned())),
        SnmpCredentials::V3(v3) => UsmConfig::new(v3.user.clone().into_bytes())
            .auth_priv(
                v3.auth_protocol,
                v3.auth_password.expose_secret(),
                v3.priv_protocol,
                v3.priv_password.expose_secret(),
            )
            .map(Auth::from)
            .map_err(|error| format!("SNMPv3 user {:?}: {error}", v3.user)),
    }
}
