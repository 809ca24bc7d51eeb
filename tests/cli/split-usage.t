# diwan split: bad options exit 2, a missing database 4
$ diwan split {db} --out {tmp}/r --ratios 0.5,0.6
? 2
! diwan split: bad value '0.5,0.6' for --ratios (2 or 3 shares in [0, 1] summing to 1)
! usage: diwan split [options] DB --out DIR
! (see 'diwan split --help')
$ diwan split {db} --out {tmp}/r --ratios 1
? 2
! diwan split: bad value '1' for --ratios (2 or 3 shares in [0, 1] summing to 1)
! usage: diwan split [options] DB --out DIR
! (see 'diwan split --help')
$ diwan split {db}
? 2
! diwan split: --out DIR is required
! usage: diwan split [options] DB --out DIR
! (see 'diwan split --help')
$ diwan split --out {tmp}/r
? 2
! diwan split: expected one database
! usage: diwan split [options] DB --out DIR
! (see 'diwan split --help')
$ diwan split {db} --out {tmp}/r --by-date 2023-12-31,2023-01-01
? 2
! diwan split: bad value '2023-12-31,2023-01-01' for --by-date (TRAIN_END[,VALID_END], YYYY-MM-DD, in order)
! usage: diwan split [options] DB --out DIR
! (see 'diwan split --help')
$ diwan split {db} --out {tmp}/r --by-date 2023-01-01 --ratios 0.5,0.5
? 2
! diwan split: --by-date excludes --ratios and --stratify
! usage: diwan split [options] DB --out DIR
! (see 'diwan split --help')
$ diwan split {db} --out {tmp}/r --stratify month
? 2
! diwan split: bad value 'month' for --stratify (only 'source')
! usage: diwan split [options] DB --out DIR
! (see 'diwan split --help')
$ diwan split {db} --out {tmp}/r --level 30
? 2
! diwan split: bad value '30' for --level
! usage: diwan split [options] DB --out DIR
! (see 'diwan split --help')
$ diwan split {db} --out {tmp}/r --since 2023-13-01
? 2
! diwan split: bad date '2023-13-01' for --since (YYYY-MM-DD)
! usage: diwan split [options] DB --out DIR
! (see 'diwan split --help')
# calendar dates only: no February 29th outside leap years, no April 31st
$ diwan split {db} --out {tmp}/r --until 2023-02-29
? 2
! diwan split: bad date '2023-02-29' for --until (YYYY-MM-DD)
! usage: diwan split [options] DB --out DIR
! (see 'diwan split --help')
$ diwan split {db} --out {tmp}/r --by-date 2024-04-31
? 2
! diwan split: bad value '2024-04-31' for --by-date (TRAIN_END[,VALID_END], YYYY-MM-DD, in order)
! usage: diwan split [options] DB --out DIR
! (see 'diwan split --help')
$ diwan split {db} --out {tmp}/r --shard-rows 0
? 2
! diwan split: bad value '0' for --shard-rows
! usage: diwan split [options] DB --out DIR
! (see 'diwan split --help')
$ diwan split {db} --out {tmp}/r --frobnicate
? 2
! diwan split: unknown option '--frobnicate'
! usage: diwan split [options] DB --out DIR
! (see 'diwan split --help')
$ diwan split {tmp}/none.db --out {tmp}/r
? 4
! diwan split: cannot open database {tmp}/none.db: No such file or directory
$ write text.db this is not a database but a text file that is long enough\n
$ diwan split {tmp}/text.db --out {tmp}/r
? 4
! diwan split: {tmp}/text.db: file is not a database
$ diwan ingest -q {db} {root}/sample/pages/page-001.txt
$ diwan split {db} --out {tmp}/r --source Nowhere
? 2
! diwan split: unknown source 'Nowhere' (see 'diwan sources')
$ diwan split -q {db} --out {tmp}/r
$ write r/notes.txt keep me\n
$ diwan split {db} --out {tmp}/r
? 2
! diwan split: {tmp}/r holds notes.txt, which is not part of a release (use --force)
$ diwan split {db} --out {tmp}/no/such/dir
? 5
! diwan split: cannot create {tmp}/no/such/dir: No such file or directory
