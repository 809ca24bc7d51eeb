# databases that cannot be opened exit 4 and say why
$ diwan info {tmp}/none.db
? 4
! diwan info: cannot open database {tmp}/none.db: No such file or directory
$ diwan sources {tmp}/none.db
? 4
! diwan sources: cannot open database {tmp}/none.db: No such file or directory
$ write text.db this is not a database but a text file that is long enough\n
$ diwan info {tmp}/text.db
? 4
! diwan info: {tmp}/text.db: file is not a database
$ diwan ingest {tmp}/text.db {root}/sample/pages/page-001.txt
? 4
! diwan ingest: {tmp}/text.db: pragma: file is not a database
$ diwan ingest {tmp}/no/such/dir/x.db {root}/sample/pages/page-001.txt
? 4
! diwan ingest: cannot create database {tmp}/no/such/dir/x.db: folder {tmp}/no/such/dir: No such file or directory
$ diwan info {tmp}
? 4
! diwan info: cannot open database {tmp}: is a directory
