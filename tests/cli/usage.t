# diwan without a command, with an unknown one, --version and --help
$ diwan
? 2
! usage: diwan COMMAND [options] DB ...
!
! commands:
!   ingest     read pages, folders, .zst and JSON records into a database
!   info       summarize a database: files, pages, articles, duplicates, quarantine
!   sources    list outlets, their aliases and article counts
!   dups       list near-duplicate clusters (--update computes them)
!   stats      count n-grams and co-occurrences into the database (--export, --merge)
!   top        most frequent terms, overall, per source or per month, or top pairs
!   cooc       the words that co-occur with a word
!   split      write a deterministic, leakage-free train/validation/test release
!   verify     check a release: checksums, rows, zstd frames, no cluster in two splits
!   report     write the corpus report (HTML with plots, Markdown or JSON)
!
! 'diwan COMMAND --help' describes a command's options.
$ diwan frobnicate
? 2
! diwan: unknown command 'frobnicate'
! usage: diwan COMMAND [options] DB ...
!
! commands:
!   ingest     read pages, folders, .zst and JSON records into a database
!   info       summarize a database: files, pages, articles, duplicates, quarantine
!   sources    list outlets, their aliases and article counts
!   dups       list near-duplicate clusters (--update computes them)
!   stats      count n-grams and co-occurrences into the database (--export, --merge)
!   top        most frequent terms, overall, per source or per month, or top pairs
!   cooc       the words that co-occur with a word
!   split      write a deterministic, leakage-free train/validation/test release
!   verify     check a release: checksums, rows, zstd frames, no cluster in two splits
!   report     write the corpus report (HTML with plots, Markdown or JSON)
!
! 'diwan COMMAND --help' describes a command's options.
$ diwan --version
> diwan 0.2.0
$ diwan info --help
> usage: diwan info [--json] DB
>
> Prints files, pages, articles, sightings, sources, duplicates and
> quarantined inputs of a database.
