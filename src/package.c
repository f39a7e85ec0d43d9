/* package: see package.h. For each handler: read its directory (sorted, so
 * the zip does not depend on readdir's order), look at every ELF file in it,
 * zip it (each distinct file deflated once, or taken from the deflate cache
 * an earlier build left), hash the zip. Then, per stage, compare with the
 * functions that run it and hand the zip to the IR. */
#include "package.h"
#include "construct.h"
#include "codes.h"
#include "ctx.h"
#include "decode.h"
#include "elfinfo.h"
#include "outdir.h"
#include "zipfile.h"

#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

typedef struct HandlerFile {
  const char *path; /* relative: "bootstrap", "lib/libcurl.so.4" */
  unsigned mode;
  unsigned char *data; /* malloc'd while the zip is made */
  size_t size;
} HandlerFile;

typedef struct HandlerZip {
  const char *name, *dir;
  const char *runtime; /* the custom runtime it is held to; NULL: a managed one (own code) */
  int glibc_minor;     /* the runtime's glibc 2.<minor> */
  const char *code;    /* own code as diagnostics show it, or NULL for a lakec program */
  const char *missing; /* why there is no program at all, or NULL */
  PtrVec problems;     /* const char *: why it would not run on the runtime */
  unsigned machine;    /* bootstrap's ELF machine; 0 for a script */
  unsigned char *zip;
  size_t zip_size;
  const char *sha256, *file;
} HandlerZip;

/* glibc's libraries: the runtime has them (and a handler must not carry its own). */
static const char *const RUNTIME_LIBRARIES[] = {
    "libc.so.6",     "libm.so.6",      "libpthread.so.0", "libdl.so.2",
    "librt.so.1",    "libresolv.so.2", "libutil.so.1",    "libanl.so.1",
    "ld-linux-x86-64.so.2", "ld-linux-aarch64.so.1", NULL};

static bool runtime_provides(const char *library) {
  for (const char *const *l = RUNTIME_LIBRARIES; *l; l++)
    if (!strcmp(*l, library))
      return true;
  return false;
}

void packager_init(Packager *p, const char *handlers_dir) {
  memset(p, 0, sizeof *p);
  p->handlers_dir = handlers_dir;
}

static void own(Ctx *ctx, Packager *p, void *allocation) {
  ptrvec_push(&ctx->arena, &p->owned, allocation);
}

void packager_release(Packager *p) {
  for (size_t i = 0; i < p->owned.len; i++)
    free(p->owned.items[i]);
  p->owned.len = 0;
  p->unsaved.len = 0;
}

/* SHA-256 of prefix (may be NULL) then data, in hex. */
static const char *sha256_hex_after(Ctx *ctx, const char *prefix, const unsigned char *data,
                                    size_t size) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_MD_CTX *c = EVP_MD_CTX_new();
  if (!c || !EVP_DigestInit_ex(c, EVP_sha256(), NULL) ||
      (prefix && !EVP_DigestUpdate(c, prefix, strlen(prefix) + 1)) ||
      !EVP_DigestUpdate(c, data, size) || !EVP_DigestFinal_ex(c, md, &n))
    BUG("SHA-256 failed");
  EVP_MD_CTX_free(c);
  char *hex = arena_alloc(&ctx->arena, 2 * n + 1);
  for (unsigned i = 0; i < n; i++)
    snprintf(hex + 2 * i, 3, "%02x", md[i]);
  return hex;
}

const char *package_sha256(Ctx *ctx, const unsigned char *data, size_t size) {
  return sha256_hex_after(ctx, NULL, data, size);
}

static bool read_whole(const char *path, unsigned char **data, size_t *size) {
  FILE *fp = fopen(path, "rb");
  if (!fp)
    return false;
  struct stat st;
  bool ok = fstat(fileno(fp), &st) == 0 && st.st_size >= 0;
  *size = ok ? (size_t)st.st_size : 0;
  *data = ok ? malloc(*size ? *size : 1) : NULL;
  ok = *data && fread(*data, 1, *size, fp) == *size;
  fclose(fp);
  if (!ok) {
    free(*data);
    *data = NULL;
  }
  return ok;
}

static int by_path(const void *a, const void *b) {
  return strcmp((*(HandlerFile *const *)a)->path, (*(HandlerFile *const *)b)->path);
}

__attribute__((format(printf, 3, 4))) static void problem(Ctx *ctx, HandlerZip *h,
                                                           const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  ptrvec_push(&ctx->arena, &h->problems, arena_vprintf(&ctx->arena, fmt, ap));
  va_end(ap);
}

/* Every regular file under dir (symbolic links followed), as paths relative
 * to the handler's directory. */
static void list_files(Ctx *ctx, HandlerZip *h, const char *rel, PtrVec *out, int depth) {
  const char *dir = *rel ? arena_printf(&ctx->arena, "%s/%s", h->dir, rel) : h->dir;
  DIR *d = opendir(dir);
  if (!d) {
    problem(ctx, h, "cannot read '%s': %s", dir, strerror(errno));
    return;
  }
  for (struct dirent *e; (e = readdir(d));) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
      continue;
    const char *path = *rel ? arena_printf(&ctx->arena, "%s/%s", rel, e->d_name)
                            : arena_strdup(&ctx->arena, e->d_name);
    const char *full = arena_printf(&ctx->arena, "%s/%s", h->dir, path);
    struct stat st;
    if (stat(full, &st) != 0) {
      problem(ctx, h, "cannot read '%s': %s", full, strerror(errno));
    } else if (S_ISDIR(st.st_mode) && depth < 16) {
      list_files(ctx, h, path, out, depth + 1);
    } else if (S_ISREG(st.st_mode)) {
      HandlerFile *f = arena_alloc(&ctx->arena, sizeof *f);
      f->path = path;
      f->mode = (st.st_mode & 0111) ? 0755 : 0644;
      ptrvec_push(&ctx->arena, out, f);
    } else {
      problem(ctx, h, "'%s' is %s; a zip holds only files and directories", full,
              S_ISDIR(st.st_mode) ? "nested too deep" : "not a regular file");
    }
  }
  closedir(d);
}

static bool carried(const PtrVec *files, const char *library) {
  for (size_t i = 0; i < files->len; i++) {
    const HandlerFile *f = files->items[i];
    if (!strncmp(f->path, "lib/", 4) && !strcmp(f->path + 4, library))
      return true;
  }
  return false;
}

/* "GLIBC_2.34" -> 34; -1 for anything that is not GLIBC_2.<minor>[.<patch>]. */
static int glibc_minor(const char *version) {
  if (strncmp(version, "GLIBC_2.", 8) != 0)
    return -1;
  char *end;
  long minor = strtol(version + 8, &end, 10);
  return end == version + 8 || (*end && *end != '.') ? -1 : (int)minor;
}

/* The runtime must be able to load f: same CPU as bootstrap, libraries
 * there, glibc symbols old enough. */
static void check_elf(Ctx *ctx, HandlerZip *h, const PtrVec *files, const HandlerFile *f) {
  ElfInfo info;
  elf_info_read(&ctx->arena, f->data, f->size, &info);
  bool is_bootstrap = !strcmp(f->path, "bootstrap");
  if (!info.is_elf) {
    if (is_bootstrap && (f->size < 2 || memcmp(f->data, "#!", 2) != 0))
      problem(ctx, h, "bootstrap is neither an ELF executable nor a script");
    return;
  }
  if (info.problem || !info.is_64bit_lsb) {
    problem(ctx, h, "'%s' %s", f->path,
            info.problem ? info.problem : "is not a 64-bit little-endian ELF file");
    return;
  }
  if (is_bootstrap) {
    h->machine = info.machine;
    if (!info.is_executable)
      problem(ctx, h, "bootstrap is an ELF file but not an executable");
  } else if (h->machine && info.machine != h->machine) {
    problem(ctx, h, "'%s' is built for %s, unlike bootstrap", f->path,
            elf_machine_name(&ctx->arena, info.machine));
  }
  for (size_t i = 0; i < info.needed.len; i++) {
    const char *library = info.needed.items[i];
    if (!runtime_provides(library) && !carried(files, library))
      problem(ctx, h, "'%s' needs %s, which %s does not provide and lib/ does not carry",
              f->path, library, h->runtime);
  }
  for (size_t i = 0; i < info.versions.len; i++) {
    const ElfNeed *n = info.versions.items[i];
    int minor = glibc_minor(n->version);
    if (runtime_provides(n->library) && strncmp(n->version, "GLIBC_", 6) == 0 &&
        (minor < 0 || minor > h->glibc_minor))
      problem(ctx, h, "'%s' needs %s from %s, newer than %s's glibc 2.%d", f->path, n->version,
              n->library, h->runtime, h->glibc_minor);
  }
}

static void zip_handler(Ctx *ctx, Packager *p, HandlerZip *h, PtrVec *files) {
  ZipWriter w = {0};
  for (size_t i = 0; i < files->len; i++) {
    const HandlerFile *f = files->items[i];
    zip_add(&w, f->path, f->mode, packager_member(ctx, p, f->data, f->size));
  }
  h->zip = zip_finish(&w, &h->zip_size);
  own(ctx, p, h->zip);
  h->sha256 = package_sha256(ctx, h->zip, h->zip_size);
  h->file = arena_printf(&ctx->arena, "assets/%s-%.16s.zip", h->name, h->sha256);
}

/* A directory of the user's code for a managed runtime: its files as they
 * are (the runtime checks what it loads). */
static void read_code_dir(Ctx *ctx, Packager *p, HandlerZip *h) {
  PtrVec files = {0};
  list_files(ctx, h, "", &files, 0);
  qsort(files.items, files.len, sizeof *files.items, by_path);
  size_t unzipped = 0;
  for (size_t i = 0; i < files.len; i++) {
    HandlerFile *f = files.items[i];
    const char *full = arena_printf(&ctx->arena, "%s/%s", h->dir, f->path);
    if (!read_whole(full, &f->data, &f->size))
      problem(ctx, h, "cannot read '%s': %s", full, strerror(errno));
    unzipped += f->size;
  }
  if (unzipped > RUNTIME_UNZIPPED_LIMIT)
    problem(ctx, h, "its files add up to %zu bytes, over Lambda's limit of 250 MB for a zip",
            unzipped);
  if (!h->problems.len)
    zip_handler(ctx, p, h, &files);
  for (size_t i = 0; i < files.len; i++)
    free(((HandlerFile *)files.items[i])->data);
}

static void no_entry(const char *name, size_t len, void *arg) {
  (void)name, (void)len, (void)arg;
}

/* A .zip of the user's: taken as it is, once lakec could read its directory. */
static void read_code_zip(Ctx *ctx, Packager *p, HandlerZip *h) {
  size_t size;
  unsigned char *data;
  if (!read_whole(h->dir, &data, &size)) {
    problem(ctx, h, "cannot read '%s': %s", h->code, strerror(errno));
    return;
  }
  own(ctx, p, data);
  const char *why = zip_entries(data, size, no_entry, NULL);
  if (why) {
    problem(ctx, h, "'%s' %s", h->code, why);
    return;
  }
  h->zip = data;
  h->zip_size = size;
  h->sha256 = package_sha256(ctx, h->zip, h->zip_size);
  h->file = arena_printf(&ctx->arena, "assets/%s-%.16s.zip", h->name, h->sha256);
}

static void read_handler(Ctx *ctx, Packager *p, HandlerZip *h) {
  struct stat st;
  const char *bootstrap = arena_printf(&ctx->arena, "%s/bootstrap", h->dir);
  bool absent = stat(bootstrap, &st) != 0;
  if (absent || !S_ISREG(st.st_mode)) {
    h->missing = arena_printf(&ctx->arena, "'%s' %s", bootstrap,
                              !absent        ? "is not a file"
                              : errno == ENOENT ? "does not exist"
                                                : strerror(errno));
    return;
  }
  PtrVec files = {0};
  list_files(ctx, h, "", &files, 0);
  qsort(files.items, files.len, sizeof *files.items, by_path);
  size_t unzipped = 0;
  for (size_t i = 0; i < files.len; i++) {
    HandlerFile *f = files.items[i];
    const char *full = arena_printf(&ctx->arena, "%s/%s", h->dir, f->path);
    if (!read_whole(full, &f->data, &f->size))
      problem(ctx, h, "cannot read '%s': %s", full, strerror(errno));
    unzipped += f->size;
  }
  if (!(st.st_mode & 0100))
    problem(ctx, h, "bootstrap is not executable (chmod +x)");
  for (size_t i = 0; i < files.len; i++) /* bootstrap first: the others are compared with it */
    if (!strcmp(((HandlerFile *)files.items[i])->path, "bootstrap"))
      check_elf(ctx, h, &files, files.items[i]);
  for (size_t i = 0; i < files.len; i++) {
    HandlerFile *f = files.items[i];
    if (f->data && strcmp(f->path, "bootstrap") != 0)
      check_elf(ctx, h, &files, f);
  }
  if (unzipped > RUNTIME_UNZIPPED_LIMIT)
    problem(ctx, h, "its files add up to %zu bytes, over Lambda's limit of 250 MB for a zip",
            unzipped);
  if (!h->problems.len)
    zip_handler(ctx, p, h, &files);
  for (size_t i = 0; i < files.len; i++)
    free(((HandlerFile *)files.items[i])->data);
}

/* The zip of what f runs, made the first time a function runs it: a lakec
 * program from the handlers directory, or f's own code. */
static HandlerZip *handler_zip(Ctx *ctx, Packager *p, const Function *f) {
  const char *index = function_asset_index(ctx, f);
  HandlerZip *h = strindex_get(&p->handlers, index);
  if (h)
    return h;
  h = arena_alloc(&ctx->arena, sizeof *h);
  bool al2 = !strcmp(f->runtime ? f->runtime : RUNTIME_NAME, "provided.al2");
  h->runtime = function_custom_runtime(f) ? (al2 ? "provided.al2" : RUNTIME_NAME) : NULL;
  h->glibc_minor = al2 ? 26 : RUNTIME_GLIBC_MINOR; /* Amazon Linux 2 has glibc 2.26 */
  h->code = f->code ? f->code_shown : NULL;
  h->name = arena_strdup(&ctx->arena, f->code ? f->key : f->handler);
  h->dir = f->code ? f->code_path : arena_printf(&ctx->arena, "%s/%s", p->handlers_dir, f->handler);
  if (f->code && f->code_is_zip)
    read_code_zip(ctx, p, h);
  else if (f->code && !h->runtime)
    read_code_dir(ctx, p, h);
  else
    read_handler(ctx, p, h);
  strindex_put(ctx, &p->handlers, index, h);
  return h;
}

static unsigned machine_of(const Function *f) {
  return f->architecture == ARCH_ARM64 ? EM_AARCH64 : EM_X86_64;
}

/* One error per problem, at the first function that runs the handler. */
/* Where a function says `field`, else its key ("ingest:"): the handler and
 * the architecture are usually not written at all. */
static Pos function_pos(const Model *m, const Function *f, const char *field) {
  if (node_get(f->node, field))
    return decode_value_pos(f->node, field);
  NodePair *pair = node_get_pair(node_get(m->node, "functions"), f->key);
  return pair ? pair->key->pos : f->node->pos;
}

/* The problems of a function's own code, at its `code:`. */
static bool report_code_problems(Ctx *ctx, const HandlerZip *h, const Model *m,
                                 const Function *f) {
  Pos at = function_pos(m, f, "code");
  if (h->missing)
    diag_error(ctx, at, LK_HANDLER_MISSING,
               "code '%s' has no file 'bootstrap' at its top, which %s runs", h->code,
               h->runtime);
  for (size_t i = 0; i < h->problems.len; i++)
    diag_error(ctx, at, LK_HANDLER_RUNTIME, "code '%s' cannot run on %s: %s", h->code,
               h->runtime ? h->runtime : f->runtime, (const char *)h->problems.items[i]);
  return !h->missing && h->problems.len == 0;
}

static bool report_problems(Ctx *ctx, const Packager *p, const HandlerZip *h, const Model *m,
                            const Function *f) {
  if (h->code)
    return report_code_problems(ctx, h, m, f);
  Pos at = function_pos(m, f, "handler");
  if (h->missing) {
    Diag *d = diag_error(ctx, at, LK_HANDLER_MISSING, "no handler program '%s': %s", h->name,
                         h->missing);
    diag_note(ctx, d, (Pos){0},
              "handler programs are looked for in '%s' (--handlers DIR); the build makes them "
              "with 'cmake --build'", p->handlers_dir);
    return false;
  }
  for (size_t i = 0; i < h->problems.len; i++)
    diag_error(ctx, at, LK_HANDLER_RUNTIME, "handler '%s' cannot run on " RUNTIME_NAME ": %s",
               h->name, (const char *)h->problems.items[i]);
  return h->problems.len == 0;
}

static bool check_architecture(Ctx *ctx, const HandlerZip *h, const Model *m, const Function *f) {
  if (!h->machine || h->machine == machine_of(f))
    return true;
  const char *wanted = elf_machine_name(&ctx->arena, machine_of(f));
  Diag *d = diag_error(ctx, function_pos(m, f, "architecture"), LK_HANDLER_ARCH,
                       "handler '%s' is built for %s, but function '%s' runs on %s", h->name,
                       elf_machine_name(&ctx->arena, h->machine), f->key, wanted);
  if (!node_get(f->node, "architecture"))
    diag_note(ctx, d, (Pos){0}, "a function runs on the build host's architecture, %s, "
              "unless it says 'architecture:'", wanted);
  diag_note(ctx, d, (Pos){0}, "build the handlers for %s (README: \"Building the handlers for "
            "another architecture\") and pass them with --handlers DIR", wanted);
  return false;
}

static json_t *parameter_body(Ir *ir, const char *id) {
  for (size_t i = 0; i < ir->parameters.len; i++) {
    IrEntry *e = ir->parameters.items[i];
    if (!strcmp(e->id, id))
      return e->value;
  }
  BUG("no parameter '%s'", id);
}

bool package_stage(Ctx *ctx, Packager *p, const Model *m, Ir *ir) {
  bool ok = true;
  for (size_t i = 0; i < construct_count(m, &construct_function); i++) {
    const Function *f = construct_item(m, &construct_function, i);
    IrAsset *a = strindex_get(&ir->assets_by_handler, function_asset_index(ctx, f));
    HandlerZip *h = handler_zip(ctx, p, f);
    if (!a->reported) {
      a->reported = true;
      ok &= report_problems(ctx, p, h, m, f);
    }
    if (h->missing || h->problems.len)
      continue;
    if (!check_architecture(ctx, h, m, f)) {
      ok = false;
      continue;
    }
    a->file = h->file;
    a->sha256 = h->sha256;
    a->zip = h->zip;
    a->zip_size = h->zip_size;
    json_object_set_new(parameter_body(ir, a->parameter), "Default", json_string(h->file));
  }
  return ok;
}

/* The deflate cache (see package.h). An entry is a header, then the
 * member's compressed bytes (none when it is stored: those are the file's):
 *   "lakec deflate 1\n"  magic, 16 bytes
 *   key                  64 hex digits, the name it must be found under
 *   method, crc          4 bytes each   } little-endian, as the member
 *   size, csize          8 bytes each   } goes into the zip
 *   crc of the payload   4 bytes
 * The payload's CRC catches a flipped bit that would still inflate to the
 * right bytes: the zip would work but differ from one made without cache. */
#define CACHE_MAGIC "lakec deflate 1\n"
enum { MAGIC_LEN = 16, KEY_LEN = 64, HEADER_LEN = MAGIC_LEN + KEY_LEN + 4 + 4 + 8 + 8 + 4 };

static uint64_t get_le(const unsigned char *p, int n) {
  uint64_t v = 0;
  while (n--)
    v = v << 8 | p[n];
  return v;
}

static void put_le(unsigned char *p, uint64_t v, int n) {
  for (int i = 0; i < n; i++, v >>= 8)
    p[i] = (unsigned char)v;
}

static uint32_t payload_crc(const unsigned char *data, size_t size) {
  return (uint32_t)crc32(crc32(0L, Z_NULL, 0), data, (uInt)size);
}

/* The settings come first, so a build with another compressor misses. */
static const char *cache_key(Ctx *ctx, const unsigned char *data, size_t size) {
  char settings[ZIP_SETTINGS_SIZE];
  return sha256_hex_after(ctx, zip_member_settings(settings), data, size);
}

static const char *cache_path(Ctx *ctx, const Packager *p, const char *key) {
  return arena_printf(&ctx->arena, "%s/" PACKAGE_CACHE_DIR "%s%s", p->out_dir, key ? "/" : "",
                      key ? key : "");
}

/* The header's fields into m; false unless it is an entry for key that
 * could hold a member of size bytes. */
static bool parse_header(const unsigned char *h, const char *key, size_t size, ZipMember *m,
                         uint32_t *pcrc) {
  if (memcmp(h, CACHE_MAGIC, MAGIC_LEN) || memcmp(h + MAGIC_LEN, key, KEY_LEN))
    return false;
  const unsigned char *f = h + MAGIC_LEN + KEY_LEN;
  m->method = (uint16_t)get_le(f, 4);
  m->crc = (uint32_t)get_le(f + 4, 4);
  uint64_t usize = get_le(f + 8, 8), csize = get_le(f + 16, 8);
  *pcrc = (uint32_t)get_le(f + 24, 4);
  if (usize != size || (m->method == 8 && csize >= size) || (m->method == 0 && csize != 0) ||
      (m->method != 0 && m->method != 8))
    return false;
  m->size = size;
  m->csize = (size_t)csize;
  return true;
}

/* Reads the payload: exactly csize bytes, then the end of the file. */
static unsigned char *read_payload(FILE *fp, size_t csize, uint32_t pcrc) {
  unsigned char *buf = malloc(csize ? csize : 1);
  if (buf && fread(buf, 1, csize, fp) == csize && fgetc(fp) == EOF &&
      payload_crc(buf, csize) == pcrc)
    return buf;
  free(buf);
  return NULL;
}

/* The entry for key, checked down to the inflated bytes; false (m empty)
 * when it is absent, cut short, damaged or from other settings. */
static bool cache_load(Ctx *ctx, const Packager *p, const char *key, const unsigned char *data,
                       size_t size, ZipMember *m) {
  memset(m, 0, sizeof *m);
  FILE *fp = fopen(cache_path(ctx, p, key), "rb");
  if (!fp)
    return false;
  unsigned char h[HEADER_LEN];
  uint32_t pcrc = 0;
  bool ok = fread(h, 1, sizeof h, fp) == sizeof h && parse_header(h, key, size, m, &pcrc);
  if (ok)
    m->cdata = read_payload(fp, m->csize, pcrc);
  fclose(fp);
  if (ok && m->cdata && m->method == 0) { /* stored: the payload is the file itself */
    free(m->cdata);
    m->cdata = malloc(size ? size : 1);
    if (!m->cdata)
      BUG("out of memory");
    memcpy(m->cdata, data, size);
    m->csize = size;
  }
  if (ok && m->cdata && zip_member_holds(m, data, size))
    return true;
  zip_member_release(m);
  memset(m, 0, sizeof *m);
  return false;
}

const ZipMember *packager_member(Ctx *ctx, Packager *p, const unsigned char *data, size_t size) {
  const char *key = cache_key(ctx, data, size);
  ZipMember *m = strindex_get(&p->members, key);
  if (m)
    return m;
  m = malloc(sizeof *m);
  if (!m)
    BUG("out of memory");
  own(ctx, p, m);
  if (p->out_dir && cache_load(ctx, p, key, data, size, m)) {
    p->reused++;
  } else {
    if (!zip_member_make(m, data, size))
      BUG("cannot compress %zu bytes", size);
    p->deflated++;
    if (p->out_dir)
      ptrvec_push(&ctx->arena, &p->unsaved, (void *)key);
  }
  own(ctx, p, m->cdata);
  strindex_put(ctx, &p->members, key, m);
  return m;
}

static bool write_entry(int fd, const ZipMember *m, const char *key) {
  size_t payload = m->method == 0 ? 0 : m->csize;
  unsigned char h[HEADER_LEN];
  memcpy(h, CACHE_MAGIC, MAGIC_LEN);
  memcpy(h + MAGIC_LEN, key, KEY_LEN);
  unsigned char *f = h + MAGIC_LEN + KEY_LEN;
  put_le(f, m->method, 4);
  put_le(f + 4, m->crc, 4);
  put_le(f + 8, m->size, 8);
  put_le(f + 16, payload, 8);
  put_le(f + 24, payload_crc(m->cdata, payload), 4);
  return outdir_write_fully(fd, h, sizeof h) && outdir_write_fully(fd, m->cdata, payload);
}

/* Under a fresh temporary name (never a file or link already there),
 * renamed into place when whole: a reader sees the old entry, the new one or
 * none, never half of one. A killed build's temporary is removed by the
 * next build (outdir_remove_leftovers). */
static void cache_store(Ctx *ctx, const Packager *p, const char *key, const ZipMember *m) {
  int fd;
  const char *tmp = outdir_temp_file(&ctx->arena, cache_path(ctx, p, NULL), &fd);
  if (!tmp)
    return;
  bool ok = write_entry(fd, m, key);
  ok &= close(fd) == 0;
  if (!ok || rename(tmp, cache_path(ctx, p, key)) != 0)
    unlink(tmp);
}

void packager_save_cache(Ctx *ctx, Packager *p) {
  if (!p->out_dir || !p->unsaved.len)
    return;
  const char *dir = cache_path(ctx, p, NULL);
  mkdir(p->out_dir, 0777);
  mkdir(arena_printf(&ctx->arena, "%s/.cache", p->out_dir), 0777);
  mkdir(dir, 0777);
  for (size_t i = 0; i < p->unsaved.len; i++) {
    const char *key = p->unsaved.items[i];
    cache_store(ctx, p, key, strindex_get(&p->members, key));
  }
  p->unsaved.len = 0;
}
