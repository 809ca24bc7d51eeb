/* figures.h: the figures of a database that `diwan info` prints and the
 * report shows: one list of names and queries, so that the two cannot
 * differ. */
#ifndef DW_FIGURES_H
#define DW_FIGURES_H

#include <stddef.h>

#define DW_FIGURE_COUNT 20 /* entries of dw_figures() */

/* One figure. */
typedef struct {
    const char *key; /* JSON key and text label */
    const char *sql; /* query returning one integer */
} dw_figure;

/* The figures, in the order of `diwan info --json`: files, files_done,
 * files_partial, pages, articles, sightings, main_sightings,
 * related_sightings, duplicate_sightings, duplicated_articles,
 * cross_outlet_articles, sources, unknown_source_articles, dated_articles,
 * keywords, near_dup_clusters, near_dup_articles, unclustered_articles,
 * quarantined, invalid_bytes. Static; DW_FIGURE_COUNT of them. */
const dw_figure *dw_figures(void);

#endif
