//! Money on the wire: whole currency units as a JSON number, exactly as the seed shows.

use serde::{Serialize, Serializer};
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, Schema, SchemaFormat, Type};
use utoipa::openapi::RefOr;
use utoipa::{PartialSchema, ToSchema};

use crate::domain::Money;

/// An amount in currency units (e.g. `1000` or `999.5`), stored as integer minor units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Amount(pub Money);

impl Amount {
    pub fn minor(minor: i64) -> Self {
        Amount(Money::from_minor(minor))
    }
}

impl Serialize for Amount {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.to_json().serialize(serializer)
    }
}

impl PartialSchema for Amount {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::Number)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Double)))
            .description(Some(
                "Amount in currency units with at most two decimals; stored as integer minor units",
            ))
            .examples([serde_json::json!(1000)])
            .into()
    }
}

impl ToSchema for Amount {}

/// A rate in megabits per second, two decimals; whole values print as integers (`45`, `12.5`)
/// so clients that read the seed's integers keep working.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Mbps(pub f64);

impl Mbps {
    /// From bits per second.
    pub fn from_bps(bps: i64) -> Self {
        Mbps((bps as f64 / 10_000.0).round() / 100.0)
    }
}

impl Serialize for Mbps {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.0.fract() == 0.0 && self.0.abs() < 9.0e15 {
            serializer.serialize_i64(self.0 as i64)
        } else {
            serializer.serialize_f64(self.0)
        }
    }
}

impl PartialSchema for Mbps {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::Number)
            .description(Some("Megabits per second, at most two decimals"))
            .examples([serde_json::json!(45)])
            .into()
    }
}

impl ToSchema for Mbps {}
