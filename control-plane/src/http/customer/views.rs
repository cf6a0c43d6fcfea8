//! The customer API's response shapes, field for field as in seed 001.

use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::time::api_timestamp;
use crate::http::amount::{Amount, Mbps};
use crate::http::response::Pagination;
use crate::store::areas::AreaRow;
use crate::store::bills::BillRow;
use crate::store::customers::CustomerRow;
use crate::store::packages::PackageRow;
use crate::store::payments::PaymentRow;
use crate::store::tickets::{TicketMessageRow, TicketRow};

/// The package summary inside a login answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct PackageBrief {
    pub id: String,
    pub name: String,
    pub download_speed: i64,
    pub upload_speed: i64,
    pub speed_unit: String,
}

/// The package inside a profile: the brief plus its price.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProfilePackage {
    pub id: String,
    pub name: String,
    pub download_speed: i64,
    pub upload_speed: i64,
    pub speed_unit: String,
    pub price: Amount,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AreaView {
    pub id: String,
    pub name: String,
    pub district: Option<String>,
    pub upazila: Option<String>,
    pub union_name: Option<String>,
    pub village: Option<String>,
}

/// The customer inside a login answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct LoginCustomer {
    pub id: String,
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub customer_code: String,
    pub status: String,
    pub pppoe_username: Option<String>,
    pub monthly_bill: Amount,
    pub due_amount: Amount,
    pub expiry_date: Option<String>,
    pub package: Option<PackageBrief>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LoginData {
    pub token: String,
    pub customer: LoginCustomer,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VerifiedCustomer {
    pub id: String,
    pub name: String,
    pub status: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VerifyData {
    pub valid: bool,
    pub customer: VerifiedCustomer,
}

/// The full profile (`GET /profile`, and the answer of `PUT /profile`).
#[derive(Debug, Serialize, ToSchema)]
pub struct Profile {
    pub id: String,
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
    pub customer_code: String,
    pub status: String,
    pub pppoe_username: Option<String>,
    pub onu_mac: Option<String>,
    pub router_mac: Option<String>,
    pub pon_port: Option<String>,
    pub monthly_bill: Amount,
    pub due_amount: Amount,
    pub expiry_date: Option<String>,
    pub connection_date: Option<String>,
    pub package: Option<ProfilePackage>,
    pub area: Option<AreaView>,
}

/// `GET /network/status`.
#[derive(Debug, Serialize, ToSchema)]
pub struct NetworkStatus {
    pub is_online: bool,
    /// Session uptime such as "5d 12h 30m"; null while offline.
    pub uptime: Option<String>,
    /// Current download rate in Mbps.
    pub rx_bandwidth: Mbps,
    /// Current upload rate in Mbps.
    pub tx_bandwidth: Mbps,
    /// Bytes downloaded.
    pub total_download: i64,
    /// Bytes uploaded.
    pub total_upload: i64,
    pub ip_address: Option<String>,
    pub mac_address: Option<String>,
    pub onu_status: Option<String>,
    /// ONU receive power in dBm.
    pub onu_rx_power: Option<f64>,
    /// ONU transmit power in dBm.
    pub onu_tx_power: Option<f64>,
    pub last_online: Option<String>,
    pub last_offline: Option<String>,
}

/// One point of `GET /network/bandwidth`.
#[derive(Debug, Serialize, ToSchema)]
pub struct BandwidthPoint {
    pub timestamp: String,
    pub rx_mbps: Mbps,
    pub tx_mbps: Mbps,
}

/// One point of `GET /network/optics`: one reading of the subscriber's ONU.
#[derive(Debug, Serialize, ToSchema)]
pub struct OpticsPoint {
    pub timestamp: String,
    pub onu_status: String,
    /// ONU receive power in dBm; null when the OLT reported none (ONU offline).
    pub onu_rx_power: Option<f64>,
    /// ONU transmit power in dBm.
    pub onu_tx_power: Option<f64>,
}

/// A bill in a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct BillSummary {
    pub id: String,
    pub bill_number: String,
    pub billing_month: String,
    pub amount: Amount,
    pub discount: Amount,
    pub tax: Amount,
    pub total_amount: Amount,
    pub paid_amount: Amount,
    pub status: String,
    pub bill_date: String,
    pub due_date: String,
    pub paid_date: Option<String>,
}

/// One bill in full.
#[derive(Debug, Serialize, ToSchema)]
pub struct BillDetail {
    #[serde(flatten)]
    pub summary: BillSummary,
    pub payment_method: Option<String>,
    pub payment_reference: Option<String>,
    pub notes: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BillsPage {
    pub bills: Vec<BillSummary>,
    pub pagination: Pagination,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PaymentView {
    pub id: String,
    pub amount: Amount,
    pub payment_method: String,
    pub payment_date: Option<String>,
    pub transaction_id: Option<String>,
    pub notes: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PaymentsPage {
    pub payments: Vec<PaymentView>,
    pub pagination: Pagination,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PaymentInitiated {
    pub payment_id: String,
    pub amount: Amount,
    pub status: String,
    /// Where to send the subscriber to pay; null while no online gateway is configured.
    pub payment_url: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RechargeInitiated {
    pub payment_id: String,
    pub amount: Amount,
    pub status: String,
    /// Where to send the subscriber to pay; null while no online gateway is configured.
    pub payment_url: Option<String>,
}

/// The answer to a device action, as the seed gives it, plus the command's id and real state.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeviceCommandAccepted {
    /// `reboot`, `reboot_onu` or `disconnect`, as in the seed.
    pub command: String,
    /// Always `sent` (the seed's word for "accepted"); see `state` for the command's progress.
    pub status: String,
    pub command_id: String,
    /// The command's state: queued, sent, running, succeeded, failed, rolled_back or expired.
    pub state: String,
}

/// A device command as its requester sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct CommandView {
    pub id: String,
    pub kind: String,
    pub state: String,
    pub detail: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CommandsPage {
    pub commands: Vec<CommandView>,
    pub pagination: Pagination,
}

/// A package offered in the portal.
#[derive(Debug, Serialize, ToSchema)]
pub struct PackageOffer {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub download_speed: i64,
    pub upload_speed: i64,
    pub speed_unit: String,
    pub price: Amount,
    pub validity_days: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PackageChangeRequested {
    pub request_type: String,
    pub package_id: String,
    /// `now` or `next_cycle`.
    pub effective: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TicketSummary {
    pub id: String,
    pub subject: String,
    pub status: String,
    pub category: String,
    pub created_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TicketCreated {
    pub ticket_id: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TicketMessageView {
    pub id: String,
    /// `customer` or `staff`.
    pub author: String,
    pub message: String,
    pub created_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TicketDetail {
    pub id: String,
    pub subject: String,
    pub status: String,
    pub category: String,
    pub priority: String,
    pub created_at: String,
    pub updated_at: String,
    pub messages: Vec<TicketMessageView>,
}

pub fn package_brief(p: &PackageRow) -> PackageBrief {
    PackageBrief {
        id: p.id.clone(),
        name: p.name.clone(),
        download_speed: p.download_speed,
        upload_speed: p.upload_speed,
        speed_unit: p.speed_unit.clone(),
    }
}

pub fn login_customer(c: &CustomerRow, package: Option<&PackageRow>) -> LoginCustomer {
    LoginCustomer {
        id: c.id.clone(),
        name: c.name.clone(),
        phone: c.phone.clone(),
        email: c.email.clone(),
        customer_code: c.customer_code.clone(),
        status: c.status.clone(),
        pppoe_username: c.pppoe_username.clone(),
        monthly_bill: Amount::minor(c.monthly_bill_minor),
        due_amount: Amount::minor(c.due_amount_minor),
        expiry_date: c.expiry_date.clone(),
        package: package.map(package_brief),
    }
}

pub fn area_view(a: &AreaRow) -> AreaView {
    AreaView {
        id: a.id.clone(),
        name: a.name.clone(),
        district: a.district.clone(),
        upazila: a.upazila.clone(),
        union_name: a.union_name.clone(),
        village: a.village.clone(),
    }
}

pub fn profile(c: &CustomerRow, package: Option<&PackageRow>, area: Option<&AreaRow>) -> Profile {
    Profile {
        id: c.id.clone(),
        name: c.name.clone(),
        phone: c.phone.clone(),
        email: c.email.clone(),
        address: c.address.clone(),
        customer_code: c.customer_code.clone(),
        status: c.status.clone(),
        pppoe_username: c.pppoe_username.clone(),
        onu_mac: c.onu_mac.clone(),
        router_mac: c.router_mac.clone(),
        pon_port: c.pon_port.clone(),
        monthly_bill: Amount::minor(c.monthly_bill_minor),
        due_amount: Amount::minor(c.due_amount_minor),
        expiry_date: c.expiry_date.clone(),
        connection_date: c.connection_date.clone(),
        package: package.map(|p| ProfilePackage {
            id: p.id.clone(),
            name: p.name.clone(),
            download_speed: p.download_speed,
            upload_speed: p.upload_speed,
            speed_unit: p.speed_unit.clone(),
            price: Amount::minor(p.price_minor),
        }),
        area: area.map(area_view),
    }
}

pub fn bill_summary(b: &BillRow) -> BillSummary {
    BillSummary {
        id: b.id.clone(),
        bill_number: b.bill_number.clone(),
        billing_month: b.billing_month.clone(),
        amount: Amount::minor(b.amount_minor),
        discount: Amount::minor(b.discount_minor),
        tax: Amount::minor(b.tax_minor),
        total_amount: Amount::minor(b.total_minor),
        paid_amount: Amount::minor(b.paid_minor),
        status: b.status.clone(),
        bill_date: b.bill_date.clone(),
        due_date: b.due_date.clone(),
        paid_date: b.paid_date.clone(),
    }
}

pub fn bill_detail(b: &BillRow) -> BillDetail {
    BillDetail {
        summary: bill_summary(b),
        payment_method: b.payment_method.clone(),
        payment_reference: b.payment_reference.clone(),
        notes: b.notes.clone(),
    }
}

pub fn payment_view(p: &PaymentRow) -> PaymentView {
    PaymentView {
        id: p.id.clone(),
        amount: Amount::minor(p.amount_minor),
        payment_method: p.payment_method.clone(),
        payment_date: p.payment_date.as_deref().map(api_timestamp),
        transaction_id: p.transaction_id.clone(),
        notes: p.notes.clone(),
    }
}

pub fn package_offer(p: &PackageRow) -> PackageOffer {
    PackageOffer {
        id: p.id.clone(),
        name: p.name.clone(),
        description: p.description.clone(),
        download_speed: p.download_speed,
        upload_speed: p.upload_speed,
        speed_unit: p.speed_unit.clone(),
        price: Amount::minor(p.price_minor),
        validity_days: p.validity_days,
    }
}

pub fn ticket_summary(t: &TicketRow) -> TicketSummary {
    TicketSummary {
        id: t.id.clone(),
        subject: t.subject.clone(),
        status: t.status.clone(),
        category: t.category.clone(),
        created_at: api_timestamp(&t.created_at),
    }
}

pub fn ticket_detail(t: &TicketRow, messages: &[TicketMessageRow]) -> TicketDetail {
    TicketDetail {
        id: t.id.clone(),
        subject: t.subject.clone(),
        status: t.status.clone(),
        category: t.category.clone(),
        priority: t.priority.clone(),
        created_at: api_timestamp(&t.created_at),
        updated_at: api_timestamp(&t.updated_at),
        messages: messages
            .iter()
            .map(|m| TicketMessageView {
                id: m.id.clone(),
                author: m.author_kind.clone(),
                message: m.body.clone(),
                created_at: api_timestamp(&m.created_at),
            })
            .collect(),
    }
}
