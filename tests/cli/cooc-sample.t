# diwan cooc: neighbours of a word written any way (hamza, diacritics)
$ diwan ingest -q {db} {root}/sample/pages
$ diwan stats -q --min-count 3 {db}
$ diwan cooc {db} بنسبة
> term_a  term_b  count     pmi    npmi      llr
> بنسبة   بالمئة      8  3.8203  0.3310  28.5843
$ diwan cooc --by llr --limit 2 --format csv {db} بالمئةِ
> term_a,term_b,count,pmi,npmi,llr
> "بالمئة","بنسبة",8,3.8203037919836995,0.33102087132029623,28.584250551574964
> "بالمئة","مقارنة",5,3.84748862130993,0.31487631309826281,17.977068201772134
$ diwan cooc --format json --limit 1 {db} مرسى
> [
>   {
>     "term_a": "مرسي",
>     "term_b": "الريح",
>     "count": 8,
>     "pmi": 5.72719438759,
>     "npmi": 0.496248722518,
>     "llr": 49.9763950179
>   }
> ]
# an empty table says why on stderr (csv and json stay empty)
$ diwan cooc {db} أسعار
> term_a  term_b  count  pmi  npmi  llr
! diwan cooc: 'اسعار' has no pair counted at least 3 times (--min-count)
$ diwan cooc {db} وقال
> term_a  term_b  count  pmi  npmi  llr
! diwan cooc: 'وقال' is in no pair: not in the counted text, or a stop word
$ diwan cooc --format csv {db} وقال
> term_a,term_b,count,pmi,npmi,llr
$ diwan cooc {db}
? 2
! diwan cooc: expected a database and a word
! usage: diwan cooc [options] DB WORD
! (see 'diwan cooc --help')
# statistics counted without pairs: cooc and top --by llr say so
$ diwan stats -q --no-cooc {db}
$ diwan cooc {db} بنسبة
? 2
! diwan cooc: co-occurrences were not counted (diwan stats ran with --no-cooc)
$ diwan top --by llr {db}
? 2
! diwan top: co-occurrences were not counted (diwan stats ran with --no-cooc)
