//! Small pieces every page uses: the branded frame, status badges and error pages.

use kassa_domain::InvoiceStatus;
use leptos::prelude::*;
use leptos_meta::{Stylesheet, Title};

use crate::error::AppError;
use crate::i18n::{lang, t, Lang};
use crate::model::Branding;

/// The merchant's frame: their logo and name, and their theme (CSS custom properties served
/// as a stylesheet, so the page needs no inline styles under a strict CSP).
#[component]
pub fn PortalFrame(
    branding: Branding,
    children: Children,
    /// A page anyone may read (the accessibility statement): no sign-out button.
    #[prop(optional)]
    public: bool,
) -> impl IntoView {
    let theme = format!("/p/{}/theme.css", branding.slug);
    let home = format!("/p/{}", branding.slug);
    let accessibility = format!("/p/{}/accessibility", branding.slug);
    let logout = ServerAction::<crate::portal::PortalLogout>::new();
    view! {
        <Stylesheet id="merchant-theme" href=theme/>
        {branding.test_mode.then(|| view! { <TestBanner/> })}
        <header class="portal-header">
            <a class="brand" href=home>
                {branding.logo_url.clone().map(|src| view! {
                    <img class="brand-logo" src=src alt="" width=branding.logo_width height="40"/>
                })}
                <span class="brand-name">{branding.name.clone()}</span>
            </a>
            {(!public).then(|| view! {
                <ActionForm action=logout>
                    <input type="hidden" name="merchant" value=branding.slug.clone()/>
                    <button type="submit" class="button-quiet">{t().sign_out()}</button>
                </ActionForm>
            })}
        </header>
        <main id="main" class="portal-main">{children()}</main>
        <footer class="portal-footer">
            <p>{t().footer_handled_by(&branding.name)}</p>
            <p><a href=accessibility>{t().accessibility_link()}</a></p>
            <LanguageMenu/>
        </footer>
    }
}

/// Shown on every portal page of a merchant in test mode.
#[component]
pub fn TestBanner() -> impl IntoView {
    view! {
        <p class="test-banner" role="note" data-testid="test-banner">
            <strong>{t().test_mode()}</strong>" · "{t().test_mode_explained()}
        </p>
    }
}

/// The test banner for pages that have no account to take the merchant's mode from (an error,
/// signed out): it asks for the merchant's public branding by its slug.
#[component]
pub fn MerchantTestBanner(slug: String) -> impl IntoView {
    let branding = Resource::new(move || slug.clone(), crate::portal::load_branding);
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                branding.await.ok().filter(|b| b.test_mode).map(|_| view! { <TestBanner/> })
            })}
        </Suspense>
    }
}

#[component]
pub fn StatusBadge(status: InvoiceStatus) -> impl IntoView {
    let label = crate::words::status(status);
    view! { <span class=format!("badge badge-{}", status.as_str()) data-status=status.as_str()>{label}</span> }
}

/// A full page for an error: a title, what happened, and what the visitor can do next (with
/// `onwards`, a link there: its address and words). On the server it also sets the response's
/// status code.
#[component]
pub fn ErrorPage(error: AppError, #[prop(default = None)] onwards: Option<(String, String)>) -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::backend::set_status(error.status());
    let (title, advice) = crate::words::error_page(&error);
    view! {
        <Title text=title.clone()/>
        <main id="main" class="error-page">
            <h1>{title}</h1>
            <p class="error-message">{error.to_string()}</p>
            <p>{advice}</p>
            {onwards.map(|(href, words)| view! { <p><a href=href>{words}</a></p> })}
            <LanguageMenu/>
        </main>
    }
}

/// An invoice list's filter and page from the address's query (`?show=overdue&page=2`);
/// anything unreadable is the first page of everything.
pub fn list_query() -> impl Fn() -> (String, u32) + Copy + Send + Sync + 'static {
    let query = leptos_router::hooks::use_query_map();
    move || {
        query.with(|q| {
            (q.get("show").unwrap_or_default(), q.get("page").and_then(|p| p.parse::<u32>().ok()).unwrap_or(1))
        })
    }
}

/// `base` with the list's filter and page in its query (the defaults left out).
fn list_href(base: &str, show: &str, page: u32) -> String {
    let mut query = Vec::new();
    if show != "all" {
        query.push(format!("show={show}"));
    }
    if page > 1 {
        query.push(format!("page={page}"));
    }
    if query.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", query.join("&"))
    }
}

/// The filters of an invoice list, with how many each finds: plain links (no JavaScript), the
/// current one marked.
#[component]
pub fn ListFilters(base: String, list: crate::model::ListPage) -> impl IntoView {
    let w = t();
    let filters = [
        ("all", w.filter_all(list.all.to_string())),
        ("open", w.filter_open(list.open.to_string())),
        ("overdue", w.filter_overdue(list.overdue.to_string())),
        ("settled", w.filter_settled(list.settled.to_string())),
    ];
    view! {
        <nav class="list-filters" aria-label=w.filter_label()>
            <ul>
                {filters.into_iter().map(|(show, label)| {
                    let href = list_href(&base, show, 1);
                    let current = (show == list.show).then_some("page");
                    view! { <li><a href=href aria-current=current data-filter=show>{label}</a></li> }
                }).collect_view()}
            </ul>
        </nav>
    }
}

/// "Page 2 of 600" with links to the pages before and after; nothing for a single page.
#[component]
pub fn Pager(base: String, list: crate::model::ListPage) -> impl IntoView {
    let w = t();
    (list.pages > 1).then(|| {
        let previous = (list.page > 1).then(|| {
            let href = list_href(&base, &list.show, list.page - 1);
            view! { <a href=href rel="prev">{w.previous_page()}</a> }
        });
        let next = (list.page < list.pages).then(|| {
            let href = list_href(&base, &list.show, list.page + 1);
            view! { <a href=href rel="next">{w.next_page()}</a> }
        });
        view! {
            <nav class="pager" aria-label=w.pages_label()>
                {previous}
                <span aria-current="page">{w.page_of(list.page.to_string(), list.pages.to_string())}</span>
                {next}
            </nav>
        }
    })
}

/// Links to this page in each of Kassa's languages, the current one marked: plain links (they
/// work without JavaScript) to `/lang/<code>`, which remembers the choice in a cookie and comes
/// back here.
#[component]
pub fn LanguageMenu() -> impl IntoView {
    let here = leptos_router::hooks::use_location();
    let back = format!("{}{}", here.pathname.get_untracked(), {
        let search = here.search.get_untracked();
        if search.is_empty() {
            String::new()
        } else {
            format!("?{search}")
        }
    });
    let current = lang();
    view! {
        <nav class="language-menu" aria-label=t().language_menu()>
            <ul>
                {Lang::iter().map(|l| {
                    let href = language_link(*l, &back);
                    let code = l.code();
                    if *l == current {
                        view! { <li><a href=href lang=code hreflang=code aria-current="true">{l.own_name()}</a></li> }.into_any()
                    } else {
                        view! { <li><a href=href lang=code hreflang=code>{l.own_name()}</a></li> }.into_any()
                    }
                }).collect_view()}
            </ul>
        </nav>
    }
}

/// Where a link to switch to `lang` and come back to `back` (a path on this site) goes.
pub fn language_link(lang: Lang, back: &str) -> String {
    let back: String = url::form_urlencoded::byte_serialize(back.as_bytes()).collect();
    format!("/lang/{}?to={back}", lang.code())
}

#[component]
pub fn NotFound() -> impl IntoView {
    view! { <ErrorPage error=AppError::NotFound/> }
}

/// A page that loads its data: `loading` meanwhile, then `show` with it, or `error`'s page.
pub(crate) fn loaded_page<T, V>(
    loaded: Resource<Result<T, AppError>>,
    loading: String,
    show: impl Fn(T) -> V + Clone + Send + Sync + 'static,
    error: fn(AppError) -> AnyView,
) -> impl IntoView
where
    T: Clone + Send + Sync + serde::Serialize + serde::de::DeserializeOwned + 'static,
    V: IntoView + 'static,
{
    view! {
        <Suspense fallback=move || view! { <p class="loading">{loading.clone()}</p> }>
            {move || {
                let show = show.clone();
                Suspend::new(async move {
                    match loaded.await {
                        Ok(data) => show(data).into_any(),
                        Err(e) => error(e),
                    }
                })
            }}
        </Suspense>
    }
}
