/* package: the zip writer read back by a small independent reader (headers,
 * central directory, CRCs, inflated bytes), the ELF reader on this very
 * test program, on a truncated copy and on text, the deflate cache (hits,
 * damaged entries, changed files) and link-or-copy. The whole packaging
 * path with real handler directories is tests/package/test_package.py. */
#include "support.h"
#include "elfinfo.h"
#include "outdir.h"
#include "package.h"
#include "zipfile.h"

#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

static unsigned get16(const unsigned char *p) { return p[0] | p[1] << 8; }
static uint32_t get32(const unsigned char *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* The bytes of entry `name`, inflated and CRC-checked, with its mode. */
static unsigned char *zip_read(const unsigned char *zip, size_t len, const char *name,
                               size_t *size, unsigned *mode) {
  const unsigned char *end = zip + len - 22;
  assert_int_equal(get32(end), 0x06054b50);
  unsigned entries = get16(end + 10);
  const unsigned char *c = zip + get32(end + 16);
  for (unsigned i = 0; i < entries; i++) {
    assert_int_equal(get32(c), 0x02014b50);
    unsigned name_len = get16(c + 28), extra = get16(c + 30), comment = get16(c + 32);
    assert_int_equal(extra, 0);
    assert_int_equal(get16(c + 12), 0);    /* time: midnight */
    assert_int_equal(get16(c + 14), 0x21); /* date: 1980-01-01 */
    if (name_len == strlen(name) && !memcmp(c + 46, name, name_len)) {
      const unsigned char *local = zip + get32(c + 42);
      assert_int_equal(get32(local), 0x04034b50);
      const unsigned char *data = local + 30 + get16(local + 26) + get16(local + 28);
      *size = get32(c + 24);
      *mode = get32(c + 38) >> 16;
      unsigned char *out = malloc(*size + 1);
      if (get16(c + 10) == 8) {
        z_stream z = {0};
        assert_int_equal(inflateInit2(&z, -15), Z_OK);
        z.next_in = (unsigned char *)data;
        z.avail_in = get32(c + 20);
        z.next_out = out;
        z.avail_out = (uInt)*size;
        assert_int_equal(inflate(&z, Z_FINISH), Z_STREAM_END);
        inflateEnd(&z);
      } else {
        assert_int_equal(get16(c + 10), 0);
        memcpy(out, data, *size);
      }
      assert_int_equal(crc32(0, out, (uInt)*size), get32(c + 16));
      return out;
    }
    c += 46 + name_len + extra + comment;
  }
  fail_msg("no entry '%s'", name);
  return NULL;
}

static unsigned char *make_zip(size_t *len) {
  static const char text[] = "the same line again\nthe same line again\nthe same line again\n";
  static const unsigned char tiny[] = {0x7f, 1, 2};
  ZipMember a, b;
  assert_true(zip_member_make(&a, (const unsigned char *)text, sizeof text - 1));
  assert_true(zip_member_make(&b, tiny, sizeof tiny));
  assert_int_equal(a.method, 8); /* repetitive text deflates */
  assert_int_equal(b.method, 0); /* three bytes do not: stored */
  ZipWriter w = {0};
  zip_add(&w, "bootstrap", 0755, &a);
  zip_add(&w, "lib/tiny.so", 0644, &b);
  zip_add(&w, "lib/again.txt", 0644, &a); /* one member in two places */
  unsigned char *zip = zip_finish(&w, len);
  zip_member_release(&a);
  zip_member_release(&b);
  return zip;
}

static void zip_reads_back(void **state) {
  (void)state;
  size_t len, size;
  unsigned mode;
  unsigned char *zip = make_zip(&len);
  unsigned char *data = zip_read(zip, len, "bootstrap", &size, &mode);
  assert_int_equal(size, 60);
  assert_memory_equal(data, "the same line again\n", 20);
  assert_int_equal(mode, 0100755);
  free(data);
  data = zip_read(zip, len, "lib/tiny.so", &size, &mode);
  assert_int_equal(size, 3);
  assert_int_equal(data[0], 0x7f);
  assert_int_equal(mode, 0100644);
  free(data);
  data = zip_read(zip, len, "lib/again.txt", &size, &mode);
  assert_int_equal(size, 60);
  free(data);
  free(zip);
}

static void zip_is_deterministic(void **state) {
  (void)state;
  size_t n1, n2;
  unsigned char *z1 = make_zip(&n1), *z2 = make_zip(&n2);
  assert_int_equal(n1, n2);
  assert_memory_equal(z1, z2, n1);
  free(z1);
  free(z2);
}

static unsigned char *read_file(const char *path, size_t *size) {
  FILE *fp = fopen(path, "rb");
  assert_non_null(fp);
  fseek(fp, 0, SEEK_END);
  *size = (size_t)ftell(fp);
  rewind(fp);
  unsigned char *data = malloc(*size);
  assert_int_equal(fread(data, 1, *size, fp), *size);
  fclose(fp);
  return data;
}

static bool has_need(const ElfInfo *e, const char *library, const char *prefix) {
  for (size_t i = 0; i < e->versions.len; i++) {
    const ElfNeed *n = e->versions.items[i];
    if (!strcmp(n->library, library) && !strncmp(n->version, prefix, strlen(prefix)))
      return true;
  }
  return false;
}

static void elf_reads_this_program(void **state) {
  (void)state;
  Arena a;
  arena_init(&a);
  size_t size;
  unsigned char *self = read_file("/proc/self/exe", &size);
  ElfInfo e;
  elf_info_read(&a, self, size, &e);
  assert_true(e.is_elf && e.is_64bit_lsb && e.is_executable);
  assert_null(e.problem);
#if defined(__x86_64__)
  assert_int_equal(e.machine, EM_X86_64);
  assert_string_equal(elf_machine_name(&a, e.machine), "x86_64");
#elif defined(__aarch64__)
  assert_int_equal(e.machine, EM_AARCH64);
  assert_string_equal(elf_machine_name(&a, e.machine), "arm64");
#endif
  bool libc = false;
  for (size_t i = 0; i < e.needed.len; i++)
    libc |= !strcmp(e.needed.items[i], "libc.so.6");
  assert_true(libc);
  assert_true(has_need(&e, "libc.so.6", "GLIBC_2."));

  ElfInfo cut; /* the header alone: readable as ELF magic, not as a file */
  elf_info_read(&a, self, 40, &cut);
  assert_true(cut.is_elf);
  assert_non_null(cut.problem);

  ElfInfo text;
  elf_info_read(&a, (const unsigned char *)"#!/bin/sh\n", 10, &text);
  assert_false(text.is_elf);
  assert_string_equal(elf_machine_name(&a, 3), "machine 3");
  free(self);
  arena_release(&a);
}

/* The deflate cache. */

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
  (void)st, (void)flag, (void)ftw;
  return remove(path);
}

static void remove_tree(const char *dir) {
  assert_int_equal(nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS), 0);
}

/* Compressible text of about 300 KB; `seed` changes one line. */
static unsigned char *handler_bytes(size_t *size, int seed) {
  size_t cap = 400000, len = 0;
  char *s = malloc(cap);
  for (int i = 0; len + 64 < cap && i < 12000; i++)
    len += (size_t)snprintf(s + len, cap - len, "symbol_%d = %d\n", i % 977, i == 5000 ? seed : i);
  *size = len;
  return (unsigned char *)s;
}

static const unsigned char NOISE[] = {0x7f, 0x45, 0x4c, 0x46, 0x02, 0x9b, 0x31}; /* stored */

/* A zip of the two files through packager p; caller frees. */
static unsigned char *zip_through(Ctx *ctx, Packager *p, const unsigned char *data, size_t size,
                                  size_t *len) {
  ZipWriter w = {0};
  zip_add(&w, "bootstrap", 0755, packager_member(ctx, p, data, size));
  zip_add(&w, "lib/noise.so", 0644, packager_member(ctx, p, NOISE, sizeof NOISE));
  return zip_finish(&w, len);
}

/* One build: the zip, how many members it deflated and reused; saves the cache. */
typedef struct Build {
  unsigned char *zip;
  size_t len, deflated, reused;
} Build;

static Build build_once(const char *out_dir, const unsigned char *data, size_t size) {
  Ctx ctx;
  ctx_init(&ctx);
  Packager p;
  packager_init(&p, "handlers");
  p.out_dir = out_dir;
  Build b = {0};
  b.zip = zip_through(&ctx, &p, data, size, &b.len);
  b.deflated = p.deflated;
  b.reused = p.reused;
  packager_save_cache(&ctx, &p);
  packager_release(&p);
  ctx_release(&ctx);
  return b;
}

static void assert_same_zip(const Build *a, const Build *b) {
  assert_int_equal(a->len, b->len);
  assert_memory_equal(a->zip, b->zip, a->len);
}

/* The entries in DIR/.cache/deflate, as paths (into paths[], at most 4). */
static size_t cache_entries(Ctx *ctx, const char *out, const char *paths[4]) {
  const char *dir = arena_printf(&ctx->arena, "%s/.cache/deflate", out);
  DIR *d = opendir(dir);
  size_t n = 0;
  for (struct dirent *e; d && (e = readdir(d));) {
    if (e->d_name[0] == '.')
      continue;
    assert_int_equal(strlen(e->d_name), 64); /* a SHA-256, no temporaries left */
    assert_true(n < 4);
    paths[n++] = arena_printf(&ctx->arena, "%s/%s", dir, e->d_name);
  }
  if (d)
    closedir(d);
  return n;
}

static void cache_hit_gives_identical_bytes(void **state) {
  (void)state;
  Ctx ctx;
  ctx_init(&ctx);
  const char *out = temp_dir(&ctx), *paths[4];
  size_t size;
  unsigned char *data = handler_bytes(&size, 1);
  Build none = build_once(NULL, data, size);
  assert_int_equal(none.deflated, 2);
  assert_int_equal(cache_entries(&ctx, out, paths), 0);

  Build cold = build_once(out, data, size);
  assert_int_equal(cold.deflated, 2);
  assert_int_equal(cold.reused, 0);
  assert_int_equal(cache_entries(&ctx, out, paths), 2); /* a deflated member and a stored one */
  Build warm = build_once(out, data, size);
  assert_int_equal(warm.deflated, 0);
  assert_int_equal(warm.reused, 2);
  assert_same_zip(&none, &cold);
  assert_same_zip(&none, &warm);
  size_t got;
  unsigned mode;
  unsigned char *back = zip_read(warm.zip, warm.len, "bootstrap", &got, &mode);
  assert_int_equal(got, size);
  assert_memory_equal(back, data, size);
  free(back);
  free(none.zip), free(cold.zip), free(warm.zip), free(data);
  remove_tree(out);
  ctx_release(&ctx);
}

static void damage(const char *path, int how) {
  FILE *fp = fopen(path, "r+b");
  assert_non_null(fp);
  fseek(fp, 0, SEEK_END);
  long end = ftell(fp);
  if (how == 0) { /* cut short, as by a full disk */
    fclose(fp);
    assert_int_equal(truncate(path, end - 1), 0);
    return;
  }
  /* a bit of: the payload, the header's CRC, the key; a byte past the end */
  long at = how == 1 ? end - 100 : how == 2 ? 84 : how == 3 ? 20 : end;
  fseek(fp, at, SEEK_SET);
  int c = at == end ? 0 : fgetc(fp);
  fseek(fp, at, SEEK_SET);
  fputc(c ^ 0x10, fp);
  fclose(fp);
}

static void damaged_entry_is_recomputed(void **state) {
  (void)state;
  Ctx ctx;
  ctx_init(&ctx);
  const char *out = temp_dir(&ctx), *paths[4];
  size_t size;
  unsigned char *data = handler_bytes(&size, 1);
  Build fresh = build_once(NULL, data, size);
  Build cold = build_once(out, data, size);
  free(cold.zip);
  assert_int_equal(cache_entries(&ctx, out, paths), 2);
  const char *big = paths[0];
  struct stat st0, st1;
  assert_int_equal(stat(paths[0], &st0), 0);
  assert_int_equal(stat(paths[1], &st1), 0);
  if (st1.st_size > st0.st_size)
    big = paths[1];
  for (int how = 0; how < 5; how++) {
    damage(big, how);
    Build b = build_once(out, data, size); /* detects it, deflates again, rewrites it */
    assert_int_equal(b.deflated, 1);
    assert_int_equal(b.reused, 1);
    assert_same_zip(&fresh, &b);
    free(b.zip);
    b = build_once(out, data, size);
    assert_int_equal(b.reused, 2);
    assert_same_zip(&fresh, &b);
    free(b.zip);
  }
  free(fresh.zip);
  free(data);
  remove_tree(out);
  ctx_release(&ctx);
}

static void changed_file_misses(void **state) {
  (void)state;
  Ctx ctx;
  ctx_init(&ctx);
  const char *out = temp_dir(&ctx), *paths[4];
  size_t size;
  unsigned char *v1 = handler_bytes(&size, 1), *v2 = handler_bytes(&size, 2);
  Build a = build_once(out, v1, size);
  Build b = build_once(out, v2, size);
  assert_int_equal(b.deflated, 1); /* the changed file; the unchanged one is reused */
  assert_int_equal(b.reused, 1);
  assert_int_equal(cache_entries(&ctx, out, paths), 3);
  Build fresh = build_once(NULL, v2, size);
  assert_same_zip(&fresh, &b);
  assert_true(a.len != b.len || memcmp(a.zip, b.zip, a.len) != 0);
  free(a.zip), free(b.zip), free(fresh.zip), free(v1), free(v2);
  remove_tree(out);
  ctx_release(&ctx);
}

/* zip_member_holds is the last word on an entry: anything but the file's
 * exact bytes fails it. */
static void member_holds_only_the_bytes(void **state) {
  (void)state;
  size_t size;
  unsigned char *data = handler_bytes(&size, 1);
  ZipMember m;
  assert_true(zip_member_make(&m, data, size));
  assert_true(zip_member_holds(&m, data, size));
  data[size / 2] ^= 1;
  assert_false(zip_member_holds(&m, data, size)); /* CRC */
  data[size / 2] ^= 1;
  m.crc = (uint32_t)crc32(0, data, (uInt)size - 1);
  assert_false(zip_member_holds(&m, data, size - 1)); /* the stream goes on past size - 1 */
  m.crc = (uint32_t)crc32(0, data, (uInt)size);
  m.csize--;
  assert_false(zip_member_holds(&m, data, size)); /* the stream cut short */
  m.csize++;
  m.method = 12;
  assert_false(zip_member_holds(&m, data, size));
  zip_member_release(&m);
  free(data);
}

static void slurp(const char *path, char *buf, size_t cap, size_t *len) {
  FILE *fp = fopen(path, "rb");
  assert_non_null(fp);
  *len = fread(buf, 1, cap, fp);
  fclose(fp);
}

static void link_or_copy_writes_once(void **state) {
  (void)state;
  Ctx ctx;
  ctx_init(&ctx);
  const char *dir = temp_dir(&ctx);
  write_text(dir, "a.zip", "zip bytes");
  const char *a = arena_printf(&ctx.arena, "%s/a.zip", dir);
  const char *b = arena_printf(&ctx.arena, "%s/b.zip", dir);
  assert_true(outdir_link_or_copy(AT_FDCWD, a, AT_FDCWD, b));
  struct stat sa, sb;
  assert_int_equal(stat(a, &sa), 0);
  assert_int_equal(stat(b, &sb), 0);
  assert_int_equal(sa.st_ino, sb.st_ino); /* one copy on disk */
  assert_int_equal(sa.st_nlink, 2);

  write_text(dir, "c.zip", "other");
  const char *c = arena_printf(&ctx.arena, "%s/c.zip", dir);
  assert_false(outdir_link_or_copy(AT_FDCWD, a, AT_FDCWD, c)); /* never overwrites */
  assert_int_equal(errno, EEXIST);
  char buf[256], want[256];
  size_t n, m;
  slurp(c, buf, sizeof buf, &n);
  assert_int_equal(n, 5);

  /* /proc is another file system: link() fails with EXDEV, so a copy. */
  const char *d = arena_printf(&ctx.arena, "%s/d", dir);
  assert_true(outdir_link_or_copy(AT_FDCWD, "/proc/self/cmdline", AT_FDCWD, d));
  slurp("/proc/self/cmdline", want, sizeof want, &m);
  slurp(d, buf, sizeof buf, &n);
  assert_int_equal(n, m);
  assert_memory_equal(buf, want, n);

  const char *e = arena_printf(&ctx.arena, "%s/e", dir);
  assert_false(outdir_link_or_copy(AT_FDCWD, arena_printf(&ctx.arena, "%s/none", dir), AT_FDCWD, e));
  assert_int_equal(errno, ENOENT);
  assert_int_not_equal(access(e, F_OK), 0);
  remove_tree(dir);
  ctx_release(&ctx);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(zip_reads_back),
      cmocka_unit_test(zip_is_deterministic),
      cmocka_unit_test(elf_reads_this_program),
      cmocka_unit_test(cache_hit_gives_identical_bytes),
      cmocka_unit_test(damaged_entry_is_recomputed),
      cmocka_unit_test(changed_file_misses),
      cmocka_unit_test(member_holds_only_the_bytes),
      cmocka_unit_test(link_or_copy_writes_once),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
