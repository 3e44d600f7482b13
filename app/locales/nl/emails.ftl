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

email-plan-subject = Uw betalingsregeling met { $merchant }
email-plan-reminder-subject = Termijn te betalen op { $date }
email-plan-proposed = { $merchant } heeft uw voorstel ontvangen om { $total } te betalen als { $schedule }. Zij bekijken het en laten het u weten; tot die tijd blijven de facturen gewoon verschuldigd.
email-plan-accepted = { $merchant } gaat akkoord met uw betalingsregeling: { $total } als { $schedule }. Betaal elke termijn uiterlijk op de datum; herinneringen over de facturen zijn gestopt. De overeenkomst zit in de bijlage.
email-plan-instalment = Termijn { $seq }, { $date }: { $amount }
email-plan-rejected = { $merchant } kon uw voorstel om { $total } te betalen als { $schedule } niet accepteren: de facturen blijven gewoon verschuldigd.
email-plan-reason = Hun reden: { $reason }
email-plan-reminder-debit = Termijn { $seq } van { $amount } van uw betalingsregeling met { $merchant } wordt op { $date } via SEPA-incasso afgeschreven van uw rekening eindigend op { $last4 }. Zorg dat het geld er dan staat.
email-plan-reminder = Termijn { $seq } van { $amount } van uw betalingsregeling met { $merchant } moet uiterlijk { $date } betaald zijn. U kunt hem betalen op de pagina van uw regeling.
email-plan-broken = Uw betalingsregeling met { $merchant } is beëindigd omdat een termijn niet op tijd is betaald. Wat nog openstaat ({ $remaining }), is weer verschuldigd zoals voorheen.
email-plan-completed = U hebt uw betalingsregeling met { $merchant } helemaal betaald. Dank u wel!
email-plan-button = Uw regeling bekijken
plan-pdf-title = Betalingsregeling
plan-pdf-file = betalingsregeling
email-staff-plan-proposed-subject = Betalingsregeling goed te keuren: { $customer }
email-staff-plan-proposed = { $customer } stelt voor { $total } te betalen als { $schedule }, buiten uw beleid ({ $breaches }). Keur het goed of wijs het af in Kassa; de klant krijgt bericht per e-mail.
email-staff-plan-broken-subject = Betalingsregeling verbroken: { $customer }
email-staff-plan-broken = Een termijn van de betalingsregeling van { $customer } is na de coulance onbetaald gebleven: de regeling is beëindigd en { $remaining } valt weer onder de normale incasso.
email-staff-plan-no-address = De klant heeft geen e-mailadres: neem op een andere manier contact op.
