# usage errors of ingest exit 2 and say what is wrong
$ diwan ingest
? 2
! diwan ingest: expected a database and at least one input
! usage: diwan ingest [options] DB INPUT...
! (see 'diwan ingest --help')
$ diwan ingest {db}
? 2
! diwan ingest: expected a database and at least one input
! usage: diwan ingest [options] DB INPUT...
! (see 'diwan ingest --help')
$ diwan ingest --frob {db} x
? 2
! diwan ingest: unknown option '--frob'
! usage: diwan ingest [options] DB INPUT...
! (see 'diwan ingest --help')
$ diwan ingest --threads 0 {db} x
? 2
! diwan ingest: --threads: expected a number from 1 to 256, got '0'
! usage: diwan ingest [options] DB INPUT...
! (see 'diwan ingest --help')
$ diwan ingest {db} x --threads
? 2
! diwan ingest: option '--threads' needs a value
! usage: diwan ingest [options] DB INPUT...
! (see 'diwan ingest --help')
$ diwan ingest --sources {tmp}/nope.tsv {db} {root}/sample/pages/page-001.txt
? 2
! diwan ingest: cannot open sources file {tmp}/nope.tsv: No such file or directory
$ write bad.tsv RT\tRussia Today\nno tab on this line\n
$ diwan ingest --sources {tmp}/bad.tsv {db} {root}/sample/pages/page-001.txt
? 2
! diwan ingest: {tmp}/bad.tsv:2: expected alias<TAB>canonical name
$ diwan ingest --encoding klingon {db} {root}/sample/pages/page-001.txt
? 2
! diwan ingest: unknown encoding klingon
