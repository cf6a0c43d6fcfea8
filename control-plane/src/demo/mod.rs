//! The demo ISP: areas, packages, a site with a BRAS and an OLT, a few subscribers with bills,
//! payments and a ticket, and one staff account per role. Seeding is idempotent.

pub mod site;

use crate::aaa::password_seal::PasswordSealer;
use crate::auth::password::hash_password;
use crate::domain::time::{date_text, now, timestamp_text};
use crate::store::areas::AreaFields;
use crate::store::bills::NewBill;
use crate::store::customers::CustomerFields;
use crate::store::devices::DeviceFields;
use crate::store::network::NetworkStateRow;
use crate::store::packages::PackageFields;
use crate::store::payments::NewPayment;
use crate::store::{Store, StoreError};

/// A login the demo prints.
#[derive(Debug, Clone)]
pub struct DemoLogin {
    pub who: String,
    pub login: String,
}

/// Staff accounts of the demo: username, role, password.
pub const DEMO_STAFF: [(&str, &str, &str); 4] = [
    ("admin", "admin", "netops-demo-admin"),
    ("noc", "noc", "netops-demo-noc"),
    ("billing", "billing", "netops-demo-billing"),
    ("support", "support", "netops-demo-support"),
];

struct DemoCustomer {
    code: &'static str,
    name: &'static str,
    phone: &'static str,
    pppoe: &'static str,
    package: usize,
    area: usize,
    onu_id: i64,
    pon_port: &'static str,
}

const CUSTOMERS: [DemoCustomer; 4] = [
    DemoCustomer {
        code: "CUST001",
        name: "Rahim Uddin",
        phone: "01712345678",
        pppoe: "rahim.gulshan",
        package: 1,
        area: 0,
        onu_id: 1,
        pon_port: "0/1/1",
    },
    DemoCustomer {
        code: "CUST002",
        name: "Karima Begum",
        phone: "01812345679",
        pppoe: "karima.gulshan",
        package: 0,
        area: 0,
        onu_id: 2,
        pon_port: "0/1/1",
    },
    DemoCustomer {
        code: "CUST003",
        name: "Jamal Hossain",
        phone: "01912345680",
        pppoe: "jamal.mirpur",
        package: 2,
        area: 1,
        onu_id: 1,
        pon_port: "0/1/2",
    },
    DemoCustomer {
        code: "CUST004",
        name: "Nasrin Akter",
        phone: "01612345681",
        pppoe: "nasrin.savar",
        package: 1,
        area: 2,
        onu_id: 3,
        pon_port: "0/1/1",
    },
];

/// The demo subscribers' PPPoE password, for FreeRADIUS tests against the demo: the PPPoE
/// username with a `-demo` suffix.
pub fn demo_pppoe_password(pppoe_username: &str) -> String {
    format!("{pppoe_username}-demo")
}

/// Gives each demo subscriber who has none a PPPoE password, sealed with the control plane's
/// key, so a BRAS or `radclient` pointed at FreeRADIUS can log them in. Idempotent.
pub async fn seed_pppoe_passwords(
    store: &Store,
    sealer: &PasswordSealer,
) -> Result<(), StoreError> {
    for c in &CUSTOMERS {
        let Some(customer_id) = store.customer_id_by_pppoe(c.pppoe).await? else {
            continue;
        };
        let has_password = store
            .pppoe_account(&customer_id)
            .await?
            .is_some_and(|account| account.password_sealed.is_some());
        if has_password {
            continue;
        }
        let sealed = sealer
            .seal(&customer_id, &demo_pppoe_password(c.pppoe))
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
        store.set_pppoe_password(&customer_id, &sealed).await?;
    }
    Ok(())
}

/// Seeds the demo ISP unless it is already there; returns the logins to print.
pub async fn seed(store: &Store) -> Result<Vec<DemoLogin>, StoreError> {
    let logins = logins();
    if store.staff_by_username("admin").await?.is_some() {
        return Ok(logins);
    }
    for (username, role, password) in DEMO_STAFF {
        let hash = hash_password(password).map_err(|e| StoreError::Invalid(e.to_string()))?;
        store.insert_staff(username, &hash, role).await?;
    }
    let areas = [
        ("Gulshan", "Dhaka", "Gulshan", None, None),
        ("Mirpur", "Dhaka", "Mirpur", None, None),
        (
            "Savar Bazar",
            "Dhaka",
            "Savar",
            Some("Savar"),
            Some("Bazar Road"),
        ),
    ];
    let mut area_ids = Vec::new();
    for (name, district, upazila, union_name, village) in areas {
        let area = store
            .insert_area(&AreaFields {
                name: name.to_owned(),
                district: Some(district.to_owned()),
                upazila: Some(upazila.to_owned()),
                union_name: union_name.map(str::to_owned),
                village: village.map(str::to_owned),
            })
            .await?;
        area_ids.push(area.id);
    }
    let packages = [
        (
            "Basic 20Mbps",
            "Perfect for browsing and social media",
            20,
            10,
            50_000,
            true,
            "internet",
        ),
        (
            "Premium 50Mbps",
            "For streaming and gaming",
            50,
            25,
            100_000,
            true,
            "internet",
        ),
        (
            "Ultra 100Mbps",
            "For big households and home offices",
            100,
            50,
            150_000,
            true,
            "internet",
        ),
        (
            "Staff Line 10Mbps",
            "Internal; not offered in the portal",
            10,
            10,
            0,
            false,
            "internet",
        ),
    ];
    let mut package_ids = Vec::new();
    let mut package_prices = Vec::new();
    for (name, description, down, up, price_minor, visible, kind) in packages {
        let package = store
            .insert_package(&PackageFields {
                name: name.to_owned(),
                description: Some(description.to_owned()),
                package_type: kind.to_owned(),
                download_speed: down,
                upload_speed: up,
                speed_unit: "mbps".to_owned(),
                price_minor,
                validity_days: 30,
                portal_visible: visible,
            })
            .await?;
        package_ids.push(package.id);
        package_prices.push(price_minor);
    }
    let site = store
        .insert_site("Gulshan POP", Some("Main point of presence"))
        .await?;
    let device = |name: &str, kind: &str, vendor: &str, model: &str, addr: &str, profile: &str| {
        DeviceFields {
            site_id: site.id.clone(),
            name: name.to_owned(),
            kind: kind.to_owned(),
            vendor: Some(vendor.to_owned()),
            model: Some(model.to_owned()),
            mgmt_address: Some(addr.to_owned()),
            profile: Some(profile.to_owned()),
        }
    };
    let bras = store
        .insert_device(&device(
            "bras-gulshan-1",
            "bras",
            "MikroTik",
            "CCR2004",
            "127.0.0.1:16100",
            "mikrotik-pppoe",
        ))
        .await?;
    let olt = store
        .insert_device(&device(
            "olt-gulshan-1",
            "olt",
            "Huawei",
            "MA5683T",
            "127.0.0.1:16101",
            "huawei-ma5600",
        ))
        .await?;

    let today = now().date();
    let expiry = date_text(today + time::Duration::days(23));
    for (i, c) in CUSTOMERS.iter().enumerate() {
        let price = package_prices[c.package];
        let due = if i == 1 { price } else { 0 };
        let customer = store
            .insert_customer(&CustomerFields {
                customer_code: c.code.to_owned(),
                name: c.name.to_owned(),
                phone: Some(c.phone.to_owned()),
                email: Some(format!("{}@example.com", c.pppoe)),
                address: Some(format!("House {}, Road 5, Dhaka", 10 + i)),
                status: "active".to_owned(),
                pppoe_username: Some(c.pppoe.to_owned()),
                onu_mac: Some(format!("AA:BB:CC:DD:EE:{:02X}", i + 1)),
                router_mac: Some(format!("11:22:33:44:55:{:02X}", i + 1)),
                pon_port: Some(c.pon_port.to_owned()),
                area_id: Some(area_ids[c.area].clone()),
                package_id: Some(package_ids[c.package].clone()),
                monthly_bill_minor: price,
                due_amount_minor: due,
                expiry_date: Some(expiry.clone()),
                connection_date: Some(date_text(today - time::Duration::days(300 + 30 * i as i64))),
                bras_device_id: Some(bras.id.clone()),
                olt_device_id: Some(olt.id.clone()),
                onu_id: Some(c.onu_id),
                cpe_device_id: None,
                port_device_id: None,
                port_if_name: None,
            })
            .await?;
        seed_billing(store, &customer.id, c.code, price, i == 1, today).await?;
        let started = now() - time::Duration::hours(30 + 24 * i as i64);
        store
            .put_network_state(&NetworkStateRow {
                customer_id: customer.id.clone(),
                is_online: i64::from(i != 3),
                ip_address: Some(format!("100.64.0.{}", 10 + i)),
                mac_address: Some(format!("11:22:33:44:55:{:02X}", i + 1)),
                session_started_at: Some(timestamp_text(started)),
                rx_bps: 0,
                tx_bps: 0,
                total_download_octets: 0,
                total_upload_octets: 0,
                onu_status: Some(if i == 3 { "offline" } else { "online" }.to_owned()),
                onu_rx_power_cdbm: if i == 3 {
                    None
                } else {
                    Some(-1850 - 300 * i as i64)
                },
                onu_tx_power_cdbm: if i == 3 { None } else { Some(210) },
                last_online: Some(timestamp_text(started)),
                last_offline: Some(timestamp_text(started - time::Duration::hours(2))),
                updated_at: timestamp_text(now()),
                accounting_session_open: 0,
            })
            .await?;
        if i == 0 {
            store
                .open_ticket(
                    &customer.id,
                    "Internet disconnection issue",
                    "connectivity",
                    "normal",
                    "My internet has been disconnecting frequently in the evening.",
                )
                .await?;
        }
    }
    Ok(logins)
}

/// Three months of bills; the last one unpaid for the customer who owes money.
async fn seed_billing(
    store: &Store,
    customer_id: &str,
    code: &str,
    price_minor: i64,
    owes: bool,
    today: time::Date,
) -> Result<(), StoreError> {
    for months_ago in (0..3).rev() {
        let bill_day = first_of_month(today, months_ago);
        let due_day = bill_day + time::Duration::days(9);
        let paid = !(owes && months_ago == 0);
        let paid_day = bill_day + time::Duration::days(4);
        let reference = format!(
            "TXN{}{}",
            code.trim_start_matches("CUST"),
            bill_day.month() as u8
        );
        store
            .insert_bill(&NewBill {
                customer_id: customer_id.to_owned(),
                bill_number: format!(
                    "BILL-{}-{}-{:02}",
                    bill_day.year(),
                    code,
                    bill_day.month() as u8
                ),
                billing_month: format!("{}-{:02}", bill_day.year(), bill_day.month() as u8),
                amount_minor: price_minor,
                paid_minor: if paid { price_minor } else { 0 },
                status: if paid { "paid" } else { "unpaid" }.to_owned(),
                bill_date: date_text(bill_day),
                due_date: date_text(due_day),
                paid_date: paid.then(|| date_text(paid_day)),
                payment_method: paid.then(|| "bkash".to_owned()),
                payment_reference: paid.then(|| reference.clone()),
                period_start: Some(date_text(bill_day)),
                period_end: Some(date_text(
                    crate::billing::cycle::add_months(bill_day, 1) - time::Duration::DAY,
                )),
                ..NewBill::default()
            })
            .await?;
        if paid && price_minor > 0 {
            store
                .insert_payment(&NewPayment {
                    customer_id: customer_id.to_owned(),
                    purpose: "bill".to_owned(),
                    amount_minor: price_minor,
                    payment_method: "bkash".to_owned(),
                    status: "completed".to_owned(),
                    transaction_id: Some(reference),
                    payment_date: Some(timestamp_text(
                        paid_day.midnight().assume_utc() + time::Duration::hours(10),
                    )),
                    notes: Some(format!(
                        "{} {} bill payment",
                        bill_day.month(),
                        bill_day.year()
                    )),
                    ..NewPayment::default()
                })
                .await?;
        }
    }
    Ok(())
}

fn first_of_month(today: time::Date, months_ago: u8) -> time::Date {
    let mut year = today.year();
    let mut month = today.month();
    for _ in 0..months_ago {
        month = month.previous();
        if month == time::Month::December {
            year -= 1;
        }
    }
    time::Date::from_calendar_date(year, month, 1).unwrap_or(today)
}

fn logins() -> Vec<DemoLogin> {
    let mut out: Vec<DemoLogin> = CUSTOMERS
        .iter()
        .take(2)
        .map(|c| DemoLogin {
            who: format!("subscriber {}", c.name),
            login: format!(
                "customer_code {} with phone {} or username {}; PPPoE password {}",
                c.code,
                c.phone,
                c.pppoe,
                demo_pppoe_password(c.pppoe)
            ),
        })
        .collect();
    out.extend(DEMO_STAFF.iter().map(|(user, role, password)| DemoLogin {
        who: format!("staff ({role})"),
        login: format!("username {user} password {password}"),
    }));
    out
}
