## Emails to debtors. Each has a subject, a plain-text part and an HTML part.

# $merchant (String) - the merchant's name
email-sign-in-subject = Your sign-in link for { $merchant }
# $name (String) - the customer's name
email-greeting = Hello { $name },
# $merchant (String) - the merchant's name
email-sign-in-body = Use this link to see your invoices from { $merchant } and to pay them:
email-sign-in-button = Sign in
email-sign-in-expires = The link works once, within 15 minutes.
email-sign-in-not-you = Did you not ask for it? Then you can ignore this email: nobody signs in without the link.
# $merchant (String) - the merchant's name
email-footer = Sent by Kassa for { $merchant }.

## Receipts: a payment made through Kassa, with the receipt's PDF attached.

# $amount (String) - the amount received, as "€100.00"
# $merchant (String) - the merchant's name
email-receipt-subject = Receipt for your payment of { $amount } to { $merchant }
# $merchant (String) - the merchant's name
# $amount (String) - the amount received
# $method (String) - how it was paid, as "Card" or "iDEAL"
# $date (String) - when, as "1 Dec 2026, 14:05"
email-receipt-body = Thank you: { $merchant } received { $amount } on { $date } ({ $method }).
# $invoice (String) - the invoice's number
# $paid (String) - what the payment paid of it
# $balance (String) - what is still to pay
email-receipt-invoice = Invoice { $invoice }: { $paid } paid, { $balance } still to pay.
# $invoice (String) - the invoice's number
# $paid (String) - what the payment paid of it
email-receipt-invoice-settled = Invoice { $invoice }: { $paid } paid, nothing left to pay.
# $amount (String) - the part of the payment no invoice took
email-receipt-credit = { $amount } is kept as credit towards your next invoices.
# $reference (String) - the payment provider's reference
email-receipt-reference = Payment reference: { $reference }
email-receipt-attached = The receipt is attached as a PDF.
email-portal-button = See your invoices

## A payment on its way that failed after all (a direct debit the bank refused).

# $merchant (String) - the merchant's name
email-payment-failed-subject = Your payment to { $merchant } did not go through
# $amount (String) - the amount
# $method (String) - how it was to be paid, as "SEPA Direct Debit"
# $reason (String) - why, as "there is not enough money on the account"
email-payment-failed-body = Your payment of { $amount } ({ $method }) did not go through after all: { $reason }.
# $invoices (String) - the invoices' numbers, separated by commas
email-payment-failed-invoices = Still to pay: { $invoices }. You can pay another way on your page:
email-pay-button = Pay now

## The same failure told to the merchant's staff.

email-staff-greeting = Hello,
# $customer (String) - the customer's name
# $amount (String) - the amount
email-staff-payment-failed-subject = Payment failed: { $customer }, { $amount }
# $amount (String) - the amount
# $method (String) - how it was to be paid
# $customer (String) - the customer's name
# $reason (String) - why
email-staff-payment-failed-body = The payment of { $amount } ({ $method }) from { $customer } did not go through after all: { $reason }.
# $invoices (String) - the invoices' numbers, separated by commas
email-staff-payment-failed-invoices = Open again: { $invoices }.
email-staff-payment-failed-told = The customer has been sent an email asking them to pay another way.
email-staff-payment-failed-no-address = The customer has no email address: please contact them another way.
email-staff-button = Open Kassa
# $merchant (String) - the merchant's name
email-staff-footer = Sent by Kassa to the staff of { $merchant }.

## Staff answered or resolved a debtor's dispute.

# $invoice (String) - the invoice's number
email-dispute-subject = Your dispute of invoice { $invoice }
# $merchant (String) - the merchant's name
# $invoice (String) - the invoice's number
email-dispute-answered = { $merchant } answered your dispute of invoice { $invoice }:
# $merchant (String) - the merchant's name
# $invoice (String) - the invoice's number
# $amount (String) - the credit, with its currency
# $number (String) - the credit note's number
email-dispute-credited = { $merchant } resolved your dispute of invoice { $invoice }: credit note { $number } of { $amount } takes it off the invoice.
# $merchant (String) - the merchant's name
# $invoice (String) - the invoice's number
# $amount (String) - the disputed amount, with its currency
email-dispute-rejected = { $merchant } resolved your dispute of invoice { $invoice } without a credit: the { $amount } you disputed is to be paid again.
# $merchant (String) - the merchant's name
# $invoice (String) - the invoice's number
email-dispute-adjusted = { $merchant } resolved your dispute of invoice { $invoice } by adjusting the invoice.
email-dispute-their-words = Their message:
email-dispute-button = See the invoice

# $merchant (String) - the merchant's name
email-plan-subject = Your payment plan with { $merchant }
# $date (String) - the instalment's date
email-plan-reminder-subject = Instalment due on { $date }
# $merchant (String) - the merchant's name
# $total (String) - the plan's total, with its currency
# $schedule (String) - the instalments in a few words, as "3 × € 141,00, monthly"
email-plan-proposed = { $merchant } has your proposal to pay { $total } as { $schedule }. They will look at it and let you know; until then the invoices stay due as they are.
# $merchant (String) - the merchant's name
# $total (String) - the plan's total, with its currency
# $schedule (String) - the instalments in a few words
email-plan-accepted = { $merchant } agreed to your payment plan: { $total } as { $schedule }. Pay each instalment by its date; reminders about its invoices have stopped. The agreement is attached.
# $seq (Number) - the instalment's number
# $date (String) - its date
# $amount (String) - its amount, with its currency
email-plan-instalment = Instalment { $seq }, { $date }: { $amount }
# $merchant (String) - the merchant's name
# $total (String) - the plan's total, with its currency
# $schedule (String) - the instalments in a few words
email-plan-rejected = { $merchant } could not accept your proposal to pay { $total } as { $schedule }: the invoices stay due as they are.
# $reason (String) - why, in the merchant's words
email-plan-reason = Their reason: { $reason }
# $seq (Number) - the instalment's number
# $amount (String) - its amount, with its currency
# $merchant (String) - the merchant's name
# $date (String) - its date
email-plan-reminder = Instalment { $seq } of { $amount } of your payment plan with { $merchant } is due on { $date }. You can pay it on your plan's page.
# $seq (Number) - the instalment's number
# $amount (String) - its amount, with its currency
# $merchant (String) - the merchant's name
# $last4 (String) - the last four digits of the debtor's account
# $date (String) - its date
email-plan-reminder-debit = Instalment { $seq } of { $amount } of your payment plan with { $merchant } will be collected by SEPA Direct Debit from your account ending in { $last4 } on { $date }. Please make sure the money is there.
# $merchant (String) - the merchant's name
# $remaining (String) - what is still open, with its currency
email-plan-broken = Your payment plan with { $merchant } has ended because an instalment was not paid in time. What is still open ({ $remaining }) is due again as before.
# $merchant (String) - the merchant's name
email-plan-completed = You have paid your payment plan with { $merchant } in full. Thank you!
email-plan-button = See your plan
plan-pdf-title = Payment plan agreement
plan-pdf-file = payment-plan
# $customer (String) - the customer's name and number
email-staff-plan-proposed-subject = Payment plan to approve: { $customer }
# $customer (String) - the customer's name and number
# $total (String) - the plan's total, with its currency
# $schedule (String) - the instalments in a few words
# $breaches (String) - what is outside the policy
email-staff-plan-proposed = { $customer } proposes to pay { $total } as { $schedule }, outside your policy ({ $breaches }). Approve or reject it in Kassa; the customer is told by email.
# $customer (String) - the customer's name and number
email-staff-plan-broken-subject = Payment plan broken: { $customer }
# $customer (String) - the customer's name and number
# $remaining (String) - what is still open, with its currency
email-staff-plan-broken = An instalment of { $customer }'s payment plan stayed unpaid past the grace period: the plan has ended, and { $remaining } is back in normal collection.
email-staff-plan-no-address = The customer has no email address: please contact them another way.
