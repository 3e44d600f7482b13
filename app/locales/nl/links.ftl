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
link-ask-new = Vraag { $merchant } om een nieuwe link, of open hun meest recente e-mail.
link-still-not-working = Werkt het nog steeds niet, vraag { $merchant } dan om een nieuwe link.
pay-link-invalid-title = Deze betaallink is niet geldig
pay-link-invalid-explained = Misschien is hij verlopen. Open de factuur opnieuw vanuit de winkel of de e-mail waarin hij stond.
origin-refused-title = Dit formulier is vanaf een andere site verstuurd
origin-refused-explained = Kassa neemt alleen formulieren aan van de eigen pagina's, zodat geen andere site namens u kan handelen.
origin-refused-advice = Ga terug naar de pagina van Kassa en verstuur het formulier daarvandaan.
