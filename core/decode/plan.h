/*
 * plan.h - a schema compiled into a flat decode plan, and its interpreter.
 *
 * Compiling checks a schema once (struct ranges inside the field array,
 * length and count references to earlier fields, nesting depth) and turns
 * each field's InType/OutType pair into one reader opcode with the kind of
 * value it produces, so the interpreter that runs for every event is a
 * single switch per field with no validation left to do. The plan's ops are
 * indexed like the schema's fields; a struct op names its members' range.
 *
 * The interpreter writes into a workspace (values, reference values, string
 * scratch) that grows during warm-up and is reused afterwards, so decoding
 * allocates nothing in the steady state.
 */
#ifndef EF_DECODE_PLAN_H
#define EF_DECODE_PLAN_H

#include <stdint.h>

#include "decode/event.h"
#include "decode/schema.h"
#include "util/buf.h"
#include "util/record.h"

/* Deepest struct nesting a plan may have. */
#define EF_PLAN_MAX_DEPTH 32

/* Reader opcodes: how one element of a field is read from the payload. */
enum ef_op {
    EF_OP_UNKNOWN = 0, /* an InType this decoder does not know: stops decoding there */
    EF_OP_I8,
    EF_OP_U8,
    EF_OP_I16,
    EF_OP_U16,
    EF_OP_I32,
    EF_OP_U32,
    EF_OP_I64,
    EF_OP_U64,
    EF_OP_F32,
    EF_OP_F64,
    EF_OP_BOOL32,
    EF_OP_GUID,
    EF_OP_PTR, /* the record's pointer size */
    EF_OP_FILETIME,
    EF_OP_SYSTIME,
    EF_OP_SID,
    EF_OP_WBEMSID,
    EF_OP_USTR,          /* UTF-16: length in chars, else NUL-terminated or to the end */
    EF_OP_ASTR,          /* 8-bit: the same */
    EF_OP_USTR_COUNTED,  /* u16 byte count, then UTF-16 */
    EF_OP_ASTR_COUNTED,  /* u16 byte count, then 8-bit chars */
    EF_OP_USTR_RCOUNTED, /* big-endian u16 byte count */
    EF_OP_ASTR_RCOUNTED,
    EF_OP_USTR_REST, /* NONNULLTERMINATED: length if given, else to the end */
    EF_OP_ASTR_REST,
    EF_OP_UCHAR,
    EF_OP_ACHAR,
    EF_OP_BINARY,         /* length in bytes if given; IPv6 16; else to the end */
    EF_OP_COUNTED_BINARY, /* u16 byte count, then bytes */
    EF_OP_HEXDUMP,        /* u32 byte count, then bytes */
    EF_OP_STRUCT,
};

struct ef_plan_op {
    const struct ef_field *field;
    uint8_t op;       /* enum ef_op */
    uint8_t vkind;    /* enum ef_value_kind of one element */
    uint8_t vflags;   /* EF_VAL_* every element gets */
    uint8_t is_array; /* 1: fixed, referenced or unbounded count */
    uint16_t outtype; /* effective out type */
    uint16_t flags;   /* the field's EF_FIELD_* */
    uint32_t key_off; /* the field's JSON key ("\"name\":") at plan->keys + key_off */
    uint32_t key_len;
};

struct ef_enrich;

struct ef_plan {
    const struct ef_schema *schema;
    uint64_t serial; /* unique in the process: renderers cache per plan by it */
    char *keys;      /* every field's key, escaped once for the renderer; NULL if none */
    uint16_t count;  /* ops, = schema->field_count */
    uint16_t top_count;
    uint8_t fallback; /* the schema is older than the records it decodes (decoder.c) */
    const struct ef_enrich *enrich; /* well-known derived values (enrich.h), or NULL */
    struct ef_plan_op ops[];
};

/* Reusable per-thread memory the interpreter writes into. */
struct ef_plan_ws {
    struct ef_value *values;
    uint32_t cap;
    uint32_t max;   /* most values one event may have */
    uint64_t *refs; /* the last integer value of each field, for length/count references */
    uint32_t refs_cap;
    struct ef_buf scratch; /* UTF-8 text of converted strings */
};

/*
 * Compiles schema s into a plan (malloc'd; ef_plan_free). Returns 0,
 * EF_EFORMAT when the schema is inconsistent (a struct range outside the
 * field array, a reference to a later field, nesting deeper than
 * EF_PLAN_MAX_DEPTH), or EF_ENOMEM. Any thread.
 */
int ef_plan_compile(const struct ef_schema *s, struct ef_plan **out);
void ef_plan_free(struct ef_plan *p);

/*
 * Fills p->keys and each op's key_off/key_len with the field names as JSON
 * keys: sanitized to UTF-8, escaped, quoted and followed by ':' ("_" for a
 * field with no name), exactly as the renderer would write them. Returns 0
 * or EF_ENOMEM (p->keys stays NULL and renderers escape per event). Called
 * by ef_plan_compile (plan_keys.c).
 */
int ef_plan_keys_build(struct ef_plan *p);

/* Sets up an empty workspace holding at most max_values values per event. */
void ef_plan_ws_init(struct ef_plan_ws *ws, uint32_t max_values);
void ef_plan_ws_free(struct ef_plan_ws *ws);

/*
 * Decodes r's payload with plan p into ev (whose values live in ws until the
 * next run). Always fills ev: a field that does not fit sets
 * EF_EVT_DECODE_ERROR with the field's name and offset, and the values
 * decoded before it are kept. Returns 0, or the EF_E* code of that error
 * (EF_ETRUNC, EF_EFORMAT, EF_ENOTSUP, EF_ELIMIT). The thread that owns ws.
 */
int ef_plan_run(const struct ef_plan *p, const struct ef_record *r, struct ef_plan_ws *ws,
                struct ef_event *ev);

#endif
