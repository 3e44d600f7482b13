## De pagina's van aanmeld- en betaallinks, voordat een debiteur is aangemeld.

link-your-invoices = Uw facturen van { $merchant }
link-continue-explained = Ga verder om te zien wat openstaat en betaald is, en om te betalen.
link-continue = Verder
link-invoice-from = Factuur { $number } van { $merchant }
link-invoice-continue-explained = Ga verder om de factuur te zien en te betalen.
link-used-title = Deze link kan niet meer worden gebruikt
link-used-explained = Aanmeldlinks werken één keer en verlopen 15 minuten nadat ze zijn verstuurd.
link-invalid-title = Deze aanmeldlink is niet geldig
link-invalid-explained = Controleer of u de hele link uit de e-mail hebt gekopieerd.
link-ask-new = Vraag per e-mail een nieuwe aanmeldlink aan, of open de meest recente e-mail van { $merchant }.
link-still-not-working = Werkt het nog steeds niet, vraag { $merchant } dan om een nieuwe link.
pay-link-invalid-title = Deze betaallink is niet geldig
pay-link-invalid-explained = Misschien is hij verlopen. Open de factuur opnieuw vanuit de winkel of de e-mail waarin hij stond.
origin-refused-title = Dit formulier is vanaf een andere site verstuurd
origin-refused-explained = Kassa neemt alleen formulieren aan van de eigen pagina's, zodat geen andere site namens u kan handelen.
origin-refused-advice = Ga terug naar de pagina van Kassa en verstuur het formulier daarvandaan.

sign-in-title = Aanmelden bij uw facturen van { $merchant }
sign-in-explained = Vul het e-mailadres in waar uw facturen naartoe gaan. We mailen u een link waarmee u zich aanmeldt.
field-email-address = E-mailadres
sign-in-send = Mail mij een aanmeldlink
sign-in-sent-title = Kijk in uw e-mail
sign-in-sent-explained = Als { $merchant } dit adres van u heeft, is er een aanmeldlink onderweg. Die werkt één keer, binnen 15 minuten.
sign-in-sent-advice = Na een paar minuten nog niets? Kijk in uw spammap, of vraag opnieuw een link aan.
sign-in-ask-again = Vraag een nieuwe aanmeldlink aan
sign-in-get-link = Mail mij een aanmeldlink

## The sandbox's checkout page: what a payment provider's page is in test mode.
sandbox-checkout-title = Sandbox-afrekenpagina
sandbox-checkout-explained = Een testbetaling van { $amount } aan { $merchant }. Er wordt geen echt geld overgemaakt: kies een testkaart om te zien hoe de betaling afloopt.
sandbox-card-legend = Testkaart
sandbox-card-approved = { $number }: goedgekeurd
sandbox-card-declined = { $number }: geweigerd
sandbox-card-insufficient-funds = { $number }: geweigerd, onvoldoende saldo
sandbox-pay = Betalen
sandbox-cancel = Betaling annuleren
sandbox-finished-title = Deze testbetaling is afgerond
sandbox-finished-explained = Ga terug om te zien hoe ze is afgelopen.
sandbox-go-back = Ga terug
## After a payment, back from the provider's page.
payment-processing-title = Betaling onderweg
payment-processing-explained = De betaling is aanvaard. Het kan een paar werkdagen duren voordat ze binnen is; de factuur staat daarna als betaald.
pay-form-title = { $amount } betalen
pay-form-for = Voor factuur { $invoices }. Uw kaart- of bankgegevens gaan rechtstreeks naar Stripe, onze betaaldienst; wij zien ze nooit.
pay-form-button = { $amount } betalen
pay-form-loading = Het betaalformulier wordt geladen…
pay-form-unavailable = Het betaalformulier kon niet worden geladen (Stripe was niet bereikbaar, of JavaScript staat uit). U kunt ook met een overboeking betalen: de factuur toont de rekening en het betalingskenmerk.
pay-form-to-transfer = Betalen met een overboeking
debit-form-title = Automatische incasso voor uw betalingsregeling
debit-form-for = { $merchant } schrijft elke termijn op de vervaldatum af van de rekening die u hier opgeeft, en laat het u een paar dagen van tevoren weten. Uw bankgegevens gaan rechtstreeks naar Stripe, onze betaalprovider; wij zien ze nooit.
debit-form-unavailable = Het incassoformulier kon niet worden geladen (Stripe was niet bereikbaar, of JavaScript staat uit). U kunt elke termijn ook betalen op de pagina van uw regeling.
debit-form-to-plan = Terug naar uw regeling
