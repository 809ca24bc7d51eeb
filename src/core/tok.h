/* tok.h: word tokenizer over UTF-8 text (normally dw_norm_text output).
 * A token starts with a letter (L*) or a digit (N*) of any script and runs
 * over letters, digits and combining marks (M*); everything else (white
 * space, punctuation and symbols of both scripts, emoji, a mark with no
 * letter before it) separates tokens, so "al-Qaeda" and "don't" are two
 * tokens each. Never cuts a UTF-8 character; invalid bytes are separators.
 *
 * Sentence ends are reported so that co-occurrence windows can stop at them:
 * a line break (LF VT FF CR NEL U+2028 U+2029) or one of 。 ！ ？ ； always
 * ends a sentence; one of . ! ? ; ؟ ؛ ۔ … ‼ ⁇ ⁈ ⁉ ends one unless a letter or
 * digit follows it at once ("3.5", "example.com", "a!b" are not sentence
 * ends; "U.S. army" is, before "army"). The first token of a text has
 * sentence_start set. Thread-safe. */
#ifndef DW_TOK_H
#define DW_TOK_H

#include <stddef.h>

typedef struct {
    const char *s; /* text being tokenized (not owned) */
    size_t n;      /* its length in bytes */
    size_t pos;    /* next byte to examine */
} dw_tok;

typedef struct {
    size_t off;         /* byte offset of the token in the text */
    size_t len;         /* its length in bytes */
    int sentence_start; /* 1 if a sentence boundary lies between this token and the previous */
} dw_token;

/* Starts tokenizing s[0..n); s must outlive t. */
void dw_tok_init(dw_tok *t, const char *s, size_t n);
/* Stores the next token in *out and returns 1, or returns 0 at the end. */
int dw_tok_next(dw_tok *t, dw_token *out);
/* Counts the tokens of s[0..n) (as many as dw_tok_next returns). */
size_t dw_tok_count(const char *s, size_t n);

#endif
