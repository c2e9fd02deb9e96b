/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Varlink IDL: parse and check. See idl.h. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "idl.h"

enum kind { K_BOOL, K_INT, K_FLOAT, K_STRING, K_OBJECT, K_NAMED, K_STRUCT, K_ENUM, K_ARRAY, K_MAP };

struct type {
	enum kind kind;
	bool optional;
	char *name;             /* K_NAMED */
	struct type *elem;      /* K_ARRAY, K_MAP */
	struct member *members; /* K_STRUCT: fields; K_ENUM: values (type NULL) */
	unsigned n_members;
};

struct member {
	char *name;
	struct type *type;
};

/* A type, method or error definition. */
struct def {
	char *name, *doc;
	struct type *in, *out; /* type: in is its type; error: in is its parameters */
};

struct bpfnic_idl {
	char *name;
	struct def *types, *methods, *errors;
	unsigned n_types, n_methods, n_errors;
	void **allocs;          /* everything, freed together */
	size_t n_allocs, cap_allocs;
};

struct parser {
	struct bpfnic_idl *idl;
	const char *s;
	unsigned line;
	char doc[1024];         /* the comment lines just read */
	char *err;
	size_t err_size;
	bool failed, oom;
};

/* ---- memory ---------------------------------------------------------------------- */

static void *alloc(struct parser *p, size_t size)
{
	struct bpfnic_idl *idl = p->idl;
	void *m;

	if (idl->n_allocs == idl->cap_allocs) {
		size_t cap = idl->cap_allocs ? 2 * idl->cap_allocs : 64;
		void **a = realloc(idl->allocs, cap * sizeof(*a));

		if (!a)
			goto oom;
		idl->allocs = a;
		idl->cap_allocs = cap;
	}
	m = calloc(1, size ? size : 1);
	if (!m)
		goto oom;
	idl->allocs[idl->n_allocs++] = m;
	return m;
oom:
	p->failed = p->oom = true;
	return NULL;
}

static char *dup_n(struct parser *p, const char *s, size_t n)
{
	char *d = alloc(p, n + 1);

	if (d)
		memcpy(d, s, n);
	return d;
}

void bpfnic_idl_free(struct bpfnic_idl *idl)
{
	/* Every piece came from alloc(): one list frees them all. */
	for (size_t i = 0; idl && i < idl->n_allocs; i++)
		free(idl->allocs[i]);
	free(idl ? idl->allocs : NULL);
	free(idl);
}

/* ---- lexing ---------------------------------------------------------------------- */

static bool __attribute__((format(printf, 2, 3))) fail(struct parser *p, const char *fmt, ...)
{
	char what[200];
	va_list ap;

	if (p->failed)
		return false;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(p->err, p->err_size, "line %u: %s", p->line, what);
	p->failed = true;
	return false;
}

/* Skip blanks and comments; comment lines are kept as the next definition's doc. */
static void skip(struct parser *p)
{
	for (;;) {
		if (*p->s == '\n') {
			p->line++;
			p->s++;
		} else if (isspace((unsigned char)*p->s)) {
			p->s++;
		} else if (*p->s == '#') {
			const char *end = strchr(p->s, '\n');
			size_t n = end ? (size_t)(end - p->s) : strlen(p->s), used = strlen(p->doc);

			snprintf(p->doc + used, sizeof(p->doc) - used, "%.*s\n", (int)n, p->s);
			p->s += n;
		} else {
			return;
		}
	}
}

static bool accept(struct parser *p, const char *tok)
{
	size_t n = strlen(tok);

	skip(p);
	if (strncmp(p->s, tok, n) != 0)
		return false;
	p->s += n;
	return true;
}

static bool expect(struct parser *p, const char *tok)
{
	return accept(p, tok) || fail(p, "expected '%s'", tok);
}

/* A name: letters, digits, '_' (and '.' / '-' in an interface name). */
static char *name(struct parser *p, bool dotted)
{
	const char *start;

	skip(p);
	start = p->s;
	while (isalnum((unsigned char)*p->s) || *p->s == '_' || (dotted && (*p->s == '.' || *p->s == '-')))
		p->s++;
	if (p->s == start || !isalpha((unsigned char)*start)) {
		fail(p, "expected a name");
		return NULL;
	}
	return dup_n(p, start, (size_t)(p->s - start));
}

/* ---- types ----------------------------------------------------------------------- */

static struct type *parse_type(struct parser *p);

/* "(" already read: members "a: T, ..." or enum values "a, b, ..." up to ")". */
static struct type *parse_struct_or_enum(struct parser *p)
{
	struct type *t = alloc(p, sizeof(*t));
	struct member *m = NULL;
	unsigned cap = 0;

	if (!t)
		return NULL;
	t->kind = K_STRUCT;
	if (accept(p, ")"))
		return t;
	do {
		char *n = name(p, false);
		bool is_member;

		if (!n)
			return NULL;
		is_member = accept(p, ":");
		if (t->n_members == 0)
			t->kind = is_member ? K_STRUCT : K_ENUM;
		else if (is_member != (t->kind == K_STRUCT))
			return fail(p, "mixed struct members and enum values"), NULL;
		if (t->n_members == cap) {
			struct member *grown = alloc(p, (cap ? 2 * cap : 8) * sizeof(*grown));

			if (!grown)
				return NULL;
			if (m)
				memcpy(grown, m, cap * sizeof(*m));
			m = grown;
			cap = cap ? 2 * cap : 8;
			t->members = m;
		}
		m[t->n_members].name = n;
		if (is_member && !(m[t->n_members].type = parse_type(p)))
			return NULL;
		t->n_members++;
	} while (accept(p, ","));
	return expect(p, ")") ? t : NULL;
}

static struct type *parse_type(struct parser *p)
{
	static const struct { const char *word; enum kind kind; } basic[] = {
		{ "bool", K_BOOL }, { "int", K_INT }, { "float", K_FLOAT }, { "string", K_STRING },
		{ "object", K_OBJECT },
	};
	bool optional = accept(p, "?");
	struct type *t;

	if (accept(p, "(")) {
		t = parse_struct_or_enum(p);
	} else if (accept(p, "[]") || accept(p, "[string]")) {
		bool map = p->s[-2] == 'g'; /* the ']' of "[string]" */

		t = alloc(p, sizeof(*t));
		if (t) {
			t->kind = map ? K_MAP : K_ARRAY;
			t->elem = parse_type(p);
			if (!t->elem)
				return NULL;
		}
	} else {
		char *n = name(p, false);

		if (!n)
			return NULL;
		t = alloc(p, sizeof(*t));
		if (!t)
			return NULL;
		t->kind = K_NAMED;
		t->name = n;
		for (size_t i = 0; i < sizeof(basic) / sizeof(basic[0]); i++)
			if (!strcmp(n, basic[i].word))
				t->kind = basic[i].kind;
	}
	if (t)
		t->optional = optional;
	return t;
}

/* ---- definitions -------------------------------------------------------------------- */

static struct def *add_def(struct parser *p, struct def **list, unsigned *n)
{
	struct def *d = alloc(p, (*n + 1) * sizeof(*d));

	if (!d)
		return NULL;
	if (*n)
		memcpy(d, *list, *n * sizeof(*d));
	*list = d;
	return &d[(*n)++];
}

static bool parse_def(struct parser *p)
{
	struct bpfnic_idl *idl = p->idl;
	char *doc = dup_n(p, p->doc, strlen(p->doc));
	struct def *d;

	if (accept(p, "type")) {
		d = add_def(p, &idl->types, &idl->n_types);
		if (!d || !(d->name = name(p, false)) || !expect(p, "("))
			return false;
		d->in = parse_struct_or_enum(p);
	} else if (accept(p, "method")) {
		d = add_def(p, &idl->methods, &idl->n_methods);
		if (!d || !(d->name = name(p, false)) || !expect(p, "(") ||
		    !(d->in = parse_struct_or_enum(p)) || !expect(p, "->") || !expect(p, "("))
			return false;
		d->out = parse_struct_or_enum(p);
		d->doc = doc;
		return d->out != NULL;
	} else if (accept(p, "error")) {
		d = add_def(p, &idl->errors, &idl->n_errors);
		if (!d || !(d->name = name(p, false)) || !expect(p, "("))
			return false;
		d->in = parse_struct_or_enum(p);
	} else {
		return fail(p, "expected type, method or error");
	}
	return d->in != NULL;
}

static const struct def *find(const struct def *list, unsigned n, const char *name)
{
	for (unsigned i = 0; i < n; i++)
		if (!strcmp(list[i].name, name))
			return &list[i];
	return NULL;
}

/* Every named type must be defined: checked once, so checking never meets a hole. */
static bool resolved(struct parser *p, const struct type *t)
{
	if (!t)
		return true;
	if (t->kind == K_NAMED && !find(p->idl->types, p->idl->n_types, t->name))
		return fail(p, "type %s is not defined", t->name);
	if (!resolved(p, t->elem))
		return false;
	for (unsigned i = 0; i < t->n_members; i++)
		if (!resolved(p, t->members[i].type))
			return false;
	return true;
}

static bool all_resolved(struct parser *p)
{
	const struct bpfnic_idl *idl = p->idl;

	for (unsigned i = 0; i < idl->n_types; i++)
		if (!resolved(p, idl->types[i].in))
			return false;
	for (unsigned i = 0; i < idl->n_methods; i++)
		if (!resolved(p, idl->methods[i].in) || !resolved(p, idl->methods[i].out))
			return false;
	for (unsigned i = 0; i < idl->n_errors; i++)
		if (!resolved(p, idl->errors[i].in))
			return false;
	return true;
}

int bpfnic_idl_parse(const char *text, struct bpfnic_idl **out, char *err, size_t err_size)
{
	struct parser p = { .s = text, .line = 1, .err = err, .err_size = err_size };

	*out = NULL;
	if (err_size)
		err[0] = '\0';
	p.idl = calloc(1, sizeof(*p.idl));
	if (!p.idl)
		return -ENOMEM;
	if (expect(&p, "interface"))
		p.idl->name = name(&p, true);
	for (;;) {
		p.doc[0] = '\0';
		skip(&p);
		if (p.failed || !p.idl->name || *p.s == '\0' || !parse_def(&p))
			break;
	}
	if (!p.failed && (!p.idl->name || !all_resolved(&p)))
		fail(&p, "incomplete interface");
	if (p.failed) {
		bpfnic_idl_free(p.idl);
		return p.oom ? -ENOMEM : -EINVAL;
	}
	*out = p.idl;
	return 0;
}

/* ---- queries ------------------------------------------------------------------------- */

const char *bpfnic_idl_name(const struct bpfnic_idl *idl) { return idl->name; }
unsigned bpfnic_idl_n_methods(const struct bpfnic_idl *idl) { return idl->n_methods; }
unsigned bpfnic_idl_n_errors(const struct bpfnic_idl *idl) { return idl->n_errors; }

const char *bpfnic_idl_method_name(const struct bpfnic_idl *idl, unsigned i)
{
	return i < idl->n_methods ? idl->methods[i].name : NULL;
}

const char *bpfnic_idl_method_doc(const struct bpfnic_idl *idl, unsigned i)
{
	return i < idl->n_methods ? idl->methods[i].doc : NULL;
}

const char *bpfnic_idl_error_name(const struct bpfnic_idl *idl, unsigned i)
{
	return i < idl->n_errors ? idl->errors[i].name : NULL;
}

static const struct type *top_type(const struct bpfnic_idl *idl, enum bpfnic_idl_what what,
				   const char *name)
{
	const struct def *d = what == BPFNIC_IDL_ERROR ? find(idl->errors, idl->n_errors, name) :
							 find(idl->methods, idl->n_methods, name);

	return !d ? NULL : what == BPFNIC_IDL_OUT ? d->out : d->in;
}

/* ---- checking ------------------------------------------------------------------------- */

struct check {
	const struct bpfnic_idl *idl;
	char path[256];
	char *why;
	size_t why_size;
};

static int bad(struct check *c, const char *what)
{
	snprintf(c->why, c->why_size, "%s%s%s", c->path, c->path[0] ? ": " : "", what);
	return -EINVAL;
}

static int check_value(struct check *c, const struct type *t, struct json_object *v);

/* path += suffix while checking v against t. */
static int check_at(struct check *c, const char *fmt, const char *name, size_t index,
		    const struct type *t, struct json_object *v)
{
	size_t len = strlen(c->path);
	int r;

	if (name)
		snprintf(c->path + len, sizeof(c->path) - len, fmt, len ? "." : "", name);
	else
		snprintf(c->path + len, sizeof(c->path) - len, fmt, index);
	r = check_value(c, t, v);
	if (r == 0)
		c->path[len] = '\0';
	return r;
}

static int check_struct(struct check *c, const struct type *t, struct json_object *v)
{
	if (!json_object_is_type(v, json_type_object))
		return bad(c, "must be an object");
	json_object_object_foreach(v, key, val) {
		bool declared = false;

		(void)val;
		for (unsigned i = 0; i < t->n_members && !declared; i++)
			declared = !strcmp(key, t->members[i].name);
		if (!declared) {
			size_t len = strlen(c->path);

			snprintf(c->path + len, sizeof(c->path) - len, "%s%s", len ? "." : "", key);
			return bad(c, "not declared");
		}
	}
	for (unsigned i = 0; i < t->n_members; i++) {
		struct json_object *m = NULL;

		json_object_object_get_ex(v, t->members[i].name, &m);
		if (check_at(c, "%s%s", t->members[i].name, 0, t->members[i].type, m) < 0)
			return -EINVAL;
	}
	return 0;
}

static int check_enum(struct check *c, const struct type *t, struct json_object *v)
{
	char what[200] = "must be one of";
	size_t used = strlen(what);

	if (json_object_is_type(v, json_type_string))
		for (unsigned i = 0; i < t->n_members; i++)
			if (!strcmp(json_object_get_string(v), t->members[i].name))
				return 0;
	for (unsigned i = 0; i < t->n_members && used < sizeof(what); i++)
		used += (size_t)snprintf(what + used, sizeof(what) - used, "%s \"%s\"", i ? "," : "",
					 t->members[i].name);
	return bad(c, what);
}

static int check_value(struct check *c, const struct type *t, struct json_object *v)
{
	if (!v || json_object_is_type(v, json_type_null))
		return t->optional ? 0 : bad(c, "missing");
	switch (t->kind) {
	case K_BOOL:
		return json_object_is_type(v, json_type_boolean) ? 0 : bad(c, "must be a bool");
	case K_INT: /* 20.0 is an integer too */
		return json_object_is_type(v, json_type_int) ||
		       (json_object_is_type(v, json_type_double) &&
			json_object_get_double(v) == floor(json_object_get_double(v))) ?
			       0 : bad(c, "must be an int");
	case K_FLOAT:
		return json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double) ?
			       0 : bad(c, "must be a float");
	case K_STRING:
		return json_object_is_type(v, json_type_string) ? 0 : bad(c, "must be a string");
	case K_OBJECT:
		return json_object_is_type(v, json_type_object) ? 0 : bad(c, "must be an object");
	case K_NAMED:
		return check_value(c, find(c->idl->types, c->idl->n_types, t->name)->in, v);
	case K_STRUCT:
		return check_struct(c, t, v);
	case K_ENUM:
		return check_enum(c, t, v);
	case K_ARRAY:
		if (!json_object_is_type(v, json_type_array))
			return bad(c, "must be an array");
		for (size_t i = 0; i < json_object_array_length(v); i++)
			if (check_at(c, "[%zu]", NULL, i, t->elem, json_object_array_get_idx(v, i)) < 0)
				return -EINVAL;
		return 0;
	case K_MAP:
		if (!json_object_is_type(v, json_type_object))
			return bad(c, "must be a map (an object)");
		json_object_object_foreach(v, key, val)
			if (check_at(c, "%s%s", key, 0, t->elem, val) < 0)
				return -EINVAL;
		return 0;
	}
	return bad(c, "unknown type");
}

int bpfnic_idl_check(const struct bpfnic_idl *idl, enum bpfnic_idl_what what, const char *name,
		     struct json_object *params, const char **member, char *why, size_t why_size)
{
	const struct type *t = top_type(idl, what, name);
	struct check c = { .idl = idl, .why = why, .why_size = why_size };
	int r;

	*member = NULL;
	if (!t)
		return -ENOENT;
	r = check_value(&c, t, params);
	if (r < 0) {
		/* The top-level member: the path up to its first '.' or '['. */
		for (unsigned i = 0; i < t->n_members; i++) {
			size_t n = strlen(t->members[i].name);

			if (!strncmp(c.path, t->members[i].name, n) && strchr(".[", c.path[n]))
				*member = t->members[i].name;
		}
		if (!*member && json_object_is_type(params, json_type_object)) {
			/* undeclared: name it from params */
			json_object_object_foreach(params, key, val) {
				(void)val;
				if (!strncmp(c.path, key, strlen(key)))
					*member = key;
			}
		}
	}
	return r;
}

/* ---- writing types back ----------------------------------------------------------------- */

static void type_text(const struct type *t, char *buf, size_t size)
{
	size_t used;

	snprintf(buf, size, "%s", t->optional ? "?" : "");
	used = strlen(buf);
	switch (t->kind) {
	case K_ARRAY:
	case K_MAP:
		snprintf(buf + used, size - used, "%s", t->kind == K_ARRAY ? "[]" : "[string]");
		used = strlen(buf);
		type_text(t->elem, buf + used, size - used);
		return;
	case K_ENUM:
	case K_STRUCT:
		for (unsigned i = 0; i < t->n_members; i++) {
			snprintf(buf + used, size - used, "%s%s", i ? ", " : "(", t->members[i].name);
			used = strlen(buf);
			if (t->kind == K_STRUCT) {
				snprintf(buf + used, size - used, ": ");
				used = strlen(buf);
				type_text(t->members[i].type, buf + used, size - used);
				used = strlen(buf);
			}
		}
		snprintf(buf + used, size - used, "%s", t->n_members ? ")" : "()");
		return;
	default:
		break;
	}
	{
		static const char *const words[] = { "bool", "int", "float", "string", "object" };

		snprintf(buf + used, size - used, "%s", t->kind == K_NAMED ? t->name : words[t->kind]);
	}
}

const char *bpfnic_idl_member_type(const struct bpfnic_idl *idl, enum bpfnic_idl_what what,
				   const char *name, const char *member, char *buf, size_t size)
{
	const struct type *t = top_type(idl, what, name);

	for (unsigned i = 0; t && i < t->n_members; i++)
		if (!strcmp(t->members[i].name, member)) {
			type_text(t->members[i].type, buf, size);
			return buf;
		}
	return NULL;
}
