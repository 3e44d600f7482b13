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
link-ask-new = Ask { $merchant } for a new link, or open the most recent email from them.
# $merchant (String) - the merchant's name
link-still-not-working = If it still does not work, ask { $merchant } for a new link.
pay-link-invalid-title = This pay link is not valid
pay-link-invalid-explained = It may have expired. Open the invoice again from the shop or email that showed it.
origin-refused-title = This form was sent from another site
origin-refused-explained = Kassa accepts forms only from its own pages, so that no other site can act in your name.
origin-refused-advice = Go back to Kassa's page and send the form from there.
