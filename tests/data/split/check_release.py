"""check_release.py REL DB: loads every data file of the release REL with
pandas (as users do), checks shape and dtypes against manifest.json and
every cell against the database DB. Prints "ok FILES ROWS" or the problems."""
import json
import sqlite3
import sys

import pandas as pd

rel, db = sys.argv[1], sys.argv[2]
man = json.load(open(rel + "/manifest.json", encoding="utf-8"))
cols = [c["name"] for c in man["columns"]]
con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
problems = []
rows = 0
clusters = {}
for f in man["files"]:
    path = rel + "/" + f["name"]
    d = pd.read_csv(path, keep_default_na=False)
    if d.shape != (f["rows"], len(cols)):
        problems.append("%s: shape %s, manifest %s" % (f["name"], d.shape, (f["rows"], len(cols))))
    if list(d.columns) != cols:
        problems.append("%s: columns %s" % (f["name"], list(d.columns)))
    if f["rows"] and str(d["n_tokens"].dtype) != "int64":
        problems.append("%s: n_tokens is %s" % (f["name"], d["n_tokens"].dtype))
    s = pd.read_csv(path, keep_default_na=False, dtype=str)
    for r in s.itertuples(index=False):
        rows += 1
        got = con.execute(
            "SELECT a.title, a.body, coalesce(a.published, ''), coalesce(s.name, ''), a.n_tokens, a.n_chars"
            " FROM articles a LEFT JOIN sources s ON s.id = a.source_id WHERE hex(a.content_hash) = upper(?)",
            (r.id,)).fetchone()
        if got is None:
            problems.append("%s: id %s not in the database" % (f["name"], r.id))
            continue
        want = (r.title, r.text, r.published, r.source, int(r.n_tokens), int(r.n_chars))
        if tuple(got) != want:
            problems.append("%s: row %s differs" % (f["name"], r.id))
        if r.split != f["split"]:
            problems.append("%s: row %s has split %s" % (f["name"], r.id, r.split))
        if clusters.setdefault(r.cluster_id, r.split) != r.split:
            problems.append("cluster %s in two splits" % r.cluster_id)
for p in problems[:10]:
    print(p)
if not problems:
    print("ok %d %d" % (len(man["files"]), rows))
