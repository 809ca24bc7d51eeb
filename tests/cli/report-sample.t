# the report of the sample corpus as Markdown on standard output (plots are
# written only beside a file); every figure also printed by info, top and dups
$ diwan ingest -q {db} {root}/sample/pages {root}/sample/extra
$ diwan stats {db}
>*
$ diwan report {db} -o - --format md --limit 2 --date 2026-01-31
> # Corpus report: db.sqlite
>
> diwan 0.2.0, 2026-01-31; at most 2 rows per table.
>
> ## Overview
>
> | figure | value |
> |---|--:|
> | `files` | 47 |
> | `files_done` | 47 |
> | `files_partial` | 0 |
> | `pages` | 54 |
> | `articles` | 60 |
> | `sightings` | 106 |
> | `main_sightings` | 53 |
> | `related_sightings` | 53 |
> | `duplicate_sightings` | 46 |
> | `duplicated_articles` | 12 |
> | `cross_outlet_articles` | 3 |
> | `sources` | 4 |
> | `unknown_source_articles` | 3 |
> | `dated_articles` | 46 |
> | `keywords` | 86 |
> | `near_dup_clusters` | 5 |
> | `near_dup_articles` | 5 |
> | `unclustered_articles` | 0 |
> | `quarantined` | 1 |
> | `invalid_bytes` | 0 |
> | `first_date` | 2023-09-01 |
> | `last_date` | 2024-03-20 |
> | `exact_duplicate_rate` | 43.4% |
> | `near_duplicate_rate` | 8.3% |
>
> Exact duplicates: articles found that repeat an article already seen (`duplicate_sightings / sightings`). Near duplicates: unique articles that joined a cluster as near copies (`near_dup_articles / articles`).
>
> ### Quarantined inputs (1)
>
> | input | offset | reason |
> |---|--:|---|
> | {root}/sample/extra/records.jsonl | 5387 | record 5: empty text |
>
> ## Per outlet
>
> | outlet | articles | sightings | tokens | first date | last date | exact dup. | near dup. | also carried by other outlets | counted by stats |
> |---|--:|--:|--:|---|---|--:|--:|--:|--:|
> | RT | 18 | 38 | 1604 | 2023-09-05 | 2024-03-20 | 50.0% | 5.6% | 10.5% (2 of 19) | 17 |
> | Al-Yaman Al-Youm | 15 | 30 | 1417 | 2023-09-03 | 2024-03-05 | 43.3% | 13.3% | 11.8% (2 of 17) | 13 |
> | صحيفة الشرق اليومية | 13 | 18 | 1120 | 2023-09-01 | 2024-03-12 | 27.8% | 15.4% | 7.7% (1 of 13) | 11 |
> | موقع المرصد الاقتصادي | 11 | 17 | 958 | 2023-09-09 | 2024-02-20 | 35.3% | 0.0% | 9.1% (1 of 11) | 11 |
>
> ### RT
>
> Top terms:
>
> | # | term | count | df |
> |--:|---|--:|--:|
> | 1 | في | 48 | 16 |
> | 2 | من | 36 | 14 |
>
> Distinctive terms (weighted log-odds, informative Dirichlet prior, z-score):
>
> | # | term | count | df | z |
> |--:|---|--:|--:|--:|
> | 1 | التعليم | 4 | 3 | 1.55 |
> | 2 | الشطرنج | 3 | 1 | 1.34 |
>
> ### Al-Yaman Al-Youm
>
> Top terms:
>
> | # | term | count | df |
> |--:|---|--:|--:|
> | 1 | في | 49 | 13 |
> | 2 | من | 35 | 12 |
>
> Distinctive terms (weighted log-odds, informative Dirichlet prior, z-score):
>
> | # | term | count | df | z |
> |--:|---|--:|--:|--:|
> | 1 | المناطق | 5 | 4 | 1.88 |
> | 2 | اللجنة | 5 | 3 | 1.63 |
>
> ### صحيفة الشرق اليومية
>
> Top terms:
>
> | # | term | count | df |
> |--:|---|--:|--:|
> | 1 | في | 30 | 11 |
> | 2 | من | 22 | 10 |
>
> Distinctive terms (weighted log-odds, informative Dirichlet prior, z-score):
>
> | # | term | count | df | z |
> |--:|---|--:|--:|--:|
> | 1 | الدقيقة | 3 | 2 | 1.56 |
> | 2 | القرار | 3 | 2 | 1.56 |
>
> ### موقع المرصد الاقتصادي
>
> Top terms:
>
> | # | term | count | df |
> |--:|---|--:|--:|
> | 1 | في | 35 | 11 |
> | 2 | من | 26 | 10 |
>
> Distinctive terms (weighted log-odds, informative Dirichlet prior, z-score):
>
> | # | term | count | df | z |
> |--:|---|--:|--:|--:|
> | 1 | اسعار | 7 | 4 | 1.70 |
> | 2 | البناء | 3 | 3 | 1.56 |
>
> ## Articles per month
>
> *(plot months.svg: written only when the report goes to a file)*
>
> ## Article lengths
>
> *(plot lengths-tokens.svg: written only when the report goes to a file)*
>
> In tokens: 55 articles; mean 88.2, median 91, 90th percentile 107, max 144; bins of 5, the last open.
>
> *(plot lengths-chars.svg: written only when the report goes to a file)*
>
> In characters: 55 articles; mean 520.7, median 528, 90th percentile 610, max 868; bins of 50, the last open.
>
> ## Rank and frequency (Zipf)
>
> *(plot zipf.svg: written only when the report goes to a file)*
>
> 2442 word types, 4851 tokens. Zipf exponent s = 0.792: least squares of log f on log r over ranks 1 to 137 (the last rank with frequency at least 5), at 32 log-spaced ranks.
>
> ## Vocabulary growth (Heaps)
>
> *(plot heaps.svg: written only when the report goes to a file)*
>
> 55 articles read in content-hash order: 4851 tokens, 2442 distinct words. V = K n^β with K = 1.796, β = 0.858 (least squares on log-log axes, points from 100 tokens on).
>
> ## Top n-grams
>
> ### Words
>
> | # | term | count | df |
> |--:|---|--:|--:|
> | 1 | في | 171 | 54 |
> | 2 | من | 131 | 49 |
>
> ### Bigrams
>
> | # | term | count | df |
> |--:|---|--:|--:|
> | 1 | اكثر من | 17 | 16 |
> | 2 | تل الورد | 11 | 10 |
>
> ### Trigrams
>
> | # | term | count | df |
> |--:|---|--:|--:|
> | 1 | جامعة تل الورد | 4 | 4 |
> | 2 | بعد ان كان | 3 | 3 |
>
> ## Collocations
>
> ### By PMI
>
> | # | term a | term b | count | PMI | NPMI | LLR |
> |--:|---|---|--:|--:|--:|--:|
> | 1 | الكحل | جبل | 6 | 6.0691 | 0.5029 | 40.1839 |
> | 2 | الريح | مرسي | 8 | 5.8645 | 0.5032 | 51.4985 |
>
> ### By log-likelihood
>
> | # | term a | term b | count | PMI | NPMI | LLR |
> |--:|---|---|--:|--:|--:|--:|
> | 1 | الورد | تل | 11 | 5.5661 | 0.4972 | 66.5112 |
> | 2 | الريح | مرسي | 8 | 5.8645 | 0.5032 | 51.4985 |
>
> ## Neighbours of the most frequent content words
>
> | word | count | neighbours (pair count) |
> |---|--:|---|
> | العام | 27 | المقبل (8), الربع (5) |
> | بالمئة | 24 | بنسبة (8), مقارنة (5) |
>
> ## Largest duplicate clusters
>
> ### Cluster 3: 2 articles, 2 sightings
>
> | article | join | similarity | date | outlet | sightings | title |
> |--:|---|--:|---|---|--:|---|
> | 3 | representative | 1.000 | 2023-09-05 | RT | 1 | أمطار غزيرة تغمر طرقا في وادي السدر وتعلق الدراسة يومين |
> | 16 | near | 0.960 | 2023-09-06 | Al-Yaman Al-Youm | 1 | السيول تقطع طرق وادي السدر والسلطات تعلق الدراسة في المنطقة |
>
> ### Cluster 9: 2 articles, 2 sightings
>
> | article | join | similarity | date | outlet | sightings | title |
> |--:|---|--:|---|---|--:|---|
> | 9 | representative | 1.000 | 2023-09-11 | RT | 1 | حملة وطنية للتطعيم ضد الإنفلونزا الموسمية تستهدف مليون مواطن |
> | 24 | near | 0.809 | 2023-09-12 | صحيفة الشرق اليومية | 1 | حملة وطنية للتطعيم ضد الإنفلونزا الموسمية تستهدف مليون مواطن |
>
> ## Repeated lines
>
> No body line is found in two articles or more.
