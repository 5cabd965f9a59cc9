// SHA-256's compression function (FIPS 180-4) for StudyData's content identities: the x86 SHA
// extensions where the CPU has them, a plain C loop otherwise. Both give the same digest — they
// compute the same function — so the choice changes the speed only.
#ifndef CALO_BNN_CSHA256_H
#define CALO_BNN_CSHA256_H
#include <stddef.h>
#include <stdint.h>

/// Run the compression function over `blocks` consecutive 64-byte blocks at `data`, updating the
/// eight state words `state` (a … h, as in FIPS 180-4).
void calo_sha256_blocks(uint32_t state[8], const uint8_t *data, size_t blocks);

/// Whether `calo_sha256_blocks` uses the SHA extensions in this process (1) or the plain loop (0).
int calo_sha256_uses_sha_extensions(void);

/// The plain loop alone (for tests: it must agree with the extensions' version).
void calo_sha256_blocks_portable(uint32_t state[8], const uint8_t *data, size_t blocks);
#endif
