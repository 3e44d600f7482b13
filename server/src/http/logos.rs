//! The merchant's logo: served at `/p/{merchant}/logo/{digest}.{png|jpg}` (a name that
//! changes with the image, kept by browsers for a year), uploaded and removed by its admins
//! from `/admin/settings` with plain multipart form posts that work without JavaScript
//! (core/src/services/logos.rs checks and stores it). Each post answers with a redirect back
//! to the settings page, which says what happened.

use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use http::{header, HeaderValue};
use kassa_app::i18n::Lang;
use kassa_core::services::logos;
use kassa_core::{Ctx, Error};
use kassa_domain::Problem;
use tower_sessions::Session;

use crate::http::pages;
use crate::http::AppState;

const SETTINGS: &str = "/admin/settings";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/p/{merchant}/logo/{file}", get(serve))
        .route(
            "/admin/settings/logo",
            // A little more than the largest logo, for the form's own bytes: a bigger upload
            // is cut off early and said to be too large.
            post(upload).layer(DefaultBodyLimit::max(logos::MAX_BYTES + 16 * 1024)),
        )
        .route("/admin/settings/logo/remove", post(remove))
}

async fn serve(
    State(ctx): State<Ctx>,
    lang: axum::Extension<Lang>,
    Path((merchant, file)): Path<(String, String)>,
) -> Response {
    match logos::served(&ctx.pool, &merchant, &file).await {
        Ok(Some(logo)) => {
            let mut res = logo.bytes.into_response();
            let headers = res.headers_mut();
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(logo.format.content_type()));
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=31536000, immutable"));
            // Only ever an image: nothing in it may run or load anything.
            headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("default-src 'none'; sandbox"));
            res
        }
        Ok(None) => pages::not_found(lang.0),
        Err(e) => {
            tracing::error!(error = ?e, "a logo could not be read");
            pages::went_wrong(lang.0)
        }
    }
}

async fn upload(
    State(ctx): State<Ctx>,
    lang: axum::Extension<Lang>,
    session: Session,
    multipart: Multipart,
) -> Response {
    let Some(who) = staff(&ctx, &session).await else { return Redirect::to("/admin").into_response() };
    let outcome = match logo_field(multipart).await {
        Ok(bytes) => logos::set(&ctx, &who, None, bytes).await.map(|_| ()),
        Err(problem) => Err(problem.into()),
    };
    answer(&session, lang.0, outcome).await
}

async fn remove(State(ctx): State<Ctx>, lang: axum::Extension<Lang>, session: Session) -> Response {
    let Some(who) = staff(&ctx, &session).await else { return Redirect::to("/admin").into_response() };
    let outcome = logos::remove(&ctx, &who, None).await.map(|_| ());
    answer(&session, lang.0, outcome).await
}

/// The signed-in staff member, as they are now (a removed one is nobody).
pub(crate) async fn staff(ctx: &Ctx, session: &Session) -> Option<kassa_core::Principal> {
    let who = kassa_app::backend::signed_in_staff(session).await?;
    kassa_core::services::staff::current(ctx, &who).await.ok()
}

/// The file in the form's `logo` field; a body cut off at the size limit is too large.
async fn logo_field(mut multipart: Multipart) -> Result<Vec<u8>, Problem> {
    let too_large = Problem::LogoTooLarge { max_kb: (logos::MAX_BYTES / 1024) as u32 };
    while let Some(field) = multipart.next_field().await.map_err(|_| too_large.clone())? {
        if field.name() == Some("logo") {
            return field.bytes().await.map(|b| b.to_vec()).map_err(|_| too_large);
        }
    }
    Err(Problem::LogoNotPngOrJpeg)
}

/// Back to the settings page, which then says "saved" or what was wrong (in `lang`).
async fn answer(session: &Session, lang: Lang, outcome: Result<(), Error>) -> Response {
    let kept = match outcome {
        Ok(()) => session.insert(kassa_app::settings::SAVED_KEY, true).await,
        Err(e) => {
            let words = kassa_app::words::error_in(lang, &e.into());
            session.insert(kassa_app::settings::LOGO_ERROR_KEY, words).await
        }
    };
    match kept {
        Ok(()) => Redirect::to(SETTINGS).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "the session could not keep a settings outcome");
            pages::went_wrong(lang)
        }
    }
}
