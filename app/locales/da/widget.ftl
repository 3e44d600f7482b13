## <kassa-pay> på en forretnings websted, og betalingssiden den åbner.

widget-pay = Betal { $amount }
widget-due-by = Forfalder { $date }
widget-amount-due = At betale: { $amount }
widget-invoice-number = Faktura { $number }
widget-status = Status: { $status }
widget-paid-thanks = Betalt. Tak!
widget-paid-explained = { $merchant } har modtaget betalingen for faktura { $number }. Du kan lukke dette vindue.
widget-nothing-to-pay = Der kan ikke betales noget på denne faktura her lige nu.
widget-close = Luk
widget-overlay-label = Betal faktura { $number }
widget-frame-title = Kassas betalingsside
widget-open-in-tab = Åbn i en ny fane
widget-token-invalid = Denne betalingsknap er udløbet eller ugyldig. Genindlæs siden.
widget-origin-refused = Denne betalingsknap er ikke tilladt på dette websted.
widget-went-wrong = Noget gik galt. Prøv igen om lidt.
widget-back = Tilbage til fakturaen

## <kassa-invoices>: en kundes åbne fakturaer på en forretnings websted.

widget-invoices-heading = Åbne fakturaer · { $merchant }
widget-invoices-none = Intet at betale. Tak!
widget-invoice-line = Faktura { $number }, { $amount }, { $due }
widget-pay-selected = Betal de valgte
widget-pay-all = Betal alle: { $amount }
widget-choose-first = Vælg først de fakturaer, du vil betale.
widget-invoices-overlay-label = Betal dine fakturaer
widget-invoices-choose-title = Vælg de fakturaer, du vil betale
widget-continue = Fortsæt
widget-invoices-chosen-title = Du betaler disse fakturaer
widget-invoices-total = I alt: { $amount }
widget-choose-other = Vælg andre fakturaer
widget-paid-several = Tak: { $amount } betalt for { $numbers }.
widget-token-for-invoices = Dette token viser en kundes fakturaer: sæt det i <kassa-invoices>, ikke i <kassa-pay>.
widget-token-for-one = Dette token viser én faktura: sæt det i <kassa-pay>, ikke i <kassa-invoices>.


badge-pay = Betal { $amount } senest { $date }
badge-overdue = Betal { $amount }, forfaldt { $date }
badge-paid = Betalt, tak
badge-button = Betal faktura { $number }
badge-alt = Betalingsstatus for faktura { $number }
