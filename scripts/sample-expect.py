#!/usr/bin/python3
"""sample-expect.py: computes the expected figures of diwan's sample corpus.

An independent, stdlib-only model of what `diwan ingest` should find in
sample/: the page grammar, the text normalization (src/core/norm.h), the exact
dedup on the normalized body and the canonical-source rule. Its numbers are the
contract that sample/README.md records and the tests assert; run it after any
change to sample/ and update the README.

    scripts/sample-expect.py            # markdown tables (as in sample/README.md)
    scripts/sample-expect.py --json     # the same figures as JSON
    scripts/sample-expect.py --check    # also prove the figures do not depend on
                                        # the choices the grammar leaves open
    scripts/sample-expect.py FILE...    # articles found in the given files

Page grammar (one scraped page per file; lines split on LF, CRLF or CR; a
leading BOM dropped; marker lines recognized on their normalized form):
  - the first non-blank line is the main article's title;
  - an optional `تاريخ النشر:` line gives its date;
  - body lines follow until a `المصدر:` line (the source, which closes the
    article), a `كلمات دلالية:` line, a read-also marker or the end;
  - `كلمات دلالية:` gives the main article's keywords, split on `,` (also `،`)
    and on ` - `;
  - a read-also marker (`اقرأ أيضا`, `إقرأ أيضاً:`, `اقرا ايضا` ... optional
    colon) opens related articles: each is a title line and body lines closed
    by its own `المصدر:` line; after a closed related article the next
    non-blank line starts another related article;
  - a page without any marker line is a title and body lines only.
The body is the body lines, stripped, blank ones dropped, joined by '\\n'.
JSON Lines records: a record whose text has marker lines is a page; otherwise
its title/source/date fields make the main article and the whole text is the
body. A record with an empty text gives no article.

Canonical source of a unique article: the source of its earliest-dated
sighting, undated sightings last, ties broken by the lowest canonical source
name in byte order. Related articles carry no date of their own.
"""
import argparse
import codecs
import datetime
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import unicodedata

# ---------------------------------------------------------------- normalization

_DROP = set(range(0x064B, 0x0660)) | {0x0670, 0x0640}
_DROP |= set(range(0x200B, 0x2010)) | set(range(0x202A, 0x202F)) | set(range(0x2066, 0x206A))
_DROP |= {0xFEFF, 0x061C}
_MAP = {0x0623: "ا", 0x0625: "ا", 0x0622: "ا", 0x0671: "ا", 0x0649: "ي",
        0x06A9: "ك", 0x06CC: "ي", 0x060C: ",", 0x061B: ";", 0x061F: "?",
        0x066A: "%", 0x00AB: '"', 0x00BB: '"', 0x201C: '"', 0x201D: '"'}
for _i in range(10):
    _MAP[0x0660 + _i] = str(_i)
    _MAP[0x06F0 + _i] = str(_i)


def norm(s, newlines=True, teh=False):
    """Normalized form of s, as dw_norm_text (src/core/norm.h) defines it."""
    s = unicodedata.normalize("NFKC", s)
    out = []
    for ch in s:
        cp = ord(ch)
        if cp in _DROP:
            continue
        if cp in _MAP:
            ch = _MAP[cp]
        elif teh and cp == 0x0629:
            ch = "ه"
        else:
            ch = ch.lower()
        out.append(ch)
    s = "".join(out)
    res, ws = [], None
    for ch in s:
        if ch.isspace():
            if ws is None:
                ws = " "
            if ch == "\n" and newlines:
                ws = "\n"
        else:
            if ws is not None:
                res.append(ws)
                ws = None
            res.append(ch)
    return "".join(res).strip()


# ---------------------------------------------------------------- dates

_EN_MONTHS = {m: i + 1 for i, m in enumerate(
    "january february march april may june july august september october november december".split())}
_EN_MONTHS.update({k[:3]: v for k, v in list(_EN_MONTHS.items())})
_AR_MONTHS = {
    # Egyptian / Gulf
    "يناير": 1, "فبراير": 2, "مارس": 3, "ابريل": 4, "مايو": 5, "يونيو": 6,
    "يوليو": 7, "اغسطس": 8, "سبتمبر": 9, "اكتوبر": 10, "نوفمبر": 11, "ديسمبر": 12,
    # Levantine
    "كانون الثاني": 1, "شباط": 2, "اذار": 3, "نيسان": 4, "ايار": 5, "حزيران": 6,
    "تموز": 7, "اب": 8, "ايلول": 9, "تشرين الاول": 10, "تشرين الثاني": 11, "كانون الاول": 12,
    # Maghrebi
    "جانفي": 1, "فيفري": 2, "افريل": 4, "ماي": 5, "جوان": 6, "جويلية": 7, "اوت": 8,
}


def _ymd(y, m, d):
    try:
        return datetime.date(int(y), int(m), int(d)).isoformat() if 1900 <= int(y) <= 2100 else ""
    except ValueError:
        return ""


def parse_date(raw):
    """ISO date of a date string as pages write it, or ''."""
    if raw is None:
        return ""
    s = norm(raw, newlines=False)
    m = re.match(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})\b", s)
    if m:
        return _ymd(m[1], m[2], m[3])
    m = re.match(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})\b", s)
    if m:
        return _ymd(m[3], m[2], m[1])
    m = re.match(r"^(\d{1,2})(?:st|nd|rd|th)?,? ([a-z]+)\.?,? (\d{4})\b", s)
    if m and m[2] in _EN_MONTHS:
        return _ymd(m[3], _EN_MONTHS[m[2]], m[1])
    m = re.match(r"^([a-z]+)\.? (\d{1,2}),? (\d{4})\b", s)
    if m and m[1] in _EN_MONTHS:
        return _ymd(m[3], _EN_MONTHS[m[1]], m[2])
    m = re.match(r"^(\d{1,2})[ -]+(\D+?)[ -]+(\d{4})\b", s)
    if m and m[2].strip() in _AR_MONTHS:
        return _ymd(m[3], _AR_MONTHS[m[2].strip()], m[1])
    return ""


# ---------------------------------------------------------------- sources

SOURCE_ALIASES = {  # normalized spelling -> canonical name
    "قناة اليمن اليوم": "Al-Yaman Al-Youm", "اليمن اليوم": "Al-Yaman Al-Youm",
    "روسيا اليوم": "RT", "rt": "RT", "rt arabic": "RT", "ار تي": "RT",
}


def canon_source(raw):
    """Canonical name of a source as written; None when there is none. Outlets
    outside the alias table are their own canonical name (normalized)."""
    if raw is None:
        return None
    n = norm(raw, newlines=False)
    if not n:
        return None
    return SOURCE_ALIASES.get(n, n)


# ---------------------------------------------------------------- page grammar

_M_DATE = re.compile(r"^تاريخ النشر ?: ?(.*)$")
_M_SOURCE = re.compile(r"^المصدر ?: ?(.*)$")
_M_KW = re.compile(r"^كلمات دلالية ?: ?(.*)$")
_M_READ = re.compile(r"^اقرا ايضا ?:?$")


def _marker(line):
    n = norm(line, newlines=False)
    for kind, rx in (("date", _M_DATE), ("source", _M_SOURCE), ("kw", _M_KW), ("read", _M_READ)):
        m = rx.match(n)
        if m:
            raw = line.split(":", 1)[1] if ":" in line else ""
            return kind, raw.strip()
    return None, None


def split_keywords(raw):
    n = norm(raw, newlines=False)
    return [k for k in re.split(r"\s*,\s*|\s+-\s+", n) if k]


def parse_page(text, defaults=None):
    """Articles of one page (text already decoded). defaults: JSON fields."""
    defaults = defaults or {}
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = re.split(r"\r\n|\r|\n", text)
    has_marker = any(_marker(l)[0] for l in lines)
    arts = []
    if not has_marker and defaults.get("title"):
        body = "\n".join(l.strip() for l in lines if l.strip())
        if body:
            arts.append(dict(role="main", title=defaults["title"], body=body,
                             source=defaults.get("source"), date_raw=defaults.get("date"), keywords=[]))
        return arts
    cur = None
    state = "start"  # start | main | main_closed | related_wait | related
    for line in lines:
        kind, val = _marker(line)
        blank = not line.strip()
        if state == "start":
            if blank:
                continue
            if kind:  # a page opening with a marker line has no main title
                state = "main_closed"
            else:
                cur = dict(role="main", title=line.strip(), body=[], source=None,
                           date_raw=None, keywords=[])
                arts.append(cur)
                state = "main"
                continue
        if kind == "read":
            state = "related_wait"
            cur = None
            continue
        if state in ("main", "main_closed") and kind == "kw":
            if arts and arts[0]["role"] == "main":
                arts[0]["keywords"] += split_keywords(val)
            state = "main_closed"
            continue
        if state == "main":
            if kind == "date" and not cur["body"] and cur["date_raw"] is None:
                cur["date_raw"] = val
            elif kind == "source":
                cur["source"] = val
                state = "main_closed"
            elif not blank:
                cur["body"].append(line.strip())
            continue
        if state == "main_closed":
            continue  # text after the main article and before a marker: ignored
        if state == "related_wait":
            if blank or kind:
                continue
            cur = dict(role="related", title=line.strip(), body=[], source=None,
                       date_raw=None, keywords=[])
            arts.append(cur)
            state = "related"
            continue
        if state == "related":
            if kind == "source":
                cur["source"] = val
                state = "related_wait"
            elif not blank and not kind:
                cur["body"].append(line.strip())
    for a in arts:
        a["body"] = "\n".join(a["body"])
        if a["role"] == "main":
            a["source"] = a["source"] if a["source"] is not None else defaults.get("source")
            a["date_raw"] = a["date_raw"] if a["date_raw"] is not None else defaults.get("date")
    return [a for a in arts if a["body"]]


# ---------------------------------------------------------------- inputs

class _Counter:
    bad = 0


def _count_errors(exc):
    _Counter.bad += 1
    return ("\ufffd", exc.end)


codecs.register_error("dw_count", _count_errors)


def decode_text(data):
    """(text, bad_sequences, verdict) with verdict in text/empty/binary/not-utf8,
    following dw_text_sniff (src/core/utf8.h)."""
    if not data.strip(b" \t\r\n\f\v") or data in (b"\xef\xbb\xbf",):
        return None, 0, "empty"
    if b"\x00" in data:
        return None, 0, "binary"
    _Counter.bad = 0
    text = data.decode("utf-8", errors="dw_count")
    bad = _Counter.bad
    nonascii = sum(1 for ch in text if ord(ch) > 127)  # valid ones + replacements
    if bad > 8 or (nonascii and bad * 100 > nonascii):
        return None, bad, "not-utf8"
    return text, bad, "text"


def read_zst(path):
    try:
        import zstandard  # optional
        with open(path, "rb") as f:
            return zstandard.ZstdDecompressor().stream_reader(f).read()
    except ImportError:
        pass
    except Exception:  # corrupt frame
        return None
    if not shutil.which("zstd"):
        sys.exit("sample-expect: need the zstandard module or the zstd program")
    r = subprocess.run(["zstd", "-dcq", path], capture_output=True)
    return r.stdout if r.returncode == 0 else None


def load_file(path):
    """(articles, outcome) for one input file; outcome None when ingested."""
    with open(path, "rb") as f:
        data = f.read()
    if path.endswith(".zst"):
        data = read_zst(path)
        if data is None:
            return [], "corrupt zstd frame"
    text, bad, verdict = decode_text(data)
    if verdict != "text":
        return [], {"empty": "empty", "binary": "binary (NUL bytes)",
                    "not-utf8": "not utf-8 (%d invalid sequences)" % bad}[verdict]
    base = os.path.relpath(path, root())
    arts = []
    if path.endswith(".jsonl") or path.endswith(".jsonl.zst"):
        for i, line in enumerate(text.splitlines()):
            if not line.strip():
                continue
            rec = json.loads(line)
            body = rec.get("text") or ""
            d = {k: rec.get(k) for k in ("title", "source", "date")}
            for a in parse_page(body, d):
                a.update(file=base, page="%s#%d" % (base, i + 1), rec_id=rec.get("id"))
                arts.append(a)
    else:
        for a in parse_page(text):
            a.update(file=base, page=base)
            arts.append(a)
    main_date = {}
    for a in arts:
        a["date"] = parse_date(a["date_raw"]) if a["role"] == "main" else ""
        if a["role"] == "main":
            main_date[a["page"]] = a["date"]
        a["canon"] = canon_source(a["source"])
        a["bad_bytes"] = bad
    for a in arts:
        a["page_date"] = main_date.get(a["page"], "")
    return arts, ("repaired %d invalid byte sequence(s)" % bad if bad else None)


# ---------------------------------------------------------------- figures

def dedup(arts, key=lambda a: norm(a["body"]), inherit_dates=False):
    groups = {}
    for a in arts:
        groups.setdefault(key(a), []).append(a)
    out = []
    for k, sightings in groups.items():
        def rank(a):
            d = a["page_date"] if (inherit_dates and a["role"] == "related") else a["date"]
            # diwan's rank (schema.sql): dated first, earliest date, a known
            # outlet first, then the outlet as written, normalized, in byte order
            src = norm(a["source"], newlines=False) if a["source"] else ""
            return (0 if d else 1, d or "", 0 if src else 1, src.encode())
        best = min(sightings, key=rank)
        out.append(dict(key=k, sightings=sightings, canon=best["canon"]))
    return out


def figures(files):
    arts, outcomes, n_files, n_pages = [], {}, 0, 0
    for p in files:
        a, outcome = load_file(p)
        n_files += 1
        outcomes[os.path.relpath(p, root())] = outcome
        arts += a
        if outcome is None or outcome.startswith("repaired"):
            n_pages += len({x["page"] for x in a}) if p.endswith("jsonl") else 1
    groups = dedup(arts)
    per_source = {}
    for g in groups:
        per_source[g["canon"] or "(none)"] = per_source.get(g["canon"] or "(none)", 0) + 1
    mains = [a for a in arts if a["role"] == "main"]
    kws = [k for a in mains for k in a["keywords"]]
    pair_kw = set()
    for g in groups:
        for a in g["sightings"]:
            for k in a["keywords"]:
                pair_kw.add((g["key"], k))
    return dict(
        files=n_files, pages_with_articles=n_pages,
        articles=len(arts), main=len(mains), related=len(arts) - len(mains),
        unique=len(groups), duplicates=len(arts) - len(groups),
        dated_main=sum(1 for a in mains if a["date"]), undated_main=sum(1 for a in mains if not a["date"]),
        keyword_lines=sum(1 for a in mains if a["keywords"]), keyword_entries=len(kws),
        distinct_keywords=len(set(kws)), article_keyword_pairs=len(pair_kw),
        per_source=dict(sorted(per_source.items(), key=lambda kv: kv[0].encode())),
        quarantined={k: v for k, v in outcomes.items() if v and not v.startswith("repaired")},
        repaired={k: v for k, v in outcomes.items() if v and v.startswith("repaired")},
        months=sorted({a["date"][:7] for a in mains if a["date"]}),
    ), arts, groups


def root():
    return os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def scopes():
    r = root()
    pages = sorted(glob.glob(os.path.join(r, "sample/pages/*.txt")))
    extra = sorted(glob.glob(os.path.join(r, "sample/extra/*")))
    bad = sorted(glob.glob(os.path.join(r, "sample/bad/*")))
    return [("sample/pages", pages), ("sample/pages + sample/extra", pages + extra),
            ("all of sample/ (pages, extra, bad)", pages + extra + bad)]


def check_robust(arts, groups):
    """Fails if the figures depend on choices the grammar leaves open."""
    base = sorted(sorted(id(a) for a in g["sightings"]) for g in groups)
    alts = {
        "newlines folded to spaces": lambda a: norm(a["body"], newlines=False),
        "teh marbuta folded": lambda a: norm(a["body"], teh=True),
        "title + body as key": lambda a: norm(a["title"]) + "\x00" + norm(a["body"]),
        "both folds": lambda a: norm(a["body"], newlines=False, teh=True),
    }
    ok = True
    for name, key in alts.items():
        alt = sorted(sorted(id(a) for a in g["sightings"]) for g in dedup(arts, key))
        if alt != base:
            print("NOT ROBUST: dedup groups change with %s" % name)
            ok = False
    inh = {g["key"]: g["canon"] for g in dedup(arts, inherit_dates=True)}
    for g in groups:
        if inh[g["key"]] != g["canon"]:
            print("NOT ROBUST: canonical source of %r changes when related articles "
                  "inherit the page date" % g["sightings"][0]["title"])
            ok = False
    # a near-copy must not be an exact duplicate, and every line-level variant
    # must collapse: no two groups may share a raw-whitespace-insensitive body
    return ok


NEAR_PAIRS = [("page-002", "page-010"), ("page-005", "page-016"), ("page-011", "page-028"),
              ("page-019", "page-034"), ("page-036", "page-039")]


def shingles(s, k=3):
    w = re.findall(r"\w+", norm(s))
    return {tuple(w[i:i + k]) for i in range(max(0, len(w) - k + 1))}


def near_pairs(arts):
    out = []
    by_page = {os.path.basename(a["page"])[:8]: a for a in arts
               if a["role"] == "main" and a["page"].startswith("sample/pages")}
    for x, y in NEAR_PAIRS:
        a, b = by_page[x], by_page[y]
        sa, sb = shingles(a["body"]), shingles(b["body"])
        out.append((x, y, norm(a["body"]) == norm(b["body"]), len(sa & sb) / len(sa | sb)))
    return out


def print_markdown(results):
    names = [n for n, _, _ in results]
    rows = [("files", "files"), ("pages_with_articles", "pages (files; JSON records with text)"),
            ("articles", "articles found (main + related)"), ("main", "  main articles"),
            ("related", "  related articles"), ("unique", "unique articles after exact dedup"),
            ("duplicates", "duplicates removed"), ("dated_main", "main articles with a parsed date"),
            ("undated_main", "main articles without a date"),
            ("keyword_lines", "keyword lines"), ("keyword_entries", "keyword entries (all sightings)"),
            ("distinct_keywords", "distinct keywords (normalized)"),
            ("article_keyword_pairs", "(unique article, keyword) pairs")]
    print("| figure | " + " | ".join(names) + " |")
    print("|---|" + "---|" * len(names))
    for k, label in rows:
        print("| %s | %s |" % (label, " | ".join(str(f[k]) for _, f, _ in results)))
    srcs = []
    for _, f, _ in results:
        for s in f["per_source"]:
            if s not in srcs:
                srcs.append(s)
    srcs.sort(key=lambda s: s.encode())
    print()
    print("| canonical source (unique articles) | " + " | ".join(names) + " |")
    print("|---|" + "---|" * len(names))
    for s in srcs:
        print("| %s | %s |" % (s, " | ".join(str(f["per_source"].get(s, 0)) for _, f, _ in results)))
    print("| total | %s |" % " | ".join(str(f["unique"]) for _, f, _ in results))
    f = results[-1][1]
    print()
    print("| bad file | outcome |")
    print("|---|---|")
    for k, v in sorted(list(f["quarantined"].items()) + list(f["repaired"].items())):
        print("| %s | %s |" % (os.path.basename(k), v))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--groups", action="store_true", help="list duplicate groups")
    ap.add_argument("files", nargs="*")
    o = ap.parse_args()
    if o.files:
        for p in o.files:
            arts, outcome = load_file(p)
            print("%s: %s" % (p, outcome or "ok"))
            for a in arts:
                print("  %-7s %-10s %-18s %s" % (a["role"], a["date"] or "-", a["canon"] or "-", a["title"]))
        return 0
    results = []
    for name, files in scopes():
        f, arts, groups = figures(files)
        results.append((name, f, (arts, groups)))
    if o.json:
        print(json.dumps({n: f for n, f, _ in results}, ensure_ascii=False, indent=1))
    else:
        print_markdown(results)
    rc = 0
    if o.groups:
        arts, groups = results[1][2]
        print()
        for g in sorted(groups, key=lambda g: -len(g["sightings"])):
            if len(g["sightings"]) > 1:
                print("%d x %s [%s]: %s" % (len(g["sightings"]), g["sightings"][0]["title"][:50], g["canon"],
                                           ", ".join(os.path.basename(a["page"]) for a in g["sightings"])))
    if o.check:
        for name, f, (arts, groups) in results:
            if not check_robust(arts, groups):
                rc = 1
        for x, y, same, j in near_pairs(results[0][2][0]):
            print("near pair %s %s: jaccard(3-word shingles) %.2f%s" % (x, y, j, " EXACT DUP!" if same else ""))
            if same:
                rc = 1
        print("robustness check: %s" % ("ok" if rc == 0 else "FAILED"))
    return rc


if __name__ == "__main__":
    sys.exit(main())
