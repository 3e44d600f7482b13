//! The words of every page in every language: `locales/<lang>/*.ftl` (Fluent) become typed
//! functions, one per message (fluent-typed), in `$OUT_DIR/l10n.rs`, which `src/i18n.rs`
//! includes. A message missing in one language gets no function, so a page that uses it does
//! not compile; `i18n::tests` also fails on any message (used or not) that a language lacks.

fn main() -> std::process::ExitCode {
    // Only the server speaks: the browser's wasm (islands) gets its words from the HTML.
    if std::env::var_os("CARGO_FEATURE_SSR").is_none() {
        return std::process::ExitCode::SUCCESS;
    }
    let out = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    // Where this checkout is now, as cargo says when it runs the script (not where the script
    // was compiled: a target folder shared between checkouts keeps the compiled script).
    let manifest = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let locales = format!("{manifest}/locales");
    let options = fluent_typed::BuildOptions::default()
        .with_locales_folder(&locales)
        .with_output_file_path(&format!("{out}/l10n.rs"))
        .with_ftl_output(fluent_typed::FtlOutputOptions::single_file(&format!("{out}/translations.ftl")))
        .with_default_language("en")
        .with_prefix("")
        .with_lint_level(fluent_typed::LintLevel::Strict)
        .without_bidi_isolation()
        .without_format();
    fluent_typed::build_from_locales_folder(options)
}
