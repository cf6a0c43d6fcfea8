//! Staff CSV exports of bills and payments for a range of days (the ISP's days, `[aaa]
//! utc_offset`), for accounting.

use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use time::{Date, Time, UtcOffset};
use utoipa::IntoParams;

use super::billing::ROLES;
use crate::aaa::expiry::expiry_instant;
use crate::domain::time::{date_text, parse_date, timestamp_text};
use crate::http::csv::{attachment, table, Cell};
use crate::http::extract::{non_empty, ApiQuery};
use crate::http::principal::StaffAuth;
use crate::http::response::{ApiError, ErrorBody};
use crate::http::state::AppState;
use crate::store::exports::{TooManyRows, MAX_EXPORT_ROWS};

/// Longest range one export covers.
const MAX_RANGE_DAYS: i64 = 366;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RangeQuery {
    /// First day, `YYYY-MM-DD`.
    pub from: Option<String>,
    /// Last day, `YYYY-MM-DD`, included; at most 366 days after `from`.
    pub to: Option<String>,
}

/// The days of an export, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayRange {
    pub first: Date,
    pub last: Date,
}

/// Checks `from` and `to`, naming every problem.
pub fn day_range(from: Option<String>, to: Option<String>) -> Result<DayRange, String> {
    let mut problems = Vec::new();
    let mut day = |name: &str, value: Option<String>| match non_empty(value) {
        None => {
            problems.push(format!("{name} is required, a date like 2027-01-31"));
            None
        }
        Some(text) => {
            let parsed = parse_date(&text);
            if parsed.is_none() {
                problems.push(format!("{name} must be a date like 2027-01-31"));
            }
            parsed
        }
    };
    let first = day("from", from);
    let last = day("to", to);
    if let (Some(first), Some(last)) = (first, last) {
        if last < first {
            problems.push("to must not be before from".to_owned());
        } else if (last - first).whole_days() >= MAX_RANGE_DAYS {
            problems.push(format!(
                "a range covers at most {MAX_RANGE_DAYS} days; export a year at a time"
            ));
        } else {
            return Ok(DayRange { first, last });
        }
    }
    Err(problems.join("; "))
}

fn too_many(TooManyRows(rows): TooManyRows) -> ApiError {
    ApiError::bad_request(format!(
        "the range holds {rows} rows, more than {MAX_EXPORT_ROWS}; export a shorter range"
    ))
}

fn file_name(kind: &str, range: DayRange) -> String {
    format!(
        "{kind}-{}-to-{}.csv",
        date_text(range.first),
        date_text(range.last)
    )
}

#[utoipa::path(get, path = "/exports/bills.csv", tag = "admin", security(("bearer" = [])),
    params(RangeQuery),
    responses(
        (status = 200, description = "Bills dated in the range, oldest first; amounts in currency units with two places", content_type = "text/csv", body = String),
        (status = 400, description = "Missing or bad dates, or too long a range", body = ErrorBody),
        (status = 403, description = "Role may not do this", body = ErrorBody),
    ))]
pub async fn bills(
    State(state): State<AppState>,
    auth: StaffAuth,
    ApiQuery(q): ApiQuery<RangeQuery>,
) -> Result<Response, ApiError> {
    auth.require(ROLES)?;
    let range = day_range(q.from, q.to).map_err(ApiError::bad_request)?;
    let rows = state
        .store
        .bills_between(&date_text(range.first), &date_text(range.last))
        .await?
        .map_err(too_many)?;
    let body = table(
        &[
            "bill_number",
            "customer_code",
            "customer_name",
            "billing_month",
            "period_start",
            "period_end",
            "bill_date",
            "due_date",
            "amount",
            "discount",
            "tax",
            "total",
            "paid",
            "status",
            "paid_date",
        ],
        rows.into_iter().map(|b| {
            vec![
                Cell::text(b.bill_number),
                Cell::text(b.customer_code),
                Cell::text(b.customer_name),
                Cell::text(b.billing_month),
                Cell::optional(b.period_start.as_deref()),
                Cell::optional(b.period_end.as_deref()),
                Cell::text(b.bill_date),
                Cell::text(b.due_date),
                Cell::money(b.amount_minor),
                Cell::money(b.discount_minor),
                Cell::money(b.tax_minor),
                Cell::money(b.total_minor),
                Cell::money(b.paid_minor),
                Cell::text(b.status),
                Cell::optional(b.paid_date.as_deref()),
            ]
        }),
    );
    Ok(attachment(&file_name("bills", range), body))
}

/// The instants a range of the ISP's days covers: from its first midnight to the midnight
/// after its last day.
fn instants(range: DayRange, offset: UtcOffset) -> (String, String) {
    let from = range.first.with_time(Time::MIDNIGHT).assume_offset(offset);
    (
        timestamp_text(from),
        timestamp_text(expiry_instant(range.last, offset)),
    )
}

#[utoipa::path(get, path = "/exports/payments.csv", tag = "admin", security(("bearer" = [])),
    params(RangeQuery),
    responses(
        (status = 200, description = "Completed payments made in the range, oldest first; amounts in currency units with two places", content_type = "text/csv", body = String),
        (status = 400, description = "Missing or bad dates, or too long a range", body = ErrorBody),
        (status = 403, description = "Role may not do this", body = ErrorBody),
    ))]
pub async fn payments(
    State(state): State<AppState>,
    auth: StaffAuth,
    ApiQuery(q): ApiQuery<RangeQuery>,
) -> Result<Response, ApiError> {
    auth.require(ROLES)?;
    let range = day_range(q.from, q.to).map_err(ApiError::bad_request)?;
    let (from, until) = instants(range, state.aaa.settings.utc_offset);
    let rows = state
        .store
        .payments_between(&from, &until)
        .await?
        .map_err(too_many)?;
    let body = table(
        &[
            "payment_id",
            "payment_date",
            "customer_code",
            "customer_name",
            "amount",
            "payment_method",
            "purpose",
            "transaction_id",
            "notes",
        ],
        rows.into_iter().map(|p| {
            vec![
                Cell::text(p.id),
                Cell::optional(p.payment_date.as_deref()),
                Cell::text(p.customer_code),
                Cell::text(p.customer_name),
                Cell::money(p.amount_minor),
                Cell::text(p.payment_method),
                Cell::text(p.purpose),
                Cell::optional(p.transaction_id.as_deref()),
                Cell::optional(p.notes.as_deref()),
            ]
        }),
    );
    Ok(attachment(&file_name("payments", range), body))
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    fn check(from: Option<&str>, to: Option<&str>, expected: Result<DayRange, &str>) {
        let got = day_range(from.map(str::to_owned), to.map(str::to_owned));
        assert_eq!(got, expected.map_err(str::to_owned));
    }

    #[test]
    fn ranges() {
        let jan = DayRange {
            first: date!(2027 - 01 - 01),
            last: date!(2027 - 01 - 31),
        };
        check(Some("2027-01-01"), Some("2027-01-31"), Ok(jan));
        check(
            None,
            Some("31/01/2027"),
            Err("from is required, a date like 2027-01-31; to must be a date like 2027-01-31"),
        );
        check(
            Some("2027-02-01"),
            Some("2027-01-31"),
            Err("to must not be before from"),
        );
        check(
            Some("2026-01-01"),
            Some("2027-01-01"),
            Ok(DayRange {
                first: date!(2026 - 01 - 01),
                last: date!(2027 - 01 - 01),
            }),
        );
        check(
            Some("2026-01-01"),
            Some("2027-01-02"),
            Err("a range covers at most 366 days; export a year at a time"),
        );
    }

    #[test]
    fn payments_cover_the_isps_days() {
        let range = DayRange {
            first: date!(2027 - 01 - 01),
            last: date!(2027 - 01 - 31),
        };
        let dhaka = UtcOffset::from_hms(6, 0, 0).unwrap();
        assert_eq!(
            instants(range, dhaka),
            (
                "2026-12-31T18:00:00.000Z".to_owned(),
                "2027-01-31T18:00:00.000Z".to_owned()
            )
        );
    }
}
