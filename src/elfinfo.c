/* elfinfo: see elfinfo.h. libelf bounds-checks every table it hands out, so
 * a truncated or hostile file in a handler directory is reported, not read
 * past its end. */
#include "elfinfo.h"

#include <gelf.h>
#include <libelf.h>
#include <string.h>

/* Every version a verneed section asks for, with the library it asks it of. */
static void read_verneed(Arena *a, Elf *e, Elf_Scn *scn, const GElf_Shdr *sh, ElfInfo *out) {
  Elf_Data *data = elf_getdata(scn, NULL);
  size_t offset = 0;
  for (size_t i = 0; data && i < sh->sh_info; i++) {
    GElf_Verneed need;
    if (!gelf_getverneed(data, (int)offset, &need))
      break;
    const char *library = elf_strptr(e, sh->sh_link, need.vn_file);
    size_t aux_offset = offset + need.vn_aux;
    for (unsigned k = 0; k < need.vn_cnt; k++) {
      GElf_Vernaux aux;
      if (!gelf_getvernaux(data, (int)aux_offset, &aux))
        break;
      const char *version = elf_strptr(e, sh->sh_link, aux.vna_name);
      if (library && version) {
        ElfNeed *n = arena_alloc(a, sizeof *n);
        n->library = arena_strdup(a, library);
        n->version = arena_strdup(a, version);
        ptrvec_push(a, &out->versions, n);
      }
      if (!aux.vna_next)
        break;
      aux_offset += aux.vna_next;
    }
    if (!need.vn_next)
      break;
    offset += need.vn_next;
  }
}

static void read_needed(Arena *a, Elf *e, Elf_Scn *scn, const GElf_Shdr *sh, ElfInfo *out) {
  Elf_Data *data = elf_getdata(scn, NULL);
  GElf_Dyn dyn;
  for (int i = 0; data && gelf_getdyn(data, i, &dyn); i++) {
    if (dyn.d_tag == DT_NULL)
      break;
    const char *name = dyn.d_tag == DT_NEEDED ? elf_strptr(e, sh->sh_link, dyn.d_un.d_val) : NULL;
    if (name)
      ptrvec_push(a, &out->needed, arena_strdup(a, name));
  }
}

static bool has_interpreter(Elf *e) {
  size_t n;
  if (elf_getphdrnum(e, &n) != 0)
    return false;
  for (size_t i = 0; i < n; i++) {
    GElf_Phdr ph;
    if (gelf_getphdr(e, (int)i, &ph) && ph.p_type == PT_INTERP)
      return true;
  }
  return false;
}

void elf_info_read(Arena *a, const unsigned char *data, size_t size, ElfInfo *out) {
  memset(out, 0, sizeof *out);
  if (size < 4 || memcmp(data, ELFMAG, SELFMAG) != 0)
    return;
  out->is_elf = true;
  elf_version(EV_CURRENT);
  Elf *e = elf_memory((char *)data, size);
  GElf_Ehdr eh;
  if (!e || elf_kind(e) != ELF_K_ELF || !gelf_getehdr(e, &eh)) {
    out->problem = "is not a readable ELF file";
    elf_end(e);
    return;
  }
  out->is_64bit_lsb = eh.e_ident[EI_CLASS] == ELFCLASS64 && eh.e_ident[EI_DATA] == ELFDATA2LSB;
  out->machine = eh.e_machine;
  out->is_executable = eh.e_type == ET_EXEC || (eh.e_type == ET_DYN && has_interpreter(e));
  for (Elf_Scn *scn = elf_nextscn(e, NULL); scn; scn = elf_nextscn(e, scn)) {
    GElf_Shdr sh;
    if (!gelf_getshdr(scn, &sh))
      continue;
    if (sh.sh_type == SHT_DYNAMIC)
      read_needed(a, e, scn, &sh, out);
    else if (sh.sh_type == SHT_GNU_verneed)
      read_verneed(a, e, scn, &sh, out);
  }
  elf_end(e);
}

const char *elf_machine_name(Arena *a, unsigned machine) {
  if (machine == EM_X86_64)
    return "x86_64";
  if (machine == EM_AARCH64)
    return "arm64";
  return arena_printf(a, "machine %u", machine);
}
