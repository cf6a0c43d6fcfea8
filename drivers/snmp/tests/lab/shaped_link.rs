//! Test helper: two network namespaces joined by a veth pair, one end shaped with `tc` to a known
//! rate, UDP traffic sent across with iperf3. The device namespace is where snmpd runs and
//! reports the veth end as one of its interfaces. The iperf3 server's JSON report (what it
//! received, in quarter seconds) is kept, so a test can compare with what actually crossed
//! rather than the nominal rate. Everything is removed on drop.

use std::fs::File;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

/// Addresses of the two ends; they exist only inside the namespaces.
pub const DEVICE_ADDRESS: &str = "10.213.0.1";
pub const FAR_ADDRESS: &str = "10.213.0.2";
const IPERF_PORT: &str = "5201";
/// The UDP payload of each datagram iperf3 sends.
pub const DATAGRAM_PAYLOAD_OCTETS: u32 = 1_400;
/// What the interface counters (and the shaper) count on top of each payload: Ethernet (14),
/// IPv4 (20) and UDP (8) headers.
pub const FRAME_OVERHEAD_OCTETS: u32 = 42;

/// One end of the link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The namespace snmpd runs in.
    Device,
    /// The other end: a subscriber's equipment, or a traffic source.
    Far,
}

pub struct ShapedLink {
    pub device_ns: String,
    pub far_ns: String,
    pub device_veth: String,
    pub far_veth: String,
    children: Vec<Child>,
    /// The iperf3 server of the last `send_udp`, its JSON report file and when the client
    /// was started (the report's times count from the test start, shortly after).
    receiver: Option<(Child, PathBuf, SystemTime)>,
}

/// What the iperf3 server received, as its JSON report tells it.
#[derive(Debug)]
pub struct ReceivedTraffic {
    /// The report as written by `iperf3 -J`.
    pub json: String,
    /// When the client was started; the report's interval times count from a moment at most
    /// a connection set-up later.
    pub client_started: SystemTime,
}

impl Drop for ShapedLink {
    fn drop(&mut self) {
        for child in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
        if let Some((mut server, report, _)) = self.receiver.take() {
            let _ = server.kill();
            let _ = server.wait();
            let _ = std::fs::remove_file(report);
        }
        for ns in [&self.device_ns, &self.far_ns] {
            let _ = Command::new("ip").args(["netns", "del", ns]).output();
        }
    }
}

fn run(args: &[&str]) {
    let output = Command::new(args[0])
        .args(&args[1..])
        .output()
        .unwrap_or_else(|error| panic!("{args:?}: {error}"));
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Why the link (with snmpd in it) cannot be built here, if it cannot.
pub fn link_missing() -> Option<String> {
    if let Some(reason) = super::snmpd_missing().or_else(super::netns_missing) {
        return Some(reason);
    }
    for tool in ["iperf3", "tc"] {
        if !super::tool_exists(tool) {
            return Some(format!(
                "{tool} is not installed (apt-get install -y iperf3 iproute2)"
            ));
        }
    }
    None
}

impl ShapedLink {
    /// Creates the namespaces and the veth pair `{tag}a{id}` (device end) and `{tag}b{id}`,
    /// addressed and up. `tag` keeps names of different tests apart; at most 4 characters, so
    /// the names fit Linux's 15.
    pub fn create(tag: &str) -> Self {
        assert!(tag.len() <= 4, "tag {tag:?} is longer than 4 characters");
        let id = std::process::id() % 100_000;
        let link = ShapedLink {
            device_ns: format!("netops-{tag}-dev-{id}"),
            far_ns: format!("netops-{tag}-far-{id}"),
            device_veth: format!("{tag}a{id}"),
            far_veth: format!("{tag}b{id}"),
            children: Vec::new(),
            receiver: None,
        };
        run(&["ip", "netns", "add", &link.device_ns]);
        run(&["ip", "netns", "add", &link.far_ns]);
        run(&[
            "ip",
            "link",
            "add",
            &link.device_veth,
            "netns",
            &link.device_ns,
            "type",
            "veth",
            "peer",
            "name",
            &link.far_veth,
            "netns",
            &link.far_ns,
        ]);
        for side in [Side::Device, Side::Far] {
            let (ns, veth, address) = link.end(side);
            run(&[
                "ip",
                "-n",
                ns,
                "addr",
                "add",
                &format!("{address}/30"),
                "dev",
                veth,
            ]);
            run(&["ip", "-n", ns, "link", "set", "lo", "up"]);
            run(&["ip", "-n", ns, "link", "set", veth, "up"]);
        }
        link
    }

    fn end(&self, side: Side) -> (&str, &str, &str) {
        match side {
            Side::Device => (&self.device_ns, &self.device_veth, DEVICE_ADDRESS),
            Side::Far => (&self.far_ns, &self.far_veth, FAR_ADDRESS),
        }
    }

    /// Shapes everything leaving `side`'s veth to exactly `rate` (tc syntax, e.g. `20mbit`).
    /// The queue holds a second of traffic, so a sender that stalls briefly on a busy machine
    /// does not leave the link idle.
    pub fn shape(&self, side: Side, rate: &str) {
        let (ns, veth, _) = self.end(side);
        run(&[
            "ip", "netns", "exec", ns, "tc", "qdisc", "add", "dev", veth, "root", "tbf", "rate",
            rate, "burst", "32kb", "latency", "1s",
        ]);
    }

    /// Sends UDP from `from` to the other end at `offered` (iperf3 syntax, e.g. `40M`) for a
    /// bounded `seconds`; offering more than the shaped rate keeps the shaper full. The
    /// receiving server reports in JSON every quarter second (`received`).
    pub fn send_udp(&mut self, from: Side, offered: &str, seconds: u32) {
        let to = match from {
            Side::Device => Side::Far,
            Side::Far => Side::Device,
        };
        let (server_ns, _, server_address) = self.end(to);
        let (server_ns, server_address) = (server_ns.to_owned(), server_address.to_owned());
        let report = std::env::temp_dir().join(format!("{server_ns}-iperf3.json"));
        let server = Command::new("ip")
            .args(["netns", "exec", &server_ns, "iperf3", "-s", "-1", "-J"])
            .args(["-i", "0.25", "-B", &server_address, "-p", IPERF_PORT])
            .stdout(File::create(&report).expect("iperf3 report file"))
            .stderr(Stdio::null())
            .spawn()
            .expect("iperf3 server");
        self.wait_listening(&server_ns);
        let (client_ns, _, _) = self.end(from);
        let client_started = SystemTime::now();
        let client = Command::new("ip")
            .args(["netns", "exec", client_ns, "iperf3", "-c", &server_address])
            .args(["-p", IPERF_PORT, "-u", "-b", offered, "-l"])
            .arg(DATAGRAM_PAYLOAD_OCTETS.to_string())
            .args(["-t", &seconds.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("iperf3 client");
        self.children.push(client);
        self.receiver = Some((server, report, client_started));
    }

    /// Waits (at most `limit`) for the last `send_udp` to end and returns the server's report.
    pub fn received(&mut self, limit: Duration) -> ReceivedTraffic {
        let (server, report, client_started) =
            self.receiver.as_mut().expect("send_udp started a server");
        let deadline = Instant::now() + limit;
        while server.try_wait().expect("iperf3 server status").is_none() {
            assert!(
                Instant::now() < deadline,
                "iperf3 server did not end within {limit:?}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        ReceivedTraffic {
            json: std::fs::read_to_string(report).expect("iperf3 report"),
            client_started: *client_started,
        }
    }

    /// Waits (at most 5 s) until the iperf3 server in `ns` accepts connections.
    fn wait_listening(&self, ns: &str) {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let listening = Command::new("ip")
                .args(["netns", "exec", ns, "ss", "-Hltn"])
                .arg(format!("sport = :{IPERF_PORT}"))
                .output()
                .is_ok_and(|output| !output.stdout.is_empty());
            if listening {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "iperf3 server in {ns} not listening within 5 s"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Octets `side`'s veth has sent so far, from the kernel's interface statistics.
    pub fn sent_octets(&self, side: Side) -> u64 {
        let (ns, veth, _) = self.end(side);
        let output = Command::new("ip")
            .args(["netns", "exec", ns, "cat"])
            .arg(format!("/sys/class/net/{veth}/statistics/tx_bytes"))
            .output()
            .expect("read interface statistics");
        String::from_utf8_lossy(&output.stdout)
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("tx_bytes of {veth}: {output:?}"))
    }

    /// Waits (at most `limit`) until `side`'s veth has sent `octets` more than when called:
    /// the traffic is flowing and the shaper is full.
    pub fn wait_for_traffic(&self, side: Side, octets: u64, limit: Duration) {
        let start = self.sent_octets(side);
        let deadline = Instant::now() + limit;
        while self.sent_octets(side) < start + octets {
            assert!(
                Instant::now() < deadline,
                "fewer than {octets} octets left {side:?} within {limit:?}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}
