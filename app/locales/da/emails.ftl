## E-mails til debitorer.

email-sign-in-subject = Dit loginlink til { $merchant }
email-greeting = Kære { $name }
email-sign-in-body = Med dette link kan du se dine fakturaer fra { $merchant } og betale dem:
email-sign-in-button = Log ind
email-sign-in-expires = Linket virker én gang inden for 15 minutter.
email-sign-in-not-you = Har du ikke bedt om det? Så kan du se bort fra denne e-mail: ingen logger ind uden linket.
email-footer = Sendt af Kassa for { $merchant }.
