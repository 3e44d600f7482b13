## The pages of sign-in and pay links, before a debtor is signed in.

# $merchant (String) - the merchant's name
link-your-invoices = Your invoices from { $merchant }
link-continue-explained = Continue to see what is open and paid, and to pay.
link-continue = Continue
# $number (String) - an invoice number
# $merchant (String) - the merchant's name
link-invoice-from = Invoice { $number } from { $merchant }
link-invoice-continue-explained = Continue to see the invoice and pay it.
link-used-title = This link can no longer be used
link-used-explained = Sign-in links work once and expire 15 minutes after they are sent.
link-invalid-title = This sign-in link is not valid
link-invalid-explained = Check that you copied the whole link from the email.
# $merchant (String) - the merchant's name
link-ask-new = Ask for a new sign-in link by email, or open the most recent email from { $merchant }.
# $merchant (String) - the merchant's name
link-still-not-working = If it still does not work, ask { $merchant } for a new link.
pay-link-invalid-title = This pay link is not valid
pay-link-invalid-explained = It may have expired. Open the invoice again from the shop or email that showed it.
origin-refused-title = This form was sent from another site
origin-refused-explained = Kassa accepts forms only from its own pages, so that no other site can act in your name.
origin-refused-advice = Go back to Kassa's page and send the form from there.

# $merchant (String) - the merchant's name
sign-in-title = Sign in to your invoices from { $merchant }
sign-in-explained = Enter the email address your invoices are sent to. We email you a link that signs you in.
field-email-address = Email address
sign-in-send = Email me a sign-in link
sign-in-sent-title = Check your email
# $merchant (String) - the merchant's name
sign-in-sent-explained = If that address is one { $merchant } has for you, a sign-in link is on its way. It works once, within 15 minutes.
sign-in-sent-advice = Nothing after a few minutes? Look in your spam folder, or ask for a link again.
sign-in-ask-again = Ask for a new sign-in link
sign-in-get-link = Email me a sign-in link

## The sandbox's checkout page: what a payment provider's page is in test mode.
sandbox-checkout-title = Sandbox checkout
# $amount (String) - the amount, formatted
# $merchant (String) - the merchant's name
sandbox-checkout-explained = A test payment of { $amount } to { $merchant }. No real money moves: choose a test card to see how the payment ends.
sandbox-card-legend = Test card
# $number (String) - a test card's number
sandbox-card-approved = { $number }: approved
# $number (String) - a test card's number
sandbox-card-declined = { $number }: declined
# $number (String) - a test card's number
sandbox-card-insufficient-funds = { $number }: declined, insufficient funds
sandbox-pay = Pay
sandbox-cancel = Cancel the payment
sandbox-finished-title = This test payment is finished
sandbox-finished-explained = Go back to see how it ended.
sandbox-go-back = Go back
## After a payment, back from the provider's page.
payment-processing-title = Payment on its way
payment-processing-explained = The payment was accepted. It can take a few working days to arrive; the invoice shows it as paid once it has.
## Kassa's payment form, where Stripe's Payment Element collects the payer's details.
# $amount (String) - the amount, formatted
pay-form-title = Pay { $amount }
# $invoices (String) - invoice numbers, comma-separated
pay-form-for = For invoice { $invoices }. Your card or bank details go straight to Stripe, our payment provider; we never see them.
# $amount (String) - the amount, formatted
pay-form-button = Pay { $amount }
pay-form-loading = Loading the payment form…
pay-form-unavailable = The payment form could not be loaded (Stripe could not be reached, or JavaScript is off). You can pay by bank transfer instead: the invoice shows the account and reference.
pay-form-to-transfer = Pay by bank transfer
debit-form-title = Direct debit for your payment plan
# $merchant (String) - the merchant's name
debit-form-for = { $merchant } collects each instalment on its date from the account you give here, and tells you a few days before. Your bank details go straight to Stripe, our payment provider; we never see them.
debit-form-unavailable = The direct-debit form could not be loaded (Stripe could not be reached, or JavaScript is off). You can pay each instalment on your plan's page instead.
debit-form-to-plan = Back to your plan
