/* hashpipe.h: the SHA-256 of a stream computed on a second thread as the stream is produced:
 * a big zip member is hashed while it inflates (the other cores wait for its bytes anyway), so
 * its hash is not left to run in order after it, alone, once its records are read. The
 * producer fills the pipe's buffers and hands them over in order; the hasher gives each back
 * once hashed. */
#ifndef EVTRIAGE_HASHPIPE_H
#define EVTRIAGE_HASHPIPE_H
#include <stddef.h>

typedef struct et_hashpipe et_hashpipe;

/* A pipe with its hashing thread, or NULL if no thread could be started. */
et_hashpipe *et_hashpipe_start(void);
/* A buffer to fill (waits for the hasher to give one back); *cap: its size. */
unsigned char *et_hashpipe_buffer(et_hashpipe *p, size_t *cap);
/* Hands over the buffer just taken, with n bytes in it: the next bytes of the stream. */
void et_hashpipe_push(et_hashpipe *p, unsigned char *buf, size_t n);
/* Waits for the hasher, writes 64 hex digits (or "" if the hash could not be computed) and
 * frees the pipe; out NULL: the digest is not wanted. */
void et_hashpipe_finish(et_hashpipe *p, char out[65]);

#endif
