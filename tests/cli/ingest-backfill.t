# ingest --backfill: 13-gram samples for articles of an older diwan
$ diwan ingest -q {db} {root}/sample/pages/page-001.txt
$ diwan ingest --backfill {db}
> 0 articles given a 13-gram sample
$ diwan ingest --backfill -q {db}
$ diwan ingest --backfill {db} {root}/sample/pages/page-001.txt
? 2
! diwan ingest: --backfill: expected a database and no input
! usage: diwan ingest [options] DB INPUT...
! (see 'diwan ingest --help')
$ diwan ingest --backfill {tmp}/nope.sqlite
? 4
! diwan ingest: cannot open database {tmp}/nope.sqlite: No such file or directory
