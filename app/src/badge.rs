//! An invoice's status badge, for a merchant's emails (`/w/v1/badge/{token}.svg` and `.png`):
//! "Betaal € 55,95 vóór 1 dec 2026" until it is paid, "Betaald, dank u" after, in the
//! customer's language. Drawn as an SVG on the server; the PNG (for mail programs that show no
//! SVG) is that SVG rasterized by resvg with the font it names (DejaVu Sans Bold, as the PDFs'),
//! so both look the same everywhere. And the email snippet that shows it: a plain HTML button
//! to the invoice's pay link and the badge under it.

use std::sync::LazyLock;

use kassa_core::services::records::InvoiceState;
use kassa_domain::InvoiceStatus;

use crate::i18n::Lang;
use crate::{dates, money, words};

/// The badge's size in CSS pixels; the PNG has twice as many for sharp screens.
pub const WIDTH: u32 = 360;
pub const HEIGHT: u32 = 40;
const FONT_SIZE: f32 = 16.0;
const PADDING: f32 = 14.0;

/// What the badge says and how it looks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Badge {
    pub text: String,
    pub tone: Tone,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    /// Something to pay.
    Due,
    Paid,
    /// Nothing to pay now and not paid (disputed, in a plan paid up to date).
    Other,
}

impl Tone {
    /// The background; white text on each has a contrast of at least 7:1.
    fn colour(self) -> &'static str {
        match self {
            Tone::Due => "#1e40af",
            Tone::Paid => "#166534",
            Tone::Other => "#374151",
        }
    }
}

/// What the badge of `invoice` says in `lang`.
pub fn badge(lang: Lang, invoice: &InvoiceState) -> Badge {
    let w = lang.words();
    let amount = money::money_in(lang, invoice.collectable);
    let due = dates::date_in(lang, invoice.due_date);
    let (text, tone) = match invoice.status {
        InvoiceStatus::Paid => (w.badge_paid(), Tone::Paid),
        InvoiceStatus::Overdue if invoice.collectable.minor() > 0 => (w.badge_overdue(amount, due), Tone::Due),
        _ if invoice.collectable.minor() > 0 => (w.badge_pay(amount, due), Tone::Due),
        status => (w.widget_status(words::status_in(lang, status)), Tone::Other),
    };
    Badge { text, tone }
}

/// The badge as an SVG image: the text centred, squeezed to fit when it is long.
pub fn svg(badge: &Badge) -> String {
    let room = WIDTH as f32 - 2.0 * PADDING;
    let fit = if crate::pdf::bold_width(&badge.text, FONT_SIZE) > room {
        format!(" textLength=\"{room}\" lengthAdjust=\"spacingAndGlyphs\"")
    } else {
        String::new()
    };
    let text = html_escape::encode_double_quoted_attribute(&badge.text);
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{HEIGHT}\" \
         viewBox=\"0 0 {WIDTH} {HEIGHT}\" role=\"img\" aria-label=\"{text}\"><title>{text}</title>\
         <rect width=\"{WIDTH}\" height=\"{HEIGHT}\" rx=\"6\" fill=\"{colour}\"/>\
         <text x=\"{x}\" y=\"26\" text-anchor=\"middle\" fill=\"#fff\" font-family=\"DejaVu Sans,Verdana,Arial,sans-serif\" \
         font-size=\"{FONT_SIZE}\" font-weight=\"bold\"{fit}>{text}</text></svg>",
        colour = badge.tone.colour(),
        x = WIDTH / 2,
    )
}

/// resvg's options: the one font the badge is drawn in, and no other (no system fonts).
static OPTIONS: LazyLock<resvg::usvg::Options<'static>> = LazyLock::new(|| {
    let mut options = resvg::usvg::Options { font_family: "DejaVu Sans".into(), ..resvg::usvg::Options::default() };
    options.fontdb_mut().load_font_data(dejavu::sans::bold().to_vec());
    options
});

/// The badge as a PNG, twice [`WIDTH`] by [`HEIGHT`] pixels (shown at that size): with a
/// palette, as its pixels are one colour, white and the shades between (2-4 KB, not 6-7 KB).
pub fn png(badge: &Badge) -> Vec<u8> {
    let tree = resvg::usvg::Tree::from_str(&svg(badge), &OPTIONS).expect("the badge is valid SVG");
    let (width, height) = (WIDTH * 2, HEIGHT * 2);
    let mut pixmap = resvg::tiny_skia::Pixmap::new(width, height).expect("the badge has a size");
    resvg::render(&tree, resvg::tiny_skia::Transform::from_scale(2.0, 2.0), &mut pixmap.as_mut());
    let mut palette: Vec<[u8; 4]> = Vec::new();
    let mut seen: std::collections::HashMap<[u8; 4], u8> = std::collections::HashMap::new();
    let mut indices = Vec::with_capacity(pixmap.pixels().len());
    for pixel in pixmap.pixels() {
        let c = pixel.demultiply();
        let rgba = [c.red(), c.green(), c.blue(), c.alpha()];
        let index = match seen.get(&rgba) {
            Some(i) => *i,
            None if palette.len() < 256 => {
                let i = palette.len() as u8;
                palette.push(rgba);
                seen.insert(rgba, i);
                i
            }
            // More shades than a palette holds: as it is drawn.
            None => return pixmap.encode_png().expect("a pixmap encodes"),
        };
        indices.push(index);
    }
    let mut bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut bytes, width, height);
    encoder.set_color(png::ColorType::Indexed);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::High);
    encoder.set_palette(palette.iter().flat_map(|p| [p[0], p[1], p[2]]).collect::<Vec<u8>>());
    encoder.set_trns(palette.iter().map(|p| p[3]).collect::<Vec<u8>>());
    let mut writer = encoder.write_header().expect("a PNG header writes to memory");
    writer.write_image_data(&indices).expect("a PNG writes to memory");
    writer.finish().expect("a PNG writes to memory");
    bytes
}

/// The snippet for an email template, in `lang`: a button to the invoice's pay link (plain
/// HTML with inline styles, as mail programs need) and the status badge under it, also a link.
/// `badge_url` is the PNG's: mail programs that show SVG are few.
pub fn email_snippet(lang: Lang, number: &str, pay_url: &str, badge_url: &str) -> String {
    let w = lang.words();
    let escape = |s: &str| html_escape::encode_double_quoted_attribute(s).into_owned();
    let (pay_url, badge_url) = (escape(pay_url), escape(badge_url));
    format!(
        "<table role=\"presentation\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\">\n\
         <tr><td style=\"border-radius:6px;background:#1e40af\"><a href=\"{pay_url}\" style=\"display:inline-block;\
         padding:12px 20px;font-family:Arial,Helvetica,sans-serif;font-size:16px;font-weight:bold;color:#ffffff;\
         text-decoration:none;border-radius:6px\">{button}</a></td></tr>\n\
         <tr><td style=\"padding-top:8px\"><a href=\"{pay_url}\"><img src=\"{badge_url}\" width=\"{WIDTH}\" \
         height=\"{HEIGHT}\" alt=\"{alt}\" style=\"border:0;display:block\"></a></td></tr>\n</table>",
        button = escape(&w.badge_button(number)),
        alt = escape(&w.badge_alt(number)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_badges_fit_and_stay_under_5_kb() {
        for text in [
            "Betal 1.234.567,89\u{a0}kr., forfaldt 30. sep. 2026",
            "Betaal €\u{a0}1.234.567,89, vervallen 30 sep 2026",
            "Pay €1,234,567.89, due Sep 30, 2026",
        ] {
            let badge = Badge { text: text.into(), tone: Tone::Due };
            let png = png(&badge);
            assert!(png.len() <= 5 * 1024, "{text}: {} bytes", png.len());
        }
        let long = Badge { text: "Betal 1.234.567,89 kr. senest 30. september 2026, tak".into(), tone: Tone::Due };
        assert!(svg(&long).contains("textLength=\"332\""), "squeezed into the badge: {}", svg(&long));
    }
}
