/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A small streaming JSON writer for the --json output of the watching
 * commands (ps, stat, top, trace, dump).  It emits compact RFC 8259
 * JSON, one document per line, and inserts the commas itself:
 *
 *	json_begin_object(&w, NULL);
 *	json_u64(&w, "id", 3);
 *	json_str(&w, "name", "web \"1\"");
 *	json_begin_array(&w, "vcpus");
 *	...
 *	json_end_array(&w);
 *	json_end_object(&w);		-> {"id":3,"name":"web \"1\"","vcpus":[...]}
 *
 * Inside an array the key is NULL; inside an object it must not be.
 * Strings are escaped (quote, backslash, control characters as \uXXXX;
 * bytes >= 0x80 that are not valid UTF-8 become U+FFFD) so that any
 * name a guest owner chose still yields valid JSON.
 */
#ifndef VMON_JSON_H
#define VMON_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH	16

struct json_writer {
	FILE *f;
	unsigned int depth;
	bool first[JSON_MAX_DEPTH];	/* nothing written yet at this level */
};

void json_init(struct json_writer *w, FILE *f);
void json_begin_object(struct json_writer *w, const char *key);
void json_end_object(struct json_writer *w);
void json_begin_array(struct json_writer *w, const char *key);
void json_end_array(struct json_writer *w);
void json_str(struct json_writer *w, const char *key, const char *val);
void json_u64(struct json_writer *w, const char *key, uint64_t val);
void json_i64(struct json_writer *w, const char *key, int64_t val);
/* finite numbers only; NaN and infinities are written as null */
void json_double(struct json_writer *w, const char *key, double val);
void json_bool(struct json_writer *w, const char *key, bool val);
void json_null(struct json_writer *w, const char *key);

/* the escaped form of s, quotes included, to f */
void json_write_string(FILE *f, const char *s);

#endif /* VMON_JSON_H */
