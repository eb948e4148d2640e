/* Escaping shared by the XML formats (JUnit, HTML). */
#define _GNU_SOURCE
#include "report/render.h"
#include "base/utf8.h"

#include <stdlib.h>
#include <string.h>

void render_xml_escape(struct strbuf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);
	for (size_t i = 0; i < n;) {
		unsigned char ch = p[i];
		if (ch == '&')
			strbuf_addstr(b, "&amp;");
		else if (ch == '<')
			strbuf_addstr(b, "&lt;");
		else if (ch == '>')
			strbuf_addstr(b, "&gt;");
		else if (ch == '"')
			strbuf_addstr(b, "&quot;");
		else if (ch == '\'')
			strbuf_addstr(b, "&#39;");
		else if (ch < 0x20 && ch != '\t' && ch != '\n' && ch != '\r')
			strbuf_addf(b, "\\x%02X", ch);
		else {
			/* The documents are valid UTF-8, but a merged one may come
			 * from anywhere: what is not UTF-8 is escaped too. */
			size_t k = utf8_sequence(p + i, n - i);
			if (!k) {
				strbuf_addf(b, "\\x%02X", ch);
				i++;
				continue;
			}
			strbuf_add(b, s + i, k);
			i += k;
			continue;
		}
		i++;
	}
}

void render_xml_put(FILE *out, const char *s)
{
	struct strbuf b = STRBUF_INIT;
	render_xml_escape(&b, s);
	fputs(strbuf_str(&b), out);
	strbuf_release(&b);
}

void render_xml_why(FILE *out, json_object *problem)
{
	char *why = rproblem_why(problem);
	if (!why)
		return;
	fputs(" (why: ", out);
	render_xml_put(out, why);
	fputs(")", out);
	free(why);
}
