-- Each merchant's logo, uploaded (PNG or JPEG, at most 256 KB; core/src/services/logos.rs) and
-- served by Kassa at merchants.logo_url = /p/{slug}/logo/{digest}.{png|jpg}. A logo_url set
-- before (an address elsewhere, which the pages' CSP never let load) is dropped: only an
-- uploaded logo shows.
CREATE TABLE merchant_logos (
    merchant_id  TEXT PRIMARY KEY REFERENCES merchants (id),
    content_type TEXT NOT NULL,
    image        BLOB NOT NULL,
    digest       TEXT NOT NULL,
    width        BIGINT NOT NULL,
    height       BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
UPDATE merchants SET logo_url = NULL;
