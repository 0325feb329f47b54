/* arlib.h: the libarchive functions evtriage uses, loaded (dlopen) the first time an archive is
 * read, so a run over EVTX files alone does not load libarchive and what it pulls in (libxml2,
 * ICU, libstdc++, ...): about 1.8 ms of every start-up otherwise (docs/bench.md). The types come
 * from libarchive's own header, so a wrong signature does not compile. */
#ifndef EVTRIAGE_ARLIB_H
#define EVTRIAGE_ARLIB_H
#include <archive.h>
#include <archive_entry.h>
#include <stddef.h>

#define ET_ARLIB_FUNCS(X) \
    X(archive_read_new) X(archive_read_free) X(archive_read_support_filter_all) \
    X(archive_read_support_format_all) X(archive_read_support_format_zip_seekable) \
    X(archive_read_support_format_zip_streamable) \
    X(archive_read_open_fd) X(archive_read_set_read_callback) X(archive_read_set_seek_callback) \
    X(archive_read_set_skip_callback) X(archive_read_set_close_callback) \
    X(archive_read_set_callback_data) X(archive_read_open1) X(archive_read_next_header) \
    X(archive_read_data) X(archive_read_data_block) X(archive_read_data_skip) X(archive_error_string) X(archive_set_error) \
    X(archive_entry_pathname) X(archive_entry_size) X(archive_entry_size_is_set) \
    X(archive_entry_filetype) X(archive_entry_is_encrypted) X(archive_filter_bytes) \
    X(archive_read_support_format_raw) X(archive_format)

typedef struct et_arlib {
#define ET_ARLIB_FIELD(name) __typeof__(&name) name;
    ET_ARLIB_FUNCS(ET_ARLIB_FIELD)
#undef ET_ARLIB_FIELD
} et_arlib;

/* The functions (la->archive_read_new() ...), or NULL when libarchive cannot be loaded: then
 * why is in msg. Safe from any thread. $EVTRIAGE_LIBARCHIVE names another file to load (tests). */
const et_arlib *et_arlib_get(char *msg, size_t msglen);
/* The same where a handle already exists, so the library is known to be there. */
static inline const et_arlib *et_la(void) { return et_arlib_get(NULL, 0); }

#endif
