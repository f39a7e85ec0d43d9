/* package: the zip writer read back by a small independent reader (headers,
 * central directory, CRCs, inflated bytes), and the ELF reader on this very
 * test program, on a truncated copy and on text. The whole packaging path
 * with real handler directories is tests/package/test_package.py. */
#include "support.h"
#include "elfinfo.h"
#include "zipfile.h"

#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(zip_reads_back),
      cmocka_unit_test(zip_is_deterministic),
      cmocka_unit_test(elf_reads_this_program),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
