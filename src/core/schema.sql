-- schema.sql: the diwan database, version 1. The only place where tables are
-- defined; the Makefile embeds this file into the binary (dw_schema_sql) and
-- README documents every table. Statements are idempotent (IF NOT EXISTS), so
-- they run on every open. Text columns hold UTF-8; dates are ISO YYYY-MM-DD.

-- Key/value facts about the database: schema_version, norm_version,
-- teh_marbuta (normalization flag fixed at creation), created_by.
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

-- Canonical outlets. builtin = 1 for the registry shipped with diwan,
-- 2 for outlets added with --sources, 0 for outlets first seen in the input.
CREATE TABLE IF NOT EXISTS sources (
    id      INTEGER PRIMARY KEY,
    name    TEXT NOT NULL UNIQUE,
    builtin INTEGER NOT NULL DEFAULT 0
);

-- Spellings that name an outlet. alias is the normalized spelling (the match
-- key); written is how it was first written.
CREATE TABLE IF NOT EXISTS source_aliases (
    alias     TEXT PRIMARY KEY,
    source_id INTEGER NOT NULL REFERENCES sources(id),
    written   TEXT NOT NULL
) WITHOUT ROWID;

-- Every input ingested. status: 'partial' while (or if killed while) being
-- ingested, 'done' when every page was committed. size/mtime detect changed
-- files; a changed file replaces its earlier sightings.
CREATE TABLE IF NOT EXISTS files (
    id        INTEGER PRIMARY KEY,
    path      TEXT NOT NULL UNIQUE,     -- as given on the command line (stdin: "stdin:<hash>")
    size      INTEGER,                  -- bytes on disk (compressed size for .zst)
    mtime     INTEGER,                  -- modification time, seconds
    format    TEXT,                     -- 'pages', 'json' or 'trec'
    encoding  TEXT,                     -- source encoding when transcoded, else NULL
    status    TEXT NOT NULL DEFAULT 'partial' CHECK (status IN ('partial', 'done')),
    pages     INTEGER NOT NULL DEFAULT 0, -- pages (or records) read
    articles  INTEGER NOT NULL DEFAULT 0, -- article sightings found
    bad_bytes INTEGER NOT NULL DEFAULT 0  -- invalid UTF-8 bytes replaced by U+FFFD
);

-- Unique articles: one row per distinct normalized body. title, body,
-- published and source_id are those of the primary sighting (the sighting with
-- the smallest rank, see sightings.rank), so they do not depend on the order
-- in which inputs were ingested. Text is stored as written (cleaned of invalid
-- bytes, BOM and CR), never normalized.
CREATE TABLE IF NOT EXISTS articles (
    id           INTEGER PRIMARY KEY,
    content_hash BLOB NOT NULL UNIQUE,   -- XXH3-128 of the normalized body, 16 bytes big-endian
    title        TEXT NOT NULL,
    body         TEXT NOT NULL,
    published    TEXT,                   -- YYYY-MM-DD or NULL
    source_id    INTEGER REFERENCES sources(id), -- NULL: unknown outlet
    n_chars      INTEGER NOT NULL,       -- code points of the normalized body
    n_tokens     INTEGER NOT NULL        -- tokens of the normalized body
);

-- Every place an article was seen. rank orders the sightings of an article:
-- dated before undated, then earliest date, then known outlet before unknown,
-- then the outlet as written there (normalized), path and byte offset, all in
-- byte order; the smallest is the
-- article's primary sighting.
CREATE TABLE IF NOT EXISTS sightings (
    id          INTEGER PRIMARY KEY,
    article_id  INTEGER NOT NULL REFERENCES articles(id),
    file_id     INTEGER NOT NULL REFERENCES files(id),
    path        TEXT NOT NULL,           -- input path (same as files.path)
    byte_offset INTEGER NOT NULL,        -- offset of the article's first line in the decoded input
    page_no     INTEGER NOT NULL,        -- 0-based page (or record) number within the input
    role        TEXT NOT NULL CHECK (role IN ('main', 'related')),
    source_id   INTEGER REFERENCES sources(id), -- outlet named there (NULL: none)
    source_raw  TEXT,                    -- the source line as written
    published   TEXT,                    -- date given there, YYYY-MM-DD or NULL
    date_raw    TEXT,                    -- the date as written
    title       TEXT NOT NULL,           -- title as written there
    url         TEXT,                    -- URL given by the record, if any
    ext_id      TEXT,                    -- identifier given by the record (JSON id, TREC DOCNO)
    rank        TEXT NOT NULL,           -- sort key, see above
    UNIQUE (file_id, page_no, byte_offset)
);
CREATE INDEX IF NOT EXISTS sightings_article ON sightings(article_id, rank);

-- Keywords of the `كلمات دلالية` line, per sighting, as written and normalized.
CREATE TABLE IF NOT EXISTS keywords (
    article_id  INTEGER NOT NULL REFERENCES articles(id),
    sighting_id INTEGER NOT NULL REFERENCES sightings(id),
    position    INTEGER NOT NULL,        -- 0-based position in the line
    keyword     TEXT NOT NULL,           -- as written
    keyword_norm TEXT NOT NULL,          -- normalized
    PRIMARY KEY (sighting_id, position)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS keywords_article ON keywords(article_id);

-- Inputs or parts of inputs that were not ingested, with the reason.
-- byte_offset is -1 when the whole input is concerned.
CREATE TABLE IF NOT EXISTS quarantine (
    id          INTEGER PRIMARY KEY,
    path        TEXT NOT NULL,
    byte_offset INTEGER NOT NULL,
    reason      TEXT NOT NULL,
    UNIQUE (path, byte_offset, reason)
);

-- Distinct keywords of each article (over all its sightings).
CREATE VIEW IF NOT EXISTS article_keywords AS
    SELECT article_id, keyword_norm, min(keyword) AS keyword, count(*) AS sightings
    FROM keywords GROUP BY article_id, keyword_norm;
