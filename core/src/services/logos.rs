//! A merchant's logo: a PNG or JPEG its staff upload (or `kassa merchant create --logo`
//! reads from a file), kept in the database and served by Kassa itself at
//! `/p/{slug}/logo/{digest}.{png|jpg}`, a name that changes with the image, so browsers may
//! keep it for a year. The portal's header, the settings page and the PDFs show this one
//! image; nothing is fetched from another server. SVG is not taken: mail programs do not show
//! it, and an SVG file can carry script.

use kassa_domain::{MerchantId, Problem};
use sha2::{Digest, Sha256};

use crate::audit;
use crate::db::{self, Pool};
use crate::error::{Error, Result};
use crate::principal::Principal;
use crate::services::merchants;
use crate::services::records::{self, merchant_by_id, Merchant};
use crate::Ctx;

/// The largest logo file taken.
pub const MAX_BYTES: usize = 256 * 1024;
/// Each side at least this many pixels (smaller looks blurred on any screen) ...
pub const MIN_SIDE: u32 = 16;
/// ... and at most this many (larger is only a bigger download).
pub const MAX_SIDE: u32 = 2000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Png,
    Jpeg,
}

impl Format {
    /// What the file's first bytes say it is; `None` for anything but PNG and JPEG.
    pub fn sniff(bytes: &[u8]) -> Option<Format> {
        if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(Format::Png)
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(Format::Jpeg)
        } else {
            None
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Png => "image/png",
            Format::Jpeg => "image/jpeg",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Png => "png",
            Format::Jpeg => "jpg",
        }
    }

    fn parse(text: &str) -> Result<Format> {
        match text {
            "image/png" => Ok(Format::Png),
            "image/jpeg" => Ok(Format::Jpeg),
            other => Err(Error::internal(format!("a stored logo of type {other:?}"))),
        }
    }
}

/// A logo as stored: the file's bytes, what they are, and its size in pixels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logo {
    pub format: Format,
    pub bytes: Vec<u8>,
    pub width: u32,
    pub height: u32,
    /// The first 16 hex digits of the bytes' SHA-256: the file's name.
    pub digest: String,
}

impl Logo {
    /// `bytes` read as a logo: PNG or JPEG, at most [`MAX_BYTES`], each side within
    /// [`MIN_SIDE`]..=[`MAX_SIDE`] pixels; anything else is a problem that says which.
    pub fn read(bytes: Vec<u8>) -> Result<Logo, Problem> {
        if bytes.len() > MAX_BYTES {
            return Err(Problem::LogoTooLarge { max_kb: (MAX_BYTES / 1024) as u32 });
        }
        let format = Format::sniff(&bytes).ok_or(Problem::LogoNotPngOrJpeg)?;
        let (width, height) = decode(format, &bytes).ok_or(Problem::LogoNotPngOrJpeg)?;
        let within = |side: u32| (MIN_SIDE..=MAX_SIDE).contains(&side);
        if !within(width) || !within(height) {
            return Err(Problem::LogoSize { width, height, min: MIN_SIDE, max: MAX_SIDE });
        }
        let digest = Sha256::digest(&bytes).iter().take(8).map(|b| format!("{b:02x}")).collect();
        Ok(Logo { format, bytes, width, height, digest })
    }
}

/// The width and height of the image in `bytes`, decoded in full as a PDF would embed it
/// (krilla's own decoders): `None` when it does not decode. The pixels are checked, then
/// dropped; an image larger than [`MAX_SIDE`] is not decoded at all.
pub(crate) fn decode(format: Format, bytes: &[u8]) -> Option<(u32, u32)> {
    let too_big = |w: u32, h: u32| w > MAX_SIDE || h > MAX_SIDE;
    match format {
        Format::Png => {
            let mut reader = png::Decoder::new(std::io::Cursor::new(bytes)).read_info().ok()?;
            let (w, h) = (reader.info().width, reader.info().height);
            if too_big(w, h) {
                return Some((w, h));
            }
            let mut pixels = vec![0; reader.output_buffer_size()?];
            reader.next_frame(&mut pixels).ok()?;
            Some((w, h))
        }
        Format::Jpeg => {
            let mut decoder = zune_jpeg::JpegDecoder::new(std::io::Cursor::new(bytes));
            decoder.decode_headers().ok()?;
            let (w, h) = decoder.dimensions()?;
            let (w, h) = (u32::try_from(w).ok()?, u32::try_from(h).ok()?);
            if too_big(w, h) {
                return Some((w, h));
            }
            decoder.decode().ok()?;
            Some((w, h))
        }
    }
}

/// Makes `logo` `merchant`'s logo, in the caller's transaction: stored, the merchant's
/// `logo_url` pointing at it. Returns that path.
pub(crate) async fn store(tx: &mut crate::db::Tx, merchant: &MerchantId, slug: &str, logo: &Logo) -> Result<String> {
    sqlx::query(
        "INSERT INTO merchant_logos (merchant_id, content_type, image, digest, width, height, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (merchant_id) DO UPDATE SET \
         content_type = excluded.content_type, image = excluded.image, digest = excluded.digest, \
         width = excluded.width, height = excluded.height, updated_at = excluded.updated_at",
    )
    .bind(merchant.as_str())
    .bind(logo.format.content_type())
    .bind(logo.bytes.as_slice())
    .bind(&logo.digest)
    .bind(i64::from(logo.width))
    .bind(i64::from(logo.height))
    .bind(db::now())
    .execute(&mut **tx)
    .await?;
    let path = format!("/p/{slug}/logo/{}.{}", logo.digest, logo.format.extension());
    sqlx::query("UPDATE merchants SET logo_url = $1 WHERE id = $2")
        .bind(&path)
        .bind(merchant.as_str())
        .execute(&mut **tx)
        .await?;
    Ok(path)
}

/// `who`'s merchant's logo becomes `bytes` (staff admins; live keys with `settings`; the
/// system for the `merchant` it names), audited with the paths before and after. The same
/// image again changes nothing.
pub async fn set(ctx: &Ctx, who: &Principal, merchant: Option<&MerchantId>, bytes: Vec<u8>) -> Result<Merchant> {
    merchants::may_change(who)?;
    let logo = Logo::read(bytes)?;
    let (merchant, _) = records::scope(&ctx.pool, who, merchant).await?;
    let mut tx = db::begin_write(&ctx.pool).await?;
    let (slug, before): (String, Option<String>) = sqlx::query_as("SELECT slug, logo_url FROM merchants WHERE id = $1")
        .bind(merchant.as_str())
        .fetch_one(&mut *tx)
        .await?;
    let path = store(&mut tx, &merchant, &slug, &logo).await?;
    if before.as_deref() == Some(path.as_str()) {
        tx.rollback().await?;
        return merchant_by_id(&ctx.pool, &merchant).await;
    }
    let after = serde_json::json!({ "logo_url": path, "width": logo.width, "height": logo.height,
        "bytes": logo.bytes.len() });
    let entry = audit::Entry {
        merchant: Some(&merchant),
        action: "merchant.logo_changed",
        subject_type: "merchant",
        subject_id: merchant.as_str(),
        before: Some(serde_json::json!({ "logo_url": before })),
        after: Some(after),
    };
    audit::record(&mut tx, who, &ctx.origin, entry).await?;
    tx.commit().await?;
    merchant_by_id(&ctx.pool, &merchant).await
}

/// `who`'s merchant shows no logo any more (its name stands alone), audited.
pub async fn remove(ctx: &Ctx, who: &Principal, merchant: Option<&MerchantId>) -> Result<Merchant> {
    merchants::may_change(who)?;
    let (merchant, _) = records::scope(&ctx.pool, who, merchant).await?;
    let mut tx = db::begin_write(&ctx.pool).await?;
    let before: Option<String> = sqlx::query_scalar("SELECT logo_url FROM merchants WHERE id = $1")
        .bind(merchant.as_str())
        .fetch_one(&mut *tx)
        .await?;
    if before.is_none() {
        tx.rollback().await?;
        return merchant_by_id(&ctx.pool, &merchant).await;
    }
    sqlx::query("DELETE FROM merchant_logos WHERE merchant_id = $1").bind(merchant.as_str()).execute(&mut *tx).await?;
    sqlx::query("UPDATE merchants SET logo_url = NULL WHERE id = $1").bind(merchant.as_str()).execute(&mut *tx).await?;
    let entry = audit::Entry {
        merchant: Some(&merchant),
        action: "merchant.logo_removed",
        subject_type: "merchant",
        subject_id: merchant.as_str(),
        before: Some(serde_json::json!({ "logo_url": before })),
        after: None,
    };
    audit::record(&mut tx, who, &ctx.origin, entry).await?;
    tx.commit().await?;
    merchant_by_id(&ctx.pool, &merchant).await
}

/// The merchant's logo, if it has one (for a PDF).
pub async fn of(pool: &Pool, merchant: &MerchantId) -> Result<Option<Logo>> {
    let row: Option<LogoRow> =
        sqlx::query_as(&format!("SELECT {LOGO_COLUMNS} FROM merchant_logos WHERE merchant_id = $1"))
            .bind(merchant.as_str())
            .fetch_optional(pool)
            .await?;
    row.map(logo_of).transpose()
}

/// The logo the merchant at `slug` shows now, if its file name is `file` (`{digest}.png`):
/// an older name (a logo since replaced) is not found.
pub async fn served(pool: &Pool, slug: &str, file: &str) -> Result<Option<Logo>> {
    let Some((digest, extension)) = file.split_once('.') else { return Ok(None) };
    let row: Option<LogoRow> = sqlx::query_as(&format!(
        "SELECT {LOGO_COLUMNS} FROM merchant_logos JOIN merchants m ON m.id = merchant_id \
         WHERE m.slug = $1 AND digest = $2"
    ))
    .bind(slug)
    .bind(digest)
    .fetch_optional(pool)
    .await?;
    Ok(row.map(logo_of).transpose()?.filter(|l| l.format.extension() == extension))
}

const LOGO_COLUMNS: &str = "content_type, image, digest, width, height";

type LogoRow = (String, Vec<u8>, String, i64, i64);

fn logo_of((kind, bytes, digest, width, height): LogoRow) -> Result<Logo> {
    let side = |n: i64| u32::try_from(n).map_err(|_| Error::internal(format!("a logo {n} pixels wide")));
    Ok(Logo { format: Format::parse(&kind)?, bytes, width: side(width)?, height: side(height)?, digest })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A PNG of `w` x `h` grey pixels.
    fn png(w: u32, h: u32) -> Vec<u8> {
        let mut bytes = Vec::new();
        let mut encoder = png::Encoder::new(&mut bytes, w, h);
        encoder.set_color(png::ColorType::Grayscale);
        let mut writer = encoder.write_header().unwrap();
        writer.write_image_data(&vec![128; (w * h) as usize]).unwrap();
        writer.finish().unwrap();
        bytes
    }

    #[test]
    fn a_logo_is_a_png_or_jpeg_of_sensible_size() {
        let logo = Logo::read(png(120, 40)).unwrap();
        assert_eq!((logo.format, logo.width, logo.height, logo.digest.len()), (Format::Png, 120, 40, 16));
        assert_eq!(Logo::read(png(120, 40)).unwrap().digest, logo.digest, "the same file, the same name");
        assert!(matches!(Logo::read(png(8, 40)), Err(Problem::LogoSize { width: 8, height: 40, .. })));
        assert!(matches!(Logo::read(png(4000, 40)), Err(Problem::LogoSize { width: 4000, .. })));
        assert_eq!(Logo::read(b"<svg xmlns='http://www.w3.org/2000/svg'/>".to_vec()), Err(Problem::LogoNotPngOrJpeg));
        assert_eq!(Logo::read(b"\x89PNG\r\n\x1a\n".to_vec()), Err(Problem::LogoNotPngOrJpeg), "a header cut short");
        let mut cut = png(100, 100);
        cut.truncate(cut.len() - 20);
        assert_eq!(Logo::read(cut), Err(Problem::LogoNotPngOrJpeg), "pixels cut short");
        assert_eq!(
            Logo::read(vec![0xFF, 0xD8, 0xFF, 0xE0, 0, 0]),
            Err(Problem::LogoNotPngOrJpeg),
            "a JPEG that is not"
        );
        let mut big = png(100, 100);
        big.resize(MAX_BYTES + 1, 0);
        assert_eq!(Logo::read(big), Err(Problem::LogoTooLarge { max_kb: 256 }));
    }
}
