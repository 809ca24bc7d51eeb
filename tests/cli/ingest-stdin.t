# standard input is read once per content: the same bytes again are unchanged
$ diwan ingest --json {db} -
< {root}/sample/pages/page-002.txt
>*
$ diwan ingest {db} -
< {root}/sample/pages/page-002.txt
> 1 input: 0 read, 1 unchanged, 0 failed; 0 pages, 0 articles found (0 new, 0 duplicates); 0 quarantined; 0 invalid bytes replaced
> near-duplicates: 0 new pairs; 0 clusters of 0 articles in the database
$ diwan ingest {db} -
< {root}/sample/pages/page-003.txt
>*
$ diwan info --json {db}
> {
>   "database": "{db}",
>   "schema_version": 1,
>   "files": 2,
>   "files_done": 2,
>   "files_partial": 0,
>   "pages": 2,
>   "articles": 5,
>   "sightings": 5,
>   "main_sightings": 2,
>   "related_sightings": 3,
>   "duplicate_sightings": 0,
>   "duplicated_articles": 0,
>   "cross_outlet_articles": 0,
>   "sources": 3,
>   "unknown_source_articles": 0,
>   "dated_articles": 2,
>   "keywords": 6,
>   "near_dup_clusters": 0,
>   "near_dup_articles": 0,
>   "unclustered_articles": 0,
>   "quarantined": 0,
>   "invalid_bytes": 0,
>   "first_date": "2023-09-05",
>   "last_date": "2023-09-07",
>   "statistics": null
> }
