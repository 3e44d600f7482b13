## De toegankelijkheidsverklaring van het portaal (/p/{merchant}/accessibility).

accessibility-link = Toegankelijkheid
accessibility-title = Toegankelijkheidsverklaring
accessibility-intro = { $merchant } gebruikt Kassa voor dit betaalportaal. Iedereen moet het kunnen gebruiken: facturen en overzichten lezen, downloaden en betalen, met alleen een toetsenbord, met een schermlezer, ingezoomd, op een kleine telefoon en met JavaScript uitgeschakeld.
accessibility-standard-heading = De norm
accessibility-standard = Het portaal wil voldoen aan de Web Content Accessibility Guidelines (WCAG) 2.2 op niveau AA, het niveau dat de Europese norm EN 301 549 en de Europese toegankelijkheidswet (European Accessibility Act) vragen. De wet geldt sinds 28 juni 2025 voor online diensten zoals deze.
accessibility-tested-heading = Hoe het getest wordt
accessibility-tested-axe = Bij elke wijziging aan Kassa controleren browsertests de pagina's van het portaal met axe-core op WCAG-problemen, in het Engels, Nederlands en Deens, op een scherm van 375 pixels breed.
accessibility-tested-keyboard = Een test logt in, kiest twee facturen en betaalt ze met alleen het toetsenbord.
accessibility-tested-no-js = Tests lezen facturen en overzichten, downloaden pdf's en betalen met JavaScript uitgeschakeld.
accessibility-tested-limits = Automatische controles vinden maar een deel van de problemen. Wat we weten dat nog ontbreekt, staat hieronder.
accessibility-gaps-heading = Bekende tekortkomingen
accessibility-gap-pdf = De pdf's (facturen, betaalbewijzen, overzichten) zijn nog niet getagd: een schermlezer leest de tekst, maar niet de koppen en tabellen. Alles wat erin staat, staat ook op de pagina's van het portaal.
accessibility-gap-audit = Nog niemand die een schermlezer of ander hulpmiddel gebruikt, heeft het portaal beoordeeld: de automatische tests en toetsenbordtests hierboven zijn tot nu toe alle tests.
accessibility-contact-heading = Contact
accessibility-contact = Is iets in dit portaal lastig te gebruiken voor u, of heeft u een factuur in een andere vorm nodig? Neem contact op met { $merchant } via de gegevens op uw factuur. Vertel om welke pagina het gaat en wat er misging; zij geven het door aan de ontwikkelaars van Kassa.
accessibility-enforcement = Bent u niet tevreden met het antwoord, dan kunt u terecht bij de instantie die in uw land toeziet op de Europese toegankelijkheidswet.
accessibility-reviewed = Deze verklaring is voor het laatst herzien op { $date }.
