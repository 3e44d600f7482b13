//! Events from payment gateways (webhooks in, `POST /webhooks/{gateway}/{merchant}`), and the
//! sandbox's own events, through one way in:
//!
//! 1. The gateway checks the event's signature with the merchant's account and reads it into
//!    Kassa's terms ([`crate::gateways::PaymentGateway::event`]). A refused one (a bad or old
//!    signature, an unreadable body) is counted per merchant, gateway, reason and day and
//!    answered `gateway_event_refused` (400).
//! 2. In one write transaction the event's id is stored (`gateway_events`); a repeat finds
//!    it there and changes nothing. The event is applied in the same transaction: a payment's
//!    attempt moves forward only, and a success goes into the ledger with its outbox event, so
//!    an event is applied exactly once whatever order and however often it comes. An event
//!    that changes nothing in Kassa (Stripe's `charge.*` beside its `payment_intent.*`) is
//!    only stored, by one statement.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use kassa_domain::{MerchantSlug, Problem};

use crate::db;
use crate::error::{Error, Result};
use crate::gateways::{Account, EventError, EventKind};
use crate::services::records::{merchant_by_slug, Merchant};
use crate::services::{mandates, payments, refunds};
use crate::Ctx;

/// What became of an event that was accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Received {
    Applied,
    /// Seen before: nothing changed.
    Repeat,
}

/// How long a process keeps what reading a merchant's events needs (see [`Senders`]).
pub const SENDERS_KEPT: Duration = Duration::from_secs(5);

/// What reading one merchant's events from one gateway needs: the merchant, and its accounts
/// with the gateway, their secrets opened.
struct Sender {
    /// When it was read.
    read: Instant,
    merchant: Merchant,
    accounts: Vec<Account>,
}

/// [`Sender`]s as this process last read them, each for [`SENDERS_KEPT`]: a gateway sends a
/// merchant's events in bursts (and Stripe sends each again until it hears 2xx), and reading
/// the merchant and opening its sealed secrets was most of the work of answering a repeat.
/// Connecting or disconnecting an account forgets them in this process at once
/// ([`Senders::forget`]); another process of the same Kassa sees the change within
/// [`SENDERS_KEPT`]. Only merchants that exist are kept, so a stranger cannot grow it.
#[derive(Default)]
pub struct Senders {
    kept: Mutex<Kept>,
}

type SenderKey = (MerchantSlug, String);

#[derive(Default)]
struct Kept {
    /// Bumped by every [`Senders::forget`], so that a read that began before it is not kept.
    generation: u64,
    senders: HashMap<SenderKey, Arc<Sender>>,
}

impl Senders {
    /// Forgets every merchant's accounts (an account was connected or disconnected).
    pub fn forget(&self) {
        let mut kept = self.lock();
        kept.generation += 1;
        kept.senders.clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Kept> {
        self.kept.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The sender kept for `key` if it is fresh at `now`; otherwise the generation a new read
    /// starts in, for [`Senders::keep`].
    fn kept(&self, key: &SenderKey, now: Instant) -> std::result::Result<Arc<Sender>, u64> {
        let kept = self.lock();
        match kept.senders.get(key) {
            Some(sender) if now.duration_since(sender.read) < SENDERS_KEPT => Ok(sender.clone()),
            _ => Err(kept.generation),
        }
    }

    /// Keeps a sender read in `generation`, unless it was forgotten meanwhile (an account
    /// connected while it was being read must not be missed for [`SENDERS_KEPT`]).
    fn keep(&self, key: SenderKey, sender: Arc<Sender>, generation: u64) {
        let mut kept = self.lock();
        if kept.generation == generation {
            kept.senders.insert(key, sender);
        }
    }

    async fn get(&self, ctx: &Ctx, slug: &MerchantSlug, gateway: &str) -> Result<Arc<Sender>> {
        let key = (slug.clone(), gateway.to_string());
        let now = Instant::now();
        let generation = match self.kept(&key, now) {
            Ok(sender) => return Ok(sender),
            Err(generation) => generation,
        };
        let merchant = merchant_by_slug(&ctx.pool, slug).await?;
        let accounts = payments::accounts(ctx, &merchant, gateway).await?;
        let sender = Arc::new(Sender { read: now, merchant, accounts });
        self.keep(key, sender.clone(), generation);
        Ok(sender)
    }
}

/// Receives one event for the merchant at `slug` from gateway `gateway`, as it came:
/// `signature` is the value of the gateway's signature header, `body` the raw body.
pub async fn receive(ctx: &Ctx, slug: &MerchantSlug, gateway: &str, signature: &str, body: &[u8]) -> Result<Received> {
    let found = ctx.gateways.get(gateway).ok_or(Error::NotFound)?;
    let sender = ctx.senders.get(ctx, slug, gateway).await?;
    let merchant = &sender.merchant;
    let now = db::now();
    // Read with each of the merchant's accounts at the gateway (test, live): the first whose
    // secret signed it reads it; refused with the first account's reason otherwise.
    let mut refusals = Vec::new();
    let mut read = None;
    for account in &sender.accounts {
        match found.event(account, signature, body, now) {
            Err(e @ EventError::BadSignature(_)) => refusals.push(e),
            signed => {
                read = Some(signed);
                break;
            }
        }
    }
    let read =
        read.unwrap_or_else(|| Err(refusals.into_iter().next().unwrap_or(EventError::BadSignature("no_account"))));
    let event = match read {
        Ok(event) => event,
        Err(e) => {
            let reason = match &e {
                EventError::BadSignature(code) => code,
                EventError::Unreadable(_) => "unreadable",
            };
            tracing::warn!(merchant = %merchant.slug, gateway, error = %e, "a gateway event was refused");
            refused(ctx, merchant, gateway, reason, now).await?;
            return Err(Problem::GatewayEventRefused { reason: reason.to_string() }.into());
        }
    };
    let kind = match &event.kind {
        EventKind::Payment(_) => "payment".to_string(),
        EventKind::Refund(_) => "refund".to_string(),
        EventKind::Chargeback(_) => "chargeback".to_string(),
        EventKind::Setup(_) => "setup".to_string(),
        EventKind::Other(kind) => kind.clone(),
    };
    // A repeat (most deliveries: Stripe retries until it hears 2xx) is answered by a read,
    // without taking a write transaction; a first delivery racing its twin falls through to
    // the insert below, which decides. A new event is stored and applied on the connection
    // it was looked up on.
    let mut conn = ctx.pool.acquire().await?;
    let seen: Option<i64> =
        sqlx::query_scalar("SELECT 1 FROM gateway_events WHERE merchant_id = $1 AND gateway = $2 AND event_id = $3")
            .bind(merchant.id.as_str())
            .bind(gateway)
            .bind(&event.id)
            .fetch_optional(&mut *conn)
            .await?;
    if seen.is_some() {
        return Ok(Received::Repeat);
    }
    let store = sqlx::query(
        "INSERT INTO gateway_events (merchant_id, gateway, event_id, kind, received_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (merchant_id, gateway, event_id) DO NOTHING",
    )
    .bind(merchant.id.as_str())
    .bind(gateway)
    .bind(&event.id)
    .bind(&kind)
    .bind(now);
    if let EventKind::Other(_) = event.kind {
        // Nothing to apply but the event's own record: one statement, no transaction around
        // it (two in five of a card payment's events are such: charge.succeeded, charge.updated).
        let stored = store.execute(&mut *conn).await?.rows_affected();
        return Ok(if stored == 0 { Received::Repeat } else { Received::Applied });
    }
    let mut tx = db::begin_write_on(&ctx.pool, conn).await?;
    let stored = store.execute(&mut *tx).await?.rows_affected();
    if stored == 0 {
        tx.rollback().await?;
        return Ok(Received::Repeat);
    }
    match event.kind {
        EventKind::Payment(payment) => payments::apply_reported(&mut tx, ctx, merchant, gateway, payment).await?,
        EventKind::Refund(refund) => refunds::apply_reported(&mut tx, ctx, &merchant.id, gateway, &refund).await?,
        EventKind::Chargeback(chargeback) => {
            payments::apply_chargeback(&mut tx, ctx, merchant, gateway, &chargeback).await?
        }
        EventKind::Setup(setup) => mandates::apply_reported(&mut tx, ctx, merchant, gateway, &setup).await?,
        // Stored above, on its own.
        EventKind::Other(_) => {}
    }
    tx.commit().await?;
    Ok(Received::Applied)
}

/// Counts a refused event: one row per merchant, gateway, reason and day, however many come.
async fn refused(ctx: &Ctx, merchant: &Merchant, gateway: &str, reason: &str, now: i64) -> Result<()> {
    let day = time::OffsetDateTime::from_unix_timestamp(now).map_err(|e| Error::internal(e.to_string()))?.date();
    sqlx::query(
        "INSERT INTO gateway_event_refusals (merchant_id, gateway, reason, day, count, last_at) \
         VALUES ($1, $2, $3, $4, 1, $5) ON CONFLICT (merchant_id, gateway, reason, day) \
         DO UPDATE SET count = gateway_event_refusals.count + 1, last_at = $5",
    )
    .bind(merchant.id.as_str())
    .bind(gateway)
    .bind(reason)
    .bind(day.to_string())
    .bind(now)
    .execute(&ctx.pool)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::principal::Mode;
    use kassa_domain::{MerchantId, ReferenceScheme};

    fn sender(read: Instant) -> Arc<Sender> {
        let merchant = Merchant {
            id: MerchantId::from_raw("m_1"),
            slug: MerchantSlug::parse("bakery").unwrap(),
            name: "Bakery".into(),
            brand_color: "#000000".into(),
            logo_url: None,
            logo_size: None,
            mode: Mode::Test,
            time_zone: "Europe/Amsterdam".into(),
            bank: None,
            reference_scheme: ReferenceScheme::Rf,
        };
        Arc::new(Sender { read, merchant, accounts: Vec::new() })
    }

    #[test]
    fn a_sender_is_kept_for_a_while() {
        let senders = Senders::default();
        let key = (MerchantSlug::parse("bakery").unwrap(), "stripe".to_string());
        let now = Instant::now();
        let generation = senders.kept(&key, now).err().unwrap();
        senders.keep(key.clone(), sender(now), generation);
        assert!(senders.kept(&key, now + SENDERS_KEPT / 2).is_ok());
        assert!(senders.kept(&key, now + SENDERS_KEPT).is_err(), "read again once it is old");
        senders.forget();
        assert!(senders.kept(&key, now).is_err(), "forgotten at once");
    }

    #[test]
    fn a_read_that_began_before_forget_is_not_kept() {
        let senders = Senders::default();
        let key = (MerchantSlug::parse("bakery").unwrap(), "stripe".to_string());
        let now = Instant::now();
        // A read begins, an account is connected meanwhile, and the (stale) read ends.
        let generation = senders.kept(&key, now).err().unwrap();
        senders.forget();
        senders.keep(key.clone(), sender(now), generation);
        assert!(senders.kept(&key, now).is_err(), "the stale read was kept");
        // The next read, begun after, is kept.
        let generation = senders.kept(&key, now).err().unwrap();
        senders.keep(key.clone(), sender(now), generation);
        assert!(senders.kept(&key, now).is_ok());
    }
}
