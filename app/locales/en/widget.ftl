## <kassa-pay> on a merchant's site, and the pay page it opens (in an overlay there, or a tab).

# $amount (String) - the amount, formatted
widget-pay = Pay { $amount }
# $date (String) - a date, formatted
widget-due-by = Due { $date }
# $amount (String) - the amount, formatted
widget-amount-due = Amount due: { $amount }
# $number (String) - an invoice number
widget-invoice-number = Invoice { $number }
# $status (String) - the invoice's status, in words
widget-status = Status: { $status }
widget-paid-thanks = Paid. Thank you!
# $merchant (String) - the merchant's name
# $number (String) - an invoice number
widget-paid-explained = { $merchant } has the payment for invoice { $number }. You can close this window.
widget-nothing-to-pay = Nothing on this invoice can be paid here now.
widget-close = Close
# $number (String) - an invoice number
widget-overlay-label = Pay invoice { $number }
widget-frame-title = Kassa's pay page
widget-open-in-tab = Open in a new tab
widget-token-invalid = This payment button has expired or is not valid. Reload the page.
widget-origin-refused = This payment button is not allowed on this website.
widget-went-wrong = Something went wrong. Try again in a moment.
widget-back = Back to the invoice


## <kassa-invoices>: a customer's open invoices on a merchant's site, and its pay page.

# $merchant (String) - the merchant's name
widget-invoices-heading = Open invoices · { $merchant }
widget-invoices-none = Nothing to pay. Thank you!
# $number (String) - an invoice number
# $amount (String) - what is due, formatted
# $due (String) - when it is due, in words
widget-invoice-line = Invoice { $number }, { $amount }, { $due }
widget-pay-selected = Pay selected
# $amount (String) - the total, formatted
widget-pay-all = Pay all { $amount }
widget-choose-first = Choose the invoices to pay first.
widget-invoices-overlay-label = Pay your invoices
widget-invoices-choose-title = Choose the invoices to pay
widget-continue = Continue
widget-invoices-chosen-title = You are paying these invoices
# $amount (String) - the total, formatted
widget-invoices-total = Total: { $amount }
widget-choose-other = Choose other invoices
# $amount (String) - the payment, formatted
# $numbers (String) - the invoice numbers it paid, listed
widget-paid-several = Thank you: { $amount } paid for { $numbers }.
widget-token-for-invoices = This token shows a customer’s invoices: put it in <kassa-invoices>, not <kassa-pay>.
widget-token-for-one = This token shows one invoice: put it in <kassa-pay>, not <kassa-invoices>.
## The status badge in a merchant's email (an image), and the email snippet around it.

# $amount (String) - what is due, formatted
# $date (String) - the due date, formatted
badge-pay = Pay { $amount } by { $date }
# $amount (String) - what is due, formatted
# $date (String) - the due date, formatted
badge-overdue = Pay { $amount }, due { $date }
badge-paid = Paid, thank you
# $number (String) - an invoice number
badge-button = Pay invoice { $number }
# $number (String) - an invoice number
badge-alt = Payment status of invoice { $number }
