// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests of the JSON writer (json.c): escaping, commas, nesting, numbers. */
#include <math.h>
#include <stdlib.h>

#include "kselftest_harness.h"
#include "json.h"

/* what json_write_string() makes of s */
static char *escaped(const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	json_write_string(f, s);
	fclose(f);
	return buf;
}

#define EXPECT_ESCAPED(want, in)		\
	do {					\
		char *got = escaped(in);	\
		EXPECT_STREQ(want, got);	\
		free(got);			\
	} while (0)

TEST(escapes_quotes_backslashes_and_controls)
{
	EXPECT_ESCAPED("\"plain\"", "plain");
	EXPECT_ESCAPED("\"\"", "");
	EXPECT_ESCAPED("\"say \\\"hi\\\"\"", "say \"hi\"");
	EXPECT_ESCAPED("\"C:\\\\vm\"", "C:\\vm");
	EXPECT_ESCAPED("\"a\\nb\\tc\\rd\\be\\ff\"", "a\nb\tc\rd\be\ff");
	EXPECT_ESCAPED("\"\\u0001\\u001f\\u007f\"", "\x01\x1f\x7f");
	/* '/' needs no escape (RFC 8259 section 7) */
	EXPECT_ESCAPED("\"a/b\"", "a/b");
}

TEST(keeps_utf8_and_replaces_invalid_bytes)
{
	EXPECT_ESCAPED("\"gr\xc3\xbc\xc3\x9f \xe2\x82\xac \xf0\x9f\x98\x80\"",
		       "gr\xc3\xbc\xc3\x9f \xe2\x82\xac \xf0\x9f\x98\x80");
	/* a lone continuation byte, a truncated sequence, Latin-1 */
	EXPECT_ESCAPED("\"\\ufffd\"", "\x80");
	EXPECT_ESCAPED("\"\\ufffdx\"", "\xc3x");
	EXPECT_ESCAPED("\"caf\\ufffd\"", "caf\xe9");
	/* overlong "/" and a UTF-16 surrogate are not valid UTF-8 */
	EXPECT_ESCAPED("\"\\ufffd\\ufffd\"", "\xc0\xaf");
	EXPECT_ESCAPED("\"\\ufffd\\ufffd\\ufffd\"", "\xed\xa0\x80");
}

TEST(commas_keys_and_nesting)
{
	struct json_writer w;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	json_init(&w, f);
	json_begin_object(&w, NULL);
	json_u64(&w, "id", 3);
	json_str(&w, "na\"me", "x");
	json_begin_array(&w, "list");
	json_u64(&w, NULL, 1);
	json_begin_object(&w, NULL);
	json_end_object(&w);
	json_begin_array(&w, NULL);
	json_end_array(&w);
	json_i64(&w, NULL, -5);
	json_end_array(&w);
	json_bool(&w, "t", true);
	json_bool(&w, "f", false);
	json_null(&w, "n");
	json_u64(&w, "max", UINT64_MAX);
	json_end_object(&w);
	/* a second document starts a new line with no leading comma */
	json_begin_array(&w, NULL);
	json_end_array(&w);
	fclose(f);
	EXPECT_STREQ("{\"id\":3,\"na\\\"me\":\"x\",\"list\":[1,{},[],-5],\"t\":true,"
		     "\"f\":false,\"n\":null,\"max\":18446744073709551615}\n[]\n", buf);
	free(buf);
}

TEST(doubles_are_finite_or_null)
{
	struct json_writer w;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	json_init(&w, f);
	json_begin_array(&w, NULL);
	json_double(&w, NULL, 0.5);
	json_double(&w, NULL, 1234567.0);
	json_double(&w, NULL, NAN);
	json_double(&w, NULL, INFINITY);
	json_end_array(&w);
	fclose(f);
	EXPECT_STREQ("[0.5,1234567,null,null]\n", buf);
	free(buf);
}

TEST_HARNESS_MAIN
