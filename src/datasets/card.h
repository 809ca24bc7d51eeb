/* card.h: the metadata of a release derived from its manifest: the MLCommons
 * Croissant 1.0 description (croissant.json) and the dataset card README.md
 * (Hugging Face YAML header and datasheet sections). Both are functions of
 * the manifest only, so they are as reproducible as it is. */
#ifndef DW_CARD_H
#define DW_CARD_H

#include <jansson.h>

/* The Croissant JSON-LD of the release described by man (a manifest without
 * metadata_files). Returns a new reference (caller decrefs), NULL when out
 * of memory. */
json_t *dw_card_croissant(const json_t *man);

/* The dataset card (Markdown with a YAML header). Caller frees; NULL when
 * out of memory. */
char *dw_card_readme(const json_t *man);

#endif
