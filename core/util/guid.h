/*
 * guid.h - GUIDs as ETW writes them, parsed and formatted.
 *
 * On the wire a GUID is 16 bytes: Data1..Data3 little-endian, Data4 as
 * bytes. etwfwd prints GUIDs upper-case in braces, as the Windows event XML
 * does: {22FB2CD6-0E7B-422B-A0C7-2FAD1FD0E716}.
 */
#ifndef EF_UTIL_GUID_H
#define EF_UTIL_GUID_H

#include <stddef.h>
#include <stdint.h>

struct ef_guid {
    uint32_t data1;
    uint16_t data2;
    uint16_t data3;
    uint8_t data4[8];
};

/* "{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}" plus the NUL. */
#define EF_GUID_STR_SIZE 39

/* Formats g upper-case, braced, into out. Any thread. */
void ef_guid_format(const struct ef_guid *g, char out[EF_GUID_STR_SIZE]);

/*
 * Parses a GUID of exactly len bytes of s: braced or unbraced, any case,
 * 8-4-4-4-12 hex digits. Returns 0 or EF_EFORMAT (out untouched). Any thread.
 */
int ef_guid_parse(const char *s, size_t len, struct ef_guid *out);

/* Reads the 16 wire bytes at p. Any thread. */
void ef_guid_read(const void *p, struct ef_guid *out);
/* Writes the 16 wire bytes of g to p. Any thread. */
void ef_guid_write(const struct ef_guid *g, void *p);

int ef_guid_equal(const struct ef_guid *a, const struct ef_guid *b);
int ef_guid_is_zero(const struct ef_guid *g);

/*
 * The GUID Windows gives a TraceLogging or EventSource provider of this name
 * (ETW-NOTES section 7): SHA-1 over a fixed 16-byte namespace and the name
 * upper-cased in UTF-16BE, the first 16 bytes with the version nibble set to
 * 5, read as a Windows GUID. utf8_name is len bytes of UTF-8 (no NUL needed).
 *
 * EventSource upper-cases with ToUpperInvariant. This function upper-cases
 * ASCII, Latin-1, Latin Extended-A, basic Greek and basic Cyrillic letters by
 * their Unicode simple mapping (keeping U+0131 dotless i, as .NET does); any
 * other letter is hashed as written, so a name with such letters may need its
 * GUID given explicitly. Returns 0, EF_EINVAL for an empty name or
 * EF_EFORMAT for invalid UTF-8 (out untouched). Any thread.
 */
int ef_guid_from_provider_name(const char *utf8_name, size_t len, struct ef_guid *out);

#endif
