## Het beheer voor medewerkers.

admin = Beheer
admin-page-title = { $page } · Beheer
admin-brand = { $merchant } · Beheer
nav-invoices = Facturen
nav-webhooks = Webhooks
nav-jobs = Taken
col-customer = Klant

login-title = Aanmelden voor medewerkers
login-heading = Aanmelden bij Kassa voor medewerkers
field-email = E-mailadres
field-password = Wachtwoord
sign-in = Aanmelden
set-password-title = Kies uw wachtwoord
set-password-heading = Kies uw Kassa-wachtwoord
set-password-explained = Minstens 12 tekens. Een zin die u onthoudt, werkt goed.
field-new-password = Nieuw wachtwoord
field-password-again = Hetzelfde wachtwoord nog eens
set-password-submit = Wachtwoord instellen en aanmelden
please-sign-in = Meld u aan
go-to-sign-in = Naar het aanmelden voor medewerkers

jobs-heading = Opgegeven taken
jobs-explained = Webhookleveringen en imports die bij elke poging mislukten. Los de oorzaak op (de ontvanger, het bestand) en zet de taak opnieuw in de wachtrij: ze krijgt haar pogingen opnieuw.
jobs-none = Geen: elke taak is uitgevoerd of wordt nog geprobeerd.
col-job = Taak
col-attempts = Pogingen
col-last-error = Laatste fout
col-gave-up = Opgegeven
col-action = Actie
retry = Opnieuw
retry-job = { $kind } { $id } opnieuw proberen

webhooks-explained = Kassa stuurt deze adressen de gebeurtenissen die ze volgen, ondertekend volgens Standard Webhooks (docs/api.md).
webhook-added = Eindpunt toegevoegd:
webhook-secret-once = Het ondertekeningsgeheim, alleen nu getoond: kopieer het nu naar het ontvangende systeem.
webhooks-none = Nog geen eindpunten.
webhook-endpoints = Webhook-eindpunten
col-address = Adres
col-events = Gebeurtenissen
webhook-enabled = Ingeschakeld
webhook-disabled = Uitgeschakeld
webhook-disabled-because = Uitgeschakeld: { $reason }
disable = Uitschakelen
enable = Inschakelen
disable-endpoint = { $url } uitschakelen
enable-endpoint = { $url } inschakelen
add-endpoint-heading = Een eindpunt toevoegen
field-address-https = Adres (https)
field-events = Gebeurtenissen
events-hint = Namen, groepen of alles: { $events }, invoice.*, *
field-description-optional = Omschrijving (optioneel)
add-endpoint = Eindpunt toevoegen
job-queued-again = Taak { $id } staat weer in de wachtrij.

nav-settings = Instellingen
settings-saved = Instellingen opgeslagen.
settings-admins-only = Alleen beheerders en de eigenaar wijzigen instellingen; vraag het een van hen.
field-time-zone = Tijdzone
time-zone-hint = Een factuur is achterstallig vanaf middernacht hier na de vervaldatum, en pagina's tonen tijden op deze klok.
save-settings = Instellingen opslaan
logo-title = Logo
logo-none = Nog geen logo: portaal, e-mails en pdf's tonen alleen de naam.
field-logo = Logobestand (PNG of JPEG)
logo-hint = Hoogstens 256 kB, 16 tot 2.000 pixels per zijde. 40 pixels hoog getoond in het portaal, e-mails en pdf's; een vierkant of breed beeld werkt het best.
upload-logo = Logo uploaden
remove-logo = Logo verwijderen

nav-mail = Mail
mail-heading = Mail aan klanten
mail-catching = Er is geen mailserver ingesteld (--smtp-url), dus Kassa bewaart de mail die het zou versturen hier: de nieuwste 200 berichten. Er gaat niets de deur uit.
mail-smtp = Kassa verstuurt mail via de SMTP-server die met --smtp-url is ingesteld; hier wordt niets bewaard.
mail-none = Nog geen mail.
mail-to = Aan { $to } · { $at }
