## <kassa-pay> op de site van een verkoper, en de betaalpagina die het opent.

widget-pay = { $amount } betalen
widget-due-by = Vervaldatum { $date }
widget-amount-due = Te betalen: { $amount }
widget-invoice-number = Factuur { $number }
widget-status = Status: { $status }
widget-paid-thanks = Betaald. Dank u wel!
widget-paid-explained = { $merchant } heeft de betaling voor factuur { $number } ontvangen. U kunt dit venster sluiten.
widget-nothing-to-pay = Op deze factuur kan hier nu niets worden betaald.
widget-close = Sluiten
widget-overlay-label = Factuur { $number } betalen
widget-frame-title = Betaalpagina van Kassa
widget-open-in-tab = Openen in een nieuw tabblad
widget-token-invalid = Deze betaalknop is verlopen of ongeldig. Laad de pagina opnieuw.
widget-origin-refused = Deze betaalknop is op deze website niet toegestaan.
widget-went-wrong = Er ging iets mis. Probeer het zo meteen opnieuw.
widget-back = Terug naar de factuur

## <kassa-invoices>: de openstaande facturen van een klant op de website van een bedrijf.

widget-invoices-heading = Openstaande facturen · { $merchant }
widget-invoices-none = Niets te betalen. Dank u wel!
widget-invoice-line = Factuur { $number }, { $amount }, { $due }
widget-pay-selected = Selectie betalen
widget-pay-all = Alles betalen: { $amount }
widget-choose-first = Kies eerst de facturen die u wilt betalen.
widget-invoices-overlay-label = Uw facturen betalen
widget-invoices-choose-title = Kies de facturen die u wilt betalen
widget-continue = Verder
widget-invoices-chosen-title = U betaalt deze facturen
widget-invoices-total = Totaal: { $amount }
widget-choose-other = Andere facturen kiezen
widget-paid-several = Dank u wel: { $amount } betaald voor { $numbers }.
widget-token-for-invoices = Dit token toont de facturen van een klant: zet het in <kassa-invoices>, niet in <kassa-pay>.
widget-token-for-one = Dit token toont één factuur: zet het in <kassa-pay>, niet in <kassa-invoices>.


badge-pay = Betaal { $amount } vóór { $date }
badge-overdue = Betaal { $amount }, vervallen { $date }
badge-paid = Betaald, dank u
badge-button = Factuur { $number } betalen
badge-alt = Betaalstatus van factuur { $number }
