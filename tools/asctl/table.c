/*  table - rows of text cells, each column as wide as its widest cell (up
    to a limit: a longer cell is cut with "...", but for the last column,
    which has the rest of the line), a rule under the header. */
#include "asctl.h"

#include <czmq.h>

#define CELL_MAX 48  //  wider than this, a cell is cut: a table stays readable

struct _asctl_table_t {
    size_t columns;
    zlistx_t *rows;  //  char ** of columns cells each, the header first
};

static void s_row_destroy (void **item)
{
    char **row = (char **) *item;
    for (size_t i = 0; row && row[i] != (char *) -1; i++)
        free (row[i]);
    free (row);
    *item = NULL;
}

static char **s_row (const char *const *cells, size_t columns)
{
    char **row = (char **) zmalloc ((columns + 1) * sizeof *row);
    for (size_t i = 0; i < columns; i++)
        row[i] = strdup (cells[i] ? cells[i] : "-");
    row[columns] = (char *) -1;  //  the end, for the destructor
    return row;
}

asctl_table_t *asctl_table_new (const char *const *headers, size_t columns)
{
    asctl_table_t *self = (asctl_table_t *) zmalloc (sizeof *self);
    self->columns = columns;
    self->rows = zlistx_new ();
    zlistx_set_destructor (self->rows, s_row_destroy);
    zlistx_add_end (self->rows, s_row (headers, columns));
    return self;
}

void asctl_table_destroy (asctl_table_t **self_p)
{
    if (*self_p) {
        zlistx_destroy (&(*self_p)->rows);
        free (*self_p);
        *self_p = NULL;
    }
}

void asctl_table_add (asctl_table_t *self, const char *const *cells)
{
    zlistx_add_end (self->rows, s_row (cells, self->columns));
}

//  Characters on screen: UTF-8 continuation bytes take no column.
static size_t s_width (const char *text)
{
    size_t width = 0;
    for (; *text; text++)
        width += ((unsigned char) *text & 0xC0) != 0x80;
    return width;
}

void asctl_table_print (asctl_table_t *self, FILE *out)
{
    size_t *widths = (size_t *) zmalloc (self->columns * sizeof *widths);
    for (char **row = zlistx_first (self->rows); row; row = zlistx_next (self->rows))
        for (size_t i = 0; i < self->columns; i++) {
            size_t width = s_width (row[i]);
            widths[i] = width > widths[i] ? (width > CELL_MAX ? CELL_MAX : width) : widths[i];
        }
    bool header = true;
    for (char **row = zlistx_first (self->rows); row; row = zlistx_next (self->rows)) {
        for (size_t i = 0; i < self->columns; i++) {
            const char *cell = row[i];
            size_t width = s_width (cell);
            bool last = i + 1 == self->columns;
            if (width > CELL_MAX && !last) {
                //  Cut at a character's start, CELL_MAX - 3 characters in.
                size_t bytes = 0, chars = 0;
                while (cell[bytes] && chars < CELL_MAX - 3) {
                    bytes++;
                    while (((unsigned char) cell[bytes] & 0xC0) == 0x80)
                        bytes++;
                    chars++;
                }
                fprintf (out, "%.*s...%s", (int) bytes, cell, last ? "" : "  ");
            }
            else if (last)
                fprintf (out, "%s", cell);
            else
                fprintf (out, "%s%*s  ", cell, (int) (widths[i] - width), "");
        }
        fprintf (out, "\n");
        if (header) {
            for (size_t i = 0; i < self->columns; i++)
                for (size_t j = 0; j < widths[i] + (i + 1 < self->columns ? 2 : 0); j++)
                    fputc (j < widths[i] ? '-' : ' ', out);
            fprintf (out, "\n");
            header = false;
        }
    }
    free (widths);
}
