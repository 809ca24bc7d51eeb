# diwan stats on the sample corpus: summary, rerun replaces, export, usage errors
$ diwan ingest -q {db} {root}/sample/pages
$ diwan stats {db}
> 48 articles: 4355 tokens, 2256 types, 1593 hapax; 29137 n-gram rows; 11209 pairs, 6 stored; 0 runs spilled
$ diwan stats --threads 1 --memory-mb 64 {db}
> 48 articles: 4355 tokens, 2256 types, 1593 hapax; 29137 n-gram rows; 11209 pairs, 6 stored; 0 runs spilled
$ diwan stats -q --no-count --export {db}.exp {db}
# progress on a pipe only when asked, never with -q; the summary unchanged
$ diwan stats --progress {db}
!*
> 48 articles: 4355 tokens, 2256 types, 1593 hapax; 29137 n-gram rows; 11209 pairs, 6 stored; 0 runs spilled
$ diwan stats -q --progress {db}
$ diwan stats --window 0 {db}
? 2
! diwan stats: --window must be 1 to 20
! usage: diwan stats [options] DB
! (see 'diwan stats --help')
$ diwan stats --scope article --harmonic {db}
? 2
! diwan stats: --harmonic needs a window, not --scope article
! usage: diwan stats [options] DB
! (see 'diwan stats --help')
$ diwan stats --bogus {db}
? 2
! diwan stats: unknown option '--bogus'
! usage: diwan stats [options] DB
! (see 'diwan stats --help')
$ diwan stats {db} --merge {db}.missing
? 4
! diwan stats: cannot open database {db}.missing: No such file or directory
# statistics already in are skipped: the database itself, or a copy of it
$ diwan stats {db} --merge {db}
> {db}: its statistics are in {db} already: skipped
$ diwan ingest -q {tmp}/copy.db {root}/sample/pages
$ diwan stats -q {tmp}/copy.db
$ diwan stats {db} --merge {tmp}/copy.db --merge {tmp}/copy.db
> {tmp}/copy.db: its statistics are in {db} already: skipped
> {tmp}/copy.db: its statistics are in {db} already: skipped
$ diwan stats {db} --merge-batch 0 --merge {tmp}/copy.db
? 2
! diwan stats: --merge-batch must be 1 to 1000
! usage: diwan stats [options] DB
! (see 'diwan stats --help')
$ diwan stats --shard 3/3 {db}
? 2
! diwan stats: --shard must be K/N with 0 <= K < N <= 65536
! usage: diwan stats [options] DB
! (see 'diwan stats --help')
# info says what the statistics hold: one part, nothing merged twice
$ diwan info {db}
> database      {db} (schema 1, teh marbuta kept)
> files         45 (45 done, 0 partial)
> pages         45
> articles      53 unique (40 dated, 2 without a source)
> sightings     95 (45 main, 50 related)
> duplicates    42 sightings of 11 articles seen more than once (2 across outlets)
> near dups     5 clusters, 5 articles joined a cluster as near-duplicates
> sources       4
> dates         2023-09-01 to 2024-03-12
> keywords      82 distinct
> quarantined   0
> invalid bytes 0
> statistics    48 articles in 1 part; n-grams of 1 to 3 words (overall and per source,month); 6 pairs within 5 words stored (min count 5)
# --per: n-grams overall only, or per month only; top says what was not counted
$ diwan stats -q --per none {db}
$ diwan top --limit 2 --format csv {db}
> term,count,df
> "في",154,47
> "من",113,42
$ diwan top --source RT {db}
? 2
! diwan top: n-grams were counted with --per none: none per source (rerun diwan stats)
$ diwan stats --per month {db}
> 48 articles: 4355 tokens, 2256 types, 1593 hapax; 18553 n-gram rows; 11209 pairs, 6 stored; 0 runs spilled
$ diwan top --source RT {db}
? 2
! diwan top: n-grams were counted with --per month: none per source (rerun diwan stats)
$ diwan stats --per weekly {db}
? 2
! diwan stats: --per takes source, month, both (source,month) or none
! usage: diwan stats [options] DB
! (see 'diwan stats --help')
