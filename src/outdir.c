/* outdir: see outdir.h. Linux-specific where it helps (renameat2's
 * RENAME_EXCHANGE), with a portable fallback. */
#define _GNU_SOURCE /* renameat2, flock */
#include "outdir.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

enum { MAX_TREE_DEPTH = 64 }; /* deeper than any folder lakec writes */

bool outdir_make_dirs(const char *path) {
  char buf[4096];
  if (strlen(path) >= sizeof buf) {
    errno = ENAMETOOLONG;
    return false;
  }
  strcpy(buf, path);
  for (char *p = buf + 1; *p; p++) {
    if (*p != '/')
      continue;
    *p = '\0';
    if (mkdir(buf, 0777) != 0 && errno != EEXIST)
      return false;
    *p = '/';
  }
  struct stat st;
  if (mkdir(buf, 0777) == 0)
    return true;
  if (errno == EEXIST && stat(buf, &st) == 0 && !S_ISDIR(st.st_mode))
    errno = ENOTDIR;
  return errno == EEXIST;
}

/* umask cannot be read without being set; lakec runs no other thread while
 * it writes its output. */
static mode_t current_umask(void) {
  mode_t mask = umask(022);
  umask(mask);
  return mask;
}

/* The descriptor locked and given the mode a plain creation would have had
 * (mkdtemp and mkstemp make 0700 and 0600). */
static bool claim(int fd, mode_t mode) {
  return flock(fd, LOCK_EX | LOCK_NB) == 0 && fchmod(fd, mode & ~current_umask()) == 0;
}

static char *temp_pattern(Arena *a, const char *dir) {
  return arena_printf(a, "%s/" OUTDIR_TMP_PREFIX "%ld.XXXXXX", dir, (long)getpid());
}

const char *outdir_temp_folder(Arena *a, const char *parent, int *fd) {
  char *path = temp_pattern(a, parent);
  *fd = -1;
  if (!mkdtemp(path))
    return NULL;
  *fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (*fd >= 0 && claim(*fd, 0777))
    return path;
  int saved = errno;
  if (*fd >= 0)
    close(*fd);
  rmdir(path);
  *fd = -1;
  errno = saved;
  return NULL;
}

const char *outdir_temp_file(Arena *a, const char *dir, int *fd) {
  char *path = temp_pattern(a, dir);
  *fd = mkstemp(path); /* O_CREAT|O_EXCL: never opens what is there, a link included */
  if (*fd >= 0 && claim(*fd, 0666))
    return path;
  int saved = errno;
  if (*fd >= 0) {
    close(*fd);
    unlink(path);
  }
  *fd = -1;
  errno = saved;
  return NULL;
}

bool outdir_write_fully(int fd, const void *data, size_t size) {
  const char *p = data;
  while (size) {
    ssize_t w = write(fd, p, size);
    if (w < 0 && errno != EINTR)
      return false;
    p += w > 0 ? w : 0;
    size -= w > 0 ? (size_t)w : 0;
  }
  return true;
}

/* Closes fd; on failure (ok false, or close failing) removes name. */
static bool finish_new(int fd, int dirfd, const char *name, bool ok) {
  int saved = errno;
  if (close(fd) != 0 && ok) {
    ok = false;
    saved = errno;
  }
  if (!ok)
    unlinkat(dirfd, name, 0);
  errno = saved;
  return ok;
}

static int create_new(int dirfd, const char *name) {
  return openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
}

bool outdir_write_new(int dirfd, const char *name, const void *data, size_t size) {
  int fd = create_new(dirfd, name);
  return fd >= 0 && finish_new(fd, dirfd, name, outdir_write_fully(fd, data, size));
}

static bool copy_link(int fromfd, const char *from, int tofd, const char *to) {
  char target[4096];
  ssize_t n = readlinkat(fromfd, from, target, sizeof target - 1);
  if (n < 0)
    return false;
  target[n] = '\0';
  return symlinkat(target, tofd, to) == 0;
}

static bool copy_file(int fromfd, const char *from, int tofd, const char *to) {
  int in = openat(fromfd, from, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (in < 0)
    return false;
  int out = create_new(tofd, to);
  bool ok = out >= 0;
  char buf[65536];
  for (ssize_t n; ok && (n = read(in, buf, sizeof buf)) != 0;)
    ok = n > 0 ? outdir_write_fully(out, buf, (size_t)n) : errno == EINTR;
  int saved = errno;
  if (out >= 0)
    ok = finish_new(out, tofd, to, ok);
  else
    errno = saved;
  saved = errno;
  close(in);
  errno = saved;
  return ok;
}

bool outdir_link_or_copy(int fromfd, const char *from, int tofd, const char *to) {
  if (linkat(fromfd, from, tofd, to, 0) == 0) /* no AT_SYMLINK_FOLLOW: a link stays a link */
    return true;
  if (errno == EEXIST)
    return false;
  struct stat st;
  if (fstatat(fromfd, from, &st, AT_SYMLINK_NOFOLLOW) != 0)
    return false;
  return S_ISLNK(st.st_mode) ? copy_link(fromfd, from, tofd, to)
                             : copy_file(fromfd, from, tofd, to);
}

static int exchange(const char *a, const char *b) {
#ifdef RENAME_EXCHANGE
  return renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE);
#else
  (void)a, (void)b;
  errno = ENOSYS;
  return -1;
#endif
}

/* `final` renamed onto a fresh empty folder beside it (rename replaces an
 * empty folder), then tmp renamed into place. */
bool outdir_replace_in_two_steps(Arena *a, const char *tmp, const char *final, const char **old) {
  const char *slash = strrchr(final, '/');
  const char *parent = slash ? arena_strndup(a, final, (size_t)(slash - final)) : ".";
  char *aside = temp_pattern(a, parent);
  if (!mkdtemp(aside))
    return false;
  if (rename(final, aside) != 0) {
    int saved = errno;
    rmdir(aside);
    errno = saved;
    return false;
  }
  if (rename(tmp, final) != 0) {
    int saved = errno;
    rename(aside, final);
    errno = saved;
    return false;
  }
  *old = aside;
  return true;
}

bool outdir_replace_folder(Arena *a, const char *tmp, const char *final, const char **old) {
  *old = NULL;
  if (exchange(tmp, final) == 0) {
    *old = tmp;
    return true;
  }
  if (errno == ENOENT)
    return rename(tmp, final) == 0;
  if (errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
    return false;
  return outdir_replace_in_two_steps(a, tmp, final, old);
}

static bool remove_tree(int dirfd, const char *name, int depth);

static bool remove_entries(int fd, int depth) {
  DIR *d = fdopendir(fd);
  if (!d) {
    close(fd);
    return false;
  }
  bool ok = true;
  for (struct dirent *e; (e = readdir(d));)
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
      ok &= remove_tree(fd, e->d_name, depth + 1);
  closedir(d);
  return ok;
}

static bool remove_tree(int dirfd, const char *name, int depth) {
  struct stat st;
  if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
    return errno == ENOENT;
  if (!S_ISDIR(st.st_mode))
    return unlinkat(dirfd, name, 0) == 0 || errno == ENOENT;
  if (depth >= MAX_TREE_DEPTH)
    return false;
  /* O_NOFOLLOW: a folder swapped for a link since fstatat is not entered. */
  int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return errno == ENOENT ? true : unlinkat(dirfd, name, 0) == 0;
  bool ok = remove_entries(fd, depth);
  return (unlinkat(dirfd, name, AT_REMOVEDIR) == 0 || errno == ENOENT) && ok;
}

bool outdir_remove_at(int dirfd, const char *name) { return remove_tree(dirfd, name, 0); }

/* The pid in the digits at p (*rest: what follows them); -1 when there are
 * none or too many. */
static long pid_at(const char *p, const char **rest) {
  const char *start = p;
  while (isdigit((unsigned char)*p))
    p++;
  *rest = p;
  if (p == start || p - start > 9)
    return -1;
  return strtol(start, NULL, 10);
}

static bool ends_with(const char *s, size_t n, const char *suffix) {
  size_t k = strlen(suffix);
  return n >= k && !memcmp(s + n - k, suffix, k);
}

/* A file name lakec writes: a template, the manifest, a zip, a cache entry
 * (64 hex digits). */
static bool lakec_file_name(const char *name, size_t n) {
  size_t hex = 0;
  while (hex < n && isxdigit((unsigned char)name[hex]))
    hex++;
  return ends_with(name, n, ".json") || ends_with(name, n, ".zip") || (n == 64 && hex == 64);
}

/* Earlier versions wrote NAME.tmp.<pid> beside each file NAME. */
static long legacy_pid(const char *name) {
  const char *tmp = NULL, *rest;
  for (const char *p = strstr(name, ".tmp."); p; p = strstr(p + 1, ".tmp."))
    tmp = p;
  if (!tmp || !lakec_file_name(name, (size_t)(tmp - name)))
    return -1;
  long pid = pid_at(tmp + 5, &rest);
  return *rest ? -1 : pid;
}

static long temporary_pid(const char *name) {
  size_t k = strlen(OUTDIR_TMP_PREFIX);
  if (strncmp(name, OUTDIR_TMP_PREFIX, k) != 0)
    return legacy_pid(name);
  const char *rest;
  long pid = pid_at(name + k, &rest);
  return *rest == '.' ? pid : -1;
}

bool outdir_is_temporary(const char *name) { return temporary_pid(name) > 0; }

static bool process_runs(long pid) {
  return kill((pid_t)pid, 0) == 0 || errno == EPERM;
}

/* Not abandoned while its process runs (in this pid namespace) or while
 * someone holds its lock (a build whose pid we cannot see). A link is never
 * a build's: it is abandoned (removing it removes the link only). */
static bool abandoned(int dirfd, const char *name) {
  long pid = temporary_pid(name);
  if (pid <= 0 || process_runs(pid))
    return false;
  int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0)
    return errno != ENOENT;
  bool held = flock(fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK;
  close(fd);
  return !held;
}

/* Visits each abandoned temporary of dir. */
static void each_leftover(Arena *a, const char *dir, PtrVec *paths, bool remove) {
  int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
  if (!d) {
    if (fd >= 0)
      close(fd);
    return;
  }
  for (struct dirent *e; (e = readdir(d));) {
    if (!outdir_is_temporary(e->d_name) || !abandoned(fd, e->d_name))
      continue;
    if (paths)
      ptrvec_push(a, paths, arena_printf(a, "%s/%s", dir, e->d_name));
    if (remove)
      outdir_remove_at(fd, e->d_name);
  }
  closedir(d);
}

void outdir_leftovers(Arena *a, const char *dir, PtrVec *out) { each_leftover(a, dir, out, false); }

void outdir_remove_leftovers(Arena *a, const char *dir) { each_leftover(a, dir, NULL, true); }
