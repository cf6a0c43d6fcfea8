//! A customer's billing terms (cycle, billing day, exemption from suspension) and the staff
//! change of them, checked from JSON values with every error reported at once. No I/O.

use serde_json::Value;

use super::cycle::MAX_BILLING_DAY;

/// How a customer is billed, as stored on `customers`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BillingTerms {
    /// `monthly` or `prepaid`.
    pub billing_cycle: String,
    /// Day of the month a monthly customer is billed (1 to 28).
    pub billing_day: i64,
    pub never_suspend: bool,
}

/// The fields a change sets; `None` keeps the current value.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TermsChange {
    pub billing_cycle: Option<Value>,
    pub billing_day: Option<Value>,
    pub never_suspend: Option<Value>,
}

/// Why a change was refused: one sentence per bad field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", .0.join("; "))]
pub struct TermsError(pub Vec<String>);

const CYCLES: &[&str] = &["monthly", "prepaid"];

impl TermsChange {
    /// The terms after the change. `prepaid_allowed` says whether the customer's package has
    /// validity days, without which a prepaid customer cannot be billed.
    pub fn apply(
        &self,
        current: &BillingTerms,
        prepaid_allowed: bool,
    ) -> Result<BillingTerms, TermsError> {
        let mut errors = Vec::new();
        if self.billing_cycle.is_none()
            && self.billing_day.is_none()
            && self.never_suspend.is_none()
        {
            errors.push("set at least one of billing_cycle, billing_day, never_suspend".to_owned());
        }
        let billing_cycle = match &self.billing_cycle {
            None => current.billing_cycle.clone(),
            Some(Value::String(text)) if CYCLES.contains(&text.as_str()) => text.clone(),
            Some(_) => {
                errors.push("billing_cycle must be \"monthly\" or \"prepaid\"".to_owned());
                current.billing_cycle.clone()
            }
        };
        let billing_day = match &self.billing_day {
            None => current.billing_day,
            Some(value) => match value.as_i64() {
                Some(day) if (1..=i64::from(MAX_BILLING_DAY)).contains(&day) => day,
                _ => {
                    errors.push(format!(
                        "billing_day must be a whole number from 1 to {MAX_BILLING_DAY} \
                         (later days are not in every month)"
                    ));
                    current.billing_day
                }
            },
        };
        let never_suspend = match &self.never_suspend {
            None => current.never_suspend,
            Some(Value::Bool(flag)) => *flag,
            Some(_) => {
                errors.push("never_suspend must be true or false".to_owned());
                current.never_suspend
            }
        };
        if self.billing_cycle.is_some() && billing_cycle == "prepaid" && !prepaid_allowed {
            errors.push(
                "billing_cycle prepaid needs the customer's package to have validity_days of \
                 at least 1; give the customer such a package first"
                    .to_owned(),
            );
        }
        if errors.is_empty() {
            Ok(BillingTerms {
                billing_cycle,
                billing_day,
                never_suspend,
            })
        } else {
            Err(TermsError(errors))
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn current() -> BillingTerms {
        BillingTerms {
            billing_cycle: "monthly".to_owned(),
            billing_day: 1,
            never_suspend: false,
        }
    }

    fn check(change: Value, prepaid_allowed: bool, expected: Result<(&str, i64, bool), &str>) {
        let field = |name: &str| change.get(name).cloned();
        let change = TermsChange {
            billing_cycle: field("billing_cycle"),
            billing_day: field("billing_day"),
            never_suspend: field("never_suspend"),
        };
        let got = change
            .apply(&current(), prepaid_allowed)
            .map_err(|e| e.to_string());
        let expected = expected
            .map(|(cycle, day, never)| BillingTerms {
                billing_cycle: cycle.to_owned(),
                billing_day: day,
                never_suspend: never,
            })
            .map_err(str::to_owned);
        assert_eq!(got, expected);
    }

    #[test]
    fn a_change_keeps_what_it_does_not_name() {
        check(
            json!({ "billing_day": 15 }),
            false,
            Ok(("monthly", 15, false)),
        );
        check(
            json!({ "never_suspend": true }),
            false,
            Ok(("monthly", 1, true)),
        );
        check(
            json!({ "billing_cycle": "prepaid", "billing_day": 28, "never_suspend": false }),
            true,
            Ok(("prepaid", 28, false)),
        );
    }

    #[test]
    fn bad_values_are_refused_all_at_once() {
        check(
            json!({}),
            true,
            Err("set at least one of billing_cycle, billing_day, never_suspend"),
        );
        check(
            json!({ "billing_cycle": "weekly", "billing_day": 29, "never_suspend": "yes" }),
            true,
            Err(
                "billing_cycle must be \"monthly\" or \"prepaid\"; billing_day must be a whole \
                 number from 1 to 28 (later days are not in every month); never_suspend must be \
                 true or false",
            ),
        );
        for day in [json!(0), json!(-3), json!(1.5), json!("5"), json!(null)] {
            let change = TermsChange {
                billing_day: Some(day.clone()),
                ..TermsChange::default()
            };
            assert!(change.apply(&current(), true).is_err(), "{day}");
        }
        check(
            json!({ "billing_cycle": "prepaid" }),
            false,
            Err(
                "billing_cycle prepaid needs the customer's package to have validity_days of \
                 at least 1; give the customer such a package first",
            ),
        );
    }
}
