//! Closed sets of values stored as text: statuses, kinds, roles and units.

/// A text value outside its closed set.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field} must be one of: {allowed}")]
pub struct UnknownValue {
    pub field: &'static str,
    pub allowed: &'static str,
}

macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident, $field:literal, { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }

            pub fn parse(text: &str) -> Result<Self, UnknownValue> {
                match text {
                    $($text => Ok($name::$variant),)+
                    _ => Err(UnknownValue {
                        field: $field,
                        allowed: concat!($($text, " "),+).trim_ascii_end(),
                    }),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

text_enum!(
    /// What a customer API key may do: `read` every `GET` of the customer API, `devices` the
    /// device actions, `billing` payments and recharges, `support` opening and answering tickets.
    ApiKeyScope, "scope", {
    Read => "read",
    Devices => "devices",
    Billing => "billing",
    Support => "support",
});

text_enum!(
    /// Whether a subscriber's service runs.
    CustomerStatus, "status", {
    Active => "active",
    Suspended => "suspended",
    Inactive => "inactive",
});

text_enum!(
    /// The kind of product a package sells (seed 000).
    PackageType, "type", {
    Internet => "internet",
    Voice => "voice",
    Recurring => "recurring",
    Bundle => "bundle",
});

text_enum!(
    /// The unit of a package's download and upload speed.
    SpeedUnit, "speed_unit", {
    Kbps => "kbps",
    Mbps => "mbps",
    Gbps => "gbps",
});

text_enum!(
    /// What a staff account may do.
    StaffRole, "role", {
    Admin => "admin",
    Noc => "noc",
    Billing => "billing",
    Support => "support",
});

text_enum!(
    /// A bill's payment state, as in the seed.
    BillStatus, "status", {
    Paid => "paid",
    Unpaid => "unpaid",
    Partial => "partial",
    Overdue => "overdue",
});

text_enum!(
    /// Online payment methods a subscriber can choose (seed 001).
    PaymentMethod, "payment_method", {
    Bkash => "bkash",
    Nagad => "nagad",
    Rocket => "rocket",
    Card => "card",
});

text_enum!(
    /// A support ticket's category (seed 001).
    TicketCategory, "category", {
    Connectivity => "connectivity",
    Billing => "billing",
    Package => "package",
    Other => "other",
});

text_enum!(
    /// A support ticket's state (seed 004).
    TicketStatus, "status", {
    Open => "open",
    InProgress => "in-progress",
    Resolved => "resolved",
    Closed => "closed",
});

text_enum!(
    /// Where a subscriber's package-change request stands (seed 001).
    PackageChangeStatus, "status", {
    Pending => "pending",
    Approved => "approved",
    Rejected => "rejected",
    Cancelled => "cancelled",
});

text_enum!(
    /// A support ticket's priority.
    TicketPriority, "priority", {
    Low => "low",
    Normal => "normal",
    High => "high",
    Urgent => "urgent",
});

text_enum!(
    /// An action on a device.
    CommandKind, "kind", {
    RebootRouter => "reboot_router",
    RebootOnu => "reboot_onu",
    Disconnect => "disconnect",
    ChangeSpeed => "change_speed",
    BgpPeerChange => "bgp_peer_change",
    FastPollOptics => "fast_poll_optics",
});

text_enum!(
    /// Where a device command is in its life.
    CommandState, "state", {
    Queued => "queued",
    Sent => "sent",
    Running => "running",
    Succeeded => "succeeded",
    Failed => "failed",
    RolledBack => "rolled_back",
    Expired => "expired",
});

text_enum!(
    /// What a network device is in the ISP's network.
    DeviceKind, "kind", {
    Olt => "olt",
    Bras => "bras",
    Router => "router",
    Switch => "switch",
    Cpe => "cpe",
});

text_enum!(
    /// The bandwidth history window a chart asks for.
    BandwidthPeriod, "period", {
    Hour => "1h",
    Day => "24h",
    Week => "7d",
    Month => "30d",
});

text_enum!(
    /// Where an ONU's receive level stands against the optics thresholds (`[optics]`).
    OpticsLevel, "level", {
    Normal => "normal",
    Weak => "weak",
    Critical => "critical",
    Overload => "overload",
    Offline => "offline",
});

text_enum!(
    /// The ONU optics history window a subscriber's chart asks for.
    OpticsPeriod, "period", {
    Day => "24h",
    Week => "7d",
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_round_trips() {
        for status in CustomerStatus::ALL {
            assert_eq!(CustomerStatus::parse(status.as_str()), Ok(*status));
        }
        for state in CommandState::ALL {
            assert_eq!(CommandState::parse(state.as_str()), Ok(*state));
        }
    }

    #[test]
    fn unknown_values_list_the_allowed_ones() {
        let err = BillStatus::parse("PAID").unwrap_err();
        assert_eq!(
            err.to_string(),
            "status must be one of: paid unpaid partial overdue"
        );
    }
}
