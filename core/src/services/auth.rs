//! Who is signing in: debtors by a single-use magic link, staff by email and password
//! (argon2id). These services answer with a [`Principal`]; keeping it (in a session) is the
//! edge's business.

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use base64::Engine;
use kassa_domain::{CustomerId, MerchantId, MerchantSlug, Problem};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::db::{self, Pool};
use crate::error::{Error, Result};
use crate::principal::{Debtor, Principal};
use crate::services::records::merchant_by_slug;
use crate::services::throttle;
use crate::Ctx;

/// How long a magic link can be opened after it is issued.
pub const MAGIC_LINK_TTL_SECS: i64 = 15 * 60;

fn hash_token(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest)
}

/// Issues a fresh magic link token for a customer; only its hash is stored.
pub async fn issue_magic_link(pool: &Pool, merchant_id: &MerchantId, customer_id: &CustomerId) -> Result<String> {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let now = db::now();
    sqlx::query(
        "INSERT INTO magic_links (token_hash, merchant_id, customer_id, expires_at, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(hash_token(&token))
    .bind(merchant_id.as_str())
    .bind(customer_id.as_str())
    .bind(now + MAGIC_LINK_TTL_SECS)
    .bind(now)
    .execute(pool)
    .await?;
    Ok(token)
}

/// A sign-in link asked for by email: at most five per address per merchant an hour...
pub const SIGN_IN_EMAIL: throttle::Limit =
    throttle::Limit { scope: "sign_in_email", max_failures: 5, window_minutes: 60 };
/// ... and at most twenty from one client address an hour, whatever the addresses typed.
pub const SIGN_IN_EMAIL_ADDRESS: throttle::Limit =
    throttle::Limit { scope: "sign_in_email_address", max_failures: 20, window_minutes: 60 };

/// What a job needs to send a customer a sign-in link by email (the link itself is made when
/// the mail goes out, so no usable link waits in the queue).
pub const SIGN_IN_MAIL: &str = "mail.sign_in_link";

/// "Email me a sign-in link": when `email` is the address the merchant at `slug` has for one
/// of its customers (in the merchant's current mode), that customer is mailed a fresh link.
/// The answer is the same whether or not the address is known, and so is the work the request
/// does: it counts the ask and queues one job ([`SignInAsked`]), which looks the address up
/// later, so not even the time it takes tells who is a customer. Only a malformed address
/// (`invalid_email`) or a used-up limit (`too_many_attempts`, counted per address and per
/// client address `client` (an IPv6 address as its /64, as for staff sign-in) before anything
/// is looked up) says more.
pub async fn email_sign_in_link(ctx: &Ctx, slug: &MerchantSlug, email: &str, client: &str) -> Result<()> {
    let merchant = merchant_by_slug(&ctx.pool, slug).await?;
    let email = crate::services::staff::parse_email(email)?;
    let client = client_address(Some(client));
    // Every request counts, known address or not: the limits say nothing about who exists.
    let _counted = throttle::reserve_all(
        &ctx.pool,
        &[(SIGN_IN_EMAIL, &format!("{}:{email}", merchant.id)), (SIGN_IN_EMAIL_ADDRESS, &client)],
    )
    .await?;
    let mut tx = db::begin_write(&ctx.pool).await?;
    let job = sign_in_job(SIGN_IN_ASKED, &merchant, serde_json::json!({ "merchant": merchant.id, "email": email }));
    crate::jobs::enqueue(&mut tx, job).await?;
    tx.commit().await?;
    Ok(())
}

/// A job of the sign-in by email, for `merchant`, due now.
fn sign_in_job(
    kind: &'static str,
    merchant: &crate::services::records::Merchant,
    payload: serde_json::Value,
) -> crate::jobs::NewJob {
    crate::jobs::NewJob {
        kind,
        payload,
        merchant: Some(merchant.id.clone()),
        mode: Some(merchant.mode),
        run_at: db::now(),
        max_attempts: 5,
        group: None,
    }
}

/// Job `auth.sign_in_asked`.
pub const SIGN_IN_ASKED: &str = "auth.sign_in_asked";

/// Job `auth.sign_in_asked`: someone asked for a sign-in link for an address; each of the
/// merchant's customers (in its mode) with that address gets a [`SIGN_IN_MAIL`] job, all in
/// one transaction. An address nobody has queues nothing. (The address stays in the finished
/// job until the hourly sweep deletes it after 30 days, as the limits' counts keep it a day.)
pub struct SignInAsked;

#[async_trait::async_trait]
impl crate::jobs::Handler for SignInAsked {
    fn kind(&self) -> &'static str {
        SIGN_IN_ASKED
    }

    async fn run(&self, ctx: &Ctx, job: &crate::jobs::Job) -> anyhow::Result<()> {
        let field = |name: &str| {
            job.payload[name].as_str().map(str::to_string).ok_or_else(|| anyhow::anyhow!("job without a {name}"))
        };
        let merchant =
            crate::services::records::merchant_by_id(&ctx.pool, &MerchantId::from_raw(field("merchant")?)).await?;
        let customers: Vec<String> = sqlx::query_scalar(
            "SELECT id FROM customers WHERE merchant_id = $1 AND mode = $2 AND email = $3 ORDER BY id LIMIT 10",
        )
        .bind(merchant.id.as_str())
        .bind(merchant.mode.as_str())
        .bind(field("email")?)
        .fetch_all(&ctx.pool)
        .await?;
        if customers.is_empty() {
            tracing::info!(merchant = merchant.id.as_str(), "sign-in link asked for an address with no customer");
            return Ok(());
        }
        let mut tx = db::begin_write(&ctx.pool).await?;
        for customer in customers {
            let payload = serde_json::json!({ "merchant": merchant.id, "customer": customer });
            crate::jobs::enqueue(&mut tx, sign_in_job(SIGN_IN_MAIL, &merchant, payload)).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

/// A sign-in mail ready to be written: whom to, in which language, with a fresh link.
#[derive(Debug, Clone)]
pub struct SignInMail {
    pub merchant: crate::services::records::Merchant,
    pub customer_name: String,
    pub email: String,
    pub language: String,
    /// The full link (`{public_url}/p/{slug}/login/{token}`), single-use, 15 minutes.
    pub link: String,
}

/// Makes a fresh sign-in link for the customer, for the mail that carries it; `None` when the
/// customer or their address is gone since the mail was asked for.
pub async fn sign_in_mail(ctx: &Ctx, merchant: &MerchantId, customer: &CustomerId) -> Result<Option<SignInMail>> {
    let merchant = crate::services::records::merchant_by_id(&ctx.pool, merchant).await?;
    let Some(to) = crate::services::notices::addressee(ctx, &merchant, customer).await? else {
        return Ok(None);
    };
    let token = issue_magic_link(&ctx.pool, &merchant.id, customer).await?;
    let link = format!("{}/p/{}/login/{token}", ctx.public_url, merchant.slug);
    Ok(Some(SignInMail { merchant, customer_name: to.name, email: to.email, language: to.language, link }))
}

/// Marks the link used and returns the debtor it signs in. A used or expired link is
/// `SignInLinkExpired` (the visitor needs a new one); a link this merchant never issued, or
/// an unknown merchant, is `NotFound`. Two tabs racing on one link get one sign-in between
/// them.
pub async fn redeem_magic_link(ctx: &Ctx, slug: &MerchantSlug, token: &str) -> Result<Principal> {
    let pool = &ctx.pool;
    let merchant = merchant_by_slug(pool, slug).await?;
    let now = db::now();
    let customer_id: Option<String> = sqlx::query_scalar(
        "UPDATE magic_links SET used_at = $1 \
         WHERE token_hash = $2 AND merchant_id = $3 AND used_at IS NULL AND expires_at > $4 \
         RETURNING customer_id",
    )
    .bind(now)
    .bind(hash_token(token))
    .bind(merchant.id.as_str())
    .bind(now)
    .fetch_optional(pool)
    .await?;
    if let Some(customer_id) = customer_id {
        return Ok(Principal::Debtor(Debtor {
            merchant: merchant.id,
            customer: CustomerId::from_raw(customer_id),
            invoice: None,
        }));
    }
    Err(unusable(pool, &merchant.id, token).await)
}

/// Whether a magic link would sign in, without using it: what a link opened by GET (a person,
/// or a mail scanner following it) is told before the person continues. The same answers as
/// [`redeem_magic_link`]; a live link answers its customer's language, for the page.
pub async fn check_magic_link(ctx: &Ctx, slug: &MerchantSlug, token: &str) -> Result<String> {
    let merchant = merchant_by_slug(&ctx.pool, slug).await?;
    let live: Option<String> = sqlx::query_scalar(
        "SELECT c.language FROM magic_links m JOIN customers c ON c.merchant_id = m.merchant_id AND c.id = m.customer_id \
         WHERE m.token_hash = $1 AND m.merchant_id = $2 AND m.used_at IS NULL AND m.expires_at > $3",
    )
    .bind(hash_token(token))
    .bind(merchant.id.as_str())
    .bind(db::now())
    .fetch_optional(&ctx.pool)
    .await?;
    match live {
        Some(language) => Ok(language),
        None => Err(unusable(&ctx.pool, &merchant.id, token).await),
    }
}

/// Why a link does not sign in: used or expired, or never issued by this merchant. Tokens
/// are 256 random bits, so telling the two apart reveals nothing.
async fn unusable(pool: &Pool, merchant: &MerchantId, token: &str) -> Error {
    let issued = sqlx::query_scalar::<_, i64>("SELECT 1 FROM magic_links WHERE token_hash = $1 AND merchant_id = $2")
        .bind(hash_token(token))
        .bind(merchant.as_str())
        .fetch_optional(pool)
        .await;
    match issued {
        Ok(Some(_)) => Problem::SignInLinkExpired.into(),
        Ok(None) => Error::NotFound,
        Err(e) => e.into(),
    }
}

pub fn hash_password(password: &str) -> Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::internal(format!("hashing a password: {e}")))
}

/// How many argon2 computations run at once in this process: each takes ~19 MiB and a core
/// for tens of milliseconds, so a flood of sign-ins waits here instead of taking every
/// blocking thread and the memory with them.
const HASHING_AT_ONCE: usize = 4;
static HASHING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(HASHING_AT_ONCE);
/// How long a sign-in waits for its turn before it is told to come back.
const HASHING_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// Runs argon2 work (`hash_password`, a password check) on a blocking thread, at most
/// [`HASHING_AT_ONCE`] at a time; `Busy` when the queue does not move within
/// [`HASHING_WAIT`].
pub async fn with_hashing<T: Send + 'static>(work: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    let permit = tokio::time::timeout(HASHING_WAIT, HASHING.acquire())
        .await
        .map_err(|_| Problem::Busy { retry_after_secs: 5 })?
        .map_err(|e| Error::internal(format!("hashing queue: {e}")))?;
    // The permit goes with the work: a request dropped mid-hash (its client gone) does not
    // free a slot while its hash still runs.
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        work()
    })
    .await
    .map_err(|e| Error::internal(format!("hashing: {e}")))?
}

/// Checks the password with argon2id and signs the staff member in. Unknown emails cost the
/// same time as wrong passwords, so the answer does not tell which emails exist. The attempt
/// is counted before the check, against the email from this client address and against the
/// address ([`throttle::STAFF_LOGIN`], [`throttle::STAFF_LOGIN_ADDRESS`]), and argon2 runs
/// through [`with_hashing`].
pub async fn staff_login(ctx: &Ctx, email: &str, password: &str) -> Result<Principal> {
    let pool = &ctx.pool;
    let email = email.trim().to_lowercase();
    let address = client_address(ctx.origin.ip.as_deref());
    let address = address.as_str();
    let from_here = format!("{email} from {address}");
    let limits = [(throttle::STAFF_LOGIN, from_here.as_str()), (throttle::STAFF_LOGIN_ADDRESS, address)];
    let attempt = throttle::reserve_all(pool, &limits).await?;
    let row: Option<(String, String)> = sqlx::query_as("SELECT id, password_hash FROM staff_users WHERE email = $1")
        .bind(&email)
        .fetch_optional(pool)
        .await?;
    let stored = row.as_ref().map(|(.., hash)| hash.clone());
    let password = password.to_string();
    let verified = match with_hashing(move || verify_password(&password, stored.as_deref())).await {
        // Not checked at all: not a wrong password either.
        Err(busy @ Error::Problem(Problem::Busy { .. })) => {
            attempt.succeeded(pool).await?;
            return Err(busy);
        }
        other => other?,
    };
    let (Some((staff_id, ..)), true) = (row, verified) else {
        // The reserved attempt stays: it was a failure.
        return Err(Problem::WrongCredentials.into());
    };
    attempt.succeeded(pool).await?;
    // Removed while the hash ran: as if the email were unknown.
    let staff = crate::services::staff::principal_of(pool, &staff_id).await?;
    Ok(Principal::Staff(staff.ok_or(Problem::WrongCredentials)?))
}

/// Who is signing in, for the per-address limits: an IPv4 address, or an IPv6 address's /64
/// (one host commonly holds a whole /64, so counting its single addresses would let it guess
/// on without end).
fn client_address(ip: Option<&str>) -> String {
    match ip.and_then(|ip| ip.parse::<std::net::IpAddr>().ok()) {
        Some(std::net::IpAddr::V6(v6)) if v6.to_ipv4_mapped().is_none() => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        Some(std::net::IpAddr::V6(v6)) => v6.to_ipv4_mapped().map(|v4| v4.to_string()).unwrap_or_default(),
        Some(ip) => ip.to_string(),
        None => "unknown".into(),
    }
}

/// Blocking: argon2id on `password` against the stored hash, or against a fresh hash when
/// there is none or no password was chosen yet (so an unknown email costs the same).
fn verify_password(password: &str, stored: Option<&str>) -> Result<bool> {
    let Some(stored) = stored.filter(|s| *s != crate::services::staff::NO_PASSWORD) else {
        hash_password(password)?;
        return Ok(false);
    };
    let parsed = PasswordHash::new(stored).map_err(|e| Error::internal(format!("stored hash: {e}")))?;
    Ok(Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    #[test]
    fn an_ipv6_host_counts_as_its_64_for_the_sign_in_limits() {
        assert_eq!(client_address(Some("203.0.113.7")), "203.0.113.7");
        assert_eq!(client_address(Some("2001:db8:1:2:aaaa::1")), client_address(Some("2001:db8:1:2:bbbb::9")));
        assert_eq!(client_address(Some("2001:db8:1:2:aaaa::1")), "2001:db8:1:2::/64");
        assert_ne!(client_address(Some("2001:db8:1:3::1")), client_address(Some("2001:db8:1:2::1")));
        assert_eq!(client_address(Some("::ffff:203.0.113.7")), "203.0.113.7");
        assert_eq!(client_address(None), "unknown");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn at_most_a_few_hashes_run_at_once() {
        let (now, most) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let works = (0..20).map(|_| {
            let (now, most) = (now.clone(), most.clone());
            with_hashing(move || {
                let running = now.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(running, Ordering::SeqCst);
                std::thread::sleep(std::time::Duration::from_millis(20));
                now.fetch_sub(1, Ordering::SeqCst);
                Ok(())
            })
        });
        for done in futures_util::future::join_all(works).await {
            done.unwrap();
        }
        let most = most.load(Ordering::SeqCst);
        assert!((2..=HASHING_AT_ONCE).contains(&most), "{most} at once");
    }
}
