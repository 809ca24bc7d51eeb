/* registry.h: the outlet registry. Maps spellings of an outlet (aliases,
 * matched on their normalized form) to a canonical name and a database id.
 * Built from, in increasing priority: the database's own rows, the built-in
 * table (sources.tsv), and the user's --sources file. */
#ifndef DW_REGISTRY_H
#define DW_REGISTRY_H

#include <stddef.h>
#include <stdint.h>

#include "core/dw.h"

extern const char dw_sources_tsv[];

/* Where an alias comes from; a higher origin overrides a lower one. */
typedef enum {
    DW_ORIGIN_SEEN = 0,    /* an outlet first seen in the input, named by itself */
    DW_ORIGIN_BUILTIN = 1, /* diwan's built-in table */
    DW_ORIGIN_USER = 2     /* the user's --sources file */
} dw_origin;

typedef struct dw_registry dw_registry;

/* Creates an empty registry using normalization flags norm_flags; free with
 * dw_registry_free. NULL when out of memory. */
dw_registry *dw_registry_new(unsigned norm_flags);
void dw_registry_free(dw_registry *r); /* accepts NULL */

/* Adds (or, if origin >= the existing one's, replaces) alias -> canonical.
 * Returns the index of the canonical outlet (>= 0) or -1 when out of memory
 * or when the alias normalizes to nothing. */
int dw_registry_add(dw_registry *r, const char *alias, size_t alias_len, const char *canonical,
                    dw_origin origin);

/* Loads TSV text: one "alias<TAB>canonical" per line, '#' comments and
 * blank lines ignored. label names the text in errors ("FILE:LINE: ..."). */
dw_rc dw_registry_load_tsv(dw_registry *r, const char *text, size_t n, const char *label,
                           dw_origin origin, dw_err *e);
/* Loads a TSV file (see dw_registry_load_tsv). */
dw_rc dw_registry_load_file(dw_registry *r, const char *path, dw_origin origin, dw_err *e);

/* Looks up how an outlet is written. Returns the outlet index (>= 0) or -1
 * when unknown. */
int dw_registry_lookup(dw_registry *r, const char *written, size_t n);

/* Number of outlets and their properties; indexes run from 0 to count-1. */
size_t dw_registry_count(const dw_registry *r);
const char *dw_registry_name(const dw_registry *r, int idx);
dw_origin dw_registry_origin(const dw_registry *r, int idx);
/* Database id of an outlet (0 until set by the caller). */
int64_t dw_registry_db_id(const dw_registry *r, int idx);
void dw_registry_set_db_id(dw_registry *r, int idx, int64_t id);

/* Iterates aliases: for i in 0..alias_count-1, the normalized alias, how it
 * was written, and the outlet index. */
size_t dw_registry_alias_count(const dw_registry *r);
void dw_registry_alias(const dw_registry *r, size_t i, const char **norm, const char **written, int *idx);

#endif
