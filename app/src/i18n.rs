//! The languages Kassa speaks and the words of every page in each (server only: the browser's
//! islands get their words from the HTML). The words are Fluent messages in
//! `app/locales/<lang>/*.ftl`, one file set per language; `build.rs` turns each message into a
//! typed function (fluent-typed), so a message used here but missing in one language does not
//! compile, and the test below fails on any message a language lacks. Adding a language is a
//! folder of `.ftl` files (docs/i18n.md).
//!
//! A request's language is chosen by the server (`server/src/http/locale.rs`) and reaches the
//! pages as a [`Lang`] in Leptos' context; [`t`] gives its words.

#[allow(dead_code, clippy::all, unused_imports)]
mod l10n {
    include!(concat!(env!("OUT_DIR"), "/l10n.rs"));
}

use std::sync::LazyLock;

pub use l10n::L10n as Lang;
pub type Words = l10n::L10nLanguage;

static WORDS: LazyLock<Vec<(Lang, Words)>> = LazyLock::new(|| Lang::iter().map(|l| (*l, l.load())).collect());

impl Lang {
    /// The language's code, as in `<html lang>` and the language cookie: `en`, `nl`, `da`.
    pub fn code(&self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Nl => "nl",
            Lang::Da => "da",
        }
    }

    /// A language by its code (`nl`, `NL`, `nl-BE`: the primary subtag decides), if Kassa
    /// speaks it.
    pub fn from_code(code: &str) -> Option<Lang> {
        let primary = code.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        Lang::iter().copied().find(|l| l.code() == primary)
    }

    /// The best of Kassa's languages for an `Accept-Language` header, if any is asked for.
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        let mut asked: Vec<(f32, Lang)> = header
            .split(',')
            .filter_map(|part| {
                let mut fields = part.split(';');
                let lang = Lang::from_code(fields.next()?)?;
                let q = fields
                    .find_map(|f| f.trim().strip_prefix("q="))
                    .map_or(Some(1.0), |q| q.trim().parse::<f32>().ok())?;
                (q > 0.0).then_some((q, lang))
            })
            .collect();
        // Stable: of equal weight, the first named wins.
        asked.sort_by(|a, b| b.0.total_cmp(&a.0));
        asked.first().map(|(_, lang)| *lang)
    }

    /// The language's own name for itself, for the language menu.
    pub fn own_name(&self) -> &'static str {
        self.language_name()
    }

    pub fn words(&self) -> &'static Words {
        WORDS.iter().find(|(l, _)| l == self).map(|(_, w)| w).unwrap_or(&WORDS[0].1)
    }
}

/// The language of the page being rendered (English when none was chosen).
pub fn lang() -> Lang {
    leptos::prelude::use_context::<Lang>().unwrap_or_default()
}

/// The words of the page being rendered.
pub fn t() -> &'static Words {
    lang().words()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// Every message id (and attribute) of one language's `.ftl` files.
    fn ids(lang: &str) -> BTreeSet<String> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("locales").join(lang);
        let mut ids = BTreeSet::new();
        for entry in std::fs::read_dir(&dir).unwrap() {
            let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            let mut message = String::new();
            for line in text.lines() {
                if let Some((id, _)) = line.split_once(" =") {
                    if !id.starts_with([' ', '#', '-']) && !id.is_empty() {
                        message = id.to_string();
                        ids.insert(message.clone());
                    } else if let Some(attribute) = id.trim().strip_prefix('.') {
                        ids.insert(format!("{message}.{attribute}"));
                    }
                }
            }
        }
        ids
    }

    #[test]
    fn every_language_has_every_message() {
        let english = ids("en");
        assert!(english.len() > 50, "{english:?}");
        for lang in Lang::iter() {
            let theirs = ids(lang.code());
            let missing: Vec<_> = english.difference(&theirs).collect();
            let extra: Vec<_> = theirs.difference(&english).collect();
            assert!(missing.is_empty() && extra.is_empty(), "{lang}: missing {missing:?}, not in English {extra:?}");
        }
    }

    #[test]
    fn languages_are_chosen_from_codes_and_accept_language() {
        assert_eq!(Lang::from_code("nl-BE"), Some(Lang::Nl));
        assert_eq!(Lang::from_code("DA"), Some(Lang::Da));
        assert_eq!(Lang::from_code("fr"), None);
        assert_eq!(Lang::from_accept_language("fr-FR, da;q=0.8, en;q=0.5"), Some(Lang::Da));
        assert_eq!(Lang::from_accept_language("en;q=0.4, nl-NL;q=0.9"), Some(Lang::Nl));
        assert_eq!(Lang::from_accept_language("de, fr"), None);
        assert_eq!(Lang::from_accept_language("nl;q=0, en"), Some(Lang::En));
        assert_eq!(Lang::from_accept_language("*"), None);
    }

    #[test]
    fn each_language_speaks_its_own() {
        assert_eq!(Lang::Nl.words().hello("Bakkerij"), "Hallo Bakkerij");
        assert_eq!(Lang::Da.words().checkout_heading(2), "Betal 2 fakturaer");
        assert_eq!(Lang::En.words().checkout_heading(1), "Pay 1 invoice");
        assert_eq!(Lang::Da.own_name(), "Dansk");
    }
}
