## Debitorportalen: alle sider, en debitor ser, og rammen om dem.

page-title = { $merchant } · Kassa
skip-to-content = Gå til indholdet
sign-out = Log ud
footer-handled-by = Betalinger til { $merchant } håndteres af Kassa
test-mode = Testtilstand
test-mode-explained = ingen rigtige penge flyttes; betalinger går til sandkassen.
language-menu = Sprog

loading-invoices = Dine fakturaer indlæses…
loading-invoice = Fakturaen indlæses…
loading-receipt = Kvitteringen indlæses…
loading = Indlæser…

invoices-title = Fakturaer fra { $merchant }
hello = Hej { $name }
totals = I alt
due-in = Til betaling { $currency }
of-which-overdue = heraf forfaldent:
credit-in = Tilgodehavende { $currency }
credit-explained = står på din konto og modregnes i din næste faktura
pay-all-in = Betal alle fakturaer i { $currency }
open-invoices = Åbne fakturaer
nothing-to-pay = Intet at betale. Tak!
nothing-overdue = Intet er forfaldent.
settled-invoices = Afsluttede fakturaer
no-settled-invoices = Endnu ingen afsluttede fakturaer.
pay-selected = Betal valgte fakturaer
select = Vælg
select-invoice = Vælg faktura { $number }
selection-none = Ingen fakturaer valgt.
selection-one = 1 faktura valgt: { $total }
selection-many = { $count } fakturaer valgt: { $total }
selection-mixed = Fakturaerne er i forskellige valutaer: vælg fakturaer i én valuta.

col-invoice = Faktura
col-due-date = Forfaldsdato
col-total = I alt
col-balance = Restbeløb
col-status = Status
col-description = Beskrivelse
col-quantity = Antal
col-unit-price = Stykpris
col-amount = Beløb
col-paid = Betalt
col-balance-now = Restbeløb nu

invoice-title = Faktura { $number }
back-to-invoices = ← Alle fakturaer
fact-issued = Fakturadato
fact-due = Forfaldsdato
fact-total = I alt
fact-paid = Betalt
fact-balance = Restbeløb
invoice-lines = Fakturalinjer
pay-this-invoice = Betal denne faktura
amount-in = Beløb ({ $currency })
pay-now = Betal nu
payments-and-credits = Betalinger og kreditnotaer

promise-title = Kan du ikke betale nu?
promise-intro = Fortæl os, hvornår du betaler, senest { $latest }. Indtil da får du ingen rykkere for denne faktura.
promise-date = Jeg betaler senest
promise-amount = Beløb du betaler ({ $currency })
promise-amount-hint = Hele det åbne beløb, eller mindre hvis du betaler en del.
promise-submit = Lov betaling
promise-made = Du har lovet at betale { $amount } senest { $date }. Tak: rykkere for denne faktura venter til da.

dispute-title = Er der noget galt med fakturaen?
dispute-intro = Fortæl os, hvad der er galt. Det bestridte beløb kræver vi ikke, mens vi ser på det; resten kan stadig betales.
dispute-reason = Hvad er galt
dispute-reason-not-received = Ikke modtaget
dispute-reason-damaged = Beskadiget
dispute-reason-wrong-price-or-quantity = Forkert pris eller antal
dispute-reason-already-paid = Allerede betalt
dispute-reason-other = Noget andet
dispute-lines = Hvilke linjer (ingen: hele fakturaen)
dispute-amount = Beløb, der bestrides ({ $currency })
dispute-amount-hint = Lad stå tomt for linjernes beløb (eller alt der er åbent); skriv mindre, hvis kun en del er forkert.
dispute-message = Din besked
dispute-files = Fotos eller dokumenter (valgfrit)
dispute-files-hint = PDF, JPEG eller PNG: højst { $max } filer på { $mb } MB hver.
dispute-submit = Send indsigelsen
disputes-title = Indsigelser
dispute-status-open = Åben
dispute-status-under-review = Under behandling
dispute-status-resolved = Afgjort
dispute-author-you = Dig
dispute-summary = { $amount } bestridt · { $reason } · { $status }
dispute-held = { $disputed } er bestridt og kræves ikke, mens det undersøges; { $collectable } kan betales nu.
dispute-outcome = Afgjort: { $outcome }
dispute-outcome-credited-in-full = krediteret fuldt ud
dispute-outcome-credited-in-part = krediteret delvist
dispute-outcome-rejected = afvist
dispute-outcome-adjusted = fakturaen tilpasset
dispute-credited = Kreditnota { $number } trækker { $amount } fra fakturaen.
dispute-reply = Dit svar
dispute-reply-submit = Send svaret

checkout-title = Betal fakturaer
checkout-heading = { $count ->
    [one] Betal 1 faktura
   *[other] Betal { $count } fakturaer
}
checkout-total = I alt
checkout-explained = Én betaling udligner hver af disse fakturaer fuldt ud.
pay-amount = Betal { $total }

receipt-title = Betaling modtaget
receipt-heading = Tak, betalingen er modtaget
fact-amount = Beløb
fact-date = Dato
fact-method = Betalingsmåde
fact-reference = Reference
applied-to = Anvendt på
back-to-all-invoices = Tilbage til alle fakturaer

signed-out-title = Logget ud
signed-out-heading = Du er logget ud
signed-out-explained = Åbn et nyt loginlink fra din e-mail for at se dine fakturaer igen.

filter-label = Vis fakturaer
filter-all = Alle ({ $count })
filter-open = Åbne ({ $count })
filter-overdue = Forfaldne ({ $count })
filter-settled = Afsluttede ({ $count })
pages-label = Sider
page-of = Side { $page } af { $pages }
previous-page = Forrige side
next-page = Næste side

statement-link = Kontoudtog
recent-activity = Seneste aktivitet
statement-title = Kontoudtog
statement-period-label = Periode
statement-from = Fra
statement-to = Til og med
statement-show = Vis kontoudtog
statement-period = { $from } til og med { $to }
statement-customer = { $name } (kundenummer { $number })
statement-in = I { $currency }
statement-explained = En positiv saldo er det, du skylder; en negativ saldo er et tilgodehavende.
statement-nothing = Intet på din konto i denne periode.
statement-opening = Primosaldo { $date }
statement-closing = Ultimosaldo { $date }
col-date = Dato
col-charged = Debiteret
col-credited = Betalt eller krediteret
entry-invoice = Faktura { $number }
entry-payment = Betaling ({ $method })
entry-payment-reversed = Betaling tilbageført ({ $method })
entry-credit-note = Kreditnota { $number }
entry-written-off = Afskrevet på faktura { $number }
entry-write-off-undone = Afskrivning annulleret på faktura { $number }
download-pdf = Download pdf
download-invoice-pdf = Download faktura { $number } som pdf
download-receipt-pdf = Download kvitteringen som pdf
download-statement-pdf = Download kontoudtoget som pdf
## Paying by bank transfer, on the invoice page.
transfer-title = Betal med bankoverførsel
transfer-beneficiary = Modtager
transfer-amount = Beløb
transfer-reference = Betalingsreference
transfer-reference-advice = Angiv betalingsreferencen præcis som vist, så din betaling finder denne faktura. En overførsel kan tage en bankdag.
transfer-qr-caption = Scan med din bankapp
transfer-qr-label = QR-kode med disse overførselsoplysninger til en bankapp
transfer-copy = Kopiér
transfer-copied = Kopieret
transfer-copied-what = Kopieret: { $what }
