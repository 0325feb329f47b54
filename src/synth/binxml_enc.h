/* binxml_enc.h: encodes one scenario event as an EVTX record the way Windows does: a template
 * instance whose definition (the event's XML shape, System element included) is stored once per
 * chunk, with typed substitution values. Names and templates are chunk-scoped: the encoder
 * keeps what the current chunk already holds. */
#ifndef EVTRIAGE_BINXML_ENC_H
#define EVTRIAGE_BINXML_ENC_H
#include <stdint.h>
#include "core/outbuf.h"
#include "synth/scenario.h"

typedef struct bxe_chunk bxe_chunk;

bxe_chunk *bxe_chunk_new(void);
void bxe_chunk_free(bxe_chunk *c);
/* Forgets every name and template: a new chunk begins. */
void bxe_chunk_reset(bxe_chunk *c);

/* Appends the whole record (header, BinXML, trailing size) for ev to out, which will be stored
 * at chunk offset `at`. New names and templates are defined inline and remembered only when
 * bxe_commit() is called (so a record that does not fit can be re-encoded in a new chunk). */
void bxe_encode_record(bxe_chunk *c, const sy_event *ev, uint32_t at, et_buf *out);
void bxe_commit(bxe_chunk *c);

/* The chunk header's tables: 64 string-hash buckets and 32 template buckets (offsets). */
void bxe_tables(const bxe_chunk *c, uint32_t strings[64], uint32_t templates[32]);

/* Windows' name hash (low 16 bits of h = h * 65599 + unit over the UTF-16 code units). */
uint16_t bxe_name_hash(const uint8_t *utf16, size_t units);

#endif
