//! `[[payments.gateways]]`: the redirect gateways an ISP configures, one table each, checked
//! with every problem reported at once. The secret stays in its file until the server starts.

use std::path::PathBuf;

use serde::Deserialize;

use super::redirect::AmountUnit;

/// One configured redirect gateway, its secret still in `secret_file`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedirectGatewaySettings {
    pub name: String,
    pub redirect_url: String,
    pub secret_file: PathBuf,
    pub signature_header: String,
    pub payment_id_field: String,
    pub status_field: String,
    pub amount_field: String,
    pub transaction_id_field: String,
    pub amount_unit: AmountUnit,
    pub completed_value: String,
    pub cancelled_value: String,
}

/// The `[payments]` table of the file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FilePayments {
    #[serde(default)]
    gateways: Vec<FileRedirectGateway>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileRedirectGateway {
    name: String,
    redirect_url: String,
    secret_file: PathBuf,
    #[serde(default = "default_signature_header")]
    signature_header: String,
    #[serde(default = "default_payment_id_field")]
    payment_id_field: String,
    #[serde(default = "default_status_field")]
    status_field: String,
    #[serde(default = "default_amount_field")]
    amount_field: String,
    #[serde(default = "default_transaction_id_field")]
    transaction_id_field: String,
    /// `major` (1000.50) or `minor` (100050).
    #[serde(default = "default_amount_unit")]
    amount_unit: String,
    #[serde(default = "default_completed")]
    completed_value: String,
    #[serde(default = "default_cancelled")]
    cancelled_value: String,
}

fn default_signature_header() -> String {
    "X-Signature".to_owned()
}
fn default_payment_id_field() -> String {
    "payment_id".to_owned()
}
fn default_status_field() -> String {
    "status".to_owned()
}
fn default_amount_field() -> String {
    "amount".to_owned()
}
fn default_transaction_id_field() -> String {
    "transaction_id".to_owned()
}
fn default_amount_unit() -> String {
    "major".to_owned()
}
fn default_completed() -> String {
    "completed".to_owned()
}
fn default_cancelled() -> String {
    "cancelled".to_owned()
}

/// Whether `name` can be a gateway's name (it is a URL path segment).
pub fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 32
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        && name != "sandbox"
        && name != "none"
}

/// Checks the file's gateways; `at` names a key for error messages.
pub fn apply_file(
    gateways: &mut Vec<RedirectGatewaySettings>,
    file: FilePayments,
    at: &dyn Fn(&str) -> String,
    problems: &mut Vec<String>,
) {
    for (index, g) in file.gateways.into_iter().enumerate() {
        let key = |field: &str| at(&format!("payments.gateways[{index}].{field}"));
        if !valid_name(&g.name) {
            problems.push(format!(
                "{}: '{}' must be 1 to 32 of a-z, 0-9, - and _ (and not none or sandbox)",
                key("name"),
                g.name
            ));
        }
        if gateways.iter().any(|other| other.name == g.name) {
            problems.push(format!("{}: '{}' is configured twice", key("name"), g.name));
        }
        if !g.redirect_url.starts_with("https://") && !g.redirect_url.starts_with("http://") {
            problems.push(format!(
                "{}: must start with https:// (http:// only for a lab)",
                key("redirect_url")
            ));
        }
        let amount_unit = match g.amount_unit.as_str() {
            "major" => AmountUnit::Major,
            "minor" => AmountUnit::Minor,
            other => {
                problems.push(format!(
                    "{}: '{other}' is not a unit; use major (1000.50) or minor (100050)",
                    key("amount_unit")
                ));
                AmountUnit::Major
            }
        };
        gateways.push(RedirectGatewaySettings {
            name: g.name,
            redirect_url: g.redirect_url,
            secret_file: g.secret_file,
            signature_header: g.signature_header,
            payment_id_field: g.payment_id_field,
            status_field: g.status_field,
            amount_field: g.amount_field,
            transaction_id_field: g.transaction_id_field,
            amount_unit,
            completed_value: g.completed_value,
            cancelled_value: g.cancelled_value,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(text: &str) -> (Vec<RedirectGatewaySettings>, Vec<String>) {
        let file: FilePayments = toml::from_str(text).unwrap();
        let mut gateways = Vec::new();
        let mut problems = Vec::new();
        apply_file(&mut gateways, file, &|k| k.to_owned(), &mut problems);
        (gateways, problems)
    }

    #[test]
    fn gateways_are_read_with_defaults() {
        let (gateways, problems) = apply(
            "[[gateways]]\nname = \"bkash\"\nredirect_url = \"https://pay.example/{payment_id}\"\n\
             secret_file = \"/etc/netops/bkash.key\"\namount_field = \"amt\"\namount_unit = \"minor\"",
        );
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(gateways[0].name, "bkash");
        assert_eq!(gateways[0].amount_field, "amt");
        assert_eq!(gateways[0].amount_unit, AmountUnit::Minor);
        assert_eq!(gateways[0].signature_header, "X-Signature");
        assert_eq!(gateways[0].completed_value, "completed");
    }

    #[test]
    fn every_problem_is_reported() {
        let (_, problems) = apply(
            "[[gateways]]\nname = \"Bad Name\"\nredirect_url = \"ftp://x\"\nsecret_file = \"k\"\n\
             amount_unit = \"cents\"\n\
             [[gateways]]\nname = \"Bad Name\"\nredirect_url = \"https://x\"\nsecret_file = \"k\"",
        );
        assert_eq!(problems.len(), 5, "{problems:?}");
    }
}
