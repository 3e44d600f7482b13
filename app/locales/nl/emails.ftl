## E-mails aan debiteuren.

email-sign-in-subject = Uw aanmeldlink voor { $merchant }
email-greeting = Beste { $name },
email-sign-in-body = Met deze link ziet u uw facturen van { $merchant } en kunt u ze betalen:
email-sign-in-button = Aanmelden
email-sign-in-expires = De link werkt één keer, binnen 15 minuten.
email-sign-in-not-you = Heeft u hier niet om gevraagd? Dan kunt u deze e-mail negeren: zonder de link meldt niemand zich aan.
email-footer = Verstuurd door Kassa voor { $merchant }.
