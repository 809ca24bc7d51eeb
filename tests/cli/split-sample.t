# diwan split on the sample corpus: the summary, verify, a rerun with other
# options over the same folder, a time split and filters
$ diwan ingest -q {db} {root}/sample/pages {root}/sample/extra
$ diwan split {db} --out {tmp}/rel --ratios 0.8,0.1,0.1 --seed 13
> {tmp}/rel: train 43, validation 5, test 7 rows in 3 files; 55 clusters, 60 articles, 5 duplicates dropped
> leakage: 0 near-duplicate pairs across splits; 0 of 28 test 13-grams in train (0.00%, sampled)
$ diwan verify {tmp}/rel
> {tmp}/rel: 5 files verified
$ diwan split {db} --out {tmp}/rel --ratios 0.9,0.1 --shard-rows 20 --keep-duplicates --threads 2
> {tmp}/rel: train 57, test 3 rows in 4 files; 55 clusters, 60 articles, 0 duplicates dropped
> leakage: 0 near-duplicate pairs across splits; 0 of 12 test 13-grams in train (0.00%, sampled)
$ diwan verify -q {tmp}/rel
$ diwan split {db} --out {tmp}/rel --ratios 0.9,0.1 --shard-rows 20 --keep-duplicates -q --progress
$ diwan split {db} --out {tmp}/rel --by-date 2023-10-31,2023-12-31 --no-leakage --date 2024-05-01
> {tmp}/rel: train 34, validation 10, test 11 rows in 3 files; 55 clusters, 60 articles, 5 duplicates dropped
> leakage: 0 near-duplicate pairs across splits
> undated: 14 rows in train (--by-date puts clusters without a date there)
$ diwan split {db} -o {tmp}/rel2 --source RT --min-tokens 10 --since 2023-01-01 --until 2024-12-31 -q
$ diwan verify {tmp}/rel2
> {tmp}/rel2: 5 files verified
