//! Kassa's accounts-receivable rules as plain Rust: money, invoices, a customer's ledger
//! (payments, credit notes, write-offs, reversals) and the invariants it keeps. Nothing here
//! does IO, async or knows a framework, so it compiles to native code and to wasm alike and
//! every rule is testable without a database.

pub mod account;
pub mod attempt;
pub mod dispute;
pub mod epc;
pub mod ids;
pub mod invoice;
pub mod ledger;
pub mod money;
pub mod plan;
pub mod problem;
pub mod promise;
pub mod reference;

pub use account::{
    Application, Apply, CustomerLedger, InvariantViolation, Received, Reversal, SourceKind, WriteOff, WriteOffReason,
};
pub use attempt::AttemptState;
pub use ids::{
    CreditNoteId, CustomerId, CustomerNumber, InvoiceId, InvoiceNumber, MerchantId, MerchantSlug, PaymentId, StaffId,
};
pub use invoice::{Invoice, InvoiceError, InvoiceLine, InvoiceStatus, StatusFacts};
pub use ledger::{allocate, pay_one, Allocation, LedgerError, OpenItem, Payment};
pub use money::{Currency, Money, MoneyError};
pub use problem::Problem;
pub use reference::{PaymentReference, ReferenceError, ReferenceScheme};
