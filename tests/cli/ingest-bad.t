# quarantined inputs are reported and recorded while the run goes on; a
# corrupt .zst is an error (exit 3)
$ diwan ingest {db} {root}/sample/bad
? 3
> 6 inputs: 5 read, 0 unchanged, 1 failed; 1 page, 2 articles found (2 new, 0 duplicates); 5 quarantined; 2 invalid bytes replaced
> near-duplicates: 0 new pairs; 0 clusters of 0 articles in the database
! diwan ingest: warning: {root}/sample/bad/binary.bin: binary data, not text
! diwan ingest: warning: {root}/sample/bad/blank.txt: no text (only whitespace)
! diwan ingest: warning: {root}/sample/bad/broken-utf8.txt:228: 1 invalid UTF-8 byte replaced by U+FFFD
! diwan ingest: warning: {root}/sample/bad/broken-utf8.txt:487: 1 invalid UTF-8 byte replaced by U+FFFD
! diwan ingest: error: {root}/sample/bad/corrupt.txt.zst: corrupt zstd data at compressed offset 0: Data corruption detected
! diwan ingest: warning: {root}/sample/bad/empty.txt: empty input
! diwan ingest: warning: {root}/sample/bad/legacy-cp1256.txt: not UTF-8 (a legacy encoding? try --encoding windows-1256)
! diwan ingest: 1 input could not be read
# --quiet keeps errors only
$ diwan ingest --quiet {db} {root}/sample/bad
? 3
! diwan ingest: error: {root}/sample/bad/corrupt.txt.zst: corrupt zstd data at compressed offset 0: Data corruption detected
! diwan ingest: 1 input could not be read
# the legacy file reads with its encoding
$ diwan ingest --quiet --encoding windows-1256 {tmp}/legacy.db {root}/sample/bad/legacy-cp1256.txt
$ diwan info {tmp}/legacy.db
> database      {tmp}/legacy.db (schema 1, teh marbuta kept)
> files         1 (1 done, 0 partial)
> pages         1
> articles      2 unique (1 dated, 0 without a source)
> sightings     2 (1 main, 1 related)
> duplicates    0 sightings of 0 articles seen more than once (0 across outlets)
> near dups     0 clusters, 0 articles joined a cluster as near-duplicates
> sources       1
> dates         2023-10-17 to 2023-10-17
> keywords      2 distinct
> quarantined   0
> invalid bytes 0
> statistics    none (diwan stats counts them)
# --strict fails on repaired bytes
$ diwan ingest --strict -q {tmp}/strict.db {root}/sample/bad/broken-utf8.txt
? 1
! diwan ingest: --strict: 0 input parts quarantined, 2 invalid bytes replaced
# missing inputs are errors, the others are read
$ diwan ingest -q {tmp}/m.db {tmp}/missing.txt {root}/sample/pages/page-001.txt
? 3
! diwan ingest: error: cannot read {tmp}/missing.txt: No such file or directory
! diwan ingest: 1 input could not be read
# a folder with nothing to read (hidden entries are skipped): nothing to do, exit 0
$ write empty/.hidden not read\n
$ diwan ingest {tmp}/e.db {tmp}/empty
> 0 inputs: 0 read, 0 unchanged, 0 failed; 0 pages, 0 articles found (0 new, 0 duplicates); 0 quarantined; 0 invalid bytes replaced
> near-duplicates: 0 new pairs; 0 clusters of 0 articles in the database
