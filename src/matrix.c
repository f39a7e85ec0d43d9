/* matrix: walks each model with the language tables (schema.c), the same way
 * decode.c fills it, turning every field into "path = value"; the rows are the
 * union of the paths, kept where the stages disagree. */
#include "matrix.h"
#include "ctx.h"
#include "node.h"
#include "schema.h"

#include <stdlib.h>
#include <string.h>


static void get(const void *obj, size_t offset, void *value, size_t size) {
  memcpy(value, (const char *)obj + offset, size);
}

static void flatten_shape(Ctx *ctx, json_t *out, const Shape *sh, const void *obj,
                          const char *prefix);

static const char *join(Ctx *ctx, const char *prefix, const char *key) {
  return *prefix ? arena_printf(&ctx->arena, "%s.%s", prefix, key) : key;
}

static json_t *scalar_value(const Field *f, const void *obj) {
  switch (f->type) {
  case F_STR: {
    const char *s;
    get(obj, f->offset, &s, sizeof s);
    return s ? json_string(s) : NULL;
  }
  case F_INT: {
    long long v;
    get(obj, f->offset, &v, sizeof v);
    return json_integer(v);
  }
  case F_BOOL: {
    int v;
    get(obj, f->offset, &v, sizeof v);
    return v == TRI_UNSET ? NULL : json_string(v ? "true" : "false");
  }
  case F_ENUM: {
    int v;
    get(obj, f->offset, &v, sizeof v);
    return v == TRI_UNSET ? NULL : json_string(f->values[v]);
  }
  default:
    return NULL;
  }
}

/* Raw YAML (F_NODE): a row per scalar, by its path of keys and indexes. */
static void flatten_node(Ctx *ctx, json_t *out, const Node *n, const char *path) {
  if (!n)
    return;
  if (n->kind == NODE_SCALAR)
    json_object_set_new(out, path, json_string(n->str));
  for (size_t i = 0; n->kind == NODE_MAP && i < n->count; i++)
    flatten_node(ctx, out, n->pairs[i].value, join(ctx, path, n->pairs[i].key->str));
  for (size_t i = 0; n->kind == NODE_SEQ && i < n->count; i++)
    flatten_node(ctx, out, n->items[i], join(ctx, path, arena_printf(&ctx->arena, "%zu", i)));
}

static void flatten_field(Ctx *ctx, json_t *out, const Field *f, const void *obj, const char *path) {
  AnyList l;
  switch (f->type) {
  case F_NODE: {
    const Node *n;
    get(obj, f->offset, &n, sizeof n);
    flatten_node(ctx, out, n, path);
    return;
  }
  case F_STRMAP:
    get(obj, f->offset, &l, sizeof l);
    for (size_t i = 0; i < l.len; i++) {
      const StrPair *p = (const StrPair *)l.items + i;
      json_object_set_new(out, join(ctx, path, p->key), json_string(p->value));
    }
    return;
  case F_STRLIST: {
    get(obj, f->offset, &l, sizeof l);
    char *joined = arena_strdup(&ctx->arena, "");
    for (size_t i = 0; i < l.len; i++)
      joined = arena_printf(&ctx->arena, "%s%s%s", joined, i ? ", " : "", ((const char **)l.items)[i]);
    if (l.len)
      json_object_set_new(out, path, json_string(joined));
    return;
  }
  case F_STRUCT:
    flatten_shape(ctx, out, f->shape, (const char *)obj + f->offset, path);
    return;
  case F_MAP_OF:
  case F_LIST_OF:
    get(obj, f->offset, &l, sizeof l);
    for (size_t i = 0; i < l.len; i++) {
      const char *item = (const char *)l.items + i * f->shape->size;
      const char *key;
      if (f->type == F_MAP_OF)
        get(item, f->shape->key_offset, &key, sizeof key);
      else
        key = arena_printf(&ctx->arena, "%zu", i);
      flatten_shape(ctx, out, f->shape, item, join(ctx, path, key));
    }
    return;
  default: {
    json_t *v = scalar_value(f, obj);
    if (v)
      json_object_set_new(out, path, v);
  }
  }
}

static void flatten_shape(Ctx *ctx, json_t *out, const Shape *sh, const void *obj,
                          const char *prefix) {
  const Node *node;
  get(obj, sh->node_offset, &node, sizeof node);
  if (!node) /* not written: nothing of it exists in this stage */
    return;
  for (size_t i = 0; i < sh->nfields; i++)
    flatten_field(ctx, out, &sh->fields[i], obj, join(ctx, prefix, sh->fields[i].key));
}

static bool all_equal(json_t *values) {
  json_t *first = json_array_get(values, 0);
  for (size_t i = 1; i < json_array_size(values); i++)
    if (!json_equal(first, json_array_get(values, i)))
      return false;
  return true;
}

Matrix *matrix_build(Ctx *ctx, const Model *const *models, size_t n) {
  json_t **flat = malloc(n * sizeof *flat);
  if (!flat)
    BUG("out of memory");
  json_t *paths = json_object(); /* union of paths, first-seen order */
  for (size_t s = 0; s < n; s++) {
    flat[s] = json_object();
    flatten_shape(ctx, flat[s], schema_stage(), models[s], "");
    const char *path;
    json_t *v;
    json_object_foreach(flat[s], path, v) {
      (void)v;
      json_object_set_new(paths, path, json_true());
    }
  }
  Matrix *m = arena_alloc(&ctx->arena, sizeof *m);
  m->nstages = n;
  m->stages = arena_alloc(&ctx->arena, n * sizeof *m->stages);
  for (size_t s = 0; s < n; s++)
    m->stages[s] = models[s]->stage;
  m->rows = json_object();
  const char *path;
  json_t *v;
  json_object_foreach(paths, path, v) {
    json_t *values = json_array();
    for (size_t s = 0; s < n; s++) {
      json_t *x = json_object_get(flat[s], path);
      json_array_append_new(values, x ? json_incref(x) : json_null());
    }
    if (all_equal(values))
      json_decref(values);
    else
      json_object_set_new(m->rows, path, values);
  }
  for (size_t s = 0; s < n; s++)
    json_decref(flat[s]);
  free(flat);
  json_decref(paths);
  return m;
}

#define CELL_MAX 40

static const char *cell(json_t *v, char *buf, size_t size) {
  const char *s = json_is_string(v) ? json_string_value(v) : NULL;
  if (json_is_integer(v))
    snprintf(buf, size, "%lld", (long long)json_integer_value(v));
  else if (!s)
    snprintf(buf, size, "-");
  else if (strlen(s) > CELL_MAX)
    snprintf(buf, size, "%.*s...", CELL_MAX - 3, s);
  else
    snprintf(buf, size, "%s", s);
  return buf;
}

void matrix_text(const Matrix *m, FILE *out, bool color) {
  const char *bold = color ? "\033[1m" : "", *off = color ? "\033[0m" : "";
  if (json_object_size(m->rows) == 0) {
    fprintf(out, "the %zu stages have the same settings\n", m->nstages);
    return;
  }
  size_t width0 = strlen("setting"), *widths = calloc(m->nstages, sizeof *widths);
  char buf[CELL_MAX + 8];
  const char *path;
  json_t *values;
  for (size_t s = 0; s < m->nstages; s++)
    widths[s] = strlen(m->stages[s]);
  json_object_foreach(m->rows, path, values) {
    if (strlen(path) > width0)
      width0 = strlen(path);
    for (size_t s = 0; s < m->nstages; s++) {
      size_t w = strlen(cell(json_array_get(values, s), buf, sizeof buf));
      if (w > widths[s])
        widths[s] = w;
    }
  }
  /* the last column is not padded: no trailing blanks */
  fprintf(out, "%s%-*s", bold, (int)width0, "setting");
  for (size_t s = 0; s < m->nstages; s++)
    fprintf(out, "  %-*s", s + 1 < m->nstages ? (int)widths[s] : 0, m->stages[s]);
  fprintf(out, "%s\n", off);
  json_object_foreach(m->rows, path, values) {
    fprintf(out, "%-*s", (int)width0, path);
    for (size_t s = 0; s < m->nstages; s++)
      fprintf(out, "  %-*s", s + 1 < m->nstages ? (int)widths[s] : 0,
              cell(json_array_get(values, s), buf, sizeof buf));
    fputc('\n', out);
  }
  free(widths);
}

json_t *matrix_json(const Matrix *m) {
  json_t *stages = json_array(), *rows = json_array();
  for (size_t s = 0; s < m->nstages; s++)
    json_array_append_new(stages, json_string(m->stages[s]));
  const char *path;
  json_t *values;
  json_object_foreach(m->rows, path, values) {
    json_t *row = json_object();
    json_object_set_new(row, "setting", json_string(path));
    json_object_set(row, "values", values);
    json_array_append_new(rows, row);
  }
  json_t *o = json_object();
  json_object_set_new(o, "version", json_integer(1));
  json_object_set_new(o, "stages", stages);
  json_object_set_new(o, "rows", rows);
  return o;
}

void matrix_free(Matrix *m) {
  if (m)
    json_decref(m->rows);
}
