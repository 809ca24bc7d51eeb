# near-duplicate clusters of the sample corpus: the five near-copy pairs A-E of sample/README.md
$ diwan ingest -q --no-near-dup {db} {root}/sample/pages {root}/sample/extra
$ diwan dups {db}
> no near-duplicate clusters
> 60 articles not clustered yet (run 'diwan dups --update')
$ diwan dups --update {db}
> near-dup: 60 articles signed (0 short), 5 candidate pairs (5 exact checks), 5 pairs stored; 5 clusters of 10 articles
> cluster  article  join            similarity  date        source                 sightings  title
>       3        3  representative  1.000       2023-09-05  RT                             1  أمطار غزيرة تغمر طرقا في وادي السدر وتعلق الدراسة يومين
>       3       16  near            0.960       2023-09-06  Al-Yaman Al-Youm               1  السيول تقطع طرق وادي السدر والسلطات تعلق الدراسة في المنطقة
>       9        9  representative  1.000       2023-09-11  RT                             1  حملة وطنية للتطعيم ضد الإنفلونزا الموسمية تستهدف مليون مواطن
>       9       24  near            0.809       2023-09-12  صحيفة الشرق اليومية            1  حملة وطنية للتطعيم ضد الإنفلونزا الموسمية تستهدف مليون مواطن
>      18       18  representative  1.000       2023-09-25  RT                             1  بدء التشغيل التجريبي للخط الأول من مترو النخيلة
>      18       36  near            0.804       2023-09-26  Al-Yaman Al-Youm               1  مترو النخيلة يبدأ تشغيله التجريبي بخط يربط الميناء بالمطار
>      27       27  representative  1.000       2023-10-15  موقع المرصد الاقتصادي          1  التضخم السنوي يتراجع إلى 3.8 بالمئة في سبتمبر
>      27       42  near            0.955       2023-10-16  صحيفة الشرق اليومية            1  تراجع التضخم إلى أدنى مستوى منذ عامين بفضل أسعار الغذاء
>      44       44  representative  1.000       2023-12-12  Al-Yaman Al-Youm               1  عاصفة رملية تغلق الطريق الصحراوي وتؤخر رحلات جوية
>      44       47  near            0.846       2023-12-13  RT                             1  عاصفة رملية تغلق الطريق الصحراوي وتؤخر رحلات جوية
# a rerun signs nothing and changes nothing
$ diwan dups --update --limit 1 {db}
> near-dup: 0 articles signed (0 short), 0 candidate pairs (0 exact checks), 0 pairs stored; 5 clusters of 10 articles
> cluster  article  join            similarity  date        source            sightings  title
>       3        3  representative  1.000       2023-09-05  RT                        1  أمطار غزيرة تغمر طرقا في وادي السدر وتعلق الدراسة يومين
>       3       16  near            0.960       2023-09-06  Al-Yaman Al-Youm          1  السيول تقطع طرق وادي السدر والسلطات تعلق الدراسة في المنطقة
# one cluster, as JSON
$ diwan dups --article 16 --json {db}
> [
>   {
>     "cluster": 3,
>     "articles": 2,
>     "sightings": 2,
>     "members": [
>       {
>         "article": 3,
>         "join": "representative",
>         "similarity": 1.0,
>         "date": "2023-09-05",
>         "source": "RT",
>         "sightings": 1,
>         "title": "أمطار غزيرة تغمر طرقا في وادي السدر وتعلق الدراسة يومين"
>       },
>       {
>         "article": 16,
>         "join": "near",
>         "similarity": 0.96,
>         "date": "2023-09-06",
>         "source": "Al-Yaman Al-Youm",
>         "sightings": 1,
>         "title": "السيول تقطع طرق وادي السدر والسلطات تعلق الدراسة في المنطقة"
>       }
>     ]
>   }
> ]
# a singleton
$ diwan dups --article 5 {db}
> cluster  article  join            similarity  date        source               sightings  title
>       5        5  representative  1.000       2023-09-07  صحيفة الشرق اليومية          1  نادي الساحل يتوج بكأس البلاد للمرة الأولى في تاريخه
