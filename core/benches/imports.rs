//! Import throughput through `imports::run`, on SQLite or PostgreSQL, first import and then
//! the same files again (everything unchanged):
//!
//! - CSV: a generated file of `--rows` invoice lines (four lines per invoice, over
//!   `--customers` customers described in the file, semicolons and decimal commas as a Dutch
//!   spreadsheet writes them); rows per second.
//! - UBL (`--ubl N`): N generated Peppol BIS 3 invoice files (four lines at two VAT rates and
//!   a delivery charge each, as `docs/examples/invoice-peppol.xml`); files per second.
//!
//! ```sh
//! cargo bench -p kassa-core --bench imports -- [--rows 100000] [--customers 5000] [--ubl 10000] [--database-url URL]
//! bench/imports    # both backends and both formats, PostgreSQL in a throwaway cluster
//! ```

use std::fmt::Write;
use std::sync::Arc;
use std::time::Instant;

use kassa_core::gateways::Gateways;
use kassa_core::imports::{self, OnError, Upload};
use kassa_core::services::merchants::{self, CreateMerchant};
use kassa_core::services::widget::TokenSigner;
use kassa_core::{audit, db, Ctx, Principal};
use kassa_domain::MerchantSlug;

fn file(rows: usize, customers: usize) -> String {
    let mut csv = String::from(
        "invoice_number;customer_number;customer_name;customer_email;currency;issue_date;due_date;description;quantity;unit_price\n",
    );
    for row in 0..rows {
        let invoice = row / 4;
        let customer = invoice % customers;
        let day = 1 + invoice % 28;
        let _ = writeln!(
            csv,
            "B-{invoice:07};DEB-{customer:05};Klant {customer} B.V.;debiteuren{customer}@klant.example;EUR;{day:02}-11-2026;\
             {day:02}-12-2026;Artikel {} omschrijving;{};{},{:02}",
            row % 4,
            1 + row % 12,
            3 + row % 400,
            row % 100
        );
    }
    csv
}

/// One Peppol BIS 3 invoice: four lines at 9 % and 21 % VAT and a delivery charge.
fn ubl(n: usize, customers: usize) -> String {
    let customer = n % customers;
    let day = 1 + n % 28;
    let mut lines = String::new();
    let (mut low, mut high) = (0i64, 0i64);
    for l in 0..4 {
        let (qty, price) = (1 + (n + l) % 12, 300 + ((n * 7 + l) % 400) as i64);
        let amount = qty as i64 * price;
        let rate = if l < 2 { 9 } else { 21 };
        if rate == 9 {
            low += amount
        } else {
            high += amount
        }
        let _ = writeln!(
            lines,
            "<cac:InvoiceLine><cbc:ID>{}</cbc:ID><cbc:InvoicedQuantity unitCode=\"C62\">{qty}</cbc:InvoicedQuantity>\
             <cbc:LineExtensionAmount currencyID=\"EUR\">{}</cbc:LineExtensionAmount><cac:Item><cbc:Name>Artikel {l}</cbc:Name>\
             <cac:ClassifiedTaxCategory><cbc:ID>S</cbc:ID><cbc:Percent>{rate}</cbc:Percent><cac:TaxScheme><cbc:ID>VAT</cbc:ID>\
             </cac:TaxScheme></cac:ClassifiedTaxCategory></cac:Item><cac:Price><cbc:PriceAmount currencyID=\"EUR\">{}</cbc:PriceAmount>\
             </cac:Price></cac:InvoiceLine>",
            l + 1,
            cents(amount),
            cents(price)
        );
    }
    let charge = 1500;
    high += charge;
    // VAT per rate, rounded half up as the seller's package would.
    let (vat_low, vat_high) = ((low * 9 + 50) / 100, (high * 21 + 50) / 100);
    let payable = low + high + vat_low + vat_high;
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <Invoice xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:Invoice-2\" \
         xmlns:cac=\"urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2\" \
         xmlns:cbc=\"urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2\">\n\
         <cbc:CustomizationID>urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0</cbc:CustomizationID>\n\
         <cbc:ID>U-{n:07}</cbc:ID><cbc:IssueDate>2026-11-{day:02}</cbc:IssueDate><cbc:DueDate>2026-12-{day:02}</cbc:DueDate>\n\
         <cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode><cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>\n\
         <cac:AccountingSupplierParty><cac:Party><cac:PartyName><cbc:Name>Bench B.V.</cbc:Name></cac:PartyName></cac:Party></cac:AccountingSupplierParty>\n\
         <cac:AccountingCustomerParty><cac:Party><cbc:EndpointID schemeID=\"0106\">{customer:08}</cbc:EndpointID>\
         <cac:PartyIdentification><cbc:ID>DEB-{customer:05}</cbc:ID></cac:PartyIdentification>\
         <cac:PartyName><cbc:Name>Klant {customer} B.V.</cbc:Name></cac:PartyName>\
         <cac:PostalAddress><cac:Country><cbc:IdentificationCode>NL</cbc:IdentificationCode></cac:Country></cac:PostalAddress>\
         <cac:Contact><cbc:ElectronicMail>debiteuren{customer}@klant.example</cbc:ElectronicMail></cac:Contact></cac:Party></cac:AccountingCustomerParty>\n\
         <cac:PaymentMeans><cbc:PaymentMeansCode>58</cbc:PaymentMeansCode><cbc:PaymentID>RF18 {n:07}</cbc:PaymentID>\
         <cac:PayeeFinancialAccount><cbc:ID>NL91ABNA0417164300</cbc:ID></cac:PayeeFinancialAccount></cac:PaymentMeans>\n\
         <cac:AllowanceCharge><cbc:ChargeIndicator>true</cbc:ChargeIndicator><cbc:AllowanceChargeReason>Bezorgkosten</cbc:AllowanceChargeReason>\
         <cbc:Amount currencyID=\"EUR\">{}</cbc:Amount></cac:AllowanceCharge>\n\
         <cac:TaxTotal><cbc:TaxAmount currencyID=\"EUR\">{}</cbc:TaxAmount>\
         <cac:TaxSubtotal><cbc:TaxableAmount currencyID=\"EUR\">{}</cbc:TaxableAmount><cbc:TaxAmount currencyID=\"EUR\">{}</cbc:TaxAmount>\
         <cac:TaxCategory><cbc:ID>S</cbc:ID><cbc:Percent>9</cbc:Percent></cac:TaxCategory></cac:TaxSubtotal>\
         <cac:TaxSubtotal><cbc:TaxableAmount currencyID=\"EUR\">{}</cbc:TaxableAmount><cbc:TaxAmount currencyID=\"EUR\">{}</cbc:TaxAmount>\
         <cac:TaxCategory><cbc:ID>S</cbc:ID><cbc:Percent>21</cbc:Percent></cac:TaxCategory></cac:TaxSubtotal></cac:TaxTotal>\n\
         <cac:LegalMonetaryTotal><cbc:PayableAmount currencyID=\"EUR\">{}</cbc:PayableAmount></cac:LegalMonetaryTotal>\n\
         {lines}</Invoice>\n",
        cents(charge),
        cents(vat_low + vat_high),
        cents(low),
        cents(vat_low),
        cents(high),
        cents(vat_high),
        cents(payable)
    )
}

fn cents(minor: i64) -> String {
    kassa_domain::Money::from_minor(minor, kassa_domain::Currency::EUR).amount_string()
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut rows = 100_000;
    let mut customers = 5_000;
    let mut database_url = None;
    let mut ubl_files = None;
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        match flag.as_str() {
            "--rows" => rows = it.next().and_then(|v| v.parse().ok()).expect("--rows N"),
            "--customers" => customers = it.next().and_then(|v| v.parse().ok()).expect("--customers N"),
            "--database-url" => database_url = it.next(),
            "--ubl" => ubl_files = Some(it.next().and_then(|v| v.parse().ok()).expect("--ubl N")),
            "--bench" => {}
            other => anyhow::bail!("unknown flag {other}"),
        }
    }
    let dir = tempfile::tempdir()?;
    let url = database_url.unwrap_or_else(|| format!("sqlite://{}/bench.db", dir.path().display()));
    let backend = if url.starts_with("postgres") { "PostgreSQL" } else { "SQLite" };
    let pool = db::connect(&url).await?;
    db::migrate(&pool).await?;
    let key = b"bench key bench key bench key 32";
    let ctx = Ctx::new(
        kassa_core::Shared {
            gateways: Gateways::standard(
                &pool,
                "http://127.0.0.1:3000",
                b"bench key bench key bench key 32",
                kassa_core::gateways::stripe::API_URL,
            ),
            pool,
            tokens: TokenSigner::new(key),
            public_url: "http://127.0.0.1:3000".into(),
            allow_private_webhooks: false,
            webhook_secrets: kassa_core::secrets::Sealer::new(key, "webhook-secrets"),
            gateway_secrets: kassa_core::secrets::Sealer::new(key, "gateway-secrets"),
            mailer: Arc::new(kassa_core::mail::Catcher),
            labels: Arc::new(kassa_core::labels::English),
            senders: Default::default(),
        },
        audit::Origin::of("bench"),
    );
    let slug = MerchantSlug::parse(&format!("bench-{}", &db::new_id()[..8]))?;
    let cmd = CreateMerchant { slug, name: "Bench B.V.".into(), brand_color: None, logo: None, time_zone: None };
    let merchant = merchants::create(&ctx, &Principal::System, cmd).await?;
    let (files, unit, count) = match ubl_files {
        Some(n) => {
            let files: Vec<Upload> = (0..n)
                .map(|i| Upload { name: format!("u-{i:07}.xml"), bytes: ubl(i, customers).into_bytes() })
                .collect();
            let size: usize = files.iter().map(|f| f.bytes.len()).sum();
            println!("{backend}: {n} UBL files (4 lines each, {customers} customers), {:.1} MB", size as f64 / 1e6);
            (files, "files", n)
        }
        None => {
            let csv = file(rows, customers);
            println!(
                "{backend}: {rows} rows ({} invoices, {customers} customers), {:.1} MB",
                rows.div_ceil(4),
                csv.len() as f64 / 1e6
            );
            (vec![Upload { name: "bench.csv".into(), bytes: csv.into_bytes() }], "rows", rows)
        }
    };
    for pass in ["first import", "same files again"] {
        let started = Instant::now();
        let report =
            imports::run(&ctx, &Principal::System, Some(&merchant.id), &files, OnError::RejectFile, &|_, _| {}).await?;
        let secs = started.elapsed().as_secs_f64();
        assert!(report.problems.is_empty(), "{:?}", &report.problems[..report.problems.len().min(3)]);
        println!(
            "{backend} {pass}: {:.1} s, {:.0} {unit}/s ({} created, {} unchanged)",
            secs,
            count as f64 / secs,
            report.created,
            report.unchanged
        );
    }
    Ok(())
}
