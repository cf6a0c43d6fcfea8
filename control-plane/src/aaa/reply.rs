//! The answer to an Access-Request: accept with check and reply items from the subscriber's
//! package, status and expiry, accept into the walled garden, or reject.

use std::net::Ipv4Addr;

use time::{Date, OffsetDateTime};

use super::expiry::{expiry_instant, seconds_until};
use super::settings::{AaaSettings, LapsedAction};
use crate::domain::{CustomerStatus, SpeedUnit};

/// A package's speeds as the BRAS enforces them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PackageSpeed {
    pub download_kbps: i64,
    pub upload_kbps: i64,
}

impl PackageSpeed {
    pub fn from_package(download: i64, upload: i64, unit: SpeedUnit) -> Self {
        let factor = match unit {
            SpeedUnit::Kbps => 1,
            SpeedUnit::Mbps => 1_000,
            SpeedUnit::Gbps => 1_000_000,
        };
        Self {
            download_kbps: download.saturating_mul(factor),
            upload_kbps: upload.saturating_mul(factor),
        }
    }
}

/// What the store knows of a subscriber, for authorization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PppoeSubscriber {
    pub status: CustomerStatus,
    pub expiry_date: Option<Date>,
    pub package: Option<PackageSpeed>,
    /// The clear-text password, opened from the store; `None` when none is set.
    pub password: Option<String>,
    pub static_ip: Option<Ipv4Addr>,
}

/// Why the subscriber may not connect at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RejectReason {
    NoPassword,
    NoPackage,
    Inactive,
    Suspended,
    Expired,
}

impl RejectReason {
    /// The `Reply-Message` of the Access-Reject (some CPEs show it).
    pub fn message(self) -> &'static str {
        match self {
            Self::NoPassword => "PPPoE account not set up",
            Self::NoPackage => "no package on this account",
            Self::Inactive => "account closed",
            Self::Suspended => "account suspended",
            Self::Expired => "account expired; please renew",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::NoPassword => "no-password",
            Self::NoPackage => "no-package",
            Self::Inactive => "inactive",
            Self::Suspended => "suspended",
            Self::Expired => "expired",
        }
    }
}

/// Where an accepted session lands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccessKind {
    Normal,
    WalledGarden(RejectReason),
}

/// The items of an Access-Accept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessProfile {
    pub kind: AccessKind,
    /// `control:Cleartext-Password`, checked by FreeRADIUS's pap or chap module.
    pub cleartext_password: String,
    /// The rate attribute's name and value.
    pub rate: (String, String),
    pub framed_ip: Option<Ipv4Addr>,
    pub framed_pool: Option<String>,
    pub session_timeout_secs: Option<u32>,
    pub acct_interim_interval_secs: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthorizeOutcome {
    Accept(AccessProfile),
    Reject(RejectReason),
}

/// Decides the answer for `subscriber` at `now` under the ISP's settings.
pub fn authorize(
    subscriber: &PppoeSubscriber,
    settings: &AaaSettings,
    now: OffsetDateTime,
) -> AuthorizeOutcome {
    let Some(password) = subscriber.password.clone() else {
        return AuthorizeOutcome::Reject(RejectReason::NoPassword);
    };
    let expires_at = subscriber
        .expiry_date
        .map(|date| expiry_instant(date, settings.utc_offset));
    let remaining_secs = expires_at.map(|at| seconds_until(now, at));
    let lapsed = match subscriber.status {
        CustomerStatus::Inactive => return AuthorizeOutcome::Reject(RejectReason::Inactive),
        CustomerStatus::Suspended => Some((RejectReason::Suspended, settings.suspended)),
        CustomerStatus::Active => match remaining_secs {
            Some(None) => Some((RejectReason::Expired, settings.expired)),
            _ => None,
        },
    };
    match lapsed {
        Some((reason, LapsedAction::Reject)) => AuthorizeOutcome::Reject(reason),
        Some((reason, LapsedAction::WalledGarden)) => {
            let garden = &settings.walled_garden;
            AuthorizeOutcome::Accept(AccessProfile {
                kind: AccessKind::WalledGarden(reason),
                cleartext_password: password,
                rate: (settings.rate_attribute.clone(), garden.rate.clone()),
                framed_ip: None,
                framed_pool: Some(garden.pool.clone()),
                session_timeout_secs: Some(garden.session_timeout_secs),
                acct_interim_interval_secs: settings.interim_interval_secs,
            })
        }
        None => {
            let Some(speed) = subscriber.package else {
                return AuthorizeOutcome::Reject(RejectReason::NoPackage);
            };
            AuthorizeOutcome::Accept(AccessProfile {
                kind: AccessKind::Normal,
                cleartext_password: password,
                rate: (
                    settings.rate_attribute.clone(),
                    settings
                        .rate_template
                        .render(speed.upload_kbps, speed.download_kbps),
                ),
                framed_ip: subscriber.static_ip,
                framed_pool: None,
                session_timeout_secs: remaining_secs.flatten(),
                acct_interim_interval_secs: settings.interim_interval_secs,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aaa::settings::RateTemplate;
    use time::macros::{date, datetime, offset};

    const NOW: OffsetDateTime = datetime!(2026-02-15 17:59:00 UTC);

    fn premium() -> PppoeSubscriber {
        PppoeSubscriber {
            status: CustomerStatus::Active,
            expiry_date: Some(date!(2026 - 03 - 15)),
            package: Some(PackageSpeed::from_package(50, 25, SpeedUnit::Mbps)),
            password: Some("pw".to_owned()),
            static_ip: None,
        }
    }

    fn settings() -> AaaSettings {
        AaaSettings {
            utc_offset: offset!(+6),
            ..AaaSettings::default()
        }
    }

    fn accept(outcome: AuthorizeOutcome) -> AccessProfile {
        match outcome {
            AuthorizeOutcome::Accept(profile) => profile,
            other => panic!("expected accept, got {other:?}"),
        }
    }

    #[test]
    fn active_subscriber_gets_the_package_rate_up_slash_down() {
        let profile = accept(authorize(&premium(), &settings(), NOW));
        assert_eq!(profile.kind, AccessKind::Normal);
        assert_eq!(profile.cleartext_password, "pw");
        assert_eq!(
            profile.rate,
            ("Mikrotik-Rate-Limit".to_owned(), "25000k/50000k".to_owned())
        );
        assert_eq!(profile.acct_interim_interval_secs, 300);
        assert_eq!(profile.framed_pool, None);
        // 2026-03-15 ends at 2026-03-16T00:00+06:00 = 2026-03-15T18:00Z.
        assert_eq!(
            profile.session_timeout_secs,
            Some(28 * 86_400 + 60),
            "28 days and one minute"
        );
    }

    #[test]
    fn expiry_today_ends_the_session_at_local_midnight() {
        let subscriber = PppoeSubscriber {
            expiry_date: Some(date!(2026 - 02 - 15)),
            ..premium()
        };
        let profile = accept(authorize(&subscriber, &settings(), NOW));
        assert_eq!(profile.session_timeout_secs, Some(60));
    }

    #[test]
    fn static_ip_and_other_vendors() {
        let subscriber = PppoeSubscriber {
            static_ip: Some(Ipv4Addr::new(100, 64, 1, 5)),
            expiry_date: None,
            ..premium()
        };
        let settings = AaaSettings {
            rate_attribute: "Filter-Id".to_owned(),
            rate_template: RateTemplate::parse("rate-{download_kbps}").unwrap(),
            ..settings()
        };
        let profile = accept(authorize(&subscriber, &settings, NOW));
        assert_eq!(profile.framed_ip, Some(Ipv4Addr::new(100, 64, 1, 5)));
        assert_eq!(
            profile.rate,
            ("Filter-Id".to_owned(), "rate-50000".to_owned())
        );
        assert_eq!(profile.session_timeout_secs, None);
    }

    #[test]
    fn lapsed_subscribers_follow_the_isp_policy() {
        let expired = PppoeSubscriber {
            expiry_date: Some(date!(2026 - 02 - 14)),
            ..premium()
        };
        let suspended = PppoeSubscriber {
            status: CustomerStatus::Suspended,
            ..premium()
        };
        let reject = settings();
        assert_eq!(
            authorize(&expired, &reject, NOW),
            AuthorizeOutcome::Reject(RejectReason::Expired)
        );
        assert_eq!(
            authorize(&suspended, &reject, NOW),
            AuthorizeOutcome::Reject(RejectReason::Suspended)
        );
        let garden = AaaSettings {
            expired: LapsedAction::WalledGarden,
            suspended: LapsedAction::WalledGarden,
            ..settings()
        };
        for (subscriber, reason) in [
            (&expired, RejectReason::Expired),
            (&suspended, RejectReason::Suspended),
        ] {
            let profile = accept(authorize(subscriber, &garden, NOW));
            assert_eq!(profile.kind, AccessKind::WalledGarden(reason));
            assert_eq!(profile.framed_pool.as_deref(), Some("walled-garden"));
            assert_eq!(profile.rate.1, "512k/512k");
            assert_eq!(profile.framed_ip, None, "no static address in the garden");
            assert_eq!(profile.session_timeout_secs, Some(900));
        }
    }

    #[test]
    fn expiry_instant_itself_is_expired() {
        let subscriber = PppoeSubscriber {
            expiry_date: Some(date!(2026 - 02 - 15)),
            ..premium()
        };
        assert_eq!(
            authorize(&subscriber, &settings(), datetime!(2026-02-15 18:00 UTC)),
            AuthorizeOutcome::Reject(RejectReason::Expired)
        );
    }

    #[test]
    fn always_rejected() {
        let check = |subscriber: PppoeSubscriber, reason: RejectReason| {
            let garden = AaaSettings {
                expired: LapsedAction::WalledGarden,
                suspended: LapsedAction::WalledGarden,
                ..settings()
            };
            assert_eq!(
                authorize(&subscriber, &garden, NOW),
                AuthorizeOutcome::Reject(reason)
            );
        };
        check(
            PppoeSubscriber {
                password: None,
                ..premium()
            },
            RejectReason::NoPassword,
        );
        check(
            PppoeSubscriber {
                package: None,
                ..premium()
            },
            RejectReason::NoPackage,
        );
        check(
            PppoeSubscriber {
                status: CustomerStatus::Inactive,
                ..premium()
            },
            RejectReason::Inactive,
        );
    }
}
