//! The import readers under fuzzing: arbitrary bytes, and real files (the guide's examples, as
//! a Dutch bookkeeping package and a Peppol access point send them) cut, flipped, spliced and
//! with extreme values put into their fields. Whatever comes in, a reader answers documents or
//! problems, never a panic. A bounded run (a few hundred cases per property) is part of every
//! test run, on the stable toolchain; a case that ever fails is kept below as a regression
//! test of its own.

use proptest::prelude::*;

use super::{csv, ubl, unpack, Budget, Upload};

const DUTCH_CSV: &[u8] = include_bytes!("../../../docs/examples/invoices-nl.csv");
const PEPPOL_INVOICE: &[u8] = include_bytes!("../../../docs/examples/invoice-peppol.xml");
const PEPPOL_CREDIT_NOTE: &[u8] = include_bytes!("../../../docs/examples/credit-note-peppol.xml");

/// Values at the edges of what the readers and the services compute with.
const EXTREMES: &[&str] = &[
    "",
    " ",
    "0",
    "-0",
    "-1",
    "0.001",
    "9223372036854775807",
    "-9223372036854775808",
    "92233720368547758.07",
    "-92233720368547758.08",
    "99999999999999999999999999999999",
    "1e308",
    "NaN",
    "0001-01-01",
    "9999-12-31",
    "2026-02-30",
    "31-12-9999",
    "2026-11-25T23:59:59+14:00",
    "\u{0}",
    "\u{7}\u{1b}[2J",
    "\u{202e}evil",
    "😀",
    "'; DROP TABLE invoices; --",
    "<![CDATA[x]]>",
    "&amp;&lt;&#0;",
    "ZZZ",
    "EUR",
];

/// What a mutation does to a real file.
#[derive(Debug, Clone)]
enum Mutation {
    /// Cut it at this fraction of its length (per mille).
    Truncate(u16),
    /// Flip one byte (position per mille, xor value).
    Flip(u16, u8),
    /// Insert bytes at a position (per mille).
    Insert(u16, Vec<u8>),
    /// Remove a run of bytes (position per mille, length).
    Remove(u16, u8),
    /// Replace the text of one field (the n-th, modulo their count) with an extreme value.
    Field(usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (0u16..=1000).prop_map(Mutation::Truncate),
        (0u16..=1000, 1u8..=255).prop_map(|(at, x)| Mutation::Flip(at, x)),
        (0u16..=1000, prop::collection::vec(any::<u8>(), 1..16)).prop_map(|(at, b)| Mutation::Insert(at, b)),
        (0u16..=1000, 1u8..=64).prop_map(|(at, n)| Mutation::Remove(at, n)),
        (any::<usize>(), 0..EXTREMES.len()).prop_map(|(field, value)| Mutation::Field(field, value)),
    ]
}

fn at(len: usize, per_mille: u16) -> usize {
    len * usize::from(per_mille) / 1000
}

/// The spans of a file's fields: text between `>` and `<` (XML), or between separators (CSV).
fn fields(bytes: &[u8]) -> Vec<(usize, usize)> {
    let xml = bytes.first() == Some(&b'<') || bytes.starts_with(b"\xef\xbb\xbf<");
    let mut spans = Vec::new();
    let mut start = 0;
    for (i, b) in bytes.iter().enumerate() {
        let (opens, closes) = if xml { (*b == b'>', *b == b'<') } else { (matches!(b, b';' | b',' | b'\n'), true) };
        if closes && i > start && !bytes[start..i].iter().all(u8::is_ascii_whitespace) {
            spans.push((start, i));
        }
        if opens || (xml && closes) {
            start = i + 1;
        }
    }
    spans
}

fn apply(file: &[u8], mutations: &[Mutation]) -> Vec<u8> {
    let mut bytes = file.to_vec();
    for m in mutations {
        let len = bytes.len();
        match m {
            Mutation::Truncate(p) => bytes.truncate(at(len, *p)),
            Mutation::Flip(p, x) if len > 0 => bytes[at(len - 1, *p)] ^= x,
            Mutation::Flip(..) => {}
            Mutation::Insert(p, b) => {
                let i = at(len, *p);
                bytes.splice(i..i, b.iter().copied());
            }
            Mutation::Remove(p, n) => {
                let i = at(len, *p);
                bytes.drain(i..(i + usize::from(*n)).min(len));
            }
            Mutation::Field(n, v) => {
                let spans = fields(&bytes);
                if let Some(&(s, e)) = spans.get(n % spans.len().max(1)) {
                    bytes.splice(s..e, EXTREMES[*v].bytes());
                }
            }
        }
    }
    bytes
}

/// Every reader an import may hand these bytes to.
fn read_all_ways(bytes: &[u8]) {
    let _ = csv::read("fuzz.csv", bytes);
    let _ = ubl::read("fuzz.xml", bytes);
    let _ = unpack(&Upload { name: "fuzz.zip".into(), bytes: bytes.to_vec() }, &mut Budget::default());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic_a_reader(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        read_all_ways(&bytes);
    }

    #[test]
    fn arbitrary_text_never_panics_the_csv_reader(text in "[a-z_;,\"\\n0-9 .-]{0,400}") {
        let _ = csv::read("fuzz.csv", format!("invoice_number;customer_number;currency;issue_date;description;quantity;unit_price\n{text}").as_bytes());
    }

    #[test]
    fn a_mutated_spreadsheet_export_never_panics(mutations in prop::collection::vec(mutation(), 1..6)) {
        let _ = csv::read("fuzz.csv", &apply(DUTCH_CSV, &mutations));
    }

    #[test]
    fn a_mutated_peppol_invoice_never_panics(mutations in prop::collection::vec(mutation(), 1..6)) {
        let _ = ubl::read("fuzz.xml", &apply(PEPPOL_INVOICE, &mutations));
    }

    #[test]
    fn a_mutated_peppol_credit_note_never_panics(mutations in prop::collection::vec(mutation(), 1..6)) {
        let _ = ubl::read("fuzz.xml", &apply(PEPPOL_CREDIT_NOTE, &mutations));
    }
}

#[test]
fn every_extreme_value_in_every_field_never_panics() {
    for value in 0..EXTREMES.len() {
        for field in 0..fields(DUTCH_CSV).len() {
            let _ = csv::read("fuzz.csv", &apply(DUTCH_CSV, &[Mutation::Field(field, value)]));
        }
        for file in [PEPPOL_INVOICE, PEPPOL_CREDIT_NOTE] {
            for field in 0..fields(file).len() {
                let _ = ubl::read("fuzz.xml", &apply(file, &[Mutation::Field(field, value)]));
            }
        }
    }
}

#[test]
fn mutations_reach_the_fields_of_real_files() {
    // The fuzzing means something only if it changes what the readers read.
    assert!(fields(PEPPOL_INVOICE).len() > 50, "{}", fields(PEPPOL_INVOICE).len());
    assert!(fields(DUTCH_CSV).len() > 40, "{}", fields(DUTCH_CSV).len());
    let changed = apply(PEPPOL_INVOICE, &[Mutation::Field(3, 11)]);
    assert_ne!(changed, PEPPOL_INVOICE);
    assert!(String::from_utf8_lossy(&changed).contains("1e308"));
}
