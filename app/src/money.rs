//! Amounts as each language writes them, from CLDR's data through ICU4X's currency formatter:
//! `€ 1.234,56` in Dutch, `1.234,56 kr.` in Danish, `€1,234.56` in English (server only). And
//! what a debtor types, read the way their language writes numbers: an amount that could mean
//! two things is refused, never guessed (`domain::Money::parse_typed`).

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use fixed_decimal::Decimal as FixedDecimal;
use icu_decimal::DecimalFormatter;
use icu_experimental::dimension::currency::formatter::CurrencyFormatter;
use icu_experimental::dimension::currency::CurrencyType;
use kassa_domain::{Currency, Money};

use crate::i18n::{lang, Lang};
use crate::model::MoneyFormat;

type Formatter = Rc<CurrencyFormatter<DecimalFormatter>>;

thread_local! {
    /// One formatter per language and currency, made on first use (ICU4X's data payloads are
    /// not `Sync` without its `sync` feature; a server thread makes each at most once).
    static FORMATTERS: RefCell<HashMap<(Lang, Currency), Option<Formatter>>> = RefCell::new(HashMap::new());
}

/// `lang` as ICU4X names it (shared with `dates`).
pub(crate) fn locale(lang: Lang) -> icu_locale_core::Locale {
    lang.code().parse().unwrap_or(icu_locale_core::locale!("en"))
}

fn formatter(lang: Lang, currency: Currency) -> Option<Formatter> {
    FORMATTERS.with(|all| {
        all.borrow_mut()
            .entry((lang, currency))
            .or_insert_with(|| {
                let code = CurrencyType::try_from_str(currency.code()).ok()?;
                let prefs = (&locale(lang)).into();
                CurrencyFormatter::try_new_symbol(prefs, code, Default::default()).ok().map(Rc::new)
            })
            .clone()
    })
}

/// `minor` units of `currency` as a decimal number.
fn decimal(minor: i64, currency: Currency) -> FixedDecimal {
    let mut value = FixedDecimal::from(minor);
    value.absolute.multiply_pow10(-(currency.minor_digits() as i16));
    value
}

/// The amount as `lang` writes it (Kassa's own `EUR 1,234.56` if CLDR cannot say).
pub fn money_in(lang: Lang, m: Money) -> String {
    match formatter(lang, m.currency()) {
        Some(f) => f.format_fixed_decimal(&decimal(m.minor(), m.currency())).to_string(),
        None => m.to_string(),
    }
}

/// The amount as the page's language writes it.
pub fn money(m: Money) -> String {
    money_in(lang(), m)
}

/// How `lang` writes amounts in `currency`, taken apart for an island that adds amounts up in
/// the browser: CLDR's own answer for 1,234,567.89, split into what comes before and after the
/// digits and the two separators between them.
pub fn money_format(lang: Lang, currency: Currency) -> MoneyFormat {
    let digits = currency.minor_digits();
    let probe: i64 = (0..digits).fold(1_234_567, |n, d| n * 10 + i64::from(8 + d as u8 % 2));
    let text = money_in(lang, Money::from_minor(probe, currency));
    let first = text.find(|c: char| c.is_ascii_digit()).unwrap_or(0);
    let last = text.rfind(|c: char| c.is_ascii_digit()).map_or(text.len(), |i| i + 1);
    // The runs of non-digits between the digits: group separators, then the decimal one.
    let mut runs: Vec<String> = Vec::new();
    let mut in_digits = true;
    for c in text[first..last].chars() {
        if c.is_ascii_digit() {
            in_digits = true;
        } else {
            if in_digits {
                runs.push(String::new());
            }
            in_digits = false;
            if let Some(run) = runs.last_mut() {
                run.push(c);
            }
        }
    }
    let decimal = if digits > 0 { runs.pop().unwrap_or_else(|| ".".into()) } else { String::new() };
    MoneyFormat {
        currency: currency.code().to_string(),
        decimals: digits,
        prefix: text[..first].to_string(),
        suffix: text[last..].to_string(),
        group: runs.first().cloned().unwrap_or_default(),
        decimal,
    }
}

/// The character `lang` writes between whole units and cents.
pub fn decimal_separator(lang: Lang) -> char {
    money_format(lang, Currency::EUR).decimal.chars().next().unwrap_or('.')
}

/// An amount as one types it in `lang` (`247,20` in Dutch): a form's starting value.
pub fn typed_in(lang: Lang, m: Money) -> String {
    m.amount_string().replace('.', &decimal_separator(lang).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eur(minor: i64) -> Money {
        Money::from_minor(minor, Currency::EUR)
    }

    /// Non-breaking spaces (CLDR's) shown as plain ones, to compare with what a reader sees.
    fn plain(text: String) -> String {
        text.replace(['\u{a0}', '\u{202f}'], " ")
    }

    #[test]
    fn each_language_writes_amounts_its_own_way() {
        assert_eq!(plain(money_in(Lang::Nl, eur(123_456))), "€ 1.234,56");
        assert_eq!(plain(money_in(Lang::Da, Money::from_minor(123_456, Currency::DKK))), "1.234,56 kr.");
        assert_eq!(plain(money_in(Lang::En, eur(123_456))), "€1,234.56");
        assert_eq!(plain(money_in(Lang::Nl, eur(-500))), "€ -5,00");
        assert_eq!(plain(money_in(Lang::En, Money::from_minor(0, Currency::DKK))), "DKK 0.00");
        let yen = Currency::parse("JPY").unwrap();
        assert_eq!(plain(money_in(Lang::En, Money::from_minor(1_234_567, yen))), "¥1,234,567");
    }

    #[test]
    fn an_island_adds_up_amounts_as_the_server_writes_them() {
        for lang in Lang::iter().copied() {
            for currency in
                [Currency::EUR, Currency::DKK, Currency::parse("JPY").unwrap(), Currency::parse("KWD").unwrap()]
            {
                let format = money_format(lang, currency);
                for minor in [0, 7, 1_999, 123_456, 987_654_321] {
                    let m = Money::from_minor(minor, currency);
                    assert_eq!(format.format(minor), money_in(lang, m), "{lang} {currency:?} {minor}");
                }
            }
        }
        assert_eq!(decimal_separator(Lang::Nl), ',');
        assert_eq!(decimal_separator(Lang::En), '.');
    }
}
