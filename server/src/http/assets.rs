//! The browser's files, served from memory: the portal's wasm, JS and CSS (`/pkg`), images
//! (`/assets`) and the `<kassa-pay>` widget (`/w/v1`). They are read once at start-up from
//! `--site-root`, each with the brotli copy `build_assets` (scripts/lib.sh) made at build
//! time; the gzip copy is made here, once. Every answer carries a strong `ETag` (a matching
//! `If-None-Match` is a 304), `Vary: Accept-Encoding` and the body the client prefers (br,
//! gzip or none) — memory-serve does the serving.
//!
//! The files sit outside the session layer (a session is never loaded for a file) and answer
//! without touching the disk. The portal's are named by their content (`build_assets` lists
//! them in `pkg/manifest.json`, [`Manifest`]), so browsers keep them for a year; without a
//! manifest (a site built by hand, the tests) the fixed names are revalidated instead.

use std::path::{Path, PathBuf};

use axum::Router;
use memory_serve::{Asset, CacheControl, MemoryServe};
use sha2::{Digest, Sha256};

/// The portal's file names from `pkg/manifest.json`, or the fixed ones when there is none.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct Manifest {
    /// What Leptos loads: `/pkg/{bundle}.js` and `/pkg/{bundle}_bg.wasm`.
    pub bundle: String,
    /// `/pkg/kassa-<hash>.css`.
    pub stylesheet: String,
    /// Whether the names carry their content's hash (a manifest was found).
    #[serde(skip)]
    pub hashed: bool,
}

impl Manifest {
    pub fn read(site_root: &Path) -> Manifest {
        let found = std::fs::read(site_root.join("pkg/manifest.json")).ok();
        match found.map(|bytes| serde_json::from_slice::<Manifest>(&bytes)) {
            Some(Ok(m)) => Manifest { hashed: true, ..m },
            Some(Err(e)) => {
                tracing::warn!(error = %e, "pkg/manifest.json cannot be read: using the fixed file names");
                Manifest::fixed()
            }
            None => Manifest::fixed(),
        }
    }

    fn fixed() -> Manifest {
        Manifest { bundle: "kassa".into(), stylesheet: "/pkg/kassa.css".into(), hashed: false }
    }

    /// How long browsers keep `/pkg`'s files: a year when their names change with them.
    pub fn cache(&self) -> CacheControl {
        if self.hashed {
            CacheControl::Custom("public, max-age=31536000, immutable")
        } else {
            CacheControl::NoCache
        }
    }
}

/// Answers the files under `dir` at `prefix` + their path (`/pkg/kassa.css`).
pub fn router<S>(dir: &Path, prefix: &str, cache: CacheControl) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    serve(load(dir, prefix), cache)
}

/// Answers `assets` (from [`load`]) at their routes, each kept by browsers as `cache` says.
pub fn serve<S>(assets: Vec<Asset>, cache: CacheControl) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    if assets.is_empty() {
        return Router::new();
    }
    let assets: &'static [Asset] = Box::leak(assets.into_boxed_slice());
    MemoryServe::new(assets)
        .index_file(None)
        // On in every build (memory-serve turns them off in debug builds by default).
        .enable_brotli(true)
        .enable_gzip(true)
        .cache_control(cache)
        .html_cache_control(cache)
        .into_router()
}

/// Every file under `dir` but the `.br` and `.gz` copies, as an asset answered at `prefix` +
/// its path there. Called once per router (at start-up): the bytes live as long as the process.
pub fn load(dir: &Path, prefix: &str) -> Vec<Asset> {
    let mut files = Vec::new();
    collect(dir, &mut files);
    files.sort();
    files
        .into_iter()
        .filter(|f| !matches!(f.extension().and_then(|e| e.to_str()), Some("br" | "gz")))
        .filter_map(|file| {
            let relative = file.strip_prefix(dir).ok()?.to_str()?.replace('\\', "/");
            let raw = std::fs::read(&file).ok()?;
            let brotli = std::fs::read(with_suffix(&file, "br")).ok();
            let content_type = content_type(&file);
            Some(Asset {
                route: leak(format!("{prefix}/{relative}")),
                path: leak(file.to_string_lossy().into_owned()),
                etag: leak(format!("{:x}", Sha256::digest(&raw))),
                content_type,
                is_compressed: brotli.is_some(),
                should_compress: compressible(content_type),
                bytes: Some(Box::leak(brotli.unwrap_or(raw).into_boxed_slice())),
            })
        })
        .collect()
}

fn collect(dir: &Path, into: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, into);
        } else {
            into.push(path);
        }
    }
}

fn with_suffix(file: &Path, suffix: &str) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(".");
    name.push(suffix);
    PathBuf::from(name)
}

fn leak(text: String) -> &'static str {
    Box::leak(text.into_boxed_str())
}

fn content_type(file: &Path) -> &'static str {
    mime_guess::from_path(file).first_raw().unwrap_or("application/octet-stream")
}

/// Worth compressing: text and wasm (images and fonts are compressed already).
fn compressible(content_type: &str) -> bool {
    content_type.starts_with("text/")
        || matches!(content_type, "application/wasm" | "image/svg+xml" | "application/json")
}
