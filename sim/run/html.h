/* html.h: --html FILE, one self-contained page (engine files only): tables, verdicts and
 * the SVG pictures inline; no script, no network reference, every user string escaped.
 * The pictures are drawn by gnuplot into a temporary folder the page removes when written;
 * without gnuplot the page says which pictures are missing and is written all the same. */
#ifndef ARCHSIM_HTML_H
#define ARCHSIM_HTML_H

#include "run.h"

/* Owns its text and its temporary folder until sim__html_end. */
struct sim__html {
    struct sim__text t; /* the page so far: markup goes in with sim__text_add */
    char *dir;          /* the temporary folder for pictures; NULL when it cannot be made */
    int pictures;       /* inlined so far: their ids are prefixed to stay unique */
};

/* Starts a page titled TITLE (escaped) and makes the pictures' folder. */
void sim__html_begin(struct sim__html *h, const char *title);
/* Text with & < > " ' escaped (control characters become '?', which XML refuses). */
void sim__html_escape(struct sim__html *h, const char *text);
/* <TAG>text</TAG>, the text escaped; tag may carry attributes ("td class=\"num\""). */
void sim__html_element(struct sim__html *h, const char *tag, const char *text);
/* Two cells: the figure's mean and, with two or more replications, its 95% interval. */
void sim__html_figure_cells(struct sim__html *h, const struct sim__metric *m, int reps);
/* Drawing the pictures into h->dir: between these two, gnuplot's "wrote" lines are not
 * printed (the folder is temporary); the end says on the page that the pictures are
 * missing when none was drawn. */
void sim__html_draw_begin(void);
void sim__html_draw_end(struct sim__html *h, int drawn);
/* Inlines the SVG picture NAME drawn in h->dir (then removed); false when it is not there. */
bool sim__html_picture(struct sim__html *h, const char *name);
/* Ends the page, writes it to path through the safe-output code (a temporary, then a
 * rename), removes the pictures' folder and frees h. 0, or 2 with a message. A NULL path
 * discards the page; a zeroed h is fine. */
int sim__html_end(struct sim__html *h, const char *path);

/* run and drill: headline figures with intervals, verdicts, the drill's story, faults,
 * the SLO, the pictures (drawn from res->timeline, its CSV in h->dir when streamed) and
 * each node's table. */
void sim__html_run(struct sim__html *h, const char *file, struct sim_loader *ld,
                   const struct sim__scenario *sc, const struct sim__results *res,
                   const struct sim__verdict *verdicts, bool drill);

#endif
