## The portal's accessibility statement (/p/{merchant}/accessibility).

accessibility-link = Accessibility
accessibility-title = Accessibility statement
# $merchant (String) - the merchant's name
accessibility-intro = { $merchant } uses Kassa for this payment portal. Everyone should be able to use it: to read invoices and statements, download them and pay, with a keyboard alone, with a screen reader, zoomed in, on a small phone and with JavaScript switched off.
accessibility-standard-heading = The standard
accessibility-standard = The portal aims to meet the Web Content Accessibility Guidelines (WCAG) 2.2 at level AA, the level that the European standard EN 301 549 and the European Accessibility Act ask for. The Act applies to online services like this one since 28 June 2025.
accessibility-tested-heading = How it is tested
accessibility-tested-axe = Every change to Kassa runs browser tests that check the portal's pages with axe-core for WCAG problems, in English, Dutch and Danish, on a screen 375 pixels wide.
accessibility-tested-keyboard = A test signs in, selects two invoices and pays them with the keyboard alone.
accessibility-tested-no-js = Tests read invoices and statements, download PDFs and pay with JavaScript switched off.
accessibility-tested-limits = Automated checks find only some problems. What we know is missing is listed below.
accessibility-gaps-heading = Known gaps
accessibility-gap-pdf = The PDFs (invoices, receipts, statements) are not tagged yet: a screen reader reads their text, but not their headings and tables. Everything in them is also on the portal's pages.
accessibility-gap-audit = No person using a screen reader or other assistive technology has audited the portal yet: the automated and keyboard tests above are the testing so far.
accessibility-contact-heading = Contact
# $merchant (String) - the merchant's name
accessibility-contact = If something in this portal is hard to use for you, or you need an invoice in another format, contact { $merchant } with the details on your invoice. Tell them which page and what went wrong; they pass it on to Kassa's developers.
accessibility-enforcement = If you are not satisfied with the answer, you can turn to the authority that enforces the European Accessibility Act in your country.
# $date (String) - a day
accessibility-reviewed = This statement was last reviewed on { $date }.
