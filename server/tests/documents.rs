//! The debtor's PDFs — an invoice, a receipt, a statement — downloaded as a browser would, then
//! read back as text (pdf-extract): the document's words in the debtor's language, its amounts
//! as the pages write them, fonts embedded, and only for the debtor whose documents they are.

mod common;
use common::TestApp;
use kassa_app::i18n::Lang;
use kassa_app::money::money_in;
use kassa_domain::{Currency, Money};

fn text(pdf: &[u8]) -> String {
    let raw = pdf_extract::extract_text_from_mem(pdf).expect("a readable PDF");
    // Spaces as any reader sees them: NBSP and narrow NBSP (in amounts) as plain spaces.
    raw.replace(['\u{a0}', '\u{202f}'], " ")
}

fn amount(lang: Lang, minor: i64, currency: Currency) -> String {
    money_in(lang, Money::from_minor(minor, currency)).replace(['\u{a0}', '\u{202f}'], " ")
}

async fn download(c: &reqwest::Client, url: &str) -> Vec<u8> {
    let res = c.get(url).send().await.unwrap();
    assert_eq!(res.status(), 200, "{url}");
    let headers = res.headers().clone();
    assert_eq!(headers["content-type"], "application/pdf");
    assert!(headers["content-disposition"].to_str().unwrap().starts_with("attachment; filename=\""), "{headers:?}");
    assert_eq!(headers["cache-control"], "no-store");
    let bytes = res.bytes().await.unwrap().to_vec();
    assert!(bytes.starts_with(b"%PDF-"), "not a PDF");
    // To look at them: KASSA_PDF_DIR=/tmp/pdfs cargo test -p kassa-server --test documents
    if let Ok(dir) = std::env::var("KASSA_PDF_DIR") {
        let name = url.rsplit("/p/demo/").next().unwrap_or("doc").replace(['/', '?', '&', '='], "_");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(format!("{dir}/{name}.pdf"), &bytes).unwrap();
    }
    // Text in an embedded (subset) TrueType font, not pictures of text.
    let raw = String::from_utf8_lossy(&bytes);
    assert!(raw.contains("/FontFile2") || raw.contains("FontFile2"), "no embedded font");
    bytes
}

#[tokio::test]
async fn an_invoice_its_receipt_and_a_statement_as_pdfs_in_the_debtors_language() {
    let app = TestApp::spawn().await;
    let eur = Currency::EUR;
    // Studio Grachten reads Dutch.
    let c = app.debtor("Studio Grachten").await;
    let invoice = text(&download(&c, &format!("{}/p/demo/invoices/NL-2026-0301/pdf", app.url)).await);
    for expected in [
        "Noorderlicht Supplies",
        "Factuur NL-2026-0301",
        "Studio Grachten",
        "Omschrijving",
        "Print paper A3, box",
        &amount(Lang::Nl, 4299, eur),
        &amount(Lang::Nl, 42990, eur),
        "Betalingen voor Noorderlicht Supplies verlopen via Kassa",
    ] {
        assert!(invoice.contains(expected), "{expected:?} not in:\n{invoice}");
    }

    // Paying it gives a receipt; its PDF says what was paid and what is left.
    let pay_key = kassa_core::db::new_id();
    let res = app.pay(&c, "NL-2026-0301", "100,00", &pay_key).await;
    let receipt_path: String = res.json().await.unwrap();
    let receipt = text(&download(&c, &format!("{}{receipt_path}/pdf", app.url)).await);
    for expected in ["Betaling ontvangen", "NL-2026-0301", &amount(Lang::Nl, 10000, eur), &amount(Lang::Nl, 32990, eur)]
    {
        assert!(receipt.contains(expected), "{expected:?} not in:\n{receipt}");
    }

    // The statement to today: the same closing balance as the page shows.
    let statement: serde_json::Value =
        app.server_fn(&c, "load_statement", &[("merchant", "demo")]).await.json().await.unwrap();
    let section = &statement["sections"][0];
    let closing = section["closing"]["minor"].as_i64().unwrap();
    let (from, to) = (statement["from"].as_str().unwrap(), statement["to"].as_str().unwrap());
    let pdf = text(&download(&c, &format!("{}/p/demo/statement/pdf?from={from}&to={to}", app.url)).await);
    for expected in
        ["Rekeningoverzicht", "Studio Grachten (klantnummer C-1003)", "Eindsaldo op", &amount(Lang::Nl, closing, eur)]
    {
        assert!(pdf.contains(expected), "{expected:?} not in:\n{pdf}");
    }
    // A period that cannot be read goes back to the page, which says why.
    let res = c.get(format!("{}/p/demo/statement/pdf?from=2026-06-30&to=2026-01-01", app.url)).send().await.unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/p/demo/statement?from=2026-06-30&to=2026-01-01");

    // In Danish for the Danish roaster: its words and its kroner.
    let dk = app.debtor("Fjordkaffe ApS").await;
    let faktura = text(&download(&dk, &format!("{}/p/demo/invoices/DK-2026-0202/pdf", app.url)).await);
    for expected in ["Faktura DK-2026-0202", "Milk jugs", "Tampers", &amount(Lang::Da, 159600, Currency::DKK)] {
        assert!(faktura.contains(expected), "{expected:?} not in:\n{faktura}");
    }
}

#[tokio::test]
async fn documents_are_the_signed_in_debtors_own() {
    let app = TestApp::spawn().await;
    // Not signed in: the sign-in page's offer, not a PDF.
    let anyone = common::client();
    for path in ["invoices/NL-2026-0301/pdf", "statement/pdf", "payments/x/pdf"] {
        let res = anyone.get(format!("{}/p/demo/{path}", app.url)).send().await.unwrap();
        assert_eq!(res.status(), 401, "{path}");
        assert!(res.text().await.unwrap().contains(r#"href="/p/demo/sign-in""#));
    }
    // Another customer's invoice or payment is not found, as on the pages.
    let dk = app.debtor("Fjordkaffe ApS").await;
    let res = dk.get(format!("{}/p/demo/invoices/NL-2026-0301/pdf", app.url)).send().await.unwrap();
    assert_eq!(res.status(), 404);
    let theirs: String = sqlx::query_scalar(
        "SELECT p.id FROM payments p JOIN customers c ON c.merchant_id = p.merchant_id AND c.id = p.customer_id \
         WHERE c.number = 'C-1003' LIMIT 1",
    )
    .fetch_one(&app.ctx.pool)
    .await
    .unwrap();
    let res = dk.get(format!("{}/p/demo/payments/{theirs}/pdf", app.url)).send().await.unwrap();
    assert_eq!(res.status(), 404);
    let res = dk.get(format!("{}/p/nonesuch/statement/pdf", app.url)).send().await.unwrap();
    assert_eq!(res.status(), 404);
}
