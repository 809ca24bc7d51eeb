# diwan cooc: neighbours of a word written any way (hamza, diacritics)
$ diwan ingest -q {db} {root}/sample/pages
$ diwan stats -q --min-count 3 {db}
$ diwan cooc {db} بنسبة
> term_a  term_b  count     pmi    npmi      llr
> بنسبة   بالمئة      8  3.8227  0.3324  28.6251
$ diwan cooc --by llr --limit 2 --format csv {db} بالمئةِ
> term_a,term_b,count,pmi,npmi,llr
> "بالمئة","بنسبة",8,3.8226624239510669,0.33241348299167445,28.625122751567812
> "بالمئة","مقارنة",5,3.8621907881377044,0.3171503005928113,18.086373052943991
$ diwan cooc --format json --limit 1 {db} مرسى
> [
>   {
>     "term_a": "مرسي",
>     "term_b": "الريح",
>     "count": 8,
>     "pmi": 5.71018769469,
>     "npmi": 0.496550092479,
>     "llr": 49.8096985389
>   }
> ]
# an empty table says why on stderr (csv and json stay empty)
$ diwan cooc {db} أسعار
> term_a  term_b  count  pmi  npmi  llr
! diwan cooc: 'اسعار' has no pair counted at least 3 times (--min-count)
$ diwan cooc {db} وقال
> term_a  term_b  count  pmi  npmi  llr
! diwan cooc: 'وقال' occurs 24 times but is in no pair: a stop word (diwan stats --keep-stopwords pairs them), or never within --window of another word
$ diwan cooc --format csv {db} وقال
> term_a,term_b,count,pmi,npmi,llr
$ diwan cooc {db} xyzzy
> term_a  term_b  count  pmi  npmi  llr
! diwan cooc: 'xyzzy' is not in the counted text
# the word is tokenized as the statistics were: punctuation around it goes,
# two words or none are refused
$ diwan cooc --limit 1 {db} «بنسبة»،
> term_a  term_b  count     pmi    npmi      llr
> بنسبة   بالمئة      8  3.8227  0.3324  28.6251
$ diwan cooc {db} al-Qaeda
? 2
! diwan cooc: 'al-Qaeda' is not one word as the statistics count words: give one word
$ diwan cooc {db} ـــ
? 2
! diwan cooc: 'ـــ' is not one word as the statistics count words: give one word
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
