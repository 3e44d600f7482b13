//! Payment plans: the merchant's policy, the schedules a debtor may choose from, and how a
//! running plan stands. Pure: amounts and dates in, schedules and verdicts out.
//!
//! A schedule spreads the plan's principal and its charge (a flat fee or interest, shown as
//! its own line) over instalments that add up to exactly principal + charge: rounding never
//! loses or invents a cent, the earlier instalments carry the odd cents. Dates follow the
//! frequency from the first instalment's date; monthly plans keep its day of the month,
//! moved to the month's last day where the month is shorter (31 January, 28 February,
//! 31 March).

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::{Date, Duration, Month};

use crate::money::{Currency, Money, MoneyError};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error("a plan has at least one instalment")]
    NoInstalments,
    #[error("nothing to spread")]
    NothingOwed,
    #[error("the first instalment ({first}) is before the plan starts ({start})")]
    FirstBeforeStart { start: Date, first: Date },
    #[error("a date past the calendar's end")]
    OutOfCalendar,
    #[error(transparent)]
    Money(#[from] MoneyError),
}

/// How often instalments fall due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Frequency {
    Weekly,
    /// Every two weeks.
    Fortnightly,
    /// On the first instalment's day of each month (its month's last day where shorter).
    Monthly,
}

impl Frequency {
    pub const ALL: [Frequency; 3] = [Frequency::Weekly, Frequency::Fortnightly, Frequency::Monthly];

    pub fn as_str(&self) -> &'static str {
        match self {
            Frequency::Weekly => "weekly",
            Frequency::Fortnightly => "fortnightly",
            Frequency::Monthly => "monthly",
        }
    }

    pub fn parse(text: &str) -> Option<Frequency> {
        Frequency::ALL.into_iter().find(|f| f.as_str() == text)
    }

    /// The due date of instalment `index` (0 is the first, on `first`).
    pub fn due(&self, first: Date, index: u32) -> Result<Date, PlanError> {
        match self {
            Frequency::Weekly => first.checked_add(Duration::weeks(i64::from(index))),
            Frequency::Fortnightly => first.checked_add(Duration::weeks(2 * i64::from(index))),
            Frequency::Monthly => add_months(first, index),
        }
        .ok_or(PlanError::OutOfCalendar)
    }

    /// What `per_month` buys per instalment at this frequency, rounded down to a minor unit
    /// (12 months are 52 weeks).
    pub fn budget(&self, per_month: Money) -> Money {
        let minor = match self {
            Frequency::Weekly => per_month.minor() * 12 / 52,
            Frequency::Fortnightly => per_month.minor() * 12 / 26,
            Frequency::Monthly => per_month.minor(),
        };
        Money::from_minor(minor, per_month.currency())
    }
}

/// `date` moved `months` months on, on the same day or its month's last day where shorter.
pub fn add_months(date: Date, months: u32) -> Option<Date> {
    let index = i64::from(date.year()) * 12 + i64::from(u8::from(date.month())) - 1 + i64::from(months);
    let year = i32::try_from(index.div_euclid(12)).ok()?;
    let month = Month::try_from(u8::try_from(index.rem_euclid(12) + 1).ok()?).ok()?;
    let day = date.day().min(month.length(year));
    Date::from_calendar_date(year, month, day).ok()
}

/// What a plan costs beyond what is owed, as the merchant's policy sets it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Charge {
    None,
    /// A flat fee per plan, in minor units of the plan's currency.
    Fee {
        minor: i64,
    },
    /// Simple interest per year, in basis points (800 = 8.00%), on what is still owed during
    /// each period between instalments, as if each instalment paid off an equal share.
    Interest {
        basis_points: u32,
    },
}

impl Charge {
    /// The charge for spreading `principal` over `instalments` due on these dates, starting
    /// on `start`; rounded once, half away from zero, to the currency's minor unit.
    pub fn amount(&self, principal: Money, start: Date, dues: &[Date]) -> Result<Money, PlanError> {
        let currency = principal.currency();
        match *self {
            Charge::None => Ok(Money::from_minor(0, currency)),
            Charge::Fee { minor } => Ok(Money::from_minor(minor.max(0), currency)),
            Charge::Interest { basis_points } => {
                let shares = principal.split_evenly(u32::try_from(dues.len()).map_err(|_| PlanError::OutOfCalendar)?);
                let mut owed = principal.minor();
                let mut from = start;
                let mut day_minor = Decimal::ZERO; // minor units x days still owed
                for (due, share) in dues.iter().zip(shares) {
                    let days = (*due - from).whole_days().max(0);
                    day_minor += Decimal::from(owed) * Decimal::from(days);
                    owed -= share.minor();
                    from = *due;
                }
                let interest = day_minor * Decimal::from(basis_points) / Decimal::from(10_000 * 365);
                let minor = interest.round_dp_with_strategy(0, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
                let minor = i64::try_from(minor).map_err(|_| MoneyError::Overflow)?;
                Ok(Money::from_minor(minor, currency))
            }
        }
    }
}

/// One instalment of a schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Instalment {
    pub due: Date,
    pub amount: Money,
}

/// What the debtor asks for: `principal` (what the chosen invoices still owe) in
/// `instalments` instalments at `frequency`, the first on `first`, agreed on `start`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlanRequest {
    pub principal: Money,
    pub start: Date,
    pub first: Date,
    pub frequency: Frequency,
    pub instalments: u32,
}

/// A whole plan as the debtor checks it before confirming: what is owed, what the plan
/// costs on top (its own line), and every instalment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schedule {
    pub principal: Money,
    pub charge: Money,
    pub frequency: Frequency,
    pub instalments: Vec<Instalment>,
}

impl Schedule {
    /// The schedule for `request` with `charge` on top.
    pub fn new(request: &PlanRequest, charge: Charge) -> Result<Schedule, PlanError> {
        if request.instalments == 0 {
            return Err(PlanError::NoInstalments);
        }
        if !request.principal.is_positive() {
            return Err(PlanError::NothingOwed);
        }
        if request.first < request.start {
            return Err(PlanError::FirstBeforeStart { start: request.start, first: request.first });
        }
        let dues =
            (0..request.instalments).map(|i| request.frequency.due(request.first, i)).collect::<Result<Vec<_>, _>>()?;
        let charge = charge.amount(request.principal, request.start, &dues)?;
        let total = request.principal.checked_add(charge)?;
        let instalments = dues
            .into_iter()
            .zip(total.split_evenly(request.instalments))
            .map(|(due, amount)| Instalment { due, amount })
            .collect();
        Ok(Schedule { principal: request.principal, charge, frequency: request.frequency, instalments })
    }

    pub fn currency(&self) -> Currency {
        self.principal.currency()
    }

    /// Principal and charge: what the instalments add up to.
    pub fn total(&self) -> Money {
        Money::from_minor(self.principal.minor() + self.charge.minor(), self.currency())
    }

    /// The largest instalment (the first: it carries the odd cents).
    pub fn largest(&self) -> Money {
        self.instalments
            .iter()
            .map(|i| i.amount)
            .max_by_key(|m| m.minor())
            .unwrap_or(Money::from_minor(0, self.currency()))
    }

    pub fn smallest(&self) -> Money {
        self.instalments
            .iter()
            .map(|i| i.amount)
            .min_by_key(|m| m.minor())
            .unwrap_or(Money::from_minor(0, self.currency()))
    }

    pub fn last_due(&self) -> Option<Date> {
        self.instalments.last().map(|i| i.due)
    }

    /// How many instalments, in order, `paid` covers in full.
    pub fn covered(&self, paid: Money) -> usize {
        let mut due_so_far = 0i64;
        self.instalments
            .iter()
            .take_while(|i| {
                due_so_far += i.amount.minor();
                paid.minor() >= due_so_far
            })
            .count()
    }

    /// How the plan stands on `today` when `paid` has been paid towards it, a missed
    /// instalment being forgiven for `grace_days` days.
    pub fn standing(&self, paid: Money, today: Date, grace_days: u32) -> Standing {
        let mut due_so_far = 0i64;
        for instalment in &self.instalments {
            due_so_far += instalment.amount.minor();
            if paid.minor() < due_so_far {
                let missing = Money::from_minor(due_so_far - paid.minor(), self.currency());
                let deadline = instalment.due.checked_add(Duration::days(i64::from(grace_days))).unwrap_or(Date::MAX);
                return if today > deadline {
                    Standing::Broken { due: instalment.due, missing }
                } else if today > instalment.due {
                    Standing::Late { due: instalment.due, missing }
                } else {
                    Standing::OnTrack { next: instalment.due, missing }
                };
            }
        }
        Standing::Completed
    }
}

/// How a running plan stands: `missing` is what is still to pay up to and including the
/// instalment due on `due` (or `next`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    OnTrack {
        next: Date,
        missing: Money,
    },
    /// Past an instalment's date, within the grace period.
    Late {
        due: Date,
        missing: Money,
    },
    /// Past an instalment's date and its grace period: the plan is broken.
    Broken {
        due: Date,
        missing: Money,
    },
    /// Everything paid.
    Completed,
}

/// Where a plan is in its life: proposed (waiting for staff), active (running; its invoices
/// out of collection), then completed, broken (an instalment missed past the grace) or
/// rejected (by staff, as a proposal).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanStatus {
    Proposed,
    Active,
    Rejected,
    Broken,
    Completed,
}

impl PlanStatus {
    pub const ALL: [PlanStatus; 5] =
        [PlanStatus::Proposed, PlanStatus::Active, PlanStatus::Rejected, PlanStatus::Broken, PlanStatus::Completed];

    pub fn as_str(&self) -> &'static str {
        match self {
            PlanStatus::Proposed => "proposed",
            PlanStatus::Active => "active",
            PlanStatus::Rejected => "rejected",
            PlanStatus::Broken => "broken",
            PlanStatus::Completed => "completed",
        }
    }

    pub fn parse(text: &str) -> Option<PlanStatus> {
        PlanStatus::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// Proposed or active: its invoices cannot go into another plan.
    pub fn is_open(&self) -> bool {
        matches!(self, PlanStatus::Proposed | PlanStatus::Active)
    }
}

/// Which invoices a plan may cover.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Eligible {
    /// Any invoice with a balance.
    Open,
    /// Only invoices past their due date.
    Overdue,
}

/// The merchant's rules for payment plans. A proposal within them is accepted at once when
/// `accept_within_policy`; any other goes to staff. Rules missing from stored JSON take the
/// default's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PlanPolicy {
    /// Debtors may propose plans at all.
    pub offered: bool,
    pub eligible: Eligible,
    /// The least a plan may spread, in minor units.
    pub min_total_minor: i64,
    pub max_instalments: u32,
    /// The last instalment at most this many months after the plan starts.
    pub max_months: u32,
    /// The least one instalment may be, in minor units.
    pub min_instalment_minor: i64,
    pub frequencies: Vec<Frequency>,
    pub charge: Charge,
    pub accept_within_policy: bool,
    /// Days a missed instalment is forgiven before the plan breaks.
    pub grace_days: u32,
    /// The first instalment at most this many days after the plan starts.
    pub max_first_days: u32,
}

impl Default for PlanPolicy {
    fn default() -> Self {
        PlanPolicy {
            offered: true,
            eligible: Eligible::Open,
            min_total_minor: 5_000,
            max_instalments: 6,
            max_months: 6,
            min_instalment_minor: 2_500,
            frequencies: vec![Frequency::Monthly],
            charge: Charge::None,
            accept_within_policy: true,
            grace_days: 7,
            max_first_days: 31,
        }
    }
}

/// Where a proposal is outside the merchant's policy (it then goes to staff).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "rule")]
pub enum Breach {
    TotalBelowMinimum { min_minor: i64 },
    TooManyInstalments { max: u32 },
    TooLong { max_months: u32 },
    InstalmentBelowMinimum { min_minor: i64 },
    FrequencyNotOffered,
    FirstTooLate { max_days: u32 },
}

impl PlanPolicy {
    /// Whether the policy's own numbers make sense (a merchant sets them): instalments 1 to 60
    /// within 1 to 60 months, amounts not negative, a frequency offered, interest at most 50%
    /// a year, a grace of 0 to 60 days and a first instalment within 90 days.
    pub fn is_sensible(&self) -> bool {
        let charge = match self.charge {
            Charge::None => true,
            Charge::Fee { minor } => minor >= 0,
            Charge::Interest { basis_points } => basis_points <= 5_000,
        };
        charge
            && (1..=60).contains(&self.max_instalments)
            && (1..=60).contains(&self.max_months)
            && self.min_total_minor >= 0
            && self.min_instalment_minor >= 0
            && !self.frequencies.is_empty()
            && self.grace_days <= 60
            && self.max_first_days <= 90
    }

    /// Where `schedule`, made from `request`, breaks this policy; empty when within it.
    pub fn breaches(&self, request: &PlanRequest, schedule: &Schedule) -> Vec<Breach> {
        let mut breaches = Vec::new();
        if schedule.principal.minor() < self.min_total_minor {
            breaches.push(Breach::TotalBelowMinimum { min_minor: self.min_total_minor });
        }
        if request.instalments > self.max_instalments {
            breaches.push(Breach::TooManyInstalments { max: self.max_instalments });
        }
        let latest = add_months(request.start, self.max_months).unwrap_or(Date::MAX);
        if schedule.last_due().is_some_and(|last| last > latest) {
            breaches.push(Breach::TooLong { max_months: self.max_months });
        }
        // The last instalments are the smallest: odd cents go to the first ones.
        if schedule.smallest().minor() < self.min_instalment_minor && request.instalments > 1 {
            breaches.push(Breach::InstalmentBelowMinimum { min_minor: self.min_instalment_minor });
        }
        if !self.frequencies.contains(&request.frequency) {
            breaches.push(Breach::FrequencyNotOffered);
        }
        if (request.first - request.start).whole_days() > i64::from(self.max_first_days) {
            breaches.push(Breach::FirstTooLate { max_days: self.max_first_days });
        }
        breaches
    }

    /// The schedule for `request` under this policy's charge.
    pub fn schedule(&self, request: &PlanRequest) -> Result<Schedule, PlanError> {
        Schedule::new(request, self.charge)
    }

    /// Schedules within policy for a debtor who can afford `per_month`: for each frequency
    /// offered, the fewest instalments none of which is more than the budget, and up to two
    /// longer ones, each first due on `first`. Empty when nothing within policy fits.
    pub fn offers(&self, principal: Money, start: Date, first: Date, per_month: Money) -> Vec<Schedule> {
        let mut offers = Vec::new();
        for &frequency in &self.frequencies {
            let budget = frequency.budget(per_month);
            let within = |instalments: u32| {
                let request = PlanRequest { principal, start, first, frequency, instalments };
                let schedule = self.schedule(&request).ok()?;
                self.breaches(&request, &schedule).is_empty().then_some(schedule)
            };
            let Some(fewest) =
                (1..=self.max_instalments).find(|&n| within(n).is_some_and(|s| s.largest().minor() <= budget.minor()))
            else {
                continue;
            };
            offers.extend((fewest..=self.max_instalments).take(3).filter_map(within));
        }
        offers
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    fn eur(minor: i64) -> Money {
        Money::from_minor(minor, Currency::EUR)
    }

    fn request(minor: i64, first: Date, frequency: Frequency, instalments: u32) -> PlanRequest {
        PlanRequest { principal: eur(minor), start: date!(2026 - 12 - 01), first, frequency, instalments }
    }

    #[test]
    fn monthly_dates_keep_their_day_and_fall_back_to_month_ends() {
        let plan =
            Schedule::new(&request(100_000, date!(2027 - 01 - 31), Frequency::Monthly, 4), Charge::None).unwrap();
        let dues: Vec<Date> = plan.instalments.iter().map(|i| i.due).collect();
        assert_eq!(dues, [date!(2027 - 01 - 31), date!(2027 - 02 - 28), date!(2027 - 03 - 31), date!(2027 - 04 - 30)]);
        assert_eq!(add_months(date!(2027 - 12 - 31), 2), Some(date!(2028 - 02 - 29)), "a leap year's February");
    }

    #[test]
    fn weekly_and_fortnightly_dates() {
        let weekly =
            Schedule::new(&request(10_000, date!(2026 - 12 - 28), Frequency::Weekly, 3), Charge::None).unwrap();
        assert_eq!(weekly.instalments[2].due, date!(2027 - 01 - 11));
        let fortnightly =
            Schedule::new(&request(10_000, date!(2026 - 12 - 28), Frequency::Fortnightly, 3), Charge::None).unwrap();
        assert_eq!(fortnightly.instalments[2].due, date!(2027 - 01 - 25));
    }

    #[test]
    fn odd_cents_go_to_the_first_instalments() {
        let plan = Schedule::new(&request(10_000, date!(2026 - 12 - 15), Frequency::Monthly, 3), Charge::None).unwrap();
        let amounts: Vec<i64> = plan.instalments.iter().map(|i| i.amount.minor()).collect();
        assert_eq!(amounts, [3_334, 3_333, 3_333]);
        assert_eq!(plan.total(), eur(10_000));
    }

    #[test]
    fn a_fee_is_its_own_line_and_spread_with_the_rest() {
        let plan =
            Schedule::new(&request(30_000, date!(2026 - 12 - 15), Frequency::Monthly, 3), Charge::Fee { minor: 1_500 })
                .unwrap();
        assert_eq!(plan.charge, eur(1_500));
        assert_eq!(plan.instalments[0].amount, eur(10_500));
        assert_eq!(plan.total(), eur(31_500));
    }

    #[test]
    fn interest_is_on_what_is_still_owed() {
        // 1,200.00 at 10% a year in two monthly instalments from 1 December: 1,200.00 for
        // 31 days, then 600.00 for 31 days = 55,800 euro-days x 10% / 365 = 15.2876... -> 15.29.
        let plan = Schedule::new(
            &request(120_000, date!(2027 - 01 - 01), Frequency::Monthly, 2),
            Charge::Interest { basis_points: 1_000 },
        )
        .unwrap();
        assert_eq!(plan.charge, eur(1_529));
        assert_eq!(plan.total(), eur(121_529));
    }

    #[test]
    fn bad_requests_are_refused() {
        assert_eq!(
            Schedule::new(&request(10_000, date!(2027 - 01 - 01), Frequency::Monthly, 0), Charge::None),
            Err(PlanError::NoInstalments)
        );
        assert_eq!(
            Schedule::new(&request(0, date!(2027 - 01 - 01), Frequency::Monthly, 2), Charge::None),
            Err(PlanError::NothingOwed)
        );
        assert!(matches!(
            Schedule::new(&request(10_000, date!(2026 - 11 - 30), Frequency::Monthly, 2), Charge::None),
            Err(PlanError::FirstBeforeStart { .. })
        ));
    }

    #[test]
    fn the_policy_names_each_rule_a_proposal_breaks() {
        let policy = PlanPolicy::default(); // 50.00 at least, 6 monthly, 6 months, 25.00 each, first within 31 days
        let fine = request(30_000, date!(2026 - 12 - 20), Frequency::Monthly, 6);
        assert_eq!(policy.breaches(&fine, &policy.schedule(&fine).unwrap()), []);
        let bad = request(10_000, date!(2027 - 02 - 01), Frequency::Weekly, 8);
        assert_eq!(
            policy.breaches(&bad, &policy.schedule(&bad).unwrap()),
            [
                Breach::TooManyInstalments { max: 6 },
                Breach::InstalmentBelowMinimum { min_minor: 2_500 },
                Breach::FrequencyNotOffered,
                Breach::FirstTooLate { max_days: 31 },
            ]
        );
        let long = request(60_000, date!(2026 - 12 - 31), Frequency::Monthly, 6);
        assert_eq!(
            policy.breaches(&long, &policy.schedule(&long).unwrap()),
            [],
            "31 May is within six months of 1 December"
        );
        let small = request(4_000, date!(2026 - 12 - 20), Frequency::Monthly, 1);
        assert_eq!(
            policy.breaches(&small, &policy.schedule(&small).unwrap()),
            [Breach::TotalBelowMinimum { min_minor: 5_000 }]
        );
    }

    #[test]
    fn offers_start_from_what_the_debtor_can_afford() {
        let policy = PlanPolicy { frequencies: vec![Frequency::Monthly, Frequency::Weekly], ..PlanPolicy::default() };
        let offers = policy.offers(eur(50_000), date!(2026 - 12 - 01), date!(2026 - 12 - 15), eur(20_000));
        let monthly: Vec<usize> =
            offers.iter().filter(|s| s.frequency == Frequency::Monthly).map(|s| s.instalments.len()).collect();
        assert_eq!(monthly, [3, 4, 5], "200.00 a month pays 500.00 in three, the longer ones cost less each");
        // 200.00 a month is 46.15 a week: 11 weeks needed, more than the 6 allowed.
        assert!(offers.iter().all(|s| s.frequency == Frequency::Monthly));
        assert!(offers.iter().all(|s| s.largest().minor() <= 20_000));
        assert_eq!(policy.offers(eur(500_000), date!(2026 - 12 - 01), date!(2026 - 12 - 15), eur(20_000)), []);
    }

    #[test]
    fn a_plan_is_late_within_its_grace_and_broken_after() {
        let plan = Schedule::new(&request(30_000, date!(2026 - 12 - 15), Frequency::Monthly, 3), Charge::None).unwrap();
        assert_eq!(
            plan.standing(eur(0), date!(2026 - 12 - 15), 7),
            Standing::OnTrack { next: date!(2026 - 12 - 15), missing: eur(10_000) }
        );
        assert_eq!(
            plan.standing(eur(10_000), date!(2027 - 01 - 20), 7),
            Standing::Late { due: date!(2027 - 01 - 15), missing: eur(10_000) }
        );
        assert_eq!(
            plan.standing(eur(15_000), date!(2027 - 01 - 23), 7),
            Standing::Broken { due: date!(2027 - 01 - 15), missing: eur(5_000) }
        );
        assert_eq!(
            plan.standing(eur(20_000), date!(2027 - 01 - 23), 7),
            Standing::OnTrack { next: date!(2027 - 02 - 15), missing: eur(10_000) }
        );
        assert_eq!(plan.standing(eur(30_000), date!(2027 - 06 - 01), 7), Standing::Completed, "paid early ends it");
        assert_eq!(plan.covered(eur(0)), 0);
        assert_eq!(plan.covered(eur(19_999)), 1);
        assert_eq!(plan.covered(eur(20_000)), 2);
        assert_eq!(plan.covered(eur(40_000)), 3);
    }

    fn frequency() -> impl Strategy<Value = Frequency> {
        prop_oneof![Just(Frequency::Weekly), Just(Frequency::Fortnightly), Just(Frequency::Monthly)]
    }

    fn charge() -> impl Strategy<Value = Charge> {
        prop_oneof![
            Just(Charge::None),
            (0i64..100_000).prop_map(|minor| Charge::Fee { minor }),
            (0u32..3_000).prop_map(|basis_points| Charge::Interest { basis_points }),
        ]
    }

    proptest! {
        #[test]
        fn instalments_add_up_to_the_plan_exactly(
            principal in 1i64..100_000_000,
            instalments in 1u32..=60,
            first_offset in 0i64..60,
            start_offset in 0i64..3_000,
            frequency in frequency(),
            charge in charge(),
        ) {
            let start = date!(2025 - 01 - 01) + Duration::days(start_offset);
            let first = start + Duration::days(first_offset);
            let request = PlanRequest { principal: eur(principal), start, first, frequency, instalments };
            let plan = Schedule::new(&request, charge).unwrap();
            prop_assert_eq!(plan.instalments.len(), instalments as usize);
            let sum: i64 = plan.instalments.iter().map(|i| i.amount.minor()).sum();
            prop_assert_eq!(sum, principal + plan.charge.minor());
            prop_assert!(plan.largest().minor() - plan.smallest().minor() <= 1);
            prop_assert!(plan.charge.minor() >= 0);
            prop_assert_eq!(plan.instalments[0].due, first);
            for pair in plan.instalments.windows(2) {
                prop_assert!(pair[0].due < pair[1].due);
                let gap = (pair[1].due - pair[0].due).whole_days();
                match frequency {
                    Frequency::Weekly => prop_assert_eq!(gap, 7),
                    Frequency::Fortnightly => prop_assert_eq!(gap, 14),
                    Frequency::Monthly => {
                        prop_assert!((28..=31).contains(&gap));
                        prop_assert_eq!(pair[1].due.day(), first.day().min(pair[1].due.month().length(pair[1].due.year())));
                    }
                }
            }
        }

        #[test]
        fn paying_every_instalment_on_time_completes_the_plan(
            principal in 1i64..10_000_000,
            instalments in 1u32..=24,
            frequency in frequency(),
            grace in 0u32..30,
        ) {
            let request = PlanRequest { principal: eur(principal), start: date!(2026 - 12 - 01), first: date!(2026 - 12 - 10), frequency, instalments };
            let plan = Schedule::new(&request, Charge::None).unwrap();
            let mut paid = 0;
            for instalment in &plan.instalments {
                let behind = matches!(plan.standing(eur(paid), instalment.due, grace), Standing::Broken { .. } | Standing::Late { .. });
                prop_assert!(!behind);
                paid += instalment.amount.minor();
            }
            prop_assert_eq!(plan.standing(eur(paid), plan.last_due().unwrap() + Duration::days(400), grace), Standing::Completed);
        }
    }
}
