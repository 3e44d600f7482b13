## E-mails til debitorer.

email-sign-in-subject = Dit loginlink til { $merchant }
email-greeting = Kære { $name }
email-sign-in-body = Med dette link kan du se dine fakturaer fra { $merchant } og betale dem:
email-sign-in-button = Log ind
email-sign-in-expires = Linket virker én gang inden for 15 minutter.
email-sign-in-not-you = Har du ikke bedt om det? Så kan du se bort fra denne e-mail: ingen logger ind uden linket.
email-footer = Sendt af Kassa for { $merchant }.

email-receipt-subject = Kvittering for din betaling på { $amount } til { $merchant }
email-receipt-body = Tak: { $merchant } har modtaget { $amount } den { $date } ({ $method }).
email-receipt-invoice = Faktura { $invoice }: { $paid } betalt, { $balance } mangler stadig.
email-receipt-invoice-settled = Faktura { $invoice }: { $paid } betalt, intet tilbage at betale.
email-receipt-credit = { $amount } står som tilgodehavende til dine næste fakturaer.
email-receipt-reference = Betalingens reference: { $reference }
email-receipt-attached = Kvitteringen er vedhæftet som PDF.
email-portal-button = Se dine fakturaer

email-payment-failed-subject = Din betaling til { $merchant } gik ikke igennem
email-payment-failed-body = Din betaling på { $amount } ({ $method }) gik alligevel ikke igennem: { $reason }.
email-payment-failed-invoices = Mangler stadig: { $invoices }. Du kan betale på en anden måde på din side:
email-pay-button = Betal nu

email-staff-greeting = Hej,
email-staff-payment-failed-subject = Betaling mislykkedes: { $customer }, { $amount }
email-staff-payment-failed-body = Betalingen på { $amount } ({ $method }) fra { $customer } gik alligevel ikke igennem: { $reason }.
email-staff-payment-failed-invoices = Åbne igen: { $invoices }.
email-staff-payment-failed-told = Kunden har fået en e-mail med en opfordring til at betale på en anden måde.
email-staff-payment-failed-no-address = Kunden har ingen e-mailadresse: kontakt kunden på en anden måde.
email-staff-button = Åbn Kassa
email-staff-footer = Sendt af Kassa til medarbejderne hos { $merchant }.

## Medarbejdere svarede på eller afgjorde en tvist.

email-dispute-subject = Din tvist om faktura { $invoice }
email-dispute-answered = { $merchant } har svaret på din tvist om faktura { $invoice }:
email-dispute-credited = { $merchant } har afgjort din tvist om faktura { $invoice }: kreditnota { $number } på { $amount } trækkes fra fakturaen.
email-dispute-rejected = { $merchant } har afgjort din tvist om faktura { $invoice } uden kreditering: de { $amount }, du bestred, skal betales igen.
email-dispute-adjusted = { $merchant } har afgjort din tvist om faktura { $invoice } ved at tilpasse fakturaen.
email-dispute-their-words = Deres besked:
email-dispute-button = Se fakturaen

email-plan-subject = Din afdragsordning med { $merchant }
email-plan-reminder-subject = Rate forfalder den { $date }
email-plan-proposed = { $merchant } har modtaget dit forslag om at betale { $total } som { $schedule }. De ser på det og giver dig besked; indtil da forfalder fakturaerne som hidtil.
email-plan-accepted = { $merchant } har godkendt din afdragsordning: { $total } som { $schedule }. Betal hver rate senest på datoen; rykkere om fakturaerne er stoppet. Aftalen er vedhæftet.
email-plan-instalment = Rate { $seq }, { $date }: { $amount }
email-plan-rejected = { $merchant } kunne ikke godkende dit forslag om at betale { $total } som { $schedule }: fakturaerne forfalder som hidtil.
email-plan-reason = Deres begrundelse: { $reason }
email-plan-reminder-debit = Rate { $seq } på { $amount } i din afdragsordning med { $merchant } trækkes via SEPA-direkte debitering fra din konto, der slutter på { $last4 }, den { $date }. Sørg for, at pengene står der.
email-plan-reminder = Rate { $seq } på { $amount } i din afdragsordning med { $merchant } forfalder den { $date }. Du kan betale den på ordningens side.
email-plan-broken = Din afdragsordning med { $merchant } er ophørt, fordi en rate ikke blev betalt til tiden. Det, der stadig er åbent ({ $remaining }), forfalder igen som før.
email-plan-completed = Du har betalt hele din afdragsordning med { $merchant }. Tak!
email-plan-button = Se din ordning
plan-pdf-title = Aftale om afdragsordning
plan-pdf-file = afdragsordning
email-staff-plan-proposed-subject = Afdragsordning til godkendelse: { $customer }
email-staff-plan-proposed = { $customer } foreslår at betale { $total } som { $schedule }, uden for jeres politik ({ $breaches }). Godkend eller afvis den i Kassa; kunden får besked på e-mail.
email-staff-plan-broken-subject = Afdragsordning misligholdt: { $customer }
email-staff-plan-broken = En rate i { $customer }s afdragsordning er ikke betalt efter henstanden: ordningen er ophørt, og { $remaining } er tilbage i normal inddrivelse.
email-staff-plan-no-address = Kunden har ingen e-mailadresse: kontakt dem på anden vis.
