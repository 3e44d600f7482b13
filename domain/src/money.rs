//! Money is an integer count of a currency's minor units (cents, øre, yen) plus its ISO 4217
//! code. There is no floating point anywhere: amounts are parsed from and printed as decimal
//! text, and arithmetic that could mix currencies or overflow returns an error instead.

use std::fmt;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("unknown currency code {0:?}")]
    UnknownCurrency(String),
    #[error("cannot combine {0} with {1}")]
    CurrencyMismatch(Currency, Currency),
    #[error("not an amount: {0:?}")]
    NotAnAmount(String),
    #[error("{0:?} could be read two ways")]
    Ambiguous(String),
    #[error("{currency} has {digits} decimals")]
    TooPrecise { currency: Currency, digits: u32 },
    #[error("amount overflow")]
    Overflow,
}

/// An ISO 4217 currency, valid by construction.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency([u8; 3]);

impl Currency {
    pub const EUR: Currency = Currency(*b"EUR");
    pub const DKK: Currency = Currency(*b"DKK");

    /// Every ISO 4217 code [`Currency::parse`] takes, uppercase, in order.
    pub fn known_codes() -> Vec<String> {
        let letters = b'A'..=b'Z';
        letters
            .clone()
            .flat_map(|a| letters.clone().flat_map(move |b| (b'A'..=b'Z').map(move |c| [a, b, c])))
            .map(|code| String::from_utf8_lossy(&code).into_owned())
            .filter(|code| iso_currency::Currency::from_code(code).is_some())
            .collect()
    }

    pub fn parse(code: &str) -> Result<Self, MoneyError> {
        let upper = code.trim().to_ascii_uppercase();
        match iso_currency::Currency::from_code(&upper) {
            Some(_) => {
                let b = upper.as_bytes();
                Ok(Currency([b[0], b[1], b[2]]))
            }
            None => Err(MoneyError::UnknownCurrency(code.to_string())),
        }
    }

    pub fn code(&self) -> &str {
        // Only ASCII letters ever get in, through `parse` or the constants.
        std::str::from_utf8(&self.0).expect("currency codes are ASCII")
    }

    /// Digits after the decimal point (EUR 2, DKK 2, JPY 0, KWD 3). Codes without minor
    /// units in the standard (gold, SDRs) count as 0.
    pub fn minor_digits(&self) -> u32 {
        iso_currency::Currency::from_code(self.code()).and_then(|c| c.exponent()).map(u32::from).unwrap_or(0)
    }
}

impl TryFrom<String> for Currency {
    type Error = MoneyError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Currency::parse(&s)
    }
}

impl From<Currency> for String {
    fn from(c: Currency) -> String {
        c.code().to_string()
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// An amount of one currency in minor units. Negative amounts exist (credit notes, refunds).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    minor: i64,
    currency: Currency,
}

impl Money {
    /// The largest amount Kassa takes as one figure (an invoice, a line, a payment, a credit
    /// note), in minor units: 10^15, ten trillion euros. Far beyond any real invoice, and far
    /// enough below `i64::MAX` (9.2 × 10^18) that a customer's ledger can add up thousands of
    /// such amounts without overflowing.
    pub const MAX_MINOR: i64 = 1_000_000_000_000_000;

    pub const fn from_minor(minor: i64, currency: Currency) -> Self {
        Money { minor, currency }
    }

    pub const fn zero(currency: Currency) -> Self {
        Money { minor: 0, currency }
    }

    pub fn minor(&self) -> i64 {
        self.minor
    }

    pub fn currency(&self) -> Currency {
        self.currency
    }

    pub fn is_zero(&self) -> bool {
        self.minor == 0
    }

    pub fn is_positive(&self) -> bool {
        self.minor > 0
    }

    pub fn is_negative(&self) -> bool {
        self.minor < 0
    }

    fn same_currency(&self, other: &Money) -> Result<(), MoneyError> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(MoneyError::CurrencyMismatch(self.currency, other.currency))
        }
    }

    pub fn checked_add(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(&other)?;
        let minor = self.minor.checked_add(other.minor).ok_or(MoneyError::Overflow)?;
        Ok(Money::from_minor(minor, self.currency))
    }

    pub fn checked_sub(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(&other)?;
        let minor = self.minor.checked_sub(other.minor).ok_or(MoneyError::Overflow)?;
        Ok(Money::from_minor(minor, self.currency))
    }

    /// The smaller of two amounts of the same currency.
    pub fn min(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(&other)?;
        Ok(if other.minor < self.minor { other } else { self })
    }

    /// Sum of amounts that must all be in `currency`.
    pub fn sum<I: IntoIterator<Item = Money>>(currency: Currency, items: I) -> Result<Money, MoneyError> {
        items.into_iter().try_fold(Money::zero(currency), Money::checked_add)
    }

    pub fn to_decimal(&self) -> Decimal {
        Decimal::new(self.minor, self.currency.minor_digits())
    }

    /// Rounds half away from zero to the currency's minor unit: the rounding used on
    /// invoices for line amounts (quantity × price).
    pub fn from_decimal_rounded(value: Decimal, currency: Currency) -> Result<Money, MoneyError> {
        let digits = currency.minor_digits();
        let rounded = value.round_dp_with_strategy(digits, RoundingStrategy::MidpointAwayFromZero);
        Self::from_exact_decimal(rounded, currency)
    }

    /// Refuses values with more decimals than the currency has, instead of rounding them.
    pub fn from_exact_decimal(value: Decimal, currency: Currency) -> Result<Money, MoneyError> {
        let digits = currency.minor_digits();
        let scaled = value.checked_mul(Decimal::from(10i64.pow(digits))).ok_or(MoneyError::Overflow)?;
        if scaled.fract() != Decimal::ZERO {
            return Err(MoneyError::TooPrecise { currency, digits });
        }
        let minor: i64 = scaled.try_into().map_err(|_| MoneyError::Overflow)?;
        if minor.unsigned_abs() > Self::MAX_MINOR.unsigned_abs() {
            return Err(MoneyError::Overflow);
        }
        Ok(Money::from_minor(minor, currency))
    }

    /// Parses what a person types: `12.50`, `12,50`, `1 234.5`, `1.234,50` (Dutch and Danish
    /// write a comma for the decimal point). The last `.` or `,` followed by at most the
    /// currency's number of digits is the decimal separator; other separators group thousands.
    pub fn parse(input: &str, currency: Currency) -> Result<Money, MoneyError> {
        let cleaned: String = input.chars().filter(|c| !c.is_whitespace() && *c != '\'').collect();
        let bad = || MoneyError::NotAnAmount(input.trim().to_string());
        if cleaned.is_empty() {
            return Err(bad());
        }
        let digits = currency.minor_digits() as usize;
        let (int_part, frac_part) = match cleaned.rfind(['.', ',']) {
            // `1.234` or `1,234,567` with a two-decimal currency: thousands, not decimals.
            Some(pos) if cleaned.len() - pos - 1 == 3 && digits < 3 && is_grouped(&cleaned) => (cleaned.as_str(), ""),
            Some(pos) => (&cleaned[..pos], &cleaned[pos + 1..]),
            None => (cleaned.as_str(), ""),
        };
        let int_digits: String = int_part.chars().filter(|c| *c != '.' && *c != ',').collect();
        let (negative, int_digits) = match int_digits.strip_prefix('-') {
            Some(rest) => (true, rest.to_string()),
            None => (false, int_digits),
        };
        Money::from_digits(negative, &int_digits, frac_part, currency).ok_or_else(bad)?
    }

    /// An amount from its sign, whole digits and decimal digits (either may be empty, not
    /// both), or `None` if they are not plain ASCII digits.
    fn from_digits(
        negative: bool,
        whole: &str,
        fraction: &str,
        currency: Currency,
    ) -> Option<Result<Money, MoneyError>> {
        let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
        if whole.is_empty() && fraction.is_empty() || !digits(whole) || !digits(fraction) {
            return None;
        }
        let text = format!(
            "{}{}.{}",
            if negative { "-" } else { "" },
            if whole.is_empty() { "0" } else { whole },
            if fraction.is_empty() { "0" } else { fraction }
        );
        let value: Decimal = text.parse().ok()?;
        Some(Money::from_exact_decimal(value, currency))
    }

    /// Plain decimal text without grouping, as used in forms and APIs: `1234.50`.
    pub fn amount_string(&self) -> String {
        let d = self.to_decimal();
        format!("{:.*}", self.currency.minor_digits() as usize, d)
    }

    /// Splits into `parts` amounts that differ by at most one minor unit and add up exactly
    /// to `self`; the earlier parts carry the extra units.
    pub fn split_evenly(self, parts: u32) -> Vec<Money> {
        if parts == 0 {
            return Vec::new();
        }
        let n = i64::from(parts);
        let base = self.minor / n;
        let remainder = self.minor % n; // same sign as self.minor
        let step = remainder.signum();
        (0..n)
            .map(|i| {
                let extra = if i < remainder.abs() { step } else { 0 };
                Money::from_minor(base + extra, self.currency)
            })
            .collect()
    }
}

impl Money {
    /// Reads what a person typed in a form, in a language that writes `decimal` (`.` or `,`)
    /// between units and cents and the other mark between thousands. The other mark is taken
    /// for the decimal point only where it cannot be a thousands mark (`12.50` in Dutch, as
    /// phone keypads type it), and an amount that could be read both ways (`12.345` in Dutch,
    /// `12,345` in English) is refused as ambiguous instead of guessed. Spaces and apostrophes
    /// between digits are ignored; more decimals than the currency has are refused.
    pub fn parse_typed(input: &str, currency: Currency, decimal: char) -> Result<Money, MoneyError> {
        let group = if decimal == ',' { '.' } else { ',' };
        let cleaned: String = input.chars().filter(|c| !c.is_whitespace() && *c != '\'' && *c != '’').collect();
        let bad = || MoneyError::NotAnAmount(input.trim().to_string());
        let (negative, unsigned) = match cleaned.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, cleaned.as_str()),
        };
        let (whole, fraction) = if let Some((whole, fraction)) = unsigned.rsplit_once(decimal) {
            if whole.contains(decimal) || fraction.contains(group) {
                return Err(bad());
            }
            (whole.to_string(), fraction)
        } else if let Some((whole, fraction)) = unsigned.split_once(group).filter(|(_, f)| !f.contains(group)) {
            // One mark of the other kind: `12.5` is cents, `12.345` could be either.
            match fraction.len() {
                3 if !whole.is_empty() && whole.len() <= 3 => {
                    return Err(MoneyError::Ambiguous(input.trim().to_string()))
                }
                1 | 2 => (whole.to_string(), fraction),
                _ => return Err(bad()),
            }
        } else {
            (unsigned.to_string(), "")
        };
        // Thousands marks, if any, in groups of three after a first group of one to three.
        let mut groups = whole.split(group);
        let first = groups.next().unwrap_or("");
        let rest: Vec<&str> = groups.collect();
        let grouped_ok = rest.is_empty() || ((1..=3).contains(&first.len()) && rest.iter().all(|g| g.len() == 3));
        let digits: String = whole.chars().filter(|c| *c != group).collect();
        if !grouped_ok {
            return Err(bad());
        }
        Money::from_digits(negative, &digits, fraction, currency).ok_or_else(bad)?
    }
}

/// `1.234` / `-12,345,678`: a first group of 1-3 digits without a leading zero, then groups
/// of exactly three, all behind one kind of separator.
fn is_grouped(text: &str) -> bool {
    let text = text.strip_prefix('-').unwrap_or(text);
    let Some(sep) = text.chars().find(|c| *c == '.' || *c == ',') else {
        return false;
    };
    let mut groups = text.split(sep);
    let first = groups.next().unwrap_or("");
    (1..=3).contains(&first.len())
        && !first.starts_with('0')
        && first.chars().all(|c| c.is_ascii_digit())
        && groups.all(|g| g.len() == 3 && g.chars().all(|c| c.is_ascii_digit()))
}

impl fmt::Display for Money {
    /// `EUR 1,234.56`: unambiguous in every language; pages format per locale on top of this.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = self.amount_string();
        let (sign, text) = match text.strip_prefix('-') {
            Some(rest) => ("-", rest),
            None => ("", text.as_str()),
        };
        let (int, frac) = match text.split_once('.') {
            Some((i, fr)) => (i, Some(fr)),
            None => (text, None),
        };
        let mut grouped = String::new();
        for (i, ch) in int.chars().enumerate() {
            if i > 0 && (int.len() - i) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(ch);
        }
        write!(f, "{} {}{}", self.currency, sign, grouped)?;
        if let Some(frac) = frac {
            write!(f, ".{frac}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn typed_amounts_are_read_as_the_language_writes_them_and_never_guessed() {
        let nl = |s: &str| Money::parse_typed(s, Currency::EUR, ',');
        let en = |s: &str| Money::parse_typed(s, Currency::EUR, '.');
        let cents = |r: Result<Money, MoneyError>| r.map(|m| m.minor());
        assert_eq!(cents(nl("12,50")), Ok(1250));
        assert_eq!(cents(nl("1.234,56")), Ok(123_456));
        assert_eq!(cents(nl("1.234.567")), Ok(123_456_700));
        assert_eq!(cents(nl("12.5")), Ok(1250), "a phone's keypad point, where it cannot group thousands");
        assert_eq!(cents(nl(" 1 234,5 ")), Ok(123_450));
        assert_eq!(nl("12.345"), Err(MoneyError::Ambiguous("12.345".into())));
        assert_eq!(en("12,345"), Err(MoneyError::Ambiguous("12,345".into())));
        assert_eq!(cents(en("1,234.56")), Ok(123_456));
        assert_eq!(cents(en("12,50")), Ok(1250));
        assert!(matches!(nl("12,345"), Err(MoneyError::TooPrecise { .. })));
        assert!(matches!(en("12.345"), Err(MoneyError::TooPrecise { .. })));
        for bad in ["", "abc", "1,2,3", "12,34.5", "1.23.4", "12.3456", "1.2345,00", "€5"] {
            assert!(matches!(nl(bad), Err(MoneyError::NotAnAmount(_))), "{bad}");
        }
        let kr = Money::parse_typed("1.975,00", Currency::DKK, ',').unwrap();
        assert_eq!(kr.minor(), 197_500);
    }

    fn eur(minor: i64) -> Money {
        Money::from_minor(minor, Currency::EUR)
    }

    #[test]
    fn currencies_know_their_minor_units() {
        assert_eq!(Currency::EUR.minor_digits(), 2);
        assert_eq!(Currency::DKK.minor_digits(), 2);
        assert_eq!(Currency::parse("jpy").unwrap().minor_digits(), 0);
        assert_eq!(Currency::parse("KWD").unwrap().minor_digits(), 3);
        assert!(matches!(Currency::parse("EURO"), Err(MoneyError::UnknownCurrency(_))));
        assert!(matches!(Currency::parse("XYZ"), Err(MoneyError::UnknownCurrency(_))));
    }

    #[test]
    fn parses_what_people_type() {
        assert_eq!(Money::parse("12.50", Currency::EUR), Ok(eur(1250)));
        assert_eq!(Money::parse("12,5", Currency::EUR), Ok(eur(1250)));
        assert_eq!(Money::parse("1.234,56", Currency::EUR), Ok(eur(123456)));
        assert_eq!(Money::parse("1,234.56", Currency::EUR), Ok(eur(123456)));
        assert_eq!(Money::parse("1 234", Currency::EUR), Ok(eur(123400)));
        assert_eq!(Money::parse("1.234", Currency::EUR), Ok(eur(123400)));
        assert_eq!(Money::parse("7", Currency::EUR), Ok(eur(700)));
        let jpy = Currency::parse("JPY").unwrap();
        assert_eq!(Money::parse("1,500", jpy), Ok(Money::from_minor(1500, jpy)));
        assert!(matches!(Money::parse("12.345.6x", Currency::EUR), Err(MoneyError::NotAnAmount(_))));
        assert!(matches!(Money::parse("", Currency::EUR), Err(MoneyError::NotAnAmount(_))));
        assert!(matches!(Money::parse("0.001", Currency::EUR), Err(MoneyError::TooPrecise { .. })));
        assert!(matches!(Money::parse("12.345", Currency::parse("KWD").unwrap()), Ok(m) if m.minor() == 12345));
    }

    #[test]
    fn displays_grouped_with_code() {
        assert_eq!(eur(123456789).to_string(), "EUR 1,234,567.89");
        assert_eq!(eur(-5).to_string(), "EUR -0.05");
        assert_eq!(Money::from_minor(100, Currency::DKK).to_string(), "DKK 1.00");
    }

    #[test]
    fn refuses_to_mix_currencies() {
        let dkk = Money::from_minor(1, Currency::DKK);
        assert_eq!(eur(1).checked_add(dkk), Err(MoneyError::CurrencyMismatch(Currency::EUR, Currency::DKK)));
    }

    #[test]
    fn line_amounts_round_half_away_from_zero() {
        let v: Decimal = "0.125".parse().unwrap();
        assert_eq!(Money::from_decimal_rounded(v, Currency::EUR), Ok(eur(13)));
        assert_eq!(
            Money::from_exact_decimal(v, Currency::EUR),
            Err(MoneyError::TooPrecise { currency: Currency::EUR, digits: 2 })
        );
    }

    proptest! {
        #[test]
        fn split_never_loses_or_invents_a_cent(minor in -10_000_000_000i64..10_000_000_000, parts in 1u32..60) {
            let total = eur(minor);
            let split = total.split_evenly(parts);
            prop_assert_eq!(split.len(), parts as usize);
            prop_assert_eq!(Money::sum(Currency::EUR, split.iter().copied()).unwrap(), total);
            let max = split.iter().map(|m| m.minor()).max().unwrap();
            let min = split.iter().map(|m| m.minor()).min().unwrap();
            prop_assert!(max - min <= 1);
        }

        #[test]
        fn amount_text_round_trips(minor in -1_000_000_000_000i64..1_000_000_000_000) {
            let m = eur(minor);
            prop_assert_eq!(Money::parse(&m.amount_string(), Currency::EUR), Ok(m));
        }
    }
}
