/* outdir: the file-system steps behind lakec's output folders. A stage's
 * folder is written as a whole into a fresh temporary folder beside it and
 * swapped into place in one step; files are created only where nothing was
 * (O_EXCL) and never through a symbolic link (O_NOFOLLOW, *at() calls
 * relative to a folder opened without following links); trees are removed
 * without ever descending into a link.
 *
 * Temporaries are named .lakec-tmp.<pid>.XXXXXX and locked (flock) by the
 * build that made them for as long as it runs, so a later build can tell an
 * abandoned one (its build was killed) from a concurrent build's. */
#ifndef LAKEC_OUTDIR_H
#define LAKEC_OUTDIR_H

#include "arena.h"

#include <stdbool.h>
#include <stddef.h>

#define OUTDIR_TMP_PREFIX ".lakec-tmp."

/* mkdir -p. Existing folders (and links to folders: DIR and DIR/<project>
 * may be links the user made) are fine. False with errno set. */
bool outdir_make_dirs(const char *path);

/* A fresh empty folder in parent, parent/.lakec-tmp.<pid>.XXXXXX, with the
 * mode mkdir gives, opened (*fd) and locked while *fd is open. Its path (in
 * the arena), or NULL with errno set. */
const char *outdir_temp_folder(Arena *a, const char *parent, int *fd);
/* The same for a file, open for writing: *fd, locked while open. */
const char *outdir_temp_file(Arena *a, const char *dir, int *fd);

bool outdir_write_fully(int fd, const void *data, size_t size);
/* name, relative to dirfd, created (never an existing file, never through a
 * link) with exactly data. False with errno set; nothing left on failure. */
bool outdir_write_new(int dirfd, const char *name, const void *data, size_t size);
/* `to` (relative to tofd, must not exist) gets the bytes of `from` (relative
 * to fromfd): a hard link, else (a file system without links, another file
 * system) a copy. A link `from` is linked as the link it is, never
 * followed. False with errno set. */
bool outdir_link_or_copy(int fromfd, const char *from, int tofd, const char *to);

/* Puts the folder tmp where the folder `final` is, in one step: Linux's
 * renameat2(RENAME_EXCHANGE) swaps them (the old tree is then at tmp), or a
 * plain rename when there is no `final` yet. Where the exchange is not
 * supported, `final` is first renamed aside, then tmp into place: a reader
 * may find no folder for a moment, never a mixed one. *old is where the old
 * tree now is (to remove), or NULL. False with errno set: nothing moved. */
bool outdir_replace_folder(Arena *a, const char *tmp, const char *final, const char **old);
/* Its fallback (exposed for the tests, which cannot make the exchange fail). */
bool outdir_replace_in_two_steps(Arena *a, const char *tmp, const char *final, const char **old);

/* Removes name (relative to dirfd): a file, a link (not what it points to)
 * or a whole folder, never descending into a link. A missing name is fine. */
bool outdir_remove_at(int dirfd, const char *name);

/* Whether name is a temporary of a lakec build: .lakec-tmp.<pid>.*, or
 * NAME.tmp.<pid> beside a file of earlier lakec versions. */
bool outdir_is_temporary(const char *name);
/* The temporaries in dir that no running build holds, as paths (in the
 * arena) pushed on out. */
void outdir_leftovers(Arena *a, const char *dir, PtrVec *out);
/* Removes those. */
void outdir_remove_leftovers(Arena *a, const char *dir);

#endif
