/* elfinfo: what packaging needs to know about an ELF file (read with
 * elfutils' libelf): its machine, the shared libraries it names (DT_NEEDED)
 * and the symbol versions it needs from each (.gnu.version_r). */
#ifndef LAKEC_ELFINFO_H
#define LAKEC_ELFINFO_H

#include "arena.h"
#include <stdbool.h>
#include <stddef.h>

typedef struct ElfNeed {
  const char *library; /* "libc.so.6" */
  const char *version; /* "GLIBC_2.34" */
} ElfNeed;

typedef struct ElfInfo {
  bool is_elf;
  bool is_64bit_lsb;
  bool is_executable; /* ET_EXEC or ET_DYN with an interpreter */
  unsigned machine;   /* EM_X86_64, EM_AARCH64, ... */
  PtrVec needed;      /* const char *: DT_NEEDED names */
  PtrVec versions;    /* ElfNeed * */
  const char *problem; /* set when the file looks like ELF but cannot be read */
} ElfInfo;

/* Reads data (the whole file). Allocations come from a. */
void elf_info_read(Arena *a, const unsigned char *data, size_t size, ElfInfo *out);
/* "x86_64", "arm64" or "machine N": how a Lambda architecture is spelled. */
const char *elf_machine_name(Arena *a, unsigned machine);

#endif
