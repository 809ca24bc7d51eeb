# the sample corpus: figures checked against scripts/sample-expect.py
$ diwan ingest {db} {root}/sample/pages {root}/sample/extra
> 47 inputs: 47 read, 0 unchanged, 0 failed; 54 pages, 106 articles found (60 new, 46 duplicates); 1 quarantined; 0 invalid bytes replaced
> near-duplicates: 5 new pairs; 5 clusters of 10 articles in the database
! diwan ingest: warning: {root}/sample/extra/records.jsonl:5387: record 5: empty text
$ diwan info {db}
> database      {db} (schema 1, teh marbuta kept)
> files         47 (47 done, 0 partial)
> pages         54
> articles      60 unique (46 dated, 3 without a source)
> sightings     106 (53 main, 53 related)
> duplicates    46 sightings of 12 articles seen more than once (3 across outlets)
> near dups     5 clusters, 5 articles joined a cluster as near-duplicates
> sources       4
> dates         2023-09-01 to 2024-03-20
> keywords      86 distinct
> quarantined   1
> invalid bytes 0
> statistics    none (diwan stats counts them)
$ diwan sources {db}
> source                 origin    articles  sightings  aliases
> RT                     built-in        18         38  RT | RT Arabic | آر تي | ار تي عربي | روسيا اليوم
> Al-Yaman Al-Youm       built-in        15         30  Al-Yaman Al-Youm | اليمن اليوم | قناة اليمن اليوم
> صحيفة الشرق اليومية    seen            13         18  صحيفة الشرق اليومية
> موقع المرصد الاقتصادي  seen            11         17  موقع المرصد الاقتصادي
# the same inputs again: nothing changes
$ diwan ingest {db} {root}/sample/pages {root}/sample/extra
> 47 inputs: 0 read, 47 unchanged, 0 failed; 0 pages, 0 articles found (0 new, 0 duplicates); 0 quarantined; 0 invalid bytes replaced
> near-duplicates: 0 new pairs; 5 clusters of 10 articles in the database
$ diwan info {db}
> database      {db} (schema 1, teh marbuta kept)
> files         47 (47 done, 0 partial)
> pages         54
> articles      60 unique (46 dated, 3 without a source)
> sightings     106 (53 main, 53 related)
> duplicates    46 sightings of 12 articles seen more than once (3 across outlets)
> near dups     5 clusters, 5 articles joined a cluster as near-duplicates
> sources       4
> dates         2023-09-01 to 2024-03-20
> keywords      86 distinct
> quarantined   1
> invalid bytes 0
> statistics    none (diwan stats counts them)
# --reread: read again although unchanged, replacing what they gave (the
# articles seen only there are stored anew, their near-duplicate pairs found
# again): the same database
$ diwan ingest --reread {db} {root}/sample/pages {root}/sample/extra
> 47 inputs: 47 read, 0 unchanged, 0 failed; 54 pages, 106 articles found (48 new, 58 duplicates); 1 quarantined; 0 invalid bytes replaced
> near-duplicates: 5 new pairs; 5 clusters of 10 articles in the database
! diwan ingest: warning: {root}/sample/extra/records.jsonl:5387: record 5: empty text
$ diwan info {db}
> database      {db} (schema 1, teh marbuta kept)
> files         47 (47 done, 0 partial)
> pages         54
> articles      60 unique (46 dated, 3 without a source)
> sightings     106 (53 main, 53 related)
> duplicates    46 sightings of 12 articles seen more than once (3 across outlets)
> near dups     5 clusters, 5 articles joined a cluster as near-duplicates
> sources       4
> dates         2023-09-01 to 2024-03-20
> keywords      86 distinct
> quarantined   1
> invalid bytes 0
> statistics    none (diwan stats counts them)
