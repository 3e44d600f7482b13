## Portalens tilgængelighedserklæring (/p/{merchant}/accessibility).

accessibility-link = Tilgængelighed
accessibility-title = Tilgængelighedserklæring
accessibility-intro = { $merchant } bruger Kassa til denne betalingsportal. Alle skal kunne bruge den: læse fakturaer og kontoudtog, downloade dem og betale, med tastaturet alene, med en skærmlæser, med zoom, på en lille telefon og med JavaScript slået fra.
accessibility-standard-heading = Standarden
accessibility-standard = Portalen sigter mod at opfylde Web Content Accessibility Guidelines (WCAG) 2.2 på niveau AA, det niveau som den europæiske standard EN 301 549 og den europæiske tilgængelighedslov (European Accessibility Act) kræver. Loven gælder for onlinetjenester som denne siden 28. juni 2025.
accessibility-tested-heading = Sådan testes den
accessibility-tested-axe = Ved hver ændring af Kassa kontrollerer browsertests portalens sider med axe-core for WCAG-problemer, på engelsk, nederlandsk og dansk, på en skærm der er 375 pixels bred.
accessibility-tested-keyboard = En test logger ind, vælger to fakturaer og betaler dem med tastaturet alene.
accessibility-tested-no-js = Tests læser fakturaer og kontoudtog, downloader pdf'er og betaler med JavaScript slået fra.
accessibility-tested-limits = Automatiske kontroller finder kun en del af problemerne. Det, vi ved mangler, står nedenfor.
accessibility-gaps-heading = Kendte mangler
accessibility-gap-pdf = Pdf'erne (fakturaer, kvitteringer, kontoudtog) er endnu ikke tagget: en skærmlæser læser teksten, men ikke overskrifter og tabeller. Alt i dem står også på portalens sider.
accessibility-gap-audit = Endnu ingen, der bruger skærmlæser eller andre hjælpemidler, har gennemgået portalen: de automatiske tests og tastaturtests ovenfor er al testning indtil nu.
accessibility-contact-heading = Kontakt
accessibility-contact = Hvis noget i denne portal er svært at bruge for dig, eller du har brug for en faktura i et andet format, så kontakt { $merchant } via oplysningerne på din faktura. Fortæl hvilken side det drejer sig om, og hvad der gik galt; de giver det videre til Kassas udviklere.
accessibility-enforcement = Er du ikke tilfreds med svaret, kan du henvende dig til den myndighed, der fører tilsyn med den europæiske tilgængelighedslov i dit land.
accessibility-reviewed = Denne erklæring blev sidst gennemgået { $date }.
