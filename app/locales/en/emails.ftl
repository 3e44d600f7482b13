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
