//! Pure SLA math: business calendars, policy selection and SLA clocks. Time is always
//! passed in; nothing here reads the system clock, touches disk or talks to a network.
//!
//! Instants are `i64` milliseconds since the Unix epoch (UTC), as in `hilo_model::time`.
//! Calendars are parsed once ([`BusinessCalendar::from_stored`]) and then reused for
//! every evaluation; [`evaluate`] and [`next_due`] do no parsing and allocate only the
//! clocks they return.

pub mod calendar;
pub mod clock;
pub mod ical;
pub mod policy;

pub use calendar::{
    BusinessCalendar, CalendarError, MAX_INSTANT, MIN_INSTANT, ShiftInterval, WeeklyHours, ZonedCalendar,
    parse_holiday_date,
};
pub use clock::{
    AlertLevel, ConversationFacts, Fulfilment, MessageFact, SlaClock, SlaMetric, SlaState, StatusChange, evaluate,
    evaluate_into, next_due,
};
pub use ical::{IcalError, parse_holidays};
pub use policy::{AtRiskThreshold, CalendarRef, PauseRule, PolicyError, SlaPolicy, StoredPolicy, select_policy};
