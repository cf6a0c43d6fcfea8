//! Checks a parsed profile file completely and builds the `Profile`, collecting every problem.

mod onu;

use std::time::Duration;

use super::matching::MatchRule;
use super::schema::{CountersFile, MatchFile, PollFile, ProfileFile, SimpleQueuesFile};
use super::{CounterOids, OctetColumns, PollCadence, Problem, Profile, SimpleQueueOids};
use crate::Oid;

/// Problems found so far; checks keep going after the first one.
#[derive(Default)]
struct Problems(Vec<Problem>);

impl Problems {
    fn add(&mut self, key: &str, message: impl Into<String>, hint: impl Into<String>) {
        self.0.push(Problem {
            key: key.to_owned(),
            message: message.into(),
            hint: hint.into(),
        });
    }

    fn oid(&mut self, key: &str, text: &str) -> Option<Oid> {
        match text.parse() {
            Ok(oid) => Some(oid),
            Err(_) => {
                self.add(
                    key,
                    format!("{text:?} is not an OID"),
                    "write dotted numbers such as 1.3.6.1.2.1.31.1.1.1.6",
                );
                None
            }
        }
    }
}

pub(super) fn validate(file: ProfileFile) -> Result<Profile, Vec<Problem>> {
    let mut problems = Problems::default();
    check_name(&mut problems, &file.name);
    if file.vendor.trim().is_empty() {
        problems.add(
            "vendor",
            "vendor is empty",
            "name the manufacturer, e.g. \"Huawei\"",
        );
    }
    let match_rule = match_rule(&mut problems, file.match_rule);
    let cadence = cadence(&mut problems, &file.poll);
    let counters = counters(&mut problems, file.counters);
    let simple_queues = file
        .simple_queues
        .map(|queues| simple_queues(&mut problems, queues));
    let onu = file.onu.map(|onu| onu::onu_profile(&mut problems, onu));
    match (
        counters,
        simple_queues.flatten(),
        onu.flatten(),
        problems.0.is_empty(),
    ) {
        (Some(counters), simple_queues, onu, true) => Ok(Profile {
            name: file.name,
            vendor: file.vendor,
            models: file.models,
            match_rule,
            cadence,
            counters,
            simple_queues,
            onu,
        }),
        _ => Err(problems.0),
    }
}

fn check_name(problems: &mut Problems, name: &str) {
    let valid = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !valid {
        problems.add(
            "name",
            format!("{name:?} is not a profile name"),
            "use lower-case letters, digits and dashes, e.g. \"huawei-ma56xx-gpon\"",
        );
    }
}

fn match_rule(problems: &mut Problems, file: MatchFile) -> MatchRule {
    if file.sys_object_id_prefixes.is_empty() && file.sys_descr_contains.is_empty() {
        problems.add(
            "match",
            "no match criterion",
            "list sys_object_id_prefixes, sys_descr_contains or both",
        );
    }
    if file
        .sys_descr_contains
        .iter()
        .any(|needle| needle.is_empty())
    {
        problems.add(
            "match.sys_descr_contains",
            "an empty substring matches every device",
            "remove the empty string",
        );
    }
    let sys_object_id_prefixes = file
        .sys_object_id_prefixes
        .iter()
        .filter_map(|text| problems.oid("match.sys_object_id_prefixes", text))
        .collect();
    MatchRule {
        sys_object_id_prefixes,
        sys_descr_contains: file.sys_descr_contains,
    }
}

fn cadence(problems: &mut Problems, file: &PollFile) -> PollCadence {
    let mut seconds = |key: &str, value: Option<u64>, default: u64| {
        let value = value.unwrap_or(default);
        if value == 0 {
            problems.add(
                key,
                "interval is 0",
                "give a whole number of seconds of at least 1",
            );
        }
        value
    };
    let counters = seconds(
        "poll.counters_interval_s",
        file.counters_interval_s,
        PollCadence::DEFAULT_COUNTERS_S,
    );
    let optics = seconds(
        "poll.optics_interval_s",
        file.optics_interval_s,
        PollCadence::DEFAULT_OPTICS_S,
    );
    let fast_optics = seconds(
        "poll.fast_optics_interval_s",
        file.fast_optics_interval_s,
        PollCadence::DEFAULT_FAST_OPTICS_S,
    );
    if fast_optics > optics {
        problems.add(
            "poll.fast_optics_interval_s",
            format!("fast optics interval {fast_optics} s is slower than the optics interval {optics} s"),
            "make it at most optics_interval_s",
        );
    }
    PollCadence {
        counters: Duration::from_secs(counters),
        optics: Duration::from_secs(optics),
        fast_optics: Duration::from_secs(fast_optics),
    }
}

fn counters(problems: &mut Problems, file: CountersFile) -> Option<CounterOids> {
    let if_name = problems.oid("counters.if_name", &file.if_name);
    let octets_64 = octet_pair(problems, "64", file.in_octets_64, file.out_octets_64);
    let octets_32 = octet_pair(problems, "32", file.in_octets_32, file.out_octets_32);
    if matches!((&octets_64, &octets_32), (Ok(None), Ok(None))) {
        problems.add(
            "counters",
            "no octet counters",
            "give in_octets_64/out_octets_64 (ifHCInOctets/ifHCOutOctets), in_octets_32/out_octets_32 or both",
        );
    }
    let optional = |problems: &mut Problems, key: &str, text: Option<String>| match text {
        Some(text) => problems.oid(key, &text).ok_or(()).map(Some),
        None => Ok(None),
    };
    let high_speed_mbps = optional(problems, "counters.high_speed_mbps", file.high_speed_mbps);
    let discontinuity_time = optional(
        problems,
        "counters.discontinuity_time",
        file.discontinuity_time,
    );
    Some(CounterOids {
        if_name: if_name?,
        octets_64: octets_64.ok()?,
        octets_32: octets_32.ok()?,
        high_speed_mbps: high_speed_mbps.ok()?,
        discontinuity_time: discontinuity_time.ok()?,
    })
}

fn octet_pair(
    problems: &mut Problems,
    width: &str,
    in_octets: Option<String>,
    out_octets: Option<String>,
) -> Result<Option<OctetColumns>, ()> {
    let in_key = format!("counters.in_octets_{width}");
    let out_key = format!("counters.out_octets_{width}");
    match (in_octets, out_octets) {
        (None, None) => Ok(None),
        (Some(in_octets), Some(out_octets)) => {
            let in_octets = problems.oid(&in_key, &in_octets);
            let out_octets = problems.oid(&out_key, &out_octets);
            match (in_octets, out_octets) {
                (Some(in_octets), Some(out_octets)) => Ok(Some(OctetColumns {
                    in_octets,
                    out_octets,
                })),
                _ => Err(()),
            }
        }
        (Some(_), None) => {
            problems.add(
                &out_key,
                "missing while its in_octets is given",
                "give both directions or neither",
            );
            Err(())
        }
        (None, Some(_)) => {
            problems.add(
                &in_key,
                "missing while its out_octets is given",
                "give both directions or neither",
            );
            Err(())
        }
    }
}

fn simple_queues(problems: &mut Problems, file: SimpleQueuesFile) -> Option<SimpleQueueOids> {
    let name = problems.oid("simple_queues.name", &file.name);
    let interface = problems.oid("simple_queues.interface", &file.interface);
    let bytes_in = problems.oid("simple_queues.bytes_in", &file.bytes_in);
    let bytes_out = problems.oid("simple_queues.bytes_out", &file.bytes_out);
    Some(SimpleQueueOids {
        name: name?,
        interface: interface?,
        bytes_in: bytes_in?,
        bytes_out: bytes_out?,
    })
}
