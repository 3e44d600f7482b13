//! Bank transfer: each invoice carries a structured payment reference in its merchant's scheme
//! (or the one it came with), and the invoice page shows the beneficiary, IBAN, BIC, amount and
//! reference, with an EPC QR code for euro amounts, in the debtor's language, without
//! JavaScript.

mod common;

use common::TestApp;
use kassa_core::principal::{Principal, Staff, StaffRole};
use kassa_core::services::merchants::{self, BankDetails};
use kassa_domain::{PaymentReference, ReferenceScheme};

async fn reference_of(app: &TestApp, number: &str) -> String {
    sqlx::query_scalar("SELECT payment_reference FROM invoices WHERE number = $1")
        .bind(number)
        .fetch_one(&app.ctx.pool)
        .await
        .unwrap()
}

/// The invoice page's bank transfer section.
fn transfer_section(html: &str) -> Option<&str> {
    let start = html.find("aria-labelledby=\"transfer-title\"")?;
    let end = start + html[start..].find("</section>")?;
    Some(&html[start..end])
}

#[tokio::test]
async fn the_invoice_page_shows_how_to_pay_by_transfer_with_an_epc_qr_code() {
    let app = TestApp::spawn().await;
    let reference = reference_of(&app, "NL-2026-0104").await;
    let parsed = PaymentReference::parse(ReferenceScheme::Rf, &reference).expect("an RF creditor reference");
    let c = app.debtor("Bakkerij De Molen B.V.").await;
    let html = c.get(format!("{}/p/demo/invoices/NL-2026-0104", app.url)).send().await.unwrap().text().await.unwrap();
    let section = transfer_section(&html).expect("a bank transfer section");
    for shown in [
        "Betalen met een overboeking",
        "Noorderlicht Supplies B.V.",
        "NL91 ABNA 0417 1643 00",
        "ABNANL2A",
        "€\u{a0}310,00",
        parsed.display().as_str(),
    ] {
        assert!(section.contains(shown), "{shown}: {section}");
    }
    // The QR code is exactly the one for the EPC069-12 payload with the open amount and the
    // structured reference in its own field (the payload's fields: domain/src/epc.rs).
    let payload =
        format!("BCD\n002\n1\nSCT\nABNANL2A\nNoorderlicht Supplies B.V.\nNL91ABNA0417164300\nEUR310.00\n\n{reference}");
    let code = qrcode::QrCode::with_error_correction_level(payload.as_bytes(), qrcode::EcLevel::M).unwrap();
    let svg = code.render::<qrcode::render::svg::Color>().min_dimensions(180, 180).quiet_zone(true).build();
    let drawing = &svg[svg.find("<svg").unwrap() + 4..];
    assert!(section.contains(drawing), "the page's QR code is the payload's");
    assert!(section.contains("role=\"img\" aria-label=\"QR-code met deze overboekingsgegevens, voor een bankapp\""));

    // A Danish kroner invoice: the account and reference, no EPC code (euros only).
    let dk = app.debtor("Fjordkaffe ApS").await;
    let html = dk.get(format!("{}/p/demo/invoices/DK-2026-0205", app.url)).send().await.unwrap().text().await.unwrap();
    let section = transfer_section(&html).expect("a bank transfer section");
    assert!(section.contains("Betal med bankoverførsel") && section.contains("1.790,00"), "{section}");
    assert!(!section.contains("<svg"), "no EPC QR code for kroner");
    // A paid invoice has nothing left to transfer.
    let html = c.get(format!("{}/p/demo/invoices/NL-2026-0103", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(transfer_section(&html).is_none());
}

#[tokio::test]
async fn references_follow_the_merchants_scheme_and_an_invoice_keeps_the_one_it_came_with() {
    let app = TestApp::spawn().await;
    let (merchant, _) = app.demo_customer("C-1001").await;
    let details = |scheme, fik: Option<&str>| BankDetails {
        account_name: "Noorderlicht Supplies ApS".into(),
        iban: "DK50 0040 0440 1162 43".into(),
        bic: Some("nykbdkkk".into()),
        reference_scheme: scheme,
        fik_creditor: fik.map(str::to_string),
    };
    let set = merchants::set_bank_details(
        &app.ctx,
        &Principal::System,
        Some(&merchant),
        details(ReferenceScheme::DkFik71, Some("12345678")),
    )
    .await
    .unwrap();
    let bank = set.bank.unwrap();
    assert_eq!((bank.iban.as_str(), bank.bic.as_deref()), ("DK5000400440116243", Some("NYKBDKKK")));
    let post = |number: &str, reference: Option<&str>, key: &str| {
        let mut body = serde_json::json!({ "customer_number": "C-1002", "number": number, "currency": "DKK",
            "issue_date": "2026-11-02", "lines": [ { "description": "Kaffe", "quantity": "1", "unit_price": "100.00" } ] });
        if let Some(r) = reference {
            body["payment_reference"] = serde_json::json!(r);
        }
        common::client()
            .post(format!("{}/api/v1/invoices", app.url))
            .bearer_auth(&app.demo.api_key)
            .header("Idempotency-Key", key)
            .json(&body)
            .send()
    };
    assert_eq!(post("FIK-1", None, "fik-1").await.unwrap().status(), 201);
    let made = reference_of(&app, "FIK-1").await;
    assert_eq!(made.len(), 15, "{made}");
    PaymentReference::parse(ReferenceScheme::DkFik71, &made).expect("a +71 payment id with its check digit");
    // The same invoice sent again (under another key) is the same invoice: its reference was
    // Kassa's, not the caller's.
    assert_eq!(post("FIK-1", None, "fik-1-again").await.unwrap().status(), 200);
    // One that came with a reference keeps it.
    assert_eq!(post("FIK-2", Some("Ordre 4711"), "fik-2").await.unwrap().status(), 201);
    assert_eq!(reference_of(&app, "FIK-2").await, "Ordre 4711");
    // Shown to the debtor as the code line they type in their bank.
    let dk = app.debtor("Fjordkaffe ApS").await;
    let html = dk.get(format!("{}/p/demo/invoices/FIK-1", app.url)).send().await.unwrap().text().await.unwrap();
    let section = transfer_section(&html).expect("a bank transfer section");
    assert!(section.contains(&format!("+71&lt;{made}+12345678&lt;")), "{section}");
}

#[tokio::test]
async fn bank_details_are_checked_field_by_field_and_only_admins_set_them() {
    let app = TestApp::spawn().await;
    let (merchant, _) = app.demo_customer("C-1001").await;
    let bad = BankDetails {
        account_name: " ".into(),
        iban: "NL91 ABNA 0417 1643 01".into(),
        bic: Some("ABNA".into()),
        reference_scheme: ReferenceScheme::DkFik71,
        fik_creditor: None,
    };
    let err = merchants::set_bank_details(&app.ctx, &Principal::System, Some(&merchant), bad).await.unwrap_err();
    let kassa_core::Error::Invalid(problems) = err else { panic!("{err:?}") };
    let fields: Vec<(&str, &str)> = problems.iter().map(|p| (p.field.as_str(), p.problem.code())).collect();
    assert_eq!(
        fields,
        [
            ("account_name", "account_name_invalid"),
            ("iban", "iban_invalid"),
            ("bic", "bic_invalid"),
            ("fik_creditor", "fik_creditor_invalid")
        ]
    );
    let viewer = Principal::Staff(Staff {
        merchant: merchant.clone(),
        staff: kassa_domain::StaffId::from_raw("viewer"),
        role: StaffRole::Viewer,
        email: "viewer@demo.kassa.test".into(),
    });
    let fine = BankDetails {
        account_name: "Noorderlicht".into(),
        iban: "NL91ABNA0417164300".into(),
        bic: None,
        reference_scheme: ReferenceScheme::Rf,
        fik_creditor: None,
    };
    assert!(merchants::set_bank_details(&app.ctx, &viewer, None, fine).await.is_err());
}

#[tokio::test]
async fn the_api_sets_the_bank_account_checked_field_by_field() {
    let app = TestApp::spawn().await;
    let key = app.live_key().await;
    let put = |key: String, body: serde_json::Value| {
        let app = &app;
        async move { app.api(&key, http::Method::PUT, "/settings/bank_account", Some(body)).await }
    };
    // The demo's bank account, as seeded.
    let (status, settings) = app.api(&key, http::Method::GET, "/settings", None).await;
    assert_eq!(status, 200);
    assert_eq!(settings["bank_account"]["iban"], "NL91ABNA0417164300", "{settings}");
    assert_eq!(settings["reference_scheme"], "rf");
    // Every wrong field named at once; nothing changed.
    let (status, body) = put(
        key.clone(),
        serde_json::json!({ "account_name": "", "iban": "NL91ABNA0417164301", "bic": "X", "reference_scheme": "dk_fik71" }),
    )
    .await;
    assert_eq!((status, body["error"]["code"].as_str()), (422, Some("validation_failed")), "{body}");
    let fields: Vec<&str> =
        body["error"]["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["account_name", "iban", "bic", "fik_creditor"], "{body}");
    // A test key may not change what applies to live mode too.
    let (status, _) =
        put(app.demo.api_key.clone(), serde_json::json!({ "account_name": "X", "iban": "NL91ABNA0417164300" })).await;
    assert_eq!(status, 403);
    let (status, settings) = put(
        key.clone(),
        serde_json::json!({ "account_name": "Noorderlicht Supplies ApS", "iban": "dk50 0040 0440 1162 43",
            "reference_scheme": "dk_fik71", "fik_creditor": "12345678" }),
    )
    .await;
    assert_eq!(status, 200, "{settings}");
    assert_eq!(settings["bank_account"]["iban"], "DK5000400440116243");
    assert_eq!(
        (settings["reference_scheme"].as_str(), settings["time_zone"].as_str()),
        (Some("dk_fik71"), Some("Europe/Amsterdam"))
    );
    let audited: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'merchant.bank_details_changed'")
            .fetch_one(&app.ctx.pool)
            .await
            .unwrap();
    assert_eq!(audited, 2, "the demo's seeding and this change");
}
