/* html_words.h — every word the HTML report prints, in French (the factory's language, the
 * default) and English (--lang en). Internal to report/; numbers and dates are formatted by
 * html_fmt.h in the same language. */
#ifndef CU_REPORT_HTML_WORDS_H
#define CU_REPORT_HTML_WORDS_H

typedef struct cu_words {
    const char *lang, *title, *period_fmt_from, *period_to, *machines, *machine, *type, *days,
        *pieces, *window, *effective, *occupation, *wait, *stop, *production, *per_hour, *cycle,
        *outside, *pieces_hour, *quality, *no_file, *rejected_files, *line, *none, *last_day,
        *last_ingest, *no_file_30, *rejects_30, *legend, *occ_note, *rates, *day_rates, *no_window,
        *one_piece, *status_rejete, *status_erreur, *file, *reasons, *no_data_period, *waits_n,
        *stops_n, *totals, *hour_axis, *overview, *no_type, *unknown_machine, *weighted, *occ_s,
        *wait_s, *stop_s, *pieces_l, *rejected_l, *per_hour_l, *days_l, *job_change, *job_l,
        *jobs_l, *machine_1, *day_1, *piece_1, *rejected_1, *prod_day_1, *prod_days;
} cu_words;

extern const cu_words cu_words_fr, cu_words_en;

/* The word for a count of n: `one` or `many`, by the language's rule (French takes the
 * singular for 0 and 1, "0 ligne rejetée"; English for 1 only, "0 rejected lines"). */
const char *cu_words_n(const cu_words *w, double n, const char *one, const char *many);

#endif
