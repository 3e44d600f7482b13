//! What a debtor reads: their account (invoices with what is due), one invoice with its lines
//! and payments, and a payment's receipt. Every query is scoped to the principal's merchant
//! and customer, and to one invoice for pay-link sessions.

use std::sync::LazyLock;

use kassa_domain::{
    Currency, InvoiceId, InvoiceNumber, MerchantSlug, Money, PaymentId, PaymentReference, Problem, WriteOffReason,
};
use serde::Serialize;
use time::Date;

use crate::db::Pool;
use crate::error::{Error, Result};
use crate::principal::{Debtor, Principal};
use crate::services::records::{self, merchant_by_id, merchant_by_slug, InvoiceRow, InvoiceState, Merchant};
use crate::services::{listing, statements};
use crate::Ctx;

/// The debtor `who` is, if they are signed in for the merchant at `slug`, and that merchant.
/// An unknown merchant is `NotFound`; anyone else (no sign-in, another merchant's debtor,
/// staff) is `Unauthenticated`.
pub async fn debtor_at(ctx: &Ctx, who: Option<&Principal>, slug: &MerchantSlug) -> Result<(Principal, Merchant)> {
    let merchant = merchant_by_slug(&ctx.pool, slug).await?;
    match who {
        Some(p @ Principal::Debtor(d)) if d.merchant == merchant.id => Ok((p.clone(), merchant)),
        _ => Err(Error::Unauthenticated),
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Account {
    pub merchant: Merchant,
    pub customer_name: String,
    /// Per currency, in a stable order: what is open, and how much of that is overdue.
    pub totals: Vec<Due>,
    /// Credit held on the account (overpayments, credit notes not yet applied), per currency.
    pub credit: Vec<Money>,
    /// One page of the invoices the debtor chose to see.
    pub invoices: listing::Listed,
    /// The latest things that moved the balance (the list's first page only; none for a pay
    /// link's session).
    pub activity: Vec<statements::Activity>,
    /// The debtor's plans proposed or running, newest first.
    pub plans: Vec<crate::services::plans::Plan>,
    /// Whether the debtor may propose a plan here: the merchant offers plans and this is the
    /// whole account, not one invoice's pay link.
    pub plans_offered: bool,
}

/// How many recent things the overview lists.
pub const RECENT: u32 = 5;

/// Invoices on one page of the portal's list.
pub const PAGE_SIZE: u32 = 25;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Due {
    pub open: Money,
    pub overdue: Money,
}

#[derive(Debug, Clone, Serialize)]
pub struct InvoiceDetail {
    pub merchant: Merchant,
    pub customer_name: String,
    pub invoice: InvoiceState,
    pub lines: Vec<Line>,
    /// Payments, credit notes and write-offs that settled (part of) this invoice, oldest
    /// first; a reversed payment shows its undoing as a negative line.
    pub settlements: Vec<Settlement>,
    /// How to pay what is open by bank transfer, when the merchant has said where (or the
    /// invoice came with its own account).
    pub transfer: Option<Transfer>,
    /// The open promise to pay it is in.
    pub promise: Option<crate::services::promises::Promise>,
    /// The first and last date a new promise may name; `None` when it cannot be promised
    /// (nothing asked for: settled or all disputed; or already promised).
    pub promise_dates: Option<(Date, Date)>,
    /// Its disputes, newest first.
    pub disputes: Vec<crate::services::disputes::Dispute>,
    /// The payment plan proposed or running it is in: its id and status.
    pub plan: Option<(String, kassa_domain::plan::PlanStatus)>,
    /// The debtor may propose a payment plan of it now.
    pub plan_offered: bool,
}

/// Paying an invoice by bank transfer: to whom, how much, with which reference.
#[derive(Debug, Clone, Serialize)]
pub struct Transfer {
    pub account_name: String,
    /// Electronic form (`NL91ABNA0417164300`).
    pub iban: String,
    pub bic: Option<String>,
    pub amount: Money,
    /// As the debtor types it: a structured reference printed in its scheme's way
    /// (`RF18 5390 0754 7034`, `+++123/4567/89002+++`, a Danish `+71<...+creditor<` code line),
    /// or the text an imported invoice came with.
    pub reference: Option<String>,
    /// The EPC QR code's payload (EPC069-12) for a euro amount, when every field passes.
    pub epc_payload: Option<String>,
}

/// The bank transfer for an invoice's open `amount` with its stored reference and account.
fn transfer(merchant: &Merchant, amount: Money, reference: Option<&str>, payee_iban: Option<&str>) -> Option<Transfer> {
    if !amount.is_positive() {
        return None;
    }
    let bank = merchant.bank.as_ref();
    let iban = payee_iban.or(bank.map(|b| b.iban.as_str()))?.to_string();
    let account_name = bank.map(|b| b.name.clone()).unwrap_or_else(|| merchant.name.clone());
    let bic = bank.filter(|b| b.iban == iban).and_then(|b| b.bic.clone());
    let structured = reference.and_then(|r| PaymentReference::parse(merchant.reference_scheme, r).ok());
    let shown = match &structured {
        Some(s) => Some(match bank.and_then(|b| b.fik_creditor.as_deref()).and_then(|c| s.fik_code_line(c)) {
            Some(line) => line,
            None => s.display(),
        }),
        None => reference.map(str::to_string),
    };
    let epc = kassa_domain::epc::CreditTransfer {
        bic: bic.as_deref(),
        name: &account_name,
        iban: &iban,
        amount,
        // Only a structured reference goes in the code's structured field; free text would
        // have to go in the other, and a banking app may drop it.
        reference: structured.as_ref(),
    };
    let epc_payload = (structured.is_some() || reference.is_none()).then(|| epc.payload().ok()).flatten();
    Some(Transfer { account_name, iban, bic, amount, reference: shown, epc_payload })
}

#[derive(Debug, Clone, Serialize)]
pub struct Line {
    /// 1 for the first line.
    pub position: u32,
    pub description: String,
    pub quantity: String,
    pub unit_price: Money,
    pub amount: Money,
}

/// Something that settled (or, when negative, reopened) part of an invoice.
#[derive(Debug, Clone, Serialize)]
pub struct Settlement {
    pub kind: SettlementKind,
    pub at: i64,
    pub amount: Money,
}

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SettlementKind {
    Payment { payment: PaymentId, method: String, reversed: bool },
    CreditNote { number: String },
    WriteOff { reason: WriteOffReason },
}

#[derive(Debug, Clone, Serialize)]
pub struct Receipt {
    pub merchant: Merchant,
    pub payment: PaymentId,
    pub at: i64,
    pub amount: Money,
    pub method: String,
    pub reference: String,
    /// What the payment settled, invoice by invoice, and where each stands now.
    pub applied: Vec<(InvoiceState, Money)>,
}

async fn customer_name(pool: &Pool, debtor: &Debtor) -> Result<String> {
    sqlx::query_scalar("SELECT name FROM customers WHERE merchant_id = $1 AND id = $2")
        .bind(debtor.merchant.as_str())
        .bind(debtor.customer.as_str())
        .fetch_optional(pool)
        .await?
        .ok_or(Error::Unauthenticated)
}

/// The debtor's open invoices in `currency` (in any, `None`), oldest due first; at most `limit`.
async fn open_invoices_in(
    pool: &Pool,
    debtor: &Debtor,
    currency: Option<Currency>,
    limit: usize,
) -> Result<Vec<InvoiceRow>> {
    let sql = format!(
        "SELECT {} FROM invoices i WHERE i.merchant_id = $1 AND i.customer_id = $2 \
         AND ($3 = '' OR i.id = $3) AND ($4 = '' OR i.currency = $4) AND i.open_minor > 0 \
         ORDER BY i.due_date, i.number LIMIT $5",
        records::INVOICE_COLUMNS
    );
    Ok(sqlx::query_as::<_, InvoiceRow>(&sql)
        .bind(debtor.merchant.as_str())
        .bind(debtor.customer.as_str())
        .bind(debtor.invoice.as_ref().map(InvoiceId::as_str).unwrap_or(""))
        .bind(currency.as_ref().map(Currency::code).unwrap_or(""))
        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .fetch_all(pool)
        .await?)
}

/// The debtor's open invoices in every currency as they stand today, oldest due first: at
/// most [`MAX_SELECTED`], what one payment may settle.
pub async fn open_invoices(ctx: &Ctx, who: &Principal) -> Result<Vec<InvoiceState>> {
    let debtor = who.debtor()?;
    let today = merchant_by_id(&ctx.pool, &debtor.merchant).await?.today()?;
    let rows = open_invoices_in(&ctx.pool, debtor, None, MAX_SELECTED).await?;
    rows.into_iter().map(|row| row.state(today)).collect()
}

/// One of the debtor's invoices by the merchant's number, or `NotFound`.
pub async fn debtor_invoice<'e, E>(db: E, debtor: &Debtor, number: &InvoiceNumber) -> Result<InvoiceRow>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let sql = format!(
        "SELECT {} FROM invoices i WHERE i.merchant_id = $1 AND i.customer_id = $2 AND i.number = $3 \
         AND ($4 IS NULL OR i.id = $4)",
        records::INVOICE_COLUMNS
    );
    sqlx::query_as::<_, InvoiceRow>(&sql)
        .bind(debtor.merchant.as_str())
        .bind(debtor.customer.as_str())
        .bind(number.as_str())
        .bind(debtor.invoice.as_ref().map(|i| i.as_str()))
        .fetch_optional(db)
        .await?
        .ok_or(Error::NotFound)
}

/// The language (`en`, `nl`, `da`) the debtor's customer record asks for.
pub async fn language(ctx: &Ctx, who: &Principal) -> Result<String> {
    let debtor = who.debtor()?;
    sqlx::query_scalar("SELECT language FROM customers WHERE merchant_id = $1 AND id = $2")
        .bind(debtor.merchant.as_str())
        .bind(debtor.customer.as_str())
        .fetch_optional(&ctx.pool)
        .await?
        .ok_or(Error::Unauthenticated)
}

/// What a debtor's portal page shows besides the request itself: the versions of their own
/// records and of their merchant's (which the database moves on every change to a table a
/// portal page reads; migration 0037, `page_versions`), and the merchant's time zone (what
/// "today", due and overdue mean there). Equal stamps, read before each of two renders of
/// the same page on the same day there, mean the same page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageStamp {
    /// `None` until the first change.
    pub merchant: Option<i64>,
    pub customer: Option<i64>,
    pub time_zone: String,
}

impl PageStamp {
    /// The calendar day it is now in the merchant's time zone (`None`: a zone Kassa does
    /// not know, which the settings never store).
    pub fn today(&self) -> Option<Date> {
        records::time_zone(&self.time_zone).map(|zone| records::today_in(&zone))
    }
}

/// The three columns of a [`PageStamp`] (merchant's version, customer's version, time zone)
/// for the debtor whose merchant and customer ids are the SQL expressions given: for a query
/// that reads the stamp with something else (the server's session store reads it beside the
/// session, in one query, for a kept page).
pub fn page_stamp_columns(merchant: &str, customer: &str) -> String {
    format!(
        "(SELECT version FROM page_versions WHERE merchant_id = {merchant} AND customer_id = ''), \
         (SELECT version FROM page_versions WHERE merchant_id = {merchant} AND customer_id = {customer}), \
         (SELECT time_zone FROM merchants WHERE id = {merchant})"
    )
}

/// The [`PageStamp`] of `debtor`'s pages, in one read. Read it before the page's own reads:
/// a change committed in between then leaves the page newer than its stamp, never older.
pub async fn page_stamp(pool: &Pool, debtor: &Debtor) -> Result<PageStamp> {
    static QUERY: LazyLock<String> = LazyLock::new(|| format!("SELECT {}", page_stamp_columns("$1", "$2")));
    let (merchant, customer, time_zone): (Option<i64>, Option<i64>, Option<String>) = sqlx::query_as(QUERY.as_str())
        .bind(debtor.merchant.as_str())
        .bind(debtor.customer.as_str())
        .fetch_one(pool)
        .await?;
    Ok(PageStamp { merchant, customer, time_zone: time_zone.ok_or(Error::NotFound)? })
}

/// The debtor's account at `merchant` (as [`debtor_at`] found it): what is due per currency,
/// credit held, page `page` of the invoices `show` picks, and (on the first page) what
/// happened lately.
pub async fn account(
    ctx: &Ctx,
    who: &Principal,
    merchant: Merchant,
    show: listing::Show,
    page: u32,
) -> Result<Account> {
    let debtor = who.debtor()?;
    if merchant.id != debtor.merchant {
        return Err(Error::NotFound);
    }
    let today = merchant.today()?;
    let scope = listing::Scope {
        merchant: &debtor.merchant,
        customer: Some(&debtor.customer),
        invoice: debtor.invoice.as_ref(),
    };
    // One connection for the page's reads: the pool hands it out (and sqlx checks it on its
    // way back) once, not once per read.
    let mut db = ctx.pool.acquire().await?;
    let invoices = listing::page(&mut db, scope, show, today, page, PAGE_SIZE).await?;
    let (customer_name, totals, credit) = standing(&mut db, debtor, today).await?;
    let activity = match invoices.page == 1 {
        true => statements::recent_activity(&mut db, debtor, &merchant, RECENT).await?,
        false => Vec::new(),
    };
    let mut plans = crate::services::plans::mine_on(&mut db, debtor).await?;
    plans.retain(|p| p.status.is_open());
    let plans_offered =
        debtor.invoice.is_none() && crate::services::plans::policy(&mut *db, &merchant.id).await?.offered;
    Ok(Account { customer_name, totals, credit, merchant, invoices, activity, plans, plans_offered })
}

/// In one round trip: the customer's name; what is open and overdue per currency of their
/// invoices; and the credit they hold per currency (what standing payments and credit notes
/// have not applied; none for a pay link's session). Summed by the database however many
/// invoices there are, each list in currency order.
async fn standing(
    db: &mut sqlx::AnyConnection,
    debtor: &Debtor,
    today: time::Date,
) -> Result<(String, Vec<Due>, Vec<Money>)> {
    let rows: Vec<(String, String, i64, i64, String)> = sqlx::query_as(
        "SELECT 'due' AS kind, currency, CAST(SUM(open_minor) AS BIGINT) AS a, \
             CAST(SUM(CASE WHEN due_date < $4 THEN open_minor ELSE 0 END) AS BIGINT) AS b, '' AS name \
           FROM invoices WHERE merchant_id = $1 AND customer_id = $2 AND ($3 = '' OR id = $3) GROUP BY currency \
         UNION ALL SELECT 'credit', currency, CAST(SUM(amount) AS BIGINT), CAST(0 AS BIGINT), '' FROM ( \
           SELECT currency, amount_minor AS amount FROM payments \
             WHERE merchant_id = $1 AND customer_id = $2 AND reversed_at IS NULL AND $3 = '' \
           UNION ALL SELECT currency, amount_minor FROM credit_notes \
             WHERE merchant_id = $1 AND customer_id = $2 AND $3 = '' \
           UNION ALL SELECT currency, -amount_minor FROM applications \
             WHERE merchant_id = $1 AND customer_id = $2 AND $3 = '' \
         ) AS ledger GROUP BY currency \
         UNION ALL SELECT 'name', '', CAST(0 AS BIGINT), CAST(0 AS BIGINT), name FROM customers \
           WHERE merchant_id = $1 AND id = $2",
    )
    .bind(debtor.merchant.as_str())
    .bind(debtor.customer.as_str())
    .bind(debtor.invoice.as_ref().map(InvoiceId::as_str).unwrap_or(""))
    .bind(records::format_date(today))
    .fetch_all(db)
    .await?;
    let mut name = None;
    let (mut totals, mut credit) = (Vec::new(), Vec::new());
    for (kind, code, a, b, customer) in rows {
        match kind.as_str() {
            "name" => name = Some(customer),
            "due" => {
                let c = records::currency(&code)?;
                totals.push(Due { open: Money::from_minor(a, c), overdue: Money::from_minor(b, c) });
            }
            _ if a != 0 => credit.push(Money::from_minor(a, records::currency(&code)?)),
            _ => {}
        }
    }
    totals.sort_by(|x, y| x.open.currency().code().cmp(y.open.currency().code()));
    credit.sort_by(|x, y| x.currency().code().cmp(y.currency().code()));
    Ok((name.ok_or(Error::Unauthenticated)?, totals, credit))
}

/// The most invoices one payment settles: a selection (or "pay all") beyond it is refused.
pub const MAX_SELECTED: usize = 200;

/// Which open invoices a debtor chose to pay at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Choice {
    /// These, by the merchant's numbers (repeats count once).
    Numbers(Vec<InvoiceNumber>),
    /// Every open invoice in this currency ("pay all").
    AllIn(Currency),
}

/// Invoices chosen to be paid together, each for all it asks (its balance less what disputes
/// hold): one currency, all open.
#[derive(Debug, Clone, Serialize)]
pub struct Selection {
    pub merchant: Merchant,
    /// Oldest due first.
    pub invoices: Vec<InvoiceState>,
    /// What they ask for together (balances less what disputes hold): what one payment of them
    /// all charges.
    pub total: Money,
}

/// The debtor's invoices as `choice` names them, checked to be payable together: at least
/// one and at most [`MAX_SELECTED`], each open (a settled one is named), one currency. A number
/// the debtor cannot see is `NotFound`, as a missing one is (and as on the invoice's page).
pub async fn selection(ctx: &Ctx, who: &Principal, choice: &Choice) -> Result<Selection> {
    let debtor = who.debtor()?;
    let pool = &ctx.pool;
    let merchant = merchant_by_id(pool, &debtor.merchant).await?;
    let today = merchant.today()?;
    let mut invoices = Vec::new();
    match choice {
        Choice::Numbers(numbers) => {
            let mut numbers = numbers.clone();
            numbers.sort();
            numbers.dedup();
            if numbers.len() > MAX_SELECTED {
                return Err(Problem::TooManySelected { max: MAX_SELECTED as u32 }.into());
            }
            for number in &numbers {
                let state = debtor_invoice(pool, debtor, number).await?.state(today)?;
                if !state.balance.is_positive() {
                    return Err(Problem::InvoiceAlreadyPaid { number: number.to_string() }.into());
                }
                if !state.collectable.is_positive() {
                    return Err(Problem::InvoiceWhollyDisputed { number: number.to_string() }.into());
                }
                invoices.push(state);
            }
        }
        Choice::AllIn(currency) => {
            for row in open_invoices_in(pool, debtor, Some(*currency), MAX_SELECTED + 1).await? {
                let state = row.state(today)?;
                // What disputes hold of it is not asked for.
                if state.collectable.is_positive() {
                    invoices.push(state);
                }
            }
            if invoices.len() > MAX_SELECTED {
                return Err(Problem::TooManySelected { max: MAX_SELECTED as u32 }.into());
            }
        }
    }
    let Some(first) = invoices.first() else {
        return Err(Problem::NothingSelected.into());
    };
    let currency = first.balance.currency();
    if invoices.iter().any(|i| i.balance.currency() != currency) {
        return Err(Problem::SelectionMixesCurrencies.into());
    }
    invoices.sort_by(|a, b| (a.due_date, &a.number).cmp(&(b.due_date, &b.number)));
    let total = Money::sum(currency, invoices.iter().map(|i| i.collectable))?;
    Ok(Selection { merchant, invoices, total })
}

pub async fn invoice(ctx: &Ctx, who: &Principal, number: &InvoiceNumber) -> Result<InvoiceDetail> {
    let debtor = who.debtor()?;
    let pool = &ctx.pool;
    let merchant = merchant_by_id(pool, &debtor.merchant).await?;
    let row = debtor_invoice(pool, debtor, number).await?;
    let currency = row.currency()?;
    let lines: Vec<(i64, String, String, i64, i64)> = sqlx::query_as(
        "SELECT position, description, quantity, unit_price_minor, amount_minor FROM invoice_lines \
         WHERE merchant_id = $1 AND invoice_id = $2 ORDER BY position",
    )
    .bind(merchant.id.as_str())
    .bind(&row.id)
    .fetch_all(pool)
    .await?;
    let settlements = settlements(pool, debtor, &row.id, currency).await?;
    let invoice = row.state(merchant.today()?)?;
    let (reference, payee_iban): (Option<String>, Option<String>) =
        sqlx::query_as("SELECT payment_reference, payee_iban FROM invoices WHERE merchant_id = $1 AND id = $2")
            .bind(merchant.id.as_str())
            .bind(&row.id)
            .fetch_one(pool)
            .await?;
    let promise = crate::services::promises::open_for_invoice(pool, &merchant.id, &row.id).await?;
    let plan = crate::services::plans::open_for_invoice(pool, &merchant.id, &row.id).await?;
    // An invoice in a plan is paid by its instalments: no promise besides.
    let promise_dates = match (&promise, invoice.collectable.is_positive() && plan.is_none()) {
        (None, true) => {
            let today = merchant.today()?;
            let policy = crate::services::promises::policy(pool, &merchant.id).await?;
            Some((today, policy.latest(today)))
        }
        _ => None,
    };
    let disputes = crate::services::disputes::of_invoice(pool, &merchant.id, &row.id).await?;
    let plan_offered = plan.is_none()
        && promise.is_none()
        && crate::services::plans::eligible(
            &crate::services::plans::policy(pool, &merchant.id).await?,
            &invoice,
            merchant.today()?,
        );
    Ok(InvoiceDetail {
        plan,
        plan_offered,
        promise,
        promise_dates,
        disputes,
        transfer: transfer(&merchant, invoice.balance, reference.as_deref(), payee_iban.as_deref()),
        customer_name: customer_name(pool, debtor).await?,
        merchant,
        invoice,
        lines: lines
            .into_iter()
            .map(|(position, description, quantity, unit, amount)| Line {
                position: u32::try_from(position).unwrap_or(0),
                description,
                quantity,
                unit_price: Money::from_minor(unit, currency),
                amount: Money::from_minor(amount, currency),
            })
            .collect(),
        settlements,
    })
}

/// Everything that moved an invoice's balance, oldest first.
async fn settlements(pool: &Pool, debtor: &Debtor, invoice_id: &str, currency: Currency) -> Result<Vec<Settlement>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        at: i64,
        amount: i64,
        payment: Option<String>,
        method: Option<String>,
        reversed_at: Option<i64>,
        credit_note: Option<String>,
        reason: Option<String>,
    }
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT a.created_at AS at, a.amount_minor AS amount, p.id AS payment, p.method, p.reversed_at, \
             c.number AS credit_note, NULL AS reason FROM applications a \
             LEFT JOIN payments p ON p.merchant_id = a.merchant_id AND p.id = a.payment_id \
             LEFT JOIN credit_notes c ON c.merchant_id = a.merchant_id AND c.id = a.credit_note_id \
             WHERE a.merchant_id = $1 AND a.invoice_id = $2 \
             UNION ALL SELECT w.created_at, w.amount_minor, NULL, NULL, NULL, NULL, w.reason FROM write_offs w \
             WHERE w.merchant_id = $1 AND w.invoice_id = $2 \
             ORDER BY 1",
    )
    .bind(debtor.merchant.as_str())
    .bind(invoice_id)
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|Row { at, amount, payment, method, reversed_at, credit_note, reason }| {
            let kind = match (payment, credit_note, reason) {
                (Some(id), _, _) => SettlementKind::Payment {
                    payment: PaymentId::from_raw(id),
                    method: method.unwrap_or_default(),
                    reversed: reversed_at.is_some(),
                },
                (None, Some(number), _) => SettlementKind::CreditNote { number },
                (None, None, Some(reason)) => SettlementKind::WriteOff {
                    reason: WriteOffReason::parse(&reason)
                        .ok_or_else(|| Error::internal(format!("unknown write-off reason {reason:?}")))?,
                },
                _ => return Err(Error::internal("a settlement without a source")),
            };
            Ok(Settlement { kind, at, amount: Money::from_minor(amount, currency) })
        })
        .collect()
}

pub async fn receipt(ctx: &Ctx, who: &Principal, payment: &PaymentId) -> Result<Receipt> {
    let debtor = who.debtor()?;
    let pool = &ctx.pool;
    let merchant = merchant_by_id(pool, &debtor.merchant).await?;
    let (currency, amount, at, method, reference): (String, i64, i64, String, String) = sqlx::query_as(
        "SELECT currency, amount_minor, created_at, method, gateway_reference FROM payments \
         WHERE merchant_id = $1 AND customer_id = $2 AND id = $3",
    )
    .bind(debtor.merchant.as_str())
    .bind(debtor.customer.as_str())
    .bind(payment.as_str())
    .fetch_optional(pool)
    .await?
    .ok_or(Error::NotFound)?;
    let currency = records::currency(&currency)?;
    let sql = format!(
        "SELECT {}, CAST(SUM(a.amount_minor) AS BIGINT) AS allocated FROM applications a \
         JOIN invoices i ON i.merchant_id = a.merchant_id AND i.id = a.invoice_id \
         WHERE a.merchant_id = $1 AND a.payment_id = $2 AND ($3 = '' OR a.invoice_id = $3) \
         GROUP BY i.id, i.merchant_id, i.customer_id, i.number, i.currency, i.issue_date, i.due_date, i.total_minor, \
                  i.promised_until, i.disputed_minor, i.plan_id \
         ORDER BY i.number",
        records::INVOICE_COLUMNS
    );
    let today = merchant.today()?;
    let mut applied = Vec::new();
    let only = debtor.invoice.as_ref().map(InvoiceId::as_str).unwrap_or("");
    let rows =
        sqlx::query(&sql).bind(debtor.merchant.as_str()).bind(payment.as_str()).bind(only).fetch_all(pool).await?;
    for r in rows {
        use sqlx::{FromRow, Row};
        let row = InvoiceRow::from_row(&r)?;
        let allocated: i64 = r.try_get("allocated")?;
        applied.push((row.state(today)?, Money::from_minor(allocated, currency)));
    }
    // A pay link's session sees its one invoice: a payment that did not touch it is not
    // found, and of one that also settled others it sees this invoice's share as the amount
    // and no reference (the whole, or the payer's words, would tell what else the customer
    // owed and paid).
    let (amount, reference) = match &debtor.invoice {
        None => (Money::from_minor(amount, currency), reference),
        Some(_) => match applied.as_slice() {
            [(_, share)] if share.minor() == amount => (*share, reference),
            [(_, share)] => (*share, String::new()),
            _ => return Err(Error::NotFound),
        },
    };
    Ok(Receipt { merchant, payment: payment.clone(), at, amount, method, reference, applied })
}
