/**
 * Mail going out: the one sending core (SendingCore) with its sender policy, the durable outbox, delivery over
 * SMTP with retries, the suppression list, and the outbound health (the original send routes are in compat). Uses store
 * (messages, threads), audit, cluster, config, mail, org, policy and api.
 */
@NullMarked
package com.postroom.outbound;

import org.jspecify.annotations.NullMarked;
