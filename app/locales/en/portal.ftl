## The debtor portal: every page a debtor sees, and the frame around them.

# $merchant (String) - the merchant's name
page-title = { $merchant } · Kassa
skip-to-content = Skip to content
sign-out = Sign out
# $merchant (String) - the merchant's name
footer-handled-by = Payments handled by Kassa for { $merchant }
test-mode = Test mode
test-mode-explained = no real money moves; payments go to the sandbox.
language-menu = Language

loading-invoices = Loading your invoices…
loading-invoice = Loading the invoice…
loading-receipt = Loading the receipt…
loading = Loading…

# $merchant (String) - the merchant's name
invoices-title = Invoices from { $merchant }
# $name (String) - the customer's name
hello = Hello { $name }
totals = Totals
# $currency (String) - an ISO 4217 code, like EUR
due-in = Due { $currency }
of-which-overdue = of which overdue:
# $currency (String) - an ISO 4217 code, like EUR
credit-in = Credit { $currency }
credit-explained = held on your account; it settles your next invoice
# $currency (String) - an ISO 4217 code, like EUR
pay-all-in = Pay all { $currency } invoices
open-invoices = Open invoices
nothing-to-pay = Nothing to pay. Thank you!
nothing-overdue = Nothing is overdue.
settled-invoices = Settled invoices
no-settled-invoices = No settled invoices yet.
pay-selected = Pay selected invoices
select = Select
# $number (String) - an invoice number
select-invoice = Select invoice { $number }
selection-none = No invoices selected.
# $total (String) - an amount with its currency
selection-one = 1 invoice selected: { $total }
# $count (String) - how many invoices (or a placeholder the page fills in)
# $total (String) - an amount with its currency
selection-many = { $count } invoices selected: { $total }
selection-mixed = These invoices are in different currencies: choose invoices of one currency.

col-invoice = Invoice
col-due-date = Due date
col-total = Total
col-balance = Balance
col-status = Status
col-description = Description
col-quantity = Quantity
col-unit-price = Unit price
col-amount = Amount
col-paid = Paid
col-balance-now = Balance now

# $number (String) - an invoice number
invoice-title = Invoice { $number }
back-to-invoices = ← All invoices
fact-issued = Issued
fact-due = Due
fact-total = Total
fact-paid = Paid
fact-balance = Balance
invoice-lines = Invoice lines
pay-this-invoice = Pay this invoice
# $currency (String) - an ISO 4217 code, like EUR
amount-in = Amount ({ $currency })
pay-now = Pay now
payments-and-credits = Payments and credits

promise-title = Can't pay now?
# $latest (String) - a date
promise-intro = Tell us when you will pay, at the latest { $latest }. Reminders about this invoice stop until then.
promise-date = I will pay by
# $currency (String) - an ISO 4217 code, like EUR
promise-amount = Amount you will pay ({ $currency })
promise-amount-hint = All that is open, or less if you will pay part.
promise-submit = Promise to pay
# $amount (String) - an amount with its currency
# $date (String) - a date
promise-made = You promised to pay { $amount } by { $date }. Thank you: reminders about this invoice wait until then.

dispute-title = Something wrong with this invoice?
dispute-intro = Tell us what is wrong. The amount you dispute is not asked for while we look at it; the rest stays payable.
dispute-reason = What is wrong
dispute-reason-not-received = Not received
dispute-reason-damaged = Damaged
dispute-reason-wrong-price-or-quantity = Wrong price or quantity
dispute-reason-already-paid = Already paid
dispute-reason-other = Something else
dispute-lines = Which lines (none: the whole invoice)
# $currency (String) - an ISO 4217 code, like EUR
dispute-amount = Amount you dispute ({ $currency })
dispute-amount-hint = Leave empty for the lines' amounts (or all that is open); write less if only part is wrong.
dispute-message = Your message
dispute-files = Photos or documents (optional)
# $max (Number) - the most files
# $mb (Number) - the most megabytes per file
dispute-files-hint = PDF, JPEG or PNG: up to { $max } files of { $mb } MB each.
dispute-submit = Send the dispute
disputes-title = Disputes
dispute-status-open = Open
dispute-status-under-review = Under review
dispute-status-resolved = Resolved
dispute-author-you = You
# $amount (String) - an amount with its currency
# $status (String) - where the dispute is
# $reason (String) - why
dispute-summary = { $amount } disputed · { $reason } · { $status }
# $disputed (String) - an amount with its currency
# $collectable (String) - an amount with its currency
dispute-held = { $disputed } is disputed and not asked for while it is looked at; { $collectable } can be paid now.
# $outcome (String) - how it was resolved
dispute-outcome = Resolved: { $outcome }
dispute-outcome-credited-in-full = credited in full
dispute-outcome-credited-in-part = credited in part
dispute-outcome-rejected = rejected
dispute-outcome-adjusted = invoice adjusted
# $number (String) - the credit note's number
# $amount (String) - an amount with its currency
dispute-credited = Credit note { $number } takes { $amount } off the invoice.
dispute-reply = Your answer
dispute-reply-submit = Send the answer

checkout-title = Pay invoices
# $count (Number) - how many invoices
checkout-heading = { $count ->
    [one] Pay 1 invoice
   *[other] Pay { $count } invoices
}
checkout-total = Total
checkout-explained = One payment pays all that each of these invoices asks for; a part you dispute stays aside until the dispute is resolved.
# $total (String) - an amount with its currency
pay-amount = Pay { $total }

receipt-title = Payment received
receipt-heading = Thank you, payment received
fact-amount = Amount
fact-date = Date
fact-method = Method
fact-reference = Reference
applied-to = Applied to
back-to-all-invoices = Back to all invoices

signed-out-title = Signed out
signed-out-heading = You are signed out
signed-out-explained = To see your invoices again, open a new sign-in link from your email.

filter-label = Show invoices
# $count (String) - how many
filter-all = All ({ $count })
# $count (String) - how many
filter-open = Open ({ $count })
# $count (String) - how many
filter-overdue = Overdue ({ $count })
# $count (String) - how many
filter-settled = Settled ({ $count })
pages-label = Pages
# $page (String) - this page's number
# $pages (String) - how many pages
page-of = Page { $page } of { $pages }
previous-page = Previous page
next-page = Next page

statement-link = Statement of account
recent-activity = Recent activity
statement-title = Statement of account
statement-period-label = Period
statement-from = From
statement-to = To
statement-show = Show statement
# $from (String) - the first day
# $to (String) - the last day
statement-period = { $from } to { $to }
# $name (String) - the customer's name
# $number (String) - the customer's number with the merchant
statement-customer = { $name } (customer { $number })
# $currency (String) - an ISO 4217 code, like EUR
statement-in = In { $currency }
statement-explained = A positive balance is what you owe; a negative one is credit you hold.
statement-nothing = Nothing on your account in this period.
# $date (String) - a day
statement-opening = Opening balance on { $date }
# $date (String) - a day
statement-closing = Closing balance on { $date }
col-date = Date
col-charged = Charged
col-credited = Paid or credited
# $number (String) - an invoice number
entry-invoice = Invoice { $number }
# $method (String) - how it was paid
entry-payment = Payment ({ $method })
# $method (String) - how it was paid
entry-payment-reversed = Payment reversed ({ $method })
# $number (String) - a credit note's number
entry-credit-note = Credit note { $number }
# $number (String) - an invoice number
entry-written-off = Written off on invoice { $number }
# $number (String) - an invoice number
entry-write-off-undone = Write-off undone on invoice { $number }
download-pdf = Download PDF
# $number (String) - an invoice number
download-invoice-pdf = Download invoice { $number } as PDF
download-receipt-pdf = Download the receipt as PDF
download-statement-pdf = Download the statement as PDF
## Paying by bank transfer, on the invoice page.
transfer-title = Pay by bank transfer
transfer-beneficiary = Beneficiary
transfer-amount = Amount
transfer-reference = Payment reference
transfer-reference-advice = Quote the payment reference exactly as shown, so that your payment finds this invoice. A transfer can take a working day to arrive.
transfer-qr-caption = Scan with your banking app
transfer-qr-label = QR code with these transfer details, for a banking app
transfer-copy = Copy
transfer-copied = Copied
# $what (String) - what was copied, as "IBAN"
transfer-copied-what = Copied: { $what }
## Payment plans.
plan-status-proposed = Waiting for approval
plan-status-active = Running
plan-status-completed = Completed
plan-status-broken = Ended: an instalment was missed
plan-status-rejected = Not accepted
plan-explained-proposed = We have your proposal and will let you know by email. Until we accept it, the invoices stay due as they are.
plan-explained-active = Your plan is running: pay each instalment by its date. Reminders about its invoices have stopped.
plan-explained-completed = All paid. Thank you!
plan-explained-broken = This plan ended because an instalment was not paid in time: what is still open is due again as before.
plan-explained-rejected = We could not accept this plan: the invoices stay due as they are.
plan-frequency-weekly = weekly
plan-frequency-fortnightly = every two weeks
plan-frequency-monthly = monthly
# $count (Number) - how many instalments
# $amount (String) - the largest instalment, with its currency
# $frequency (String) - how often, as "monthly"
plan-summary = { $count } × { $amount }, { $frequency }
# $amount (String) - an amount with its currency
plan-breach-total-below-minimum = less than { $amount } in all
# $max (Number) - the most instalments
plan-breach-too-many-instalments = more than { $max } instalments
# $max (Number) - the most months
plan-breach-too-long = longer than { $max } months
# $amount (String) - an amount with its currency
plan-breach-instalment-below-minimum = instalments under { $amount }
plan-breach-frequency-not-offered = a frequency not usually offered
# $max (Number) - the most days
plan-breach-first-too-late = a first instalment more than { $max } days ahead
spread-payment = Spread the payment
spread-selected = Spread the selected invoices
plan-title = Spread the payment
plan-intro = Pay what you owe in instalments. While the plan runs, reminders about these invoices stop.
plan-invoices = Invoices in the plan
# $amount (String) - an amount with its currency
plan-to-spread = To spread: { $amount }
plan-budget-title = What can you pay per month?
# $currency (String) - an ISO 4217 code, like EUR
plan-budget = Per month ({ $currency })
plan-budget-submit = Show plans
plan-offers-title = Plans that fit
plan-offers-none = No plan within our usual terms fits that amount. Choose the number of instalments below: we will look at your proposal.
plan-check = Check this plan
plan-count-title = Or choose the number of instalments
# $max (Number) - the most instalments within the usual terms
plan-count = Number of instalments (usually at most { $max })
plan-frequency = How often
plan-first = First instalment on
plan-count-submit = Show the plan
plan-review-title = Check your plan
plan-col-instalment = Instalment
plan-charge = Fee or interest
plan-total = Total
plan-within-terms = Within our terms: it starts as soon as you confirm.
plan-within-terms-staff = We look at every plan before it starts and will let you know by email.
# $breaches (String) - what is outside the terms, as a list
plan-outside-terms = Outside our usual terms ({ $breaches }): we will look at it and let you know by email.
plan-confirm = Confirm the plan
plan-choose-another = Choose another plan
plan-agreement-title = Your payment plan
plan-paid-so-far = Paid so far
plan-remaining = Still to pay
plan-how-often = How often
plan-proposed-at = Proposed
plan-charge-invoice = Fee or interest invoice
plan-reason = Why
instalment-paid = Paid
instalment-late = Late
instalment-to-pay = To pay
# $amount (String) - an amount with its currency
# $date (String) - a date
plan-next = Next: { $amount } by { $date }
# $amount (String) - an amount with its currency
plan-pay-now = Pay { $amount } now
plans-title = Your payment plans
plan-charge-line = Payment plan charge
plan-debit-title = Direct debit
plan-debit-offer = Have each instalment collected from your bank account by SEPA Direct Debit on its date. You are told a few days before each, and you can stop it at any time.
plan-debit-set-up = Set up direct debit
# $last4 (String) - the last four digits of the debtor's account
plan-debit-active = Each instalment is collected by SEPA Direct Debit from your account ending in { $last4 } on its date.
plan-debit-pending = You have not finished setting up direct debit.
plan-debit-continue = Continue setting up direct debit
plan-debit-failed = Your bank account could not be set up for direct debit. You can try again, or pay each instalment here.
plan-debit-stopped = You stopped direct debit: pay each instalment here.
plan-debit-stop = Stop direct debit
plan-in-plan = This invoice is in a payment plan.
plan-view = View the plan
download-plan-pdf = Download the agreement as PDF
