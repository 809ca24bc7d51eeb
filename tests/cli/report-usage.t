# diwan report: usage errors (exit 2) and a missing database (exit 4)
$ diwan report
? 2
! diwan report: expected one database
! usage: diwan report [options] DB --out PATH
! (see 'diwan report --help')
$ diwan report {tmp}/none.db
? 2
! diwan report: --out PATH is required ('-' for standard output)
! usage: diwan report [options] DB --out PATH
! (see 'diwan report --help')
$ diwan report --format pdf --out - {tmp}/none.db
? 2
! diwan report: --format must be html, md or json
! usage: diwan report [options] DB --out PATH
! (see 'diwan report --help')
$ diwan report --limit 0 --out - {tmp}/none.db
? 2
! diwan report: --limit must be a number from 1 to 100000
! usage: diwan report [options] DB --out PATH
! (see 'diwan report --help')
$ diwan report --date 2026-13-01 --out - {tmp}/none.db
? 2
! diwan report: --date must be YYYY-MM-DD
! usage: diwan report [options] DB --out PATH
! (see 'diwan report --help')
# a calendar date: 2023 had no February 29th; 2024 did (the date passes,
# the missing database is the error)
$ diwan report --date 2023-02-29 --out - {tmp}/none.db
? 2
! diwan report: --date must be YYYY-MM-DD
! usage: diwan report [options] DB --out PATH
! (see 'diwan report --help')
$ diwan report --date 2024-02-29 --out - {tmp}/none.db
? 4
! diwan report: cannot open database {tmp}/none.db: No such file or directory
$ diwan report --bogus {tmp}/none.db
? 2
! diwan report: unknown option '--bogus'
! usage: diwan report [options] DB --out PATH
! (see 'diwan report --help')
$ diwan report --out
? 2
! diwan report: option '--out' needs a value
! usage: diwan report [options] DB --out PATH
! (see 'diwan report --help')
$ diwan report --out {tmp}/r.html {tmp}/none.db
!*
? 4
# nothing was written
$ diwan report --out - --format json {tmp}/r.html
!*
? 4
