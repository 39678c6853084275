/*
 * notice.h - the few pipeline happenings an operator should hear about
 * outside the log file: a sink that keeps failing and its recovery, ETW
 * losing events past a threshold, the live watchdog restarting a session.
 * The service turns each into an event-log entry (service/winsvc/eventlog.h); the
 * console run ignores them (they are logged as well).
 *
 * A notice is delivered on the pipeline's loop thread, synchronously, while
 * its strings are valid: a receiver that keeps them must copy them.
 */
#ifndef EF_RUNNER_NOTICE_H
#define EF_RUNNER_NOTICE_H

#include <stdint.h>

enum ef_notice_kind {
    /*
     * A sink's delivery failed EF_SINKDRV_FAILING_AFTER (5) times in a row
     * (subject: sink name, detail: last error, count: consecutive failed
     * attempts). Once per episode: the next one comes only after a
     * EF_NOTICE_SINK_RECOVERED.
     */
    EF_NOTICE_SINK_FAILING = 1,
    /* That sink delivered again (subject: sink name, count: failed attempts in the episode). */
    EF_NOTICE_SINK_RECOVERED = 2,
    /*
     * ETW lost more events in one stats interval than [service]
     * loss_alert_events (subject: session name, count: events lost in the
     * interval, detail: the interval in seconds, as text).
     */
    EF_NOTICE_ETW_LOSS = 3,
    /*
     * The live watchdog restarted a session (subject: session name, detail:
     * the reason, count: the gap in milliseconds during which nothing was
     * collected).
     */
    EF_NOTICE_WATCHDOG_RESTART = 4,
};

struct ef_notice {
    enum ef_notice_kind kind;
    const char *subject; /* sink or session name; never NULL */
    const char *detail;  /* never NULL; "" when nothing to add */
    uint64_t count;
};

/* Receives a notice. Loop thread; must not call back into the pipeline. */
typedef void (*ef_notice_fn)(void *ud, const struct ef_notice *n);

#endif
