//! `kassa demo`: a demo merchant with a logo and brand colour, three customers (two in EUR,
//! one in DKK), twenty invoices that are open, overdue, partly paid and paid, and a staff
//! user. Safe to run again: what exists is kept, and fresh sign-in links are printed.

use std::fmt;

use anyhow::Context;
use kassa_domain::{Currency, Money};
use serde::Serialize;
use time::Duration;

use kassa_core::principal::{Mode, Scopes, StaffRole};
use kassa_core::services::customers::{self, CustomerInput};
use kassa_core::services::invoices::{self, CustomerRef, InvoiceInput, LineInput, NumberStyle};
use kassa_core::services::ledger::{self, IssueCreditNote, RecordPayment, ReversePayment, WriteOffInvoice};
use kassa_core::services::merchants::{self, CreateMerchant};
use kassa_core::services::records::format_date;
use kassa_core::services::records::merchant_by_slug;
use kassa_core::services::staff;
use kassa_core::services::widget;
use kassa_core::services::{api_keys, auth, promises};
use kassa_core::{Ctx, Principal};
use kassa_domain::{Apply, CustomerId, InvoiceNumber, MerchantId, MerchantSlug, PaymentId, Problem, WriteOffReason};
use secrecy::ExposeSecret;

use crate::config::Config;

pub const MERCHANT_SLUG: &str = "demo";
pub const STAFF_EMAIL: &str = "admin@demo.kassa.test";
pub const STAFF_PASSWORD: &str = "kassa-demo-2026";
/// The invoice the demo shop's `<kassa-pay>` shows.
pub const SHOP_INVOICE: &str = "NL-2026-0107";
/// The customer whose open invoices the demo shop's account page shows (`<kassa-invoices>`).
pub const SHOP_CUSTOMER: &str = "C-1003";

struct CustomerSeed {
    number: &'static str,
    name: &'static str,
    email: &'static str,
    language: &'static str,
    currency: Currency,
    invoices: &'static [InvoiceSeed],
}

/// Dates are relative to the day of seeding; `paid` is the part of the total already paid,
/// in per mille (0 open, 1000 paid).
struct InvoiceSeed {
    number: &'static str,
    issued_days_ago: i64,
    terms_days: i64,
    lines: &'static [(&'static str, &'static str, i64)],
    paid_per_mille: i64,
}

const fn inv(
    number: &'static str,
    issued_days_ago: i64,
    terms_days: i64,
    lines: &'static [(&'static str, &'static str, i64)],
    paid_per_mille: i64,
) -> InvoiceSeed {
    InvoiceSeed { number, issued_days_ago, terms_days, lines, paid_per_mille }
}

const CUSTOMERS: &[CustomerSeed] = &[
    CustomerSeed {
        number: "C-1001",
        name: "Bakkerij De Molen B.V.",
        email: "administratie@demolen.example",
        language: "nl",
        currency: Currency::EUR,
        invoices: &[
            inv("NL-2026-0101", 75, 30, &[("Rye flour, 25 kg sack", "12", 3150), ("Delivery", "1", 4500)], 0),
            inv("NL-2026-0102", 50, 30, &[("Proofing baskets", "40", 1295), ("Dough scrapers", "25", 349)], 400),
            inv("NL-2026-0103", 40, 14, &[("Oven maintenance", "3.5", 8500)], 1000),
            inv("NL-2026-0104", 10, 30, &[("Spelt flour, 25 kg sack", "8", 3875)], 0),
            inv("NL-2026-0105", 5, 30, &[("Packaging, 1000 bags", "4", 6240), ("Labels", "2000", 4)], 250),
            inv("NL-2026-0106", 60, 30, &[("Display cabinet rental", "1", 19900)], 1000),
            inv("NL-2026-0107", 2, 14, &[("Sourdough starter kit", "2", 2450), ("Shipping", "1", 695)], 0),
            inv("NL-2026-0108", 20, 30, &[("Bread crates", "8", 1500)], 0),
        ],
    },
    CustomerSeed {
        number: "C-1002",
        name: "Fjordkaffe ApS",
        email: "bogholderi@fjordkaffe.example",
        language: "da",
        currency: Currency::DKK,
        invoices: &[
            inv("DK-2026-0201", 80, 30, &[("Espresso beans, 1 kg", "30", 18900)], 0),
            inv("DK-2026-0202", 45, 30, &[("Milk jugs", "12", 14500), ("Tampers", "4", 39900)], 500),
            inv("DK-2026-0203", 35, 14, &[("Barista course", "2", 249500)], 1000),
            inv("DK-2026-0204", 12, 30, &[("Filter papers", "50", 3950)], 0),
            inv("DK-2026-0205", 3, 30, &[("Grinder burrs", "2", 89500)], 0),
            inv("DK-2026-0206", 65, 30, &[("Cups, 500 pcs", "6", 32500)], 1000),
            inv("DK-2026-0207", 20, 14, &[("Service visit", "1.5", 95000)], 0),
            inv("DK-2026-0208", 15, 30, &[("Descaling tablets", "10", 10000)], 0),
            inv("DK-2026-0209", 9, 30, &[("Cleaning brushes", "5", 15000)], 0),
            inv("DK-2026-0210", 18, 30, &[("Oat milk, 12 l", "4", 16500), ("Delivery", "1", 7500)], 0),
            // Left for a debtor to spread over a plan outside the policy (the browser tests).
            inv("DK-2026-0211", 40, 14, &[("Espresso machine service contract", "1", 480000)], 0),
        ],
    },
    CustomerSeed {
        number: "C-1003",
        name: "Studio Grachten",
        email: "info@studiograchten.example",
        language: "nl",
        currency: Currency::EUR,
        invoices: &[
            inv("NL-2026-0301", 90, 30, &[("Print paper A3, box", "10", 4299)], 0),
            inv("NL-2026-0302", 30, 30, &[("Framing", "6", 8950)], 0),
            inv("NL-2026-0303", 25, 14, &[("Canvas rolls", "3", 15990)], 600),
            inv("NL-2026-0304", 8, 30, &[("Ink cartridges", "9", 3499)], 0),
            inv("NL-2026-0305", 55, 30, &[("Studio lamp", "2", 12450)], 1000),
            inv("NL-2026-0306", 1, 30, &[("Mount board", "20", 675)], 0),
            inv("NL-2026-0307", 120, 14, &[("Small order surcharge", "1", 450)], 0),
            // Spread over a payment plan the day it came (seed_plan).
            inv("NL-2026-0309", 20, 30, &[("Gallery lighting rig", "1", 48000)], 0),
            // Left for a debtor to spread over a plan within the policy (the browser tests).
            inv("NL-2026-0310", 10, 30, &[("Easel, oak", "2", 13000)], 0),
        ],
    },
];

#[derive(Debug, Serialize)]
pub struct DemoLinks {
    pub merchant: String,
    /// A fresh test-mode API key for the demo merchant (keys are shown once, so each run
    /// makes one).
    pub api_key: String,
    pub customers: Vec<CustomerLink>,
    pub shop_url: Option<String>,
    pub staff_login_url: String,
    /// Where a debtor asks for a sign-in link by email.
    pub sign_in_url: String,
    /// The mail catcher, where those emails land unless `--smtp-url` is set.
    pub mail_url: String,
    pub staff_email: String,
    pub staff_password: String,
}

#[derive(Debug, Serialize)]
pub struct CustomerLink {
    pub name: String,
    pub currency: String,
    pub magic_link: String,
}

impl fmt::Display for DemoLinks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "Demo merchant \"{}\" is ready.", self.merchant)?;
        writeln!(f)?;
        writeln!(f, "Portal sign-in links (each works once, within 15 minutes; run `kassa demo` for fresh ones):")?;
        for c in &self.customers {
            writeln!(f, "  {} ({}): {}", c.name, c.currency, c.magic_link)?;
        }
        if let Some(shop) = &self.shop_url {
            writeln!(f, "Demo shop with the <kassa-pay> widget: {shop}/")?;
            writeln!(f, "  and a customer's account page with <kassa-invoices>: {shop}/account")?;
        }
        writeln!(
            f,
            "Staff admin: {}  (email {}, password {})",
            self.staff_login_url, self.staff_email, self.staff_password
        )?;
        writeln!(
            f,
            "Sign-in link by email: {}  (the demo's customers' addresses, such as administratie@demolen.example)",
            self.sign_in_url
        )?;
        writeln!(f, "Mail catcher (the emails Kassa would send; sign in as staff): {}", self.mail_url)?;
        writeln!(f, "Test API key (shown once; docs/api.md): {}", self.api_key)
    }
}

/// The demo merchant's logo (160 x 160 pixels).
const DEMO_LOGO: &[u8] = include_bytes!("demo-logo.png");

pub async fn seed(ctx: &Ctx, config: &Config) -> anyhow::Result<DemoLinks> {
    let pool = &ctx.pool;
    let slug = MerchantSlug::parse(MERCHANT_SLUG)?;
    let merchant = match merchant_by_slug(pool, &slug).await {
        Ok(m) => m,
        Err(kassa_core::Error::NotFound) => {
            let cmd = CreateMerchant {
                slug,
                name: "Noorderlicht Supplies".into(),
                brand_color: Some("#0b5cad".into()),
                logo: Some(DEMO_LOGO.to_vec()),
                time_zone: Some("Europe/Amsterdam".into()),
            };
            merchants::create(ctx, &Principal::System, cmd).await?
        }
        Err(e) => return Err(e.into()),
    };
    // A demo from before logos were uploaded (its logo was an address) gets its logo back.
    let merchant = match merchant.logo_url {
        None => {
            kassa_core::services::logos::set(ctx, &Principal::System, Some(&merchant.id), DEMO_LOGO.to_vec()).await?
        }
        Some(_) => merchant,
    };
    // Bank transfer details (the well-known example IBAN: test mode moves no money).
    let merchant = match merchant.bank {
        None => {
            let details = merchants::BankDetails {
                account_name: "Noorderlicht Supplies B.V.".into(),
                iban: "NL91 ABNA 0417 1643 00".into(),
                bic: Some("ABNANL2A".into()),
                reference_scheme: kassa_domain::ReferenceScheme::Rf,
                fik_creditor: None,
            };
            merchants::set_bank_details(ctx, &Principal::System, Some(&merchant.id), details).await?
        }
        Some(_) => merchant,
    };
    let (merchant_id, merchant_name) = (merchant.id.to_string(), merchant.name.clone());

    let today = merchant.today()?;
    let public = config.public_url();
    let mut customers = Vec::new();
    let system = Principal::System;
    for c in CUSTOMERS {
        // Through the services the API and the imports use, as a merchant's system would.
        let input = CustomerInput {
            number: c.number.into(),
            name: c.name.into(),
            email: Some(c.email.into()),
            language: Some(c.language.into()),
            ..Default::default()
        };
        let customer_id = match customers::create(ctx, &system, Some(&merchant.id), input).await {
            Ok((customer, _)) => customer.id.to_string(),
            // Seeded before, perhaps by an older demo: keep it.
            Err(kassa_core::Error::Problem(Problem::CustomerNumberTaken { .. })) => {
                sqlx::query_scalar("SELECT id FROM customers WHERE merchant_id = $1 AND number = $2")
                    .bind(&merchant_id)
                    .bind(c.number)
                    .fetch_one(pool)
                    .await?
            }
            Err(e) => return Err(e).with_context(|| format!("demo customer {}", c.number)),
        };
        let mut paid = Vec::new();
        for seed in c.invoices {
            let issued = today - Duration::days(seed.issued_days_ago);
            let input = InvoiceInput {
                customer: CustomerRef::Id(customer_id.clone()),
                number: seed.number.into(),
                currency: c.currency.code().into(),
                issue_date: format_date(issued),
                due_date: Some(format_date(issued + Duration::days(seed.terms_days))),
                lines: seed
                    .lines
                    .iter()
                    .map(|(description, qty, unit)| LineInput {
                        description: description.to_string(),
                        quantity: qty.to_string(),
                        unit_price: Money::from_minor(*unit, c.currency).amount_string(),
                    })
                    .collect(),
                numbers: NumberStyle::Plain,
                payment_reference: None,
                payee_iban: None,
            };
            match invoices::create(ctx, &system, Some(&merchant.id), input).await {
                Ok((invoice, _)) if seed.paid_per_mille > 0 => {
                    let part = invoice.total.minor() * seed.paid_per_mille / 1000;
                    paid.push((seed.number, Money::from_minor(part, c.currency)));
                }
                // Seeded on an earlier run (on another day its dates differ): keep it.
                Ok(_) | Err(kassa_core::Error::Problem(Problem::InvoiceNumberTaken { .. })) => {}
                Err(e) => return Err(e).with_context(|| format!("demo invoice {}", seed.number)),
            }
        }
        let (merchant, customer) =
            (MerchantId::from_raw(merchant_id.clone()), CustomerId::from_raw(customer_id.clone()));
        for (number, paid) in paid {
            bank_transfer(ctx, &merchant, &customer, &format!("demo-seed-{number}"), paid, number, None).await?;
        }
        seed_ledger_examples(ctx, &merchant, &customer, c.number).await?;
        let token = auth::issue_magic_link(
            pool,
            &MerchantId::from_raw(merchant_id.clone()),
            &CustomerId::from_raw(customer_id.clone()),
        )
        .await?;
        customers.push(CustomerLink {
            name: c.name.to_string(),
            currency: c.currency.to_string(),
            magic_link: format!("{public}/p/{MERCHANT_SLUG}/login/{token}"),
        });
    }

    let exists: Option<String> = sqlx::query_scalar("SELECT id FROM staff_users WHERE email = $1")
        .bind(STAFF_EMAIL)
        .fetch_optional(pool)
        .await?;
    if exists.is_none() {
        // The same way an operator adds staff, then the link's page, with a known password.
        let cmd = staff::AddStaff { merchant: merchant.id.clone(), email: STAFF_EMAIL.into(), role: StaffRole::Admin };
        let added = staff::add(ctx, &Principal::System, cmd).await?;
        staff::set_password(ctx, &added.password_token, STAFF_PASSWORD, STAFF_PASSWORD).await?;
    }
    seed_dispute(ctx, &merchant.id).await?;

    // Every scope: the demo shows the whole API, webhook endpoints and jobs included.
    let key = api_keys::CreateKey {
        merchant: merchant.id.clone(),
        name: "kassa demo".into(),
        mode: Mode::Test,
        scopes: Scopes::ALL,
    };
    let api_key = api_keys::create(ctx, &Principal::System, key).await?.secret.expose_secret().to_string();

    Ok(DemoLinks {
        merchant: merchant_name,
        api_key,
        customers,
        shop_url: config.demo_shop_url(),
        staff_login_url: format!("{public}/admin/login"),
        sign_in_url: format!("{public}/p/{MERCHANT_SLUG}/sign-in"),
        mail_url: format!("{public}/admin/mail"),
        staff_email: STAFF_EMAIL.into(),
        staff_password: STAFF_PASSWORD.into(),
    })
}

/// A dispute under review, so a newcomer sees one in the portal and the admin: Fjordkaffe
/// disputes the delivery line of DK-2026-0210, the demo's admin answers and notes something
/// for the other staff. Each step is keyed, so seeding again adds nothing.
async fn seed_dispute(ctx: &Ctx, merchant: &MerchantId) -> anyhow::Result<()> {
    use kassa_core::services::disputes::{self, OpenDispute, Reply};
    let (customer, staff_id): (String, String) = sqlx::query_as(
        "SELECT c.id, s.id FROM customers c JOIN staff_users s ON s.merchant_id = c.merchant_id \
         WHERE c.merchant_id = $1 AND c.number = 'C-1002' AND s.email = $2",
    )
    .bind(merchant.as_str())
    .bind(STAFF_EMAIL)
    .fetch_one(&ctx.pool)
    .await?;
    let debtor = Principal::Debtor(kassa_core::principal::Debtor {
        merchant: merchant.clone(),
        customer: CustomerId::from_raw(customer),
        invoice: None,
    });
    let cmd = OpenDispute {
        invoice: InvoiceNumber::parse("DK-2026-0210")?,
        reason: "wrong_price_or_quantity".into(),
        lines: vec![2],
        amount: None,
        decimal: ',',
        message: "Levering skulle være gratis ved bestillinger over 500 kr.".into(),
        files: Vec::new(),
        key: "demo-dispute".into(),
    };
    let dispute = match disputes::open(ctx, &debtor, cmd).await {
        Ok(dispute) => dispute,
        // Settled on an earlier run (by hand, in the demo): nothing to dispute.
        Err(kassa_core::Error::Problem(Problem::NothingOpen)) => return Ok(()),
        Err(e) => return Err(e.into()),
    };
    let admin = Principal::Staff(kassa_core::principal::Staff {
        merchant: merchant.clone(),
        staff: kassa_domain::StaffId::from_raw(staff_id),
        role: StaffRole::Admin,
        email: STAFF_EMAIL.into(),
    });
    for (key, body, internal) in [
        ("demo-dispute-answer", "Tak, vi undersøger det med vores fragtmand og vender tilbage.", false),
        ("demo-dispute-note", "Check the delivery terms in Fjordkaffe's contract before crediting.", true),
    ] {
        let reply = Reply { dispute: dispute.id.clone(), body: body.into(), internal, key: key.into() };
        match disputes::reply(ctx, &admin, reply).await {
            Ok(_) | Err(kassa_core::Error::Problem(Problem::DisputeClosed)) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

/// A bank transfer received for `number` (the rest of `amount`, if any, held as credit).
async fn bank_transfer(
    ctx: &Ctx,
    merchant: &MerchantId,
    customer: &CustomerId,
    key: &str,
    amount: Money,
    number: &str,
    applied: Option<Money>,
) -> anyhow::Result<PaymentId> {
    let number = InvoiceNumber::parse(number)?;
    Ok(ledger::record_payment(
        ctx,
        &Principal::System,
        RecordPayment {
            merchant: merchant.clone(),
            customer: customer.clone(),
            amount,
            method: "bank_transfer".into(),
            reference: format!("DEMO-{number}"),
            apply: Apply::Specified(vec![(number, applied.unwrap_or(amount))]),
            idempotency_key: key.into(),
        },
    )
    .await?)
}

/// The promise the demo's customer made `made_days_ago` days ago (as the portal makes it) to
/// pay all of invoice `number` by `days_ago` days ago; keyed, so seeding again finds it. `None`
/// where the invoice was already settled before (a database seeded by an older Kassa).
async fn demo_promise(
    ctx: &Ctx,
    merchant: &MerchantId,
    customer: &CustomerId,
    key: &str,
    number: &str,
    made_days_ago: i64,
    days_ago: i64,
) -> anyhow::Result<Option<String>> {
    let debtor = Principal::Debtor(kassa_core::principal::Debtor {
        merchant: merchant.clone(),
        customer: customer.clone(),
        invoice: None,
    });
    let today = kassa_core::services::records::today_of(&ctx.pool, merchant).await?;
    let cmd = promises::MakePromise {
        invoices: vec![InvoiceNumber::parse(number)?],
        date: format_date(today - Duration::days(days_ago)),
        amount: None,
        decimal: '.',
        key: key.into(),
    };
    match promises::make_on(ctx, &debtor, cmd, today - Duration::days(made_days_ago)).await {
        Ok(promise) => Ok(Some(promise.id)),
        Err(kassa_core::Error::Problem(Problem::InvoiceAlreadyPaid { .. })) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// The demo's plan policy (monthly or every two weeks, at most six instalments, accepted at
/// once within it; kept if the merchant changed it since) and a running plan: Studio Grachten
/// spread NL-2026-0309 (480.00) over four monthly instalments the day it came, twenty days
/// ago, the first due ten days ago and paid. Keyed, so seeding again adds nothing.
async fn seed_plan(ctx: &Ctx, merchant: &MerchantId, customer: &CustomerId) -> anyhow::Result<()> {
    use kassa_core::services::plans::{self, ProposePlan};
    use kassa_domain::plan::{Frequency, PlanPolicy};
    let set: Option<String> = sqlx::query_scalar("SELECT plan_policy FROM merchants WHERE id = $1")
        .bind(merchant.as_str())
        .fetch_one(&ctx.pool)
        .await?;
    if set.is_none() {
        let policy =
            PlanPolicy { frequencies: vec![Frequency::Monthly, Frequency::Fortnightly], ..PlanPolicy::default() };
        plans::set_policy_of(ctx, &Principal::System, Some(merchant), policy).await?;
    }
    let debtor = Principal::Debtor(kassa_core::principal::Debtor {
        merchant: merchant.clone(),
        customer: customer.clone(),
        invoice: None,
    });
    let today = kassa_core::services::records::today_of(&ctx.pool, merchant).await?;
    let cmd = ProposePlan {
        invoices: vec![InvoiceNumber::parse("NL-2026-0309")?],
        first: format_date(today - Duration::days(10)),
        frequency: "monthly".into(),
        count: "4".into(),
        key: "demo-plan".into(),
    };
    let plan = match plans::propose_on(ctx, &debtor, cmd, today - Duration::days(20)).await {
        Ok(plan) => plan,
        // Settled on an earlier run (by hand, in the demo), or in another plan: leave it.
        Err(kassa_core::Error::Problem(
            Problem::InvoiceAlreadyPaid { .. } | Problem::InvoiceAlreadyInPlan { .. } | Problem::NothingOpen,
        )) => return Ok(()),
        Err(e) => return Err(e.into()),
    };
    let first = Money::from_minor(12_000, Currency::EUR);
    bank_transfer(ctx, merchant, customer, "demo-plan-instalment-1", first, "NL-2026-0309", None).await?;
    plans::review_one(ctx, &plan.id, kassa_core::services::records::today_in).await?;
    Ok(())
}

/// One of each ledger event, so a newcomer sees them in the portal and the admin: a credit
/// note, a write-off, an overpayment held as credit and a reversed payment. Each is keyed, so
/// seeding again adds nothing.
async fn seed_ledger_examples(
    ctx: &Ctx,
    merchant: &MerchantId,
    customer: &CustomerId,
    customer_number: &str,
) -> anyhow::Result<()> {
    let system = Principal::System;
    let eur = |minor| Money::from_minor(minor, Currency::EUR);
    let dkk = |minor| Money::from_minor(minor, Currency::DKK);
    match customer_number {
        "C-1001" => {
            ledger::issue_credit_note(
                ctx,
                &system,
                IssueCreditNote {
                    merchant: merchant.clone(),
                    customer: customer.clone(),
                    number: "CN-2026-0001".into(),
                    amount: eur(12_000),
                    against: Some(InvoiceNumber::parse("NL-2026-0108")?),
                    reason: "Bread crates returned unused".into(),
                },
            )
            .await?;
        }
        "C-1002" => {
            // Promised ten days ago to pay DK-2026-0208 three days ago, and paid within the
            // grace: a kept promise. Promised twenty days ago to pay DK-2026-0201 ten days
            // ago, and not paid: a broken one (the invoice is collected again).
            let kept = demo_promise(ctx, merchant, customer, "demo-promise-kept", "DK-2026-0208", 10, 3).await?;
            let broken = demo_promise(ctx, merchant, customer, "demo-promise-broken", "DK-2026-0201", 20, 10).await?;
            // Paid 1,500.00 for an invoice of 1,000.00: 500.00 is held as credit.
            bank_transfer(
                ctx,
                merchant,
                customer,
                "demo-overpayment",
                dkk(150_000),
                "DK-2026-0208",
                Some(dkk(100_000)),
            )
            .await?;
            let card =
                bank_transfer(ctx, merchant, customer, "demo-chargeback", dkk(75_000), "DK-2026-0209", None).await?;
            let reversal = ledger::reverse_payment(
                ctx,
                &system,
                ReversePayment {
                    merchant: merchant.clone(),
                    payment: card,
                    reason: "Chargeback by the card holder".into(),
                },
            )
            .await;
            match reversal {
                Ok(_) | Err(kassa_core::Error::Problem(Problem::AlreadyReversed)) => {}
                Err(e) => return Err(e.into()),
            }
            for promise in [kept, broken].into_iter().flatten() {
                promises::review_one(ctx, &promise, kassa_core::services::records::today_in).await?;
            }
        }
        "C-1003" => {
            seed_plan(ctx, merchant, customer).await?;
            let number = InvoiceNumber::parse("NL-2026-0307")?;
            let already: Option<String> =
                sqlx::query_scalar("SELECT w.id FROM write_offs w JOIN invoices i ON i.id = w.invoice_id WHERE i.merchant_id = $1 AND i.number = $2")
                    .bind(merchant.as_str())
                    .bind(number.as_str())
                    .fetch_optional(&ctx.pool)
                    .await?;
            if already.is_none() {
                ledger::write_off(
                    ctx,
                    &system,
                    WriteOffInvoice {
                        merchant: merchant.clone(),
                        invoice: number,
                        amount: None,
                        reason: WriteOffReason::SmallBalance,
                        note: "Too small to chase".into(),
                    },
                )
                .await?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// A widget token for the demo shop's invoice, allowed on the shop's origin: the one handed
/// out before while it has half an hour left, else a new one valid for an hour.
pub async fn shop_token(ctx: &Ctx, shop_origin: &str) -> anyhow::Result<String> {
    let (merchant_id, invoice_id): (String, String) = sqlx::query_as(
        "SELECT m.id, i.id FROM merchants m JOIN invoices i ON i.merchant_id = m.id WHERE m.slug = $1 AND i.number = $2",
    )
    .bind(MERCHANT_SLUG)
    .bind(SHOP_INVOICE)
    .fetch_one(&ctx.pool)
    .await?;
    let target = widget::Target::Invoice(kassa_domain::InvoiceId::from_raw(invoice_id));
    shop_token_for(ctx, &kassa_domain::MerchantId::from_raw(merchant_id), &target, shop_origin).await
}

/// A widget token for the open invoices of the demo shop's account customer
/// ([`SHOP_CUSTOMER`], `<kassa-invoices>` on the shop's account page), as [`shop_token`].
pub async fn shop_account_token(ctx: &Ctx, shop_origin: &str) -> anyhow::Result<String> {
    let (merchant_id, customer_id): (String, String) = sqlx::query_as(
        "SELECT m.id, c.id FROM merchants m JOIN customers c ON c.merchant_id = m.id \
         WHERE m.slug = $1 AND c.number = $2",
    )
    .bind(MERCHANT_SLUG)
    .bind(SHOP_CUSTOMER)
    .fetch_one(&ctx.pool)
    .await?;
    let target = widget::Target::Customer(kassa_domain::CustomerId::from_raw(customer_id));
    shop_token_for(ctx, &kassa_domain::MerchantId::from_raw(merchant_id), &target, shop_origin).await
}

async fn shop_token_for(
    ctx: &Ctx,
    merchant: &kassa_domain::MerchantId,
    target: &widget::Target,
    shop_origin: &str,
) -> anyhow::Result<String> {
    let origins = vec![shop_origin.to_string()];
    let token = match widget::reusable(ctx, merchant, target, &origins, 1800).await? {
        Some(live) => live,
        None => widget::issue_for(ctx, merchant, target, origins, 3600).await?,
    };
    token.token.ok_or_else(|| anyhow::anyhow!("the newest widget key is retired"))
}
