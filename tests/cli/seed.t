requires shared
# the seed page gives exactly two articles: Al-Yaman Al-Youm's and RT's
$ diwan ingest {db} {shared}/seeds/000_ed7c3fead92d0ce9.txt
> 1 input: 1 read, 0 unchanged, 0 failed; 1 page, 2 articles found (2 new, 0 duplicates); 0 quarantined; 0 invalid bytes replaced
> near-duplicates: 0 new pairs; 0 clusters of 0 articles in the database
$ diwan sources {db}
> source            origin    articles  sightings  aliases
> Al-Yaman Al-Youm  built-in         1          1  Al-Yaman Al-Youm | اليمن اليوم | قناة اليمن اليوم
> RT                built-in         1          1  RT | RT Arabic | آر تي | ار تي عربي | روسيا اليوم
