"""check_export.py DIR DB: loads every file `diwan stats --export` wrote in
DIR with pandas (as users do: keep_default_na=False, so that a term such as
"null" or "NA" stays text) and compares every cell with the statistics
tables of DB, read with Python's sqlite3. Prints "ok FILES ROWS" or the
problems."""
import math
import sqlite3
import sys

import pandas as pd

out, db = sys.argv[1], sys.argv[2]
con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
TABLES = {
    "buckets": ("kind,name,articles,tokens,chars",
                "SELECT kind, name, articles, tokens, chars FROM stats_buckets ORDER BY id"),
    "ngrams": ("kind,bucket,n,term,count,df",
               "SELECT b.kind, b.name, g.n, g.term, g.count, g.df FROM stats_ngrams g"
               " JOIN stats_buckets b ON b.id = g.bucket ORDER BY g.bucket, g.n, g.term"),
    "summary": ("kind,bucket,n,types,tokens,hapax",
                "SELECT b.kind, b.name, s.n, s.types, s.tokens, s.hapax FROM stats_summary s"
                " JOIN stats_buckets b ON b.id = s.bucket ORDER BY s.bucket, s.n"),
    "lengths": ("unit,length,articles", "SELECT unit, length, articles FROM stats_lengths ORDER BY unit, length"),
    "cooc_terms": ("term,count", "SELECT term, count FROM stats_cooc_terms ORDER BY term"),
    "cooc": ("term_a,term_b,count,pmi,npmi,llr",
             "SELECT term_a, term_b, count, pmi, npmi, llr FROM stats_cooc ORDER BY term_a, term_b"),
    "info": ("key,value", "SELECT key, value FROM stats_info ORDER BY key"),
    "parts": ("part,articles", "SELECT part, articles FROM stats_parts ORDER BY part"),
}
problems, rows = [], 0


def same(a, b):
    if isinstance(b, float) or isinstance(a, float):
        try:
            return math.isclose(float(a), float(b), rel_tol=1e-12, abs_tol=1e-12)
        except ValueError:
            return False
    return str(a) == str(b)


for name, (header, sql) in TABLES.items():
    d = pd.read_csv("%s/%s.csv.zst" % (out, name), keep_default_na=False)
    if ",".join(d.columns) != header:
        problems.append("%s: columns %s" % (name, list(d.columns)))
        continue
    want = con.execute(sql).fetchall()
    if len(d) != len(want):
        problems.append("%s: %d rows, the table %d" % (name, len(d), len(want)))
        continue
    for got, w in zip(d.itertuples(index=False), want):
        rows += 1
        if not all(same(x, y) for x, y in zip(got, w)):
            problems.append("%s: %s, the table %s" % (name, tuple(got), w))
            break
for p in problems[:10]:
    print(p)
if not problems:
    print("ok %d %d" % (len(TABLES), rows))
