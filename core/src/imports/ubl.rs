//! Invoices and credit notes from UBL 2.1 XML, as Peppol BIS Billing 3.0 (EN 16931) has them:
//! one document per file, `Invoice` or `CreditNote`, read for what accounts receivable needs.
//!
//! - **Who**: the buyer (`AccountingCustomerParty`) is the customer. Its number is the first
//!   of `PartyIdentification/ID`, `EndpointID` (as `scheme:value`), `PartyLegalEntity/CompanyID`
//!   and `PartyTaxScheme/CompanyID`, or for a buyer with none of them (EN 16931 asks for none)
//!   `name:` with its country and name; a customer Kassa does not know yet is created from the
//!   party's name and, when there is one, `Contact/ElectronicMail` (its language from the
//!   country: NL `nl`, DK `da`, else `en`), one it knows is left as it is.
//! - **What**: each `InvoiceLine` / `CreditNoteLine` becomes a line, as quantity times price
//!   when that is exactly its `LineExtensionAmount` in the currency's decimals, else as one
//!   line of that amount (the quantity and price in its text). Document-level allowances and
//!   charges, VAT per `TaxSubtotal`, `PrepaidAmount` and `PayableRoundingAmount` become lines
//!   too, so the invoice's total is what the debtor is asked to pay; that must equal
//!   `PayableAmount`, or the document is refused.
//! - **How it is paid**: the first `PaymentMeans` with a `PaymentID` or an IBAN gives the
//!   invoice's payment reference and the merchant's account.
//! - **Credit notes** credit the invoice their `BillingReference` names (held as credit on the
//!   customer when none is named, or one Kassa does not hold: the report warns), for their
//!   `PayableAmount`, with their first `Note` as the reason. An `Invoice` whose
//!   `PayableAmount` is below zero (a correction, as EN 16931 allows) is such a credit note.
//!
//! The file is read with quick-xml's namespace-aware reader into a small tree that remembers
//! each element's line, so every problem is reported at the element's line and XML path
//! (`/Invoice/cac:InvoiceLine[2]/cbc:InvoicedQuantity`); elements are matched by namespace,
//! whatever prefixes the file uses.

use std::collections::HashMap;
use std::str::FromStr;

use kassa_domain::{Currency, InvoiceLine, Money, Problem};
use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::NsReader;
use rust_decimal::Decimal;

use super::{CreditNoteInput, Document, Entry, Place, RowProblem};
use crate::services::customers::CustomerInput;
use crate::services::invoices::{CustomerRef, InvoiceInput, LineInput, NumberStyle};

const INVOICE: &str = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2";
const CREDIT_NOTE: &str = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2";
const CBC: &str = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2";
const CAC: &str = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2";
/// Deeper than any UBL document nests.
const MAX_DEPTH: usize = 64;
/// A document with its attachments embedded (a PDF of the invoice, base64) fits in this.
pub const MAX_DOCUMENT_BYTES: usize = 20 * 1024 * 1024;
/// Far more elements than an invoice of ten thousand lines has.
const MAX_ELEMENTS: usize = 1_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Ns {
    Cbc,
    Cac,
    /// The document's own namespace (Invoice-2, CreditNote-2).
    Doc,
    Other,
}

/// `cbc:Name`, `cac:Party`: an element by its namespace and local name.
type Name = (Ns, &'static str);
const fn cbc(local: &'static str) -> Name {
    (Ns::Cbc, local)
}
const fn cac(local: &'static str) -> Name {
    (Ns::Cac, local)
}

struct Node {
    parent: Option<usize>,
    ns: Ns,
    local: String,
    /// As the file writes it, prefix and all.
    qname: String,
    /// By local name.
    attrs: Vec<(String, String)>,
    text: String,
    children: Vec<usize>,
    line: u64,
    /// Its position among its parent's children of the same name (1-based), and how many
    /// there are: the path says `[nth]` when there are several.
    nth: u32,
    namesakes: u32,
}

/// A parsed document: its elements, the root first.
struct Tree {
    nodes: Vec<Node>,
}

const ROOT: usize = 0;

impl Tree {
    fn parse(text: &str) -> Result<Tree, Problem> {
        let mut reader = NsReader::from_str(text);
        let mut nodes: Vec<Node> = Vec::new();
        let mut stack: Vec<usize> = Vec::new();
        let (mut line, mut counted) = (1u64, 0usize);
        let mut line_at = |pos: usize| {
            let pos = pos.min(text.len());
            if pos > counted {
                line += text.as_bytes()[counted..pos].iter().filter(|b| **b == b'\n').count() as u64;
                counted = pos;
            }
            line
        };
        loop {
            let start = reader.buffer_position() as usize;
            let event = reader.read_resolved_event();
            let (ns, event) = match event {
                Ok((ns, event)) => (
                    match ns {
                        ResolveResult::Bound(n) if n.as_ref() == CBC => Ns::Cbc,
                        ResolveResult::Bound(n) if n.as_ref() == CAC => Ns::Cac,
                        ResolveResult::Bound(n) if n.as_ref() == INVOICE || n.as_ref() == CREDIT_NOTE => Ns::Doc,
                        _ => Ns::Other,
                    },
                    event,
                ),
                Err(e) => {
                    let at = line_at(reader.error_position() as usize);
                    return Err(malformed(at, &e.to_string()));
                }
            };
            match event {
                Event::Start(ref e) | Event::Empty(ref e) => {
                    if stack.len() >= MAX_DEPTH {
                        return Err(malformed(line_at(start), "elements nest too deep"));
                    }
                    if nodes.len() >= MAX_ELEMENTS {
                        return Err(Problem::ImportDocumentTooLarge {
                            max_mib: (MAX_DOCUMENT_BYTES / 1024 / 1024) as u32,
                            max_elements: MAX_ELEMENTS as u32,
                        });
                    }
                    if stack.is_empty() && !nodes.is_empty() {
                        return Err(malformed(line_at(start), "a second root element"));
                    }
                    let mut attrs = Vec::new();
                    for a in e.attributes() {
                        let a = a.map_err(|e| malformed(line_at(start), &e.to_string()))?;
                        let value = a
                            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                            .map_err(|e| malformed(line_at(start), &e.to_string()))?;
                        attrs.push((a.key.local_name().as_ref().to_string(), value.into_owned()));
                    }
                    let id = nodes.len();
                    let parent = stack.last().copied();
                    nodes.push(Node {
                        parent,
                        ns,
                        local: e.local_name().as_ref().to_string(),
                        qname: e.name().as_ref().to_string(),
                        attrs,
                        text: String::new(),
                        children: Vec::new(),
                        line: line_at(start),
                        nth: 1,
                        namesakes: 1,
                    });
                    if let Some(p) = parent {
                        nodes[p].children.push(id);
                    }
                    if matches!(event, Event::Start(_)) {
                        stack.push(id);
                    }
                }
                Event::End(_) => {
                    stack.pop();
                }
                Event::Text(t) => {
                    let text = t.xml10_content();
                    if text.chars().any(not_xml) {
                        return Err(malformed(line_at(start), "a control character XML does not allow"));
                    }
                    if let Some(top) = stack.last() {
                        nodes[*top].text.push_str(&text);
                    }
                }
                Event::CData(c) => {
                    let text = c.xml10_content();
                    if text.chars().any(not_xml) {
                        return Err(malformed(line_at(start), "a control character XML does not allow"));
                    }
                    if let Some(top) = stack.last() {
                        nodes[*top].text.push_str(&text);
                    }
                }
                Event::GeneralRef(r) => {
                    let resolved = match r.resolve_char_ref() {
                        Ok(Some(c)) => c.to_string(),
                        Ok(None) => quick_xml::escape::resolve_predefined_entity(&r.xml10_content())
                            .ok_or_else(|| malformed(line_at(start), "an entity that is not one of XML's five"))?
                            .to_string(),
                        Err(e) => return Err(malformed(line_at(start), &e.to_string())),
                    };
                    if let Some(top) = stack.last() {
                        nodes[*top].text.push_str(&resolved);
                    }
                }
                Event::Eof => break,
                _ => {}
            }
        }
        if nodes.is_empty() {
            return Err(Problem::ImportEmpty);
        }
        if !stack.is_empty() {
            return Err(malformed(line_at(text.len()), "the file ends inside an element"));
        }
        for parent in 0..nodes.len() {
            let mut seen: HashMap<(Ns, &str), u32> = HashMap::new();
            let mut numbered = Vec::with_capacity(nodes[parent].children.len());
            for c in &nodes[parent].children {
                let n = seen.entry((nodes[*c].ns, nodes[*c].local.as_str())).or_insert(0);
                *n += 1;
                numbered.push((*c, *n));
            }
            let counts: Vec<u32> =
                numbered.iter().map(|(c, _)| seen[&(nodes[*c].ns, nodes[*c].local.as_str())]).collect();
            for ((c, nth), namesakes) in numbered.into_iter().zip(counts) {
                nodes[c].nth = nth;
                nodes[c].namesakes = namesakes;
            }
        }
        Ok(Tree { nodes })
    }

    fn children<'a>(&'a self, at: usize, name: Name) -> impl Iterator<Item = usize> + 'a {
        self.nodes[at].children.iter().copied().filter(move |c| {
            let n = &self.nodes[*c];
            n.ns == name.0 && n.local == name.1
        })
    }

    /// The first element down `path` from `at`.
    fn find(&self, at: usize, path: &[Name]) -> Option<usize> {
        let (first, rest) = path.split_first()?;
        self.children(at, *first).find_map(|c| if rest.is_empty() { Some(c) } else { self.find(c, rest) })
    }

    fn text(&self, at: usize) -> &str {
        self.nodes[at].text.trim()
    }

    /// The element's text when it has some.
    fn value(&self, at: usize, path: &[Name]) -> Option<(usize, &str)> {
        self.find(at, path).map(|n| (n, self.text(n))).filter(|(_, t)| !t.is_empty())
    }

    fn attr(&self, at: usize, name: &str) -> Option<&str> {
        self.nodes[at].attrs.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim())
    }

    /// `/Invoice/cac:InvoiceLine[2]/cbc:ID`: an element's path as the file names it, with the
    /// element's position among its namesakes where there are several.
    fn path(&self, at: usize) -> String {
        let mut parts = Vec::new();
        let mut cur = Some(at);
        while let Some(i) = cur {
            let n = &self.nodes[i];
            parts.push(if n.namesakes > 1 { format!("{}[{}]", n.qname, n.nth) } else { n.qname.clone() });
            cur = n.parent;
        }
        parts.reverse();
        format!("/{}", parts.join("/"))
    }

    /// Where a missing element would be: below `at`, as UBL's usual prefixes name it.
    fn path_below(&self, at: usize, path: &[Name]) -> String {
        let mut out = self.path(at);
        for (ns, local) in path {
            let prefix = match ns {
                Ns::Cbc => "cbc:",
                Ns::Cac => "cac:",
                Ns::Doc | Ns::Other => "",
            };
            out.push('/');
            out.push_str(prefix);
            out.push_str(local);
        }
        out
    }
}

/// A character XML 1.0 does not allow in a document (C0 controls but tab and line breaks).
fn not_xml(c: char) -> bool {
    c < ' ' && !matches!(c, '\t' | '\n' | '\r')
}

fn malformed(line: u64, reason: &str) -> Problem {
    Problem::ImportXmlMalformed { line, reason: reason.chars().take(200).collect() }
}

/// Whether the bytes look like XML (after a byte-order mark and white space).
pub fn looks_like_xml(bytes: &[u8]) -> bool {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'<')
}

/// Reads one UBL document. `Err` when there is no document to speak of (not XML, not UBL);
/// otherwise the document with the problems found in it (it is imported only without).
pub fn read(file: &str, bytes: &[u8]) -> Result<(Document, Vec<RowProblem>), RowProblem> {
    let at_file = |line: u64, problem: Problem| RowProblem::at(line, "file", problem).in_file(file);
    let text = super::utf8_text(bytes).map_err(|p| p.in_file(file))?;
    let declared = text.trim_start().strip_prefix("<?xml").and_then(|d| d.split("?>").next()).unwrap_or("");
    if let Some(encoding) = declared.split("encoding").nth(1) {
        let name = encoding.trim_start_matches([' ', '=']).trim_start_matches(['"', '\'']);
        let name: String = name.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
        if !name.eq_ignore_ascii_case("utf-8") {
            return Err(at_file(1, Problem::ImportNotUtf8 { line: 1 }));
        }
    }
    if text.len() > MAX_DOCUMENT_BYTES {
        let max_mib = (MAX_DOCUMENT_BYTES / 1024 / 1024) as u32;
        return Err(at_file(1, Problem::ImportDocumentTooLarge { max_mib, max_elements: MAX_ELEMENTS as u32 }));
    }
    let tree = Tree::parse(text).map_err(|p| {
        let line = match &p {
            Problem::ImportXmlMalformed { line, .. } => *line,
            _ => 1,
        };
        at_file(line, p)
    })?;
    let root = &tree.nodes[ROOT];
    let kind = match (root.ns, root.local.as_str()) {
        (Ns::Doc, "Invoice") => Kind::Invoice,
        (Ns::Doc, "CreditNote") => Kind::CreditNote,
        _ => return Err(at_file(root.line, Problem::ImportNotUbl { root: root.qname.chars().take(60).collect() })),
    };
    Ok(Reader { tree: &tree, kind, file, problems: Vec::new(), fields: HashMap::new() }.document())
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Invoice,
    CreditNote,
}

struct Reader<'t> {
    tree: &'t Tree,
    kind: Kind,
    file: &'t str,
    problems: Vec<RowProblem>,
    /// Where each field of the document came from, for the services' problems.
    fields: HashMap<String, (u64, String)>,
}

impl Reader<'_> {
    fn problem_at(&mut self, node: usize, problem: Problem) {
        let p = RowProblem::at(self.tree.nodes[node].line, &self.tree.path(node), problem).in_file(self.file);
        self.problems.push(p);
    }

    fn missing(&mut self, below: usize, path: &[Name]) {
        let element = self.tree.path_below(below, path);
        let p = RowProblem::at(
            self.tree.nodes[below].line,
            &element,
            Problem::ImportElementMissing { element: element.clone() },
        )
        .in_file(self.file);
        self.problems.push(p);
    }

    /// Remembers that `field` came from `node`.
    fn from(&mut self, field: impl Into<String>, node: usize) {
        self.fields.insert(field.into(), (self.tree.nodes[node].line, self.tree.path(node)));
    }

    /// A required element's text, or a problem.
    fn required(&mut self, below: usize, path: &[Name], field: &str) -> String {
        match self.tree.value(below, path) {
            Some((node, text)) => {
                self.from(field, node);
                text.to_string()
            }
            None => {
                self.missing(below, path);
                String::new()
            }
        }
    }

    /// An amount element in the document's currency.
    fn amount(&mut self, node: usize, currency: Option<Currency>) -> Option<Money> {
        let currency = currency?;
        if let Some(found) = self.tree.attr(node, "currencyID") {
            if !found.eq_ignore_ascii_case(currency.code()) {
                let p = Problem::ImportAmountCurrency { expected: currency.code().into(), found: found.into() };
                self.problem_at(node, p);
                return None;
            }
        }
        match decimal(self.tree.text(node)).map(|d| Money::from_exact_decimal(d, currency)) {
            Some(Ok(m)) => Some(m),
            Some(Err(e)) => {
                self.problem_at(node, Problem::from(e));
                None
            }
            None => {
                let input = self.tree.text(node).chars().take(30).collect();
                self.problem_at(node, Problem::AmountNotANumber { input });
                None
            }
        }
    }

    /// An amount the document may leave out; one it has must be an amount (an empty element
    /// is a problem, never a zero).
    fn optional_amount(&mut self, below: usize, path: &[Name], currency: Option<Currency>) -> Option<(usize, Money)> {
        let node = self.tree.find(below, path)?;
        self.amount(node, currency).map(|m| (node, m))
    }

    /// An amount the document must have.
    fn required_amount(&mut self, below: usize, path: &[Name], currency: Option<Currency>) -> Option<(usize, Money)> {
        if self.tree.find(below, path).is_none() {
            self.missing(below, path);
            return None;
        }
        self.optional_amount(below, path, currency)
    }

    /// Minus the amount at `node` (an allowance, a prepaid amount).
    fn negative(&mut self, node: usize, m: Money) -> Option<Money> {
        let negated = m.minor().checked_neg().map(|minor| Money::from_minor(minor, m.currency()));
        if negated.is_none() {
            self.problem_at(node, Problem::AmountTooLarge);
        }
        negated
    }

    fn document(mut self) -> (Document, Vec<RowProblem>) {
        let t = self.tree;
        let number = self.required(ROOT, &[cbc("ID")], "number");
        let issue_date = without_zone(self.required(ROOT, &[cbc("IssueDate")], "issue_date"));
        let currency_text = self.required(ROOT, &[cbc("DocumentCurrencyCode")], "currency");
        let currency = Currency::parse(&currency_text).ok();
        if currency.is_none() && !currency_text.is_empty() {
            if let Some(node) = t.find(ROOT, &[cbc("DocumentCurrencyCode")]) {
                self.problem_at(node, Problem::UnknownCurrency { input: currency_text.chars().take(10).collect() });
            }
        }
        let due = [&[cbc("DueDate")][..], &[cac("PaymentMeans"), cbc("PaymentDueDate")]]
            .into_iter()
            .find_map(|p| t.value(ROOT, p));
        let due_date = due.map(|(node, text)| {
            self.from("due_date", node);
            without_zone(text.to_string())
        });
        let (customer_number, customer) = self.customer();
        let (lines, computed) = self.lines(currency);
        let payable = match t.value(ROOT, &[cac("LegalMonetaryTotal"), cbc("PayableAmount")]) {
            Some((node, _)) => {
                self.from("lines", node);
                self.from("total", node);
                self.from("amount", node);
                self.amount(node, currency).map(|m| (node, m))
            }
            None => {
                self.missing(ROOT, &[cac("LegalMonetaryTotal"), cbc("PayableAmount")]);
                None
            }
        };
        if computed.is_none() && self.problems.is_empty() {
            // Every amount that could not be read says why; this is the net under that.
            let p = Problem::ImportRejected { reason: "an amount of the document cannot be read".into() };
            self.problems.push(RowProblem::at(t.nodes[ROOT].line, &t.path(ROOT), p).in_file(self.file));
        }
        // An invoice for less than zero is a correction that gives money back (EN 16931 allows
        // it): Kassa takes it as the credit note it is.
        let correction = self.kind == Kind::Invoice && payable.is_some_and(|(_, p)| p.is_negative());
        if let (Some((node, payable)), Some(computed)) = (payable, computed) {
            if payable != computed {
                let p = Problem::ImportTotalsDisagree {
                    payable: payable.amount_string(),
                    computed: computed.amount_string(),
                };
                self.problem_at(node, p);
            } else if payable.is_zero() || (self.kind == Kind::CreditNote && payable.is_negative()) {
                self.problem_at(node, Problem::ImportPayableNotPositive { payable: payable.amount_string() });
            }
        }
        let (payment_reference, payee_iban) = self.payment_means();
        let kind = if correction { Kind::CreditNote } else { self.kind };
        let entry = match kind {
            Kind::Invoice => Entry::Invoice(InvoiceInput {
                customer: CustomerRef::Number(customer_number.clone()),
                number,
                currency: currency_text,
                issue_date,
                due_date,
                lines,
                numbers: NumberStyle::Plain,
                payment_reference,
                payee_iban,
            }),
            Kind::CreditNote => {
                let against = t
                    .value(ROOT, &[cac("BillingReference"), cac("InvoiceDocumentReference"), cbc("ID")])
                    .map(|(node, text)| {
                        self.from("against", node);
                        text.to_string()
                    });
                let reason = match t.value(ROOT, &[cbc("Note")]) {
                    Some((node, text)) => {
                        self.from("reason", node);
                        text.chars().take(500).collect()
                    }
                    None => {
                        let names: Vec<&str> = lines.iter().map(|l| l.description.as_str()).collect();
                        format!("Credit note {number}: {}", names.join("; ")).chars().take(500).collect()
                    }
                };
                // A correction's payable amount is below zero; the credit is what it gives back.
                let credit = payable
                    .and_then(|(_, m)| m.minor().checked_abs().map(|minor| Money::from_minor(minor, m.currency())));
                Entry::CreditNote(CreditNoteInput {
                    customer: customer_number,
                    number,
                    currency: currency_text,
                    amount: credit.map(|m| m.amount_string()).unwrap_or_default(),
                    against,
                    reason,
                })
            }
        };
        let document = Document {
            file: Some(self.file.to_string()),
            line: t.nodes[ROOT].line,
            customer,
            customer_if_new: true,
            entry,
            place: Place::Xml { root: t.path(ROOT), fields: self.fields },
        };
        (document, self.problems)
    }

    /// The buyer: its number, and the customer to create if Kassa does not know it.
    fn customer(&mut self) -> (String, Option<CustomerInput>) {
        let t = self.tree;
        let Some(party) = t.find(ROOT, &[cac("AccountingCustomerParty"), cac("Party")]) else {
            self.missing(ROOT, &[cac("AccountingCustomerParty"), cac("Party")]);
            return (String::new(), None);
        };
        self.from("customer", party);
        let identifier = [
            &[cac("PartyIdentification"), cbc("ID")][..],
            &[cbc("EndpointID")],
            &[cac("PartyLegalEntity"), cbc("CompanyID")],
            &[cac("PartyTaxScheme"), cbc("CompanyID")],
        ]
        .into_iter()
        .find_map(|p| t.value(party, p));
        let name = [&[cac("PartyName"), cbc("Name")][..], &[cac("PartyLegalEntity"), cbc("RegistrationName")]]
            .into_iter()
            .find_map(|p| t.value(party, p));
        let country = t
            .value(party, &[cac("PostalAddress"), cac("Country"), cbc("IdentificationCode")])
            .map(|(_, c)| c.trim().to_ascii_uppercase());
        let number = match (identifier, name) {
            (Some((node, text)), _) => {
                self.from("customer", node);
                self.from("customer_number", node);
                match t.attr(node, "schemeID").filter(|_| t.nodes[node].local == "EndpointID") {
                    Some(scheme) if !scheme.is_empty() => format!("{scheme}:{text}"),
                    _ => text.to_string(),
                }
            }
            // EN 16931 asks no identifier of a buyer: one without is known by its name and
            // country (docs/imports.md says what that risks: two buyers of one name and
            // country are one customer).
            (None, Some((node, name))) => {
                self.from("customer", node);
                self.from("customer_number", node);
                number_by_name(name, country.as_deref())
            }
            (None, None) => {
                self.missing(party, &[cac("PartyIdentification"), cbc("ID")]);
                return (String::new(), None);
            }
        };
        let Some((name_node, name)) = name else {
            // Without a name, the customer must already be known; the invoice check says so.
            return (number, None);
        };
        self.from("customer_name", name_node);
        // Optional in EN 16931: a customer without an address is tracked all the same.
        let email = t.value(party, &[cac("Contact"), cbc("ElectronicMail")]).map(|(node, email)| {
            self.from("customer_email", node);
            email.to_string()
        });
        let language = match country.as_deref() {
            Some("NL") => "nl",
            Some("DK") => "da",
            _ => "en",
        };
        let customer = CustomerInput {
            number: number.clone(),
            name: name.to_string(),
            email,
            language: Some(language.to_string()),
            ..CustomerInput::default()
        };
        (number, Some(customer))
    }

    /// The document's lines as Kassa's, and what they come to (when every amount could be read).
    fn lines(&mut self, currency: Option<Currency>) -> (Vec<LineInput>, Option<Money>) {
        let t = self.tree;
        let (line_name, quantity_name) = match self.kind {
            Kind::Invoice => (cac("InvoiceLine"), cbc("InvoicedQuantity")),
            Kind::CreditNote => (cac("CreditNoteLine"), cbc("CreditedQuantity")),
        };
        let mut lines: Vec<LineInput> = Vec::new();
        let mut amounts: Vec<Option<Money>> = Vec::new();
        let ubl_lines: Vec<usize> = t.children(ROOT, line_name).collect();
        if ubl_lines.is_empty() {
            self.missing(ROOT, &[line_name]);
        }
        for node in ubl_lines {
            let i = lines.len();
            let name = self.required(node, &[cac("Item"), cbc("Name")], &format!("lines[{i}].description"));
            let extension = match t.value(node, &[cbc("LineExtensionAmount")]) {
                Some((n, _)) => {
                    self.from(format!("lines[{i}].unit_price"), n);
                    self.from(format!("lines[{i}]"), n);
                    self.amount(n, currency)
                }
                None => {
                    self.missing(node, &[cbc("LineExtensionAmount")]);
                    None
                }
            };
            let quantity = t.value(node, &[quantity_name]).map(|(n, text)| {
                self.from(format!("lines[{i}].quantity"), n);
                (n, text)
            });
            let quantity = match quantity {
                Some((n, text)) => match decimal(text) {
                    Some(q) => Some(q),
                    None => {
                        self.problem_at(
                            n,
                            Problem::QuantityInvalid { line: i as u32 + 1, input: text.chars().take(30).collect() },
                        );
                        None
                    }
                },
                None => {
                    self.missing(node, &[quantity_name]);
                    None
                }
            };
            let price = t.value(node, &[cac("Price"), cbc("PriceAmount")]).and_then(|(_, p)| decimal(p));
            let base = t.value(node, &[cac("Price"), cbc("BaseQuantity")]).and_then(|(_, b)| decimal(b));
            let (Some(extension), Some(quantity), Some(currency)) = (extension, quantity, currency) else {
                lines.push(LineInput { description: name, ..LineInput::default() });
                amounts.push(None);
                continue;
            };
            lines.push(as_line(&name, quantity, price, base, extension, currency));
            amounts.push(Some(extension));
        }
        // Allowances and charges on the whole document.
        for node in t.children(ROOT, cac("AllowanceCharge")).collect::<Vec<_>>() {
            // xsd:boolean: `true` or `1` is a charge.
            let charge = t.value(node, &[cbc("ChargeIndicator")]).is_some_and(|(_, c)| c == "true" || c == "1");
            let amount = self.required_amount(node, &[cbc("Amount")], currency);
            let reason = [&[cbc("AllowanceChargeReason")][..], &[cbc("AllowanceChargeReasonCode")]]
                .into_iter()
                .find_map(|p| t.value(node, p))
                .map(|(_, r)| r.to_string())
                .unwrap_or_else(|| if charge { "Charge".into() } else { "Allowance".into() });
            let amount = match amount {
                Some((n, m)) if !charge => self.negative(n, m).map(|m| (n, m)),
                other => other,
            };
            self.extra(&mut lines, &mut amounts, reason, amount, node);
        }
        // VAT per category, in the document's currency (a second TaxTotal in the tax currency
        // is for the tax authority, not for the debtor).
        let tax_total = t.children(ROOT, cac("TaxTotal")).find(|n| {
            let amount = t.find(*n, &[cbc("TaxAmount")]);
            amount
                .and_then(|a| t.attr(a, "currencyID"))
                .zip(currency)
                .is_none_or(|(c, d)| c.eq_ignore_ascii_case(d.code()))
        });
        if let Some(total) = tax_total {
            for sub in t.children(total, cac("TaxSubtotal")).collect::<Vec<_>>() {
                let Some((n, amount)) = self.required_amount(sub, &[cbc("TaxAmount")], currency) else {
                    amounts.push(None);
                    continue;
                };
                if amount.is_zero() {
                    continue;
                }
                let category = t.value(sub, &[cac("TaxCategory"), cbc("ID")]).map(|(_, c)| c.to_string());
                let percent = t.value(sub, &[cac("TaxCategory"), cbc("Percent")]).and_then(|(_, p)| decimal(p));
                let text = match (percent, category.as_deref()) {
                    (Some(p), Some("S") | None) => format!("VAT {}%", p.normalize()),
                    (Some(p), Some(c)) => format!("VAT {}% ({c})", p.normalize()),
                    (None, Some(c)) => format!("VAT ({c})"),
                    (None, None) => "VAT".into(),
                };
                self.extra(&mut lines, &mut amounts, text, Some((n, amount)), n);
            }
        }
        let totals = [cac("LegalMonetaryTotal")];
        if let Some(total) = t.find(ROOT, &totals) {
            if let Some((n, prepaid)) = self.optional_amount(total, &[cbc("PrepaidAmount")], currency) {
                if !prepaid.is_zero() {
                    let minus = self.negative(n, prepaid);
                    self.extra(&mut lines, &mut amounts, "Paid in advance".into(), minus.map(|m| (n, m)), n);
                }
            }
            if let Some((n, rounding)) = self.optional_amount(total, &[cbc("PayableRoundingAmount")], currency) {
                if !rounding.is_zero() {
                    self.extra(&mut lines, &mut amounts, "Rounding".into(), Some((n, rounding)), n);
                }
            }
        }
        let computed = currency
            .and_then(|c| amounts.iter().try_fold(Money::zero(c), |sum, a| a.and_then(|a| sum.checked_add(a).ok())));
        (lines, computed)
    }

    /// A line for an amount on the document (an allowance, a charge, VAT...): one of it.
    fn extra(
        &mut self,
        lines: &mut Vec<LineInput>,
        amounts: &mut Vec<Option<Money>>,
        description: String,
        amount: Option<(usize, Money)>,
        node: usize,
    ) {
        let i = lines.len();
        self.from(format!("lines[{i}]"), node);
        self.from(format!("lines[{i}].description"), node);
        self.from(format!("lines[{i}].unit_price"), node);
        lines.push(LineInput {
            description,
            quantity: "1".into(),
            unit_price: amount.map(|(_, m)| m.amount_string()).unwrap_or_default(),
        });
        amounts.push(amount.map(|(_, m)| m));
    }

    /// The invoice's payment reference and the merchant's IBAN, from the first PaymentMeans
    /// that has either.
    fn payment_means(&mut self) -> (Option<String>, Option<String>) {
        let t = self.tree;
        for means in t.children(ROOT, cac("PaymentMeans")).collect::<Vec<_>>() {
            let reference = t.value(means, &[cbc("PaymentID")]);
            // SEPA credit transfer (58) names an IBAN; other means may name another kind of
            // account (a Bankgiro, a FIK creditor), which is not the invoice's IBAN.
            let sepa = t.value(means, &[cbc("PaymentMeansCode")]).is_some_and(|(_, c)| c == "58");
            let iban = t
                .value(means, &[cac("PayeeFinancialAccount"), cbc("ID")])
                .filter(|(_, i)| sepa || crate::services::invoices::parse_iban(i).is_ok());
            if reference.is_none() && iban.is_none() {
                continue;
            }
            if let Some((n, _)) = reference {
                self.from("payment_reference", n);
            }
            if let Some((n, _)) = iban {
                self.from("payee_iban", n);
            }
            return (reference.map(|(_, r)| r.to_string()), iban.map(|(_, i)| i.to_string()));
        }
        (None, None)
    }
}

/// The customer number of a buyer without an identifier: `name:` with its country and its name
/// (white space folded). The same name and country are the same customer, in every import. A
/// number that would be longer than a customer number may be keeps the name's first part and
/// a hash of all of it, so two long names that differ only at the end stay two customers.
fn number_by_name(name: &str, country: Option<&str>) -> String {
    use sha2::{Digest, Sha256};
    let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
    let number = format!("name:{}:{name}", country.unwrap_or("--"));
    let max = kassa_domain::CustomerNumber::MAX_CHARS;
    if number.chars().count() <= max {
        return number;
    }
    let hash: String = Sha256::digest(name.as_bytes()).iter().take(5).map(|b| format!("{b:02x}")).collect();
    let kept: String = number.chars().take(max - hash.len() - 1).collect();
    format!("{kept}~{hash}")
}

/// An `xsd:date` without its time zone, which a calendar date does not need
/// (`2026-11-16+01:00`, `2026-11-16Z`).
fn without_zone(date: String) -> String {
    match date.get(10..) {
        Some(zone) if zone == "Z" || zone.starts_with(['+', '-']) => date[..10].to_string(),
        _ => date,
    }
}

/// An `xsd:decimal` (`1234.50`, `-3`, `+.5`).
fn decimal(text: &str) -> Option<Decimal> {
    let t = text.trim();
    let t = t.strip_prefix('+').unwrap_or(t);
    let ok = !t.is_empty()
        && t.strip_prefix('-').unwrap_or(t).chars().all(|c| c.is_ascii_digit() || c == '.')
        && t.matches('.').count() <= 1;
    ok.then(|| Decimal::from_str(t).ok()).flatten()
}

/// A UBL line as Kassa's: quantity times unit price when that is exactly its amount, else one
/// of its amount with the quantity and price in the text.
fn as_line(
    name: &str,
    quantity: Decimal,
    price: Option<Decimal>,
    base: Option<Decimal>,
    extension: Money,
    currency: Currency,
) -> LineInput {
    let base = base.filter(|b| !b.is_zero()).unwrap_or(Decimal::ONE);
    let unit = price.and_then(|p| p.checked_div(base)).map(|u| u.normalize());
    let exact = unit.and_then(|u| Money::from_exact_decimal(u, currency).ok()).filter(|u| {
        !quantity.is_sign_negative()
            && quantity.scale() <= 6
            && InvoiceLine { description: String::new(), quantity, unit_price: *u }.amount().ok() == Some(extension)
    });
    match exact {
        Some(unit) => LineInput {
            description: name.to_string(),
            quantity: quantity.normalize().to_string(),
            unit_price: unit.amount_string(),
        },
        None => {
            let per = match (price, base == Decimal::ONE) {
                (Some(p), true) => format!(" × {}", p.normalize()),
                (Some(p), false) => format!(" × {} per {}", p.normalize(), base.normalize()),
                (None, _) => String::new(),
            };
            LineInput {
                description: format!("{name} ({}{per})", quantity.normalize()),
                quantity: "1".into(),
                unit_price: extension.amount_string(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &str = include_str!("../../../docs/examples/invoice-peppol.xml");
    const CREDIT: &str = include_str!("../../../docs/examples/credit-note-peppol.xml");

    #[test]
    fn a_buyer_without_an_identifier_is_numbered_by_its_country_and_name() {
        assert_eq!(number_by_name("  Bakkerij   Van Dijk B.V. ", Some("NL")), "name:NL:Bakkerij Van Dijk B.V.");
        assert_eq!(number_by_name("Fjordkaffe ApS", None), "name:--:Fjordkaffe ApS");
        let long = "Coöperatieve Vereniging van Zuivelproducenten Noord-Nederland U.A.";
        let (a, b) = (
            number_by_name(&format!("{long} afdeling A"), Some("NL")),
            number_by_name(&format!("{long} afdeling B"), Some("NL")),
        );
        assert_ne!(a, b, "long names that differ at the end stay two customers");
        assert_eq!(a.chars().count(), kassa_domain::CustomerNumber::MAX_CHARS);
        assert!(kassa_domain::CustomerNumber::parse(&a).is_ok());
        assert_eq!(a, number_by_name(&format!("{long}  afdeling A"), Some("NL")), "the same in every import");
    }

    #[test]
    fn a_peppol_invoice_becomes_lines_that_add_up_to_what_it_asks() {
        let (doc, problems) = read("invoice-peppol.xml", EXAMPLE.as_bytes()).unwrap();
        assert!(problems.is_empty(), "{problems:#?}");
        let Entry::Invoice(inv) = &doc.entry else { panic!("an invoice") };
        assert_eq!(inv.number, "2026-0501");
        assert_eq!(without_zone("2026-11-16+01:00".into()), "2026-11-16");
        assert_eq!(without_zone("2026-11-16Z".into()), "2026-11-16");
        assert_eq!(without_zone("16-11-2026".into()), "16-11-2026", "what is not a zone is left to the date check");
        assert_eq!((inv.issue_date.as_str(), inv.due_date.as_deref()), ("2026-11-16", Some("2026-11-30")));
        assert_eq!(inv.customer, CustomerRef::Number("DEB-1001".into()));
        let got: Vec<(&str, &str, &str)> =
            inv.lines.iter().map(|l| (l.description.as_str(), l.quantity.as_str(), l.unit_price.as_str())).collect();
        assert_eq!(
            got,
            [
                ("Tarwebloem type 550, zak 25 kg", "12", "18.45"),
                ("Roomboter, blok 1 kg", "20", "7.90"),
                ("Vanillestokjes", "4", "1.25"),
                ("Bakpapier, rol 50 m (3 × 4.9533)", "1", "14.86"),
                ("Bezorgkosten", "1", "25.00"),
                ("VAT 9%", "1", "34.60"),
                ("VAT 21%", "1", "8.37"),
            ]
        );
        assert_eq!(inv.payment_reference.as_deref(), Some("1000 0000 0501 2026"));
        assert_eq!(inv.payee_iban.as_deref(), Some("NL91ABNA0417164300"));
        let customer = doc.customer.as_ref().unwrap();
        assert_eq!(
            (customer.name.as_str(), customer.email.as_deref().unwrap_or_default(), customer.language.as_deref()),
            ("Bakkerij Van Dijk B.V.", "administratie@bakkerijvandijk.example", Some("nl"))
        );
        let Place::Xml { fields, .. } = &doc.place else { panic!("xml") };
        assert_eq!(fields["lines[1].quantity"].1, "/Invoice/cac:InvoiceLine[2]/cbc:InvoicedQuantity");
    }

    #[test]
    fn a_credit_note_credits_the_invoice_it_names() {
        let (doc, problems) = read("credit.xml", CREDIT.as_bytes()).unwrap();
        assert!(problems.is_empty(), "{problems:#?}");
        let Entry::CreditNote(c) = &doc.entry else { panic!("a credit note") };
        assert_eq!(
            (c.number.as_str(), c.amount.as_str(), c.against.as_deref(), c.customer.as_str()),
            ("2026-C-012", "17.22", Some("2026-0501"), "DEB-1001")
        );
        assert_eq!(c.reason, "Twee blokken roomboter beschadigd geleverd");
    }

    #[test]
    fn problems_are_reported_at_the_element_with_its_line_and_path() {
        let broken = EXAMPLE
            .replace(
                "<cbc:InvoicedQuantity unitCode=\"C62\">20</cbc:InvoicedQuantity>",
                "<cbc:InvoicedQuantity unitCode=\"C62\">twenty</cbc:InvoicedQuantity>",
            )
            .replace("<cbc:IssueDate>2026-11-16</cbc:IssueDate>", "")
            .replace(
                "<cbc:PayableAmount currencyID=\"EUR\">467.23</cbc:PayableAmount>",
                "<cbc:PayableAmount currencyID=\"EUR\">467.00</cbc:PayableAmount>",
            );
        let (_, problems) = read("x.xml", broken.as_bytes()).unwrap();
        let got: Vec<(&str, &str)> = problems.iter().map(|p| (p.field.as_str(), p.problem.code())).collect();
        assert_eq!(
            got,
            [
                ("/Invoice/cbc:IssueDate", "import_element_missing"),
                ("/Invoice/cac:InvoiceLine[2]/cbc:InvoicedQuantity", "quantity_invalid"),
            ],
            "the totals are not compared while a line cannot be read"
        );
        let line = EXAMPLE.lines().position(|l| l.contains(">20</cbc:InvoicedQuantity>")).unwrap() as u64 + 1;
        assert_eq!(problems[1].line, line, "the element's own line");

        let off = EXAMPLE.replace(
            "<cbc:PayableAmount currencyID=\"EUR\">467.23</cbc:PayableAmount>",
            "<cbc:PayableAmount currencyID=\"EUR\">467.00</cbc:PayableAmount>",
        );
        let (_, problems) = read("x.xml", off.as_bytes()).unwrap();
        assert_eq!(
            problems.iter().map(|p| (p.field.as_str(), &p.problem)).collect::<Vec<_>>(),
            [(
                "/Invoice/cac:LegalMonetaryTotal/cbc:PayableAmount",
                &Problem::ImportTotalsDisagree { payable: "467.00".into(), computed: "467.23".into() }
            )]
        );
    }

    #[test]
    fn every_amount_is_in_the_documents_currency() {
        let danish = EXAMPLE.replace("EUR", "DKK");
        let (doc, problems) = read("dk.xml", danish.as_bytes()).unwrap();
        assert!(problems.is_empty(), "{problems:#?}");
        assert!(matches!(doc.entry, Entry::Invoice(ref i) if i.currency == "DKK"));
        let mixed = EXAMPLE.replacen("<cbc:Amount currencyID=\"EUR\">", "<cbc:Amount currencyID=\"USD\">", 1);
        let (_, problems) = read("x.xml", mixed.as_bytes()).unwrap();
        assert_eq!(
            problems.iter().map(|p| (p.field.as_str(), &p.problem)).collect::<Vec<_>>(),
            [(
                "/Invoice/cac:AllowanceCharge/cbc:Amount",
                &Problem::ImportAmountCurrency { expected: "EUR".into(), found: "USD".into() }
            )]
        );
    }

    #[test]
    fn an_amount_left_empty_or_beyond_range_is_a_problem_never_a_zero_or_a_panic() {
        let codes = |text: &str| -> Vec<(String, &'static str)> {
            let (_, problems) = read("x.xml", text.as_bytes()).unwrap();
            problems.iter().map(|p| (p.field.clone(), p.problem.code())).collect()
        };
        let empty = EXAMPLE
            .replace("<cbc:TaxAmount currencyID=\"EUR\">8.37</cbc:TaxAmount>", "<cbc:TaxAmount currencyID=\"EUR\"/>");
        assert_eq!(
            codes(&empty),
            [("/Invoice/cac:TaxTotal/cac:TaxSubtotal[2]/cbc:TaxAmount".to_string(), "amount_not_a_number")]
        );
        let huge = EXAMPLE
            .replace(
                "<cbc:ChargeIndicator>true</cbc:ChargeIndicator>",
                "<cbc:ChargeIndicator>false</cbc:ChargeIndicator>",
            )
            .replace(
                "<cbc:Amount currencyID=\"EUR\">25.00</cbc:Amount>",
                "<cbc:Amount currencyID=\"EUR\">-92233720368547758.08</cbc:Amount>",
            );
        assert_eq!(codes(&huge), [("/Invoice/cac:AllowanceCharge/cbc:Amount".to_string(), "amount_too_large")]);
        // Paid in advance in full: nothing left to ask for is not an invoice to collect.
        let prepaid = EXAMPLE.replace(
            "<cbc:PayableAmount currencyID=\"EUR\">467.23</cbc:PayableAmount>",
            "<cbc:PrepaidAmount currencyID=\"EUR\">467.23</cbc:PrepaidAmount><cbc:PayableAmount currencyID=\"EUR\">0.00</cbc:PayableAmount>",
        );
        assert_eq!(
            codes(&prepaid),
            [("/Invoice/cac:LegalMonetaryTotal/cbc:PayableAmount".to_string(), "import_payable_not_positive")]
        );
        // xsd:boolean `1` is true: the delivery is still a charge.
        let one = EXAMPLE
            .replace("<cbc:ChargeIndicator>true</cbc:ChargeIndicator>", "<cbc:ChargeIndicator>1</cbc:ChargeIndicator>");
        assert!(codes(&one).is_empty());
    }

    #[test]
    fn only_an_iban_is_taken_as_the_payee_account() {
        let bankgiro = EXAMPLE
            .replace(">58</cbc:PaymentMeansCode>", ">30</cbc:PaymentMeansCode>")
            .replace("<cbc:ID>NL91ABNA0417164300</cbc:ID>", "<cbc:ID>5050-1055</cbc:ID>");
        let (doc, problems) = read("x.xml", bankgiro.as_bytes()).unwrap();
        assert!(problems.is_empty());
        let Entry::Invoice(inv) = doc.entry else { panic!("an invoice") };
        assert_eq!((inv.payment_reference.as_deref(), inv.payee_iban), (Some("1000 0000 0501 2026"), None));
        // A SEPA credit transfer names an IBAN: a wrong one is the invoice check's to refuse.
        let wrong = EXAMPLE.replace("<cbc:ID>NL91ABNA0417164300</cbc:ID>", "<cbc:ID>NL91ABNA0417164301</cbc:ID>");
        let (doc, _) = read("x.xml", wrong.as_bytes()).unwrap();
        assert!(matches!(doc.entry, Entry::Invoice(ref i) if i.payee_iban.as_deref() == Some("NL91ABNA0417164301")));
    }

    #[test]
    fn what_is_not_a_ubl_document_is_said_so() {
        let err = |text: &str| read("x.xml", text.as_bytes()).unwrap_err().problem;
        assert_eq!(err("<Order xmlns=\"urn:x\"/>"), Problem::ImportNotUbl { root: "Order".into() });
        assert!(matches!(
            err("<Invoice xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:Invoice-2\">\n<cbc:ID>"),
            Problem::ImportXmlMalformed { line: 2, .. }
        ));
        assert!(matches!(err("<a>&ent;</a>"), Problem::ImportXmlMalformed { line: 1, .. }));
        assert!(matches!(err("<a>\n\u{0}</a>"), Problem::ImportXmlMalformed { line: 1, .. }), "a NUL is not XML");
        assert_eq!(err("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a/>"), Problem::ImportNotUtf8 { line: 1 });
        // Another prefix for the same namespaces reads the same.
        let prefixed = EXAMPLE.replace("xmlns:cbc=", "xmlns:b=").replace("<cbc:", "<b:").replace("</cbc:", "</b:");
        let (doc, problems) = read("x.xml", prefixed.as_bytes()).unwrap();
        assert!(problems.is_empty(), "{problems:#?}");
        assert!(matches!(doc.entry, Entry::Invoice(ref i) if i.lines.len() == 7));
    }
}
