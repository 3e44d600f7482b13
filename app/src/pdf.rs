//! The debtor's documents as PDFs, made on the server: an invoice, a payment's receipt and a
//! statement of account, in the debtor's language, with the merchant's name and colour. Real
//! text (searchable, copyable, read aloud), DejaVu Sans embedded and subset by krilla; words,
//! money and dates come from the same place as the pages' (`words`, `money`, `dates`).
//!
//! Layout is two steps: [`Layout`] places text and boxes on A4 pages (wrapping long
//! descriptions, repeating a table's header on each new page), then [`render`] draws them.

use std::sync::LazyLock;

use kassa_core::services::logos::{Format, Logo};
use kassa_core::services::records::Merchant;
use kassa_core::services::{portal, statements};
use kassa_domain::Money;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::Metadata;
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, FillRule};
use krilla::text::{Font, TextDirection};
use krilla::Document;
use skrifa::instance::{LocationRef, Size};
use skrifa::MetadataProvider;

use crate::dates::{date_in, moment_in};
use crate::i18n::Lang;
use crate::money::money_in;

const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
const MARGIN: f32 = 48.0;
const BODY: f32 = 9.5;
const LEADING: f32 = 13.5;
const BAND_H: f32 = 64.0;
/// A logo's height on the band: its width follows its proportions.
const LOGO_H: f32 = 32.0;
const FOOTER_Y: f32 = PAGE_H - 28.0;
const TEXT: Ink = Ink(0x1f, 0x23, 0x28);
const MUTED: Ink = Ink(0x55, 0x5d, 0x66);
const RULE: Ink = Ink(0xc8, 0xcd, 0xd3);

static REGULAR: LazyLock<Face> = LazyLock::new(|| Face::new(dejavu::sans::regular()));
static BOLD: LazyLock<Face> = LazyLock::new(|| Face::new(dejavu::sans::bold()));

/// How wide `text` is in DejaVu Sans Bold at `size` (the email badge's text, which is drawn in
/// it: badge.rs).
pub(crate) fn bold_width(text: &str, size: f32) -> f32 {
    BOLD.width(text, size)
}

/// A font: krilla's for drawing, skrifa's view of the same bytes for measuring (read once).
struct Face {
    font: Font,
    measure: skrifa::FontRef<'static>,
}

impl Face {
    fn new(bytes: &'static [u8]) -> Face {
        let font = Font::new(bytes.into(), 0).expect("DejaVu Sans is a valid font");
        let measure = skrifa::FontRef::new(bytes).expect("DejaVu Sans is a valid font");
        Face { font, measure }
    }

    /// How wide `text` is at `size` points (advance widths; DejaVu has every glyph Kassa's
    /// languages use).
    fn width(&self, text: &str, size: f32) -> f32 {
        let charmap = self.measure.charmap();
        let metrics = self.measure.glyph_metrics(Size::new(size), LocationRef::default());
        text.chars().filter_map(|c| charmap.map(c)).filter_map(|g| metrics.advance_width(g)).sum()
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Ink(u8, u8, u8);

impl Ink {
    /// `#1a5fb4` (a merchant's colour, checked when it was saved); anything else is Kassa's ink.
    fn hex(text: &str) -> Ink {
        let channel = |i: usize| text.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok());
        match (text.len(), channel(1), channel(3), channel(5)) {
            (7, Some(r), Some(g), Some(b)) => Ink(r, g, b),
            _ => TEXT,
        }
    }
}

#[derive(Debug, Clone)]
enum Op {
    Text { x: f32, y: f32, size: f32, bold: bool, ink: Ink, text: String },
    Rect { x: f32, y: f32, w: f32, h: f32, ink: Ink },
    Image { x: f32, y: f32, w: f32, h: f32, image: krilla::image::Image },
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Align {
    Left,
    Right,
}

/// A table column: its heading, width and alignment.
struct Column<'a> {
    heading: &'a str,
    width: f32,
    align: Align,
}

/// A table row: its cells, bold or not.
struct Row {
    cells: Vec<String>,
    bold: bool,
}

/// What each page carries: the merchant's band with the document's title, and the footer.
struct Frame {
    merchant: String,
    /// The merchant's logo and the width it is drawn at, [`LOGO_H`] high.
    logo: Option<(krilla::image::Image, f32)>,
    color: Ink,
    title: String,
    footer: String,
}

struct Layout {
    frame: Frame,
    pages: Vec<Vec<Op>>,
    /// The next line's top, on the last page.
    y: f32,
}

impl Layout {
    fn new(frame: Frame) -> Layout {
        let mut layout = Layout { frame, pages: Vec::new(), y: 0.0 };
        layout.new_page();
        layout
    }

    fn ops(&mut self) -> &mut Vec<Op> {
        self.pages.last_mut().expect("a layout has a page")
    }

    fn new_page(&mut self) {
        let f = &self.frame;
        let ink = Ink::hex(crate::emails::ink_on(&format!("#{:02x}{:02x}{:02x}", f.color.0, f.color.1, f.color.2)));
        let mut ops = vec![Op::Rect { x: 0.0, y: 0.0, w: PAGE_W, h: BAND_H, ink: f.color }];
        let mut name_x = MARGIN;
        if let Some((image, w)) = &f.logo {
            let y = (BAND_H - LOGO_H) / 2.0;
            ops.push(Op::Image { x: MARGIN, y, w: *w, h: LOGO_H, image: image.clone() });
            name_x += w + 12.0;
        }
        ops.push(Op::Text { x: name_x, y: 40.0, size: 16.0, bold: true, ink, text: f.merchant.clone() });
        let title_w = BOLD.width(&f.title, 13.0);
        ops.push(Op::Text {
            x: PAGE_W - MARGIN - title_w,
            y: 40.0,
            size: 13.0,
            bold: true,
            ink,
            text: f.title.clone(),
        });
        ops.push(Op::Text { x: MARGIN, y: FOOTER_Y, size: 7.5, bold: false, ink: MUTED, text: f.footer.clone() });
        let number = (self.pages.len() + 1).to_string();
        let number_w = REGULAR.width(&number, 7.5);
        ops.push(Op::Text {
            x: PAGE_W - MARGIN - number_w,
            y: FOOTER_Y,
            size: 7.5,
            bold: false,
            ink: MUTED,
            text: number,
        });
        self.pages.push(ops);
        self.y = BAND_H + 32.0;
    }

    /// Room for `height` more points above the footer, or a new page.
    fn room(&mut self, height: f32) -> bool {
        if self.y + height > FOOTER_Y - 24.0 {
            self.new_page();
            return false;
        }
        true
    }

    fn heading(&mut self, text: &str) {
        self.room(40.0);
        self.y += 8.0;
        let y = self.y + 12.0;
        self.ops().push(Op::Text { x: MARGIN, y, size: 12.0, bold: true, ink: TEXT, text: text.into() });
        self.y += 22.0;
    }

    /// A paragraph, wrapped to the page's width.
    fn paragraph(&mut self, text: &str, ink: Ink) {
        for line in wrap(text, &REGULAR, BODY, PAGE_W - 2.0 * MARGIN) {
            self.room(LEADING);
            let y = self.y + BODY;
            self.ops().push(Op::Text { x: MARGIN, y, size: BODY, bold: false, ink, text: line });
            self.y += LEADING;
        }
        self.y += 4.0;
    }

    /// Label and value pairs, one per line.
    fn facts(&mut self, facts: &[(String, String)]) {
        let label_w = facts.iter().map(|(l, _)| BOLD.width(l, BODY)).fold(0.0, f32::max) + 12.0;
        for (label, value) in facts {
            self.room(LEADING);
            let y = self.y + BODY;
            self.ops().push(Op::Text { x: MARGIN, y, size: BODY, bold: true, ink: TEXT, text: label.clone() });
            let x = MARGIN + label_w;
            self.ops().push(Op::Text { x, y, size: BODY, bold: false, ink: TEXT, text: value.clone() });
            self.y += LEADING;
        }
        self.y += 8.0;
    }

    fn rule(&mut self, ink: Ink) {
        let y = self.y;
        self.ops().push(Op::Rect { x: MARGIN, y, w: PAGE_W - 2.0 * MARGIN, h: 0.6, ink });
    }

    fn table_header(&mut self, columns: &[Column<'_>]) {
        self.row_cells(columns, &Row { cells: columns.iter().map(|c| c.heading.to_string()).collect(), bold: true });
        self.rule(TEXT);
        self.y += 3.0;
    }

    /// A table: the header, then each row (wrapped within its column), the header again at the
    /// top of each new page.
    fn table(&mut self, columns: &[Column<'_>], rows: &[Row]) {
        self.room(3.0 * LEADING);
        self.table_header(columns);
        for row in rows {
            let height = row_height(columns, row);
            if !self.room(height + 3.0) {
                self.table_header(columns);
            }
            self.row_cells(columns, row);
            self.rule(RULE);
            self.y += 3.0;
        }
        self.y += 10.0;
    }

    fn row_cells(&mut self, columns: &[Column<'_>], row: &Row) {
        let face: &Face = if row.bold { &BOLD } else { &REGULAR };
        let mut x = MARGIN;
        let top = self.y;
        let mut lowest = top;
        for (column, cell) in columns.iter().zip(&row.cells) {
            let mut y = top;
            for line in wrap(cell, face, BODY, column.width - 6.0) {
                let at = match column.align {
                    Align::Left => x,
                    Align::Right => x + column.width - face.width(&line, BODY),
                };
                let baseline = y + BODY;
                self.ops().push(Op::Text { x: at, y: baseline, size: BODY, bold: row.bold, ink: TEXT, text: line });
                y += LEADING;
            }
            lowest = lowest.max(y);
            x += column.width;
        }
        self.y = lowest.max(top + LEADING);
    }

    fn finish(self, lang: Lang) -> Vec<u8> {
        render(&self.pages, &self.frame.title, lang)
    }
}

fn row_height(columns: &[Column<'_>], row: &Row) -> f32 {
    let face: &Face = if row.bold { &BOLD } else { &REGULAR };
    let lines =
        columns.iter().zip(&row.cells).map(|(c, t)| wrap(t, face, BODY, c.width - 6.0).len()).max().unwrap_or(1);
    lines.max(1) as f32 * LEADING
}

/// `text` in lines no wider than `width`, broken between words (a word longer than a line is
/// broken where it must).
fn wrap(text: &str, face: &Face, size: f32, width: f32) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.lines() {
        let mut line = String::new();
        for word in paragraph.split(' ') {
            let candidate = if line.is_empty() { word.to_string() } else { format!("{line} {word}") };
            if face.width(&candidate, size) <= width {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            // A word wider than the column: as many characters as fit, then the rest.
            let mut rest = word.to_string();
            while face.width(&rest, size) > width && rest.chars().count() > 1 {
                let mut cut = String::new();
                for c in rest.chars() {
                    if face.width(&format!("{cut}{c}"), size) > width && !cut.is_empty() {
                        break;
                    }
                    cut.push(c);
                }
                rest = rest[cut.len()..].to_string();
                lines.push(cut);
            }
            line = rest;
        }
        lines.push(line);
    }
    if lines.is_empty() {
        lines.push(String::new());
    }
    lines
}

/// Draws the laid-out pages into a PDF titled `title`, in `lang`.
fn render(pages: &[Vec<Op>], title: &str, lang: Lang) -> Vec<u8> {
    let mut document = Document::new();
    document.set_metadata(
        Metadata::new().title(title.to_string()).language(lang.code().to_string()).creator("Kassa".to_string()),
    );
    for ops in pages {
        let settings = PageSettings::from_wh(PAGE_W, PAGE_H).expect("A4 is a valid page size");
        let mut page = document.start_page_with(settings);
        let mut surface = page.surface();
        for op in ops {
            match op {
                Op::Rect { x, y, w, h, ink } => {
                    let Some(rect) = Rect::from_xywh(*x, *y, *w, *h) else { continue };
                    let mut path = PathBuilder::new();
                    path.push_rect(rect);
                    let Some(path) = path.finish() else { continue };
                    surface.set_fill(Some(fill(*ink)));
                    surface.draw_path(&path);
                }
                Op::Image { x, y, w, h, image } => {
                    let Some(size) = krilla::geom::Size::from_wh(*w, *h) else { continue };
                    surface.push_transform(&krilla::geom::Transform::from_translate(*x, *y));
                    surface.draw_image(image.clone(), size);
                    surface.pop();
                }
                Op::Text { x, y, size, bold, ink, text } => {
                    surface.set_fill(Some(fill(*ink)));
                    let face: &Face = if *bold { &BOLD } else { &REGULAR };
                    surface.draw_text(
                        Point::from_xy(*x, *y),
                        face.font.clone(),
                        *size,
                        text,
                        false,
                        TextDirection::Auto,
                    );
                }
            }
        }
        surface.finish();
        page.finish();
    }
    // Only krilla's own limits could fail here (none of which Kassa's documents reach).
    document.finish().unwrap_or_else(|e| {
        tracing::error!(error = ?e, "a PDF could not be written");
        Vec::new()
    })
}

fn fill(ink: Ink) -> Fill {
    Fill { paint: rgb::Color::new(ink.0, ink.1, ink.2).into(), opacity: NormalizedF32::ONE, rule: FillRule::NonZero }
}

fn frame(lang: Lang, merchant: &Merchant, logo: Option<&Logo>, title: String) -> Frame {
    Frame {
        merchant: merchant.name.clone(),
        logo: logo.and_then(image),
        color: Ink::hex(&merchant.brand_color),
        title,
        footer: lang.words().footer_handled_by(&merchant.name),
    }
}

/// The logo as krilla draws it, and its width at [`LOGO_H`] (at most four times as wide); none
/// if krilla cannot read it (the upload checked it decodes, so this is only logged).
fn image(logo: &Logo) -> Option<(krilla::image::Image, f32)> {
    let data = krilla::Data::from(logo.bytes.clone());
    let read = match logo.format {
        Format::Png => krilla::image::Image::from_png(data, true),
        Format::Jpeg => krilla::image::Image::from_jpeg(data, true),
    };
    match read {
        Ok(image) => {
            let width = crate::backend::logo_width_at(LOGO_H as u32, Some((logo.width, logo.height)));
            Some((image, width as f32))
        }
        Err(e) => {
            tracing::warn!(error = %e, "a merchant's logo could not be read for a PDF");
            None
        }
    }
}

fn amount(lang: Lang, m: Money) -> String {
    money_in(lang, m)
}

/// An invoice: who it is for, its dates and amounts, its lines, and what settled it.
pub fn invoice(lang: Lang, detail: &portal::InvoiceDetail, logo: Option<&Logo>) -> Vec<u8> {
    let w = lang.words();
    let inv = &detail.invoice;
    let mut doc = Layout::new(frame(lang, &detail.merchant, logo, w.invoice_title(inv.number.as_str())));
    doc.paragraph(&detail.customer_name, TEXT);
    doc.facts(&[
        (w.fact_issued(), date_in(lang, inv.issue_date)),
        (w.fact_due(), date_in(lang, inv.due_date)),
        (w.fact_total(), amount(lang, inv.total)),
        (w.fact_paid(), amount(lang, inv.paid)),
        (w.fact_balance(), amount(lang, inv.balance)),
        (w.col_status(), crate::words::status_in(lang, inv.status)),
    ]);
    let (description, quantity, unit, total) =
        (w.col_description(), w.col_quantity(), w.col_unit_price(), w.col_amount());
    let columns = [
        Column { heading: &description, width: 251.0, align: Align::Left },
        Column { heading: &quantity, width: 60.0, align: Align::Right },
        Column { heading: &unit, width: 94.0, align: Align::Right },
        Column { heading: &total, width: 94.0, align: Align::Right },
    ];
    let mut rows: Vec<Row> = detail
        .lines
        .iter()
        .map(|l| Row {
            cells: vec![l.description.clone(), l.quantity.clone(), amount(lang, l.unit_price), amount(lang, l.amount)],
            bold: false,
        })
        .collect();
    rows.push(Row { cells: vec![w.fact_total(), String::new(), String::new(), amount(lang, inv.total)], bold: true });
    doc.heading(&w.invoice_lines());
    doc.table(&columns, &rows);
    if !detail.settlements.is_empty() {
        let (when, what, how_much) = (w.fact_date(), w.col_description(), w.col_amount());
        let columns = [
            Column { heading: &when, width: 150.0, align: Align::Left },
            Column { heading: &what, width: 255.0, align: Align::Left },
            Column { heading: &how_much, width: 94.0, align: Align::Right },
        ];
        let rows: Vec<Row> = detail
            .settlements
            .iter()
            .map(|s| Row {
                cells: vec![
                    moment_in(lang, s.at, &detail.merchant.time_zone),
                    crate::words::settlement_in(lang, &s.kind, s.amount.is_negative()),
                    amount(lang, s.amount),
                ],
                bold: false,
            })
            .collect();
        doc.heading(&w.payments_and_credits());
        doc.table(&columns, &rows);
    }
    doc.finish(lang)
}

/// A payment's receipt: how much, when, how, and what it paid.
pub fn receipt(lang: Lang, r: &portal::Receipt, logo: Option<&Logo>) -> Vec<u8> {
    let w = lang.words();
    let mut doc = Layout::new(frame(lang, &r.merchant, logo, w.receipt_title()));
    doc.heading(&w.receipt_heading());
    doc.facts(&[
        (w.fact_amount(), amount(lang, r.amount)),
        (w.fact_date(), moment_in(lang, r.at, &r.merchant.time_zone)),
        (w.fact_method(), crate::words::method_in(lang, &r.method)),
        (w.fact_reference(), r.reference.clone()),
    ]);
    let (invoice, paid, now, status) = (w.col_invoice(), w.col_paid(), w.col_balance_now(), w.col_status());
    let columns = [
        Column { heading: &invoice, width: 150.0, align: Align::Left },
        Column { heading: &paid, width: 110.0, align: Align::Right },
        Column { heading: &now, width: 110.0, align: Align::Right },
        Column { heading: &status, width: 129.0, align: Align::Left },
    ];
    let rows: Vec<Row> = r
        .applied
        .iter()
        .map(|(i, share)| Row {
            cells: vec![
                i.number.to_string(),
                amount(lang, *share),
                amount(lang, i.balance),
                format!("   {}", crate::words::status_in(lang, i.status)),
            ],
            bold: false,
        })
        .collect();
    doc.heading(&w.applied_to());
    doc.table(&columns, &rows);
    doc.finish(lang)
}

/// A payment plan's agreement: for whom, what it spreads, its fee or interest, how often,
/// the grace for a missed instalment, and every instalment with its date and amount.
pub fn plan(lang: Lang, merchant: &Merchant, p: &kassa_core::services::plans::Plan, logo: Option<&Logo>) -> Vec<u8> {
    let w = lang.words();
    let mut doc = Layout::new(frame(lang, merchant, logo, w.plan_pdf_title()));
    doc.paragraph(&format!("{} ({})", p.customer_name, p.customer_number), TEXT);
    let invoices = p.invoices.iter().map(|(n, m)| format!("{n} ({})", amount(lang, *m))).collect::<Vec<_>>();
    let mut facts = vec![
        (w.fact_status(), crate::words::plan_status(lang, p.status)),
        (w.plan_invoices(), invoices.join(", ")),
        (w.fact_principal(), amount(lang, p.principal)),
    ];
    if p.charge.is_positive() {
        facts.push((w.plan_charge(), amount(lang, p.charge)));
    }
    facts.extend([
        (w.plan_total(), amount(lang, p.total)),
        (w.plan_how_often(), crate::words::plan_frequency(lang, p.frequency)),
        (w.fact_grace(), w.grace_days(p.grace_days)),
        (w.plan_paid_so_far(), amount(lang, p.paid)),
    ]);
    doc.facts(&facts);
    let (number, due, sum, state) = (w.plan_col_instalment(), w.col_due_date(), w.col_amount(), w.col_state());
    let columns = [
        Column { heading: &number, width: 90.0, align: Align::Left },
        Column { heading: &due, width: 150.0, align: Align::Left },
        Column { heading: &sum, width: 120.0, align: Align::Right },
        Column { heading: &state, width: 139.0, align: Align::Left },
    ];
    let rows: Vec<Row> = p
        .instalments
        .iter()
        .map(|i| Row {
            cells: vec![
                i.seq.to_string(),
                date_in(lang, i.due),
                amount(lang, i.amount),
                format!("   {}", if i.paid { w.instalment_paid() } else { w.instalment_to_pay() }),
            ],
            bold: false,
        })
        .collect();
    doc.heading(&w.plan_instalments_caption());
    doc.table(&columns, &rows);
    doc.finish(lang)
}

/// A statement of account: per currency the opening balance, each entry with the balance
/// after it, and the closing balance.
pub fn statement(lang: Lang, s: &statements::Statement, logo: Option<&Logo>) -> Vec<u8> {
    let w = lang.words();
    let view = crate::statement::view_of(lang, s);
    let mut doc = Layout::new(frame(lang, &s.merchant, logo, w.statement_title()));
    doc.paragraph(&view.customer, TEXT);
    doc.paragraph(&view.period, TEXT);
    doc.paragraph(&w.statement_explained(), MUTED);
    if view.sections.is_empty() {
        doc.paragraph(&w.statement_nothing(), TEXT);
    }
    let (date, what, charged, credited, balance) =
        (w.col_date(), w.col_description(), w.col_charged(), w.col_credited(), w.col_balance());
    let columns = [
        Column { heading: &date, width: 72.0, align: Align::Left },
        Column { heading: &what, width: 175.0, align: Align::Left },
        Column { heading: &charged, width: 84.0, align: Align::Right },
        Column { heading: &credited, width: 84.0, align: Align::Right },
        Column { heading: &balance, width: 84.0, align: Align::Right },
    ];
    let cell = |m: Option<Money>| m.map(|m| amount(lang, m)).unwrap_or_default();
    for section in &view.sections {
        let mut rows = vec![Row {
            cells: vec![
                String::new(),
                section.opening_label.clone(),
                String::new(),
                String::new(),
                amount(lang, section.opening),
            ],
            bold: true,
        }];
        rows.extend(section.entries.iter().map(|e| Row {
            cells: vec![
                date_in(lang, e.date),
                e.label.clone(),
                cell(e.charged),
                cell(e.credited),
                amount(lang, e.balance),
            ],
            bold: false,
        }));
        rows.push(Row {
            cells: vec![
                String::new(),
                section.closing_label.clone(),
                String::new(),
                String::new(),
                amount(lang, section.closing),
            ],
            bold: true,
        });
        doc.heading(&w.statement_in(&section.currency));
        doc.table(&columns, &rows);
    }
    doc.finish(lang)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_text_wraps_within_its_width_and_keeps_every_word() {
        let text = "Koffiebonen, Ethiopië Yirgacheffe, gewassen, lichte branding — 12 zakken van 1 kg";
        let lines = wrap(text, &REGULAR, BODY, 120.0);
        assert!(lines.len() > 2, "{lines:?}");
        assert!(lines.iter().all(|l| REGULAR.width(l, BODY) <= 120.0), "{lines:?}");
        assert_eq!(lines.join(" "), text);
        // One word wider than the column is broken, not lost.
        let long = "Z".repeat(60);
        let lines = wrap(&long, &REGULAR, BODY, 50.0);
        assert!(lines.len() > 1 && lines.iter().all(|l| REGULAR.width(l, BODY) <= 50.0));
        assert_eq!(lines.concat(), long);
    }

    #[test]
    fn text_is_measured_by_its_glyphs() {
        assert!(REGULAR.width("WWWW", 10.0) > REGULAR.width("iiii", 10.0));
        assert!(BOLD.width("Kassa", 10.0) > REGULAR.width("Kassa", 10.0));
        assert!((REGULAR.width("ab", 20.0) - 2.0 * REGULAR.width("ab", 10.0)).abs() < 0.01);
    }

    #[test]
    fn a_brand_colour_is_read_or_falls_back() {
        assert_eq!(Ink::hex("#1a5fb4"), Ink(0x1a, 0x5f, 0xb4));
        assert_eq!(Ink::hex("red"), TEXT);
        assert_eq!(Ink::hex("#12"), TEXT);
    }
}
