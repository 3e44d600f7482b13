## The staff admin.

admin = Admin
# $page (String) - the page's name
admin-page-title = { $page } · Admin
# $merchant (String) - the merchant's name
admin-brand = { $merchant } · Admin
nav-invoices = Invoices
nav-webhooks = Webhooks
nav-jobs = Jobs
col-customer = Customer

login-title = Staff sign-in
login-heading = Kassa staff sign-in
field-email = Email
field-password = Password
sign-in = Sign in
set-password-title = Choose your password
set-password-heading = Choose your Kassa password
set-password-explained = At least 12 characters. A sentence you will remember works well.
field-new-password = New password
field-password-again = The same password again
set-password-submit = Set password and sign in
please-sign-in = Please sign in
go-to-sign-in = Go to the staff sign-in

jobs-heading = Jobs that gave up
jobs-explained = Webhook deliveries and imports that failed on every attempt. Fix the cause (the receiver, the file), then queue the job again: it gets its attempts anew.
jobs-none = None: every job ran or is still trying.
col-job = Job
col-attempts = Attempts
col-last-error = Last error
col-gave-up = Gave up
col-action = Action
retry = Retry
# $kind (String) - the job's kind
# $id (String) - the job's id
retry-job = Retry { $kind } { $id }

webhooks-explained = Kassa sends these addresses the events they subscribe to, signed per Standard Webhooks (docs/api.md).
webhook-added = Endpoint added:
webhook-secret-once = Its signing secret, shown this once: copy it into the receiving system now.
webhooks-none = No endpoints yet.
webhook-endpoints = Webhook endpoints
col-address = Address
col-events = Events
webhook-enabled = Enabled
webhook-disabled = Disabled
# $reason (String) - why Kassa disabled it
webhook-disabled-because = Disabled: { $reason }
disable = Disable
enable = Enable
# $url (String) - the endpoint's address
disable-endpoint = Disable { $url }
# $url (String) - the endpoint's address
enable-endpoint = Enable { $url }
add-endpoint-heading = Add an endpoint
field-address-https = Address (https)
field-events = Events
# $events (String) - the event names
events-hint = Names, groups or everything: { $events }, invoice.*, *
field-description-optional = Description (optional)
add-endpoint = Add endpoint
# $id (String) - the job's id
job-queued-again = Job { $id } is queued again.

nav-settings = Settings
settings-saved = Settings saved.
settings-admins-only = Only admins and the owner change settings; ask one of them.
field-time-zone = Time zone
time-zone-hint = An invoice becomes overdue at midnight here after its due date, and pages show times on this clock.
save-settings = Save settings
logo-title = Logo
logo-none = No logo yet: the portal, emails and PDFs show the name alone.
field-logo = Logo file (PNG or JPEG)
logo-hint = At most 256 KB, 16 to 2,000 pixels a side. Shown 40 pixels high in the portal, emails and PDFs; a square or wide image works best.
upload-logo = Upload logo
remove-logo = Remove logo
bank-title = Bank account for transfers
bank-none = No bank account yet: invoices show no way to pay by transfer.
field-account-name = Account holder
field-iban = IBAN
field-bic = BIC (optional)
field-reference-scheme = Payment reference on new invoices
reference-scheme-rf = RF creditor reference (ISO 11649)
reference-scheme-nl = Dutch betalingskenmerk
reference-scheme-be = Belgian structured communication
reference-scheme-dk = Danish +71 payment id (FIK)
field-fik-creditor = FI creditor number (8 digits, for +71)
save-bank = Save bank account
stripe-title = Stripe
stripe-none = No Stripe account connected: in test mode debtors pay in the sandbox; in live mode they cannot pay online.
# $mode (String) - test or live
# $key (String) - the secret key's hint
# $publishable (String) - the publishable key
stripe-connected = { $mode } keys: { $key } and { $publishable }
stripe-methods-all = every method enabled in the Stripe Dashboard
# $methods (String) - payment method types
stripe-methods = Offered: { $methods }
# $url (String) - an address
stripe-webhook = In the Stripe Dashboard, add a webhook endpoint at { $url } and give its signing secret here.
field-secret-key = Secret key (sk_test_… or sk_live_…)
field-publishable-key = Publishable key (pk_test_… or pk_live_…)
field-webhook-secret = Webhook signing secret (whsec_…)
field-methods = Payment methods to offer (optional: card, ideal, sepa_debit, bancontact, mobilepay, …)
stripe-keys-hint = The secret key and the signing secret are stored sealed and never shown again. Test keys and live keys are kept side by side; the mode you are in picks one.
connect-stripe = Connect Stripe
# $mode (String) - test or live
disconnect-stripe = Disconnect the { $mode } keys

nav-mail = Mail
mail-heading = Mail sent to customers and staff
mail-catching = No mail server is set up (--smtp-url), so Kassa keeps the mail it would send here instead: the newest 200 messages. Nothing leaves.
mail-smtp = Kassa sends mail through the SMTP server set up with --smtp-url; none is kept here.
mail-none = No mail yet.
# $to (String) - the recipient's address
# $at (String) - when
mail-to = To { $to } · { $at }
# $files (String) - the attached files' names, separated by commas
mail-attached = Attached: { $files }

## /admin/payments: money received, and refunds.

nav-payments = Payments
nav-promises = Promises
promises-open = Open
promises-broken = Broken
promises-kept = Kept
promises-filter = Promises by state
promises-none = No promises here.
promises-caption = Promises to pay
col-invoices = Invoices
col-promised-date = Promised by
col-collection-resumes = Collection resumes after
col-made = Made
promises-settings-title = Promises to pay
field-promise-window = Latest date a debtor may promise (days ahead)
promise-window-hint = From 1 to 365 days. Collection of the promised invoices pauses until the date.
field-promise-grace = Grace after the promised date (days)
promise-grace-hint = From 0 to 60 days. After it, an unpaid promise is broken and collection resumes.
save-promise-rules = Save the rules for promises
plans-settings-title = Payment plans
field-plans-offered = Debtors may propose payment plans
field-plan-eligible = Which invoices
plan-eligible-open = Any open invoice
plan-eligible-overdue = Only overdue invoices
field-plan-max-instalments = Most instalments (1 to 60)
field-plan-max-months = Longest plan, in months (1 to 60)
field-plan-min-total = Least a plan spreads (in the invoices' currency)
field-plan-min-instalment = Least one instalment may be (in the invoices' currency)
field-plan-frequencies = Frequencies offered
field-plan-charge = Fee or interest
plan-charge-none = None
plan-charge-fee = A fee per plan
plan-charge-interest = Interest per year
field-plan-charge-value = The fee (an amount) or the interest (% a year, at most 50)
field-plan-accept = Start plans within these rules at once (otherwise staff approve each one)
field-plan-grace = Grace for a missed instalment, in days (0 to 60)
field-plan-first-days = First instalment at most this many days ahead (0 to 90)
save-plan-rules = Save the rules for payment plans
nav-disputes = Disputes
disputes-filter = Disputes by status
disputes-none = No disputes here.
disputes-caption = Disputes, oldest first
disputes-reason-filter = Disputes by reason
disputes-all-reasons = All reasons
col-reason = Reason
col-message = Message
col-opened = Opened
# $invoice (String) - the invoice's number
dispute-page-title = Dispute on invoice { $invoice }
disputes-back = All disputes
fact-customer = Customer
fact-invoice = Invoice
fact-reason = Reason
fact-disputed = Disputed
fact-status = Status
fact-lines = Lines
fact-files = Files
fact-opened = Opened
dispute-whole-invoice = The whole invoice
dispute-thread = Thread with the customer and internal notes
dispute-internal = Internal note
dispute-author-staff = Staff
dispute-author-customer = Customer
dispute-answer-title = Write in the thread
field-dispute-answer = Answer or note
field-dispute-internal = Internal note: only staff see it, the customer is not told
dispute-answer-submit = Send
dispute-resolve-title = Resolve the dispute
field-dispute-outcome = Outcome
# $currency (String) - a currency code
field-dispute-credit = Credit ({ $currency })
# $amount (String) - the disputed amount with its currency
dispute-credit-hint = Only for a credit in part: less than { $amount }. In full credits { $amount }.
field-credit-note-number = Credit note number
# $example (String) - a credit note number
credit-note-number-hint = Leave empty for { $example }.
field-dispute-resolution = Answer to the customer
dispute-resolve-submit = Resolve
dispute-open-link = Open
nav-plans = Plans
plans-filter = Payment plans by status
plans-none = No payment plans here.
plans-caption = Payment plans, newest first
col-schedule = Schedule
col-next-instalment = Next instalment
col-outside-policy = Outside the policy
col-proposed = Proposed
col-state = State
# $customer (String) - the customer's name and number
plan-page-title = Payment plan of { $customer }
plans-back = All payment plans
fact-principal = Owed
fact-charge = Fee or interest
fact-plan-total = Total
fact-paid-so-far = Paid so far
fact-frequency = How often
fact-grace = Grace for a missed instalment
# $days (Number) - how many days
grace-days = { $days } days
fact-outside-policy = Outside the policy
fact-decided-by = Decided by
fact-decision-reason = Reason
fact-charge-invoice = Fee or interest invoice
fact-proposed = Proposed
decided-by-policy = Accepted at once: within the policy
plan-instalments-caption = Instalments
plan-decide-title = Approve or reject
field-plan-reason = Reason, told to the customer (required to reject)
plan-approve = Approve the plan
plan-reject = Reject the plan
payments-caption = Payments received, newest first
col-method = Method
col-refunded = Refunded
col-refund = Refund
payment-status-received = Received
payment-status-part-refunded = Partly refunded
payment-status-refunded = Refunded
payment-status-reversed = Reversed
refund-summary = Refund…
field-refund-amount = Amount to refund
# $amount (String) - what may still be refunded
refund-hint = At most { $amount }. It goes back the way it came (through Stripe), or is recorded as paid back for money received outside Kassa.
field-refund-reason = Reason
refund-submit = Refund
# $amount (String) - the refund's amount
refund-done = Refunded { $amount }: the credit the payment held first, then what it paid is owed again.
# $amount (String) - the refund's amount
refund-pending = The refund of { $amount } is on its way; the ledger moves once the payment provider confirms it.
# $amount (String) - the refund's amount
refund-failed = The payment provider could not refund { $amount }; nothing changed.

# $name (String) - the customer's name
# $number (String) - the merchant's number for it
customer-page-title = { $name } ({ $number })
customer-back = All invoices
fact-email = Email
fact-language = Language
fact-terms = Payment terms
customer-invoices = Invoices
customer-history = Account history
customer-plans = Payment plans
customer-promises = Promises to pay
customer-disputes = Disputes
customer-nothing = None yet.
# $amount (String) - the amount promised, with its currency
# $date (String) - the date promised
# $invoices (String) - the invoices' numbers
# $state (String) - open, kept or broken
customer-promise = { $amount } by { $date } ({ $invoices }) · { $state }
# $invoice (String) - the invoice's number
# $amount (String) - the disputed amount, with its currency
# $reason (String) - why
# $status (String) - where it is
customer-dispute = { $invoice } · { $amount } · { $reason } · { $status }
fact-plan-debit = Direct debit
debit-status-none = Not set up
debit-status-pending = Being set up by the customer
# $last4 (String) - the last four digits of the customer's account
debit-status-active = Active, from the account ending in { $last4 }
debit-status-failed = Could not be set up
debit-status-stopped = Stopped by the customer

## Pay buttons (widget tokens)
nav-widgets = Pay buttons
widgets-intro = Put a pay button for an invoice on your own website: issue one for the invoice and the websites that may show it, then paste its snippet into the page. Revoking it stops it at once.
widgets-none = No pay buttons yet.
widgets-caption = Pay buttons issued
widget-issued = Pay button issued: copy its snippet below.
issue-widget-title = New pay button
field-widget-invoice = Invoice number
field-widget-customer = Or a customer number
widget-customer-hint = Instead of one invoice: all of that customer’s open invoices, to pay several at once (<kassa-invoices>).
field-widget-origins = Websites that may show it
widget-origins-hint = One per line, like https://shop.example (with the port if it has one, no path).
field-widget-days = Valid for (days)
# $max (Number) - the longest a button may stay valid, in days
widget-days-hint = From 1 to { $max } days.
issue-widget-token = Issue pay button
col-widget-sites = Websites
col-widget-expires = Expires
col-widget-snippet = Snippet
widget-state-active = Active
widget-state-revoked = Revoked
widget-state-expired = Expired
widget-snippet-site = For your website
widget-pay-link = Pay link
revoke-widget-token = Revoke
issue-email-widget-title = New pay button for an email
email-widget-intro = For your invoice emails: a button to the invoice's pay link and an image that shows what is due, and "paid" once it is. The link works for as long as the invoice is owed and after, until you revoke it.
issue-email-widget-token = Issue email button
widget-sites-email = In emails
widget-never = Never (until revoked)
widget-snippet-email = For your email template
widget-preview = Preview
save-widget-origins = Save websites
widget-preview-live = Live: what your website shows now (Pay does nothing here).
widgets-settings-title = Pay buttons
field-widget-max-days = Longest a pay button on a website stays valid (days)
# $max (Number) - Kassa's own cap, in days
widget-max-days-hint = From 1 to { $max } days: no pay button for a website is issued for longer. Buttons for emails do not expire.
save-widget-rules = Save pay button rules
