# diwan top: terms overall, per source (any alias), per month, by df, pairs, formats
$ diwan ingest -q {db} {root}/sample/pages
$ diwan stats -q {db}
$ diwan top --limit 5 {db}
> term  count  df
> في      154  47
> من      113  42
> ان       89  45
> الي      81  40
> علي      75  38
# an alias of RT, in another case
$ diwan top --source rt --limit 3 --format json {db}
> [
>   {
>     "term": "في",
>     "count": 41,
>     "df": 13
>   },
>   {
>     "term": "ان",
>     "count": 27,
>     "df": 14
>   },
>   {
>     "term": "الي",
>     "count": 26,
>     "df": 11
>   }
> ]
$ diwan top --month 2023-10 --ngram 2 --by df --limit 3 --format csv {db}
> term,count,df
> "من العام",4,3
> "اكثر من",3,2
> "بالمئة في",3,2
$ diwan top --by llr --limit 3 {db}
> term_a  term_b  count     pmi    npmi      llr
> الورد   تل          9  5.6728  0.5007  55.7009
> الريح   مرسي        8  5.7102  0.4966  49.8097
> بالمئة  بنسبة       8  3.8227  0.3324  28.6251
$ diwan top --by npmi --limit 1 --format json {db}
> [
>   {
>     "term_a": "الورد",
>     "term_b": "تل",
>     "count": 9,
>     "pmi": 5.67281981308,
>     "npmi": 0.500699186794,
>     "llr": 55.700899525
>   }
> ]
# GloVe's vocabulary file: 'word count', count descending, ties in byte order
$ diwan top --format vocab --limit 4 {db}
> في 154
> من 113
> ان 89
> الي 81
$ diwan top --format vocab --ngram 2 {db}
? 2
! diwan top: --format vocab lists words by count: no --ngram or --by
! usage: diwan top [options] DB
! (see 'diwan top --help')
$ diwan top --format vocab --by df {db}
? 2
! diwan top: --format vocab lists words by count: no --ngram or --by
! usage: diwan top [options] DB
! (see 'diwan top --help')
$ diwan top --source nope {db}
? 2
! diwan top: unknown source 'nope'
# an outlet the registry knows but no counted article is from; a month
# without articles; months that cannot be
$ diwan top --source الجزيرة {db}
> term  count  df
! diwan top: no article of Al Jazeera was counted
$ diwan top --month 2022-01 {db}
> term  count  df
! diwan top: no article dated 2022-01 was counted (months counted: 2023-09 to 2024-03)
$ diwan top --month 2023-13 {db}
? 2
! diwan top: --month must be YYYY-MM
! usage: diwan top [options] DB
! (see 'diwan top --help')
$ diwan top --month 2023-1x {db}
? 2
! diwan top: --month must be YYYY-MM
! usage: diwan top [options] DB
! (see 'diwan top --help')
$ diwan top --source RT --month 2023-10 {db}
? 2
! diwan top: --source and --month are separate buckets: give one
! usage: diwan top [options] DB
! (see 'diwan top --help')
# pairs are co-occurrences of two words over all articles
$ diwan top --ngram 2 --by pmi {db}
? 2
! diwan top: --by pmi ranks co-occurring word pairs: no --ngram
! usage: diwan top [options] DB
! (see 'diwan top --help')
$ diwan top --month 2023-10 --by llr {db}
? 2
! diwan top: pairs are counted over all articles: no --source or --month with --by llr
! usage: diwan top [options] DB
! (see 'diwan top --help')
