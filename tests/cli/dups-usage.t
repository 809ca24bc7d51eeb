# diwan dups: usage and lookup errors
$ diwan ingest -q --no-near-dup {db} {root}/sample/pages/page-001.txt
$ diwan dups --limit x {db}
? 2
! diwan dups: bad value 'x' for --limit
! usage: diwan dups [options] DB
! (see 'diwan dups --help')
$ diwan dups --update --near-dup-threshold 1.5 {db}
? 2
! diwan dups: bad value '1.5' for --near-dup-threshold (0 < T <= 1)
! usage: diwan dups [options] DB
! (see 'diwan dups --help')
$ diwan dups {db} {db}
? 2
! diwan dups: expected one database
! usage: diwan dups [options] DB
! (see 'diwan dups --help')
$ diwan dups --article 999 {db}
? 2
! diwan dups: {db}: no article 999
$ diwan dups --article 1 {db}
? 2
! diwan dups: {db}: article 1 has no cluster yet (run 'diwan dups --update')
$ diwan dups --update {db}
> near-dup: 2 articles signed (0 short), 0 candidate pairs (0 exact checks), 0 pairs stored; 0 clusters of 0 articles
> no near-duplicate clusters
