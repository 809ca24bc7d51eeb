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
    n_tokens     INTEGER NOT NULL,       -- tokens of the normalized body
    -- near-duplicate cluster (set by the near-dup stage; NULL until it ran, e.g. --no-near-dup)
    cluster_id   INTEGER,                -- id of the cluster's representative article
    cluster_join TEXT CHECK (cluster_join IN ('representative', 'near')), -- how it joined the cluster
    cluster_similarity REAL              -- Jaccard of its shingles with the representative's (1 for it)
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

-- ---- near-duplicates (issue 3, src/ingest/neardup.c) ----
-- One row per article signed by the near-dup stage. sig is the MinHash
-- signature (bands x rows 32-bit values, little-endian), NULL for a short
-- article (fewer than min_tokens tokens: exact duplicates only). content_hash
-- is the article's when signed, so that a reused id is re-signed.
CREATE TABLE IF NOT EXISTS neardup_sigs (
    article_id   INTEGER PRIMARY KEY,    -- articles.id
    content_hash BLOB NOT NULL,          -- articles.content_hash when signed
    n_shingles   INTEGER NOT NULL,       -- distinct shingles of the normalized body
    sig          BLOB                    -- MinHash signature, NULL when short
);
-- LSH band keys: XXH3-64 of a band's rows signature values, seeded with the
-- band number. Articles sharing a key are candidates.
CREATE TABLE IF NOT EXISTS neardup_bands (
    band_key   INTEGER NOT NULL,
    article_id INTEGER NOT NULL,
    PRIMARY KEY (band_key, article_id)
) WITHOUT ROWID;
-- Verified near-duplicate pairs (a < b): similarity >= the threshold.
-- exact = 1 when similarity is the exact Jaccard, 0 when the MinHash estimate.
CREATE TABLE IF NOT EXISTS neardup_pairs (
    a          INTEGER NOT NULL,         -- articles.id, the smaller
    b          INTEGER NOT NULL,         -- articles.id, the larger
    similarity REAL NOT NULL,
    exact      INTEGER NOT NULL,
    PRIMARY KEY (a, b)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS neardup_pairs_b ON neardup_pairs(b);
CREATE INDEX IF NOT EXISTS articles_cluster ON articles(cluster_id);
-- Every sighting with its cluster and how it joined: 'representative' (the
-- primary sighting of the representative article), 'near' (primary sighting
-- of a near-duplicate article), 'exact' (any other sighting: same normalized
-- body as its article).
CREATE VIEW IF NOT EXISTS cluster_sightings AS
    SELECT a.cluster_id, g.article_id, g.id AS sighting_id,
           CASE WHEN g.id = (SELECT p.id FROM sightings p WHERE p.article_id = g.article_id
                             ORDER BY p.rank, p.id LIMIT 1)
                THEN a.cluster_join ELSE 'exact' END AS cluster_join,
           a.cluster_similarity AS similarity
    FROM sightings g JOIN articles a ON a.id = g.article_id
    WHERE a.cluster_id IS NOT NULL;

-- ---- 13-gram sample (issue 5, src/core/grams.c; written by ingest, read by
-- the leakage report of `diwan split`) ----
-- One row per article stored by ingest, keyed by the article's content
-- hash: the hashes are a function of the normalized body alone, so a row can
-- never describe another text (not even after articles are purged and their
-- ids reused). grams: the sampled 13-gram hashes of the normalized body
-- (core/grams.h: hash % 16 == 0), 8 bytes each, little-endian, in text
-- order; a zero-length blob when there are none. An article without a row
-- (a database ingested by an older diwan) has its hashes computed from the
-- body by split, with the same result.
CREATE TABLE IF NOT EXISTS content_grams (
    content_hash BLOB PRIMARY KEY,       -- articles.content_hash
    grams        BLOB NOT NULL
) WITHOUT ROWID;

-- ---- statistics (issue 4, src/stats, `diwan stats`) ----
-- Replaced as a whole, in one transaction, by every `diwan stats` run.
-- Terms are normalized tokens (stored tokens with --no-normalize); an n-gram
-- is its words joined by single spaces.
-- Parameters and totals of the last run: ngram_max, cooc, window, scope
-- (window, article), weighting (none, harmonic), tokenizer (words,
-- whitespace), normalize (1, 0), all_copies (1, 0), stopwords (XXH3-64 of
-- the stop-word list, 'none' when kept), min_count, unit (co-occurrence
-- counts are exact multiples of 1/unit), pair_total (twice the sum of pair
-- counts, in 1/unit), articles.
CREATE TABLE IF NOT EXISTS stats_info (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
-- Buckets of the counts: kind 'all' (name ''), 'source' (sources.name) or
-- 'month' (YYYY-MM of articles.published). Articles without an outlet or a
-- date are counted in 'all' only.
CREATE TABLE IF NOT EXISTS stats_buckets (
    id       INTEGER PRIMARY KEY,
    kind     TEXT NOT NULL CHECK (kind IN ('all', 'source', 'month')),
    name     TEXT NOT NULL,
    articles INTEGER NOT NULL,           -- articles counted
    tokens   INTEGER NOT NULL,           -- their tokens
    chars    INTEGER NOT NULL,           -- their characters (code points of the counted text)
    UNIQUE (kind, name)
);
-- n-grams (n = 1..ngram_max) per bucket: count = occurrences, df = articles
-- holding it. n-grams never cross a sentence boundary.
CREATE TABLE IF NOT EXISTS stats_ngrams (
    bucket INTEGER NOT NULL,             -- stats_buckets.id
    n      INTEGER NOT NULL,
    term   TEXT NOT NULL,
    count  INTEGER NOT NULL,
    df     INTEGER NOT NULL,
    PRIMARY KEY (bucket, n, term)
) WITHOUT ROWID;
-- The first rows of stats_ngrams per bucket and n in the orders `diwan top`
-- lists: by 'count' (count, then df descending, then term) and by 'df' (df,
-- then count descending, then term), at most stats_info.top_k of each
-- (rank 1 first), so that the top of millions of n-grams is read without
-- scanning them. Written with stats_ngrams, rebuilt by a merge.
CREATE TABLE IF NOT EXISTS stats_top (
    bucket INTEGER NOT NULL,             -- stats_buckets.id
    n      INTEGER NOT NULL,
    by     TEXT NOT NULL CHECK (by IN ('count', 'df')),
    rank   INTEGER NOT NULL,
    term   TEXT NOT NULL,
    count  INTEGER NOT NULL,
    df     INTEGER NOT NULL,
    PRIMARY KEY (bucket, n, by, rank)
) WITHOUT ROWID;
-- Per bucket and n: distinct n-grams (types), occurrences (tokens) and
-- n-grams seen once (hapax).
CREATE TABLE IF NOT EXISTS stats_summary (
    bucket INTEGER NOT NULL,             -- stats_buckets.id
    n      INTEGER NOT NULL,
    types  INTEGER NOT NULL,
    tokens INTEGER NOT NULL,
    hapax  INTEGER NOT NULL,
    PRIMARY KEY (bucket, n)
) WITHOUT ROWID;
-- The parts the statistics add up: one per counting run whose counts are
-- in them (one after `diwan stats`, one more per database merged in). A
-- part is named by its counted articles: the sums modulo 2^64 of the two
-- halves of the XXH3-128 of their content hashes, 32 hex digits, so the same
-- articles counted twice are one part, and `stats --merge` refuses or
-- skips statistics already in (a merge run again adds nothing).
CREATE TABLE IF NOT EXISTS stats_parts (
    part     TEXT PRIMARY KEY,
    articles INTEGER NOT NULL            -- articles the part counted
) WITHOUT ROWID;
-- Distribution of article lengths: unit 'tokens' or 'chars'.
CREATE TABLE IF NOT EXISTS stats_lengths (
    unit     TEXT NOT NULL CHECK (unit IN ('tokens', 'chars')),
    length   INTEGER NOT NULL,
    articles INTEGER NOT NULL,
    PRIMARY KEY (unit, length)
) WITHOUT ROWID;
-- Co-occurrence marginals: count = sum of the counts of every pair the term
-- is in (before --min-count), the c(a) of PMI.
CREATE TABLE IF NOT EXISTS stats_cooc_terms (
    term  TEXT PRIMARY KEY,
    count NUMERIC NOT NULL
) WITHOUT ROWID;
-- Co-occurring pairs of two different terms, term_a < term_b (byte order),
-- counted at least min_count times (count is fractional with harmonic
-- weighting). pmi and npmi in base 2; llr is Dunning's G^2.
CREATE TABLE IF NOT EXISTS stats_cooc (
    term_a TEXT NOT NULL,
    term_b TEXT NOT NULL,
    count  NUMERIC NOT NULL,
    pmi    REAL NOT NULL,
    npmi   REAL NOT NULL,
    llr    REAL NOT NULL,
    PRIMARY KEY (term_a, term_b)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS stats_cooc_b ON stats_cooc(term_b);
