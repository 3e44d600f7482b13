## What Kassa says when something cannot be done: one message per problem code
## (domain/src/problem.rs), and the error pages.

error-not-found = We could not find that page.
error-unauthorized = This page needs a sign-in link.
error-internal = Something went wrong on our side. Nothing was charged twice; please try again.
# $detail (String) - what the browser reported
error-transport = The request did not reach Kassa ({ $detail }). Check your connection and try again.

page-not-found = Not found
page-not-found-advice = Check the link you followed, or ask the sender for a new one.
page-sign-in-needed = Sign-in needed
page-sign-in-needed-advice = Open the most recent link from your email. Links work once and expire after 15 minutes; ask for a new one if yours has.
page-payment-declined = Payment declined
page-payment-declined-advice = Nothing was charged. Try again or choose another way to pay.
page-too-many-attempts = Too many attempts
page-too-many-attempts-advice = This protects your account. Try again later.
page-check-input = Please check your input
page-check-input-advice = Correct the field and try again.
page-went-wrong = Something went wrong
page-went-wrong-advice = Please try again in a moment.

status-open = Open
status-partly-paid = Partly paid
status-overdue = Overdue
status-in-plan = In a payment plan
status-disputed = Disputed
status-promised = Promised
status-paid = Paid
status-credited = Credited
status-written-off = Written off

# $method (String) - how it was paid
settlement-reversed = { $method }, reversed
# $method (String) - how it was paid
settlement-later-reversed = { $method } (later reversed)
# $number (String) - a credit note's number
settlement-credit-note = Credit note { $number }
settlement-write-off-undone = Write-off undone
settlement-small-difference = Small difference written off
settlement-written-off = Written off

decline-card-declined = the card was declined
decline-insufficient-funds = there is not enough money on the account
decline-expired-card = the card has expired
decline-incorrect-cvc = the security code is wrong
decline-other = the payment provider refused it
decline-canceled = it was canceled before it was paid

# $input (String) - what was typed
problem-amount-not-a-number = '{ $input }' is not an amount (write it like 12.50).
# $currency (String) - a currency code
# $digits (Number) - how many decimals
problem-amount-too-precise = { $currency } amounts have at most { $digits } decimals.
problem-amount-too-large = The amount is too large: Kassa takes amounts of up to 15 digits, cents included.
problem-amount-not-positive = Enter an amount above zero.
# $balance (String) - an amount with its currency
problem-amount-exceeds-balance = You can pay at most { $balance }, the open balance.
# $input (String) - what was typed
problem-unknown-currency = '{ $input }' is not a currency code (write it like EUR).
# $expected (String) - a currency code
# $found (String) - a currency code
problem-currency-mismatch = The amount is in { $found }, but this needs { $expected }.
problem-invoice-number-empty = Enter an invoice number.
# $max (Number) - the most characters
problem-invoice-number-invalid = An invoice number has at most { $max } characters and no line breaks.
problem-invoice-has-no-lines = An invoice needs at least one line.
# $line (Number) - a line number
# $expected (String) - a currency code
# $found (String) - a currency code
problem-line-currency-mismatch = Line { $line } is in { $found }, but the invoice is in { $expected }.
# $line (Number) - a line number
problem-line-amount-invalid = The amount of line { $line } is not valid.
# $issued (String) - a date
# $due (String) - a date
problem-due-before-issue = The due date { $due } is before the issue date { $issued }.
problem-nothing-open = This invoice is already paid.
# $applied (String) - an amount with its currency
# $received (String) - an amount with its currency
problem-allocation-exceeds-amount = The allocations add up to { $applied }, more than the { $received } received.
# $credit (String) - an amount with its currency
problem-amount-exceeds-credit = Only { $credit } of credit is left to apply.
# $paid (String) - an amount with its currency
problem-refund-exceeds-payment = The payment stands for { $paid } (after earlier refunds): refund at most that.
problem-no-credit-available = There is no credit left to apply.
problem-already-reversed = This payment has already been reversed.
problem-not-reversed = This payment was not reversed, so there is nothing to stand again.
problem-only-payments-reverse = Only a payment can be reversed or refunded; correct a credit note with an invoice.
problem-not-in-ledger = That invoice or payment is not on this customer's account.
problem-already-in-ledger = That entry is already on the account.
# $number (String) - an invoice number
problem-unknown-invoice = There is no invoice { $number } on this account.
problem-unknown-customer = There is no such customer.
# $number (String) - a credit note number
problem-credit-note-number-taken = Credit note { $number } already exists with other details. Use a new number.
problem-idempotency-key-reused = This request repeats an earlier key with different content. Use a new key.
problem-reason-required = Give a reason.
# $input (String) - what was typed
problem-write-off-reason-invalid = '{ $input }' is not a write-off reason: use bad_debt, small_balance or other.
# $reason (String) - why, in words (a decline-… message)
problem-payment-declined = The payment was declined: { $reason }.
problem-payment-in-progress = A payment for this invoice is already being processed (in another tab or on another device). Wait a moment, then reload the page.
# $reason (String) - a short code: no_valid_signature, too_old, not_signed, invalid_header, unreadable
problem-gateway-event-refused = The payment provider's event was refused ({ $reason }): check the webhook signing secret set for this endpoint.
problem-payments-unavailable = Online payment is not available for this invoice yet. Pay by bank transfer with the details on the invoice.
problem-form-expired = The form is out of date. Reload the page and pay again.
problem-nothing-selected = Choose at least one invoice to pay.
# $max (Number) - the most invoices
problem-too-many-selected = Pay at most { $max } invoices at once.
# $from (String) - the first day
# $to (String) - the last day
problem-period-reversed = The period starts on { $from }, after it ends on { $to }: choose a first day before the last.
# $max (Number) - the most entries
problem-statement-too-long = More than { $max } entries in this period: choose a shorter period.
problem-selection-mixes-currencies = The invoices are in different currencies: pay the invoices of one currency at a time.
# $number (String) - an invoice number
problem-invoice-already-paid = Invoice { $number } is already paid: choose the others.
# $total (String) - an amount with its currency
problem-selection-changed = The balances changed since you chose the invoices (another payment?): they now come to { $total }. Check the total and pay again.
# $input (String) - what was typed
problem-invalid-slug = '{ $input }' cannot be a merchant's address: use 1-40 lowercase letters, digits and dashes.
# $slug (String) - an address
problem-slug-taken = The address '{ $slug }' is taken. Choose another one.
problem-name-required = Enter a name.
# $input (String) - what was typed
problem-invalid-color = '{ $input }' is not a colour: write it like #0b5cad.
# $input (String) - what was typed
problem-unknown-time-zone = '{ $input }' is not a time zone: choose one from the list, like Europe/Amsterdam.
problem-live-key-required = This setting applies to live mode too: change it with a live key, or in the admin.
# $max_kb (Number) - the largest file in KB
problem-logo-too-large = The logo file is too large: at most { $max_kb } KB.
problem-logo-not-png-or-jpeg = The logo must be a PNG or JPEG file.
# $width (Number) - the image's width in pixels
# $height (Number) - its height
# $min (Number) - the fewest pixels a side may have
# $max (Number) - the most
problem-logo-size = The logo is { $width } × { $height } pixels: each side must be between { $min } and { $max }.
# $input (String) - what was typed
problem-invalid-email = '{ $input }' is not an email address.
problem-email-taken = Someone already signs in with this email address.
problem-owner-stays = The owner cannot be removed or given another role: hand the ownership to someone else first.
problem-owner-needs-password = Ownership can only go to someone who has chosen their password and can sign in.
# $min (Number) - the fewest characters
problem-password-too-short = Choose a password of at least { $min } characters.
problem-passwords-differ = The two passwords are not the same.
problem-password-link-expired = This link to set a password has been used or has expired. Ask an administrator for a new one.
problem-sign-in-link-expired = This sign-in link can no longer be used. Ask for a new one.
problem-wrong-credentials = The email or password is wrong.
# $seconds (Number) - how long to wait
problem-busy = Kassa is handling many sign-ins at once. Try again in { $seconds } seconds.
# $minutes (Number) - how long to wait
problem-too-many-attempts = Too many attempts. Wait { $minutes } minutes, then try again.
# $max (Number) - the most characters
problem-customer-number-invalid = A customer number has 1 to { $max } characters and no line breaks.
# $number (String) - a customer number
problem-customer-number-taken = Customer { $number } already exists with other details. Update it instead, or use a new number.
# $number (String) - an invoice number
problem-invoice-number-taken = Invoice { $number } already exists with other details. Use a new number.
# $input (String) - what was typed
problem-invalid-date = '{ $input }' is not a date: write it like 2026-11-25.
# $input (String) - what was typed
# $earliest (String) - a date
# $latest (String) - a date
problem-date-out-of-range = { $input } is outside the dates Kassa works with: { $earliest } to { $latest }.
# $input (String) - what was typed
problem-invalid-language = '{ $input }' is not a language Kassa speaks: use en, nl or da.
# $max (Number) - the most days
problem-payment-terms-invalid = Payment terms are 0 to { $max } days.
# $line (Number) - a line number
# $input (String) - what was typed
problem-quantity-invalid = The quantity '{ $input }' of line { $line } is not a number (write it like 2 or 1.5).
# $line (Number) - a line number
problem-description-required = Line { $line } needs a description.
problem-invalid-cursor = The page cursor is not one Kassa gave out. Start again from the first page.
# $max (Number) - the most characters
problem-segment-invalid = A segment is a word of at most { $max } characters, like smb or enterprise.
# $max (Number) - the most contacts
problem-too-many-contacts = A customer has at most { $max } contacts.
problem-webhook-url-invalid = Give the endpoint as an absolute http(s) URL without a user name, like https://erp.example.com/kassa.
problem-webhook-url-not-https = A live endpoint must use https.
# $host (String) - a host name
problem-webhook-target-private = { $host } is a loopback or private address; Kassa sends webhooks to public addresses only.
# $input (String) - what was typed
problem-webhook-event-unknown = '{ $input }' is not an event: name one (invoice.paid), a group (invoice.*) or all (*).
problem-webhook-events-required = Name at least one event to send (or * for all).
# $max (Number) - the most events
problem-webhook-too-many-events = An endpoint subscribes to at most { $max } events; use a group like invoice.*.
problem-webhook-endpoint-disabled = The endpoint is disabled: enable it first, then replay.
# $max (Number) - the most characters
problem-description-too-long = A description is at most { $max } characters.
# $line (Number) - a line number
problem-import-not-utf8 = Line { $line } is not UTF-8 text: save the file as UTF-8 (from Excel: "CSV UTF-8 (comma delimited)").
problem-import-empty = The file has no header row and no invoices.
# $column (String) - a column's name
problem-import-column-unknown = The column '{ $column }' is not one Kassa reads; rename or remove it (the columns are in docs/imports.md).
# $column (String) - a column's name
problem-import-column-missing = The file has no '{ $column }' column, which is required.
# $line (Number) - a line number
problem-import-row-malformed = Line { $line } does not have as many fields as the header row (a quote not closed?).
# $line (Number) - a line number
problem-import-row-disagrees = This invoice's rows must agree on it: line { $line }, its first row, says something else.
# $reason (String) - why
problem-import-rejected = Not imported: { $reason }.
# $state (String) - a job's state
problem-job-not-dead = The job is { $state }, not dead: only a job that has used all its attempts can be retried.
# $number (String) - an invoice number
problem-credit-held-for-unknown-invoice = There is no invoice { $number } on this account, so the credit note is held as credit on the customer: apply it to an invoice when one arrives.
# $mib (Number) - megabytes
# $files (Number) - how many files
problem-import-too-large = An import is at most { $mib } MiB and { $files } files together: send the files in several imports (or several files in one zip archive).
# $mib (Number) - megabytes
# $elements (Number) - how many elements
problem-import-document-too-large = A UBL document is at most { $mib } MiB and { $elements } elements.
# $line (Number) - a line number
problem-import-nul-character = Line { $line } has a NUL character, which text may not contain (was the file saved as UTF-16? Save it as UTF-8).
# $number (String) - a document's number
# $first (String) - a file's name
problem-import-number-repeated = The number { $number } is also in { $first }: an import names each invoice and credit note once (is a file in it twice?).
# $line (Number) - a line number
# $reason (String) - what the XML reader said
problem-import-xml-malformed = The XML is not well-formed at line { $line } ({ $reason }); the file may be cut off or edited by hand.
# $root (String) - an XML element's name
problem-import-not-ubl = The XML's root is <{ $root }>, not a UBL 2.1 Invoice or CreditNote (Peppol BIS Billing 3.0); Kassa reads those and CSV files.
# $element (String) - an XML element's name
problem-import-element-missing = The document has no { $element }, which Kassa needs.
# $expected (String) - a currency code
# $found (String) - a currency code
problem-import-amount-currency = This amount is in { $found }, but the document's currency (DocumentCurrencyCode) is { $expected }.
# $payable (String) - an amount
# $computed (String) - an amount
problem-import-totals-disagree = The document asks for { $payable } (PayableAmount), but its lines, allowances, charges, VAT, prepaid and rounding amounts come to { $computed }.
# $payable (String) - an amount
problem-import-payable-not-positive = The document's PayableAmount is { $payable }: a credit note gives back more than zero, and a document for zero has nothing to import (an invoice below zero is taken as a credit note).
# $reason (String) - what the zip reader said
problem-import-archive-invalid = The zip archive cannot be read: { $reason }.
# $mib (Number) - megabytes
# $files (Number) - how many files
problem-import-archive-too-large = An archive holds at most { $files } files and { $mib } MiB unpacked: split it into smaller archives.
# $name (String) - a file's name
problem-import-file-unknown = '{ $name }' is neither CSV nor XML: Kassa imports CSV files, UBL Invoice and CreditNote XML, and zip archives of those.
# $input (String) - what was typed
problem-iban-invalid = '{ $input }' is not a valid IBAN (check its digits).
# $input (String) - what was typed
problem-bic-invalid = '{ $input }' is not a BIC: a BIC is 8 or 11 letters and digits (for example ABNANL2A).
problem-account-name-invalid = Give the account holder's name as the bank knows it, in at most 70 characters.
# $input (String) - what was typed
problem-fik-creditor-invalid = '{ $input }' is not an FI creditor number: it is 8 digits, from the bank's FI agreement (needed for +71 references).
# $today (String) - a date
problem-promise-date-in-past = Choose a date from today ({ $today }) on.
# $latest (String) - a date
problem-promise-date-too-far = Choose a date no later than { $latest }.
# $owed (String) - an amount with its currency
problem-promise-amount-invalid = Promise an amount above zero and at most { $owed }.
# $number (String) - an invoice number
problem-invoice-already-promised = Invoice { $number } already has a promise to pay; it ends before a new one can be made.
problem-promise-policy-invalid = Allow promises from 1 to 365 days ahead, with 0 to 60 days' grace.
# $input (String) - what was sent
problem-dispute-reason-unknown = '{ $input }' is not a reason Kassa knows: choose one from the list.
# $max_chars (Number) - the most characters
problem-dispute-message-invalid = Say what is wrong, in at most { $max_chars } characters.
# $line (Number) - a line's position
problem-dispute-line-unknown = The invoice has no line { $line }.
# $most (String) - an amount with its currency
problem-dispute-amount-invalid = Dispute an amount above zero and at most { $most }.
# $max_chars (Number) - the most characters
problem-dispute-reply-invalid = Write a message of at most { $max_chars } characters.
problem-dispute-closed = This dispute is resolved: it takes no more messages or changes.
# $input (String) - what was sent
problem-dispute-outcome-unknown = '{ $input }' is not an outcome Kassa knows: credited in full, credited in part, rejected or adjusted.
# $disputed (String) - an amount with its currency
problem-dispute-credit-invalid = To credit in full, credit exactly { $disputed }; in part, more than zero and less than { $disputed }; rejecting or adjusting credits nothing.
# $name (String) - the file's name
problem-dispute-file-not-accepted = '{ $name }' is not a PDF, JPEG or PNG file: Kassa reads what a file holds, not its name. Save it as one of those and attach it again.
# $name (String) - the file's name
# $max_mb (Number) - the most megabytes
problem-dispute-file-too-large = '{ $name }' is larger than { $max_mb } MB: attach a smaller copy (a photo at a lower resolution, say).
# $max (Number) - the most files
problem-dispute-too-many-files = Attach at most { $max } files.
problem-plan-policy-invalid = Allow 1 to 60 instalments within 1 to 60 months, amounts of zero or more, at least one frequency, interest of at most 50% a year, 0 to 60 days' grace and a first instalment within 90 days.
problem-plans-not-offered = Payment plans are not offered here: contact us to agree on another way to pay.
# $number (String) - an invoice number
problem-invoice-already-in-plan = Invoice { $number } is already in a payment plan.
# $number (String) - an invoice number
problem-plan-invoice-not-due = Invoice { $number } is not overdue yet: payment plans cover overdue invoices only.
# $max (Number) - the most instalments
problem-plan-instalments-invalid = Choose from 1 to { $max } instalments.
# $input (String) - what was sent
problem-plan-frequency-unknown = '{ $input }' is not a frequency Kassa knows: weekly, every two weeks or monthly.
# $earliest (String) - a date
# $latest (String) - a date
problem-plan-first-date-invalid = Choose a first instalment from { $earliest } to { $latest }.
problem-plan-decided = This plan was decided already: it is no longer a proposal.
problem-direct-debit-unavailable = Instalments cannot be collected by direct debit here: pay each one on this page instead.
# $input (String) - what was given
problem-widget-origin-invalid = “{ $input }” is not a website’s origin: write it as https://shop.example (with a port if it has one, no path); http:// only for localhost.
# $max (Number) - how many origins a token may name
problem-widget-origins-count = Name from 1 to { $max } websites that may show the button.
# $max (Number) - the longest lifetime in days
problem-widget-days-out-of-range = A button may stay valid from 1 to { $max } days.
problem-plan-not-active = This payment plan is not running: pay the invoices themselves from your overview.
# $number (String) - an invoice number
problem-invoice-wholly-disputed = All that is open of invoice { $number } is disputed: nothing of it is asked for until the dispute is resolved.
problem-stripe-secret-key-invalid = That is not a Stripe secret key: copy it from Developers, API keys in the Stripe Dashboard; it starts with sk_test_ or sk_live_ (rk_test_ or rk_live_ for a restricted key).
problem-stripe-publishable-key-invalid = That is not a Stripe publishable key: copy it from Developers, API keys in the Stripe Dashboard; it starts with pk_test_ or pk_live_.
problem-stripe-webhook-secret-invalid = That is not a Stripe webhook signing secret: copy it from the webhook endpoint you added in the Stripe Dashboard; it starts with whsec_.
problem-stripe-keys-mode-mismatch = The secret key and the publishable key are from different modes: give both test keys or both live keys.
# $input (String) - what was typed
problem-payment-method-type-invalid = '{ $input }' is not a payment method type: use Stripe's names, such as card, ideal, sepa_debit, bancontact or mobilepay.
# $max (Number) - the most characters
problem-payment-reference-invalid = A payment reference is at most { $max } characters, without line breaks.
# $input (String) - what was typed
problem-amount-ambiguous = '{ $input }' could mean two amounts: write it without the thousands separator, with the decimal point for cents (like 12345.00 or 12.35).

method-bank-transfer = Bank transfer
method-cash = Cash
method-cheque = Cheque
method-card = Card
method-sepa-debit = SEPA Direct Debit
method-sandbox = Sandbox (test payment)
problem-widget-email-covers-one-invoice = A pay button for an email covers one invoice: choose the invoice. A customer’s open invoices can be shown on a website.
problem-widget-invoice-or-customer = Give either an invoice number or a customer number.
problem-widget-email-has-no-sites = A pay button for an email is shown by mail programs, not on websites: it has no websites to change.
