//! A debtor pays (part of) an invoice, or several invoices in full, through a payment
//! provider. Every step is safe to retry and never charges twice:
//!
//! 1. The pay form's idempotency key is bound to the principal and to the request's content:
//!    the same key again answers the first attempt's outcome (or waits for it); the same key
//!    with other content, or from someone else, is refused.
//! 2. A payment attempt is written (`pending`) before the provider is called. While one
//!    attempt on an invoice is open, another one under a different key (a second tab, a
//!    second device) is refused with `payment_in_progress`.
//! 3. The merchant's gateway is asked with the key (it answers a replay with the same
//!    payment) and with where the payer comes back to.
//! 4. Its answer moves the attempt forward (never back) and, when it succeeded, records the
//!    amount and currency the provider reports in the ledger, in one transaction. When the
//!    payer must act first (a provider's checkout, 3-D Secure, a bank's page), they are sent
//!    there; back at the return address ([`returned`]), or when the gateway reports on its
//!    own (its event, [`apply_reported`]), the gateway is asked again and its answer settles the attempt
//!    the same way, once.

use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use kassa_domain::ledger::pay_one;
use kassa_domain::{
    Apply, AttemptState, CustomerId, InvoiceId, InvoiceNumber, Money, OpenItem, PaymentId, Problem, SourceKind,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::db::{self, Pool};
use crate::error::{Error, Result};
use crate::events::EventType;
use crate::gateways::{
    self, Account, CreatePayment, GatewayPayment, GatewayStatus, NextAction, PaymentGateway, SavedMethod,
};
use crate::principal::{Mode, Principal};
use crate::services::ledger::{self, Source};
use crate::services::plans;
use crate::services::portal::{self, debtor_invoice, Choice};
use crate::services::records::{merchant_by_id, Merchant};
use crate::services::stripe_accounts;
use crate::Ctx;

/// An open attempt blocks others on its invoices for this long; after that it is presumed
/// abandoned (the payer closed the bank's page) and no longer blocks.
pub const OPEN_ATTEMPT_BLOCKS_SECS: i64 = 15 * 60;

/// How long a twin request (same key) waits for the first one's outcome.
const JOIN_WAIT: Duration = Duration::from_secs(10);

/// Where a payment stands for the payer once they asked for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Paying {
    /// Paid: the payment, for its receipt.
    Paid(PaymentId),
    /// The payer must act on this page first (a provider's checkout, 3-D Secure, a bank); it
    /// sends them back to the attempt's return address.
    Redirect(String),
    /// Accepted, the money on its way (a direct debit takes days): the attempt, for its page.
    Processing(String),
}

#[derive(Debug, Clone)]
pub struct PayInvoice {
    pub number: InvoiceNumber,
    /// As the debtor typed it (`12,50`, `1.234,56`), read in the invoice's currency.
    pub amount: String,
    /// How the debtor's language writes the decimal point (`,` in Dutch and Danish, `.` in
    /// English): `12.345` is then refused as ambiguous rather than guessed.
    pub decimal: char,
    /// The pay form's idempotency key: the same key pays at most once.
    pub key: String,
    /// Where the payer comes back to from the provider's page.
    pub back: Back,
}

/// Where a payer comes back to from a provider's page: the portal, signed in, or the pay page
/// a widget token opened (in an overlay on a merchant's site, where Kassa's session cookie is
/// not sent: the token in the address is the payer's only credential there).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Back {
    #[default]
    Portal,
    /// The pay page of the widget token `token` started the payment, in language `lang`
    /// (a code, `nl`; the customer's when `None`).
    Widget { token: String, lang: Option<String> },
}

#[derive(sqlx::FromRow)]
struct AttemptRow {
    id: String,
    customer_id: String,
    principal: String,
    request_hash: String,
    state: String,
    decline_code: Option<String>,
    payment_id: Option<String>,
    gateway: String,
    gateway_reference: Option<String>,
    next_url: Option<String>,
    method: Option<String>,
}

struct Attempt {
    id: String,
    customer: String,
    principal: String,
    request_hash: String,
    state: AttemptState,
    decline_code: Option<String>,
    payment_id: Option<String>,
    gateway: String,
    reference: Option<String>,
    next_url: Option<String>,
    /// As the gateway named it, once it did.
    method: Option<String>,
}

const ATTEMPT_COLUMNS: &str = "id, customer_id, principal, request_hash, state, decline_code, payment_id, gateway, \
                               gateway_reference, next_url, method";

/// The merchant's attempt that `condition` (on `$2`, `$3`, ... bound to `args`) picks.
async fn find_attempt(pool: &Pool, merchant: &Merchant, condition: &str, args: &[&str]) -> Result<Option<Attempt>> {
    let sql = format!("SELECT {ATTEMPT_COLUMNS} FROM payment_attempts WHERE merchant_id = $1 AND {condition}");
    let mut query = sqlx::query_as::<_, AttemptRow>(&sql).bind(merchant.id.as_str());
    for arg in args {
        query = query.bind(*arg);
    }
    let row = query.fetch_optional(pool).await?;
    row.map(|r| {
        let state =
            AttemptState::parse(&r.state).ok_or_else(|| Error::internal(format!("attempt state {:?}", r.state)))?;
        Ok(Attempt {
            id: r.id,
            customer: r.customer_id,
            principal: r.principal,
            request_hash: r.request_hash,
            state,
            decline_code: r.decline_code,
            payment_id: r.payment_id,
            gateway: r.gateway,
            reference: r.gateway_reference,
            next_url: r.next_url,
            method: r.method,
        })
    })
    .transpose()
}

async fn attempt_by_key(pool: &Pool, merchant: &Merchant, key: &str) -> Result<Option<Attempt>> {
    find_attempt(pool, merchant, "idempotency_key = $2", &[key]).await
}

async fn attempt_by_id(pool: &Pool, merchant: &Merchant, id: &str) -> Result<Option<Attempt>> {
    find_attempt(pool, merchant, "id = $2", &[id]).await
}

/// What an attempt's state means for the payer.
fn outcome(attempt: &Attempt) -> Result<Paying> {
    match attempt.state {
        state if state.was_paid() => attempt
            .payment_id
            .clone()
            .map(|id| Paying::Paid(PaymentId::from_raw(id)))
            .ok_or_else(|| Error::internal(format!("attempt {} was paid without a payment", attempt.id))),
        AttemptState::Failed | AttemptState::Canceled => Err(Problem::PaymentDeclined {
            decline_code: attempt.decline_code.clone().unwrap_or_else(|| "canceled".into()),
        }
        .into()),
        AttemptState::RequiresAction => match &attempt.next_url {
            Some(url) => Ok(Paying::Redirect(url.clone())),
            None => Err(Problem::PaymentInProgress.into()),
        },
        AttemptState::Processing => Ok(Paying::Processing(attempt.id.clone())),
        _ => Err(Problem::PaymentInProgress.into()),
    }
}

/// The answer for a request whose key is already taken: the first attempt's outcome, once it
/// has one (waiting a little for a twin still in flight), if the request is the same.
async fn join(pool: &Pool, merchant: &Merchant, key: &str, principal: &str, hash: &str) -> Result<Option<Paying>> {
    let started = tokio::time::Instant::now();
    loop {
        let Some(attempt) = attempt_by_key(pool, merchant, key).await? else {
            return Ok(None);
        };
        if attempt.principal != principal || attempt.request_hash != hash {
            return Err(Problem::IdempotencyKeyReused.into());
        }
        // Only a twin that has not heard from the gateway yet is waited for.
        if attempt.state != AttemptState::Pending || started.elapsed() >= JOIN_WAIT {
            return outcome(&attempt).map(Some);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// SHA-256 over what was asked, so a key reused with other content is recognised.
fn request_hash(parts: &[&str]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part.as_bytes());
        hasher.update([0u8]);
    }
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(hasher.finalize())
}

/// Several invoices paid in full with one payment, as the debtor chose them on the portal.
#[derive(Debug, Clone)]
pub struct PayInvoices {
    pub choice: Choice,
    /// The total the debtor was shown, as the form carries it: charged only while the chosen
    /// invoices' balances still come to it (`selection_changed` otherwise).
    pub total: String,
    pub key: String,
    /// Where the payer comes back to from the provider's page.
    pub back: Back,
}

/// A charge about to be made: for how much, and what of it goes to which invoice.
struct Charge<'a> {
    amount: Money,
    /// Invoice id and the part of `amount` planned for it.
    parts: Vec<(InvoiceId, Money)>,
    /// For the provider's statement: "<merchant> invoice A, B".
    numbers: Vec<&'a InvoiceNumber>,
    /// The request's content (for the idempotency key) besides the amount.
    hash_of: Vec<&'a str>,
    key: &'a str,
    /// Collected from a mandate the payer signed, without them; `None`: they pay now.
    saved: Option<SavedMethod>,
    back: &'a Back,
}

/// The merchant a debtor pays and the form's key, checked before anything is read or charged.
async fn paying<'a>(ctx: &Ctx, who: &Principal, key: &'a str) -> Result<(Merchant, &'a str)> {
    let debtor = who.debtor()?;
    let merchant = merchant_by_id(&ctx.pool, &debtor.merchant).await?;
    let key = key.trim();
    if key.is_empty() || key.len() > 100 || key.chars().any(char::is_control) {
        return Err(Problem::FormExpired.into());
    }
    gateway_for(ctx, &merchant).await?;
    Ok((merchant, key))
}

/// The gateway a merchant's debtors pay through now, and the merchant's account with it: its
/// Stripe account for the merchant's mode once connected, else the sandbox in test mode. The
/// sandbox never takes live money: live mode without Stripe takes no payments.
pub(crate) async fn gateway_for(
    ctx: &Ctx,
    merchant: &Merchant,
) -> Result<(&'static str, Arc<dyn PaymentGateway>, Account)> {
    let account =
        |credentials| Account { merchant: merchant.id.clone(), live: merchant.mode == Mode::Live, credentials };
    let name = match stripe_accounts::credentials(ctx, &merchant.id, merchant.mode).await? {
        Some(credentials) => {
            let gateway = ctx.gateways.get(gateways::stripe::NAME).cloned().ok_or(Problem::PaymentsUnavailable)?;
            return Ok((gateways::stripe::NAME, gateway, account(Some(credentials))));
        }
        None if merchant.mode == Mode::Live => return Err(Problem::PaymentsUnavailable.into()),
        None => gateways::sandbox::NAME,
    };
    let gateway = ctx.gateways.get(name).cloned().ok_or(Problem::PaymentsUnavailable)?;
    Ok((name, gateway, account(None)))
}

/// The merchant's accounts with `gateway`, the one for its current mode first: an event is
/// read with each in turn (Stripe signs test and live events with different secrets), an
/// attempt is asked about with the first.
pub(crate) async fn accounts(ctx: &Ctx, merchant: &Merchant, gateway: &str) -> Result<Vec<Account>> {
    let account =
        |mode: Mode, credentials| Account { merchant: merchant.id.clone(), live: mode == Mode::Live, credentials };
    if gateway != gateways::stripe::NAME {
        return Ok(vec![account(merchant.mode, None)]);
    }
    let other = if merchant.mode == Mode::Live { Mode::Test } else { Mode::Live };
    let mut found = Vec::new();
    for mode in [merchant.mode, other] {
        if let Some(credentials) = stripe_accounts::credentials(ctx, &merchant.id, mode).await? {
            found.push(account(mode, Some(credentials)));
        }
    }
    Ok(found)
}

/// Pays (part of) one invoice: paid (the payment, for its receipt), or where the payer goes
/// next, or why not.
pub async fn pay(ctx: &Ctx, who: &Principal, cmd: PayInvoice) -> Result<Paying> {
    let (merchant, key) = paying(ctx, who, &cmd.key).await?;
    let invoice = debtor_invoice(&ctx.pool, who.debtor()?, &cmd.number).await?;
    let currency = invoice.currency()?;
    let amount = Money::parse_typed(&cmd.amount, currency, cmd.decimal)?;
    let check = pay_one(amount, &OpenItem { invoice: invoice.id.clone(), balance: invoice.balance()? })
        .map(|_| ())
        .map_err(Error::from);
    let charge = Charge {
        amount,
        parts: vec![(InvoiceId::from_raw(invoice.id.clone()), amount)],
        numbers: vec![&cmd.number],
        hash_of: vec![&invoice.id],
        key,
        saved: None,
        back: &cmd.back,
    };
    charge_once(ctx, who, &merchant, charge, check).await
}

/// Pays the chosen invoices with one payment, each getting exactly what it asks for (its
/// balance less what disputes hold): as [`pay`] answers.
pub async fn pay_several(ctx: &Ctx, who: &Principal, cmd: PayInvoices) -> Result<Paying> {
    let (merchant, key) = paying(ctx, who, &cmd.key).await?;
    // A retry after the payment went through finds the invoices paid: it is answered from
    // the key (charge_once joins first), so the selection's checks must not refuse it here.
    let chosen = match portal::selection(ctx, who, &cmd.choice).await {
        Ok(chosen) => chosen,
        Err(e) => return join_or(ctx, who, &merchant, key, e).await,
    };
    let shown = Money::parse(&cmd.total, chosen.total.currency())?;
    let check =
        if shown == chosen.total { Ok(()) } else { Err(Problem::SelectionChanged { total: chosen.total }.into()) };
    let charge = Charge {
        amount: shown,
        parts: chosen.invoices.iter().map(|i| (i.id.clone(), i.collectable)).collect(),
        numbers: chosen.invoices.iter().map(|i| &i.number).collect(),
        hash_of: chosen.invoices.iter().map(|i| i.id.as_str()).collect(),
        key,
        saved: None,
        back: &cmd.back,
    };
    charge_once(ctx, who, &merchant, charge, check).await
}

/// A running plan's next instalment (and any missed before it), paid by its debtor.
#[derive(Debug, Clone)]
pub struct PayInstalment {
    pub plan: String,
    pub key: String,
}

/// Pays what a plan asks for now ([`plans::instalment_due`]) with one payment spread over its
/// invoices: as [`pay`] answers. A retry with the key answers the first attempt's outcome
/// (the plan's next instalment has moved on by then).
pub async fn pay_instalment(ctx: &Ctx, who: &Principal, cmd: PayInstalment) -> Result<Paying> {
    instalment(ctx, who, &cmd.plan, &cmd.key, None).await
}

/// Collects what a plan asks for now ([`plans::instalment_due`]) from the direct-debit mandate
/// its debtor signed, without them: once per `key` (the plans job gives one per instalment),
/// as [`pay_instalment`] pays it otherwise. `who` is the plan's debtor (the mandate is theirs);
/// the merchant must still pay through the account the mandate is with (`gateway`, live or
/// test).
pub async fn debit_instalment(
    ctx: &Ctx,
    who: &Principal,
    plan: &str,
    key: &str,
    (gateway, live): (&str, bool),
    saved: SavedMethod,
) -> Result<Paying> {
    let merchant = merchant_by_id(&ctx.pool, &who.debtor()?.merchant).await?;
    let (name, _, account) = gateway_for(ctx, &merchant).await?;
    if name != gateway || account.live != live {
        return Err(Problem::PaymentsUnavailable.into());
    }
    instalment(ctx, who, plan, key, Some(saved)).await
}

/// What a plan asks for now, charged once per key: by the debtor (`saved` is `None`) or from
/// their mandate.
async fn instalment(ctx: &Ctx, who: &Principal, plan: &str, key: &str, saved: Option<SavedMethod>) -> Result<Paying> {
    let (merchant, key) = paying(ctx, who, key).await?;
    let principal = format!("debtor:{}", who.debtor()?.customer);
    if let Some(attempt) = attempt_by_key(&ctx.pool, &merchant, key).await? {
        if attempt.principal == principal {
            return outcome(&attempt);
        }
        return Err(Problem::IdempotencyKeyReused.into());
    }
    let due = plans::instalment_due(ctx, who, plan).await?;
    let mut hash_of = vec![plan];
    hash_of.extend(due.parts.iter().map(|(id, _, _)| id.as_str()));
    let charge = Charge {
        amount: due.amount,
        parts: due.parts.iter().map(|(id, _, part)| (id.clone(), *part)).collect(),
        numbers: due.parts.iter().map(|(_, number, _)| number).collect(),
        hash_of,
        key,
        saved,
        back: &Back::Portal,
    };
    charge_once(ctx, who, &merchant, charge, Ok(())).await
}

/// The payment already made under `key` by this debtor, if there is one; `refusal` otherwise.
async fn join_or(ctx: &Ctx, who: &Principal, merchant: &Merchant, key: &str, refusal: Error) -> Result<Paying> {
    let principal = format!("debtor:{}", who.debtor()?.customer);
    match attempt_by_key(&ctx.pool, merchant, key).await? {
        Some(attempt) if attempt.principal == principal => outcome(&attempt),
        _ => Err(refusal),
    }
}

/// Charges once per key: the same key and content answer the first attempt's outcome; `check`
/// (whether the charge may be made, worked out by the caller) is asked only of a new request.
async fn charge_once(
    ctx: &Ctx,
    who: &Principal,
    merchant: &Merchant,
    charge: Charge<'_>,
    check: Result<()>,
) -> Result<Paying> {
    let debtor = who.debtor()?;
    let pool = &ctx.pool;
    let key = charge.key;
    let amount = charge.amount;
    let currency = amount.currency();
    let principal = format!("debtor:{}", debtor.customer);
    let minor = amount.minor().to_string();
    let mut hashed = charge.hash_of.clone();
    hashed.extend([minor.as_str(), currency.code()]);
    let hash = request_hash(&hashed);
    if let Some(paid) = join(pool, merchant, key, &principal, &hash).await? {
        return Ok(paid);
    }
    if let Err(e) = check {
        // A twin request with this key (a double click) may have just paid the balance:
        // then this one answers with that payment, not with "already paid".
        return match join(pool, merchant, key, &principal, &hash).await? {
            Some(paid) => Ok(paid),
            None => Err(e),
        };
    }

    // 1. The attempt, before the provider hears of it.
    let attempt_id = db::new_id();
    let now = db::now();
    let (gateway_name, gateway, account) = gateway_for(ctx, merchant).await?;
    let mut tx = db::begin_write(pool).await?;
    db::lock_customer(&mut tx, merchant.id.as_str(), debtor.customer.as_str()).await?;
    for (invoice, _) in &charge.parts {
        let open: Option<String> = sqlx::query_scalar(
            "SELECT a.id FROM payment_attempts a JOIN payment_attempt_invoices ai \
               ON ai.merchant_id = a.merchant_id AND ai.attempt_id = a.id \
             WHERE a.merchant_id = $1 AND ai.invoice_id = $2 AND a.idempotency_key <> $3 \
               AND a.state IN ('pending', 'requires_action', 'processing') AND a.created_at > $4",
        )
        .bind(merchant.id.as_str())
        .bind(invoice.as_str())
        .bind(key)
        .bind(now - OPEN_ATTEMPT_BLOCKS_SECS)
        .fetch_optional(&mut *tx)
        .await?;
        if open.is_some() {
            return Err(Problem::PaymentInProgress.into());
        }
    }
    let inserted = sqlx::query(
        "INSERT INTO payment_attempts (id, merchant_id, customer_id, idempotency_key, principal, request_hash, currency, \
         amount_minor, gateway, state, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'pending', $10, $10) \
         ON CONFLICT (merchant_id, idempotency_key) DO NOTHING",
    )
    .bind(&attempt_id)
    .bind(merchant.id.as_str())
    .bind(debtor.customer.as_str())
    .bind(key)
    .bind(&principal)
    .bind(&hash)
    .bind(currency.code())
    .bind(amount.minor())
    .bind(gateway_name)
    .bind(now)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if inserted == 0 {
        // A twin with this key got here first: answer with its outcome.
        tx.rollback().await?;
        return join(pool, merchant, key, &principal, &hash)
            .await?
            .ok_or_else(|| Error::internal("an attempt vanished"));
    }
    for (invoice, part) in &charge.parts {
        sqlx::query(
            "INSERT INTO payment_attempt_invoices (attempt_id, merchant_id, invoice_id, amount_minor) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(&attempt_id)
        .bind(merchant.id.as_str())
        .bind(invoice.as_str())
        .bind(part.minor())
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;

    // 2. The provider, asked with the key.
    let numbers = charge.numbers.iter().map(|n| n.as_str()).collect::<Vec<_>>().join(", ");
    let request = CreatePayment {
        amount,
        idempotency_key: format!("{}:{}", merchant.id, key),
        description: format!("{} invoice {numbers}", merchant.name),
        return_url: return_url(ctx, merchant, &attempt_id, charge.back),
        attempt: attempt_id.clone(),
        saved: charge.saved.clone(),
    };
    let answer = gateway
        .create(&account, request)
        .await
        // The attempt stays pending: the provider may have charged. It stops blocking new
        // attempts after OPEN_ATTEMPT_BLOCKS_SECS; the provider's own report settles it.
        .map_err(|e| Error::Internal(e.into()))?;

    // 3. Its answer, moving the attempt forward and the money into the ledger.
    settle_attempt(ctx, who, merchant, &attempt_id, &report(answer, form_url(ctx, merchant, &attempt_id))).await?;
    let attempt = attempt_by_key(pool, merchant, key).await?.ok_or_else(|| Error::internal("an attempt vanished"))?;
    tracing::info!(merchant = %merchant.slug, invoices = %numbers, %amount, state = attempt.state.as_str(), "payment attempt");
    outcome(&attempt)
}

/// The payer is back from the gateway's page (at the attempt's return address): where the
/// attempt stands now, asking the gateway first when it has not been settled yet. Only the
/// debtor who made the attempt gets an answer.
pub async fn returned(ctx: &Ctx, who: &Principal, attempt: &str) -> Result<Paying> {
    let (merchant, found) = own_attempt(ctx, who, attempt).await?;
    if found.state == AttemptState::Succeeded && found.method.is_none() {
        // Paid, as the gateway's event said without naming the method: asked once, so that
        // the receipt names it; the receipt stands either way.
        if let Err(e) = reconcile(ctx, who, &merchant, &found).await {
            tracing::warn!(attempt, error = %e, "the gateway was not asked which method paid");
        }
        return outcome(&own_attempt(ctx, who, attempt).await?.1);
    }
    // A failed one too: the payer may have paid with another card on the provider's form.
    if !found.state.is_open() && found.state != AttemptState::Failed {
        return outcome(&found);
    }
    reconcile(ctx, who, &merchant, &found).await?;
    outcome(&own_attempt(ctx, who, attempt).await?.1)
}

/// The debtor's own attempt (another's is not found) and its merchant. A debtor narrowed to one
/// invoice (a pay link, a widget's pay page) finds only the attempts that pay that invoice alone,
/// not the same customer's others.
async fn own_attempt(ctx: &Ctx, who: &Principal, attempt: &str) -> Result<(Merchant, Attempt)> {
    let debtor = who.debtor()?;
    let merchant = merchant_by_id(&ctx.pool, &debtor.merchant).await?;
    let found = attempt_by_id(&ctx.pool, &merchant, attempt)
        .await?
        .filter(|a| a.customer == debtor.customer.as_str())
        .ok_or(Error::NotFound)?;
    if let Some(invoice) = &debtor.invoice {
        let paid = attempt_invoice_ids(&ctx.pool, &found.id).await?;
        if paid != [invoice.as_str()] {
            return Err(Error::NotFound);
        }
    }
    Ok((merchant, found))
}

/// The ids of the invoices an attempt pays.
async fn attempt_invoice_ids(pool: &Pool, attempt: &str) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar("SELECT invoice_id FROM payment_attempt_invoices WHERE attempt_id = $1 ORDER BY invoice_id")
        .bind(attempt)
        .fetch_all(pool)
        .await?)
}

/// What Kassa's payment form needs to let the provider's script (Stripe's Payment Element)
/// collect the payer's details and confirm the payment in their browser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentForm {
    pub gateway: &'static str,
    /// The provider's key for browsers (Stripe's publishable key).
    pub publishable_key: String,
    /// Lets the browser confirm this one payment, nothing else (Stripe's client secret).
    pub client_secret: String,
    /// What the payment is for, as the provider will charge it.
    pub amount: Money,
    /// Where the provider sends the payer afterwards.
    pub return_url: String,
    /// The attempt's invoices, by number.
    pub invoices: Vec<String>,
}

/// The payment form for the debtor's attempt, while the provider still waits for the payer's
/// details; otherwise where the attempt stands (paid, on its way, the provider's page, or why
/// not), as [`returned`] answers.
pub async fn payment_form(
    ctx: &Ctx,
    who: &Principal,
    attempt: &str,
    back: &Back,
) -> Result<std::result::Result<PaymentForm, Paying>> {
    let (merchant, found) = own_attempt(ctx, who, attempt).await?;
    let (Some(reference), true) = (&found.reference, found.state.is_open()) else {
        return outcome(&found).map(Err);
    };
    let gateway =
        ctx.gateways.get(&found.gateway).cloned().ok_or_else(|| {
            Error::internal(format!("attempt {} is with an unknown gateway {}", found.id, found.gateway))
        })?;
    let account =
        accounts(ctx, &merchant, &found.gateway).await?.into_iter().next().ok_or(Problem::PaymentsUnavailable)?;
    let answer = gateway.retrieve(&account, reference).await.map_err(|e| Error::Internal(e.into()))?;
    let form = match (&answer.next, &account.credentials) {
        (Some(NextAction::PaymentForm { client_secret }), Some(credentials)) => Some(PaymentForm {
            gateway: gateway.name(),
            publishable_key: credentials.publishable_key.clone(),
            client_secret: client_secret.clone(),
            amount: answer.amount,
            return_url: return_url(ctx, &merchant, &found.id, back),
            invoices: attempt_numbers(&ctx.pool, &found.id).await?,
        }),
        _ => None,
    };
    if let Some(form) = form {
        return Ok(Ok(form));
    }
    settle_attempt(ctx, who, &merchant, &found.id, &report(answer, form_url(ctx, &merchant, &found.id))).await?;
    outcome(&own_attempt(ctx, who, attempt).await?.1).map(Err)
}

/// The invoice numbers an attempt pays, in order.
async fn attempt_numbers(pool: &Pool, attempt: &str) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT i.number FROM payment_attempt_invoices a JOIN invoices i ON i.id = a.invoice_id \
         WHERE a.attempt_id = $1 ORDER BY i.number",
    )
    .bind(attempt)
    .fetch_all(pool)
    .await?)
}

/// The attempt's return address: the portal's, or the widget pay page's that started it.
pub fn return_url(ctx: &Ctx, merchant: &Merchant, attempt: &str, back: &Back) -> String {
    let root = ctx.public_url.trim_end_matches('/');
    match back {
        Back::Portal => format!("{root}/p/{}/pay/return/{attempt}", merchant.slug),
        Back::Widget { token, lang: None } => format!("{root}/w/v1/pay/{token}/return/{attempt}"),
        Back::Widget { token, lang: Some(lang) } => format!("{root}/w/v1/pay/{token}/return/{attempt}?lang={lang}"),
    }
}

/// A gateway's event about one of its payments, applied inside the event's transaction: the
/// attempt it belongs to (by the gateway's reference, else by the attempt id the gateway keeps
/// with the payment, when its first answer never reached Kassa) moves by what the event says,
/// forward only; a success is recorded once. An event for a payment no attempt knows changes
/// nothing.
pub(crate) async fn apply_reported(
    tx: &mut db::Tx,
    ctx: &Ctx,
    merchant: &Merchant,
    gateway: &str,
    payment: GatewayPayment,
) -> Result<()> {
    let by_reference: Option<(String, String)> =
        sqlx::query_as(&attempt_locking_customer(tx, "a.gateway = $2 AND a.gateway_reference = $3"))
            .bind(merchant.id.as_str())
            .bind(gateway)
            .bind(&payment.reference)
            .fetch_optional(&mut **tx)
            .await?;
    let attempt = match (by_reference, &payment.attempt) {
        (Some(found), _) => Some(found),
        (None, Some(id)) => {
            sqlx::query_as(&attempt_locking_customer(
                tx,
                "a.gateway = $2 AND a.id = $3 AND a.gateway_reference IS NULL",
            ))
            .bind(merchant.id.as_str())
            .bind(gateway)
            .bind(id)
            .fetch_optional(&mut **tx)
            .await?
        }
        (None, None) => None,
    };
    match attempt {
        Some((id, customer)) => {
            let report = report(payment, form_url(ctx, merchant, &id));
            let customer = CustomerId::from_raw(customer);
            settle_locked(tx, ctx, &Principal::System, merchant, &customer, &id, &report).await
        }
        None => {
            tracing::warn!(merchant = %merchant.slug, gateway, reference = %payment.reference, "an event for a payment no attempt knows");
            Ok(())
        }
    }
}

/// Asks the attempt's gateway where its payment stands and settles the attempt by the answer
/// (forward only; a success recorded once).
async fn reconcile(ctx: &Ctx, who: &Principal, merchant: &Merchant, attempt: &Attempt) -> Result<()> {
    let Some(reference) = &attempt.reference else {
        // The gateway never answered the request: nothing to ask it by yet.
        return Ok(());
    };
    let gateway = ctx.gateways.get(&attempt.gateway).ok_or_else(|| {
        Error::internal(format!("attempt {} is with an unknown gateway {}", attempt.id, attempt.gateway))
    })?;
    let account = accounts(ctx, merchant, &attempt.gateway).await?.into_iter().next().ok_or_else(|| {
        Error::internal(format!("attempt {} is with {}, no longer connected", attempt.id, attempt.gateway))
    })?;
    let answer = gateway.retrieve(&account, reference).await.map_err(|e| Error::Internal(e.into()))?;
    settle_attempt(ctx, who, merchant, &attempt.id, &report(answer, form_url(ctx, merchant, &attempt.id))).await
}

/// What a gateway reported about an attempt.
struct Report {
    state: AttemptState,
    reference: String,
    decline_code: Option<String>,
    /// What it charged, in its currency.
    charged: Money,
    method: Option<String>,
    /// Where the payer must go while it requires action.
    next_url: Option<String>,
}

/// Kassa's payment form for an attempt (the provider's fields on Kassa's page).
pub fn form_url(ctx: &Ctx, merchant: &Merchant, attempt: &str) -> String {
    format!("{}/p/{}/pay/form/{attempt}", ctx.public_url.trim_end_matches('/'), merchant.slug)
}

/// What `answer` means for the attempt; `form_url` is where the payer goes when the provider
/// collects their details on Kassa's payment form.
fn report(answer: GatewayPayment, form_url: String) -> Report {
    let (state, decline_code) = match answer.status {
        GatewayStatus::Succeeded => (AttemptState::Succeeded, None),
        GatewayStatus::Processing => (AttemptState::Processing, None),
        GatewayStatus::RequiresAction => (AttemptState::RequiresAction, None),
        GatewayStatus::Declined { decline_code } => (AttemptState::Failed, Some(decline_code)),
        GatewayStatus::Canceled => (AttemptState::Canceled, None),
    };
    let next_url = answer.next.map(|next| match next {
        NextAction::Redirect(url) => url,
        NextAction::PaymentForm { .. } => form_url,
    });
    Report { state, reference: answer.reference, decline_code, charged: answer.amount, method: answer.method, next_url }
}

/// Moves an attempt to the reported state if that is forward from where it is, and records a
/// success in the ledger: the amount and currency the gateway reports, applied to the
/// invoices as planned, each up to its balance now (the rest held as credit). Safe to call
/// again with the same report: an attempt already there is left alone.
async fn settle_attempt(
    ctx: &Ctx,
    who: &Principal,
    merchant: &Merchant,
    attempt_id: &str,
    report: &Report,
) -> Result<()> {
    let mut tx = db::begin_write(&ctx.pool).await?;
    settle_in(&mut tx, ctx, who, merchant, attempt_id, report).await?;
    tx.commit().await?;
    Ok(())
}

/// [`settle_attempt`] inside the caller's write transaction (with a gateway's event, which is
/// stored in the same one). A report that is not forward from where the attempt stands
/// changes nothing.
async fn settle_in(
    tx: &mut db::Tx,
    ctx: &Ctx,
    who: &Principal,
    merchant: &Merchant,
    attempt_id: &str,
    report: &Report,
) -> Result<()> {
    let (_, customer): (String, String) = sqlx::query_as(&attempt_locking_customer(tx, "a.id = $2"))
        .bind(merchant.id.as_str())
        .bind(attempt_id)
        .fetch_one(&mut **tx)
        .await?;
    settle_locked(tx, ctx, who, merchant, &CustomerId::from_raw(customer), attempt_id, report).await
}

/// The query for an attempt's id and customer (the merchant `$1`, the attempt as `by` picks
/// it, alias `a`) that also locks the customer as settling locks it, in one round trip: an
/// attempt's id and customer never change, so reading them before the lock is granted is
/// safe; where the attempt stands is read after it ([`settle_locked`]).
fn attempt_locking_customer(tx: &db::Tx, by: &str) -> String {
    format!(
        "SELECT a.id, a.customer_id FROM payment_attempts a \
         JOIN customers c ON c.merchant_id = a.merchant_id AND c.id = a.customer_id \
         WHERE a.merchant_id = $1 AND {by}{}",
        db::locking_customer(tx, "c")
    )
}

/// [`settle_in`] for an attempt of `customer`'s (the customer it was made for), the customer
/// already locked in `tx`.
async fn settle_locked(
    tx: &mut db::Tx,
    ctx: &Ctx,
    who: &Principal,
    merchant: &Merchant,
    customer: &CustomerId,
    attempt_id: &str,
    report: &Report,
) -> Result<()> {
    // Read after the lock: where the attempt stands now that no one else can move it (and
    // the customer's mode, which its events go out in).
    let (gateway, currency, state, known_method, mode): (String, String, String, Option<String>, String) =
        sqlx::query_as(
            "SELECT a.gateway, a.currency, a.state, a.method, c.mode FROM payment_attempts a \
             JOIN customers c ON c.merchant_id = a.merchant_id AND c.id = a.customer_id \
             WHERE a.merchant_id = $1 AND a.id = $2",
        )
        .bind(merchant.id.as_str())
        .bind(attempt_id)
        .fetch_one(&mut **tx)
        .await?;
    let state = AttemptState::parse(&state).ok_or_else(|| Error::internal(format!("attempt state {state:?}")))?;
    let mode = Mode::from_stored(&mode, format_args!("customer {customer}"))?;
    if !state.can_become(report.state) {
        // Already there or beyond (a twin, a repeated or late report): nothing is recorded
        // twice. The method is kept if this report is the first to name it (Stripe's events
        // carry only the method's id; the payer's return asks Stripe for the method itself).
        if let (Some(method), None) = (&report.method, &known_method) {
            sqlx::query("UPDATE payment_attempts SET method = $1 WHERE merchant_id = $2 AND id = $3")
                .bind(method)
                .bind(merchant.id.as_str())
                .bind(attempt_id)
                .execute(&mut **tx)
                .await?;
            // Its payment, recorded from the event, named the gateway for want of the method.
            sqlx::query(
                "UPDATE payments SET method = $1 WHERE merchant_id = $2 AND attempt_id = $3 AND method = gateway",
            )
            .bind(method)
            .bind(merchant.id.as_str())
            .bind(attempt_id)
            .execute(&mut **tx)
            .await?;
        }
        return Ok(());
    }
    let method = report.method.clone().or(known_method);
    let asked_in = kassa_domain::Currency::parse(&currency)?;
    let charged = report.charged;
    let now = db::now();
    let payment_id = (report.state == AttemptState::Succeeded).then(|| PaymentId::from_raw(db::new_id()));
    // The customer's ledger before and after the payment, for the invoices it settles.
    let mut ledgers: Option<(ledger::Ledger, ledger::Ledger)> = None;
    if let Some(payment) = &payment_id {
        // The ledger is read before the payment is written, so the payment is new to it.
        let mut loaded = ledger::load(tx, &merchant.id, customer, charged.currency()).await?;
        let planned = planned_parts(tx, merchant, attempt_id).await?;
        sqlx::query(
            "INSERT INTO payments (id, merchant_id, customer_id, currency, amount_minor, method, gateway, \
             gateway_reference, status, idempotency_key, attempt_id, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'succeeded', $9, $9, $10)",
        )
        .bind(payment.as_str())
        .bind(merchant.id.as_str())
        .bind(customer.as_str())
        .bind(charged.currency().code())
        .bind(charged.minor())
        .bind(method.as_deref().unwrap_or(&gateway))
        .bind(&gateway)
        .bind(&report.reference)
        .bind(attempt_id)
        .bind(now)
        .execute(&mut **tx)
        .await?;
        // A charge in another currency than the invoices' cannot settle them: held as credit.
        // Each invoice takes its planned part, at most its balance now and what is left of
        // the charge.
        let mut left = charged;
        let mut parts = Vec::new();
        for (invoice, part) in &planned {
            if !loaded.numbers.values().any(|i| i == invoice) || asked_in != charged.currency() {
                continue;
            }
            let balance = loaded.ledger.balance(invoice)?;
            // Attempts from before planned parts were kept: the invoice's balance.
            let part = part.map(|minor| Money::from_minor(minor, asked_in)).unwrap_or(balance);
            let take = left.min(part)?.min(balance)?;
            if take.is_positive() {
                left = left.checked_sub(take)?;
                parts.push((invoice.clone(), take));
            }
        }
        let apply = if parts.is_empty() { Apply::Hold } else { Apply::Specified(parts) };
        // The debtor chose the amount, so no shortfall is written off here.
        let source = Source::Payment(payment.clone());
        let before = loaded.ledger.clone();
        let received =
            loaded.ledger.receive(source, SourceKind::Payment, charged, apply, Money::zero(charged.currency()))?;
        ledger::store_received(tx, &merchant.id, customer, &received).await?;
        ledgers = Some((before, loaded.ledger));
    }
    let predecessors =
        report.state.predecessors().iter().map(|s| format!("'{}'", s.as_str())).collect::<Vec<_>>().join(", ");
    let moved = sqlx::query(&format!(
        "UPDATE payment_attempts SET state = $1, gateway_reference = $2, decline_code = $3, payment_id = $4, \
         updated_at = $5, method = $8, next_url = $9 WHERE merchant_id = $6 AND id = $7 AND state IN ({predecessors})"
    ))
    .bind(report.state.as_str())
    .bind(&report.reference)
    .bind(&report.decline_code)
    .bind(payment_id.as_ref().map(PaymentId::as_str))
    .bind(now)
    .bind(merchant.id.as_str())
    .bind(attempt_id)
    .bind(&method)
    .bind(&report.next_url)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if moved == 0 {
        // Checked above with the customer locked: nothing else can have moved it.
        return Err(Error::internal(format!("attempt {attempt_id} moved under a lock")));
    }
    let data = serde_json::json!({ "attempt": attempt_id, "payment": payment_id, "customer": customer,
        "amount": charged.amount_string(), "currency": charged.currency().code(), "state": report.state,
        "decline_code": report.decline_code, "reference": report.reference });
    let events = match report.state {
        AttemptState::Succeeded => {
            let subject = payment_id.as_ref().map(PaymentId::to_string).unwrap_or_default();
            vec![(EventType::PaymentSucceeded, subject, data.clone())]
        }
        AttemptState::Failed | AttemptState::Canceled => {
            vec![(EventType::PaymentFailed, attempt_id.to_string(), data.clone())]
        }
        _ => Vec::new(),
    };
    let change = ledger::Aftermath {
        action: "payment_attempt.settled",
        subject_type: "payment_attempt",
        subject_id: attempt_id,
        after: data,
        events,
        jobs: crate::services::notices::for_attempt(
            merchant,
            customer,
            attempt_id,
            payment_id.as_ref(),
            (state, report.state),
        ),
    };
    let ledgers = ledgers.as_ref().map(|(before, after)| (before, after));
    // Last, as it holds the merchant's audit-chain lock until the commit.
    ledger::record_change(tx, ctx, who, &merchant.id, mode, ledgers, change).await
}

/// A gateway's chargeback about one of its payments, inside the event's transaction (the
/// customer locked): opened, the payment is reversed (what it paid is owed again); won, it
/// stands again, paying the invoices the payer chose as far as they are still open; lost,
/// nothing more changes. The attempt moves forward only, so a repeated or late event changes
/// nothing; a closing event whose opening never came reverses first. A chargeback on a
/// payment no attempt knows changes nothing.
pub(crate) async fn apply_chargeback(
    tx: &mut db::Tx,
    ctx: &Ctx,
    merchant: &Merchant,
    gateway: &str,
    chargeback: &gateways::GatewayChargeback,
) -> Result<()> {
    use gateways::ChargebackStatus;
    let found: Option<(String, String, Option<String>)> = sqlx::query_as(
        "SELECT id, customer_id, payment_id FROM payment_attempts WHERE merchant_id = $1 AND gateway = $2 \
         AND gateway_reference = $3",
    )
    .bind(merchant.id.as_str())
    .bind(gateway)
    .bind(&chargeback.payment_reference)
    .fetch_optional(&mut **tx)
    .await?;
    let Some((attempt, customer, Some(payment))) = found else {
        tracing::warn!(merchant = %merchant.slug, gateway, reference = %chargeback.payment_reference,
            "a chargeback on a payment no attempt paid");
        return Ok(());
    };
    db::lock_customer(tx, merchant.id.as_str(), &customer).await?;
    let state: String = sqlx::query_scalar("SELECT state FROM payment_attempts WHERE merchant_id = $1 AND id = $2")
        .bind(merchant.id.as_str())
        .bind(&attempt)
        .fetch_one(&mut **tx)
        .await?;
    let mut state = AttemptState::parse(&state).ok_or_else(|| Error::internal(format!("attempt state {state:?}")))?;
    let payment = PaymentId::from_raw(payment);
    let (currency, reversed_at): (String, Option<i64>) =
        sqlx::query_as("SELECT currency, reversed_at FROM payments WHERE merchant_id = $1 AND id = $2")
            .bind(merchant.id.as_str())
            .bind(payment.as_str())
            .fetch_one(&mut **tx)
            .await?;
    // Staff may have reversed it by hand already (POST /payments/{id}/reversal): the ledger
    // is not moved twice, the attempt still follows the chargeback.
    let mut reversed = reversed_at.is_some();
    let currency = crate::services::records::currency(&currency)?;
    let mut posting = ledger::Posting::load(tx, &merchant.id, CustomerId::from_raw(customer), currency).await?;
    let who = Principal::System;
    let reason = format!("chargeback {}", chargeback.reference);
    // Opened first when its own event has not come (yet): the money was taken back either way.
    if state.can_become(AttemptState::Chargeback) {
        if !reversed {
            ledger::reverse_with(tx, ctx, &who, &merchant.id, &mut posting, &payment, &reason).await?;
            reversed = true;
        }
        move_attempt(tx, merchant, &attempt, AttemptState::Chargeback).await?;
        state = AttemptState::Chargeback;
    }
    let closed = match chargeback.status {
        ChargebackStatus::Opened => return Ok(()),
        ChargebackStatus::Won => AttemptState::ChargebackWon,
        ChargebackStatus::Lost => AttemptState::ChargebackLost,
    };
    if !state.can_become(closed) {
        return Ok(());
    }
    if closed == AttemptState::ChargebackWon && reversed {
        let planned = planned_parts(tx, merchant, &attempt).await?;
        let mut plan = Vec::with_capacity(planned.len());
        for (invoice, part) in planned {
            let part = match part {
                Some(minor) => Money::from_minor(minor, currency),
                // Attempts from before planned parts were kept: as much as it will take.
                None => Money::from_minor(Money::MAX_MINOR, currency),
            };
            plan.push((invoice, part));
        }
        let reason = format!("chargeback {} won", chargeback.reference);
        ledger::reinstate_with(tx, ctx, &who, &merchant.id, &mut posting, &payment, &plan, &reason).await?;
    }
    move_attempt(tx, merchant, &attempt, closed).await
}

/// The invoices an attempt was to pay, each with its planned part in minor units (`None` for
/// attempts from before planned parts were kept), in invoice id order.
async fn planned_parts(tx: &mut db::Tx, merchant: &Merchant, attempt: &str) -> Result<Vec<(InvoiceId, Option<i64>)>> {
    let rows: Vec<(String, Option<i64>)> = sqlx::query_as(
        "SELECT invoice_id, amount_minor FROM payment_attempt_invoices WHERE merchant_id = $1 AND attempt_id = $2 \
         ORDER BY invoice_id",
    )
    .bind(merchant.id.as_str())
    .bind(attempt)
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows.into_iter().map(|(invoice, part)| (InvoiceId::from_raw(invoice), part)).collect())
}

/// Moves an attempt to `state` from one of its predecessors (the customer locked).
async fn move_attempt(tx: &mut db::Tx, merchant: &Merchant, attempt: &str, state: AttemptState) -> Result<()> {
    let predecessors = state.predecessors().iter().map(|s| format!("'{}'", s.as_str())).collect::<Vec<_>>().join(", ");
    sqlx::query(&format!(
        "UPDATE payment_attempts SET state = $1, updated_at = $2 WHERE merchant_id = $3 AND id = $4 \
         AND state IN ({predecessors})"
    ))
    .bind(state.as_str())
    .bind(db::now())
    .bind(merchant.id.as_str())
    .bind(attempt)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
