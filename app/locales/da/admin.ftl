## Administrationen for medarbejdere.

admin = Administration
admin-page-title = { $page } · Administration
admin-brand = { $merchant } · Administration
nav-invoices = Fakturaer
nav-webhooks = Webhooks
nav-jobs = Job
col-customer = Kunde

login-title = Log ind for medarbejdere
login-heading = Log ind på Kassa for medarbejdere
field-email = E-mail
field-password = Adgangskode
sign-in = Log ind
set-password-title = Vælg din adgangskode
set-password-heading = Vælg din Kassa-adgangskode
set-password-explained = Mindst 12 tegn. En sætning, du kan huske, fungerer godt.
field-new-password = Ny adgangskode
field-password-again = Den samme adgangskode igen
set-password-submit = Vælg adgangskode og log ind
please-sign-in = Log ind
go-to-sign-in = Gå til log ind for medarbejdere

jobs-heading = Opgivne job
jobs-explained = Webhook-leveringer og importer, der mislykkedes ved hvert forsøg. Ret årsagen (modtageren, filen), og sæt så jobbet i kø igen: det får sine forsøg på ny.
jobs-none = Ingen: alle job er kørt eller forsøges stadig.
col-job = Job
col-attempts = Forsøg
col-last-error = Seneste fejl
col-gave-up = Opgivet
col-action = Handling
retry = Prøv igen
retry-job = Prøv { $kind } { $id } igen

webhooks-explained = Kassa sender disse adresser de hændelser, de abonnerer på, signeret efter Standard Webhooks (docs/api.md).
webhook-added = Slutpunkt tilføjet:
webhook-secret-once = Dets signeringshemmelighed, vist kun denne ene gang: kopiér den til det modtagende system nu.
webhooks-none = Endnu ingen slutpunkter.
webhook-endpoints = Webhook-slutpunkter
col-address = Adresse
col-events = Hændelser
webhook-enabled = Aktiveret
webhook-disabled = Deaktiveret
webhook-disabled-because = Deaktiveret: { $reason }
disable = Deaktivér
enable = Aktivér
disable-endpoint = Deaktivér { $url }
enable-endpoint = Aktivér { $url }
add-endpoint-heading = Tilføj et slutpunkt
field-address-https = Adresse (https)
field-events = Hændelser
events-hint = Navne, grupper eller alt: { $events }, invoice.*, *
field-description-optional = Beskrivelse (valgfri)
add-endpoint = Tilføj slutpunkt
job-queued-again = Job { $id } er sat i kø igen.

nav-settings = Indstillinger
settings-saved = Indstillingerne er gemt.
settings-admins-only = Kun administratorer og ejeren ændrer indstillinger; spørg en af dem.
field-time-zone = Tidszone
time-zone-hint = En faktura er forfalden fra midnat her efter forfaldsdatoen, og siderne viser tider efter dette ur.
save-settings = Gem indstillinger
logo-title = Logo
logo-none = Intet logo endnu: portalen, e-mails og pdf'er viser kun navnet.
field-logo = Logofil (PNG eller JPEG)
logo-hint = Højst 256 kB, 16 til 2.000 pixels pr. side. Vises 40 pixels højt i portalen, e-mails og pdf'er; et kvadratisk eller bredt billede virker bedst.
upload-logo = Upload logo
remove-logo = Fjern logo

nav-mail = Mail
mail-heading = Mail til kunder
mail-catching = Der er ikke sat en mailserver op (--smtp-url), så Kassa gemmer den mail, den ville sende, her i stedet: de nyeste 200 beskeder. Intet sendes ud.
mail-smtp = Kassa sender mail gennem SMTP-serveren, der er sat op med --smtp-url; intet gemmes her.
mail-none = Ingen mail endnu.
mail-to = Til { $to } · { $at }
