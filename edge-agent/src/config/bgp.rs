//! `[devices.bgp]`: the BGP daemon netops changes peerings on (FRR through vtysh, BIRD 2
//! through birdc and a directory of netops stanzas), how its control program is reached (a
//! local process, optionally in a network namespace, or the device's SSH login), and how long
//! a change may take to show.

use std::path::PathBuf;
use std::time::Duration;

use netops_bgp::{AsNumber, BgpRouter, BgpTimers, BirdRouter, ChangeOptions, FrrRouter};

use super::actions::CommandSettings;
use super::file::{BgpSection, BgpTimersSection};
use super::validate::Problems;

/// How the agent reaches one router's BGP daemon.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BgpAccess {
    pub router: BgpRouter,
    pub shell: BgpShell,
    /// The post-check's deadline and poll interval.
    pub options: ChangeOptions,
    /// Bounds each vtysh or birdc run.
    pub command_timeout: Duration,
}

/// Where the daemon's control program runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BgpShell {
    /// A process on the agent's host, inside this network namespace when one is named.
    Local { netns: Option<String> },
    /// Over the device's `[devices.ssh]` login.
    Ssh,
}

const DEFAULT_POST_CHECK_S: u64 = 60;
const DEFAULT_REVERT_AFTER_S: u64 = 120;
const DEFAULT_COMMAND_TIMEOUT_S: u64 = 30;

fn netns_name_is_valid(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && !name.starts_with(['.', '-'])
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c))
}

/// A control program with its fixed options; a problem when a word is empty.
fn program(
    problems: &mut Problems,
    key: String,
    words: Option<Vec<String>>,
    default: &str,
) -> Vec<String> {
    let words = words.unwrap_or_else(|| vec![default.to_owned()]);
    if words.is_empty()
        || words
            .iter()
            .any(|w| w.trim().is_empty() || w.contains('\0'))
    {
        problems.add(
            key,
            "has an empty word",
            format!("write the program and its options, e.g. [\"{default}\"]"),
        );
    }
    words
}

fn timers(problems: &mut Problems, key: String, section: BgpTimersSection) -> Option<BgpTimers> {
    match (section.keepalive_s, section.hold_s, section.connect_retry_s) {
        (Some(keepalive_s), Some(hold_s), Some(connect_retry_s))
            if keepalive_s >= 1 && hold_s >= 3 && keepalive_s < hold_s && connect_retry_s >= 1 =>
        {
            Some(BgpTimers {
                keepalive_s,
                hold_s,
                connect_retry_s,
            })
        }
        (Some(_), Some(_), Some(_)) => {
            problems.add(
                key,
                "keepalive_s must be at least 1 and below hold_s, hold_s at least 3, connect_retry_s at least 1",
                "use e.g. timers = { keepalive_s = 30, hold_s = 90, connect_retry_s = 10 }",
            );
            None
        }
        _ => {
            problems.add(
                key,
                "needs keepalive_s, hold_s and connect_retry_s together",
                "give all three, or remove timers to keep the daemon's defaults",
            );
            None
        }
    }
}

/// The device's BGP access. `commands` bounds the post-check: it must end, with time to
/// confirm or roll back, before the command's own deadline.
pub(super) fn bgp_access(
    problems: &mut Problems,
    key: &str,
    section: BgpSection,
    commands: &CommandSettings,
) -> Option<BgpAccess> {
    let before = problems.len();
    let local_as = match section.local_as {
        Some(asn) if (1..=u64::from(u32::MAX - 1)).contains(&asn) => {
            Some(AsNumber(u32::try_from(asn).unwrap_or_default()))
        }
        Some(asn) => {
            problems.add(
                format!("{key}.local_as"),
                format!("{asn} is not an AS number"),
                "use the router's own AS, 1 to 4294967294",
            );
            None
        }
        None => {
            problems.add(
                format!("{key}.local_as"),
                "is missing",
                "set the router's own AS, e.g. local_as = 65001",
            );
            None
        }
    };
    let timers = section
        .timers
        .and_then(|t| timers(problems, format!("{key}.timers"), t));
    let bounded =
        |problems: &mut Problems, name: &str, value, default, range: (u64, u64)| match value {
            None => default,
            Some(value) if (range.0..=range.1).contains(&value) => value,
            Some(value) => {
                problems.add(
                    format!("{key}.{name}"),
                    format!("{value} is outside {}..={}", range.0, range.1),
                    format!("use e.g. {name} = {default}"),
                );
                default
            }
        };
    let post_check_s = bounded(
        problems,
        "post_check_deadline_s",
        section.post_check_deadline_s,
        DEFAULT_POST_CHECK_S,
        (1, 600),
    );
    let poll_interval_ms = bounded(
        problems,
        "poll_interval_ms",
        section.poll_interval_ms,
        1000,
        (50, 10_000),
    );
    let command_timeout_s = bounded(
        problems,
        "command_timeout_s",
        section.command_timeout_s,
        DEFAULT_COMMAND_TIMEOUT_S,
        (1, 300),
    );
    let needed_s = post_check_s + 2 * command_timeout_s;
    if needed_s > commands.bgp_peer_deadline.as_secs() {
        problems.add(
            format!("{key}.post_check_deadline_s"),
            format!(
                "{post_check_s} s plus two command timeouts ({command_timeout_s} s each) is longer than commands.bgp_peer_deadline_s ({} s)",
                commands.bgp_peer_deadline.as_secs()
            ),
            "shorten the post-check or raise commands.bgp_peer_deadline_s, so a failed change is rolled back before the command's deadline",
        );
    }
    let shell = match (section.shell.as_deref(), section.netns) {
        (None | Some("local"), netns) => {
            if let Some(name) = netns.as_deref().filter(|n| !netns_name_is_valid(n)) {
                problems.add(
                    format!("{key}.netns"),
                    format!("{name:?} is not a network namespace name"),
                    "use the name `ip netns list` shows (letters, digits, `_`, `.`, `-`)",
                );
            }
            BgpShell::Local { netns }
        }
        (Some("ssh"), None) => BgpShell::Ssh,
        (Some("ssh"), Some(_)) => {
            problems.add(
                format!("{key}.netns"),
                "is only used with shell = \"local\"",
                "remove it; over SSH the router's own shell is used",
            );
            BgpShell::Ssh
        }
        (Some(other), _) => {
            problems.add(
                format!("{key}.shell"),
                format!("unknown shell {other:?}"),
                "use \"local\" (vtysh/birdc on this host) or \"ssh\" (over [devices.ssh])",
            );
            BgpShell::Ssh
        }
    };
    let misplaced = |problems: &mut Problems, name: &str, given: bool, daemon: &str| {
        if given {
            problems.add(
                format!("{key}.{name}"),
                format!("is not used with daemon = \"{daemon}\""),
                "remove it",
            );
        }
    };
    let router = match section.daemon.as_deref() {
        Some("frr") => {
            misplaced(problems, "birdc", section.birdc.is_some(), "frr");
            misplaced(problems, "peers_dir", section.peers_dir.is_some(), "frr");
            misplaced(
                problems,
                "revert_after_s",
                section.revert_after_s.is_some(),
                "frr",
            );
            let vtysh = program(problems, format!("{key}.vtysh"), section.vtysh, "vtysh");
            local_as.map(|local_as| {
                BgpRouter::Frr(FrrRouter {
                    vtysh,
                    local_as,
                    timers,
                    save_after_confirm: section.save_after_confirm.unwrap_or(true),
                })
            })
        }
        Some("bird") => {
            misplaced(problems, "vtysh", section.vtysh.is_some(), "bird");
            misplaced(
                problems,
                "save_after_confirm",
                section.save_after_confirm.is_some(),
                "bird",
            );
            let birdc = program(problems, format!("{key}.birdc"), section.birdc, "birdc");
            let peers_dir = match section.peers_dir {
                Some(dir) if PathBuf::from(&dir).is_absolute() => Some(PathBuf::from(dir)),
                Some(dir) => {
                    problems.add(
                        format!("{key}.peers_dir"),
                        format!("{dir:?} is not an absolute path"),
                        "give the directory bird.conf includes (include \"/etc/bird/netops/*.conf\";) as an absolute path",
                    );
                    None
                }
                None => {
                    problems.add(
                        format!("{key}.peers_dir"),
                        "is missing",
                        "set the directory bird.conf includes for netops neighbors, e.g. peers_dir = \"/etc/bird/netops\"",
                    );
                    None
                }
            };
            let revert_after_s = section.revert_after_s.unwrap_or(DEFAULT_REVERT_AFTER_S);
            if revert_after_s <= post_check_s || revert_after_s > 3600 {
                problems.add(
                    format!("{key}.revert_after_s"),
                    format!("{revert_after_s} must be above post_check_deadline_s ({post_check_s}) and at most 3600"),
                    "BIRD reverts an unconfirmed change after this long, so it must outlast the post-check",
                );
            }
            match (local_as, peers_dir) {
                (Some(local_as), Some(peers_dir)) => Some(BgpRouter::Bird(BirdRouter {
                    birdc,
                    peers_dir,
                    local_as,
                    timers,
                    revert_after: Duration::from_secs(revert_after_s),
                })),
                _ => None,
            }
        }
        Some(other) => {
            problems.add(
                format!("{key}.daemon"),
                format!("unknown daemon {other:?}"),
                "use daemon = \"frr\" or daemon = \"bird\" (BIRD 2)",
            );
            None
        }
        None => {
            problems.add(
                format!("{key}.daemon"),
                "is missing",
                "set daemon = \"frr\" or daemon = \"bird\" (BIRD 2)",
            );
            None
        }
    };
    if problems.len() != before {
        return None;
    }
    Some(BgpAccess {
        router: router?,
        shell,
        options: ChangeOptions {
            post_check_deadline: Duration::from_secs(post_check_s),
            poll_interval: Duration::from_millis(poll_interval_ms),
        },
        command_timeout: Duration::from_secs(command_timeout_s),
    })
}
