## Het debiteurenportaal: elke pagina die een debiteur ziet, en het kader eromheen.

page-title = { $merchant } · Kassa
skip-to-content = Naar de inhoud
sign-out = Afmelden
footer-handled-by = Betalingen voor { $merchant } verlopen via Kassa
test-mode = Testmodus
test-mode-explained = er wordt geen echt geld overgemaakt; betalingen gaan naar de sandbox.
language-menu = Taal

loading-invoices = Uw facturen worden geladen…
loading-invoice = De factuur wordt geladen…
loading-receipt = Het betaalbewijs wordt geladen…
loading = Bezig met laden…

invoices-title = Facturen van { $merchant }
hello = Hallo { $name }
totals = Totalen
due-in = Te betalen { $currency }
of-which-overdue = waarvan achterstallig:
credit-in = Tegoed { $currency }
credit-explained = op uw rekening; het wordt verrekend met uw volgende factuur
pay-all-in = Alle facturen in { $currency } betalen
open-invoices = Openstaande facturen
nothing-to-pay = Niets te betalen. Dank u wel!
nothing-overdue = Niets is achterstallig.
settled-invoices = Afgehandelde facturen
no-settled-invoices = Nog geen afgehandelde facturen.
pay-selected = Geselecteerde facturen betalen
select = Selecteren
select-invoice = Factuur { $number } selecteren
selection-none = Geen facturen geselecteerd.
selection-one = 1 factuur geselecteerd: { $total }
selection-many = { $count } facturen geselecteerd: { $total }
selection-mixed = Deze facturen zijn in verschillende valuta: kies facturen in één valuta.

col-invoice = Factuur
col-due-date = Vervaldatum
col-total = Totaal
col-balance = Openstaand
col-status = Status
col-description = Omschrijving
col-quantity = Aantal
col-unit-price = Prijs per stuk
col-amount = Bedrag
col-paid = Betaald
col-balance-now = Nu openstaand

invoice-title = Factuur { $number }
back-to-invoices = ← Alle facturen
fact-issued = Factuurdatum
fact-due = Vervaldatum
fact-total = Totaal
fact-paid = Betaald
fact-balance = Openstaand
invoice-lines = Factuurregels
pay-this-invoice = Deze factuur betalen
amount-in = Bedrag ({ $currency })
pay-now = Nu betalen
payments-and-credits = Betalingen en creditnota's

promise-title = Kunt u nu niet betalen?
promise-intro = Laat ons weten wanneer u betaalt, uiterlijk { $latest }. Tot dan ontvangt u geen herinneringen over deze factuur.
promise-date = Ik betaal uiterlijk op
promise-amount = Bedrag dat u betaalt ({ $currency })
promise-amount-hint = Het hele openstaande bedrag, of minder als u een deel betaalt.
promise-submit = Betaling toezeggen
promise-made = U hebt toegezegd { $amount } te betalen uiterlijk { $date }. Dank u: herinneringen over deze factuur wachten tot dan.

dispute-title = Klopt er iets niet aan deze factuur?
dispute-intro = Vertel ons wat er niet klopt. Het betwiste bedrag vragen we niet terwijl we ernaar kijken; de rest blijft te betalen.
dispute-reason = Wat klopt er niet
dispute-reason-not-received = Niet ontvangen
dispute-reason-damaged = Beschadigd
dispute-reason-wrong-price-or-quantity = Verkeerde prijs of aantal
dispute-reason-already-paid = Al betaald
dispute-reason-other = Iets anders
dispute-lines = Welke regels (geen: de hele factuur)
dispute-amount = Bedrag in geschil ({ $currency })
dispute-amount-hint = Laat leeg voor de bedragen van de regels (of alles wat openstaat); vul minder in als maar een deel niet klopt.
dispute-message = Uw bericht
dispute-files = Foto's of documenten (niet verplicht)
dispute-files-hint = PDF, JPEG of PNG: hoogstens { $max } bestanden van { $mb } MB elk.
dispute-submit = Betwisting versturen
disputes-title = Betwistingen
dispute-status-open = Open
dispute-status-under-review = In behandeling
dispute-status-resolved = Afgehandeld
dispute-author-you = U
dispute-summary = { $amount } betwist · { $reason } · { $status }
dispute-held = { $disputed } is betwist en wordt niet gevraagd zolang we ernaar kijken; { $collectable } kunt u nu betalen.
dispute-outcome = Afgehandeld: { $outcome }
dispute-outcome-credited-in-full = volledig gecrediteerd
dispute-outcome-credited-in-part = gedeeltelijk gecrediteerd
dispute-outcome-rejected = afgewezen
dispute-outcome-adjusted = factuur aangepast
dispute-credited = Creditnota { $number } haalt { $amount } van de factuur af.
dispute-reply = Uw antwoord
dispute-reply-submit = Verstuur het antwoord

checkout-title = Facturen betalen
checkout-heading = { $count ->
    [one] 1 factuur betalen
   *[other] { $count } facturen betalen
}
checkout-total = Totaal
checkout-explained = Eén betaling voldoet elk van deze facturen volledig.
pay-amount = { $total } betalen

receipt-title = Betaling ontvangen
receipt-heading = Dank u wel, betaling ontvangen
fact-amount = Bedrag
fact-date = Datum
fact-method = Betaalwijze
fact-reference = Kenmerk
applied-to = Verrekend met
back-to-all-invoices = Terug naar alle facturen

signed-out-title = Afgemeld
signed-out-heading = U bent afgemeld
signed-out-explained = Open een nieuwe aanmeldlink uit uw e-mail om uw facturen weer te zien.

filter-label = Toon facturen
filter-all = Alle ({ $count })
filter-open = Open ({ $count })
filter-overdue = Achterstallig ({ $count })
filter-settled = Afgehandeld ({ $count })
pages-label = Pagina's
page-of = Pagina { $page } van { $pages }
previous-page = Vorige pagina
next-page = Volgende pagina

statement-link = Rekeningoverzicht
recent-activity = Recente activiteit
statement-title = Rekeningoverzicht
statement-period-label = Periode
statement-from = Van
statement-to = Tot en met
statement-show = Toon overzicht
statement-period = { $from } tot en met { $to }
statement-customer = { $name } (klantnummer { $number })
statement-in = In { $currency }
statement-explained = Een positief saldo is wat u verschuldigd bent; een negatief saldo is tegoed dat u heeft.
statement-nothing = Niets op uw rekening in deze periode.
statement-opening = Beginsaldo op { $date }
statement-closing = Eindsaldo op { $date }
col-date = Datum
col-charged = In rekening gebracht
col-credited = Betaald of gecrediteerd
entry-invoice = Factuur { $number }
entry-payment = Betaling ({ $method })
entry-payment-reversed = Betaling teruggeboekt ({ $method })
entry-credit-note = Creditnota { $number }
entry-written-off = Afgeboekt op factuur { $number }
entry-write-off-undone = Afboeking teruggedraaid op factuur { $number }
download-pdf = Download pdf
download-invoice-pdf = Download factuur { $number } als pdf
download-receipt-pdf = Download het betaalbewijs als pdf
download-statement-pdf = Download het overzicht als pdf
## Paying by bank transfer, on the invoice page.
transfer-title = Betalen met een overboeking
transfer-beneficiary = Begunstigde
transfer-amount = Bedrag
transfer-reference = Betalingskenmerk
transfer-reference-advice = Vermeld het betalingskenmerk precies zoals het hier staat, zodat uw betaling bij deze factuur terechtkomt. Een overboeking kan een werkdag onderweg zijn.
transfer-qr-caption = Scan met uw bankapp
transfer-qr-label = QR-code met deze overboekingsgegevens, voor een bankapp
transfer-copy = Kopiëren
transfer-copied = Gekopieerd
transfer-copied-what = Gekopieerd: { $what }
