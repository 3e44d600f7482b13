## Siderne for login- og betalingslinks, før en debitor er logget ind.

link-your-invoices = Dine fakturaer fra { $merchant }
link-continue-explained = Fortsæt for at se, hvad der er åbent og betalt, og for at betale.
link-continue = Fortsæt
link-invoice-from = Faktura { $number } fra { $merchant }
link-invoice-continue-explained = Fortsæt for at se fakturaen og betale den.
link-used-title = Dette link kan ikke længere bruges
link-used-explained = Loginlinks virker én gang og udløber 15 minutter efter, de er sendt.
link-invalid-title = Dette loginlink er ikke gyldigt
link-invalid-explained = Tjek, at du har kopieret hele linket fra e-mailen.
link-ask-new = Bed om et nyt loginlink på e-mail, eller åbn den seneste e-mail fra { $merchant }.
link-still-not-working = Virker det stadig ikke, så bed { $merchant } om et nyt link.
pay-link-invalid-title = Dette betalingslink er ikke gyldigt
pay-link-invalid-explained = Det er måske udløbet. Åbn fakturaen igen fra butikken eller den e-mail, der viste den.
origin-refused-title = Formularen blev sendt fra et andet websted
origin-refused-explained = Kassa modtager kun formularer fra sine egne sider, så intet andet websted kan handle i dit navn.
origin-refused-advice = Gå tilbage til Kassas side, og send formularen derfra.

sign-in-title = Log ind til dine fakturaer fra { $merchant }
sign-in-explained = Skriv den e-mailadresse, dine fakturaer sendes til. Vi mailer dig et link, der logger dig ind.
field-email-address = E-mailadresse
sign-in-send = Send mig et loginlink
sign-in-sent-title = Tjek din e-mail
sign-in-sent-explained = Hvis { $merchant } har denne adresse for dig, er et loginlink på vej. Det virker én gang inden for 15 minutter.
sign-in-sent-advice = Intet efter et par minutter? Kig i din spammappe, eller bed om et nyt link.
sign-in-ask-again = Bed om et nyt loginlink
sign-in-get-link = Send mig et loginlink

## The sandbox's checkout page: what a payment provider's page is in test mode.
sandbox-checkout-title = Sandkassens betalingsside
sandbox-checkout-explained = En testbetaling på { $amount } til { $merchant }. Ingen rigtige penge flyttes: vælg et testkort for at se, hvordan betalingen ender.
sandbox-card-legend = Testkort
sandbox-card-approved = { $number }: godkendt
sandbox-card-declined = { $number }: afvist
sandbox-card-insufficient-funds = { $number }: afvist, ikke penge nok på kontoen
sandbox-pay = Betal
sandbox-cancel = Annullér betalingen
sandbox-finished-title = Denne testbetaling er afsluttet
sandbox-finished-explained = Gå tilbage for at se, hvordan den endte.
sandbox-go-back = Gå tilbage
## After a payment, back from the provider's page.
payment-processing-title = Betalingen er på vej
payment-processing-explained = Betalingen er modtaget. Det kan tage et par hverdage, før den er gået igennem; derefter står fakturaen som betalt.
pay-form-title = Betal { $amount }
pay-form-for = For faktura { $invoices }. Dine kort- eller bankoplysninger går direkte til Stripe, vores betalingsudbyder; vi ser dem aldrig.
pay-form-button = Betal { $amount }
pay-form-loading = Betalingsformularen indlæses…
pay-form-unavailable = Betalingsformularen kunne ikke indlæses (Stripe kunne ikke nås, eller JavaScript er slået fra). Du kan i stedet betale med bankoverførsel: fakturaen viser konto og betalingsreference.
pay-form-to-transfer = Betal med bankoverførsel
debit-form-title = Direkte debitering af din afdragsordning
debit-form-for = { $merchant } trækker hver rate på forfaldsdagen fra den konto, du angiver her, og giver dig besked et par dage før. Dine bankoplysninger går direkte til Stripe, vores betalingsudbyder; vi ser dem aldrig.
debit-form-unavailable = Formularen til direkte debitering kunne ikke indlæses (Stripe kunne ikke nås, eller JavaScript er slået fra). Du kan i stedet betale hver rate på ordningens side.
debit-form-to-plan = Tilbage til din ordning
