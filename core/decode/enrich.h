/*
 * enrich.h - well-known enrichments: values derived from decoded fields.
 *
 * Some events carry packed or raw values that every reader of them wants
 * spelled out, and that tools (PerfView, WPA) spell out from knowledge the
 * schema does not hold: Microsoft-Windows-Kernel-File's Create event packs
 * the create disposition into CreateOptions' top byte and logs ShareAccess
 * as FILE_SHARE_* bits. A small table, keyed by provider GUID, event id and
 * version range, names such events; for them the decoder adds derived values
 * after the decoded fields and gives raw fields a map, so the renderer shows
 * {"Value":1,"Name":"OPEN_EXISTING"} while every raw field stays as it was
 * (docs/enrich.md).
 *
 * Derived values and annotated fields point at static struct ef_field rows
 * of this module, which are not part of the event's schema->fields array.
 */
#ifndef EF_DECODE_ENRICH_H
#define EF_DECODE_ENRICH_H

#include "decode/event.h"
#include "decode/plan.h"

struct ef_enrich;

/*
 * The enrichment for events described by s, or NULL when none applies: the
 * provider, id and version match a row and the schema has the top-level
 * fields the row reads (and not yet the ones it would add). Called once per
 * compiled plan. Any thread.
 */
const struct ef_enrich *ef_enrich_find(const struct ef_schema *s);

/*
 * Adds e's derived values to ev (decoded into ws by ef_plan_run). A field
 * the row reads that did not decode (a decode error before it) adds
 * nothing. Allocates only while ws->values grows during warm-up. The thread
 * that owns ws.
 */
void ef_enrich_apply(const struct ef_enrich *e, struct ef_plan_ws *ws, struct ef_event *ev);

#endif
