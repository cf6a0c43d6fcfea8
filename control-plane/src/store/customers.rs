//! Customers (subscribers) and their attachment to the network: BRAS, OLT port and ONU, CPE,
//! or a port of a device.

use sqlx::any::AnyArguments;
use sqlx::query::QueryAs;
use sqlx::Any;

use super::{like_pattern, new_id, now_text, Page, Paged, Store, StoreError, StoreResult};

/// A customer as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CustomerRow {
    pub id: String,
    pub customer_code: String,
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
    pub status: String,
    pub pppoe_username: Option<String>,
    pub onu_mac: Option<String>,
    pub router_mac: Option<String>,
    pub pon_port: Option<String>,
    pub area_id: Option<String>,
    pub package_id: Option<String>,
    pub monthly_bill_minor: i64,
    pub due_amount_minor: i64,
    pub expiry_date: Option<String>,
    pub connection_date: Option<String>,
    pub bras_device_id: Option<String>,
    pub olt_device_id: Option<String>,
    pub onu_id: Option<i64>,
    pub cpe_device_id: Option<String>,
    pub port_device_id: Option<String>,
    pub port_if_name: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    /// `monthly` or `prepaid`.
    pub billing_cycle: String,
    /// Day of the month a monthly customer is billed (1 to 28).
    pub billing_day: i64,
    /// Money paid beyond every bill, used by the next bills.
    pub credit_minor: i64,
    /// 1 when the customer is never suspended for money due.
    pub never_suspend: i64,
}

/// Who a PPPoE username belongs to.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PppoeSubscriberRow {
    pub pppoe_username: String,
    pub customer_id: String,
    pub customer_code: String,
    pub name: String,
}

/// Every field staff set on a customer (create and full update).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CustomerFields {
    pub customer_code: String,
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
    pub status: String,
    pub pppoe_username: Option<String>,
    pub onu_mac: Option<String>,
    pub router_mac: Option<String>,
    pub pon_port: Option<String>,
    pub area_id: Option<String>,
    pub package_id: Option<String>,
    pub monthly_bill_minor: i64,
    pub due_amount_minor: i64,
    pub expiry_date: Option<String>,
    pub connection_date: Option<String>,
    pub bras_device_id: Option<String>,
    pub olt_device_id: Option<String>,
    pub onu_id: Option<i64>,
    pub cpe_device_id: Option<String>,
    /// The device whose port carries the customer's line (set with `port_if_name`).
    pub port_device_id: Option<String>,
    /// The port's ifName as the device reports it.
    pub port_if_name: Option<String>,
}

/// Filters of the staff customer list.
#[derive(Debug, Clone, Default)]
pub struct CustomerFilter {
    /// Matches name, customer code, phone or PPPoE username, anywhere in the text.
    pub search: Option<String>,
    pub status: Option<String>,
    pub area_id: Option<String>,
    pub package_id: Option<String>,
}

pub(super) const COLUMNS: &str =
    "id, customer_code, name, phone, email, address, status, pppoe_username, \
    onu_mac, router_mac, pon_port, area_id, package_id, monthly_bill_minor, due_amount_minor, \
    expiry_date, connection_date, bras_device_id, olt_device_id, onu_id, cpe_device_id, \
    port_device_id, port_if_name, created_at, updated_at, billing_cycle, billing_day, \
    credit_minor, never_suspend";

fn bind_fields<'q>(
    query: QueryAs<'q, Any, CustomerRow, AnyArguments<'q>>,
    f: &'q CustomerFields,
) -> QueryAs<'q, Any, CustomerRow, AnyArguments<'q>> {
    query
        .bind(&f.customer_code)
        .bind(&f.name)
        .bind(&f.phone)
        .bind(&f.email)
        .bind(&f.address)
        .bind(&f.status)
        .bind(&f.pppoe_username)
        .bind(&f.onu_mac)
        .bind(&f.router_mac)
        .bind(&f.pon_port)
        .bind(&f.area_id)
        .bind(&f.package_id)
        .bind(f.monthly_bill_minor)
        .bind(f.due_amount_minor)
        .bind(&f.expiry_date)
        .bind(&f.connection_date)
        .bind(&f.bras_device_id)
        .bind(&f.olt_device_id)
        .bind(f.onu_id)
        .bind(&f.cpe_device_id)
        .bind(&f.port_device_id)
        .bind(&f.port_if_name)
}

impl Store {
    pub async fn insert_customer(&self, fields: &CustomerFields) -> StoreResult<CustomerRow> {
        let now = now_text();
        let sql = format!(
            "INSERT INTO customers (customer_code, name, phone, email, address, status, \
             pppoe_username, onu_mac, router_mac, pon_port, area_id, package_id, \
             monthly_bill_minor, due_amount_minor, expiry_date, connection_date, bras_device_id, \
             olt_device_id, onu_id, cpe_device_id, port_device_id, port_if_name, id, created_at, \
             updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, \
             $18, $19, $20, $21, $22, $23, $24, $24) RETURNING {COLUMNS}"
        );
        let row = bind_fields(sqlx::query_as(&sql), fields)
            .bind(new_id())
            .bind(now)
            .fetch_one(self.pool())
            .await
            .map_err(|e| customer_write_error(e, fields))?;
        self.note_subscriber_change();
        Ok(row)
    }

    pub async fn update_customer(
        &self,
        id: &str,
        fields: &CustomerFields,
    ) -> StoreResult<CustomerRow> {
        let sql = format!(
            "UPDATE customers SET customer_code = $1, name = $2, phone = $3, email = $4, \
             address = $5, status = $6, pppoe_username = $7, onu_mac = $8, router_mac = $9, \
             pon_port = $10, area_id = $11, package_id = $12, monthly_bill_minor = $13, \
             due_amount_minor = $14, expiry_date = $15, connection_date = $16, \
             bras_device_id = $17, olt_device_id = $18, onu_id = $19, cpe_device_id = $20, \
             port_device_id = $21, port_if_name = $22, updated_at = $24 WHERE id = $23 \
             RETURNING {COLUMNS}"
        );
        let row = bind_fields(sqlx::query_as(&sql), fields)
            .bind(id)
            .bind(now_text())
            .fetch_optional(self.pool())
            .await
            .map_err(|e| customer_write_error(e, fields))?
            .ok_or(StoreError::NotFound)?;
        self.note_subscriber_change();
        Ok(row)
    }

    /// The contact fields a subscriber may change on their own profile.
    pub async fn update_customer_contact(
        &self,
        id: &str,
        phone: Option<&str>,
        email: Option<&str>,
        address: Option<&str>,
    ) -> StoreResult<CustomerRow> {
        let sql = format!(
            "UPDATE customers SET phone = COALESCE($1, phone), email = COALESCE($2, email), \
             address = COALESCE($3, address), updated_at = $4 WHERE id = $5 RETURNING {COLUMNS}"
        );
        sqlx::query_as(&sql)
            .bind(phone)
            .bind(email)
            .bind(address)
            .bind(now_text())
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// The customers holding these PPPoE usernames (unknown ones are left out).
    pub async fn customers_by_pppoe_usernames(
        &self,
        usernames: &[&str],
    ) -> StoreResult<Vec<PppoeSubscriberRow>> {
        let mut found = Vec::with_capacity(usernames.len());
        for chunk in usernames.chunks(100) {
            let placeholders: Vec<String> = (1..=chunk.len()).map(|n| format!("${n}")).collect();
            let sql = format!(
                "SELECT pppoe_username, id AS customer_id, customer_code, name FROM customers \
                 WHERE pppoe_username IN ({})",
                placeholders.join(", ")
            );
            let mut query = sqlx::query_as(&sql);
            for username in chunk {
                query = query.bind(*username);
            }
            found.extend(query.fetch_all(self.pool()).await?);
        }
        Ok(found)
    }

    pub async fn customer(&self, id: &str) -> StoreResult<CustomerRow> {
        let sql = format!("SELECT {COLUMNS} FROM customers WHERE id = $1");
        sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// The customer a subscriber logs in as: customer code plus PPPoE username or phone.
    pub async fn customer_for_login(
        &self,
        customer_code: &str,
        pppoe_username: Option<&str>,
        phone: Option<&str>,
    ) -> StoreResult<Option<CustomerRow>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM customers WHERE customer_code = $1 \
             AND (($2 IS NOT NULL AND pppoe_username = $2) OR ($3 IS NOT NULL AND phone = $3))"
        );
        Ok(sqlx::query_as(&sql)
            .bind(customer_code)
            .bind(pppoe_username)
            .bind(phone)
            .fetch_optional(self.pool())
            .await?)
    }

    pub async fn list_customers(
        &self,
        filter: &CustomerFilter,
        page: Page,
    ) -> StoreResult<Paged<CustomerRow>> {
        let search = filter.search.as_deref().map(like_pattern);
        let condition =
            "($1 IS NULL OR name LIKE $1 ESCAPE '\\' OR customer_code LIKE $1 ESCAPE '\\' \
             OR phone LIKE $1 ESCAPE '\\' OR pppoe_username LIKE $1 ESCAPE '\\') \
             AND ($2 IS NULL OR status = $2) AND ($3 IS NULL OR area_id = $3) \
             AND ($4 IS NULL OR package_id = $4)";
        let total: i64 =
            sqlx::query_scalar(&format!("SELECT COUNT(*) FROM customers WHERE {condition}"))
                .bind(&search)
                .bind(&filter.status)
                .bind(&filter.area_id)
                .bind(&filter.package_id)
                .fetch_one(self.pool())
                .await?;
        let rows = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM customers WHERE {condition} \
             ORDER BY customer_code LIMIT $5 OFFSET $6"
        ))
        .bind(&search)
        .bind(&filter.status)
        .bind(&filter.area_id)
        .bind(&filter.package_id)
        .bind(page.limit)
        .bind(page.offset)
        .fetch_all(self.pool())
        .await?;
        Ok(Paged { rows, total })
    }

    /// Deletes a customer with no billing, ticket or command history; otherwise refuses, since
    /// that history must stay (set the status to inactive instead).
    pub async fn delete_customer(&self, id: &str) -> StoreResult<()> {
        let mut tx = self.pool().begin().await?;
        let history: i64 = sqlx::query_scalar(
            "SELECT (SELECT COUNT(*) FROM bills WHERE customer_id = $1) \
             + (SELECT COUNT(*) FROM payments WHERE customer_id = $1) \
             + (SELECT COUNT(*) FROM support_tickets WHERE customer_id = $1) \
             + (SELECT COUNT(*) FROM device_commands WHERE customer_id = $1)",
        )
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
        if history > 0 {
            return Err(StoreError::Conflict(
                "customer has bills, payments, tickets or device commands; set status to inactive instead"
                    .to_owned(),
            ));
        }
        for sql in [
            "DELETE FROM network_state WHERE customer_id = $1",
            "DELETE FROM bandwidth_minutes WHERE customer_id = $1",
            "DELETE FROM onu_optics_history WHERE customer_id = $1",
            "DELETE FROM onu_optics_alarms WHERE customer_id = $1",
            "DELETE FROM onu_optics_levels WHERE customer_id = $1",
            "DELETE FROM package_change_requests WHERE customer_id = $1",
        ] {
            sqlx::query(sql).bind(id).execute(&mut *tx).await?;
        }
        let deleted = sqlx::query("DELETE FROM customers WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if deleted == 0 {
            return Err(StoreError::NotFound);
        }
        tx.commit().await?;
        self.note_subscriber_change();
        Ok(())
    }
}

fn customer_write_error(err: sqlx::Error, fields: &CustomerFields) -> StoreError {
    match StoreError::from_write(err, "customer") {
        StoreError::Conflict(_) => StoreError::Conflict(match &fields.port_if_name {
            Some(port) => format!(
                "customer_code '{}', pppoe_username '{}' or port '{port}' of that device is \
                 already in use",
                fields.customer_code,
                fields.pppoe_username.as_deref().unwrap_or("")
            ),
            None => format!(
                "customer_code '{}' or pppoe_username '{}' is already in use",
                fields.customer_code,
                fields.pppoe_username.as_deref().unwrap_or("")
            ),
        }),
        StoreError::Invalid(_) => StoreError::Invalid(
            "area_id, package_id or a device id refers to something that does not exist".to_owned(),
        ),
        other => other,
    }
}
