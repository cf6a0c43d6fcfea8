//! `SharedTransport`: one UDP socket that every device session of an agent sends through.

use async_snmp::UdpTransport;

use super::SnmpError;

/// One UDP socket for many devices; async-snmp correlates responses by request id (v2c) or
/// message id (v3), so thousands of devices need one file descriptor.
#[derive(Clone)]
pub struct SharedTransport {
    udp: UdpTransport,
}

impl SharedTransport {
    /// Binds `0.0.0.0:0` (IPv4 devices) or `[::]:0` when `ipv6` is set.
    pub async fn bind(ipv6: bool) -> Result<Self, SnmpError> {
        let local = if ipv6 { "[::]:0" } else { "0.0.0.0:0" };
        let udp = UdpTransport::bind(local)
            .await
            .map_err(|error| SnmpError::Setup {
                target: local.to_owned(),
                detail: error.to_string(),
            })?;
        Ok(Self { udp })
    }

    pub(crate) fn udp(&self) -> &UdpTransport {
        &self.udp
    }

    pub fn local_addr(&self) -> std::net::SocketAddr {
        self.udp.local_addr()
    }
}
