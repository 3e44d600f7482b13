//! The debtor's statement of account (`/p/{merchant}/statement?from=&to=`): a plain GET form
//! for the period, then per currency the opening balance, every entry with the running
//! balance, and the closing balance. No island: it works the same without JavaScript. The
//! same statement downloads as a PDF (crate::pdf).

use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::PortalFrame;
use crate::error::AppError;
use crate::i18n::t;
use crate::model::*;
use crate::money::money;

#[server(endpoint = "load_statement")]
pub async fn load_statement(
    merchant: String,
    #[server(default)] from: String,
    #[server(default)] to: String,
) -> Result<StatementView, AppError> {
    use crate::backend as edge;
    use kassa_core::services::statements::{self, Period};
    edge::with_status(
        async {
            let (ctx, who, merchant) = edge::debtor_and_merchant(&merchant).await?;
            let lang = crate::i18n::lang();
            let read = Period::parse(&from, &to, merchant.today()?).map_err(kassa_core::Error::from);
            let statement = match read {
                Ok(period) => statements::statement(&ctx, &who, merchant.clone(), period).await,
                Err(e) => Err(e),
            };
            match statement {
                Ok(statement) => Ok(view_of(lang, &statement)),
                // A period refused is said on the form, with what was typed kept.
                Err(kassa_core::Error::Problem(problem)) => {
                    crate::backend::set_status(problem.http_status());
                    Ok(StatementView {
                        merchant: edge::branding(&merchant),
                        customer: String::new(),
                        from,
                        to,
                        period: String::new(),
                        error: Some(crate::words::error(&AppError::Problem(problem))),
                        sections: Vec::new(),
                    })
                }
                Err(e) => Err(e.into()),
            }
        }
        .await,
    )
}

/// The period in words: "1 okt 2026 tot en met 2 dec 2026".
pub fn period_words(lang: crate::i18n::Lang, p: kassa_core::services::statements::Period) -> String {
    use crate::dates::date_in;
    lang.words().statement_period(date_in(lang, p.from), date_in(lang, p.to))
}

/// A statement as the page (and the PDF) shows it, in `lang`.
pub fn view_of(lang: crate::i18n::Lang, s: &kassa_core::services::statements::Statement) -> StatementView {
    use crate::dates::date_in;
    let w = lang.words();
    let slug = s.merchant.slug.to_string();
    let sections = s
        .sections
        .iter()
        .map(|section| StatementSection {
            currency: section.currency.code().to_string(),
            opening_label: w.statement_opening(date_in(lang, s.period.from)),
            opening: section.opening,
            closing_label: w.statement_closing(date_in(lang, s.period.to)),
            closing: section.closing,
            entries: section
                .entries
                .iter()
                .map(|e| StatementLine {
                    date: e.date,
                    label: crate::words::statement_entry(lang, &e.kind, e.amount),
                    href: entry_href(&slug, &e.kind),
                    charged: e.amount.is_positive().then_some(e.amount),
                    credited: e
                        .amount
                        .is_negative()
                        .then(|| kassa_domain::Money::from_minor(-e.amount.minor(), e.amount.currency())),
                    balance: e.balance,
                })
                .collect(),
        })
        .collect();
    StatementView {
        merchant: crate::backend::branding(&s.merchant),
        customer: w.statement_customer(&s.customer_name, &s.customer_number),
        from: s.period.from.to_string(),
        to: s.period.to.to_string(),
        period: period_words(lang, s.period),
        error: None,
        sections,
    }
}

/// The page an entry links to: an invoice's, or a payment's receipt.
pub fn entry_href(slug: &str, kind: &kassa_core::services::statements::EntryKind) -> Option<String> {
    use kassa_core::services::statements::EntryKind;
    match kind {
        EntryKind::Invoice { number } => Some(format!("/p/{slug}/invoices/{number}")),
        EntryKind::Payment { payment, .. } => Some(format!("/p/{slug}/payments/{payment}")),
        _ => None,
    }
}

#[component]
pub fn StatementPage() -> impl IntoView {
    let params = leptos_router::hooks::use_params_map();
    let query = leptos_router::hooks::use_query_map();
    let loaded = Resource::new(
        move || {
            let q = query.read();
            (
                params.read().get("merchant").unwrap_or_default(),
                q.get("from").unwrap_or_default(),
                q.get("to").unwrap_or_default(),
            )
        },
        |(m, from, to)| load_statement(m, from, to),
    );
    crate::portal::portal_page(loaded, t().loading(), |s| view! { <StatementView statement=s/> })
}

#[component]
fn StatementView(statement: StatementView) -> impl IntoView {
    let w = t();
    let slug = statement.merchant.slug.clone();
    let error = statement.error.clone();
    let invalid = error.is_some().then_some("true");
    let pdf = format!("/p/{slug}/statement/pdf?from={}&to={}", statement.from, statement.to);
    let nothing = statement.error.is_none() && statement.sections.is_empty();
    view! {
        <Title text=w.statement_title()/>
        <PortalFrame branding=statement.merchant>
            <p><a href=format!("/p/{slug}")>{w.back_to_invoices()}</a></p>
            <h1>{w.statement_title()}</h1>
            {(!statement.customer.is_empty()).then(|| view! { <p>{statement.customer.clone()}</p> })}
            <form method="get" action=format!("/p/{slug}/statement") class="period-form">
                <fieldset>
                    <legend>{w.statement_period_label()}</legend>
                    <div class="period-fields">
                        <label>{w.statement_from()} <input type="date" name="from" value=statement.from.clone()
                            aria-invalid=invalid aria-describedby="period-error" required/></label>
                        <label>{w.statement_to()} <input type="date" name="to" value=statement.to.clone()
                            aria-invalid=invalid aria-describedby="period-error" required/></label>
                    </div>
                </fieldset>
                <p id="period-error" role="alert" class="form-error">{error}</p>
                <button type="submit" class="button-primary">{w.statement_show()}</button>
            </form>
            {(!statement.period.is_empty() && statement.error.is_none()).then(|| view! {
                <p class="statement-period" data-testid="statement-period">{statement.period.clone()}</p>
                <p>{w.statement_explained()}</p>
                <p><a class="download" href=pdf download>{w.download_statement_pdf()}</a></p>
            })}
            {nothing.then(|| view! { <p class="empty">{w.statement_nothing()}</p> })}
            {statement.sections.into_iter().map(|s| view! { <SectionTable section=s/> }).collect_view()}
        </PortalFrame>
    }
}

#[component]
pub(crate) fn SectionTable(section: StatementSection) -> impl IntoView {
    let w = t();
    view! {
        <div class="table-scroll">
            <table class="statement stack" data-currency=section.currency.clone()>
                <caption>{w.statement_in(&section.currency)}</caption>
                <thead>
                    <tr>
                        <th scope="col">{w.col_date()}</th>
                        <th scope="col">{w.col_description()}</th>
                        <th scope="col" class="num">{w.col_charged()}</th>
                        <th scope="col" class="num">{w.col_credited()}</th>
                        <th scope="col" class="num">{w.col_balance()}</th>
                    </tr>
                </thead>
                <tbody>
                    <tr class="balance-row">
                        <th scope="row" colspan="4">{section.opening_label}</th>
                        <td class="num" data-label=w.col_balance() data-testid="opening">{money(section.opening)}</td>
                    </tr>
                    {section.entries.into_iter().map(|e| view! {
                        <tr>
                            <td data-label=w.col_date()>{crate::dates::date(e.date)}</td>
                            <th scope="row" data-label=w.col_description()>{match e.href {
                                Some(href) => view! { <a href=href>{e.label}</a> }.into_any(),
                                None => e.label.into_any(),
                            }}</th>
                            <td class="num" data-label=w.col_charged()>{e.charged.map(money)}</td>
                            <td class="num" data-label=w.col_credited()>{e.credited.map(money)}</td>
                            <td class="num" data-label=w.col_balance()>{money(e.balance)}</td>
                        </tr>
                    }).collect_view()}
                    <tr class="balance-row">
                        <th scope="row" colspan="4">{section.closing_label}</th>
                        <td class="num" data-label=w.col_balance() data-testid="closing">{money(section.closing)}</td>
                    </tr>
                </tbody>
            </table>
        </div>
    }
}
