# diwan without a command, with an unknown one, --version, --help and help
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
!   text       write the tokens the statistics count, one article or sentence a line
!   split      write a deterministic, leakage-free train/validation/test release
!   verify     check a release: checksums, rows, zstd frames, no cluster in two splits
!   report     write the corpus report (HTML with plots, Markdown or JSON)
!
! 'diwan COMMAND --help' (or 'diwan help COMMAND') describes a command's options.
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
!   text       write the tokens the statistics count, one article or sentence a line
!   split      write a deterministic, leakage-free train/validation/test release
!   verify     check a release: checksums, rows, zstd frames, no cluster in two splits
!   report     write the corpus report (HTML with plots, Markdown or JSON)
!
! 'diwan COMMAND --help' (or 'diwan help COMMAND') describes a command's options.
# a near miss gets a suggestion; 'help CMD' is 'CMD --help'
$ diwan reprot
? 2
! diwan: unknown command 'reprot'
! did you mean 'report'?
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
!   text       write the tokens the statistics count, one article or sentence a line
!   split      write a deterministic, leakage-free train/validation/test release
!   verify     check a release: checksums, rows, zstd frames, no cluster in two splits
!   report     write the corpus report (HTML with plots, Markdown or JSON)
!
! 'diwan COMMAND --help' (or 'diwan help COMMAND') describes a command's options.
$ diwan help cooc
> usage: diwan cooc [options] DB WORD
>
> Lists the neighbours of WORD counted by 'diwan stats' (pairs stored at or
> above --min-count): term_a is WORD as counted, term_b the neighbour.
> WORD is normalized and tokenized as the counted text was.
>   --by KEY     count (default), pmi, npmi or llr
>   --limit K    at most K rows (default 20, 0: all)
>   --format F   table (default), csv or json
$ diwan help frobnicate
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
!   text       write the tokens the statistics count, one article or sentence a line
!   split      write a deterministic, leakage-free train/validation/test release
!   verify     check a release: checksums, rows, zstd frames, no cluster in two splits
!   report     write the corpus report (HTML with plots, Markdown or JSON)
!
! 'diwan COMMAND --help' (or 'diwan help COMMAND') describes a command's options.
$ diwan --version
> diwan 0.2.0
$ diwan info --help
> usage: diwan info [--json] DB
>
> Prints files, pages, articles, sightings, sources, duplicates,
> quarantined inputs and what the statistics hold of a database.
