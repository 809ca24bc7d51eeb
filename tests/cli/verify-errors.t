# diwan verify: what it finds (exit 1); usage errors exit 2
$ diwan verify
? 2
! diwan verify: expected one folder
! usage: diwan verify [options] DIR
! (see 'diwan verify --help')
$ diwan verify {tmp}/none
? 1
! diwan verify: {tmp}/none: No such file or directory
! diwan verify: {tmp}/none: 1 problem
$ diwan ingest -q {db} {root}/sample/pages/page-001.txt
$ diwan split -q {db} --out {tmp}/rel --no-leakage
$ write rel/manifest.json {"files": [\n
$ diwan verify {tmp}/rel
? 1
! diwan verify: manifest.json: line 2: ']' expected near end of file
! diwan verify: {tmp}/rel: 1 problem
$ write rel/manifest.json {"columns": [], "files": [{"name": "../x.csv.zst", "split": "train", "rows": 0, "bytes": 0, "sha256": ""}]}\n
$ diwan verify {tmp}/rel
? 1
! diwan verify: manifest.json: bad entry 0 in files
! diwan verify: README.md: not listed in manifest.json
! diwan verify: croissant.json: not listed in manifest.json
! diwan verify: test.csv.zst: not listed in manifest.json
! diwan verify: train.csv.zst: not listed in manifest.json
! diwan verify: validation.csv.zst: not listed in manifest.json
! diwan verify: {tmp}/rel: 6 problems
