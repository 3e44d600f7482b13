//! `/admin/jobs`: the merchant's background jobs (webhook deliveries, imports) that used up
//! their attempts, with their last error, and a way to queue one again. The same `kassa-core`
//! services as `GET /api/v1/jobs?state=dead` and `POST /api/v1/jobs/{id}/retry`, in the
//! merchant's current mode; admins and the owner only.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::error::AppError;
use crate::i18n::t;
use crate::model::JobsOverview;

/// At most this many dead jobs are shown, newest first.
#[cfg(feature = "ssr")]
const SHOWN: i64 = 200;

/// Where the session keeps the job just queued again, for the page after the redirect.
#[cfg(feature = "ssr")]
const RETRIED_KEY: &str = "kassa.job_retried";

#[server(endpoint = "load_jobs")]
pub async fn load_jobs() -> Result<JobsOverview, AppError> {
    use crate::backend as edge;
    use crate::model::JobRow;
    use kassa_core::jobs;
    edge::with_status(
        async {
            let (ctx, who) = edge::staff().await?;
            let dead = jobs::list_for(&ctx, &who, Some(jobs::State::Dead), SHOWN).await?;
            let staff = who.staff()?;
            let merchant = kassa_core::services::records::merchant_by_id(&ctx.pool, &staff.merchant).await?;
            let zone = merchant.time_zone;
            Ok(JobsOverview {
                retried: edge::take_once::<String>(RETRIED_KEY).await,
                merchant_name: merchant.name,
                staff_email: staff.email.clone(),
                dead: dead
                    .into_iter()
                    .map(|j| JobRow {
                        id: j.id,
                        kind: j.kind,
                        attempts: j.attempts,
                        updated_at: crate::dates::moment(j.updated_at, &zone),
                        last_error: j.last_error.unwrap_or_default(),
                    })
                    .collect(),
            })
        }
        .await,
    )
}

#[server(endpoint = "retry_job")]
pub async fn retry_job(id: String) -> Result<(), AppError> {
    use crate::backend as edge;
    edge::with_status(
        async {
            let (ctx, who) = edge::staff().await?;
            kassa_core::jobs::retry_for(&ctx, &who, &id).await?;
            // The page after the form's redirect says so, once.
            edge::keep_once(RETRIED_KEY, &id).await?;
            edge::redirect("/admin/jobs")
        }
        .await,
    )
}

#[component]
pub fn JobsPage() -> impl IntoView {
    let retry = ServerAction::<RetryJob>::new();
    let overview = Resource::new(move || retry.version().get(), |_| load_jobs());
    crate::admin::staff_page(overview, move |o| view! { <JobsView overview=o retry/> })
}

#[component]
fn JobsView(overview: JobsOverview, retry: ServerAction<RetryJob>) -> impl IntoView {
    let w = t();
    let retry_error = move || retry.value().get().and_then(|r| r.err()).map(|e| e.to_string());
    view! {
        <Title text=w.admin_page_title(w.nav_jobs())/>
        <crate::admin::AdminHeader merchant_name=overview.merchant_name staff_email=overview.staff_email/>
        <main id="main" class="admin-main">
            <h1>{w.jobs_heading()}</h1>
            <p>{w.jobs_explained()}</p>
            <p role="status">{overview.retried.map(|id| w.job_queued_again(&id))}</p>
            <p role="alert" class="form-error">{retry_error}</p>
            {if overview.dead.is_empty() {
                view! { <p>{w.jobs_none()}</p> }.into_any()
            } else {
                view! {
                    <div class="table-scroll">
                        <table class="invoices" aria-label=w.jobs_heading()>
                            <thead>
                                <tr>
                                    <th scope="col">{w.col_job()}</th>
                                    <th scope="col">{w.col_attempts()}</th>
                                    <th scope="col">{w.col_last_error()}</th>
                                    <th scope="col">{w.col_gave_up()}</th>
                                    <th scope="col"><span class="visually-hidden">{w.col_action()}</span></th>
                                </tr>
                            </thead>
                            <tbody>
                                {overview.dead.into_iter().map(|j| {
                                    let label = w.retry_job(&j.kind, &j.id);
                                    let (row, shown) = (j.id.clone(), j.id.clone());
                                    view! {
                                        <tr data-job=row>
                                            <th scope="row">{j.kind}<br/><small>{shown}</small></th>
                                            <td class="num">{j.attempts}</td>
                                            <td>{j.last_error}</td>
                                            <td>{j.updated_at}</td>
                                            <td>
                                                <ActionForm action=retry>
                                                    <input type="hidden" name="id" value=j.id/>
                                                    <button type="submit" aria-label=label>{w.retry()}</button>
                                                </ActionForm>
                                            </td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        </main>
    }
}
