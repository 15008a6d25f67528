package com.postroom.inbound;

import java.util.Collection;
import java.util.Set;

/**
 * Tells ingest which messages are the doctor's own round-trip probes, so they are not stored as mail. The doctor
 * (deliverability) knows its probes and implements this; ingest only asks.
 */
public interface ProbeFilter {

    /** Of these {@code X-Postroom-Probe} header values, the ones that are tokens of a probe in flight. */
    Set<String> probesAmong(Collection<String> tokens);
}
