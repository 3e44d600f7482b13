## E-mails aan debiteuren.

email-sign-in-subject = Uw aanmeldlink voor { $merchant }
email-greeting = Beste { $name },
email-sign-in-body = Met deze link ziet u uw facturen van { $merchant } en kunt u ze betalen:
email-sign-in-button = Aanmelden
email-sign-in-expires = De link werkt één keer, binnen 15 minuten.
email-sign-in-not-you = Heeft u hier niet om gevraagd? Dan kunt u deze e-mail negeren: zonder de link meldt niemand zich aan.
email-footer = Verstuurd door Kassa voor { $merchant }.

email-receipt-subject = Betalingsbewijs voor uw betaling van { $amount } aan { $merchant }
email-receipt-body = Dank u wel: { $merchant } heeft { $amount } ontvangen op { $date } ({ $method }).
email-receipt-invoice = Factuur { $invoice }: { $paid } betaald, nog { $balance } te betalen.
email-receipt-invoice-settled = Factuur { $invoice }: { $paid } betaald, er staat niets meer open.
email-receipt-credit = { $amount } blijft als tegoed staan voor uw volgende facturen.
email-receipt-reference = Referentie van de betaling: { $reference }
email-receipt-attached = Het betalingsbewijs zit als pdf in de bijlage.
email-portal-button = Bekijk uw facturen

email-payment-failed-subject = Uw betaling aan { $merchant } is niet gelukt
email-payment-failed-body = Uw betaling van { $amount } ({ $method }) is toch niet gelukt: { $reason }.
email-payment-failed-invoices = Nog te betalen: { $invoices }. Op uw pagina kunt u op een andere manier betalen:
email-pay-button = Nu betalen

email-staff-greeting = Hallo,
email-staff-payment-failed-subject = Betaling mislukt: { $customer }, { $amount }
email-staff-payment-failed-body = De betaling van { $amount } ({ $method }) van { $customer } is toch niet gelukt: { $reason }.
email-staff-payment-failed-invoices = Weer open: { $invoices }.
email-staff-payment-failed-told = De klant heeft een e-mail gekregen met het verzoek op een andere manier te betalen.
email-staff-payment-failed-no-address = De klant heeft geen e-mailadres: neem op een andere manier contact op.
email-staff-button = Kassa openen
email-staff-footer = Verstuurd door Kassa aan de medewerkers van { $merchant }.

## Medewerkers beantwoordden of beslisten een geschil.

email-dispute-subject = Uw geschil over factuur { $invoice }
email-dispute-answered = { $merchant } heeft uw geschil over factuur { $invoice } beantwoord:
email-dispute-credited = { $merchant } heeft uw geschil over factuur { $invoice } afgehandeld: creditnota { $number } van { $amount } gaat van de factuur af.
email-dispute-rejected = { $merchant } heeft uw geschil over factuur { $invoice } afgehandeld zonder creditering: de { $amount } die u betwistte moet weer worden betaald.
email-dispute-adjusted = { $merchant } heeft uw geschil over factuur { $invoice } afgehandeld door de factuur aan te passen.
email-dispute-their-words = Hun bericht:
email-dispute-button = Bekijk de factuur
