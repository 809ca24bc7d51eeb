/* table.h: printing result tables for people (aligned columns, Arabic
 * measured by display width) and for machines (JSON arrays of objects). */
#ifndef DW_TABLE_H
#define DW_TABLE_H

#include <stdio.h>

typedef struct dw_table dw_table;

/* Creates a table with ncols columns named by cols (copied). Columns whose
 * name starts with '#' hold numbers: right-aligned in text, numbers in JSON
 * (the '#' is not printed). Free with dw_table_free. NULL when out of memory. */
dw_table *dw_table_new(int ncols, const char *const *cols);
void dw_table_free(dw_table *t); /* accepts NULL */
/* Appends a row of ncols strings (copied; NULL prints as empty / null).
 * Returns 0 or -1 when out of memory. */
int dw_table_add(dw_table *t, const char *const *cells);
/* Prints aligned columns with a header line. */
void dw_table_print_text(const dw_table *t, FILE *out);
/* Prints a JSON array of objects, one per row, keys = column names. */
void dw_table_print_json(const dw_table *t, FILE *out);

/* Display width of UTF-8 text in a terminal (combining marks are 0 wide,
 * East Asian wide characters 2). */
size_t dw_text_width(const char *s);

#endif
