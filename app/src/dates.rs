//! Dates and times as each language writes them, from CLDR's data through ICU4X's date
//! formatter: `1 dec 2026` in Dutch, `1. dec. 2026` in Danish, `Dec 1, 2026` in English (server
//! only). Moments (a payment's time) are shown in the merchant's time zone, named after the time
//! (`1 dec 2026 14:05 CET`): the merchant's "today" decides due and overdue
//! (`core::services::records::Merchant::today`), so its clock is the one pages speak.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use icu_calendar::{Date as IcuDate, Gregorian};
use icu_datetime::fieldsets::{YMD, YMDT};
use icu_datetime::input::{DateTime, Time};
use icu_datetime::FixedCalendarDateTimeFormatter;
use time::Date;

use crate::i18n::{lang, Lang};
use crate::money::locale;

type DayFormatter = Rc<FixedCalendarDateTimeFormatter<Gregorian, YMD>>;
type MomentFormatter = Rc<FixedCalendarDateTimeFormatter<Gregorian, YMDT>>;

thread_local! {
    /// One formatter per language, made on first use (as `money`'s: ICU4X's data payloads are
    /// not `Sync` without its `sync` feature).
    static DAYS: RefCell<HashMap<Lang, Option<DayFormatter>>> = RefCell::new(HashMap::new());
    static MOMENTS: RefCell<HashMap<Lang, Option<MomentFormatter>>> = RefCell::new(HashMap::new());
}

fn gregorian(date: Date) -> Option<IcuDate<Gregorian>> {
    IcuDate::try_new_gregorian(date.year(), u8::from(date.month()), date.day()).ok()
}

/// The day as `lang` writes it, month abbreviated (ISO `2026-12-01` if CLDR cannot say).
pub fn date_in(lang: Lang, date: Date) -> String {
    let formatter = DAYS.with(|all| {
        all.borrow_mut()
            .entry(lang)
            .or_insert_with(|| {
                FixedCalendarDateTimeFormatter::try_new((&locale(lang)).into(), YMD::medium()).ok().map(Rc::new)
            })
            .clone()
    });
    match (formatter, gregorian(date)) {
        (Some(f), Some(d)) => f.format(&d).to_string(),
        _ => date.to_string(),
    }
}

/// The day as the page's language writes it.
pub fn date(date: Date) -> String {
    date_in(lang(), date)
}

/// Unix time `unix` as the clock in `zone` (an IANA name) showed it, as `lang` writes a day and
/// a time, followed by the zone's abbreviation: `1 dec 2026 14:05 CET`. A zone the database does
/// not know is shown as UTC, and says so.
pub fn moment_in(lang: Lang, unix: i64, zone: &str) -> String {
    let tz = kassa_core::services::records::time_zone(zone).unwrap_or(jiff::tz::TimeZone::UTC);
    let Ok(at) = jiff::Timestamp::from_second(unix) else {
        return String::new();
    };
    let local = tz.to_datetime(at);
    let abbreviation = tz.to_offset_info(at).abbreviation().to_string();
    let formatter = MOMENTS.with(|all| {
        all.borrow_mut()
            .entry(lang)
            .or_insert_with(|| {
                FixedCalendarDateTimeFormatter::try_new((&locale(lang)).into(), YMD::medium().with_time_hm())
                    .ok()
                    .map(Rc::new)
            })
            .clone()
    });
    let date = IcuDate::try_new_gregorian(i32::from(local.year()), local.month() as u8, local.day() as u8).ok();
    let time = Time::try_new(local.hour() as u8, local.minute() as u8, 0, 0).ok();
    match (formatter, date, time) {
        (Some(f), Some(date), Some(time)) => format!("{} {abbreviation}", f.format(&DateTime { date, time })),
        _ => format!("{} {abbreviation}", local.strftime("%Y-%m-%d %H:%M")),
    }
}

/// Unix time `unix` in `zone`, as the page's language writes it.
pub fn moment(unix: i64, zone: &str) -> String {
    moment_in(lang(), unix, zone)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn days_as_each_language_writes_them() {
        let day = date!(2026 - 12 - 01);
        assert_eq!(date_in(Lang::Nl, day), "1 dec 2026");
        assert_eq!(date_in(Lang::Da, day), "1. dec. 2026");
        assert_eq!(date_in(Lang::En, day), "Dec 1, 2026");
    }

    #[test]
    fn moments_are_the_merchants_clock_with_its_zone_named() {
        // 2026-12-01 13:05 UTC is 14:05 in Amsterdam (winter) and in Copenhagen.
        let unix = 1_796_130_300;
        assert_eq!(moment_in(Lang::Nl, unix, "Europe/Amsterdam"), "1 dec 2026, 14:05 CET");
        assert_eq!(moment_in(Lang::En, unix, "UTC"), "Dec 1, 2026, 1:05\u{202f}PM UTC");
        // Summer time moves the clock and the name.
        let summer = unix - 150 * 86_400;
        assert!(
            moment_in(Lang::Da, summer, "Europe/Copenhagen").ends_with("CEST"),
            "{}",
            moment_in(Lang::Da, summer, "Europe/Copenhagen")
        );
        // A zone nobody knows is shown as UTC, and says so.
        assert!(moment_in(Lang::En, unix, "Mars/Olympus").ends_with("UTC"));
    }
}
