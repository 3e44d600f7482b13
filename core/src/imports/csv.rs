//! Invoices from a CSV file, as spreadsheets and ERPs export them: a header row, one row per
//! invoice line, the invoice's own fields repeated on each of its rows (rows of one invoice
//! need not be next to each other). Comma or semicolon (whichever the header uses), quotes as
//! RFC 4180 has them, UTF-8 with or without a byte-order mark, amounts as people write them
//! in a semicolon file (`1.234,50`, `12,5`; quantities too: `1.250` is 1250) and plainly in a
//! comma file (`1234.50`), dates as `2026-11-25`, `25-11-2026`, `25.11.2026` or `25/11/2026`.
//! The columns are in docs/imports.md; an unknown column is refused, so a typo never drops
//! data silently.

use std::collections::HashMap;

use kassa_domain::Problem;

use super::{Document, Entry, Found, Place, RowProblem};
use crate::services::customers::CustomerInput;
use crate::services::invoices::{CustomerRef, InvoiceInput, LineInput, NumberStyle};

/// Every column a file may have; the first seven are required.
pub const COLUMNS: [&str; 12] = [
    "invoice_number",
    "customer_number",
    "currency",
    "issue_date",
    "description",
    "quantity",
    "unit_price",
    "due_date",
    "customer_name",
    "customer_email",
    "customer_language",
    "customer_payment_terms_days",
];
const REQUIRED: usize = 7;
/// Invoice-level columns: the same on every row of one invoice.
const INVOICE_LEVEL: [&str; 8] = [
    "customer_number",
    "currency",
    "issue_date",
    "due_date",
    "customer_name",
    "customer_email",
    "customer_language",
    "customer_payment_terms_days",
];

/// The delimiter the header row uses: `;` when it has more semicolons than commas.
fn delimiter(text: &str) -> u8 {
    let header = text.lines().next().unwrap_or_default();
    if header.matches(';').count() > header.matches(',').count() {
        b';'
    } else {
        b','
    }
}

/// `25-11-2026`, `25.11.2026`, `25/11/2026` as `2026-11-25`; anything else as written (the
/// invoice check then says what is wrong with it).
pub fn iso_date(text: &str) -> String {
    let t = text.trim();
    let parts: Vec<&str> = t.split(['-', '.', '/']).collect();
    if let [d, m, y] = parts.as_slice() {
        if y.len() == 4 && (1..=2).contains(&d.len()) && (1..=2).contains(&m.len()) {
            return format!("{y}-{m:0>2}-{d:0>2}");
        }
    }
    t.to_string()
}

/// Reads the file into documents (one per invoice number) and the problems of its rows (with
/// the document each makes invalid). `Err` is a problem with the file as a whole (no header,
/// an unknown column, not UTF-8).
pub fn read(file: &str, bytes: &[u8]) -> Result<(Vec<Document>, Vec<Found>), RowProblem> {
    read_rows(bytes).map_err(|p| p.in_file(file)).map(|(mut documents, mut problems)| {
        for d in &mut documents {
            d.file = Some(file.to_string());
        }
        for f in &mut problems {
            f.problem.file = Some(file.to_string());
        }
        (documents, problems)
    })
}

fn read_rows(bytes: &[u8]) -> Result<(Vec<Document>, Vec<Found>), RowProblem> {
    let text = super::utf8_text(bytes)?;
    if text.trim().is_empty() {
        return Err(RowProblem::at(1, "file", Problem::ImportEmpty));
    }
    let delimiter = delimiter(text);
    // A semicolon file is a European spreadsheet's: its quantities have a decimal comma and
    // may group thousands with a point (`1.250` is twelve hundred and fifty).
    // A comma file's numbers are plain (`1234.50`): a point is always the decimal point.
    let quantity = |q: String| if delimiter == b';' { q.replace('.', "").replace(',', ".") } else { q };
    let numbers = if delimiter == b';' { NumberStyle::Local } else { NumberStyle::Plain };
    let mut reader =
        csv::ReaderBuilder::new().delimiter(delimiter).trim(csv::Trim::All).flexible(true).from_reader(text.as_bytes());
    let header = reader.headers().map_err(|_| RowProblem::at(1, "file", Problem::ImportEmpty))?.clone();
    let mut index: HashMap<&'static str, usize> = HashMap::new();
    for (i, name) in header.iter().enumerate() {
        let name = name.trim().to_ascii_lowercase();
        let known = COLUMNS.iter().find(|c| **c == name).ok_or_else(|| {
            RowProblem::at(1, "file", Problem::ImportColumnUnknown { column: name.chars().take(60).collect() })
        })?;
        index.insert(known, i);
    }
    if let Some(missing) = COLUMNS[..REQUIRED].iter().find(|c| !index.contains_key(*c)) {
        return Err(RowProblem::at(1, "file", Problem::ImportColumnMissing { column: missing.to_string() }));
    }

    let mut documents: Vec<Document> = Vec::new();
    let mut by_number: HashMap<String, usize> = HashMap::new();
    // The invoice-level values each document was first seen with.
    let mut first_values: Vec<HashMap<&'static str, String>> = Vec::new();
    let mut problems = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                problems.push(Found {
                    document: None,
                    problem: RowProblem::at(line, "file", Problem::ImportRowMalformed { line }),
                });
                continue;
            }
        };
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        if record.iter().all(|f| f.is_empty()) {
            continue;
        }
        if record.iter().any(|f| f.contains('\0')) {
            let problem = RowProblem::at(line, "file", Problem::ImportNulCharacter { line });
            problems.push(Found { document: None, problem });
            continue;
        }
        if record.len() != header.len() {
            problems.push(Found {
                document: None,
                problem: RowProblem::at(line, "file", Problem::ImportRowMalformed { line }),
            });
            continue;
        }
        let get = |c: &str| index.get(c).and_then(|i| record.get(*i)).unwrap_or("").to_string();
        let number = get("invoice_number");
        let slot = match by_number.get(&number) {
            Some(slot) => *slot,
            None => {
                by_number.insert(number.clone(), documents.len());
                let customer = (!get("customer_name").is_empty() || !get("customer_email").is_empty()).then(|| {
                    let terms = get("customer_payment_terms_days");
                    CustomerInput {
                        number: get("customer_number"),
                        name: get("customer_name"),
                        email: Some(get("customer_email")),
                        language: Some(get("customer_language")).filter(|l| !l.is_empty()),
                        segment: None,
                        payment_terms_days: if terms.is_empty() { None } else { Some(terms.parse().unwrap_or(-1)) },
                        contacts: Vec::new(),
                    }
                });
                let due = get("due_date");
                documents.push(Document {
                    file: None,
                    line,
                    customer,
                    customer_if_new: false,
                    entry: Entry::Invoice(InvoiceInput {
                        customer: CustomerRef::Number(get("customer_number")),
                        number: number.clone(),
                        currency: get("currency"),
                        issue_date: iso_date(&get("issue_date")),
                        due_date: (!due.is_empty()).then(|| iso_date(&due)),
                        lines: Vec::new(),
                        numbers,
                        payment_reference: None,
                        payee_iban: None,
                    }),
                    place: Place::Rows(Vec::new()),
                });
                first_values.push(INVOICE_LEVEL.iter().map(|c| (*c, get(c))).collect());
                documents.len() - 1
            }
        };
        let first_line = documents[slot].line;
        for column in INVOICE_LEVEL {
            if first_values[slot].get(column).is_some_and(|v| *v != get(column)) {
                let problem = RowProblem::at(line, column, Problem::ImportRowDisagrees { first_line });
                problems.push(Found { document: Some(slot), problem });
            }
        }
        let doc = &mut documents[slot];
        if let (Entry::Invoice(invoice), Place::Rows(line_numbers)) = (&mut doc.entry, &mut doc.place) {
            invoice.lines.push(LineInput {
                description: get("description"),
                quantity: quantity(get("quantity")),
                unit_price: get("unit_price"),
            });
            line_numbers.push(line);
        }
    }
    if documents.is_empty() && problems.is_empty() {
        return Err(RowProblem::at(1, "file", Problem::ImportEmpty));
    }
    Ok((documents, problems))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn semicolons_decimal_commas_a_bom_and_dutch_dates() {
        let file =
            "\u{feff}invoice_number;customer_number;currency;issue_date;due_date;description;quantity;unit_price\n\
                    NL-1;C-1;EUR;02-11-2026;16.11.2026;\"Kaas; belegen\";3;1.234,50\n\
                    NL-2;C-1;EUR;2026-11-03;;Boter;1.250;4,10\n\
                    NL-1;C-1;EUR;02-11-2026;16.11.2026;Bezorging;1;12,50\n";
        let (docs, problems) = read("f.csv", file.as_bytes()).unwrap();
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(docs.len(), 2);
        let invoice = |d: &Document| match &d.entry {
            Entry::Invoice(i) => i.clone(),
            Entry::CreditNote(_) => panic!("CSV files hold invoices"),
        };
        let (first, second) = (invoice(&docs[0]), invoice(&docs[1]));
        assert_eq!((first.issue_date.as_str(), first.due_date.as_deref()), ("2026-11-02", Some("2026-11-16")));
        assert_eq!(first.lines[0].description, "Kaas; belegen");
        assert_eq!(first.lines[0].unit_price, "1.234,50");
        assert!(matches!(&docs[0].place, Place::Rows(lines) if lines == &[2, 4]));
        assert_eq!((docs[1].line, second.due_date.as_deref()), (3, None));
        assert_eq!(second.lines[0].quantity, "1250");
    }

    #[test]
    fn what_is_wrong_with_a_file_is_said_with_its_line() {
        let header = "invoice_number,customer_number,currency,issue_date,description,quantity,unit_price";
        let unknown = format!("{header},colour\n");
        assert_eq!(
            read("f.csv", unknown.as_bytes()).unwrap_err().problem,
            Problem::ImportColumnUnknown { column: "colour".into() }
        );
        let missing = "invoice_number,customer_number,currency,issue_date,description,quantity\n";
        assert_eq!(
            read("f.csv", missing.as_bytes()).unwrap_err().problem,
            Problem::ImportColumnMissing { column: "unit_price".into() }
        );
        assert_eq!(read("f.csv", b"").unwrap_err().problem, Problem::ImportEmpty);
        let latin1 = format!("{header}\nNL-1,C-1,EUR,2026-11-02,Caf\u{e9},1,2\n").replace('\u{e9}', "\u{1}");
        let mut bytes = latin1.into_bytes();
        let at = bytes.iter().position(|b| *b == 1).unwrap();
        bytes[at] = 0xe9;
        assert_eq!(read("f.csv", &bytes).unwrap_err().problem, Problem::ImportNotUtf8 { line: 2 });
        let utf16: Vec<u8> =
            [0xff, 0xfe].into_iter().chain(header.encode_utf16().flat_map(|u| u.to_le_bytes())).collect();
        assert_eq!(read("f.csv", &utf16).unwrap_err().problem, Problem::ImportNotUtf8 { line: 1 });
        let file =
            format!("{header}\nNL-1,C-1,EUR,2026-11-02,Kaas,1,2\nNL-1,C-2,EUR,2026-11-02,Boter,1,2\nNL-2,C-1\nNL-3,C-1,EUR,2026-11-02,K\0,1,2\n");
        let (_, problems) = read("f.csv", file.as_bytes()).unwrap();
        let got: Vec<(Option<usize>, u64, &str, &Problem)> = problems
            .iter()
            .map(|f| (f.document, f.problem.line, f.problem.field.as_str(), &f.problem.problem))
            .collect();
        assert_eq!(
            got,
            [
                (Some(0), 3, "customer_number", &Problem::ImportRowDisagrees { first_line: 2 }),
                (None, 4, "file", &Problem::ImportRowMalformed { line: 4 }),
                (None, 5, "file", &Problem::ImportNulCharacter { line: 5 }),
            ]
        );
    }
}
