/* figures.c: the figures of a database (figures.h). */
#include "core/figures.h"

static const dw_figure figures[] = {
    {"files", "SELECT count(*) FROM files"},
    {"files_done", "SELECT count(*) FROM files WHERE status = 'done'"},
    {"files_partial", "SELECT count(*) FROM files WHERE status = 'partial'"},
    {"pages", "SELECT coalesce(sum(pages), 0) FROM files"},
    {"articles", "SELECT count(*) FROM articles"},
    {"sightings", "SELECT count(*) FROM sightings"},
    {"main_sightings", "SELECT count(*) FROM sightings WHERE role = 'main'"},
    {"related_sightings", "SELECT count(*) FROM sightings WHERE role = 'related'"},
    {"duplicate_sightings", "SELECT (SELECT count(*) FROM sightings) - (SELECT count(*) FROM articles)"},
    {"duplicated_articles", "SELECT count(*) FROM (SELECT article_id FROM sightings GROUP BY article_id "
                            "HAVING count(*) > 1)"},
    {"cross_outlet_articles", "SELECT count(*) FROM (SELECT article_id FROM sightings WHERE source_id IS NOT "
                              "NULL GROUP BY article_id HAVING count(DISTINCT source_id) > 1)"},
    {"sources", "SELECT count(DISTINCT source_id) FROM sightings WHERE source_id IS NOT NULL"},
    {"unknown_source_articles", "SELECT count(*) FROM articles WHERE source_id IS NULL"},
    {"dated_articles", "SELECT count(*) FROM articles WHERE published IS NOT NULL"},
    {"keywords", "SELECT count(*) FROM (SELECT DISTINCT keyword_norm FROM keywords)"},
    {"near_dup_clusters", "SELECT count(*) FROM (SELECT cluster_id FROM articles WHERE cluster_id IS NOT NULL "
                          "GROUP BY cluster_id HAVING count(*) > 1)"},
    {"near_dup_articles", "SELECT count(*) FROM articles WHERE cluster_join = 'near'"},
    {"unclustered_articles", "SELECT count(*) FROM articles WHERE cluster_id IS NULL"},
    {"quarantined", "SELECT count(*) FROM quarantine"},
    {"invalid_bytes", "SELECT coalesce(sum(bad_bytes), 0) FROM files"},
};

_Static_assert(sizeof figures / sizeof *figures == DW_FIGURE_COUNT, "DW_FIGURE_COUNT is the table's size");

const dw_figure *dw_figures(void) { return figures; }
