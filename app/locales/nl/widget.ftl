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

badge-pay = Betaal { $amount } vóór { $date }
badge-overdue = Betaal { $amount }, vervallen { $date }
badge-paid = Betaald, dank u
badge-button = Factuur { $number } betalen
badge-alt = Betaalstatus van factuur { $number }
