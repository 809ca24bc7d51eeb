/* vocab.h: the word list of a statistics run. Words (byte strings) get ids
 * 1, 2, ... in order of first appearance; ranks give the byte order of the
 * words (memcmp, shorter first on a common prefix), so that counts keyed by
 * ids can be sorted in the order of the database's text keys. Ranks of the
 * words already there never change order when words are added, so runs
 * sorted at different times merge consistently. */
#ifndef DW_STATS_VOCAB_H
#define DW_STATS_VOCAB_H

#include <stddef.h>
#include <stdint.h>

/* A slot of the hash table: enough to compare a word without touching the
 * per-id arrays (one memory access fewer per token on the hot path). */
typedef struct {
    uint64_t key;      /* (hash high 32 bits << 32) | id; 0 empty */
    uint64_t loc;      /* offset in arena << 24 | length (DW_VOCAB_LONG: see lens) */
} dw_vocab_slot;

#define DW_VOCAB_LONG 0xFFFFFFu /* length field of words this long or longer */

typedef struct {
    char *arena;       /* the words' bytes, back to back (owned) */
    size_t alen;       /* bytes used in arena */
    size_t acap;       /* bytes allocated in arena */
    uint64_t *offs;    /* offs[id]: offset of word id in arena (owned; index 0 unused) */
    uint32_t *lens;    /* lens[id]: its length in bytes (owned) */
    uint32_t *hashes;  /* hashes[id]: low 32 bits of its hash (owned), for rehashing */
    uint32_t n;        /* words stored: ids 1..n */
    uint32_t idcap;    /* entries allocated in offs, lens and hashes */
    dw_vocab_slot *slots; /* hash table (owned) */
    size_t cap;        /* slots, a power of two */
    uint32_t *order;   /* order[r - 1] = id of rank r, for ids 1..nsorted (owned) */
    uint32_t *rank;    /* rank[id], 1-based, for ids 1..nsorted (owned) */
    uint32_t nsorted;  /* words covered by order and rank */
} dw_vocab;

#define DW_VOCAB_INIT {0}

/* Returns the id of s[0..len), adding it when new; 0 when out of memory. */
uint32_t dw_vocab_intern(dw_vocab *v, const char *s, size_t len);
/* The same, with h = dw_vocab_hash(s, len) computed beforehand (on
 * another thread). */
uint32_t dw_vocab_intern_hashed(dw_vocab *v, const char *s, size_t len, uint64_t h);
/* The hash dw_vocab_intern_hashed expects. */
uint64_t dw_vocab_hash(const char *s, size_t len);
/* First slot probed for hash h in a table of cap slots (a power of two). */
static inline size_t dw_vocab_home(uint64_t h, size_t cap) { return (size_t)(h ^ (h >> 29)) & (cap - 1); }
/* The first slot probed for hash h when its tag matches h, else NULL: most
 * likely the word's (a hint: it may be another word's). */
static inline __attribute__((always_inline)) const dw_vocab_slot *dw_vocab_first(const dw_vocab *v, uint64_t h)
{
    if (!v->cap)
        return NULL;
    const dw_vocab_slot *sl = &v->slots[dw_vocab_home(h, v->cap)];
    return (sl->key >> 32) == (h >> 32) ? sl : NULL;
}
/* Prefetches the table slot of hash h (a hint; no effect on results).
 * always_inline: gcc 12 finds a function that only prefetches free of side
 * effects and drops its calls (no prefetch was ever issued) unless it is
 * inlined first. */
static inline __attribute__((always_inline)) void dw_vocab_prefetch(const dw_vocab *v, uint64_t h)
{
    if (v->cap)
        __builtin_prefetch(&v->slots[dw_vocab_home(h, v->cap)]);
}
/* Prefetches the bytes of the word in the first slot of hash h when its tag
 * matches: call a few tokens after dw_vocab_prefetch of the same hash, when
 * the slot has arrived (a hint; no effect on results). */
static inline __attribute__((always_inline)) void dw_vocab_prefetch_word(const dw_vocab *v, uint64_t h)
{
    const dw_vocab_slot *sl = dw_vocab_first(v, h);
    if (sl)
        __builtin_prefetch(v->arena + (sl->loc >> 24));
}
/* The id in dw_vocab_first's slot, else 0: for prefetching what is kept
 * per id (call when the slot has arrived). */
static inline __attribute__((always_inline)) uint32_t dw_vocab_peek(const dw_vocab *v, uint64_t h)
{
    const dw_vocab_slot *sl = dw_vocab_first(v, h);
    return sl ? (uint32_t)sl->key : 0;
}
/* Returns the id of s[0..len), or 0 when it is not there. */
uint32_t dw_vocab_find(const dw_vocab *v, const char *s, size_t len);
/* Word of an id (not NUL-terminated; length in *len). */
const char *dw_vocab_word(const dw_vocab *v, uint32_t id, size_t *len);
/* Brings order and rank up to date with every word. Returns 0 or -1 (no memory). */
int dw_vocab_sort(dw_vocab *v);
/* Bytes allocated by the vocabulary. */
size_t dw_vocab_bytes(const dw_vocab *v);
/* Frees everything; v may be reused. Accepts NULL. */
void dw_vocab_free(dw_vocab *v);

#endif
