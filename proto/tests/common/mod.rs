//! Sample frames and a hex decoder shared by the protocol's integration tests.

// Each test binary uses a different subset of these functions.
#![allow(dead_code)]

use std::net::{IpAddr, Ipv4Addr};

use proto::{
    Ack, AgentToken, BgpPeerChange, Command, CommandId, CommandKind, CommandResult, CommandState,
    CommandTarget, Device, DeviceKind, Frame, Hello, HelloAck, IndexedSampleEntry, IndexedSamples,
    Interface, Inventory, OnuOptics, OnuStatus, Optics, Ping, PonPort, Pong, SampleEntry, Samples,
    SessionChange, SessionEvent, SubscriberKey, SubscriberKeys,
};

pub fn onu_key() -> SubscriberKey {
    SubscriberKey::Onu {
        olt: "olt1".into(),
        pon: PonPort {
            frame: 0,
            slot: 1,
            port: 2,
        },
        onu_id: 7,
    }
}

pub fn command_id() -> CommandId {
    CommandId::from_bytes([0xAB; 16])
}

pub fn hello() -> Frame {
    Frame::Hello(Hello {
        protocol_version: 1,
        agent_id: "pop1".into(),
        agent_version: "0.1".into(),
        token: AgentToken::new("tk"),
    })
}

pub fn hello_ack() -> Frame {
    Frame::HelloAck(HelloAck {
        accepted_version: 1,
        server_time_ms: 1_700_000_000_000,
    })
}

pub fn inventory() -> Frame {
    Frame::Inventory(Inventory {
        devices: vec![Device {
            device_id: "bras1".into(),
            kind: DeviceKind::Bras,
            profile: "mikrotik".into(),
            management_address: "10.0.0.1".into(),
        }],
        interfaces: vec![Interface {
            device_id: "bras1".into(),
            if_index: 15,
            if_name: "<pppoe-bob>".into(),
            speed_bps: None,
        }],
        subscriber_keys: vec![
            SubscriberKey::PppoeUsername("bob".into()),
            SubscriberKey::Port {
                device: "sw1".into(),
                if_name: "ge1".into(),
            },
        ],
    })
}

pub fn samples() -> Frame {
    Frame::Samples(Samples {
        batch_seq: 300,
        timestamp_ms: 1_700_000_000_000,
        entries: vec![SampleEntry {
            subscriber_key: SubscriberKey::PppoeUsername("bob".into()),
            rx_bps: 50_000_000,
            tx_bps: 1_000,
            rx_octets_total: 1 << 40,
            tx_octets_total: 0,
        }],
    })
}

pub fn subscriber_keys() -> Frame {
    Frame::SubscriberKeys(SubscriberKeys {
        first_index: 300,
        keys: vec![SubscriberKey::PppoeUsername("bob".into()), onu_key()],
    })
}

pub fn indexed_samples() -> Frame {
    Frame::IndexedSamples(IndexedSamples {
        batch_seq: 300,
        timestamp_ms: 1_700_000_000_000,
        entries: vec![
            IndexedSampleEntry {
                subscriber_index: 300,
                rx_bps: 50_000_000,
                tx_bps: 1_000,
                rx_octets_total: 1 << 40,
                tx_octets_total: 0,
            },
            IndexedSampleEntry {
                subscriber_index: 301,
                rx_bps: 0,
                tx_bps: 0,
                rx_octets_total: 0,
                tx_octets_total: 0,
            },
        ],
    })
}

pub fn optics() -> Frame {
    Frame::Optics(Optics {
        device_id: "olt1".into(),
        timestamp_ms: 1_700_000_000_000,
        readings: vec![OnuOptics {
            subscriber_key: onu_key(),
            status: OnuStatus::Online,
            rx_power_dbm: Some(-23.19),
            tx_power_dbm: Some(2.5),
            olt_rx_power_dbm: None,
            temperature_c: None,
            serial: Some("HWTC0001".into()),
            name: None,
        }],
    })
}

pub fn session_event() -> Frame {
    Frame::SessionEvent(SessionEvent {
        timestamp_ms: 1_700_000_000_000,
        device_id: "bras1".into(),
        subscriber_key: SubscriberKey::PppoeUsername("bob".into()),
        change: SessionChange::Ended {
            cause: Some("lcp".into()),
        },
        framed_ip: Some(IpAddr::V4(Ipv4Addr::new(100, 64, 0, 9))),
    })
}

pub fn command() -> Frame {
    Frame::Command(Command {
        command_id: command_id(),
        target: CommandTarget {
            device_id: "olt1".into(),
            subscriber_key: Some(onu_key()),
        },
        kind: CommandKind::RebootOnu,
    })
}

pub fn command_change_speed() -> Frame {
    Frame::Command(Command {
        command_id: command_id(),
        target: CommandTarget {
            device_id: "bras1".into(),
            subscriber_key: None,
        },
        kind: CommandKind::ChangeSpeed {
            download_bps: 50_000_000,
            upload_bps: 10_000_000,
        },
    })
}

pub fn command_bgp() -> Frame {
    Frame::Command(Command {
        command_id: command_id(),
        target: CommandTarget {
            device_id: "edge1".into(),
            subscriber_key: None,
        },
        kind: CommandKind::BgpPeer {
            peer_ip: IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1)),
            change: BgpPeerChange::Add {
                remote_asn: 64_512,
                max_prefixes: None,
                import_policy: None,
                export_policy: None,
            },
            dry_run: false,
        },
    })
}

pub fn command_bgp_policy_dry_run() -> Frame {
    Frame::Command(Command {
        command_id: command_id(),
        target: CommandTarget {
            device_id: "edge1".into(),
            subscriber_key: None,
        },
        kind: CommandKind::BgpPeer {
            peer_ip: IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1)),
            change: BgpPeerChange::SetPolicy {
                import_policy: Some("IN".into()),
                export_policy: None,
            },
            dry_run: true,
        },
    })
}

pub fn command_result_rolled_back() -> Frame {
    Frame::CommandResult(CommandResult {
        command_id: command_id(),
        state: CommandState::RolledBack,
        detail: "as".into(),
    })
}

pub fn command_result() -> Frame {
    Frame::CommandResult(CommandResult {
        command_id: command_id(),
        state: CommandState::Succeeded,
        detail: "ok".into(),
    })
}

pub fn ack() -> Frame {
    Frame::Ack(Ack {
        up_to_batch_seq: 300,
    })
}

pub fn ping() -> Frame {
    Frame::Ping(Ping { nonce: 42 })
}

pub fn pong() -> Frame {
    Frame::Pong(Pong { nonce: 42 })
}

/// Bytes from space-separated hex pairs, so fixtures read like a packet dump.
pub fn hex(text: &str) -> Vec<u8> {
    text.split_whitespace()
        .map(|pair| {
            u8::from_str_radix(pair, 16).unwrap_or_else(|_| panic!("bad hex pair {pair:?}"))
        })
        .collect()
}
